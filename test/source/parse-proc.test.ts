import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import {
  parseBootTime,
  parseConntrack,
  parseProcNetTcp,
  parseProcStatStartTime,
  parseProcStatus,
  parseSmapsRollup,
} from '../../src/source/parse-proc.js';
import { readFixture } from './go119-fixtures.js';

const KiB = 1024;
const RUNS = ['default', 'madvfree'] as const;
const PHASES = ['0-start', '1-after-churn', '2-after-5s', '3-after-free', '4-after-mmap64'] as const;

/**
 * proc/memory-phases.txt summarises each phase as `Key: N kB` pairs taken from status and
 * smaps_rollup at capture time: an independent record to check the per-file parses against.
 */
function memoryPhaseSummaries(): Map<string, { status: Record<string, number>; smaps: Record<string, number> }> {
  const summaries = new Map<string, { status: Record<string, number>; smaps: Record<string, number> }>();
  let run = '';
  for (const line of readFixture('proc/memory-phases.txt').split('\n')) {
    const runHeader = /^## run=(\w+)/.exec(line);
    if (runHeader) run = runHeader[1]!;
    const columns = line.split(' | ');
    if (columns.length !== 4) continue;
    const kib = (column: string) =>
      Object.fromEntries([...column.matchAll(/(\w+): (\d+) kB/g)].map((m) => [m[1]!, Number(m[2]) * KiB]));
    summaries.set(`${run}.${columns[0]}`, { status: kib(columns[2]!), smaps: kib(columns[3]!) });
  }
  return summaries;
}

describe('parseProcStatus', () => {
  it('reads status.default.0-start.txt in bytes', () => {
    expect(parseProcStatus(readFixture('proc/status.default.0-start.txt'))).toEqual({
      name: 'capturedemo',
      state: 'S',
      pid: 21360,
      ppid: 21358,
      threads: 6,
      vmPeak: 1088364 * KiB,
      vmSize: 1088364 * KiB,
      vmHWM: 24572 * KiB,
      vmRSS: 24572 * KiB,
      rssAnon: 19084 * KiB,
      rssFile: 5488 * KiB,
      rssShmem: 0,
      vmData: 105928 * KiB,
      vmStk: 132 * KiB,
      vmSwap: 0,
    });
  });

  it('agrees with memory-phases.txt for every run and phase, and VmRSS = RssAnon + RssFile + RssShmem', () => {
    const summaries = memoryPhaseSummaries();
    for (const run of RUNS) {
      for (const phase of PHASES) {
        const status = parseProcStatus(readFixture(`proc/status.${run}.${phase}.txt`));
        const expected = summaries.get(`${run}.${phase}`)!.status;
        expect({ vmHWM: status.vmHWM, vmRSS: status.vmRSS, rssAnon: status.rssAnon, rssFile: status.rssFile }, `${run} ${phase}`).toEqual({
          vmHWM: expected['VmHWM'], vmRSS: expected['VmRSS'], rssAnon: expected['RssAnon'], rssFile: expected['RssFile'],
        });
        expect(status.vmRSS).toBe(status.rssAnon! + status.rssFile! + status.rssShmem!);
      }
    }
  });

  it('returns nulls for missing or garbled fields (older kernels, garbage)', () => {
    const old = parseProcStatus('Name:\tfoo\nVmRSS:\t  100 kB\nVmHWM:\tlots\nThreads:\t-1\n');
    expect(old).toMatchObject({ name: 'foo', vmRSS: 100 * KiB, vmHWM: null, rssAnon: null, threads: null, vmSwap: null });
    expect(Object.values(parseProcStatus('\u0000garbage:::\n:x\nconstructor: 1 kB\n')).every((v) => v === null)).toBe(true);
  });
});

