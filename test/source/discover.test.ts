import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findPidForPort,
  findPprofTargets,
  isLoopbackHost,
  listListeningSockets,
  pidsBySocketInode,
  socketInode,
  type SocketScanStats,
} from '../../src/source/discover.js';
import { readCmdline, readRawFile } from '../../src/source/proc.js';
import { startTarget, type Target } from '../helpers/go-target.js';
import { requireTool } from '../helpers/require-tool.js';
import { CAPTURED_PID, LISTENER_2024_INODE, LISTENER_6060_INODE, buildFakeProc, type FakeProc } from './fake-proc.js';
import { readFixture } from './go119-fixtures.js';

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', 'localhost.', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])(
    '%s is loopback',
    (host) => expect(isLoopbackHost(host)).toBe(true),
  );
  it.each(['10.0.0.1', '0.0.0.0', '::', '[::]', '128.0.0.1', 'example.com', 'localhost.example.com', 'my.localhost', '', '::2', '1.2.3'])(
    '%s is not',
    (host) => expect(isLoopbackHost(host)).toBe(false),
  );
});

describe('socketInode', () => {
  it('reads socket links only', () => {
    expect(socketInode('socket:[30869]')).toBe(30869);
    expect(socketInode('pipe:[30757]')).toBeNull();
    expect(socketInode('anon_inode:[eventpoll]')).toBeNull();
    expect(socketInode('/dev/null')).toBeNull();
  });
});

