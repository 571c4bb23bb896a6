// The Go runtime's knobs read from a real process's environment: only GOGC, GOMEMLIMIT and
// GODEBUG ever leave the fetcher (the environment holds secrets), and they parse as the runtime
// reads them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveFetcher, goEnvironOnly } from '../../src/source/fetcher.js';
import { parseByteCount, parseGoEnv, parseMemAvailable } from '../../src/source/parse-go-env.js';
import { parseTarget } from '../../src/source/target.js';
import { startTarget, type Target } from '../helpers/go-target.js';
import { requireTool } from '../helpers/require-tool.js';
import { readFileSync } from 'node:fs';

const enc = new TextEncoder();
const dec = new TextDecoder();

describe('parseGoEnv', () => {
  it('reads GOGC, GOMEMLIMIT (with its units) and GODEBUG as the runtime does', () => {
    expect(parseGoEnv('GOGC=400\0GOMEMLIMIT=512MiB\0GODEBUG=madvdontneed=0,gctrace=1')).toEqual({
      gogc: 400,
      memoryLimit: 512 * 2 ** 20,
      memoryLimitSet: true,
      godebug: 'madvdontneed=0,gctrace=1',
    });
    expect(parseGoEnv('GOGC=off\0GOMEMLIMIT=off')).toMatchObject({ gogc: -1, memoryLimit: null, memoryLimitSet: true });
    expect(parseGoEnv('')).toEqual({ gogc: null, memoryLimit: null, memoryLimitSet: false, godebug: null });
    expect(parseGoEnv('GOGC=lots')).toMatchObject({ gogc: null });
    expect([parseByteCount('1GiB'), parseByteCount('100'), parseByteCount('2KiB'), parseByteCount('1.5GiB'), parseByteCount('1GB')]).toEqual([
      2 ** 30, 100, 2048, null, null,
    ]);
  });

  it('keeps nothing but the Go keys of an environment block', () => {
    const block = enc.encode('PATH=/bin\0GOGC=50\0AWS_SECRET_ACCESS_KEY=hunter2\0GODEBUG=x=1\0GOGCX=1\0');
    expect(dec.decode(goEnvironOnly(block))).toBe('GOGC=50\0GODEBUG=x=1');
  });

  it('reads MemAvailable from this host', () => {
    const available = parseMemAvailable(readFileSync('/proc/meminfo', 'utf8'));
    expect(available).toBeGreaterThan(0);
  });
});

describe.skipIf(!requireTool('go', 'the environment of a live Go process'))('a real Go process\'s environment through the fetcher', () => {
  let t: Target;
  beforeAll(async () => {
    t = await startTarget({ env: { GOGC: '300', GOMEMLIMIT: '1GiB', LIVEPPROF_TEST_SECRET: 's3cr3t-value' } });
  });
  afterAll(() => t?.stop());

  it('hands out GOGC and GOMEMLIMIT, never the secret next to them', async () => {
    const f = new LiveFetcher(parseTarget(t.url), { http: {}, pid: t.pid });
    try {
      const bytes = await f.fetch(1, 'proc-environ', t.pid);
      expect(dec.decode(bytes)).not.toContain('s3cr3t-value');
      expect(parseGoEnv(dec.decode(bytes))).toMatchObject({ gogc: 300, memoryLimit: 2 ** 30 });
    } finally {
      await f.close();
    }
  });
});
