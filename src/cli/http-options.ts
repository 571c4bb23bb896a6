// HTTP options shared by every command that talks to a target. Header values are secrets:
// they are read from a file or the environment so they stay out of argv, and never printed.

import { readFileSync } from 'node:fs';
import { LivepprofError, errorMessage } from '../errors.js';
import { DEFAULT_MAX_INFLATED, type DecodeLimits } from '../profile/decode.js';
import { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, type HttpClientOptions } from '../source/http-options.js';
import type { OptionDef, ParsedArgs } from './options.js';
import { boolOption, durationOption, listOption, sizeOption, stringOption } from './options.js';

export const HTTP_OPTIONS: OptionDef[] = [
  { name: 'timeout', type: 'string', value: 'DURATION', description: 'deadline for each request', defaultText: '10s' },
  {
    name: 'header',
    type: 'string',
    multiple: true,
    value: "'NAME: VALUE'|@FILE",
    description: 'extra request header (repeatable); @FILE reads "Name: value" lines from a file, keeping secrets out of argv. Also: LIVEPPROF_HEADERS',
  },
  { name: 'max-bytes', type: 'string', value: 'SIZE', description: 'refuse responses larger than this (bytes, or 64MiB, 1GiB…)', defaultText: '512MiB' },
  {
    name: 'max-inflated',
    type: 'string',
    value: 'SIZE',
    description: 'refuse gzip data (a profile from a URL, a file or a poll) that inflates to more than this: a gzip bomb',
    defaultText: `${DEFAULT_MAX_INFLATED / 2 ** 20}MiB`,
  },
  { name: 'insecure', type: 'boolean', description: 'do not verify the TLS certificate' },
  { name: 'cacert', type: 'string', value: 'FILE', description: 'trust this PEM CA bundle for TLS' },
  { name: 'unix-socket', type: 'string', value: 'PATH', description: 'connect over a unix socket instead of TCP' },
];

function parseHeaderLines(text: string, origin: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i <= 0) throw new LivepprofError('usage', `${origin}: expected "Name: value", got a line without a colon`);
    out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

export interface HeaderResult {
  headers: Record<string, string>;
  /** Header names given in plain argv (visible in `ps`): the caller warns about them. */
  exposedOnCommandLine: string[];
}

export function collectHeaders(values: string[], env: NodeJS.ProcessEnv = process.env): HeaderResult {
  let headers: Record<string, string> = {};
  if (env.LIVEPPROF_HEADERS) headers = { ...headers, ...parseHeaderLines(env.LIVEPPROF_HEADERS, 'LIVEPPROF_HEADERS') };
  const exposed: string[] = [];
  for (const v of values) {
    if (v.startsWith('@')) {
      let text: string;
      try {
        text = readFileSync(v.slice(1), 'utf8');
      } catch (e) {
        throw new LivepprofError('usage', `cannot read header file ${v.slice(1)}: ${errorMessage(e)}`);
      }
      headers = { ...headers, ...parseHeaderLines(text, `header file ${v.slice(1)}`) };
    } else {
      const parsed = parseHeaderLines(v, '--header');
      exposed.push(...Object.keys(parsed));
      headers = { ...headers, ...parsed };
    }
  }
  return { headers, exposedOnCommandLine: exposed };
}

export function httpOptionsFrom(args: ParsedArgs, warn: (line: string) => void): HttpClientOptions {
  const { headers, exposedOnCommandLine } = collectHeaders(listOption(args, 'header'));
  if (exposedOnCommandLine.length > 0) {
    warn(
      `warning: --header ${exposedOnCommandLine.join(', ')} is visible to every user of this host (ps, /proc); use --header @FILE or LIVEPPROF_HEADERS instead`,
    );
  }
  const unixSocket = stringOption(args, 'unix-socket');
  const cacert = stringOption(args, 'cacert');
  return {
    timeoutMs: durationOption(args, 'timeout', DEFAULT_TIMEOUT_MS),
    maxBytes: sizeOption(args, 'max-bytes', DEFAULT_MAX_BYTES),
    headers,
    insecure: boolOption(args, 'insecure'),
    ...(cacert ? { cacert } : {}),
    ...(unixSocket ? { unixSocket } : {}),
  };
}

/** How far a gzipped profile may inflate (--max-inflated), for every place that decodes one. */
export function decodeLimitsFrom(args: ParsedArgs): DecodeLimits {
  return { maxInflated: sizeOption(args, 'max-inflated', DEFAULT_MAX_INFLATED) };
}
