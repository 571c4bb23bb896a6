import { describe, it, expect } from 'vitest';
import {
  parseGoroutineDebug1,
  parseGoroutineDebug2,
  parseGoroutineHeader,
  parseLabelSet,
  type CountProfile,
  type GoroutineDump,
} from '../../src/profile/goroutine-text.js';
import type { ParseResult } from '../../src/profile/parse-result.js';
import { readFixture } from '../source/go119-fixtures.js';

function unwrap<T>(result: ParseResult<T>): T {
  if (!result.ok) throw new Error(`expected ok, got error: ${result.error}`);
  return result.value;
}

const sumCounts = (profile: CountProfile): number => profile.groups.reduce((n, g) => n + g.count, 0);

describe('parseGoroutineDebug1 on real captures', () => {
  it('reads goroutine.debug1.txt: total 63, the 50 leaked goroutines first', () => {
    const profile = unwrap(parseGoroutineDebug1(readFixture('goroutine.debug1.txt')));
    expect(profile.profile).toBe('goroutine');
    expect(profile.total).toBe(63);
    expect(profile.groups).toHaveLength(10);
    expect(sumCounts(profile)).toBe(63);
    expect(profile.groups[0]).toEqual({
      count: 50,
      pcs: ['0x43d576', '0x407e9b', '0x407998', '0x685d65', '0x46d761'],
      labels: null,
      frames: [{ func: 'main.leakGoroutines.func1', file: '/src/capture/main.go', line: 64 }],
    });
  });

  it('keeps the labelled group with its pprof labels', () => {
    const profile = unwrap(parseGoroutineDebug1(readFixture('goroutine.debug1.txt')));
    const labelled = profile.groups.filter((g) => g.labels !== null);
    expect(labelled).toHaveLength(1);
    expect(labelled[0]).toEqual({
      count: 5,
      pcs: ['0x43d576', '0x46a5d5', '0x685e25', '0x46d761'],
      labels: { component: 'ingest', tenant: 'acme' },
      frames: [
        { func: 'time.Sleep', file: '/usr/lib/go-1.19/src/runtime/time.go', line: 195 },
        { func: 'main.labeledWorkers.func1.1', file: '/src/capture/main.go', line: 72 },
      ],
    });
  });

  it('splits tab-padded frame columns (method receivers, deep stacks)', () => {
    const profile = unwrap(parseGoroutineDebug1(readFixture('goroutine.debug1.txt')));
    const accept = profile.groups.find((g) => g.frames.some((f) => f.func === 'net/http.(*Server).Serve'));
    expect(accept?.frames).toHaveLength(12);
    expect(accept?.frames.at(-2)).toEqual({ func: 'main.main', file: '/src/capture/main.go', line: 246 });
    const mutex = profile.groups.find((g) => g.frames.some((f) => f.func === 'sync.(*Mutex).lockSlow'));
    expect(mutex?.frames.map((f) => f.line)).toEqual([77, 171, 90, 88]);
  });

  it('reads the +65 s capture: total 83 with 70 leaked', () => {
    const profile = unwrap(parseGoroutineDebug1(readFixture('goroutine.after1min.debug1.txt')));
    expect(profile.total).toBe(83);
    expect(profile.groups[0]?.count).toBe(70);
    expect(sumCounts(profile)).toBe(83);
  });

  it('reads threadcreate.debug1.txt, including the stackless `7 @` record', () => {
    const profile = unwrap(parseGoroutineDebug1(readFixture('threadcreate.debug1.txt')));
    expect(profile.profile).toBe('threadcreate');
    expect(profile.total).toBe(8);
    expect(profile.groups.map((g) => g.count)).toEqual([7, 1]);
    expect(profile.groups[0]).toEqual({ count: 7, pcs: [], labels: null, frames: [] });
    expect(profile.groups[1]?.frames.map((f) => f.func)).toEqual([
      'runtime.allocm', 'runtime.newm', 'runtime.startTemplateThread', 'runtime.main',
    ]);
  });
});

describe('parseGoroutineDebug1 on other inputs', () => {
  it('fails with a one-line reason when the header is missing', () => {
    for (const [input, reason] of [
      ['', /empty/],
      ['\n\n', /empty/],
      [readFixture('heap.debug1.txt'), /first line is "heap profile: 19: 68160/],
      ['<html>\n<body>oops</body>', /not a goroutine\?debug=1 profile/],
    ] as const) {
      const result = parseGoroutineDebug1(input);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error).toMatch(reason);
        expect(result.error).not.toMatch(/\n/);
      }
    }
  });

  it('returns the groups read so far from a truncated body', () => {
    const text = readFixture('goroutine.debug1.txt');
    const cut = text.slice(0, text.indexOf('runtime/pprof.writeRuntimeProfile') + 10);
    const profile = unwrap(parseGoroutineDebug1(cut));
    expect(profile.total).toBe(63);
    expect(profile.groups.map((g) => g.count)).toEqual([50, 5, 1]);
    expect(profile.groups[2]?.frames).toHaveLength(1);
  });

  it('skips garbage lines and malformed group headers', () => {
    const text = [
      'goroutine profile: total 3',
      '2 @ 0x1 0x2',
      'garbage here',
      '#\t0x1\tmain.f+0x10\t/x/main.go:10',
      '#\t0x0',
      '',
      '1 @ 0x1 notapc',
      '#\t0x1\tmain.g+0x10\t/x/main.go:11',
      '',
    ].join('\n');
    const profile = unwrap(parseGoroutineDebug1(text));
    expect(profile.groups).toEqual([
      { count: 2, pcs: ['0x1', '0x2'], labels: null, frames: [{ func: 'main.f', file: '/x/main.go', line: 10 }] },
    ]);
  });
});

