// The one input hook: every key goes through the keymap (prompt > overlay > view > global).
// A text prompt takes printable keys itself.

import { useInput } from 'ink';
import type { CommandContext } from '../state/commands.js';
import { HANDLERS } from '../state/commands.js';
import { keyName, resolveKey } from '../state/keymap.js';

export function useKeymap(ctx: CommandContext): void {
  useInput((input, key) => {
    const { ui } = ctx.store.getSnapshot();
    // Keys that arrive together (a held key over SSH, typing ahead) come as one string: outside
    // a prompt, each character is its own key.
    if (ui.overlay.kind !== 'prompt' && !key.ctrl && !key.meta && input.length > 1 && !/[\u0000-\u001f]/.test(input)) {
      for (const ch of input) {
        const b = resolveKey(ctx.store.getSnapshot().ui, ch);
        if (b) HANDLERS[b.id](ctx);
      }
      return;
    }
    const name = keyName(input, key);
    const binding = name === null ? undefined : resolveKey(ui, name);
    if (binding) return HANDLERS[binding.id](ctx);
    if (ui.overlay.kind !== 'prompt') return;
    // In a prompt, everything the keymap does not claim is text (pasted runs included).
    if (name === 'backspace') return ctx.store.dispatch({ type: 'prompt-input', text: ui.overlay.text.slice(0, -1) });
    if (input && !key.ctrl && !key.meta && !/[\u0000-\u001f\u007f]/.test(input)) {
      ctx.store.dispatch({ type: 'prompt-input', text: ui.overlay.text + input });
    }
  });
}
