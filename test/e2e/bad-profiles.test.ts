// The built CLI on profiles that are valid protobuf but wrong as profiles (built with
// pprof-format's encoder for exact control), and on URLs served by the misbehaving server.
// Where `go tool pprof -top` accepts a profile, `livepprof top` must too, with the same table;
// everything else is one specific line on stderr and a non-zero exit, with no stack trace, and
// the process stays small (peak RSS from /usr/bin/time, else polled from /proc/<pid>/status).

import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants as zlib, createGzip } from 'node:zlib';
import pako from 'pako';
import { Function as PbFunction, Line, Location, Mapping, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBadServer, type BadServer, type Misbehaviour } from '../helpers/bad-server.js';
import { CLI, GO119 } from '../helpers/paths.js';
import { requireTool } from '../helpers/require-tool.js';

/** Peak RSS allowed for one `livepprof top` run (Node itself takes ~50 MB). */
const MAX_RSS_KB = 150 * 1024;
const TIME = '/usr/bin/time';

function probe(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** GNU time with -o (busybox's has neither -f %M nor -o). */
const HAS_TIME = existsSync(TIME) && probe(TIME, ['-f', '%M', '-o', '/dev/null', 'true']);
const HAS_GO = requireTool('go', 'the live go tool pprof comparison of bad-profiles (it checks what go tool pprof 1.19.8 did instead)');

let dir = '';
let runs = 0;
/** Every run's peak RSS and first stderr line, printed at the end. */
const seen: string[] = [];

interface Result {
  code: number;
  stdout: string;
  stderr: string;
  /** Peak resident set size of the CLI process, in kB. */
  maxRssKb: number;
}

function vmHwmKb(pid: number): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** `livepprof top …args`, measuring the process's peak RSS. */
function top(args: string[]): Promise<Result> {
  return livepprof(['top', ...args]);
}

/** `livepprof …args`, measuring the process's peak RSS (and its wall time, for the log). */
function livepprof(args: string[]): Promise<Result> {
  const rssFile = join(dir, `rss-${runs++}.txt`);
  const [cmd, argv] = HAS_TIME
    ? [TIME, ['-f', '%M', '-o', rssFile, process.execPath, CLI, ...args]]
    : [process.execPath, [CLI, ...args]];
  const started = Date.now();
  return new Promise((resolve) => {
    let polled = 0;
    let poller: NodeJS.Timeout | undefined;
    const child = execFile(cmd, argv, { env: { ...process.env, TZ: 'UTC' }, timeout: 30_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      clearInterval(poller);
      const e = err as (Error & { code?: number | string; signal?: string }) | null;
      const code = e ? (typeof e.code === 'number' ? e.code : -1) : 0;
      // GNU time writes "Command exited with non-zero status N" before the number on failure.
      const maxRssKb = HAS_TIME ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : polled;
      const wall = ((Date.now() - started) / 1000).toFixed(2);
      seen.push(`${(maxRssKb / 1024).toFixed(0).padStart(4)} MB ${wall.padStart(6)} s  exit ${code}  ${args[0]}  ${stderr.split('\n')[0] || '(table)'}`);
      resolve({ code, stdout, stderr, maxRssKb });
    });
    if (!HAS_TIME) poller = setInterval(() => (polled = Math.max(polled, vmHwmKb(child.pid!))), 5);
  });
}

function expectOneLineError(r: Result, re: RegExp): void {
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^livepprof: /);
  expect(lines[0]).not.toMatch(/internal error/);
  expect(lines[0]).toMatch(re);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

function expectSmall(r: Result): void {
  expect(r.maxRssKb).toBeGreaterThan(0);
  expect(r.maxRssKb).toBeLessThan(MAX_RSS_KB);
}

// ---- hand-built profiles ------------------------------------------------------------------------

/** int64 as pprof-format wants it: negative values as their 64-bit two's complement. */
const i64 = (v: bigint): bigint => BigInt.asUintN(64, v);

interface Parts {
  s: (x: string) => number;
  sampleType: ValueType[];
  mapping: Mapping[];
  fn: PbFunction[];
  location: Location[];
  sample: Sample[];
}

/**
 * A small heap-like profile (alloc_space, inuse_space in bytes): main.leaf called by main.main,
 * 1000/500 bytes in one stack and 300/100 in main.main alone. `edit` breaks it.
 */
function buildProfile(edit: (p: Parts) => void = () => undefined): Uint8Array {
  const st = new StringTable();
  const s = (x: string) => st.dedup(x);
  const parts: Parts = {
    s,
    sampleType: [new ValueType({ type: s('alloc_space'), unit: s('bytes') }), new ValueType({ type: s('inuse_space'), unit: s('bytes') })],
    mapping: [new Mapping({ id: 1, memoryStart: 0x400000, memoryLimit: 0x800000, filename: s('/bin/app'), hasFunctions: true })],
    fn: [
      new PbFunction({ id: 1, name: s('main.leaf'), systemName: s('main.leaf'), filename: s('/src/app/main.go') }),
      new PbFunction({ id: 2, name: s('main.main'), systemName: s('main.main'), filename: s('/src/app/main.go') }),
    ],
    location: [
      new Location({ id: 1, mappingId: 1, address: 0x401000, line: [new Line({ functionId: 1, line: 10 })] }),
      new Location({ id: 2, mappingId: 1, address: 0x402000, line: [new Line({ functionId: 2, line: 20 })] }),
    ],
    sample: [new Sample({ locationId: [1, 2], value: [1000, 500] }), new Sample({ locationId: [2], value: [300, 100] })],
  };
  edit(parts);
  const p = new Profile({
    sampleType: parts.sampleType,
    sample: parts.sample,
    mapping: parts.mapping,
    location: parts.location,
    function: parts.fn,
    stringTable: st,
    periodType: new ValueType({ type: s('space'), unit: s('bytes') }),
    period: 524288,
    timeNanos: 1_700_000_000_000_000_000,
  });
  return pako.gzip(p.encode());
}

interface Case {
  name: string;
  bytes: () => Uint8Array;
  /** What `go tool pprof -top` (1.19.8) does with the file; checked again when `go` is present. */
  pprofAccepts: boolean;
  /** For rejected profiles: the one line livepprof prints. */
  error?: RegExp;
  /** For accepted profiles: what the table must show (checked with and without `go`). */
  table?: RegExp[];
}

const CASES: Case[] = [
  {
    name: 'a sample pointing at a missing location id',
    bytes: () => buildProfile((p) => (p.sample[0] = new Sample({ locationId: [99, 2], value: [1000, 500] }))),
    pprofAccepts: false, // malformed profile: sample has nil location
    error: /malformed profile: sample 0 refers to location 99, which does not exist$/,
  },
  {
    name: 'a location pointing at a missing function id',
    bytes: () =>
      buildProfile((p) => (p.location[0] = new Location({ id: 1, mappingId: 1, address: 0x401000, line: [new Line({ functionId: 77, line: 10 })] }))),
    pprofAccepts: false, // malformed profile: location id: 1 has a line with nil function
    error: /malformed profile: location 1 refers to function 77, which does not exist$/,
  },
  {
    name: 'a location pointing at a missing mapping id',
    bytes: () =>
      buildProfile((p) => (p.location[0] = new Location({ id: 1, mappingId: 5, address: 0x401000, line: [new Line({ functionId: 1, line: 10 })] }))),
    pprofAccepts: true, // pprof leaves the location without a mapping
    table: [/^Showing nodes accounting for 600B, 100% of 600B total$/m, /^ +500B 83\.33% 83\.33% +500B 83\.33% +main\.leaf$/m],
  },
  {
    name: 'a string index out of range',
    bytes: () => buildProfile((p) => (p.fn[0] = new PbFunction({ id: 1, name: 999, systemName: 999, filename: p.s('/src/app/main.go') }))),
    pprofAccepts: false, // parsing profile: unrecognized profile format
    error: /malformed profile: a function refers to string 999, outside the table of \d+$/,
  },
  {
    name: 'a sample with the wrong number of values',
    bytes: () => buildProfile((p) => (p.sample[1] = new Sample({ locationId: [2], value: [300] }))),
    pprofAccepts: false, // mismatch: sample has 1 values vs. 2 types
    error: /malformed profile: sample 1 has 1 values but the profile declares 2 sample types$/,
  },
  {
    name: 'negative values (a diff)',
    bytes: () => buildProfile((p) => (p.sample[0] = new Sample({ locationId: [1, 2], value: [i64(-1000n), i64(-500n)] }))),
    pprofAccepts: true,
    table: [
      /^Showing nodes accounting for -400B, 66\.67% of 600B total$/m,
      /^ +-500B 83\.33% 83\.33% +-500B 83\.33% +main\.leaf$/m,
      /^ +100B 16\.67% 66\.67% +-400B 66\.67% +main\.main$/m,
    ],
  },
  {
    name: 'huge values (near 2^62)',
    // Far enough apart to stay distinct as doubles (values are exact only below 2^53).
    bytes: () =>
      buildProfile((p) => {
        p.sample[0] = new Sample({ locationId: [1, 2], value: [(1n << 62n) + (1n << 41n), (1n << 62n) - (1n << 41n)] });
        p.sample[1] = new Sample({ locationId: [2], value: [1n << 61n, 1n << 61n] });
      }),
    pprofAccepts: true,
    table: [/^Showing nodes accounting for 6144PB, 100% of 6144PB total$/m, /^ +4096PB 66\.67% 66\.67% +4096PB 66\.67% +main\.leaf$/m, /^ +2048PB 33\.33% +100% +6144PB +100% +main\.main$/m],
  },
  {
    name: 'zero samples (an empty profile with sample types)',
    bytes: () => buildProfile((p) => (p.sample = [])),
    pprofAccepts: true, // an empty table
    table: [/^Showing nodes accounting for 0, 0% of 0 total\n +flat +flat% +sum% +cum +cum%\n$/m],
  },
  {
    name: 'no sample types at all',
    bytes: () =>
      buildProfile((p) => {
        p.sampleType = [];
        p.sample = p.sample.map((x) => new Sample({ locationId: x.locationId, value: [] }));
      }),
    pprofAccepts: false, // missing sample type information
    error: /not a pprof profile: it declares no sample types$/,
  },
  {
    name: 'no sample types and no samples',
    bytes: () =>
      buildProfile((p) => {
        p.sampleType = [];
        p.sample = [];
      }),
    pprofAccepts: false, // profile has no samples
    error: /not a pprof profile: it declares no sample types$/,
  },
];

function goTop(file: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('go', ['tool', 'pprof', '-top', '-symbolize=none', file], {
    env: { ...process.env, TZ: 'UTC', PPROF_TMPDIR: dir },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'livepprof-bad-profiles-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  console.log(`peak RSS of each livepprof top run (${HAS_TIME ? TIME : '/proc VmHWM'}):\n${seen.join('\n')}`);
});

describe('livepprof top on valid protobuf that is wrong as a profile', () => {
  it('measures peak memory', () => {
    if (!HAS_TIME) console.log(`${TIME} missing or not GNU time: peak RSS is polled from /proc/<pid>/status`);
  });

  CASES.forEach((c, index) => {
    it(`${c.name}: ${c.pprofAccepts ? 'a table, as pprof prints' : 'one line, as pprof also refuses it'}`, async () => {
      const file = join(dir, `case-${index}.pb.gz`);
      writeFileSync(file, c.bytes());
      if (HAS_GO) {
        const go = goTop(file);
        expect(go.code === 0, `go tool pprof -top: ${go.stderr.trim()}`).toBe(c.pprofAccepts);
      }
      const r = await top([file]);
      expectSmall(r);
      if (!c.pprofAccepts) {
        expectOneLineError(r, c.error!);
        expect(r.stderr).toContain(file);
        return;
      }
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      for (const re of c.table!) expect(r.stdout).toMatch(re);
      expect(r.stdout).not.toMatch(/NaN|Infinity|undefined/);
      if (HAS_GO) expect(r.stdout).toBe(goTop(file).stdout);

      const json = await top([file, '--json']);
      expect(json.code).toBe(0);
      const report = JSON.parse(json.stdout) as { total: number; shown: number; rows: Array<{ flat: number; cum: number }> };
      for (const v of [report.total, report.shown, ...report.rows.flatMap((row) => [row.flat, row.cum])]) {
        expect(Number.isFinite(v)).toBe(true);
      }
    });
  });
});

describe('livepprof top against a misbehaving server', () => {
  let server: BadServer;
  beforeAll(async () => {
    server = await startBadServer();
  });
  afterAll(async () => {
    await server.close();
  });

  // The misbehaviours top-cli.test.ts does not already cover (its own server does refused,
  // HTTP 404/500, an HTML page, debug=1 text, a silent /slow, a cut body, a cross-host redirect
  // and --max-bytes on a whole profile).
  const cases: Array<[Misbehaviour, string[], RegExp]> = [
    ['endless', ['--max-bytes', String(4 << 20)], /larger than the --max-bytes limit of 4194304 bytes \(more than 4194304 bytes arrived\)$/],
    ['huge', [], /larger than the --max-bytes limit of 536870912 bytes \(it declares 1099511627776 bytes\)$/],
    ['cut-gzip', [], /response from 127\.0\.0\.1:\d+ was cut off after \d+ bytes \(connection to 127\.0\.0\.1:\d+ was closed by the other side/],
    // The garbage is deterministic: its first byte reads as field 1 with wire type 5.
    ['gzip-garbage', [], /^livepprof: http:\/\/127\.0\.0\.1:\d+\/debug\/pprof\/heap: not a pprof profile: field Profile\.1 has protobuf wire type 5, expected 2$/],
    ['not-a-profile-proto', [], /not a pprof profile: field Profile\.2 has protobuf wire type 0, expected 2$/],
    ['close-mid-body', [], /response from 127\.0\.0\.1:\d+ was cut off after 500 bytes/],
    ['silent', ['--timeout', '300ms'], /no answer from 127\.0\.0\.1:\d+ within 300ms/],
    ['slow', ['--timeout', '300ms'], /no answer from 127\.0\.0\.1:\d+ within 300ms/],
    ['status-401', [], /HTTP 401 from 127\.0\.0\.1:\d+\/debug\/pprof\/heap: denied \(pass credentials with --header @file or LIVEPPROF_HEADERS\)$/],
    ['status-403', [], /HTTP 403 from 127\.0\.0\.1:\d+\/debug\/pprof\/heap: denied \(pass credentials/],
  ];

  for (const [mode, args, re] of cases) {
    it(`${mode}${args.length ? ` (${args.join(' ')})` : ''}: one line, non-zero exit, bounded memory`, async () => {
      server.set(mode);
      const started = Date.now();
      const r = await top([`${server.url}/debug/pprof/heap`, ...args]);
      expectOneLineError(r, re);
      expectSmall(r);
      expect(Date.now() - started).toBeLessThan(15_000);
    });
  }

  it('the server still answers well afterwards (the failures were the server, not the client)', async () => {
    server.set('ok');
    const r = await top([`${server.url}/debug/pprof/heap`, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).sampleType).toBe('inuse_space');
    expectSmall(r);
  });
});

/** Streams `mib` MiB of zeros through gzip into `path` (RLE: the same ratio as level 9, 3x faster). */
async function writeGzipBomb(path: string, mib: number): Promise<void> {
  const zeros = Buffer.alloc(1 << 20);
  let n = 0;
  const source = new Readable({
    read() {
      this.push(n++ < mib ? zeros : null);
    },
  });
  await pipeline(source, createGzip({ level: 9, strategy: zlib.Z_RLE, chunkSize: 1 << 16 }), createWriteStream(path));
}

describe('a gzip bomb: 4 MiB that inflates to 4 GiB', () => {
  /** The issue's bound: Node itself is ~50 MB and the default cap holds 256 MiB of output. */
  const MAX_BOMB_RSS_KB = 400 * 1024;
  const REFUSED = /gzip data inflates to more than the --max-inflated limit of 256 MiB \(a gzip bomb, or a huge profile: raise --max-inflated\)$/;
  let bomb = '';
  let server: BadServer;
  beforeAll(async () => {
    bomb = join(dir, 'bomb.pb.gz');
    await writeGzipBomb(bomb, 4096);
    server = await startBadServer();
    server.set('body-200', '/debug/pprof/heap', readFileSync(bomb));
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  const expectRefusedSmall = (r: Result, where: RegExp) => {
    expectOneLineError(r, REFUSED);
    expect(r.stderr).toMatch(where);
    expect(r.maxRssKb).toBeGreaterThan(0);
    expect(r.maxRssKb).toBeLessThan(MAX_BOMB_RSS_KB);
  };

  it('is a 4 MiB file whose gzip trailer says 4 GiB (mod 2^32)', () => {
    const bytes = readFileSync(bomb);
    expect(statSync(bomb).size).toBeLessThan(4.1 * 2 ** 20);
    expect(bytes.readUInt32LE(bytes.length - 4)).toBe(2 ** 32 % 2 ** 32); // ISIZE wraps to 0 at exactly 4 GiB
  });

  it('top FILE: refused with one line naming the limit and the flag, peak RSS under 400 MB', async () => {
    expectRefusedSmall(await top([bomb]), /^livepprof: \/.*bomb\.pb\.gz: /);
  }, 60_000);

  it('top URL: the same', async () => {
    expectRefusedSmall(await top([`${server.url}/debug/pprof/heap`]), /^livepprof: http:\/\/127\.0\.0\.1:\d+\/debug\/pprof\/heap: /);
  }, 60_000);

  it('watch: each poll that gets the bomb fails with that line, and the process stays under 400 MB', async () => {
    const r = await livepprof(['watch', server.url, '--json', '--count', '2', '--interval', '100ms']);
    expect(r.maxRssKb).toBeGreaterThan(0);
    expect(r.maxRssKb).toBeLessThan(MAX_BOMB_RSS_KB);
    const polls = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { ok: boolean; error?: string });
    expect(polls).toHaveLength(2);
    for (const p of polls) {
      expect(p.ok).toBe(false);
      expect(p.error).toMatch(REFUSED);
    }
  }, 60_000);

  it('--max-inflated moves the cap: a real profile is refused under 1 KiB and read under 1 MiB; a bad size is a usage line', async () => {
    const heap = join(GO119, 'heap.pb.gz');
    const small = await top([heap, '--max-inflated', '1KiB']);
    expectOneLineError(small, /heap\.pb\.gz: gzip data inflates to more than the --max-inflated limit of 1 KiB \(a gzip bomb, or a huge profile: raise --max-inflated\)$/);
    const roomy = await top([heap, '--max-inflated', '1MiB', '--json']);
    expect(roomy.code).toBe(0);
    expect(JSON.parse(roomy.stdout).sampleType).toBe('inuse_space');
    const bad = await livepprof(['top', heap, '--max-inflated', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('livepprof: --max-inflated must be a size like 1048576, 512MiB or 1GiB, not "lots"');
  });
});
