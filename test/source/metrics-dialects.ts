/**
 * The /metrics dialects a Go service serves, as real prometheus/client_golang bytes captured from
 * the fixture programs in fixtures/metrics-dialects/ (their own output, rewritten by
 * `UPDATE_DIALECTS=1 npx vitest run test/e2e/metrics-dialects-live.test.ts`). Not a test file:
 * the table is shared by the parsing tests (on the committed bytes) and the live test (which
 * rebuilds the programs and checks the committed bytes are still what the library produces).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GoProgram } from '../helpers/go-target.js';
import { GO_1_19, GO_1_26, type GoRuntime } from '../helpers/go-runtimes.js';
import { REPO_ROOT } from '../helpers/paths.js';

/** What a Prometheus server asks for (v1.11 knows OpenMetrics 0.0.1 only; v1.25 answers 1.0.0). */
export const OPENMETRICS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

export interface Capture {
  /** File name under the program's captured/ directory. */
  file: string;
  /** Path on the program. */
  path: string;
  /** Accept header sent (none: what a plain client such as livepprof gets). */
  accept?: string;
  /** What the MemStats come from, once mapped. */
  source: 'metrics' | 'expvar';
  /** The exposition carries the GC's own figures (go_gc_gogc_percent, go_gc_gomemlimit_bytes). */
  gcSettings: boolean;
  /** It carries go_gc_heap_live_bytes and the runtime's memory classes (go_memory_classes_*). */
  runtimeMetrics: boolean;
  /** A hand-written subset: only the heap, the total and the goroutine count. */
  partial?: boolean;
}

export interface DialectProgram {
  program: GoProgram;
  /** The client_golang release in its go.mod. */
  clientGolang: string;
  /** The Go it builds with (recent client_golang releases do not build with Go 1.19). */
  runtime: GoRuntime;
  captures: Capture[];
}

const common = (gcSettings: boolean): Capture[] => [
  { file: 'metrics.txt', path: '/metrics', source: 'metrics', gcSettings, runtimeMetrics: false },
  { file: 'metrics.openmetrics.txt', path: '/metrics', accept: OPENMETRICS_ACCEPT, source: 'metrics', gcSettings, runtimeMetrics: false },
  { file: 'partial.txt', path: '/metrics/partial', source: 'metrics', gcSettings: false, runtimeMetrics: false, partial: true },
  { file: 'vars.json', path: '/debug/vars', source: 'expvar', gcSettings: false, runtimeMetrics: false },
];

export const DIALECT_PROGRAMS: DialectProgram[] = [
  {
    program: 'metrics-dialects/client_golang-1.11',
    clientGolang: 'v1.11.1',
    runtime: GO_1_19,
    captures: common(false),
  },
  {
    program: 'metrics-dialects/client_golang-1.25',
    clientGolang: 'v1.25.0',
    runtime: GO_1_26,
    captures: [
      ...common(true),
      { file: 'runtime.txt', path: '/metrics/runtime', source: 'metrics', gcSettings: true, runtimeMetrics: true },
      { file: 'runtime.openmetrics.txt', path: '/metrics/runtime', accept: OPENMETRICS_ACCEPT, source: 'metrics', gcSettings: true, runtimeMetrics: true },
      { file: 'runtime-only.txt', path: '/metrics/runtime-only', source: 'metrics', gcSettings: true, runtimeMetrics: true },
    ],
  },
];

export function capturePath(d: DialectProgram, c: Capture): string {
  return join(REPO_ROOT, 'fixtures', d.program, 'captured', c.file);
}

export function readCapture(d: DialectProgram, c: Capture): string {
  return readFileSync(capturePath(d, c), 'utf8');
}

/**
 * What must stay the same between two captures of one dialect: every comment line (HELP, TYPE,
 * UNIT, EOF) and every sample's name and labels, in order; values and timestamps are left out,
 * and go_info's version keeps only the Go minor release. For JSON (expvar): the keys, nested.
 */
export function exposition(text: string, file: string): string[] {
  if (file.endsWith('.json')) return jsonShape(JSON.parse(text) as unknown, '');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (l.startsWith('#') ? l : l.slice(0, seriesEnd(l)).replace(/version="(go\d+\.\d+)[^"]*"/, 'version="$1"')));
}

/** End of `name{labels}` on a sample line (label values may hold `}` and escaped quotes). */
function seriesEnd(line: string): number {
  let i = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0].length ?? 0;
  if (line[i] !== '{') return i;
  for (let quoted = false; i < line.length; i++) {
    if (quoted && line[i] === '\\') i++;
    else if (line[i] === '"') quoted = !quoted;
    else if (!quoted && line[i] === '}') return i + 1;
  }
  return i;
}

function jsonShape(v: unknown, path: string): string[] {
  if (Array.isArray(v)) return [`${path}[]`];
  if (v === null || typeof v !== 'object') return [path];
  return Object.keys(v)
    .sort()
    .flatMap((k) => jsonShape((v as Record<string, unknown>)[k], `${path}.${k}`));
}
