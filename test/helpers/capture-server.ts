// A loopback pprof server for the security tests: the real go1.19 captures over plain HTTP,
// HTTPS (a cert made at test time) or a unix socket, recording every request with its headers
// and every accepted connection, with a hook to answer some requests differently.

import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { GO119 } from './paths.js';
import { CLIENT_GOLANG_METRICS } from '../source/client-golang-sample.js';

const fixture = (name: string) => readFileSync(join(GO119, name));

export interface SeenRequest {
  url: string;
  headers: IncomingHttpHeaders;
}

/** Answers the request itself and returns true, or returns false to serve the captures. */
export type Route = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface CaptureServerOptions {
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
  /** Listen on this unix socket instead of 127.0.0.1. */
  socketPath?: string;
  route?: Route;
}

export interface CaptureServer {
  /** http(s)://127.0.0.1:PORT, or http://localhost for a unix socket. */
  url: string;
  port: number;
  /** TCP (or unix) connections accepted so far. */
  readonly connections: number;
  requests: SeenRequest[];
  route: Route | null;
  close(): Promise<void>;
}

/** Serves the go1.19 captures at their usual paths; /metrics reports one more GC per scrape. */
export function serveCaptures(req: IncomingMessage, res: ServerResponse, state: { gcCount: number }): void {
  const url = req.url ?? '/';
  const body = (type: string, data: Uint8Array | string) => {
    res.writeHead(200, { 'content-type': type });
    res.end(data);
  };
  if (url === '/debug/pprof/') return body('text/html; charset=utf-8', fixture('index.html'));
  if (url.startsWith('/debug/pprof/cmdline')) return body('text/plain', fixture('cmdline.bin'));
  if (url.startsWith('/debug/pprof/heap?debug=1')) return body('text/plain', fixture('heap.debug1.txt'));
  if (url.startsWith('/debug/pprof/heap')) return body('application/octet-stream', fixture('heap.pb.gz'));
  if (url.startsWith('/debug/pprof/goroutine?debug=1')) return body('text/plain', fixture('goroutine.debug1.txt'));
  if (url.startsWith('/debug/pprof/goroutine?debug=2')) return body('text/plain', fixture('goroutine.debug2.txt'));
  if (url === '/metrics') {
    state.gcCount++;
    return body('text/plain', CLIENT_GOLANG_METRICS.replace(/^go_gc_duration_seconds_count \d+$/m, `go_gc_duration_seconds_count ${state.gcCount}`));
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('404 page not found\n');
}

export async function startCaptureServer(opts: CaptureServerOptions = {}): Promise<CaptureServer> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const state = { gcCount: 0 };
  let connections = 0;
  const api = { route: opts.route ?? null };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    requests.push({ url: req.url ?? '/', headers: req.headers });
    if (api.route?.(req, res)) return;
    serveCaptures(req, res, state);
  };
  const server: Server = opts.tls ? createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) : createHttpServer(handler);
  // For HTTPS, 'connection' fires for every TCP connection, even one whose handshake fails.
  server.on('connection', (s: Socket) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => undefined);
  // Idle keep-alive connections stay open across slow polls, so connection counts mean something.
  server.keepAliveTimeout = 60_000;
  let port = 0;
  if (opts.socketPath) {
    await new Promise<void>((r) => server.listen(opts.socketPath, r));
  } else {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  }
  return {
    url: opts.socketPath ? 'http://localhost' : `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    get connections() {
      return connections;
    },
    requests,
    get route() {
      return api.route;
    },
    set route(r: Route | null) {
      api.route = r;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
