// The runtime matrix: the Go releases the fixture programs are built and run with. Go 1.26 is the
// machine's (and its `go tool pprof` stays the reference for every runtime); Debian's Go 1.19 is
// what the seed's recordings came from; Go 1.22 is a release in between, fetched as a toolchain
// through the Go module proxy. scripts/setup-go-matrix.sh installs and warms them (.ci/run calls
// it); tests build with GOPROXY=off, so they never download anything themselves.

import { spawnSync } from 'node:child_process';

export interface GoRuntime {
  /** The release, as `go env GOVERSION` starts: 'go1.19'. */
  name: string;
  /** The go command. */
  cmd: string;
  /** Added to the go command's environment (GOTOOLCHAIN for a proxy toolchain). */
  env: Record<string, string>;
}

export const GO_1_26: GoRuntime = { name: 'go1.26', cmd: 'go', env: {} };
export const GO_1_22: GoRuntime = { name: 'go1.22', cmd: 'go', env: { GOTOOLCHAIN: 'go1.22.12' } };
export const GO_1_19: GoRuntime = { name: 'go1.19', cmd: '/usr/lib/go-1.19/bin/go', env: {} };

/** A release the go command fetches through the module proxy (GOTOOLCHAIN), online: not in the matrix. */
export function proxyToolchain(version: string): GoRuntime {
  // An empty GOPROXY is the go command's default (the module proxy): this one may download.
  return { name: version, cmd: 'go', env: { GOTOOLCHAIN: version, GOPROXY: '' } };
}

/** Newest first. Three, no more (issue 12). */
export const GO_RUNTIMES: readonly GoRuntime[] = [GO_1_26, GO_1_22, GO_1_19];

/** The go command's environment for a runtime: offline, pure Go, no workspace. */
export function goCommandEnv(rt: GoRuntime = GO_1_26): NodeJS.ProcessEnv {
  return { ...process.env, CGO_ENABLED: '0', GOWORK: 'off', GOFLAGS: '', GOPROXY: 'off', ...rt.env };
}

const versions = new Map<string, string | null>();

/** `go env GOVERSION` of a runtime (e.g. 'go1.22.12'), null when it is not installed here. */
export function runtimeVersion(rt: GoRuntime): string | null {
  if (!versions.has(rt.name)) {
    const r = spawnSync(rt.cmd, ['env', 'GOVERSION'], { env: goCommandEnv(rt), encoding: 'utf8', timeout: 30_000 });
    const v = r.status === 0 ? r.stdout.trim() : '';
    versions.set(rt.name, v === rt.name || v.startsWith(`${rt.name}.`) ? v : null);
  }
  return versions.get(rt.name)!;
}
