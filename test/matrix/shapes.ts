// The seeded generator: each shape draws a plan for the Go fixture (fixtures/target/plan.go)
// from a PRNG seeded by (shape, seed, index), so one run can be re-made alone from its id.
// Background churn, GOGC (and how it is set), the /metrics flavour and the Go version are
// drawn for every shape: whoever picks them otherwise picks the result.

import { seededRandom, type Random } from '../helpers/random.js';
import type { Activity, Plan } from './truth.js';

const KiB = 1024;
const MiB = 1024 * 1024;

export type MetricsFlavour = 'classic' | 'modern' | 'runtime' | 'bare' | 'none';

export interface RunSpec {
  /** shape:seed:index: enough to re-make the run (`--only`). */
  id: string;
  shape: string;
  seed: number;
  index: number;
  /** Go release to build the fixture with ('1.26', '1.19'). */
  go: string;
  plan: Plan;
  /** GOGC / GOMEMLIMIT / GODEBUG / GOMAXPROCS for the fixture. */
  env: Record<string, string>;
  metrics: MetricsFlavour;
  durationS: number;
  /** The drawn parameters in words, for failure lists. */
  summary: string;
}

class Draw {
  constructor(readonly rnd: Random) {}
  uniform(a: number, b: number): number {
    return a + (b - a) * this.rnd();
  }
  log(a: number, b: number): number {
    return Math.exp(this.uniform(Math.log(a), Math.log(b)));
  }
  chance(p: number): boolean {
    return this.rnd() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)]!;
  }
  weighted<T>(xs: ReadonlyArray<[T, number]>): T {
    const total = xs.reduce((s, [, w]) => s + w, 0);
    let x = this.rnd() * total;
    for (const [v, w] of xs) if ((x -= w) < 0) return v;
    return xs[xs.length - 1]![0];
  }
  /** Rounded to 2 significant digits so plans read well. */
  bytes(a: number, b: number): number {
    return round2(this.log(a, b));
  }
  seconds(a: number, b: number): number {
    return Math.round(this.uniform(a, b));
  }
}

function round2(x: number): number {
  return x > 0 ? Number(x.toPrecision(2)) : 0;
}

interface ShapeDraw {
  plan: Omit<Plan, 'activities'>;
  activities: Activity[];
  env?: Record<string, string>;
  /** Overrides the drawn churn (shapes that need a busy or quiet background). */
  churn?: [number, number];
  durationS?: number;
  gogc?: number;
  summary: string;
}

export interface Shape {
  name: string;
  doc: string;
  draw(d: Draw): ShapeDraw;
}

export function formatBytes(b: number): string {
  if (b >= MiB) return `${+(b / MiB).toPrecision(3)}MiB`;
  if (b >= KiB) return `${+(b / KiB).toPrecision(3)}KiB`;
  return `${Math.round(b)}B`;
}

/** Leaks start at once (60%) or after a healthy stretch. */
const startOf = (d: Draw) => (d.chance(0.6) ? 0 : d.seconds(10, 25));
/** Objects small enough to be realistic, large enough that the fixture stays under ~20k allocations/s. */
function objSize(d: Draw, rate: number, choices = [64, 256, 1024, 4096, 16384, 65536]): number {
  const ok = choices.filter((s) => rate / s <= 20_000);
  return d.pick(ok.length ? ok : [choices[choices.length - 1]!]);
}

function leak(d: Draw, rate: number, start: number, stop?: number): Activity {
  return { kind: 'leak', start, ...(stop ? { stop } : {}), rate, objSize: objSize(d, rate), store: d.pick(['slice', 'map'] as const) };
}

const fmtRate = (r: number) => `${formatBytes(r)}/s`;