describe('parseSmapsRollup', () => {
  it('reads LazyFree of the MADV_FREE run after FreeOSMemory (docs/formats.md#linux-proc-files)', () => {
    const madvfree = parseSmapsRollup(readFixture('proc/smaps_rollup.madvfree.3-after-free.txt'));
    expect(madvfree).toMatchObject({
      rss: 299416 * KiB, pss: 295881 * KiB, anonymous: 293252 * KiB, lazyFree: 263128 * KiB,
      privateClean: 263208 * KiB, privateDirty: 30044 * KiB, anonHugePages: 0, swap: 0, locked: 0,
    });
    expect(madvfree.anonymous! - madvfree.lazyFree!).toBe(30124 * KiB);
    const dontneed = parseSmapsRollup(readFixture('proc/smaps_rollup.default.3-after-free.txt'));
    expect(dontneed).toMatchObject({ rss: 36172 * KiB, anonymous: 30048 * KiB, lazyFree: 0 });
  });

  it('agrees with memory-phases.txt for every run and phase', () => {
    const summaries = memoryPhaseSummaries();
    for (const run of RUNS) {
      for (const phase of PHASES) {
        const smaps = parseSmapsRollup(readFixture(`proc/smaps_rollup.${run}.${phase}.txt`));
        const expected = summaries.get(`${run}.${phase}`)!.smaps;
        expect(
          { rss: smaps.rss, privateClean: smaps.privateClean, privateDirty: smaps.privateDirty, anonymous: smaps.anonymous, lazyFree: smaps.lazyFree, anonHugePages: smaps.anonHugePages },
          `${run} ${phase}`,
        ).toEqual({
          rss: expected['Rss'], privateClean: expected['Private_Clean'], privateDirty: expected['Private_Dirty'],
          anonymous: expected['Anonymous'], lazyFree: expected['LazyFree'], anonHugePages: expected['AnonHugePages'],
        });
      }
    }
  });

  it('returns null for lines a kernel does not print, ignores unknown and garbled ones', () => {
    const r = parseSmapsRollup('Rss: 8 kB\nFancyNew: 3 kB\nPss: x kB\n__proto__: 4 kB\n');
    expect(r.rss).toBe(8 * KiB);
    expect(r.pss).toBeNull();
    expect(r.lazyFree).toBeNull();
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
  });
});

describe('parseProcNetTcp', () => {
  it('finds the 127.0.0.1:6060 listener and its inode in net-tcp.txt', () => {
    const sockets = parseProcNetTcp(readFixture('proc/net-tcp.txt'), 4);
    expect(sockets).toEqual([
      { address: '127.0.0.1', port: 6060, remoteAddress: '0.0.0.0', remotePort: 0, state: 0x0a, uid: 0, inode: 30869, listening: true },
      { address: '0.0.0.0', port: 2024, remoteAddress: '0.0.0.0', remotePort: 0, state: 0x0a, uid: 0, inode: 638, listening: true },
      { address: '127.0.0.1', port: 49924, remoteAddress: '127.0.0.1', remotePort: 6060, state: 0x06, uid: 0, inode: 0, listening: false },
    ]);
  });

  it('the listener inode is the socket the demo holds (proc/fd-list.txt)', () => {
    const listener = parseProcNetTcp(readFixture('proc/net-tcp.txt'), 4).find((s) => s.listening && s.port === 6060);
    expect(readFixture('proc/fd-list.txt')).toContain(`socket:[${listener!.inode}]`);
  });

  // No tcp6 capture exists: rows written in the kernel's layout (four little-endian 32-bit words).
  it('decodes tcp6 addresses to RFC 5952 text', () => {
    const tcp6 = [
      '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000000000000000000001000000:17AC 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 41234 1 0000000000000000 100 0 0 10 0',
      '   1: 00000000000000000000000000000000:17AD 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 41235 1 0000000000000000 100 0 0 10 0',
      '   2: 0000000000000000FFFF00000100007F:17AC 0000000000000000FFFF00000100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 41236 1 0000000000000000 20 4 30 10 -1',
      '   3: B80D0120000000000000000001000000:01BB 000080FE0000000000FEFF000100A0C0:D431 01 00000000:00000000 00:00000000 00000000     0        0 41237 1 0000000000000000 20 4 30 10 -1',
    ].join('\n');
    expect(parseProcNetTcp(tcp6, 6).map((s) => [s.address, s.port, s.remoteAddress, s.remotePort, s.state, s.uid, s.inode, s.listening])).toEqual([
      ['::1', 6060, '::', 0, 0x0a, 1000, 41234, true],
      ['::', 6061, '::', 0, 0x0a, 0, 41235, true],
      ['::ffff:127.0.0.1', 6060, '::ffff:127.0.0.1', 50000, 0x01, 0, 41236, false],
      ['2001:db8::1', 443, 'fe80::ff:fe00:c0a0:1', 54321, 0x01, 0, 41237, false],
    ]);
  });

  it('skips rows of the other family and malformed rows', () => {
    expect(parseProcNetTcp(readFixture('proc/net-tcp.txt'), 6)).toEqual([]);
    expect(parseProcNetTcp('   0: 0100007F:17AC 00000000:0000 0A\n   1: zz00007F:17AC 00000000:0000 0A 0:0 0:0 0 0 0 1\n', 4)).toEqual([]);
  });
});

