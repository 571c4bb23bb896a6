// One option table per command drives both argument parsing and --help. Option names follow
// pprof's vocabulary; pprof habits (`-nodecount=10`, `--sample_index`) are accepted too.

import { parseArgs } from 'node:util';
import { LivepprofError } from '../errors.js';

export interface OptionDef {
  name: string;
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** Placeholder shown in help, e.g. 'N', 'RE', 'DURATION'. */
  value?: string;
  description: string;
  /** Shown in help as "(default …)". */
  defaultText?: string;
}

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
}

export interface CommandDef {
  name: string;
  summary: string;
  usage: string;
  description?: string;
  options: OptionDef[];
  positionals: { min: number; max: number };
  examples?: string[];
  run(args: ParsedArgs): Promise<number>;
}

/** Lets `-nodecount=5` and `--sample_index x` mean `--nodecount=5` and `--sample-index x`. */
function normalizeArg(arg: string, longNames: Set<string>): string {
  const m = /^(-{1,2})([A-Za-z][A-Za-z0-9_-]*)(=.*)?$/.exec(arg);
  if (!m) return arg;
  const name = m[2]!.replace(/_/g, '-');
  if (m[1] === '-' && name.length === 1) return arg;
  if (!longNames.has(name)) return arg;
  return `--${name}${m[3] ?? ''}`;
}

export function parseCommandArgs(cmd: CommandDef, argv: string[]): ParsedArgs {
  const longNames = new Set(cmd.options.map((o) => o.name));
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const o of cmd.options) {
    options[o.name] = { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) };
  }
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      args.push(...argv.slice(i));
      break;
    }
    args.push(normalizeArg(a, longNames));
  }
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new LivepprofError('usage', `${cmd.name}: ${usageMessage(e)} (see \`livepprof ${cmd.name} --help\`)`);
  }
  const { positionals } = parsed;
  if (parsed.values.help === true) return { positionals, values: parsed.values as ParsedArgs['values'] };
  if (positionals.length < cmd.positionals.min) {
    throw new LivepprofError('usage', `${cmd.name}: missing argument; usage: ${cmd.usage}`);
  }
  if (positionals.length > cmd.positionals.max) {
    throw new LivepprofError('usage', `${cmd.name}: unexpected argument ${JSON.stringify(positionals[cmd.positionals.max])}; usage: ${cmd.usage}`);
  }
  return { positionals, values: parsed.values as ParsedArgs['values'] };
}

function usageMessage(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const unknown = /Unknown option '([^']+)'/.exec(msg);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /Option '([^']+?)(?: <value>)?' argument missing/.exec(msg);
  if (missing) return `option ${missing[1]!.replace(/^-\w, /, '')} needs a value`;
  const bool = /Option '([^']+)' does not take an argument/.exec(msg);
  if (bool) return `option ${bool[1]} takes no value`;
  return msg.split('\n')[0]!;
}

export function formatCommandHelp(cmd: CommandDef): string {
  const lines = [`Usage: ${cmd.usage}`, '', cmd.summary];
  if (cmd.description) lines.push('', cmd.description);
  if (cmd.options.length > 0) {
    lines.push('', 'Options:');
    const heads = cmd.options.map((o) => `${o.short ? `-${o.short}, ` : '    '}${optionFlag(o)}`);
    const width = Math.min(34, Math.max(...heads.map((h) => h.length)) + 2);
    cmd.options.forEach((o, i) => {
      const head = heads[i]!;
      const text = o.description + (o.defaultText ? ` (default ${o.defaultText})` : '');
      if (head.length + 2 > width) lines.push(`  ${head}`, `  ${' '.repeat(width)}${text}`);
      else lines.push(`  ${head.padEnd(width)}${text}`);
    });
  }
  if (cmd.examples?.length) {
    lines.push('', 'Examples:');
    for (const e of cmd.examples) lines.push(`  ${e}`);
  }
  return lines.join('\n') + '\n';
}

/** "--interval DURATION": how an option is typed. */
export function optionFlag(o: OptionDef): string {
  return `--${o.name}${o.value ? ` ${o.value}` : ''}`;
}

/**
 * One command in the overview of `livepprof --help`: how it is called, what it does, and every
 * option it takes (from the same table that parses them), wrapped to `width`.
 */
export function formatCommandSummary(cmd: CommandDef, width = 100): string[] {
  const indent = '      ';
  const lines = [`  ${cmd.usage}`, `${indent}${cmd.summary}`];
  let line = indent;
  for (const o of cmd.options) {
    if (o.name === 'help') continue; // every command has it; the overview says so once
    const flag = optionFlag(o);
    if (line.length > indent.length && line.length + 2 + flag.length > width) {
      lines.push(line);
      line = indent;
    }
    line += (line.length > indent.length ? '  ' : '') + flag;
  }
  if (line.length > indent.length) lines.push(line);
  return lines;
}

// ---- typed accessors ------------------------------------------------------------------------

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function boolOption(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

export function listOption(args: ParsedArgs, name: string): string[] {
  const v = args.values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function intOption(args: ParsedArgs, name: string, fallback: number, min = 0): number {
  const v = stringOption(args, name);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v.trim()) || Number(v) < min) {
    throw new LivepprofError('usage', `--${name} must be a whole number${min > 0 ? ` ≥ ${min}` : ''}, not ${JSON.stringify(v)}`);
  }
  return Number(v);
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 2 ** 10, kb: 2 ** 10, kib: 2 ** 10, m: 2 ** 20, mb: 2 ** 20, mib: 2 ** 20, g: 2 ** 30, gb: 2 ** 30, gib: 2 ** 30 };

/** Sizes: 1048576, 512MiB, 1GB, 1.5G (units are 1024-based, as pprof prints them). */
export function parseSize(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) return null;
  return Math.floor(Number(m[1]) * unit);
}

export function sizeOption(args: ParsedArgs, name: string, fallback: number): number {
  const v = stringOption(args, name);
  if (v === undefined) return fallback;
  const n = parseSize(v);
  if (n === null || n <= 0) throw new LivepprofError('usage', `--${name} must be a size like 1048576, 512MiB or 1GiB, not ${JSON.stringify(v)}`);
  return n;
}

/** Go-style durations: 500ms, 5s, 2m, 1h, 1m30s; a bare number means seconds. */
export function parseDuration(text: string): number | null {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
    pos = re.lastIndex;
  }
  if (pos !== t.length || pos === 0) return null;
  return total;
}

/** Longest --interval/--timeout: Node's timers cannot wait longer than ~24.8 days anyway. */
const MAX_DURATION_MS = 24 * 3_600_000;

export function durationOption(args: ParsedArgs, name: string, fallbackMs: number, minMs = 1, maxMs = MAX_DURATION_MS): number {
  const v = stringOption(args, name);
  if (v === undefined) return fallbackMs;
  const ms = parseDuration(v);
  if (ms === null || ms < minMs) {
    throw new LivepprofError('usage', `--${name} must be a duration like 500ms, 5s or 2m, not ${JSON.stringify(v)}`);
  }
  if (ms > maxMs) throw new LivepprofError('usage', `--${name} ${v} is too long; at most ${maxMs / 3_600_000}h`);
  return ms;
}
