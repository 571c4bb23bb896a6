/**
 * Property-style robustness test for every text parser: thousands of seeded mutations of the real
 * captures (byte flips, truncation, line duplication/deletion/swaps, repeated chunks), plus
 * hand-made inputs aimed at regex backtracking. Properties: never throws, ParseResult errors are
 * one-line strings, and the adversarial inputs are so long that a parser that backtracks (or is
 * otherwise quadratic) would run for hours: the test timeout catches it, where a per-call
 * wall-clock limit would flake on a loaded machine.
 */
import { describe, it, expect } from 'vitest';
import {
  parseExpvar,
  parseHeapDebug1MemStats,
  tryParseHeapDebug1MemStats,
} from '../../src/profile/memstats.js';
import { parseHeapDebug1Profile } from '../../src/profile/legacy-heap.js';
import { parseGoroutineDebug1, parseGoroutineDebug2 } from '../../src/profile/goroutine-text.js';
import {
  parseProcNetTcp,
  parseProcStatStartTime,
  parseProcStatus,
  parseSmapsRollup,
} from '../../src/source/parse-proc.js';
import { extractGoProcessMetrics, parsePrometheusText } from '../../src/source/parse-prometheus.js';
import { parseCmdline, parsePprofIndex } from '../../src/source/parse-index.js';
import { CLIENT_GOLANG_METRICS } from './client-golang-sample.js';
import { readFixture } from './go119-fixtures.js';
import { seededRandom, type Random } from '../helpers/random.js';

const MUTATIONS_PER_TARGET = 2000;


/** Characters and fragments that are meaningful to at least one of the grammars. */
const TOKENS = [
  '\n', '\t', ' ', ':', '[', ']', '{', '}', '"', '\\', '(', ')', '#', '@', '=', ',', '.', '-', '+', '/',
  '0', '9', 'x', 'é', '\0', '\r', '\u2028', '0x', ']:', ' minutes', '# ', 'goroutine ', 'created by ',
  ' / ', ' kB', '&amp;', '<tr>', 'NaN', '+Inf', '\\"', 'labels:{', '...', ' @ ',
];

