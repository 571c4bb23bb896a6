// Help as a user reads it from the built CLI: `livepprof --help` lists every command with every
// option it takes (the full-screen view's included), `livepprof help COMMAND` gives one command
// in full, and every command or option an error message points to is in that help.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/main.js';
import { processIo } from '../../src/cli/io.js';
import { optionFlag } from '../../src/cli/options.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/paths.js';

const COMMANDS = commands(processIo);

let main: CliResult;
beforeAll(async () => {
  main = await runCli(['--help']);
});

/** The block of `livepprof --help` about one command: from its usage line to the next command's. */
function blockOf(help: string, usage: string): string {
  const lines = help.split('\n');
  const start = lines.indexOf(`  ${usage}`);
  expect(start, `${usage} in livepprof --help`).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && /^ {2}livepprof /.test(l));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

describe('livepprof --help', () => {
  it('exits 0 and lists every command with every option it takes, the full-screen view first', () => {
    expect(main.code).toBe(0);
    expect(main.stderr).toBe('');
    expect(COMMANDS[0]!.name).toBe('open');
    for (const c of COMMANDS) {
      const block = blockOf(main.stdout, c.usage);
      expect(block).toContain(c.summary);
      for (const o of c.options) if (o.name !== 'help') expect(block, `${c.name} ${o.name}`).toContain(optionFlag(o));
    }
    // The full-screen view's polling options, which the old help did not show.
    const open = blockOf(main.stdout, COMMANDS[0]!.usage);
    for (const flag of ['--interval DURATION', '--pid N', '--metrics URL', '--header', '--unix-socket PATH']) expect(open).toContain(flag);
    expect(main.stdout).toMatch(/livepprof help <command>/);
    expect(main.stdout).toMatch(/-h\/--help/);
  });

  it('-h and `help` alone print the same', async () => {
    expect((await runCli(['-h'])).stdout).toBe(main.stdout);
    expect((await runCli(['help'])).stdout).toBe(main.stdout);
  });
});

describe('livepprof help COMMAND', () => {
  for (const c of COMMANDS) {
    it(`${c.name}: every option with its meaning and default, the same as \`${c.name} --help\``, async () => {
      const r = await runCli(['help', c.name]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: ${c.usage.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n`));
      for (const o of c.options) {
        expect(r.stdout).toContain(optionFlag(o));
        expect(r.stdout).toContain(o.description);
        if (o.defaultText) expect(r.stdout).toContain(`(default ${o.defaultText})`);
      }
      const viaFlag = await runCli(c.name === 'open' ? ['--interval', '1s', '--help'] : [c.name, '--help']);
      expect(viaFlag.stdout).toBe(r.stdout);
    });
  }

  it('an unknown command is one line naming the commands there are, exit 2', async () => {
    const r = await runCli(['help', 'nosuch']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([`livepprof: help: no command "nosuch"; the commands are ${COMMANDS.map((c) => c.name).join(', ')}`]);
  });
});

/** Every .ts/.tsx file under src/. */
function sources(dir = join(REPO_ROOT, 'src')): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(n) ? [p] : [];
  });
}

/** The text inside string literals of the code (comments left out): where messages are. */
function stringLiterals(code: string): string[] {
  const noComments = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...noComments.matchAll(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g)].map((m) => m[0].slice(1, -1));
}

describe('every command and option a message points to is in the help', () => {
  const literals = sources().flatMap((f) => stringLiterals(readFileSync(f, 'utf8')));

  it('every --option named in a message is an option of some command in livepprof --help', () => {
    const named = new Set(literals.flatMap((s) => [...s.matchAll(/(?<![\w-])--([a-z][a-z-]+)/g)].map((m) => m[1]!)));
    expect(named.size).toBeGreaterThan(10); // the scan finds the messages
    const helpOptions = new Set([...main.stdout.matchAll(/--([a-z][a-z-]+)/g)].map((m) => m[1]!));
    const missing = [...named].filter((o) => !helpOptions.has(o));
    expect(missing, `options named in messages but not in livepprof --help`).toEqual([]);
  });

  it('every `livepprof COMMAND …` hint names a command, with options that command takes', async () => {
    // `livepprof watch TARGET --json`, "(a profile file: livepprof top FILE)", "replay: livepprof replay DIR".
    const hints = literals.flatMap((s) => [...s.matchAll(/(?:`|: )livepprof ([a-z][a-z-]*)([^`);]*)/g)].map((m) => ({ cmd: m[1]!, rest: m[2]! })));
    expect(hints.length).toBeGreaterThan(4);
    const names = new Set(COMMANDS.map((c) => c.name));
    for (const h of hints) {
      expect(names, `livepprof ${h.cmd}${h.rest}`).toContain(h.cmd);
      const c = COMMANDS.find((x) => x.name === h.cmd)!;
      for (const m of h.rest.matchAll(/--([a-z][a-z-]+)/g)) expect(c.options.map((o) => o.name), `livepprof ${h.cmd}${h.rest}`).toContain(m[1]);
    }
  });
});