describe('parseLabelSet (Go %q pairs)', () => {
  it('decodes escapes and accepts both separators', () => {
    expect(parseLabelSet('{"component":"ingest", "tenant":"acme"}')).toEqual({ component: 'ingest', tenant: 'acme' });
    expect(parseLabelSet('{"foobar": "baz"}')).toEqual({ foobar: 'baz' });
    expect(parseLabelSet(String.raw`{"a\"b":"c\\d", "e":"\u00e9\x41\t", "z":"\U0001F600"}`)).toEqual({
      'a"b': 'c\\d', e: 'éA\t', z: '😀',
    });
    expect(parseLabelSet('{}')).toEqual({});
  });

  it('returns null for malformed sets and never alters prototypes', () => {
    expect(parseLabelSet('{"a":"b"')).toBeNull();
    expect(parseLabelSet('{"a" "b"}')).toBeNull();
    expect(parseLabelSet(String.raw`{"a":"\q"}`)).toBeNull();
    expect(parseLabelSet(String.raw`{"a":"\UFFFFFFFF"}`)).toEqual({ a: '\ufffd' });
    const labels = parseLabelSet('{"__proto__":"x"}');
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
    expect(labels && Object.keys(labels)).toEqual(['__proto__']);
  });
});

describe('parseGoroutineDebug2 on the real capture', () => {
  const dump: GoroutineDump = unwrap(parseGoroutineDebug2(readFixture('goroutine.debug2.txt')));
  const byId = new Map(dump.goroutines.map((g) => [g.id, g]));

  it('reads all 83 goroutines, complete', () => {
    expect(dump.goroutines).toHaveLength(83);
    expect(dump.truncated).toBe(false);
  });

  it('reads states and wait minutes', () => {
    const states: Record<string, number> = {};
    for (const g of dump.goroutines) states[g.state] = (states[g.state] ?? 0) + 1;
    expect(states).toEqual({
      running: 1, 'IO wait': 2, 'chan receive': 71, sleep: 5, semacquire: 2, 'sync.Cond.Wait': 1, select: 1,
    });
    expect(byId.get(171)).toMatchObject({ state: 'running', waitMinutes: null, lockedToThread: false });
    expect(byId.get(1)).toMatchObject({ state: 'IO wait', waitMinutes: null, createdBy: null });
    expect(byId.get(19)).toMatchObject({ state: 'chan receive', waitMinutes: 1, lockedToThread: false });
    expect(dump.goroutines.filter((g) => g.waitMinutes === 1)).toHaveLength(80);
  });

  it('reads `locked to thread` inside the brackets', () => {
    expect(dump.goroutines.filter((g) => g.lockedToThread).map((g) => g.id)).toEqual([74]);
    expect(byId.get(74)).toMatchObject({
      state: 'chan receive',
      waitMinutes: 1,
      frames: [{ func: 'main.lockedThread.func1', args: '', file: '/src/capture/main.go', line: 81 }],
      createdBy: { func: 'main.lockedThread', file: '/src/capture/main.go', line: 79, parentId: null },
    });
  });

  it('reads frames: args, receivers, inlined `(...)` frames without offsets', () => {
    const first = byId.get(171)!;
    expect(first.frames[0]).toEqual({
      func: 'runtime/pprof.writeGoroutineStacks',
      args: '{0x77d6a0, 0xc00044e460}',
      file: '/usr/lib/go-1.19/src/runtime/pprof/pprof.go',
      line: 692,
    });
    expect(first.frames).toHaveLength(9);
    expect(first.createdBy).toEqual({
      func: 'net/http.(*Server).Serve', file: '/usr/lib/go-1.19/src/net/http/server.go', line: 3102, parentId: null,
    });
    expect(byId.get(75)!.frames.map((f) => [f.func, f.args, f.line])).toEqual([
      ['sync.runtime_SemacquireMutex', '0x0?, 0x0?, 0x0?', 77],
      ['sync.(*Mutex).lockSlow', '0x956a68', 171],
      ['sync.(*Mutex).Lock', '...', 90],
      ['main.mutexWaiter.func1', '', 88],
    ]);
    expect(byId.get(1)!.frames.at(-1)).toEqual({ func: 'main.main', args: '', file: '/src/capture/main.go', line: 246 });
  });
});