describe('parseProcStatStartTime', () => {
  // No /proc/PID/stat capture exists; these lines follow proc(5) (52 fields, starttime = field 22).
  const fieldsAfterComm = 'S 1 21360 21356 0 -1 4194560 3310 0 0 0 12 4 0 0 20 0 6 0 987654 1114484736 6143';

  it('reads field 22 after the comm field', () => {
    expect(parseProcStatStartTime(`21360 (capturedemo) ${fieldsAfterComm} 18446744073709551615 4194304\n`)).toBe(987654);
  });

  it('splits at the last `)`: comm may contain spaces and parentheses', () => {
    expect(parseProcStatStartTime(`21360 (my (odd)) prog) ${fieldsAfterComm}\n`)).toBe(987654);
  });

  it('returns null when the line is not a stat line or is cut short', () => {
    expect(parseProcStatStartTime('')).toBeNull();
    expect(parseProcStatStartTime('garbage')).toBeNull();
    expect(parseProcStatStartTime(`21360 (capturedemo) S 1 21360`)).toBeNull();
    expect(parseProcStatStartTime(`) 21360 ( ${fieldsAfterComm}`)).toBeNull();
  });
});

describe('parseConntrack and parseBootTime', () => {
  // /proc/net/nf_conntrack rows in the kernel's format (nf_conntrack_standalone.c): this machine
  // has no NAT rules to make real ones. A DNAT'd connection: the client dialled 127.0.0.1:8080,
  // the reply comes from the container's 172.17.0.2:6060 to the host's bridge address.
  const rows = [
    'ipv4     2 tcp      6 431999 ESTABLISHED src=127.0.0.1 dst=127.0.0.1 sport=51544 dport=8080 src=172.17.0.2 dst=172.17.0.1 sport=6060 dport=51544 [ASSURED] mark=0 zone=0 use=2',
    'ipv6     10 tcp      6 119 TIME_WAIT src=0000:0000:0000:0000:0000:0000:0000:0001 dst=0000:0000:0000:0000:0000:0000:0000:0001 sport=40000 dport=6060 src=0000:0000:0000:0000:0000:0000:0000:0001 dst=0000:0000:0000:0000:0000:0000:0000:0001 sport=6060 dport=40000 [ASSURED] mark=0 zone=0 use=2',
    'ipv4     2 udp      17 29 src=10.0.0.1 dst=10.0.0.2 sport=53 dport=53 src=10.0.0.2 dst=10.0.0.1 sport=53 dport=53 mark=0 zone=0 use=2',
    'ipv4     2 tcp      6 10 SYN_SENT src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 [UNREPLIED]',
  ].join('\n');

  it('keeps TCP rows with both directions; the reply tuple names the server socket behind the NAT', () => {
    const entries = parseConntrack(rows);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toEqual({
      original: { src: '127.0.0.1', dst: '127.0.0.1', sport: 51544, dport: 8080 },
      reply: { src: '172.17.0.2', dst: '172.17.0.1', sport: 6060, dport: 51544 },
    });
    expect(entries[1]!.reply.sport).toBe(6060);
  });

  it('btime from /proc/stat (read here, where it must exist)', () => {
    const btime = parseBootTime(readFileSync('/proc/stat', 'utf8'));
    expect(btime).toBeGreaterThan(1_000_000_000);
    expect(btime!).toBeLessThan(Date.now() / 1000);
    expect(parseBootTime('cpu 1 2 3\n')).toBeNull();
  });
});
