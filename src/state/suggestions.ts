// A verdict's suggestions name view actions, not keys (analysis/ knows nothing of the keymap):
// the key shown in their text is the one the keymap binds to the action.

import type { Suggestion, VerdictAction } from '../analysis/verdict.js';
import { KEYMAP, keyLabel, type CommandId } from './keymap.js';

const ACTION_COMMANDS: Record<VerdictAction, CommandId> = {
  'open-diff': 'pane-diff',
  'open-goroutines': 'pane-goroutines',
  'set-baseline': 'baseline-now',
  'open-top': 'pane-top',
};

/** The key(s) bound to the command that carries out `action`, as the help shows them. */
export function actionKeys(action: VerdictAction): string {
  const binding = KEYMAP.find((b) => b.id === ACTION_COMMANDS[action]);
  return binding ? binding.keys.map(keyLabel).join('/') : '?';
}

/** The suggestion's text with `{key}` replaced by the key of its action. */
export function suggestionText(s: Suggestion): string {
  return s.action ? s.text.replaceAll('{key}', actionKeys(s.action)) : s.text;
}
