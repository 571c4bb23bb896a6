// Aggregates judged runs: the per-shape table (the targets), failures with their ids,
// a by-factor breakdown, and calibration (reliability bins + Brier, each run weighted equally).

import { ACCURACY_TARGET, MAX_CHANGES, pct, type RunJudgement } from './judge.js';
import type { RunOutcome } from './runner.js';
import type { PollLine } from './truth.js';
import { SHAPE_NAMES, churnBand, type RunSpec } from './shapes.js';

export interface ShapeRow {
  shape: string;
  runs: number;
  settled: number;
  settledCorrect: number;
  settledPrimary: number;
  maxChanges: number;
  meanChanges: number;
  /** Median polls / GCs to the right verdict over regimes that ask for one (misses count as never). */
  medianPolls: number | null;
  medianGcs: number | null;
  onTime: number;
  detects: number;
  failingRuns: number;
}

const judged = (o: RunOutcome): o is RunOutcome & { judgement: RunJudgement } => o.judgement !== null;

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Shapes in the generator's order (others, e.g. the Must-show cases, after them). */
function shapeOrder(shape: string): number {
  const i = SHAPE_NAMES.indexOf(shape);
  return i < 0 ? SHAPE_NAMES.length : i;
}

export function shapeRows(outcomes: RunOutcome[]): ShapeRow[] {
  const shapes = [...new Set(outcomes.map((o) => o.spec.shape))].sort((a, b) => shapeOrder(a) - shapeOrder(b) || a.localeCompare(b));
  return shapes.map((shape) => {
    const runs = outcomes.filter((o) => o.spec.shape === shape).filter(judged);
    const regimes = runs.flatMap((o) => o.judgement.regimes.filter((r) => r.polls > 0));
    const detects = runs.flatMap((o) => o.judgement.regimes.filter((r) => r.detect && r.outcome !== 'open'));
    const reached = detects.map((r) => (r.toRight ? r.toRight : { polls: Infinity, gcs: Infinity }));
    return {
      shape,
      runs: runs.length,
      settled: sum(runs.map((o) => o.judgement.settled)),
      settledCorrect: sum(runs.map((o) => o.judgement.settledCorrect)),
      settledPrimary: sum(runs.map((o) => o.judgement.settledPrimary)),
      maxChanges: Math.max(0, ...regimes.map((r) => r.changes)),
      meanChanges: regimes.length ? sum(regimes.map((r) => r.changes)) / regimes.length : 0,
      medianPolls: median(reached.map((r) => r.polls)),
      medianGcs: median(reached.map((r) => r.gcs)),
      onTime: detects.filter((r) => r.outcome === 'on-time').length,
      detects: detects.length,
      failingRuns: runs.filter((o) => o.judgement.failures.length > 0).length,
    };
  });
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const fmtMedian = (x: number | null) => (x === null ? '–' : Number.isFinite(x) ? String(Math.round(x * 10) / 10) : 'never');
const mark = (ok: boolean) => (ok ? '✓' : '✗');

export function shapeTable(rows: ShapeRow[]): string {
  const head =
    '| shape | runs | settled polls | accuracy (≥95%) | primary kind | changes/regime max (≤1) | mean | median to right verdict (polls / GCs) | on time | failing runs |\n' +
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map((r) => {
    const acc = r.settled ? `${pct(r.settledCorrect / r.settled)} ${mark(r.settledCorrect / r.settled >= ACCURACY_TARGET)}` : '– (none settled)';
    const prim = r.settled ? pct(r.settledPrimary / r.settled) : '–';
    return `| ${r.shape} | ${r.runs} | ${r.settled} | ${acc} | ${prim} | ${r.maxChanges} ${mark(r.maxChanges <= MAX_CHANGES)} | ${r.meanChanges.toFixed(2)} | ${fmtMedian(r.medianPolls)} / ${fmtMedian(r.medianGcs)} | ${r.onTime}/${r.detects} | ${r.failingRuns}/${r.runs} |`;
  });
  return [head, ...lines].join('\n');
}

export function failureList(outcomes: RunOutcome[]): string {
  const out: string[] = [];
  for (const o of outcomes) {
    if (o.error) out.push(`- \`${o.spec.id}\` could not run: ${o.error}`);
    else if (o.judgement && o.judgement.failures.length) {
      out.push(`- \`${o.spec.id}\` (${o.spec.summary})`);
      for (const f of o.judgement.failures) out.push(`  - ${f}`);
    }
  }
  return out.length ? out.join('\n') : '(none)';
}

/** Settled accuracy by churn band, /metrics flavour and Go release: which factor hurts. */
export function factorTable(outcomes: RunOutcome[]): string {
  const factors: Array<[string, (s: RunSpec) => string]> = [
    ['churn', churnBand],
    ['metrics', (s) => s.metrics],
    ['go', (s) => s.go],
  ];
  const rows: string[] = ['| factor | value | runs | settled polls | accuracy |', '|---|---|---:|---:|---:|'];
  for (const [name, of] of factors) {
    const groups = new Map<string, RunOutcome[]>();
    for (const o of outcomes.filter(judged)) groups.set(of(o.spec), [...(groups.get(of(o.spec)) ?? []), o]);
    for (const [value, os] of [...groups].sort()) {
      const settled = sum(os.map((o) => o.judgement!.settled));
      const correct = sum(os.map((o) => o.judgement!.settledCorrect));
      rows.push(`| ${name} | ${value} | ${os.length} | ${settled} | ${settled ? pct(correct / settled) : '–'} |`);
    }
  }
  return rows.join('\n');
}

export interface Calibration {
  bins: Array<{ lo: number; hi: number; polls: number; weight: number; predicted: number; observed: number }>;
  brier: number | null;
  runs: number;
  polls: number;
}

const EDGES = [0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0000001];

/**
 * Reliability of the confidence: polls that name a kind (not insufficient-data) with a
 * confidence; correct = the judge's verdict (settled polls) or "kind accepted by the regime"
 * (all polls). Each run weighs 1, shared by its polls: polls within a run are not independent.
 */
export function calibration(outcomes: RunOutcome[], which: 'settled' | 'all'): Calibration {
  const obs: Array<{ p: number; y: number; w: number }> = [];
  let runs = 0;
  for (const o of outcomes.filter(judged)) {
    const mine = o.judgement.polls
      .filter((p) => p.kind !== 'insufficient-data' && p.confidence !== null && (which === 'all' || p.settled))
      .map((p) => ({ p: p.confidence!, y: (which === 'settled' ? p.correct : p.accepted) ? 1 : 0 }));
    if (mine.length === 0) continue;
    runs++;
    for (const x of mine) obs.push({ ...x, w: 1 / mine.length });
  }
  const bins = EDGES.slice(0, -1).map((lo, i) => {
    const hi = EDGES[i + 1]!;
    const inBin = obs.filter((x) => x.p >= lo && x.p < hi);
    const w = sum(inBin.map((x) => x.w));
    return {
      lo,
      hi: Math.min(hi, 1),
      polls: inBin.length,
      weight: w,
      predicted: w ? sum(inBin.map((x) => x.w * x.p)) / w : 0,
      observed: w ? sum(inBin.map((x) => x.w * x.y)) / w : 0,
    };
  });
  const W = sum(obs.map((x) => x.w));
  return { bins, brier: W ? sum(obs.map((x) => x.w * (x.p - x.y) ** 2)) / W : null, runs, polls: obs.length };
}

export function calibrationTable(c: Calibration): string {
  const rows = ['| confidence | polls | weight (runs) | mean predicted | observed |', '|---|---:|---:|---:|---:|'];
  for (const b of c.bins) {
    if (b.polls === 0) continue;
    rows.push(`| ${b.lo.toFixed(1)}–${b.hi.toFixed(1)} | ${b.polls} | ${b.weight.toFixed(2)} | ${b.predicted.toFixed(2)} | ${b.observed.toFixed(2)} |`);
  }
  rows.push(`\nBrier score ${c.brier === null ? '–' : c.brier.toFixed(3)} over ${c.polls} polls of ${c.runs} runs (each run weighted equally).`);
  return rows.join('\n');
}

export interface ReportHeader {
  title: string;
  command: string;
  seeds: { tuning: number; heldOut: number };
}

export function fullReport(outcomes: RunOutcome[], h: ReportHeader): string {
  const tuning = outcomes.filter((o) => o.spec.seed === h.seeds.tuning);
  const heldOut = outcomes.filter((o) => o.spec.seed !== h.seeds.tuning);
  const parts = [
    `## ${h.title}`,
    `\`${h.command}\` — ${new Date().toISOString().slice(0, 10)}, tuning seed ${h.seeds.tuning}, held-out seed ${h.seeds.heldOut}, ${outcomes.length} runs`,
    shapeTable(shapeRows(outcomes)),
    `### Failures (re-run one alone: \`npm run matrix -- --only <id>\`)`,
    failureList(outcomes),
    `### By factor (settled accuracy)`,
    factorTable(outcomes),
  ];
  for (const [name, set] of [
    ['tuning', tuning],
    ['held-out', heldOut],
  ] as const) {
    if (set.length === 0) continue;
    const rows = shapeRows(set);
    const settled = sum(rows.map((r) => r.settled));
    const correct = sum(rows.map((r) => r.settledCorrect));
    parts.push(
      `### Calibration, ${name} seed (${set.length} runs, settled accuracy ${settled ? pct(correct / settled) : '–'})`,
      'Settled polls (after the deadline):',
      calibrationTable(calibration(set, 'settled')),
      'All polls naming a kind (correct = a kind the regime accepts):',
      calibrationTable(calibration(set, 'all')),
    );
  }
  return parts.join('\n\n') + '\n';
}

/**
 * One line per poll (seconds, GC count, live heap, heap goal, verdict) and the summary and first
 * evidence wherever the verdict changes: enough to tell which rule spoke and on what figures.
 */
export function pollTrace(lines: readonly PollLine[]): string {
  const mb = (v: unknown) => (typeof v === 'number' ? (v / 2 ** 20).toFixed(1) : '-');
  const t0 = lines.length ? Date.parse(lines[0]!.time) : 0;
  let last = '';
  return lines
    .map((l) => {
      const r = l as PollLine & { gcHeapLive?: number | null; nextGC?: number | null; verdict?: { evidence?: string[] } };
      const kind = l.verdict?.kind ?? (l.ok ? '' : 'failed');
      const change = kind !== last ? `  ${[l.verdict?.summary, ...(r.verdict?.evidence ?? []).slice(0, 2)].filter(Boolean).join(' | ')}` : '';
      last = kind;
      return `${((Date.parse(l.time) - t0) / 1000).toFixed(1)}s gc=${l.numGC ?? '-'} live=${mb(r.gcHeapLive)} goal=${mb(r.nextGC)} ${kind}${change}`;
    })
    .join('\n');
}