export const SHAPES: Shape[] = [
  {
    name: 'steady',
    doc: 'constant live set (0–64 MiB), only churn',
    draw: (d) => {
      const live = d.chance(0.3) ? 0 : d.bytes(1 * MiB, 64 * MiB);
      return { plan: { liveBytes: live }, activities: [], summary: `live ${formatBytes(live)}` };
    },
  },
  {
    name: 'sawtooth',
    doc: 'GOGC 300–800 on a constant 16–96 MiB live set, light to busy churn: the heap climbs to (1+GOGC/100)× live before each GC',
    draw: (d) => {
      const live = d.bytes(16 * MiB, 96 * MiB);
      const gogc = d.pick([300, 400, 500, 600, 800]);
      return { plan: { liveBytes: live }, activities: [], gogc, churn: [2 * MiB, 32 * MiB], summary: `live ${formatBytes(live)}` };
    },
  },
  ...([
    ['slow-leak-small', 'a 0–4 MiB live set', 512 * KiB, 4 * MiB, 0.3],
    ['slow-leak-large', 'a 32–160 MiB live set (deadlines often beyond a 90 s run: few settled polls)', 32 * MiB, 160 * MiB, 0],
  ] as const).map(
    ([name, on, lo, hi, none]): Shape => ({
      name,
      doc: `leak 64 KiB/s–1 MiB/s on ${on}`,
      draw: (d) => {
        const live = none > 0 && d.chance(none) ? 0 : d.bytes(lo, hi);
        const rate = d.bytes(64 * KiB, 1 * MiB);
        const start = startOf(d);
        return { plan: { liveBytes: live }, activities: [leak(d, rate, start)], summary: `leak ${fmtRate(rate)} from ${start}s, live ${formatBytes(live)}` };
      },
    }),
  ),
  {
    name: 'fast-leak',
    doc: 'leak 2–8 MiB/s on a 0–64 MiB live set; 40% stop after 15–30 s (then a plateau), all stop by 400 MiB',
    draw: (d) => {
      const live = d.chance(0.3) ? 0 : d.bytes(4 * MiB, 64 * MiB);
      const rate = d.bytes(2 * MiB, 8 * MiB);
      const start = d.chance(0.6) ? 0 : d.seconds(5, 15);
      const drawnStop = d.chance(0.4) ? start + d.seconds(15, 30) : undefined;
      const cap = start + Math.floor((400 * MiB) / rate);
      const stop = Math.min(drawnStop ?? Infinity, cap);
      return {
        plan: { liveBytes: live },
        activities: [leak(d, rate, start, stop < 90 ? stop : undefined)],
        // A drawn stop gets its plateau's 60 s deadline and some polls after it.
        durationS: drawnStop !== undefined ? Math.max(90, drawnStop + 75) : 90,
        summary: `leak ${fmtRate(rate)} ${start}s–${stop < 90 ? `${stop}s` : 'end'}, live ${formatBytes(live)}`,
      };
    },
  },
  {
    name: 'cache-plateau',
    doc: 'a cache fills to 16–96 MiB in 5–20 s (starting at 0–10 s), then stays flat',
    draw: (d) => {
      const live = d.chance(0.4) ? 0 : d.bytes(2 * MiB, 32 * MiB);
      const bytes = d.bytes(16 * MiB, 96 * MiB);
      const fill = d.seconds(5, 20);
      const start = d.seconds(0, 10);
      return {
        plan: { liveBytes: live },
        activities: [{ kind: 'cache', start, bytes, fill, objSize: d.pick([1024, 4096, 16384]) }],
        durationS: 120,
        summary: `cache ${formatBytes(bytes)} filled ${start}s–${start + fill}s, live ${formatBytes(live)}`,
      };
    },
  },
  {
    name: 'batch',
    doc: 'every 8–20 s a batch of 32–192 MiB is allocated, held 1–4 s and dropped',
    draw: (d) => {
      const live = d.chance(0.4) ? 0 : d.bytes(2 * MiB, 32 * MiB);
      const bytes = d.bytes(32 * MiB, 192 * MiB);
      const period = d.seconds(8, 20);
      const hold = d.seconds(1, 4);
      const start = d.seconds(0, 10);
      return {
        plan: { liveBytes: live },
        activities: [{ kind: 'batch', start, bytes, period, hold, objSize: d.pick([4096, 8192, 65536]) }],
        summary: `batch ${formatBytes(bytes)} every ${period}s held ${hold}s from ${start}s, live ${formatBytes(live)}`,
      };
    },
  },
  ...(['burst-free', 'burst-lazyfree'] as const).map(
    (name): Shape => ({
      name,
      doc:
        name === 'burst-free'
          ? 'a 128–384 MiB burst freed at 5–15 s, MADV_DONTNEED (the default); half under a GOMEMLIMIT between the steady footprint and the burst'
          : 'the same with GODEBUG=madvdontneed=0 (MADV_FREE: RSS keeps the pages as LazyFree)',
      draw: (d) => {
        const live = d.chance(0.5) ? 0 : d.bytes(2 * MiB, 16 * MiB);
        const bytes = d.bytes(128 * MiB, 384 * MiB);
        const at = d.seconds(5, 15);
        const limit = d.chance(0.5) ? round2(d.uniform(2 * live + 48 * MiB, bytes / 2 + 32 * MiB)) : 0;
        const env: Record<string, string> = name === 'burst-lazyfree' ? { GODEBUG: 'madvdontneed=0' } : {};
        if (limit) env.GOMEMLIMIT = String(limit);
        return {
          plan: { liveBytes: live },
          activities: [{ kind: 'burst', start: at, bytes, objSize: 8192 }],
          env,
          summary: `burst ${formatBytes(bytes)} at ${at}s${limit ? `, GOMEMLIMIT ${formatBytes(limit)}` : ''}, live ${formatBytes(live)}`,
        };
      },
    }),
  ),
  {
    name: 'goroutine-leak',
    doc: '1–50 goroutines/s that never return, holding nothing but their stacks',
    draw: (d) => {
      const rate = round2(d.log(1, 50));
      const start = startOf(d);
      return { plan: {}, activities: [{ kind: 'goroutines', start, rate, held: 0 }], summary: `${rate} goroutines/s from ${start}s` };
    },
  },
  {
    name: 'goroutine-leak-heap',
    doc: '1–20 goroutines/s that never return, each holding 16–256 KiB of heap',
    draw: (d) => {
      const rate = round2(d.log(1, 20));
      const held = d.pick([16, 32, 64, 128, 256]) * KiB;
      const start = startOf(d);
      return { plan: {}, activities: [{ kind: 'goroutines', start, rate, held }], summary: `${rate} goroutines/s holding ${formatBytes(held)} from ${start}s` };
    },
  },
  {
    name: 'mmap-growth',
    doc: 'anonymous mmap (a stand-in for cgo) growing 0.5–8 MiB/s on a 0–64 MiB live set',
    draw: (d) => {
      const live = d.chance(0.4) ? 0 : d.bytes(2 * MiB, 64 * MiB);
      const rate = d.bytes(512 * KiB, 8 * MiB);
      const start = startOf(d);
      return { plan: { liveBytes: live }, activities: [{ kind: 'mmap', start, rate }], summary: `mmap ${fmtRate(rate)} from ${start}s, live ${formatBytes(live)}` };
    },
  },
  {
    name: 'gc-thrash',
    doc: 'a 1–4 MiB/s leak heading past a 64–160 MiB GOMEMLIMIT: the live heap reaches 85% of it at 15–40 s',
    draw: (d) => {
      const limit = d.bytes(64 * MiB, 160 * MiB);
      const rate = d.bytes(1 * MiB, 4 * MiB);
      const onset = d.seconds(15, 40);
      const live = Math.max(0, round2(0.85 * limit - 1 * MiB - rate * onset));
      return {
        plan: { liveBytes: live },
        activities: [leak(d, rate, 0)],
        env: { GOMEMLIMIT: String(limit) },
        churn: [1 * MiB, 16 * MiB],
        summary: `leak ${fmtRate(rate)} toward GOMEMLIMIT ${formatBytes(limit)}, live ${formatBytes(live)}`,
      };
    },
  },
  {
    name: 'combo',
    doc: 'two at once: leak+mmap, goroutines+leak, leak+batch, cache+goroutines, burst+mmap, sawtooth+leak',
    draw: (d) => {
      const kind = d.pick(['leak+mmap', 'goroutines+leak', 'leak+batch', 'cache+goroutines', 'burst+mmap', 'sawtooth+leak'] as const);
      const start = d.seconds(0, 10);
      switch (kind) {
        case 'leak+mmap': {
          const [a, b] = [d.bytes(1 * MiB, 6 * MiB), d.bytes(1 * MiB, 6 * MiB)];
          return { plan: {}, activities: [leak(d, a, start), { kind: 'mmap', start, rate: b }], summary: `${kind}: leak ${fmtRate(a)}, mmap ${fmtRate(b)} from ${start}s` };
        }
        case 'goroutines+leak': {
          const [n, held, r] = [round2(d.log(2, 10)), d.pick([32, 64, 128]) * KiB, d.bytes(512 * KiB, 4 * MiB)];
          return {
            plan: {},
            activities: [{ kind: 'goroutines', start, rate: n, held }, leak(d, r, start)],
            summary: `${kind}: ${n} goroutines/s holding ${formatBytes(held)}, leak ${fmtRate(r)} from ${start}s`,
          };
        }
        case 'leak+batch': {
          const [r, bytes, period] = [d.bytes(256 * KiB, 1 * MiB), d.bytes(32 * MiB, 128 * MiB), d.seconds(10, 20)];
          return {
            plan: {},
            activities: [leak(d, r, start), { kind: 'batch', start: 0, bytes, period, hold: 2, objSize: 8192 }],
            summary: `${kind}: leak ${fmtRate(r)} from ${start}s, batch ${formatBytes(bytes)} every ${period}s`,
          };
        }
        case 'cache+goroutines': {
          const [bytes, fill, n] = [d.bytes(16 * MiB, 64 * MiB), d.seconds(5, 15), round2(d.log(2, 20))];
          return {
            plan: {},
            activities: [{ kind: 'cache', start: 0, bytes, fill, objSize: 4096 }, { kind: 'goroutines', start, rate: n, held: 0 }],
            summary: `${kind}: cache ${formatBytes(bytes)} in ${fill}s, ${n} goroutines/s from ${start}s`,
          };
        }
        case 'burst+mmap': {
          const [bytes, at, r] = [d.bytes(128 * MiB, 256 * MiB), d.seconds(5, 10), d.bytes(1 * MiB, 4 * MiB)];
          return {
            plan: {},
            activities: [{ kind: 'burst', start: at, bytes, objSize: 8192 }, { kind: 'mmap', start, rate: r }],
            summary: `${kind}: burst ${formatBytes(bytes)} at ${at}s, mmap ${fmtRate(r)} from ${start}s`,
          };
        }
        case 'sawtooth+leak': {
          const [live, r] = [d.bytes(32 * MiB, 96 * MiB), d.bytes(256 * KiB, 1 * MiB)];
          return {
            plan: { liveBytes: live },
            activities: [leak(d, r, start)],
            gogc: 400,
            churn: [4 * MiB, 32 * MiB],
            summary: `${kind}: GOGC 400, live ${formatBytes(live)}, leak ${fmtRate(r)} from ${start}s`,
          };
        }
      }
    },
  },
];

