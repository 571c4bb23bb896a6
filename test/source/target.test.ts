import { isLivepprofError } from '../../src/errors.js';
import { describe, expect, it } from 'vitest';
import { describeTarget, parseTarget } from '../../src/source/target.js';

describe('parseTarget', () => {
  const cases: Array<[string, string, string]> = [
    ['127.0.0.1:6060', 'http://127.0.0.1:6060/debug/pprof/', 'http://127.0.0.1:6060'],
    ['6060', 'http://127.0.0.1:6060/debug/pprof/', 'http://127.0.0.1:6060'],
    [':6060', 'http://127.0.0.1:6060/debug/pprof/', 'http://127.0.0.1:6060'],
    ['localhost:8080', 'http://localhost:8080/debug/pprof/', 'http://localhost:8080'],
    ['http://127.0.0.1:6060', 'http://127.0.0.1:6060/debug/pprof/', 'http://127.0.0.1:6060'],
    ['http://127.0.0.1:6060/debug/pprof/', 'http://127.0.0.1:6060/debug/pprof/', 'http://127.0.0.1:6060'],
    ['http://127.0.0.1:6060/debug/pprof/heap', 'http://127.0.0.1:6060/debug/pprof/', 'http://127.0.0.1:6060'],
    ['http://127.0.0.1:6060/debug/pprof/heap?gc=1', 'http://127.0.0.1:6060/debug/pprof/', 'http://127.0.0.1:6060'],
    ['https://svc.internal:8443/admin/pprof', 'https://svc.internal:8443/admin/pprof/', 'https://svc.internal:8443'],
    ['[::1]:6060', 'http://[::1]:6060/debug/pprof/', 'http://[::1]:6060'],
  ];
  for (const [input, base, origin] of cases) {
    it(input, () => {
      const t = parseTarget(input);
      expect(t.pprofBase).toBe(base);
      expect(t.origin).toBe(origin);
    });
  }
  it('knows host and port', () => {
    const t = parseTarget('[::1]:6060');
    expect(t.hostname).toBe('::1');
    expect(t.port).toBe(6060);
    expect(parseTarget('https://example.com').port).toBe(443);
  });
  it('describes a target briefly', () => {
    expect(describeTarget(parseTarget('127.0.0.1:6060'))).toBe('127.0.0.1:6060');
    expect(describeTarget(parseTarget('http://h:1/admin/pprof/'))).toBe('h:1/admin/pprof');
  });
  it('rejects what is not a target with a usage error', () => {
    expect(() => parseTarget('')).toThrow(/empty/);
    expect(() => parseTarget('ftp://x:1')).toThrow(/http/);
    expect(() => parseTarget('http://[bad')).toThrow(/cannot read target/);
  });
  it('refuses credentials in the URL, pointing at --header @FILE, without repeating them', () => {
    for (const input of ['http://admin:hunter2@127.0.0.1:6060/', 'https://admin@h:1/debug/pprof/', 'http://:hunter2@h:1']) {
      let err: unknown;
      try {
        parseTarget(input);
      } catch (e) {
        err = e;
      }
      expect(isLivepprofError(err) && err.kind).toBe('usage');
      expect((err as Error).message).toMatch(/--header @FILE/);
      expect((err as Error).message).not.toMatch(/hunter2|admin/);
    }
  });
});
