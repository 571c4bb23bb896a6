import { Box } from 'ink';
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
import { footerLine, headerLine, statusLine, tabsLine, type FrameInfo } from './views/frame-view.js';
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
}

const MIN_COLUMNS = 40;

/** Lines taller than the screen, from line `scroll`, saying when there is more below. */
function scrolled(all: Line[], scroll: number, height: number, theme: Theme): { lines: Line[]; pageSize: number; scrollMax: number } {
  const scrollMax = Math.max(0, all.length - height);
  const from = Math.min(scroll, scrollMax);
  const lines = all.slice(from, from + height);
  if (from < scrollMax) lines[height - 1] = [seg(`  ↓ ${scrollMax - from} more lines: j or PgDn`, { color: theme.dim })];
  return { lines, pageSize: Math.max(2, height), scrollMax };
}
const MIN_ROWS = 10;

/** Status and key hints; a message too long for one line (two exported paths) takes both lines until the next key. */
function bottomLines(snap: StoreSnapshot, info: FrameInfo, theme: Theme, width: number): Line[] {
  const message = snap.ui.message;
  if (message && message.length > width && snap.ui.overlay.kind !== 'prompt') {
    return wrapText(message, width).slice(0, 2).map((t) => [seg(t, { color: theme.accent })]);
  }
  return [statusLine(snap, info, theme, width), footerLine(snap, width, theme)];
}

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
  const bodyHeight = rows - 4;
  // The Overview's chart has a fixed height; the verdict gets the rest.
  const verdict = props.verdict(snap, columns, overviewLayout(rows - 4).verdict);
  const info = { ...props.info, verdictWord: verdict.word, verdictColor: verdict.color };
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
        body = { lines: overviewLines(snap, width, bodyHeight, theme, verdict.lines), pageSize: 1 };
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
      <Lines lines={bottomLines(snap, info, theme, width)} width={width} height={2} />
    </Box>
  );
}
