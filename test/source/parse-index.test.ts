import { describe, it, expect } from 'vitest';
import { parseCmdline, parsePprofIndex, unescapeHtml } from '../../src/source/parse-index.js';
import { readFixture, readFixtureBytes } from './go119-fixtures.js';

describe('parsePprofIndex', () => {
  it('reads every row of index.html with counts and links', () => {
    const result = parsePprofIndex(readFixture('index.html'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.map((e) => [e.name, e.count])).toEqual([
      ['allocs', 4], ['block', 4], ['cmdline', 0], ['goroutine', 63], ['heap', 4],
      ['mutex', 1], ['profile', 0], ['threadcreate', 7], ['trace', 0],
    ]);
    expect(result.value.find((e) => e.name === 'goroutine')?.href).toBe('goroutine?debug=1');
    // The "full goroutine stack dump" link is not a table row.
    expect(result.value.some((e) => e.href.includes('debug=2'))).toBe(false);
  });

  it('unescapes custom profile names and hrefs, and tolerates newer markup', () => {
    const html = [
      '<p>Set debug=1 as a query parameter to export in legacy text format</p>',
      '<table><thead><td>Count</td><td>Profile</td></thead>',
      "<tr><td>2</td><td><a href='my%2Fcache.entries?debug=1&amp;x=1'>my/cache.entries &lt;v2&gt; &amp; co&#39;s &#x263A;</a></td></tr>",
      '<tr>\n  <td>5</td>\n  <td><a href="goroutine?debug=1">goroutine</a></td>\n</tr>',
      '</table>',
    ].join('\n');
    const result = parsePprofIndex(html);
    expect(result).toEqual({
      ok: true,
      value: [
        { name: "my/cache.entries <v2> & co's ☺", count: 2, href: 'my%2Fcache.entries?debug=1&x=1' },
        { name: 'goroutine', count: 5, href: 'goroutine?debug=1' },
      ],
    });
  });

  it('classifies pages that are not the pprof index', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /empty response/],
      ['404 page not found\n', /not HTML/],
      [readFixture('vars.json'), /not HTML/],
      ['<html><body><h1>Login</h1></body></html>', /without pprof profile rows/],
      [readFixture('index.html').replace(/<tr><td>\d+/g, '<tr><td>x'), /without pprof profile rows/],
    ];
    for (const [input, reason] of cases) {
      const result = parsePprofIndex(input);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error).toMatch(reason);
        expect(result.error).not.toMatch(/\n/);
      }
    }
  });

  it('unescapeHtml leaves unknown entities and rejects out-of-range code points', () => {
    expect(unescapeHtml('&nbsp;&amp;&#34;&#0;&#x110000;&toString;')).toBe('&nbsp;&"\ufffd\ufffd&toString;');
  });
});

describe('parseCmdline', () => {
  it('splits the real cmdline.bin on NUL', () => {
    expect(parseCmdline(readFixtureBytes('cmdline.bin'))).toEqual(['/src/bin/capturedemo', '-addr', '127.0.0.1:6060']);
    expect(parseCmdline(readFixture('cmdline.bin'))).toEqual(['/src/bin/capturedemo', '-addr', '127.0.0.1:6060']);
  });

  it('handles empty input, a trailing NUL, empty arguments and UTF-8', () => {
    expect(parseCmdline('')).toEqual([]);
    expect(parseCmdline(new Uint8Array())).toEqual([]);
    expect(parseCmdline('/bin/x\0')).toEqual(['/bin/x']);
    expect(parseCmdline('/bin/x\0\0-v')).toEqual(['/bin/x', '', '-v']);
    expect(parseCmdline(new TextEncoder().encode('/bin/zürich\0-name=日本'))).toEqual(['/bin/zürich', '-name=日本']);
  });
});