export const SHAPE_NAMES = SHAPES.map((s) => s.name);

/** FNV-1a: a 32-bit seed from the run's id. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export interface DrawOptions {
  /** Go releases to draw from (default ['1.26']). */
  go?: string[];
  durationS?: number;
}

/** Makes run `shape:seed:index`, the same every time. */
export function makeRun(shapeName: string, seed: number, index: number, opts: DrawOptions = {}): RunSpec {
  const shape = SHAPES.find((s) => s.name === shapeName);
  if (!shape) throw new Error(`unknown shape ${shapeName} (shapes: ${SHAPE_NAMES.join(', ')})`);
  const id = `${shapeName}:${seed}:${index}`;
  const d = new Draw(seededRandom(hash(id)));
  const drawn = shape.draw(d);
  const [lo, hi] = drawn.churn ?? [16 * KiB, 32 * MiB];
  const churnRate = d.bytes(lo, hi);
  const churn: Activity = { kind: 'churn', rate: churnRate, objSize: objSize(d, churnRate, [64, 256, 1024, 4096, 8192]) };
  const gogc = drawn.gogc ?? (d.chance(0.5) ? 100 : d.pick([50, 75, 150, 200]));
  const viaEnv = d.chance(0.75);
  const metrics = d.weighted<MetricsFlavour>([
    ['classic', 30],
    ['modern', 25],
    ['runtime', 30],
    ['bare', 10],
    ['none', 5],
  ]);
  const go = d.pick(opts.go ?? ['1.26']);
  // One P per fixture: four runs at once fit a shared 2-core machine, and thrash is capped at half a core.
  const env: Record<string, string> = { GOGC: '', GOMEMLIMIT: '', GODEBUG: '', GOMAXPROCS: '1', ...(drawn.env ?? {}) };
  const plan: Plan = { ...drawn.plan, activities: [churn, ...drawn.activities] };
  if (gogc !== 100) {
    if (viaEnv) env.GOGC = String(gogc);
    else plan.gogc = gogc;
  }
  const churnText = `churn ${fmtRate(churnRate)} in ${formatBytes(churn.objSize!)}`;
  const knobs = [gogc !== 100 ? `GOGC ${gogc} (${viaEnv ? 'env' : 'code'})` : '', `metrics ${metrics}`, `go${go}`].filter(Boolean).join(', ');
  return {
    id,
    shape: shapeName,
    seed,
    index,
    go,
    plan,
    env,
    metrics,
    durationS: opts.durationS ?? drawn.durationS ?? 90,
    summary: `${drawn.summary}; ${churnText}; ${knobs}`,
  };
}

