// argv → command. Every failure a user can cause ends as one line on stderr and a non-zero
// exit code; anything else is a bug and says so (LIVEPPROF_DEBUG=1 shows the stack).

import { LivepprofError, errorMessage } from '../errors.js';
import type { Io } from './io.js';
import { processIo } from './io.js';
import type { CommandDef } from './options.js';
import { formatCommandHelp, parseCommandArgs } from './options.js';
import { demoCommand } from './demo-command.js';
import { recordCommand } from './record-command.js';
import { replayCommand } from './replay-command.js';
import { topCommand } from './top-command.js';
import { tuiCommand } from './tui-command.js';
import { watchCommand } from './watch-command.js';
import { VERSION } from './version.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 70;

export function commands(io: Io): CommandDef[] {
  return [topCommand(io), watchCommand(io), recordCommand(io), replayCommand(io), demoCommand(io)];
}

export function mainHelp(io: Io): string {
  const cmds = commands(io);
  const width = Math.max(...cmds.map((c) => c.name.length)) + 2;
  return [
    `livepprof ${VERSION} — live pprof explorer for Go services: is it a heap leak, a goroutine leak, or the runtime holding memory?`,
    '',
    'Usage: livepprof [host:port|url|recording-dir|profile-file] [options]   the full-screen view',
    '       livepprof <command> [options]',
    '',
    'Commands:',
    ...cmds.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Run `livepprof <command> --help` for the options of a command.',
    '',
  ].join('\n');
}

export async function runCli(argv: string[], io: Io = processIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    const cmd = topic ? commands(io).find((c) => c.name === topic) : undefined;
    io.out(cmd ? formatCommandHelp(cmd) : mainHelp(io));
    return EXIT_OK;
  }
  if (first === '--version' || first === '-V') {
    io.out(`livepprof ${VERSION}\n`);
    return EXIT_OK;
  }
  // Anything that is not a command is a target for the full-screen view.
  const named = commands(io).find((c) => c.name === first);
  const cmd = named ?? tuiCommand(io);
  const cmdArgs = named ? rest : argv;
  try {
    const args = parseCommandArgs(cmd, cmdArgs);
    if (args.values.help === true) {
      io.out(formatCommandHelp(cmd));
      return EXIT_OK;
    }
    return await cmd.run(args);
  } catch (e) {
    return reportError(e, io);
  }
}

export function reportError(e: unknown, io: Io): number {
  if (e instanceof LivepprofError) {
    io.warn(`livepprof: ${e.message}`);
    return e.kind === 'usage' ? EXIT_USAGE : EXIT_FAILURE;
  }
  if (process.env.LIVEPPROF_DEBUG) io.warn(e instanceof Error && e.stack ? e.stack : String(e));
  io.warn(`livepprof: internal error: ${errorMessage(e)} (this is a bug; LIVEPPROF_DEBUG=1 shows details)`);
  return EXIT_INTERNAL;
}

/** Entry point used by bin/livepprof.js. */
export async function main(): Promise<void> {
  // Writing to a closed pipe (`livepprof top … | head`) is not an error worth a message.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT_OK);
  });
  try {
    process.exitCode = await runCli(process.argv.slice(2));
  } catch (e) {
    process.exitCode = reportError(e, processIo);
  }
}
