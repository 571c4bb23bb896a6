// `top`'s Time line names the zone as Go does, from the tzdata files Go reads (real files of
// this machine), and matches `go tool pprof` in zones where the Intl API only says "GMT+1".
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abbreviationAt, localZoneAbbreviation, parseTzif } from '../../src/source/local-zone.js';
import { requireTool } from '../helpers/require-tool.js';
import { CLI, GO119 } from '../helpers/paths.js';

const ZONEINFO = '/usr/share/zoneinfo';

const zone = (name: string) => parseTzif(new Uint8Array(readFileSync(join(ZONEINFO, name))))!;
const at = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d, 12);

describe.skipIf(!requireTool('tzdata', 'the tzdata abbreviation tests'))('tzdata abbreviations', () => {
  it('reads transitions: CET in winter, CEST in summer, and names zones Intl cannot', () => {
    expect(abbreviationAt(zone('Europe/Berlin'), at(2026, 11, 26))).toBe('CET');
    expect(abbreviationAt(zone('Europe/Berlin'), at(2026, 7, 1))).toBe('CEST');
    expect(abbreviationAt(zone('Asia/Kolkata'), at(2026, 11, 26))).toBe('IST');
    expect(abbreviationAt(zone('America/Sao_Paulo'), at(2026, 11, 26))).toBe('-03');
    expect(abbreviationAt(zone('Europe/Moscow'), at(2026, 11, 26))).toBe('MSK');
  });

  it('past the last transition, a rule without daylight saving names the zone', () => {
    expect(abbreviationAt(zone('Asia/Shanghai'), at(2100, 1, 1))).toBe('CST');
  });

  it('follows $TZ as Go does: unset → /etc/localtime, empty or unknown → UTC', () => {
    expect(localZoneAbbreviation(at(2026, 11, 26), { TZ: 'Asia/Tokyo' })).toBe('JST');
    expect(localZoneAbbreviation(at(2026, 11, 26), { TZ: '' })).toBe('UTC');
    expect(localZoneAbbreviation(at(2026, 11, 26), { TZ: 'Nowhere/Land' })).toBe('UTC');
    expect(localZoneAbbreviation(at(2026, 11, 26), { TZ: ':Europe/Berlin' })).toBe('CET');
  });

  it('is not fooled by a file that is not TZif', () => {
    expect(parseTzif(new TextEncoder().encode('not a zone file at all, but long enough to have a header of 44 bytes'))).toBeNull();
  });
});

describe.skipIf(!requireTool(['tzdata', 'go'], 'the Time line against go tool pprof'))('the Time line of top, as go tool pprof prints it', () => {
  for (const tz of ['Europe/Berlin', 'Asia/Kolkata', 'America/Sao_Paulo', 'Asia/Kathmandu']) {
    it(tz, () => {
      const file = join(GO119, 'heap.pb.gz');
      const env = { ...process.env, TZ: tz };
      const timeLine = (out: string) => out.split('\n').find((l) => l.startsWith('Time: '));
      const want = timeLine(execFileSync('go', ['tool', 'pprof', '-top', file], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
      const got = timeLine(execFileSync(process.execPath, [CLI, 'top', file], { env, encoding: 'utf8' }));
      expect(want).toMatch(/^Time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d (CET|IST|-03|\+0545)$/);
      expect(got).toBe(want);
    });
  }
});
