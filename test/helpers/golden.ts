// Golden files are `go tool pprof`'s own output; each golden directory records the Go release
// whose pprof wrote it (GO_VERSION), since pprof's output changes between releases (the Time
// line in Go 1.26, merging of single profiles).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `go version` into dir/GO_VERSION: called by UPDATE_GOLDEN runs. */
export function recordGoldenGoVersion(dir: string): void {
  writeFileSync(join(dir, 'GO_VERSION'), execFileSync('go', ['version'], { encoding: 'utf8' }));
}

/** The `go version` line of the pprof that wrote the goldens in dir, or null when unlabelled. */
export function goldenGoVersion(dir: string): string | null {
  const f = join(dir, 'GO_VERSION');
  return existsSync(f) ? readFileSync(f, 'utf8').trim() : null;
}
