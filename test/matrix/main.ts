// `npm run matrix`: the verdict matrix. Live (build the Go fixture, run each drawn plan, judge
// every `watch --json` poll), with --record to keep each run as a recording plus its truth, or
// --replay DIR to re-judge recordings through the current engine without Go.
// docs/matrix.md explains the shapes, the truth rules and the table.

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { buildGoProgram } from '../helpers/go-target.js';
import { ACCURACY_TARGET, MAX_CHANGES, pct } from './judge.js';
import { fullReport, shapeRows } from './report.js';
import { GO_COMMANDS, findRecordings, pool, runLive, runReplay, type RunOutcome } from './runner.js';
import { SHAPE_NAMES, makeMatrix, makeRun, parseRunId, type RunSpec } from './shapes.js';

const USAGE = `usage: npm run matrix -- [options]
  --seed N            tuning seed (default 1)
  --holdout-seed N    held-out seed (default 2); runs alternate between the two
  --runs K            number of runs: all shapes on the tuning seed, then on the held-out one (default: two per shape)
  --shapes a,b        only these shapes (${SHAPE_NAMES.join(', ')})
  --only ID[,ID]      just these runs (shape:seed:index, as the failure list names them)
  --go 1.26[,1.19]    Go releases to build the fixture with, drawn per run (default 1.26)
  --poll 1s           poll interval (default 1s)
  --duration S        seconds per run (default: the shape's, 90 or more)
  --parallel P        runs at once (default 2; each is one Go process and one livepprof)
  --record DIR        record each run into DIR/<id> with its truth.json (judged by replaying it)
  --replay DIR        re-judge the recordings in DIR through the current engine (no Go needed)
  --out DIR           also write DIR/matrix.md and DIR/results.json
  --list              print the drawn runs and exit
  --check             exit 1 when a shape misses a target`;

function fail(msg: string): never {
  console.error(`matrix: ${msg}`);
  process.exit(2);
}

function durationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(text);
  if (!m) fail(`--poll takes a duration like 1s or 500ms, not ${JSON.stringify(text)}`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

function int(text: string | undefined, name: string, def: number): number {
  if (text === undefined) return def;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} takes a whole number, not ${JSON.stringify(text)}`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        seed: { type: 'string' },
        'holdout-seed': { type: 'string' },
        runs: { type: 'string' },
        shapes: { type: 'string' },
        only: { type: 'string' },
        go: { type: 'string' },
        poll: { type: 'string' },
        duration: { type: 'string' },
        parallel: { type: 'string' },
        record: { type: 'string' },
        replay: { type: 'string' },
        out: { type: 'string' },
        list: { type: 'boolean' },
        check: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    fail(`${(e as Error).message}\n${USAGE}`);
  }
  const v = parsed.values;
  if (v.help) {
    console.log(USAGE);
    return 0;
  }
  const seeds = { tuning: int(v.seed, 'seed', 1), heldOut: int(v['holdout-seed'], 'holdout-seed', 2) };
  const parallel = Math.max(1, int(v.parallel, 'parallel', 2));
  const command = `npm run matrix -- ${argv.join(' ')}`.trim();
  let outcomes: RunOutcome[];

  if (v.replay) {
    const dirs = await findRecordings(v.replay);
    if (dirs.length === 0) fail(`no recordings with truth.json in ${v.replay} (make some with --record DIR)`);
    console.error(`replaying ${dirs.length} recordings from ${v.replay} through the current engine`);
    outcomes = await pool(dirs, parallel, async (dir, i) => progress(await runReplay(dir), i, dirs.length));
  } else {
    const shapes = v.shapes ? v.shapes.split(',') : SHAPE_NAMES;
    for (const s of shapes) if (!SHAPE_NAMES.includes(s)) fail(`unknown shape ${s} (shapes: ${SHAPE_NAMES.join(', ')})`);
    const go = v.go ? v.go.split(',') : ['1.26'];
    for (const g of go) if (!GO_COMMANDS[g]) fail(`--go: ${g} is not one of ${Object.keys(GO_COMMANDS).join(', ')}`);
    const opts = { go, ...(v.duration ? { durationS: int(v.duration, 'duration', 90) } : {}) };
    const specs: RunSpec[] = v.only
      ? v.only.split(',').map((id) => {
          const r = parseRunId(id);
          return makeRun(r.shape, r.seed, r.index, opts);
        })
      : makeMatrix(shapes, int(v.runs, 'runs', 2 * shapes.length), seeds, opts);
    if (v.list) {
      for (const s of specs) console.log(`${s.id.padEnd(26)} ${s.durationS}s  ${s.summary}`);
      return 0;
    }
    const needed = [...new Set(specs.map((s) => s.go))];
    for (const g of needed) {
      if (spawnSync(GO_COMMANDS[g]!, ['version'], { stdio: 'ignore' }).status !== 0) fail(`Go ${g} is needed (${GO_COMMANDS[g]} does not run); install it or pick --go, or use --replay DIR`);
    }
    const intervalMs = durationMs(v.poll ?? '1s');
    console.error(`building the fixture with Go ${needed.join(', ')}…`);
    await Promise.all(needed.map((g) => buildGoProgram('target', undefined, GO_COMMANDS[g])));
    const total = specs.reduce((s, x) => s + x.durationS, 0);
    console.error(`${specs.length} runs, ${parallel} at a time (about ${Math.ceil(total / parallel / 60)} min)`);
    if (v.record) await fsp.mkdir(v.record, { recursive: true, mode: 0o700 });
    outcomes = await pool(specs, parallel, async (spec, i) =>
      progress(await runLive(spec, { intervalMs, ...(v.record ? { recordDir: v.record } : {}) }), i, specs.length),
    );
  }

  const report = fullReport(outcomes, { title: v.replay ? `Verdict matrix (replayed from ${v.replay})` : 'Verdict matrix (live)', command, seeds });
  console.log(report);
  if (v.out) {
    await fsp.mkdir(v.out, { recursive: true });
    await fsp.writeFile(path.join(v.out, 'matrix.md'), report);
    await fsp.writeFile(path.join(v.out, 'results.json'), JSON.stringify(outcomes.map(slim), null, 1) + '\n');
    console.error(`wrote ${path.join(v.out, 'matrix.md')} and results.json`);
  }
  if (v.check) {
    const bad = shapeRows(outcomes).filter((r) => (r.settled > 0 && r.settledCorrect / r.settled < ACCURACY_TARGET) || r.maxChanges > MAX_CHANGES);
    if (bad.length || outcomes.some((o) => o.error)) return 1;
  }
  return 0;
}

/** results.json: each run's spec, truth regimes, and every judged poll (not the raw lines). */
function slim(o: RunOutcome) {
  return { spec: o.spec, error: o.error, recording: o.recording, regimes: o.truth?.regimes, judgement: o.judgement };
}

function progress(o: RunOutcome, i: number, n: number): RunOutcome {
  const j = o.judgement;
  const what = o.error
    ? `ERROR ${o.error.split('\n')[0]}`
    : `${j!.settled ? pct(j!.settledCorrect / j!.settled) : '–'} of ${j!.settled} settled polls right${j!.failures.length ? `; ${j!.failures.length} failure(s)` : ''}`;
  console.error(`[${i + 1}/${n}] ${o.spec.id}: ${what}`);
  return o;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`matrix: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  },
);
