// The one input hook: every key goes through the keymap (prompt > overlay > view > global).
// A text prompt takes printable keys itself.

import { useInput } from 'ink';
import type { CommandContext } from '../state/commands.js';
import { HANDLERS, submitPrompt } from '../state/commands.js';
import { keyName, resolveKey } from '../state/keymap.js';

export function useKeymap(ctx: CommandContext): void {
  useInput((input, key) => {
    const name = keyName(input, key);
    const { ui } = ctx.store.getSnapshot();
    if (ui.overlay.kind === 'prompt') {
      if (name === 'ctrl-c') return HANDLERS['force-quit'](ctx);
      if (name === 'escape') return ctx.store.dispatch({ type: 'close-overlay' });
      if (name === 'enter') return submitPrompt(ctx);
      if (name === 'backspace') return ctx.store.dispatch({ type: 'prompt-input', text: ui.overlay.text.slice(0, -1) });
      if (name === 'ctrl-u') return ctx.store.dispatch({ type: 'prompt-input', text: '' });
      // Printable text, including pasted runs of characters.
      if (input && !key.ctrl && !key.meta && !/[\u0000-\u001f\u007f]/.test(input)) {
        ctx.store.dispatch({ type: 'prompt-input', text: ui.overlay.text + input });
      }
      return;
    }
    if (name === null) return;
    const binding = resolveKey(ui, name);
    if (binding) HANDLERS[binding.id](ctx);
  });
}
