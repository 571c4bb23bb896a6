// `livepprof replay DIR`: play a recording back through the same poll logic, printing what
// `watch` printed live (at the recorded pace, --speed X faster, or --speed 0 at once).

import { LivepprofError } from '../errors.js';
import { isRecordingDir } from '../source/recording.js';
import type { Io } from './io.js';
import type { CommandDef } from './options.js';
import { watchCommand } from './watch-command.js';

export function replayCommand(io: Io): CommandDef {
  const watch = watchCommand(io);
  return {
    ...watch,
    name: 'replay',
    summary: 'Play a recording back (as watch prints it); any command also takes a recording as its target.',
    usage: 'livepprof replay <recording-dir> [--speed X] [--json]',
    description: undefined,
    options: watch.options.filter((o) => ['json', 'count', 'speed', 'max-inflated', 'help'].includes(o.name)),
    examples: ['livepprof replay ./rec --speed 10', 'livepprof replay ./rec --speed 0 --json'],
    run: async (args) => {
      const dir = args.positionals[0]!;
      if (!isRecordingDir(dir)) throw new LivepprofError('usage', `${dir} is not a livepprof recording (no meta.json); make one with \`livepprof record\``);
      return watch.run(args);
    },
  };
}
