// The exit-code table: what a run of polls ends with, and the README's copy of the table.
import { constants } from 'node:os';
import { expect, it } from 'vitest';
import { EXIT, EXIT_CODE_DOCS, SIGNAL_EXIT, exitCodeTableMarkdown, pollsExitCode } from '../../src/cli/exit-codes.js';
import { readmeBlock } from '../helpers/readme-block.js';

it('a run of polls: 0 when all succeeded, "target failed" when none did, 3 in between', () => {
  expect(pollsExitCode(5, 0)).toBe(EXIT.ok);
  expect(pollsExitCode(0, 5)).toBe(EXIT.targetFailed);
  expect(pollsExitCode(4, 1)).toBe(EXIT.somePollsFailed);
  expect(pollsExitCode(1, 4)).toBe(EXIT.somePollsFailed);
  expect(new Set(Object.values(EXIT)).size, 'no code means two things').toBe(Object.keys(EXIT).length);
});

it('signals exit with 128 + their number, as a shell reports a death by that signal', () => {
  for (const [signal, code] of Object.entries(SIGNAL_EXIT)) expect(code, signal).toBe(128 + constants.signals[signal as NodeJS.Signals]);
});

it('every code is documented, and the README shows the table generated from it', () => {
  expect(EXIT_CODE_DOCS.map((d) => d.code).sort((a, b) => a - b)).toEqual(Object.values(EXIT).sort((a, b) => a - b));
  expect(readmeBlock('exit-codes', exitCodeTableMarkdown()), 'README exit-codes block (UPDATE_README=1 rewrites it)').toBe(exitCodeTableMarkdown());
});
