// The fleet's full-screen view: wired in a later commit.
import type { PrometheusClient } from '../source/prometheus.js';
import type { FleetSource } from '../source/prometheus-fleet.js';
import { EXIT } from './exit-codes.js';
import type { Io } from './io.js';
import type { ParsedArgs } from './options.js';

export async function runFleetScreen(io: Io, _args: ParsedArgs, _source: FleetSource, _client: PrometheusClient): Promise<number> {
  io.warn('livepprof: the fleet view is not built yet; use --json');
  return EXIT.usage;
}