/** Churn bands for the by-factor table. */
export function churnBand(spec: RunSpec): 'idle' | 'light' | 'busy' {
  const r = spec.plan.activities.find((a) => a.kind === 'churn')?.rate ?? 0;
  return r < 256 * KiB ? 'idle' : r < 4 * MiB ? 'light' : 'busy';
}

/**
 * The runs of one matrix, until `count`: every shape from the tuning seed, then every shape from
 * the held-out seed, then again with the next index. So `count` = the number of shapes is one
 * run per shape, and twice that is one per shape and seed.
 */
export function makeMatrix(shapes: string[], count: number, seeds: { tuning: number; heldOut: number }, opts: DrawOptions = {}): RunSpec[] {
  const runs: RunSpec[] = [];
  const n = shapes.length;
  for (let j = 0; runs.length < count; j++) {
    const seed = Math.floor(j / n) % 2 === 0 ? seeds.tuning : seeds.heldOut;
    runs.push(makeRun(shapes[j % n]!, seed, Math.floor(j / (2 * n)), opts));
  }
  return runs;
}

export function parseRunId(id: string): { shape: string; seed: number; index: number } {
  const m = /^([\w-]+):(\d+):(\d+)$/.exec(id);
  if (!m) throw new Error(`a run id is shape:seed:index (e.g. fast-leak:1:0), not ${JSON.stringify(id)}`);
  return { shape: m[1]!, seed: Number(m[2]), index: Number(m[3]) };
}
