// pprof's filters are RE2: the forms JavaScript would read differently are translated, and what
// cannot be is a usage error, never a silent mismatch.
import { describe, expect, it } from 'vitest';
import { compileGoRegexp } from '../../src/analysis/regex.js';

const re = (s: string) => compileGoRegexp(s, 'focus');

describe('compileGoRegexp', () => {
  it('plain patterns and leading inline flags', () => {
    expect(re('Cache').test('main.(*Cache).Put')).toBe(true);
    expect(re('(?i)cache').test('main.(*Cache).Put')).toBe(true);
    expect(re('^net/http').test('net/http.(*conn).serve')).toBe(true);
  });

  it('\\A and \\z anchor at the ends of the text (JavaScript would read A and z)', () => {
    expect(re('retainSmall\\z').test('main.retainSmall')).toBe(true);
    expect(re('retainSmall\\z').test('main.retainSmallz')).toBe(false);
    expect(re('\\Aruntime').test('runtime.malg')).toBe(true);
    expect(re('\\Aruntime').test('Aruntime.x')).toBe(false);
  });

  it('POSIX classes inside brackets', () => {
    expect(re('main\\.[[:lower:]]').test('main.retainSmall')).toBe(true);
    expect(re('main\\.[[:lower:]]').test('main.RetainSmall')).toBe(false);
    expect(re('^[[:upper:][:digit:]_]+$').test('GOMAXPROCS_2')).toBe(true);
  });

  it('Unicode classes, \\Q…\\E literals, (?P<name>) groups and escaped punctuation', () => {
    expect(re('\\pL+\\.\\p{Lu}').test('main.Über')).toBe(true);
    expect(re('\\p{Greek}').test('μ')).toBe(true);
    expect(re('\\Q(*Cache).Put\\E').test('main.(*Cache).Put')).toBe(true);
    expect(re('(?P<pkg>main)\\.').exec('main.f')?.groups?.pkg).toBe('main');
    // Escapes RE2 accepts but JavaScript's u mode would not, next to a \p class.
    expect(re('\\pL\\_\\#').test('a_#')).toBe(true);
  });

  it('what cannot be translated is a one-line usage error naming the regexp', () => {
    for (const bad of ['(', '[[:^alpha:]]', '[[:nope:]]', 'x\\']) {
      expect(() => re(bad)).toThrow(/^invalid focus regexp /);
    }
  });
});