describe('discovery on a fake /proc built from the Go 1.19 captures', () => {
  let fake: FakeProc;
  beforeAll(async () => {
    fake = await buildFakeProc();
  });
  afterAll(() => fake.cleanup());

  it('lists LISTEN sockets from tcp and tcp6, not the TIME_WAIT row', async () => {
    const sockets = await listListeningSockets(fake.root);
    expect(sockets.filter((s) => s.family === 4)).toEqual([
      { address: '127.0.0.1', port: 6060, inode: LISTENER_6060_INODE, family: 4 },
      { address: '0.0.0.0', port: 2024, inode: LISTENER_2024_INODE, family: 4 },
    ]);
    expect(sockets.filter((s) => s.family === 6).map((s) => `${s.address}|${s.port}|${s.inode}`)).toEqual([
      '::|6060|6666',
      '::1|2024|5555',
      '::|7070|4242',
      '::1|7071|4343',
      '::ffff:127.0.0.1|7072|4444',
    ]);
  });

  it('maps the 127.0.0.1:6060 inode to the captured pid via its fd/6 link, and stops scanning early', async () => {
    const stats: SocketScanStats = { processes: 0, unreadable: 0, fds: 0 };
    const found = await pidsBySocketInode(new Set([LISTENER_6060_INODE]), fake.root, stats);
    expect(found).toEqual(new Map([[LISTENER_6060_INODE, CAPTURED_PID]]));
    // 40 filler processes sort after the captured one: they must not all be read.
    expect(stats.processes + stats.unreadable).toBeLessThan(fake.pids.length);
    expect(stats.unreadable).toBeGreaterThan(0); // pid 21520 and others have no fd/
  });

  it('scans every process when an inode is not found, quietly skipping unreadable ones', async () => {
    const stats: SocketScanStats = { processes: 0, unreadable: 0, fds: 0 };
    const found = await pidsBySocketInode(new Set([LISTENER_2024_INODE, 123456789]), fake.root, stats);
    expect(found).toEqual(new Map([[LISTENER_2024_INODE, 1]]));
    expect(stats.processes + stats.unreadable).toBe(fake.pids.length);
    expect(await pidsBySocketInode(new Set(), fake.root)).toEqual(new Map());
    expect(await pidsBySocketInode(new Set([1]), '/nonexistent-proc-root')).toEqual(new Map());
  });

  it('findPidForPort: the exact 127.0.0.1 listener beats `::` on the same port', async () => {
    expect(await findPidForPort(6060, '127.0.0.1', fake.root)).toBe(CAPTURED_PID);
    expect(await findPidForPort(6060, 'localhost', fake.root)).toBe(CAPTURED_PID);
    // ::1 is not served by a 127.0.0.1 socket; the `::` one (pid 303) takes it.
    expect(await findPidForPort(6060, '::1', fake.root)).toBe(303);
    expect(await findPidForPort(6060, '[::1]', fake.root)).toBe(303);
  });

  it('findPidForPort: 0.0.0.0 serves IPv4 loopback only, `::` (dual-stack) serves both, ::1 only IPv6', async () => {
    expect(await findPidForPort(2024, '127.0.0.1', fake.root)).toBe(1);
    expect(await findPidForPort(2024, '127.9.9.9', fake.root)).toBe(1);
    expect(await findPidForPort(2024, '::1', fake.root)).toBe(302);
    expect(await findPidForPort(7070, '127.0.0.1', fake.root)).toBe(300);
    expect(await findPidForPort(7070, '::1', fake.root)).toBe(300);
    expect(await findPidForPort(7071, '::1', fake.root)).toBe(301);
    expect(await findPidForPort(7071, '127.0.0.1', fake.root)).toBeNull();
    expect(await findPidForPort(7071, 'localhost', fake.root)).toBe(301);
    // An IPv6 socket bound to ::ffff:127.0.0.1 takes IPv4 connections to 127.0.0.1 only.
    expect(await findPidForPort(7072, '127.0.0.1', fake.root)).toBe(304);
    expect(await findPidForPort(7072, '::1', fake.root)).toBeNull();
  });

  it('findPidForPort: null for a port nobody listens on, another loopback address, or a non-loopback host', async () => {
    expect(await findPidForPort(6061, '127.0.0.1', fake.root)).toBeNull();
    expect(await findPidForPort(6060, '127.0.0.2', fake.root)).toBe(303); // only `::` serves it
    expect(await findPidForPort(6060, '10.1.2.3', fake.root)).toBeNull();
    expect(await findPidForPort(6060, 'example.com', fake.root)).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// Live: real /proc and real sockets. Node servers need no Go; the fixture target does.

function listen(server: Server | TcpServer, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server | TcpServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Serves the captured Go 1.19 index page at /debug/pprof/, like net/http/pprof would. */
function fakePprofServer(): Server {
  const index = readFixture('index.html');
  return createHttpServer((req, res) => {
    if (req.url === '/debug/pprof/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(index);
    else res.writeHead(404).end('404 page not found\n');
  });
}

describe('discovery of listeners in this process (live /proc)', () => {
  const servers: Array<Server | TcpServer> = [];
  let dualStackPort: number;
  let v6OnlySocketPort: number;
  let v6OnlyPort: number;
  let notPprofPort: number;
  let silentPort: number;

  beforeAll(async () => {
    const dualStack = fakePprofServer();
    const v6Only = fakePprofServer();
    const v6OnlySocket = fakePprofServer();
    const notPprof = createHttpServer((_req, res) => res.end('hello'));
    // Reads requests and never answers: probes must time out, not hang. (It must read: a socket
    // nobody reads never sees the client's FIN, and server.close() would then wait forever.)
    const silent = createTcpServer((socket) => socket.resume());
    servers.push(dualStack, v6Only, v6OnlySocket, notPprof, silent);
    dualStackPort = await listen(dualStack, '::'); // like Go's ":6060": one tcp6 socket for both families
    v6OnlyPort = await listen(v6Only, '::1');
    // `::` with IPV6_V6ONLY: /proc cannot tell it from dual-stack, so 127.0.0.1 is refused first.
    v6OnlySocketPort = await new Promise<number>((resolve) =>
      v6OnlySocket.listen({ port: 0, host: '::', ipv6Only: true }, () => resolve((v6OnlySocket.address() as AddressInfo).port)),
    );
    notPprofPort = await listen(notPprof, '127.0.0.1');
    silentPort = await listen(silent, '127.0.0.1');
  });
  afterAll(async () => {
    await Promise.all(servers.map(close));
  });

  it('findPidForPort finds this process behind `::` for both loopback families', async () => {
    expect(await findPidForPort(dualStackPort, '127.0.0.1')).toBe(process.pid);
    expect(await findPidForPort(dualStackPort, '::1')).toBe(process.pid);
    expect(await findPidForPort(v6OnlyPort, '::1')).toBe(process.pid);
    expect(await findPidForPort(v6OnlyPort, '127.0.0.1')).toBeNull();
    expect(await findPidForPort(notPprofPort, 'localhost')).toBe(process.pid);
  });

  it('findPprofTargets keeps pprof index pages only, with IPv4 URLs for `::` and [::1] for ::1-only', async () => {
    const targets = await findPprofTargets({ timeoutMs: 500 });
    const byPort = new Map(targets.map((t) => [t.port, t]));

    const dual = byPort.get(dualStackPort);
    expect(dual).toMatchObject({ pid: process.pid, url: `http://127.0.0.1:${dualStackPort}/debug/pprof/` });
    expect(dual!.profiles).toContainEqual({ name: 'goroutine', count: 63 });
    expect(dual!.cmdline).toEqual(await readCmdline(process.pid));
    expect(byPort.get(v6OnlyPort)).toMatchObject({ pid: process.pid, url: `http://[::1]:${v6OnlyPort}/debug/pprof/` });
    expect(byPort.get(v6OnlySocketPort)).toMatchObject({ pid: process.pid, url: `http://[::1]:${v6OnlySocketPort}/debug/pprof/` });
    expect(byPort.has(notPprofPort)).toBe(false);
    expect(byPort.has(silentPort)).toBe(false);
    for (const t of targets) expect(new URL(t.url).hostname).toMatch(/^(127\.\d+\.\d+\.\d+|\[::1\])$/);
  });
});


describe.skipIf(!requireTool('go', 'discovery of the live Go target'))('discovery of the live Go fixture target', () => {
  let target: Target;
  beforeAll(async () => {
    target = await startTarget();
  });
  afterAll(() => target?.stop());

  it('findPidForPort(port, 127.0.0.1) is the target pid', async () => {
    expect(await findPidForPort(target.port, '127.0.0.1')).toBe(target.pid);
    expect(await findPidForPort(target.port, 'localhost')).toBe(target.pid);
    expect(await findPidForPort(target.port, '::1')).toBeNull(); // it binds 127.0.0.1 only
  });

  it('findPprofTargets lists the target with its heap and goroutine profiles and command line', async () => {
    const targets = await findPprofTargets();
    const found = targets.find((t) => t.port === target.port);
    expect(found).toMatchObject({ pid: target.pid, url: `${target.url}/debug/pprof/` });
    const names = found!.profiles.map((p) => p.name);
    expect(names).toContain('heap');
    expect(names).toContain('goroutine');
    expect(found!.cmdline?.[0]).toMatch(/target$/);
  });

  it('finds nothing on the port once the target has stopped', async () => {
    const pid = target.pid;
    await target.stop();
    expect(await findPidForPort(target.port, '127.0.0.1')).toBeNull();
    expect(await readRawFile(`/proc/${pid}/status`)).toBeNull();
  });
});
