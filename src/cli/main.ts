// argv → command. Every failure a user can cause ends as one line on stderr and a non-zero
// exit code; anything else is a bug and says so (LIVEPPROF_DEBUG=1 shows the stack).

import { LivepprofError, errorMessage } from '../errors.js';
import { letGoOfTerminal, terminalGone } from '../hang-up.js';
import type { Io } from './io.js';
import { processIo } from './io.js';
import type { CommandDef } from './options.js';
import { formatCommandHelp, formatCommandSummary, parseCommandArgs } from './options.js';
import { demoCommand } from './demo-command.js';
import { fleetCommand } from './fleet-command.js';
import { recordCommand } from './record-command.js';
import { replayCommand } from './replay-command.js';
import { topCommand } from './top-command.js';
import { tuiCommand } from './tui-command.js';
import { watchCommand } from './watch-command.js';
import { VERSION } from './version.js';
import { EXIT } from './exit-codes.js';
import { watchOutputs } from './signals.js';

/** Every command, the full-screen view (`open`, also the default) first. */
export function commands(io: Io): CommandDef[] {
  return [tuiCommand(io), topCommand(io), watchCommand(io), recordCommand(io), replayCommand(io), fleetCommand(io), demoCommand(io)];
}

export function mainHelp(io: Io): string {
  return [
    `livepprof ${VERSION} — live pprof explorer for Go services: is it a heap leak, a goroutine leak, or the runtime holding memory?`,
    '',
    'Usage: livepprof [TARGET] [options]     the full-screen view (the command `open`, the default)',
    '       livepprof <command> [options]',
    '       livepprof help <command>         one command in full: what each option means, defaults, examples',
    '',
    'Commands and their options:',
    ...commands(io).flatMap((c) => formatCommandSummary(c)),
    '',
    'Every command takes -h/--help. livepprof --version prints the version.',
    'Environment: LIVEPPROF_HEADERS (request headers, "Name: value" lines), NO_COLOR, LIVEPPROF_DEBUG=1 (stack traces).',
    '',
  ].join('\n');
}

/** `livepprof help [COMMAND]`, `livepprof --help`. */
function runHelp(io: Io, topic: string | undefined): number {
  if (topic === undefined) {
    io.out(mainHelp(io));
    return EXIT.ok;
  }
  const cmd = commands(io).find((c) => c.name === topic);
  if (!cmd) {
    io.warn(`livepprof: help: no command ${JSON.stringify(topic)}; the commands are ${commands(io).map((c) => c.name).join(', ')}`);
    return EXIT.usage;
  }
  io.out(formatCommandHelp(cmd));
  return EXIT.ok;
}

export async function runCli(argv: string[], io: Io = processIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h') return runHelp(io, undefined);
  if (first === 'help') return runHelp(io, rest[0]);
  if (first === '--version' || first === '-V') {
    io.out(`livepprof ${VERSION}\n`);
    return EXIT.ok;
  }
  // Anything that is not a command is a target for the full-screen view.
  const named = commands(io).find((c) => c.name === first);
  const cmd = named ?? tuiCommand(io);
  const cmdArgs = named ? rest : argv;
  try {
    const args = parseCommandArgs(cmd, cmdArgs);
    if (args.values.help === true) {
      io.out(formatCommandHelp(cmd));
      return EXIT.ok;
    }
    return await cmd.run(args);
  } catch (e) {
    return reportError(e, io);
  }
}

export function reportError(e: unknown, io: Io): number {
  if (e instanceof LivepprofError) {
    io.warn(`livepprof: ${e.message}`);
    return e.kind === 'usage' ? EXIT.usage : EXIT.targetFailed;
  }
  if (process.env.LIVEPPROF_DEBUG) io.warn(e instanceof Error && e.stack ? e.stack : String(e));
  io.warn(`livepprof: internal error: ${errorMessage(e)} (this is a bug; LIVEPPROF_DEBUG=1 shows details)`);
  return EXIT.internal;
}

/** Entry point used by bin/livepprof.js. */
export async function main(): Promise<void> {
  watchOutputs();
  // Whatever the way out: Node's exit must not touch a terminal that has gone (src/hang-up.ts).
  process.on('exit', () => {
    if (terminalGone()) letGoOfTerminal();
  });
  let code: number;
  try {
    code = await runCli(process.argv.slice(2));
  } catch (e) {
    code = reportError(e, processIo);
  }
  process.exitCode = code;
  // Stopped by a signal or a hang-up: the worker is gone and the connections are closing; a
  // socket still waiting on a hung target must not keep the process alive.
  if (code >= EXIT.hangUp) setImmediate(() => process.exit(code)).unref();
}