const pick = <T,>(rnd: Random, list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
const position = (rnd: Random, text: string): number => Math.floor(rnd() * (text.length + 1));

function withLines(text: string, edit: (lines: string[], rnd: Random) => void, rnd: Random): string {
  const lines = text.split('\n');
  edit(lines, rnd);
  return lines.join('\n');
}

const MUTATIONS: Array<(text: string, rnd: Random) => string> = [
  // byte flip
  (t, r) => { const at = Math.floor(r() * t.length); return t.slice(0, at) + pick(r, TOKENS) + t.slice(at + 1); },
  // truncation
  (t, r) => t.slice(0, position(r, t)),
  // insertion
  (t, r) => { const at = position(r, t); return t.slice(0, at) + pick(r, TOKENS) + t.slice(at); },
  // deletion of a range
  (t, r) => { const at = position(r, t); return t.slice(0, at) + t.slice(at + 1 + Math.floor(r() * 64)); },
  // line duplication (sometimes many times)
  (t, r) => withLines(t, (lines, rr) => {
    const i = Math.floor(rr() * lines.length);
    lines.splice(i, 0, ...Array<string>(1 + Math.floor(rr() * (rr() < 0.1 ? 200 : 3))).fill(lines[i]!));
  }, r),
  // line deletion
  (t, r) => withLines(t, (lines, rr) => { lines.splice(Math.floor(rr() * lines.length), 1); }, r),
  // line swap
  (t, r) => withLines(t, (lines, rr) => {
    const i = Math.floor(rr() * lines.length);
    const j = Math.floor(rr() * lines.length);
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
  }, r),
  // a short chunk repeated many times in place: long runs stress regexes
  (t, r) => {
    const at = position(r, t);
    const chunk = t.slice(at, at + 1 + Math.floor(r() * 12)) || pick(r, TOKENS);
    return t.slice(0, at) + chunk.repeat(50 + Math.floor(r() * 2000)) + t.slice(at);
  },
];

function mutate(text: string, rnd: Random): string {
  let out = text;
  const count = 1 + Math.floor(rnd() * 3);
  for (let i = 0; i < count; i++) out = pick(rnd, MUTATIONS)(out, rnd);
  return out;
}

/** When the output is a ParseResult, its error must be a non-empty single line. */
function checkParseResultShape(output: unknown): void {
  if (typeof output !== 'object' || output === null || !('ok' in output)) return;
  const result = output as { ok: unknown; error?: unknown; value?: unknown };
  if (result.ok === false) {
    expect(typeof result.error).toBe('string');
    expect((result.error as string).length).toBeGreaterThan(0);
    expect(result.error as string).not.toMatch(/[\r\n]/);
  } else {
    expect(result.ok).toBe(true);
    expect('value' in result).toBe(true);
  }
}

interface Target {
  name: string;
  inputs: string[];
  run: (text: string) => unknown;
}

const TCP6_SAMPLE = [
  '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  '   0: 00000000000000000000000001000000:17AC 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 41234 1 0000000000000000 100 0 0 10 0',
  '   1: 0000000000000000FFFF00000100007F:17AC 0000000000000000FFFF00000100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 41236 1 0000000000000000 20 4 30 10 -1',
].join('\n');
const STAT_SAMPLE = '21360 (capture demo)) S 1 21360 21356 0 -1 4194560 3310 0 0 0 12 4 0 0 20 0 6 0 987654 1114484736 6143 18446744073709551615\n';

const TARGETS: Target[] = [
  {
    name: 'parseHeapDebug1MemStats',
    inputs: ['heap.debug1.txt', 'heap-gc1.debug1.txt', 'allocs.debug1.txt', 'heap-after-freeosmemory.debug1.txt'].map(readFixture),
    run: (text) => {
      const stats = parseHeapDebug1MemStats(text);
      if (stats) expect(Number.isFinite(stats.HeapAlloc)).toBe(true);
      return tryParseHeapDebug1MemStats(text);
    },
  },
  { name: 'parseExpvar', inputs: [readFixture('vars.json')], run: parseExpvar },
  {
    name: 'parseGoroutineDebug1',
    inputs: ['goroutine.debug1.txt', 'goroutine.after1min.debug1.txt', 'threadcreate.debug1.txt'].map(readFixture),
    run: parseGoroutineDebug1,
  },
  {
    name: 'parseGoroutineDebug2',
    inputs: [readFixture('goroutine.debug2.txt')],
    run: parseGoroutineDebug2,
  },
  {
    name: 'parseProcStatus',
    inputs: ['proc/status.default.0-start.txt', 'proc/status.madvfree.3-after-free.txt'].map(readFixture),
    run: parseProcStatus,
  },
  {
    name: 'parseSmapsRollup',
    inputs: ['proc/smaps_rollup.madvfree.3-after-free.txt', 'proc/smaps_rollup.default.0-start.txt'].map(readFixture),
    run: parseSmapsRollup,
  },
  { name: 'parseProcNetTcp(4)', inputs: [readFixture('proc/net-tcp.txt')], run: (text) => parseProcNetTcp(text, 4) },
  { name: 'parseProcNetTcp(6)', inputs: [TCP6_SAMPLE], run: (text) => parseProcNetTcp(text, 6) },
  { name: 'parseProcStatStartTime', inputs: [STAT_SAMPLE], run: parseProcStatStartTime },
  {
    name: 'parsePrometheusText + extractGoProcessMetrics',
    inputs: [CLIENT_GOLANG_METRICS],
    run: (text) => extractGoProcessMetrics(parsePrometheusText(text)),
  },
  { name: 'parsePprofIndex', inputs: [readFixture('index.html')], run: parsePprofIndex },
  {
    name: 'parseCmdline',
    inputs: [readFixture('cmdline.bin')],
    run: (text) => [parseCmdline(text), parseCmdline(new TextEncoder().encode(text))],
  },
];

describe('parsers survive mutated real inputs', () => {
  TARGETS.forEach((target, index) => {
    it(`${target.name}: ${MUTATIONS_PER_TARGET} seeded mutations, no throw`, () => {
      const rnd = seededRandom(0x5eed + index);
      for (let i = 0; i < MUTATIONS_PER_TARGET; i++) {
        const input = mutate(target.inputs[i % target.inputs.length]!, rnd);
        let output: unknown;
        try {
          output = target.run(input);
        } catch (err) {
          throw new Error(`${target.name} threw on mutation #${i} (seed ${0x5eed + index}): ${String(err)}\ninput head: ${JSON.stringify(input.slice(0, 200))}`);
        }
        checkParseResultShape(output);
      }
    });
  });
});

describe('parsers stay linear on inputs built to make regexes backtrack', () => {
  /** Linear: milliseconds. Quadratic: 10^12 steps, hours — far past the test timeout. */
  const N = 1_000_000;
  const adversarial: Array<[string, () => unknown]> = [
    ['debug1 group header of many PCs', () => parseGoroutineDebug1(`goroutine profile: total 1\n1 @${' 0x1'.repeat(N)}x\n`)],
    ['debug1 group header of 0x runs', () => parseGoroutineDebug1(`goroutine profile: total 1\n1 @ ${'0x'.repeat(N)}\n`)],
    ['debug1 frame of tabs', () => parseGoroutineDebug1(`goroutine profile: total 1\n1 @ 0x1\n#${'\t'.repeat(N)}x\n`)],
    ['debug1 long label set', () => parseGoroutineDebug1(`goroutine profile: total 1\n1 @ 0x1\n# labels: {${'"a":"b", '.repeat(N / 8)}\n`)],
    ['debug2 header of separators', () => parseGoroutineDebug2(`goroutine 1 [${', '.repeat(N)}]:\n`)],
    ['debug2 header of separators then text', () => parseGoroutineDebug2(`goroutine 1 [${', '.repeat(N)}x]:\n`)],
    ['debug2 header of label openings', () => parseGoroutineDebug2(`goroutine 1 [x ${'labels:{"'.repeat(N / 8)}]:\n`)],
    ['debug2 header of brackets', () => parseGoroutineDebug2(`goroutine 1 ${' ['.repeat(N)}]:\n`)],
    ['debug2 function line of parens', () => parseGoroutineDebug2(`goroutine 1 [x]:\nf${'('.repeat(N)})\n`)],
    ['debug2 location of offsets', () => parseGoroutineDebug2(`goroutine 1 [x]:\nf()\n\t/a.go:1${' +0x1'.repeat(N / 5)}\n`)],
    ['debug2 location of colons', () => parseGoroutineDebug2(`goroutine 1 [x]:\nf()\n\t${':1'.repeat(N)} x\n`)],
    ['debug2 many goroutine lines', () => parseGoroutineDebug2('goroutine 1 [x]:\n'.repeat(N / 2))],
    ['heap header of digits', () => parseHeapDebug1Profile(`heap profile: ${'1'.repeat(N)}: 1 [1: 1] @ heap/x`)],
    ['MemStats long PauseNs', () => parseHeapDebug1MemStats(`# runtime.MemStats\n# PauseNs = [${'1 '.repeat(N)}x`)],
    ['MemStats float of digits', () => parseHeapDebug1MemStats(`# runtime.MemStats\n# GCCPUFraction = ${'1'.repeat(N)}x\n`)],
    ['MemStats many markers', () => parseHeapDebug1MemStats('x# runtime.MemStats'.repeat(N / 10))],
    ['prometheus many labels', () => parsePrometheusText(`a{${'b="c",'.repeat(N / 6)}`)],
    ['prometheus escaped quotes', () => parsePrometheusText(`a{b="${'\\"'.repeat(N)}`)],
    ['prometheus float of digits', () => parsePrometheusText(`a ${'1'.repeat(N)}e`)],
    ['index row of digits', () => parsePprofIndex(`<tr><td>${'1'.repeat(N)}`)],
    ['index unterminated href', () => parsePprofIndex(`<tr><td>1</td><td><a href='${'x'.repeat(N)}`)],
    ['index many row openings', () => parsePprofIndex(`<tr>${' '.repeat(50)}`.repeat(N / 50))],
    ['index entity soup', () => parsePprofIndex(`<tr><td>1</td><td><a href='x'>${'&#'.repeat(N)}</a></td></tr>`)],
    ['proc status spaces', () => parseProcStatus(`VmRSS:${' '.repeat(N)}x kB\n`)],
    ['smaps spaces', () => parseSmapsRollup(`Rss:${' '.repeat(N)}1 kBx\n`)],
    ['net/tcp whitespace', () => parseProcNetTcp(`${' '.repeat(N)}0: ${'0'.repeat(N)}\n`, 6)],
    ['stat parens', () => parseProcStatStartTime(`${'('.repeat(N)}${')'.repeat(N)}`)],
  ];

  it.each(adversarial)('%s', (_name, run) => {
    expect(run).not.toThrow();
  });

  it('parses a 5 MB goroutine dump, every goroutine of it', () => {
    const dump = readFixture('goroutine.debug2.txt');
    const body = dump.repeat(Math.ceil(5e6 / dump.length));
    const result = parseGoroutineDebug2(body);
    expect(result.ok && result.value.goroutines.length).toBe(83 * Math.ceil(5e6 / dump.length));
  });
});