describe('parseGoroutineDebug2 grammar variants (newer Go, GOTRACEBACK)', () => {
  it('reads Go 1.21 `created by X in goroutine N`, `(scan)` and elision markers', () => {
    const text = [
      'goroutine 42 [chan send (scan), 3 minutes]:',
      'main.producer[...](0xc000010000, {0x1, 0x2})',
      '\t/home/me/my project/main.go:12 +0x1d',
      '...additional frames elided...',
      'created by main.start in goroutine 1',
      '\t/home/me/my project/main.go:30 +0x45',
      '',
      'goroutine 43 [running]:',
      '\tgoroutine running on other thread; stack unavailable',
      'goroutine running on other thread; stack unavailable',
      'created by main.start in goroutine 42',
      '\t/x/main.go:31 +0x45',
      '',
    ].join('\n');
    const dump = unwrap(parseGoroutineDebug2(text));
    expect(dump.truncated).toBe(false);
    expect(dump.goroutines[0]).toMatchObject({
      id: 42,
      state: 'chan send',
      scan: true,
      waitMinutes: 3,
      framesElided: true,
      frames: [{ func: 'main.producer[...]', args: '0xc000010000, {0x1, 0x2}', file: '/home/me/my project/main.go', line: 12 }],
      createdBy: { func: 'main.start', file: '/home/me/my project/main.go', line: 30, parentId: 1 },
    });
    expect(dump.goroutines[1]).toMatchObject({ id: 43, stackUnavailable: true, frames: [], createdBy: { parentId: 42 } });
  });

  it('reads system-traceback headers and frame lines with fp/sp/pc', () => {
    const text = [
      'goroutine 2 gp=0xc000006c40 m=nil [force gc (idle), 5 minutes]:',
      'runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)',
      '\t/usr/local/go/src/runtime/proc.go:402 +0xce fp=0xc000070fa8 sp=0xc000070f88 pc=0x43e6ae',
      'runtime.goexit({})',
      '\tC:/go/src/runtime/asm_amd64.s:1695 +0x1 fp=0xc000070fe8 sp=0xc000070fe0 pc=0x46e8a1',
      '',
    ].join('\n');
    const [g] = unwrap(parseGoroutineDebug2(text)).goroutines;
    expect(g).toMatchObject({ id: 2, state: 'force gc (idle)', waitMinutes: 5 });
    expect(g!.frames.map((f) => [f.file, f.line])).toEqual([
      ['/usr/local/go/src/runtime/proc.go', 402],
      ['C:/go/src/runtime/asm_amd64.s', 1695],
    ]);
  });

  it('reads labels in the header (Go 1.26 tracebacklabels), even with `]` inside', () => {
    expect(parseGoroutineHeader('goroutine 8 [running labels:{"foobar": "baz"}]:')).toMatchObject({
      id: 8, state: 'running', labels: { foobar: 'baz' },
    });
    expect(parseGoroutineHeader('goroutine 9 [select, 2 minutes, locked to thread, labels:{"k": "a]:b"}]:')).toMatchObject({
      id: 9, state: 'select', waitMinutes: 2, lockedToThread: true, labels: { k: 'a]:b' },
    });
    expect(parseGoroutineHeader('goroutine 10 [sleep, synctest group 4]:')).toMatchObject({ state: 'sleep', labels: null });
    expect(parseGoroutineHeader('goroutine 11 [chan receive (nil chan)]:')).toMatchObject({ state: 'chan receive (nil chan)', scan: false });
    expect(parseGoroutineHeader('goroutine x [running]:')).toBeNull();
    expect(parseGoroutineHeader('goroutine 12[running]:')).toBeNull();
  });

  it('flags a body cut mid-line or mid-frame as truncated, keeping what was read', () => {
    const text = readFixture('goroutine.debug2.txt');
    const midLine = unwrap(parseGoroutineDebug2(text.slice(0, text.indexOf('main.mutexWaiter.func3()') + 8)));
    expect(midLine.truncated).toBe(true);
    expect(midLine.goroutines.at(-1)?.id).toBe(77);
    const afterFunctionLine = text.slice(0, text.indexOf('main.mutexWaiter.func3()') + 'main.mutexWaiter.func3()\n'.length);
    const pending = unwrap(parseGoroutineDebug2(afterFunctionLine));
    expect(pending.truncated).toBe(true);
    expect(pending.goroutines.at(-1)?.frames.at(-1)).toMatchObject({ func: 'main.mutexWaiter.func3', file: '', line: 0 });
  });

  it('fails without any goroutine header', () => {
    for (const input of ['', 'hello\nworld\n', readFixture('goroutine.debug1.txt')]) {
      const result = parseGoroutineDebug2(input);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatch(/^(empty|not a goroutine\?debug=2 dump)/);
    }
  });
});
