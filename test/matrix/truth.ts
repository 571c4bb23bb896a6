// What the Go fixture's /truth says about a run (fixtures/target/truth.go), and what one
// `watch --json` line says: the two sides the judge compares.

export const KINDS = ['healthy', 'heap-leak', 'goroutine-leak', 'runtime-retention', 'non-go-memory', 'insufficient-data'] as const;
export type Kind = (typeof KINDS)[number];

/** The expected kind must show from the poll where all of these hold, counted from `from` (s after t0). */
export interface Deadline {
  from: number;
  polls: number;
  seconds: number;
  gcs: number;
  /** Where the GCs are counted from, when not `from` (s after t0): e.g. the first batch's drop. */
  gcsFrom?: number;
  /** GCs counted within one kind: during a batch (its start to a second after its drop) or between batches. */
  gcsAlike?: boolean;
}

export interface Regime {
  /** Seconds after t0; end null = until the process exits. */
  start: number;
  end: number | null;
  startTime: string;
  label: string;
  expected: Kind;
  accept: Kind[];
  /** null: nothing is demanded in this regime (every accepted kind is fine throughout). */
  deadline: Deadline | null;
  gcThrash: boolean;
  thrashDeadline?: Deadline;
  flags: string[];
  why: string;
}

/** One activity of the fixture's plan (plan.go). */
export interface Activity {
  kind: 'churn' | 'leak' | 'cache' | 'batch' | 'burst' | 'goroutines' | 'mmap';
  start?: number;
  stop?: number;
  rate?: number;
  bytes?: number;
  objSize?: number;
  fill?: number;
  period?: number;
  hold?: number;
  held?: number;
  store?: 'slice' | 'map';
}

export interface Plan {
  gogc?: number;
  memLimit?: number;
  liveBytes?: number;
  liveObjSize?: number;
  activities: Activity[];
}

export interface Truth {
  pid: number;
  goVersion: string;
  metrics: string;
  /** Unix ms: the plan's times count from here. */
  t0: number;
  plan: Plan;
  knobs: { gogc: number; memLimit: number; madvFree: boolean };
  regimes: Regime[];
  /** [ms after t0, NumGC] each time the count changed (sampled every 100 ms by the process itself). */
  gcLog: Array<[number, number]>;
  gcLogFull?: boolean;
  numGC: number;
}

/** The parts of a `watch --json` line the judge reads. Missing gcThrash/pending mean false. */
export interface PollLine {
  time: string;
  ok: boolean;
  numGC: number | null;
  verdict?: { kind: Kind; confidence: number; summary: string; gcThrash?: boolean; pending?: boolean };
}

export function parsePollLines(stdout: string): PollLine[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as PollLine);
}
