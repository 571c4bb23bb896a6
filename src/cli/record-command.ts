// `livepprof record <target> --out DIR`: poll like watch and save every raw answer plus the
// timeline, for replay later (`livepprof replay DIR`, or any command given DIR as target).

import { formatBytes, formatDuration, plural } from '../analysis/format.js';
import { LivepprofError } from '../errors.js';
import { describeTarget } from '../source/target.js';
import { Session } from '../session/session.js';
import type { Io } from './io.js';
import type { CommandDef, ParsedArgs } from './options.js';
import { boolOption, durationOption, intOption, stringOption } from './options.js';
import { TARGET_OPTIONS, openTarget, recordingWriter } from './session-options.js';
import { pollsExitCode } from './exit-codes.js';
import { STOP_GRACE_MS, untilEnded, within } from './signals.js';
import { formatWatchLine } from './watch-command.js';

export function recordCommand(io: Io): CommandDef {
  return {
    name: 'record',
    summary: 'Poll a target and save every response and the timeline to a directory, for replay.',
    usage: 'livepprof record <host:port|url> --out DIR [--count N | --duration D] [options]',
    description:
      'The directory is created with mode 0700 and its files 0600 (profiles and command lines are sensitive);\n' +
      'request headers are never saved. Ctrl-C, SIGTERM, SIGHUP or the terminal going away stop it after the poll\n' +
      'in flight, keeping everything recorded. Exit status as for watch (0 / 1 / 3, or 129 / 130 / 143).',
    positionals: { min: 1, max: 1 },
    options: [
      { name: 'out', type: 'string', short: 'o', value: 'DIR', description: 'directory to record into (required)' },
      { name: 'count', type: 'string', value: 'N', description: 'stop after N polls' },
      { name: 'duration', type: 'string', value: 'DURATION', description: 'stop after this long' },
      { name: 'force', type: 'boolean', description: 'write into a non-empty directory' },
      { name: 'quiet', type: 'boolean', short: 'q', description: 'no line per poll on stderr' },
      ...TARGET_OPTIONS.filter((o) => o.name !== 'speed'),
      { name: 'help', type: 'boolean', short: 'h', description: 'show this help' },
    ],
    examples: ['livepprof record 127.0.0.1:6060 --out ./rec --interval 1s --duration 5m', 'livepprof replay ./rec'],
    run: (args) => runRecord(io, args),
  };
}

async function runRecord(io: Io, args: ParsedArgs): Promise<number> {
  const out = stringOption(args, 'out');
  if (!out) throw new LivepprofError('usage', 'record: --out DIR is required (where to save the recording)');
  const opened = await openTarget(args.positionals[0]!, args, io.warn);
  if (opened.recording) throw new LivepprofError('usage', 'record: the target is already a recording; replay it with `livepprof replay DIR`');
  const count = intOption(args, 'count', 0, 1) || undefined;
  const durationMs = args.values.duration !== undefined ? durationOption(args, 'duration', 0, 1, Infinity) : undefined;
  const writer = await recordingWriter(out, opened, args);
  const quiet = boolOption(args, 'quiet');
  const fetcher = writer.wrap(opened.fetcher);
  const started = Date.now();
  let polls = 0;
  let failed = 0;
  const session: Session = new Session(fetcher, {
    ...opened.session,
    ...(count !== undefined ? { count } : {}),
    onRecord: async (r) => {
      await writer.appendRecord(r);
      polls++;
      if (!r.ok) failed++;
      if (!quiet) io.warn(`[${polls}] ${formatWatchLine(r, null).trim()}`);
      if (durationMs !== undefined && Date.now() - started >= durationMs) session.stop().catch(() => undefined); // failures end start()
    },
  });
  io.warn(`recording ${describeTarget(opened.fetcher.target)} every ${formatDuration(opened.intervalMs)} into ${out}; Ctrl-C stops`);
  let ending = null;
  try {
    ending = await untilEnded(session.start(), () => session.stop());
  } finally {
    await within(fetcher.close(), STOP_GRACE_MS);
  }
  const { size } = await import('./disk-usage.js').then((m) => m.diskUsage(out));
  io.warn(`recorded ${plural(polls, 'poll')} (${failed} failed) in ${formatDuration(Date.now() - started)} into ${out} (${formatBytes(size)}); replay: livepprof replay ${out}`);
  return ending ?? pollsExitCode(polls - failed, failed);
}
