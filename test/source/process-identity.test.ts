// Which process serves the target, against the real kernel: the fixture target on loopback,
// behind a real TCP forwarder, and in a network namespace and PID namespace of its own.
import { requireTool } from '../helpers/require-tool.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPprofTargets } from '../../src/source/discover.js';
import { resolveServiceProcess } from '../../src/source/process-identity.js';
import { createNetns, startContained, startForwarder, type Contained, type Forwarder, type NetnsSandbox } from '../helpers/sandbox.js';

async function cmdlineOf(url: string): Promise<string[]> {
  const body = await (await fetch(`${url}/debug/pprof/cmdline`)).text();
  return body.split('\0');
}

async function startTimeOf(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^process_start_time_seconds (\S+)$/m.exec(text)![1]);
}

const run = requireTool(['root', 'netns', 'pidns', 'go'], 'the process identity tests');


describe.runIf(run)('process identity on the real kernel', () => {
  let local: Contained;
  let ns: NetnsSandbox;
  let contained: Contained;
  const forwarders: Forwarder[] = [];
  beforeAll(async () => {
    local = await startContained({});
    ns = await createNetns();
    contained = await startContained({ netns: ns, pidns: true });
  });
  afterAll(async () => {
    await Promise.all(forwarders.map((f) => f.stop()));
    await local?.stop();
    await contained?.stop();
    ns?.remove();
  });

  it('a target on loopback is the pid that accepted the connection, checked by command line and start time', async () => {
    const id = await resolveServiceProcess({ host: '127.0.0.1', port: local.port, cmdline: await cmdlineOf(local.url), startTime: await startTimeOf(local.url) });
    expect(id).toMatchObject({ proven: true, pid: local.pid, how: 'listener', forwarders: [] });
    if (id.proven) expect(id.checks.join('; ')).toMatch(/command line equals.*start time equals/);
  });

  it('through a forwarder, the service behind it, not the forwarder', async () => {
    const fwd = await startForwarder({ host: '127.0.0.1', port: local.port });
    forwarders.push(fwd);
    const id = await resolveServiceProcess({ host: '127.0.0.1', port: fwd.port, cmdline: await cmdlineOf(`http://127.0.0.1:${fwd.port}`), startTime: null });
    expect(id).toMatchObject({ proven: true, pid: local.pid, how: 'forwarder', forwarders: [{ pid: fwd.pid, name: 'node' }] });
  });

  it('through a forwarder into a network and PID namespace: the host pid of the container process', async () => {
    const fwd = await startForwarder({ host: contained.host, port: contained.port });
    forwarders.push(fwd);
    const url = `http://127.0.0.1:${fwd.port}`;
    const id = await resolveServiceProcess({ host: '127.0.0.1', port: fwd.port, cmdline: await cmdlineOf(url), startTime: await startTimeOf(url) });
    expect(id).toMatchObject({ proven: true, pid: contained.pid, how: 'forwarder', forwarders: [{ pid: fwd.pid }] });
    if (id.proven) expect(id.summary).toContain('in network namespace');
  });

  it("a target given by the container's own address (no host listener)", async () => {
    const id = await resolveServiceProcess({ host: contained.host, port: contained.port, cmdline: await cmdlineOf(contained.url), startTime: null });
    expect(id).toMatchObject({ proven: true, pid: contained.pid, how: 'namespace' });
  });

  it('a forwarder whose service is not this target: not proven, and the reason names the forwarder', async () => {
    const fwd = await startForwarder({ host: '127.0.0.1', port: local.port });
    forwarders.push(fwd);
    const id = await resolveServiceProcess({ host: '127.0.0.1', port: fwd.port, cmdline: ['/not/the/service'], startTime: null, attempts: 4 });
    expect(id).toMatchObject({ proven: false, pid: null });
    if (!id.proven) expect(id.reason).toBe(
        `port ${fwd.port} is served by node (pid ${fwd.pid}) → target (pid ${local.pid}) (its command line is not the service's, and it holds no connection onward that this host can see); the Go service was not found on this host`,
      );
  });

  it('the picker lists a service behind a forwarder under its own pid, and not one this host cannot reach', async () => {
    const fwd = await startForwarder({ host: contained.host, port: contained.port });
    forwarders.push(fwd);
    // Listening on the namespace's own loopback: no route from here, so not listed.
    const unreachable = await startContained({ netns: ns, address: '127.0.0.1' });
    try {
      const targets = await findPprofTargets({ timeoutMs: 1000 });
      const entry = targets.find((t) => t.port === fwd.port);
      expect(entry).toMatchObject({ pid: contained.pid, via: [{ pid: fwd.pid, name: 'node' }], note: null, url: `http://127.0.0.1:${fwd.port}/debug/pprof/` });
      expect(entry!.cmdline![0]).toMatch(/target$/);
      expect(targets.some((t) => t.pid === unreachable.pid)).toBe(false);
      expect(targets.some((t) => t.pid === fwd.pid)).toBe(false);
    } finally {
      await unreachable.stop();
    }
  });
});
