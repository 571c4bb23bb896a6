// Runs one matrix run: live (the fixture with its plan + the built CLI's `watch --json`, or
// `record` then a headless replay), or from a recording made earlier (no Go needed).

import { spawn } from 'node:child_process';
import { existsSync, promises as fsp } from 'node:fs';
import path from 'node:path';
import { startTarget, type Target } from '../helpers/go-target.js';
import { CLI } from '../helpers/paths.js';
import { judgeRun, type RunJudgement } from './judge.js';
import type { RunSpec } from './shapes.js';
import { parsePollLines, type PollLine, type Truth } from './truth.js';

/** Go releases the matrix can build the fixture with, and where their go command is. */
export const GO_COMMANDS: Record<string, string> = {
  '1.26': process.env.LIVEPPROF_GO126 ?? 'go',
  '1.19': process.env.LIVEPPROF_GO119 ?? '/usr/lib/go-1.19/bin/go',
};

export interface RunOutcome {
  spec: RunSpec;
  truth: Truth | null;
  lines: PollLine[];
  judgement: RunJudgement | null;
  /** The run could not be made (build, start, CLI crash): not a verdict failure. */
  error: string | null;
  /** Where the recording is (record and replay modes). */
  recording?: string;
}

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** We stopped it (SIGINT at `stopAfterMs`, SIGKILL 30 s later if it had not finished). */
  stopped: boolean;
}

/**
 * The built CLI. With `stopAfterMs` it gets SIGINT then (it stops after the poll in flight, as
 * on Ctrl-C): a poll loop stretched by a slow target still ends near the schedule's length.
 */
function cli(args: string[], stopAfterMs: number): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let stopped = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-16_384)));
    const stop = setTimeout(() => {
      stopped = true;
      child.kill('SIGINT');
    }, stopAfterMs);
    const kill = setTimeout(() => child.kill('SIGKILL'), stopAfterMs + 30_000);
    child.on('close', (code, signal) => {
      clearTimeout(stop);
      clearTimeout(kill);
      // Our SIGINT may land after the CLI has put its handlers away (its last poll done): then
      // the signal ends it, which is as good as its own exit.
      resolve({ code: stopped && signal === 'SIGINT' ? 0 : (code ?? 1), stdout, stderr, stopped });
    });
  });
}

function check(what: string, r: CliRun): void {
  if (r.code !== 0 && !(r.stopped && r.code === 130)) throw new Error(`livepprof ${what} exited ${r.code}${r.stopped ? ' (stopped by the harness)' : ''}: ${r.stderr.trim()}`);
}

async function fetchTruth(t: Target): Promise<Truth> {
  const res = await fetch(`${t.url}/truth`);
  if (!res.ok) throw new Error(`/truth answered ${res.status}`);
  return (await res.json()) as Truth;
}

export interface LiveOptions {
  intervalMs: number;
  /** Record into <dir>/<run id> and judge by replaying the recording (same poll logic). */
  recordDir?: string;
}

export function recordingName(spec: RunSpec): string {
  return spec.id.replace(/:/g, '-');
}

export async function runLive(spec: RunSpec, opts: LiveOptions): Promise<RunOutcome> {
  const go = GO_COMMANDS[spec.go];
  if (!go) return { spec, truth: null, lines: [], judgement: null, error: `no go command for Go ${spec.go}` };
  const count = Math.max(1, Math.round((spec.durationS * 1000) / opts.intervalMs));
  const interval = `${opts.intervalMs}ms`;
  // --count polls normally end the run; a target too slow to answer in time (GC thrash on one
  // P) stretches the interval (livepprof's 1% budget), so the run is also cut at its length.
  const stopAfterMs = spec.durationS * 1000 + 10_000;
  let target: Target | null = null;
  try {
    target = await startTarget({ args: ['-plan', JSON.stringify(spec.plan), '-metrics', spec.metrics], env: spec.env, go });
    let lines: PollLine[] = [];
    let recording: string | undefined;
    if (opts.recordDir) {
      recording = path.join(opts.recordDir, recordingName(spec));
      check('record', await cli(['record', target.url, '--out', recording, '--force', '--interval', interval, '--count', String(count), '--quiet'], stopAfterMs));
    }
    if (!recording) {
      const w = await cli(['watch', target.url, '--json', '--interval', interval, '--count', String(count)], stopAfterMs);
      check('watch', w);
      lines = parsePollLines(w.stdout);
    }
    const truth = await fetchTruth(target); // after the last poll: the GC log covers every poll
    if (recording) {
      await writeJson(path.join(recording, 'truth.json'), truth);
      await writeJson(path.join(recording, 'run.json'), spec);
      lines = await replayLines(recording);
    }
    return { spec, truth, lines, judgement: judgeRun(truth, lines), error: null, ...(recording ? { recording } : {}) };
  } catch (e) {
    const stderr = target?.stderr().trim();
    return { spec, truth: null, lines: [], judgement: null, error: `${(e as Error).message}${stderr ? `\n  target stderr: ${stderr.slice(-500)}` : ''}` };
  } finally {
    await target?.stop();
  }
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await fsp.writeFile(file, JSON.stringify(value) + '\n', { mode: 0o600 });
}

/** `livepprof replay DIR --speed 0 --json`: the current engine over a recording, headless. */
async function replayLines(dir: string): Promise<PollLine[]> {
  const r = await cli(['replay', dir, '--speed', '0', '--json'], 300_000);
  check(`replay ${dir}`, r);
  return parsePollLines(r.stdout);
}

/** Recordings under `root` that carry their truth (made with --record). */
export async function findRecordings(root: string): Promise<string[]> {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const name of (await fsp.readdir(root)).sort()) {
    const dir = path.join(root, name);
    if (existsSync(path.join(dir, 'meta.json')) && existsSync(path.join(dir, 'truth.json')) && existsSync(path.join(dir, 'run.json'))) out.push(dir);
  }
  return out;
}

export async function runReplay(dir: string): Promise<RunOutcome> {
  const spec = JSON.parse(await fsp.readFile(path.join(dir, 'run.json'), 'utf8')) as RunSpec;
  const truth = JSON.parse(await fsp.readFile(path.join(dir, 'truth.json'), 'utf8')) as Truth;
  try {
    const lines = await replayLines(dir);
    return { spec, truth, lines, judgement: judgeRun(truth, lines), error: null, recording: dir };
  } catch (e) {
    return { spec, truth, lines: [], judgement: null, error: (e as Error).message, recording: dir };
  }
}

/** Runs `jobs` with at most `parallel` at once, in order of start; results in input order. */
export async function pool<T, R>(items: T[], parallel: number, job: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await job(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, items.length)) }, worker));
  return out;
}
