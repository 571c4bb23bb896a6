// A loopback HTTP server that looks like a Go service's pprof endpoints (real captured bytes
// from ../shared/fixtures/go1.19) and can be told to answer badly, in every way we know.

import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import pako from 'pako';
import { GO119 } from './paths.js';
import { serveCaptures } from './capture-server.js';

export type Misbehaviour =
  | 'ok'
  | 'html-200' // a login page with status 200
  | 'login-to-pprof' // a proxy's sign-in page that returns to /debug/pprof/ afterwards
  | 'status-401'
  | 'status-403'
  | 'status-404'
  | 'status-500'
  | 'redirect-other-host'
  | 'endless' // never-ending body
  | 'huge' // a body over any sane --max-bytes
  | 'cut-gzip' // body cut off mid-gzip, connection closed
  | 'gzip-garbage' // valid gzip of garbage
  | 'not-a-profile-proto' // a valid protobuf that is not a profile
  | 'slow' // answers after a long delay
  | 'silent' // accepts and never answers
  | 'close-mid-body' // closes the connection mid-body
  | 'body-200' // status 200 with the bytes given to set() (e.g. a gzip bomb made by the test)
  | 'echo-200-html' // a 200 login page that quotes the request's headers (tokens) back
  | 'echo-200-text'; // the same as plain text

const fixture = (name: string) => readFileSync(join(GO119, name));

export interface BadServer {
  url: string;
  port: number;
  /** Behaviour from now on for requests whose URL starts with `pathPrefix` (default: all); `body` for 'body-200'. */
  set(m: Misbehaviour, pathPrefix?: string, body?: Uint8Array): void;
  requests: string[];
  connections: number;
  close(): Promise<void>;
}

export async function startBadServer(): Promise<BadServer> {
  let mode: Misbehaviour = 'ok';
  let scope = '';
  let customBody: Uint8Array = new Uint8Array(0);
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;

  const captures = { gcCount: 0 };
  const good = (req: IncomingMessage, res: ServerResponse) => serveCaptures(req, res, captures);

  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '/');
    switch ((req.url ?? '/').startsWith(scope) ? mode : 'ok') {
      case 'ok':
        return good(req, res);
      case 'html-200':
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<!DOCTYPE html><html><head><title>Sign in</title></head><body><form></form></body></html>');
      case 'login-to-pprof':
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<!DOCTYPE html><html><head><title>Sign in</title></head><body><form method="post" action="/oauth2/start?rd=/debug/pprof/"><button>Sign in</button></form></body></html>');
      case 'status-401':
      case 'status-403':
      case 'status-404':
      case 'status-500': {
        const code = Number(mode.slice(7));
        res.writeHead(code, { 'content-type': 'text/plain' });
        return res.end(`${code === 500 ? 'internal error: database on fire' : 'denied'}\nsecond line\n`);
      }
      case 'redirect-other-host':
        res.writeHead(302, { location: 'http://login.example.invalid/sso' });
        return res.end();
      case 'endless': {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = new Uint8Array(64 * 1024);
        const pump = () => {
          while (res.write(chunk)) {
            if (res.destroyed) return;
          }
          res.once('drain', pump);
        };
        return pump();
      }
      case 'huge':
        res.writeHead(200, { 'content-length': String(2 ** 40) });
        return res.write(new Uint8Array(1024));
      case 'cut-gzip': {
        const gz = fixture('heap.pb.gz');
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.write(gz.subarray(0, Math.floor(gz.length / 2)));
        return void setTimeout(() => res.socket?.destroy(), 20);
      }
      case 'gzip-garbage': {
        const garbage = new Uint8Array(2048).map((_, i) => (i * 7919 + 13) % 251);
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(pako.gzip(garbage));
      }
      case 'not-a-profile-proto': {
        // A well-formed protobuf (field 1 = "hello", field 2 = 150) that is no profile.
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(Uint8Array.of(0x0a, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x10, 0x96, 0x01));
      }
      case 'slow':
        return void setTimeout(() => good(req, res), 5000);
      case 'silent':
        return; // never answers
      case 'body-200':
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(customBody.length) });
        return res.end(customBody);
      case 'echo-200-html':
      case 'echo-200-text': {
        // What a careless login page or proxy does: repeat the credentials it was sent.
        const sent = Object.entries(req.headers)
          .filter(([k]) => !['host', 'connection', 'user-agent'].includes(k))
          .map(([k, v]) => `${k}: ${String(v)}`)
          .join('; ');
        const html = mode === 'echo-200-html';
        res.writeHead(200, { 'content-type': html ? 'text/html' : 'text/plain' });
        return res.end(html ? `<html><head><title>Sign in (${sent})</title></head><body>${sent}</body></html>` : `You sent ${sent}\nplease sign in\n`);
      }
      case 'close-mid-body':
        res.writeHead(200, { 'content-length': '100000' });
        res.write(new Uint8Array(500));
        return void setTimeout(() => res.socket?.destroy(), 20);
    }
  });
  server.on('connection', (s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    set: (m, pathPrefix = '', body = new Uint8Array(0)) => {
      mode = m;
      scope = pathPrefix;
      customBody = body;
    },
    requests,
    get connections() {
      return connections;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
