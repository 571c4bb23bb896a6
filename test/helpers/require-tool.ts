// The one way a test depends on something outside Node: go, tmux, openssl, tzdata, root, network
// namespaces. In a hand run, tests that need a missing tool skip and say why. Under CI=true a
// missing tool is a failure, never a skip: a CI machine that lost tmux must not go green by
// running fewer tests.
//
//   describe.skipIf(!requireTool(['go', 'tmux'], 'the TUI end-to-end tests'))('…', () => { … });

import { spawnSync } from 'node:child_process';
import { runtimeVersion, type GoRuntime } from './go-runtimes.js';
import { existsSync } from 'node:fs';
import { it } from 'vitest';
import { PROMETHEUS_DIR } from '../../fixtures/prometheus/run-prometheus.mjs';

export type Tool = 'go' | 'tmux' | 'openssl' | 'tzdata' | 'prometheus' | 'root' | 'netns' | 'pidns' | 'memcg-v1';


const PROBES: Record<Tool, { present: () => boolean; missing: string }> = {
  go: { present: () => commandWorks('go', ['version']), missing: '`go` is not on PATH (Go >= 1.26, see .ci/run)' },
  tmux: { present: () => commandWorks('tmux', ['-V']), missing: '`tmux` is not on PATH (apt-get install tmux)' },
  openssl: { present: () => commandWorks('openssl', ['version']), missing: '`openssl` is not on PATH (apt-get install openssl)' },
  tzdata: { present: () => existsSync('/usr/share/zoneinfo/Europe/Berlin'), missing: 'no tzdata in /usr/share/zoneinfo (apt-get install tzdata)' },
  prometheus: {
    present: () => existsSync(`${PROMETHEUS_DIR}/usr/bin/prometheus`) && existsSync(`${PROMETHEUS_DIR}/usr/bin/promtool`),
    missing: `Debian's prometheus 2.42 is not unpacked in ${PROMETHEUS_DIR} (.ci/run does it: apt-get download prometheus && dpkg-deb -x)`,
  },
  root: { present: () => process.getuid?.() === 0, missing: 'not running as root' },
  netns: {
    present: () => process.getuid?.() === 0 && commandWorks('ip', ['-V']) && commandWorks('unshare', ['--net', 'true']),
    missing: 'cannot create network namespaces (needs root, `ip` from iproute2 and `unshare`)',
  },
  pidns: {
    present: () => process.getuid?.() === 0 && commandWorks('unshare', ['--pid', '--fork', '--mount-proc', 'true']),
    missing: 'cannot create PID namespaces (needs root and `unshare --pid --fork --mount-proc`)',
  },
  'memcg-v1': {
    present: () => process.getuid?.() === 0 && existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes'),
    missing: 'no cgroup v1 memory controller writable at /sys/fs/cgroup/memory (needs root)',
  },
};

const known = new Map<string, boolean>();

/** Does `cmd args` run and exit 0? Asked once per command line. */
function commandWorks(cmd: string, args: string[]): boolean {
  const key = [cmd, ...args].join(' ');
  let ok = known.get(key);
  if (ok === undefined) {
    ok = spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
    known.set(key, ok);
  }
  return ok;
}

/** Is the tool here? For code that needs one outside a skip (it then throws on its own). */
export function hasTool(tool: Tool): boolean {
  return PROBES[tool].present();
}

/**
 * True when every tool is here: run the tests. Otherwise, in a hand run, prints why `what` is
 * skipped and returns false; under CI=true registers a failing test that says what is missing
 * (standing in for the tests it replaces) and returns false.
 */
export function requireTool(tools: Tool | Tool[], what: string): boolean {
  const missing = (Array.isArray(tools) ? tools : [tools]).filter((t) => !hasTool(t));
  if (missing.length === 0) return true;
  const why = missing.map((t) => PROBES[t].missing).join('; ');
  if (process.env.CI === 'true') {
    it(`${what}: needs ${missing.join(' and ')}`, () => {
      throw new Error(`${why}. CI=true: a missing tool fails the run instead of skipping ${what}`);
    });
  } else {
    console.warn(`SKIPPED ${what}: ${why}`);
  }
  return false;
}

const TOOL_NAMES = Object.keys(PROBES) as Tool[];

/** What each test file asks requireTool for, read from its source: the README's table. */
export function toolsByTestFile(files: Array<{ path: string; text: string }>): Array<{ path: string; tools: Tool[] }> {
  const out: Array<{ path: string; tools: Tool[] }> = [];
  for (const { path, text } of files) {
    const tools = new Set<Tool>();
    for (const m of text.matchAll(/requireTool\(\s*(\[[^\]]*\]|'[^']*')/g)) {
      for (const t of m[1]!.matchAll(/'([^']+)'/g)) if ((TOOL_NAMES as string[]).includes(t[1]!)) tools.add(t[1] as Tool);
    }
    if (tools.size > 0) out.push({ path, tools: TOOL_NAMES.filter((t) => tools.has(t)) });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** The README's table of tests that need a tool, root among them. */
export function toolTableMarkdown(rows: Array<{ path: string; tools: Tool[] }>): string {
  return ['| tool | test files that need it |', '|---|---|', ...TOOL_NAMES.map((t) => {
    const users = rows.filter((r) => r.tools.includes(t)).map((r) => `\`${r.path}\``);
    return `| ${t} | ${users.length > 0 ? users.join(', ') : 'none yet'} |`;
  })].join('\n');
}

/**
 * True when the runtime is installed: run the tests. Otherwise, in a hand run, says why `what`
 * is skipped and returns false; under CI=true registers a failing test in its place.
 */
export function requireGoRuntime(rt: GoRuntime, what: string): boolean {
  if (runtimeVersion(rt) !== null) return true;
  const why = `${rt.name} is not installed (${rt.cmd}${rt.env.GOTOOLCHAIN ? ` with GOTOOLCHAIN=${rt.env.GOTOOLCHAIN}` : ''}); run scripts/setup-go-matrix.sh`;
  if (process.env.CI === 'true') {
    it(`${what}: needs ${rt.name}`, () => {
      throw new Error(`${why}. CI=true: a missing runtime fails the run instead of skipping ${what}`);
    });
  } else {
    console.warn(`SKIPPED ${what}: ${why}`);
  }
  return false;
}
