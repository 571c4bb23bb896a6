import { Box } from 'ink';
import { plural } from '../analysis/format.js';
import React, { useMemo, useRef } from 'react';
import type { Session } from '../session/session.js';
import type { CommandContext } from '../state/commands.js';
import type { Store, StoreSnapshot } from '../state/store.js';
import { Lines } from './components/Lines.js';
import type { Line } from './lines.js';
import { seg, wrapText } from './lines.js';
import type { Theme } from './theme.js';
import { useKeymap } from './use-keymap.js';
import { useStore } from './use-store.js';
import { useTerminalSize } from './use-terminal-size.js';
import { footerLine, headerLine, statusLines, tabsLine, type FrameInfo } from './views/frame-view.js';
import { goroutinesLines } from './views/goroutines-view.js';
import { helpLines } from './views/help-view.js';
import { overviewLayout, overviewLines } from './views/overview-view.js';
import { profilePaneLines } from './views/profile-view.js';

export interface VerdictView {
  word?: string;
  color?: string;
  lines: Line[];
}

export interface AppProps {
  store: Store;
  session: Session | null;
  info: FrameInfo;
  theme: Theme;
  /** The verdict for the Overview (at most maxLines lines of `width`) and its word for the header. */
  verdict: (snap: StoreSnapshot, width: number, maxLines: number) => VerdictView;
  quit(): void;
  exportProfiles: CommandContext['exportProfiles'];
  loadGoroutineDump(): void;
  /** Esc with nothing left to unwind leaves for the view this one was opened from (the fleet). */
  back?: () => void;
}

const MIN_COLUMNS = 40;

/** Lines taller than the screen, from line `scroll`, saying when there is more below. */
function scrolled(all: Line[], scroll: number, height: number, theme: Theme): { lines: Line[]; pageSize: number; scrollMax: number } {
  const scrollMax = Math.max(0, all.length - height);
  const from = Math.min(scroll, scrollMax);
  const lines = all.slice(from, from + height);
  if (from < scrollMax) lines[height - 1] = [seg(`  ↓ ${plural(scrollMax - from, 'more line')}: j or PgDn`, { color: theme.dim })];
  return { lines, pageSize: Math.max(2, height), scrollMax };
}
const MIN_ROWS = 10;

export function App(props: AppProps): React.ReactElement {
  const { store, theme } = props;
  const snap = useStore(store);
  const { columns, rows } = useTerminalSize();
  const pageSize = useRef(10);
  const scrollMax = useRef(0);
  const ctx = useMemo<CommandContext>(
    () => ({
      store,
      session: props.session,
      get pageSize() {
        return pageSize.current;
      },
      get scrollMax() {
        return scrollMax.current;
      },
      quit: props.quit,
      exportProfiles: props.exportProfiles,
      loadGoroutineDump: props.loadGoroutineDump,
      ...(props.back ? { back: props.back } : {}),
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [store],
  );
  useKeymap(ctx);

  if (snap.ui.message === '__livepprof_render_crash__') throw new Error('injected crash in render (LIVEPPROF_CRASH_IN_RENDER_AFTER_MS)');
  if (columns < MIN_COLUMNS || rows < MIN_ROWS) {
    return (
      <Lines
        lines={[[seg(`terminal too small (${columns}×${rows}); livepprof needs ${MIN_COLUMNS}×${MIN_ROWS} — q quits`)]]}
        width={columns}
        height={Math.max(1, rows)}
      />
    );
  }

  const width = columns;
  // The Overview's chart has a fixed height; the verdict gets the rest.
  const verdict = props.verdict(snap, columns, overviewLayout(rows - 4).verdict);
  const info = { ...props.info, verdictWord: verdict.word, verdictColor: verdict.color };
  // A long message takes a few status lines from the body rather than being cut.
  const status = statusLines(snap, info, theme, width);
  const bodyHeight = rows - 3 - status.length;
  let body: { lines: Line[]; pageSize: number; scrollMax?: number };
  const overlay = snap.ui.overlay;
  if (overlay.kind === 'help') {
    body = scrolled(helpLines(snap.ui, width, bodyHeight, theme), overlay.scroll, bodyHeight, theme);
  } else if (overlay.kind === 'error') {
    body = {
      lines: [
        [seg('Error', { bold: true, color: theme.bad })],
        ...wrapText(overlay.message, width).map((t) => [seg(t)]),
        [],
        [seg('Enter or Esc dismisses', { color: theme.dim })],
      ],
      pageSize: 1,
    };
  } else {
    switch (snap.ui.pane) {
      case 'overview':
        // Laid out for one status line, so the chart keeps its height: a long status message
        // covers the last lines of the verdict for as long as it is shown.
        body = { lines: overviewLines(snap, width, rows - 4, theme, verdict.lines), pageSize: 1 };
        break;
      case 'top':
      case 'diff':
        body = profilePaneLines(snap, snap.ui.pane, width, bodyHeight, theme);
        break;
      case 'goroutines':
        body = goroutinesLines(snap, width, bodyHeight, theme);
        break;
    }
  }
  pageSize.current = body.pageSize;
  scrollMax.current = body.scrollMax ?? 0;

  return (
    <Box flexDirection="column" width={width} height={rows}>
      <Lines lines={[headerLine(snap, info, theme), tabsLine(snap, theme)]} width={width} height={2} />
      <Lines lines={body.lines} width={width} height={bodyHeight} />
      <Lines lines={[...status, footerLine(snap, width, theme)]} width={width} height={status.length + 1} />
    </Box>
  );
}
