/**
 * Builds a directory laid out like /proc from the real Go 1.19 captures in
 * /work/shared/fixtures/go1.19/proc, for the /proc reading and discovery tests. Not a test file.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readFixture, readFixtureBytes } from './go119-fixtures.js';

/** The captured process: its status says `Pid: 21360`, its fd 6 is the 127.0.0.1:6060 listener. */
export const CAPTURED_PID = 21360;
/** The madvfree run's pid (memory-phases.txt). */
export const MADVFREE_PID = 21520;
/** From net-tcp.txt: `0100007F:17AC … 0A … 30869` and `00000000:07E8 … 0A … 638`. */
export const LISTENER_6060_INODE = 30869;
export const LISTENER_2024_INODE = 638;

/** `lrwx------ 1 root root 64 Nov 26 05:41 6 -> socket:[30869]` → ['6', 'socket:[30869]']. */
export function parseFdList(text: string): Array<[fd: string, target: string]> {
  const links: Array<[string, string]> = [];
  for (const line of text.split('\n')) {
    const m = /\s(\d+) -> (.+)$/.exec(line);
    if (m) links.push([m[1]!, m[2]!]);
  }
  return links;
}

/** One row of /proc/net/tcp6 for a LISTEN socket: four little-endian words, then the port in hex. */
export function tcp6ListenRow(slot: number, addressHex: string, port: number, inode: number): string {
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  return `  ${slot}: ${addressHex}:${portHex} ${'0'.repeat(32)}:0000 0A 00000000:00000000 00:00000000 00000000     0        0 ${inode} 1 0000000000000000 100 0 0 10 0`;
}
export const IPV6_ANY = '0'.repeat(32);
export const IPV6_LOOPBACK = '00000000000000000000000001000000';
/** ::ffff:127.0.0.1, an IPv6 socket bound to a v4-mapped address. */
export const IPV6_MAPPED_LOOPBACK = '0000000000000000FFFF00000100007F';

/** A /proc/PID/stat line whose comm contains `) ` to check fields are counted after the last `)`. */
export function statLine(pid: number, state: string, startTime: number): string {
  // Fields 3..21 (state … itrealvalue), then 22 = starttime, then a few more.
  const middle = ['1', pid, pid, '0', '-1', '4194560', '0', '0', '0', '0', '5', '3', '0', '0', '20', '0', '6', '0'];
  return `${pid} (evil) name) ${state} ${middle.join(' ')} ${startTime} 1114505216 6143 18446744073709551615\n`;
}

export interface FakeProc {
  root: string;
  /** Every numeric entry created (processes). */
  pids: number[];
  cleanup(): Promise<void>;
}

async function writeProcess(root: string, pid: number, files: Record<string, string | Uint8Array>, fdLinks: Array<[string, string]>) {
  const dir = path.join(root, String(pid));
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  if (fdLinks.length === 0) return;
  await mkdir(path.join(dir, 'fd'));
  for (const [fd, target] of fdLinks) await symlink(target, path.join(dir, 'fd', fd));
}

/**
 * root/net/tcp        net-tcp.txt (127.0.0.1:6060 inode 30869, 0.0.0.0:2024 inode 638, a TIME_WAIT row)
 * root/net/tcp6       crafted: `::`:6060 (pid 303), `::1`:2024 (pid 302), `::`:7070 (pid 300), `::1`:7071 (pid 301),
 *                     `::ffff:127.0.0.1`:7072 (pid 304)
 * root/21360/…        status/smaps_rollup default.0-start, crafted stat, cmdline.bin, fd/ from fd-list.txt
 * root/21520/…        status/smaps_rollup madvfree.3-after-free (LazyFree > 0), no fd/ (unreadable)
 * root/1/fd/3         socket:[638]
 * root/400/stat       a zombie (state Z)
 * root/30000..30039   filler processes with only fd/0 -> /dev/null, after the ones that matter
 * root/self, root/sys non-numeric entries that scans must ignore
 */
export async function buildFakeProc(): Promise<FakeProc> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'livepprof-fakeproc-'));
  const pids: number[] = [];
  const addProcess = async (pid: number, files: Record<string, string | Uint8Array>, fdLinks: Array<[string, string]> = []) => {
    pids.push(pid);
    await writeProcess(root, pid, files, fdLinks);
  };

  await mkdir(path.join(root, 'net'));
  await writeFile(path.join(root, 'net', 'tcp'), readFixture('proc/net-tcp.txt'));
  const tcp6Header = '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
  await writeFile(
    path.join(root, 'net', 'tcp6'),
    [
      tcp6Header,
      tcp6ListenRow(0, IPV6_ANY, 6060, 6666),
      tcp6ListenRow(1, IPV6_LOOPBACK, 2024, 5555),
      tcp6ListenRow(2, IPV6_ANY, 7070, 4242),
      tcp6ListenRow(3, IPV6_LOOPBACK, 7071, 4343),
      tcp6ListenRow(4, IPV6_MAPPED_LOOPBACK, 7072, 4444),
      '',
    ].join('\n'),
  );

  // The kernel ends cmdline with a NUL; the HTTP endpoint (cmdline.bin) does not.
  const cmdline = new Uint8Array([...readFixtureBytes('cmdline.bin'), 0]);
  await addProcess(
    CAPTURED_PID,
    {
      status: readFixture('proc/status.default.0-start.txt'),
      smaps_rollup: readFixture('proc/smaps_rollup.default.0-start.txt'),
      stat: statLine(CAPTURED_PID, 'S', 4_200_042),
      cmdline,
    },
    parseFdList(readFixture('proc/fd-list.txt')),
  );
  await addProcess(MADVFREE_PID, {
    status: readFixture('proc/status.madvfree.3-after-free.txt'),
    smaps_rollup: readFixture('proc/smaps_rollup.madvfree.3-after-free.txt'),
    stat: statLine(MADVFREE_PID, 'S', 4_300_000),
  });
  await addProcess(1, { stat: statLine(1, 'S', 1) }, [['3', `socket:[${LISTENER_2024_INODE}]`]]);
  await addProcess(300, {}, [['5', 'socket:[4242]']]);
  await addProcess(301, {}, [['5', 'socket:[4343]']]);
  await addProcess(302, {}, [['5', 'socket:[5555]']]);
  await addProcess(303, {}, [['5', 'socket:[6666]']]);
  await addProcess(304, {}, [['5', 'socket:[4444]']]);
  await addProcess(400, { stat: statLine(400, 'Z', 77), status: 'Name:\tdefunct\nState:\tZ (zombie)\n' });
  for (let pid = 30000; pid < 30040; pid++) await addProcess(pid, {}, [['0', '/dev/null']]);
  await mkdir(path.join(root, 'sys'));
  await symlink(String(CAPTURED_PID), path.join(root, 'self'));

  return { root, pids, cleanup: () => rm(root, { recursive: true, force: true }) };
}
