// The one input hook: every key goes through the keymap (prompt > overlay > view > global).
// A text prompt takes printable keys itself.

import { useInput, type Key } from 'ink';
import type { CommandContext } from '../state/commands.js';
import { HANDLERS, type TargetCommandId } from '../state/commands.js';
import { keyName, resolveKey, typedKeys } from '../state/keymap.js';

export function useKeymap(ctx: CommandContext): void {
  useInput((input, key) => {
    // Keys that arrive together (a held key over SSH, typing ahead, a paste) come as one string:
    // each character is its own key, and once a prompt opens the rest is typed into it.
    const names = input.length > 1 && !key.meta && !isNamedKey(key) ? typedKeys(input) : [keyName(input, key)];
    for (const name of names) if (name !== null) handleKey(ctx, name);
  });
}

function isNamedKey(key: Key): boolean {
  return key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || key.home || key.end || key.tab || key.escape;
}

function handleKey(ctx: CommandContext, name: string): void {
  const { ui } = ctx.store.getSnapshot();
  const binding = resolveKey(ui, name);
  // A target's view never has the fleet's scopes active: its commands are the target's.
  if (binding) return HANDLERS[binding.id as TargetCommandId](ctx);
  if (ui.overlay.kind !== 'prompt') return;
  // In a prompt, everything the keymap does not claim is text.
  if (name === 'backspace') return ctx.store.dispatch({ type: 'prompt-input', text: ui.overlay.text.slice(0, -1) });
  if ([...name].length === 1 && !/[\u0000-\u001f\u007f]/.test(name)) {
    ctx.store.dispatch({ type: 'prompt-input', text: ui.overlay.text + name });
  }
}
