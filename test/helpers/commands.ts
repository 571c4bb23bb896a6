// Is a tool the tests need (go, tmux, openssl) on PATH and runnable? Asked once per tool.
import { spawnSync } from 'node:child_process';

const known = new Map<string, boolean>();

export function commandWorks(cmd: string, args: string[]): boolean {
  let ok = known.get(cmd);
  if (ok === undefined) {
    ok = spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
    known.set(cmd, ok);
  }
  return ok;
}
