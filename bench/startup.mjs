// Start-up: time from launch to the first drawn frame of the full-screen view (in a pty made by
// `script`), and to the first `watch --json` line; medians of repeated runs, next to a bare
// `node -e ''` for scale. Target: first frame under 400 ms.

import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CLI as DEFAULT_CLI, REPO_ROOT, fmt, median, table } from './lib.mjs';

const CLI = process.env.BENCH_CLI ?? DEFAULT_CLI;

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 10);
const RECORDING = join(REPO_ROOT, 'fixtures/recordings/steady');

/** Spawns cmd; resolves with ms until `marker` appears in its output, then kills it. */
function timeUntil(cmd, args, marker) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TERM: 'xterm-256color' } });
    let out = '';
    const done = (v) => {
      child.kill('SIGKILL');
      resolve(v);
    };
    const onData = (d) => {
      out += d;
      if (out.includes(marker)) done(performance.now() - t0);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', () => resolve(out.includes(marker) ? performance.now() - t0 : null));
    setTimeout(() => done(null), 10_000);
  });
}

export async function benchStartup() {
  const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
  const node = [];
  const json = [];
  const frame = [];
  for (let i = 0; i < RUNS; i++) {
    node.push(await timeUntil(process.execPath, ['-e', 'console.log("up")'], 'up'));
    json.push(await timeUntil(process.execPath, [CLI, 'watch', RECORDING, '--json', '--count', '1', '--speed', '0'], '{"time"'));
    if (hasScript) frame.push(await timeUntil('script', ['-qfec', `${process.execPath} ${CLI} ${RECORDING} --speed 0`, '/dev/null'], '[1 Overview]'));
  }
  const rows = [
    ['start-up (median of ' + RUNS + ')', 'ms'],
    ['node -e (bare Node.js, for scale)', fmt(median(node))],
    ['first `watch --json` line', fmt(median(json.filter((x) => x !== null)))],
  ];
  if (hasScript) rows.push(['first frame of the full-screen view', fmt(median(frame.filter((x) => x !== null)))]);
  console.log(table(rows));
  if (hasScript) console.log(`target first frame < 400 ms: ${median(frame) < 400 ? 'ok' : 'OVER'}`);
  else console.log('(no `script` command: the first-frame figure needs a pty)');
}
