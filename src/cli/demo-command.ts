// `livepprof demo`: the incident livepprof exists for, replayed through the real TUI from a
// recording shipped with the package — no Go, no network, no target.

import { EXIT } from './exit-codes.js';
import type { Io } from './io.js';
import type { CommandDef } from './options.js';
import { DEMO_BANNER, DEMO_RECORDING, NO_TTY_MESSAGE, openTui } from './tui-command.js';

export function demoCommand(io: Io): CommandDef {
  return {
    name: 'demo',
    summary: 'Replay a recorded incident (RSS 345MB, heap 3MB: runtime retention, not a leak) in the full-screen view.',
    usage: 'livepprof demo [--speed X]',
    positionals: { min: 0, max: 0 },
    options: [
      { name: 'speed', type: 'string', value: 'X', description: 'replay X times the recorded pace (0: all at once)', defaultText: '2' },
      { name: 'help', type: 'boolean', short: 'h', description: 'show this help' },
    ],
    run: async (args) => {
      if (!process.stdout.isTTY || !process.stdin.isTTY) {
        io.warn(`${NO_TTY_MESSAGE}; the demo's data as text: livepprof replay ${DEMO_RECORDING}`);
        return EXIT.usage;
      }
      return openTui(io, DEMO_RECORDING, { ...args, values: { ...args.values, speed: args.values.speed ?? '2' } }, DEMO_BANNER);
    },
  };
}
