// A real Prometheus for the fleet tests: Debian's 2.42 binary, bound to 127.0.0.1, its own data
// directory, removed afterwards (fixtures/prometheus/run-prometheus.mjs, shared with the bench).
export { blocksFromOpenMetrics, startPrometheus, type RunningPrometheus, type ScrapeTarget } from '../../fixtures/prometheus/run-prometheus.mjs';
