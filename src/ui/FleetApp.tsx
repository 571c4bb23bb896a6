// The fleet's full screen: the table of instances, or — after Enter on a row, or marking two —
// the full single-target view (App) of an instance or of a comparison, until Esc brings the
// table back. Keys go through the one keymap (the fleet's scopes); only one input hook is
// active at a time.

import { Box, useInput, type Key } from 'ink';
import React, { useCallback, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { FleetRow } from '../analysis/fleet.js';
import { errorMessage } from '../errors.js';
import type { Session } from '../session/session.js';
import { fleetHandler, type FleetContext, type FleetStore } from '../state/fleet-store.js';
import { activeBindingsIn, fleetScopes, footerHintsIn, keyName, resolveKeyIn, typedKeys } from '../state/keymap.js';
import type { Store, StoreSnapshot } from '../state/store.js';
import { App, type AppProps } from './App.js';
import { Lines } from './components/Lines.js';
import type { Line } from './lines.js';
import { seg, wrapText } from './lines.js';
import type { Theme } from './theme.js';
import { useTerminalSize } from './use-terminal-size.js';
import { fleetBodyLines, fleetHeaderLine, fleetStatusLine } from './views/fleet-view.js';
import { hintsLine } from './views/frame-view.js';
import { helpLinesFor } from './views/help-view.js';
import { verdictView } from './views/verdict-view.js';

/** A single-target view opened from the fleet: an instance attached live, or two heaps compared. */
export interface AttachedView {
  store: Store;
  session: Session | null;
  title: string;
  exportProfiles: AppProps['exportProfiles'];
  loadGoroutineDump(): void;
  /** Stops polling and closes its connections (Esc back to the fleet). */
  close(): Promise<void>;
}

export interface FleetAppProps {
  store: FleetStore;
  theme: Theme;
  quit(): void;
  attach(row: FleetRow): Promise<AttachedView>;
  compare(a: FleetRow, b: FleetRow): Promise<AttachedView>;
  refreshNow(): void;
  now?: () => number;
}

function isNamedKey(key: Key): boolean {
  return key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || key.home || key.end || key.tab || key.escape;
}

/** The fleet's input hook: resolves keys against the fleet's scopes; a prompt takes the rest as text. */
function useFleetKeymap(ctx: FleetContext, active: boolean): void {
  useInput(
    (input, key) => {
      const names = input.length > 1 && !key.meta && !isNamedKey(key) ? typedKeys(input) : [keyName(input, key)];
      for (const name of names) {
        if (name === null) continue;
        const { ui } = ctx.store.getSnapshot();
        const b = resolveKeyIn(fleetScopes(ui.overlay), name);
        const run = b ? fleetHandler(b.id) : undefined;
        if (run) run(ctx);
        else if (!b && ui.overlay.kind === 'prompt') {
          if (name === 'backspace') ctx.store.dispatch({ type: 'prompt-input', text: ui.overlay.text.slice(0, -1) });
          else if ([...name].length === 1 && !/[\u0000-\u001f\u007f]/.test(name)) ctx.store.dispatch({ type: 'prompt-input', text: ui.overlay.text + name });
        }
      }
    },
    { isActive: active },
  );
}

export function FleetApp(props: FleetAppProps): React.ReactElement {
  const { store, theme } = props;
  const snap = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const { columns, rows } = useTerminalSize();
  const [attached, setAttached] = useState<AttachedView | null>(null);
  const pageSize = useRef(10);
  const scrollMax = useRef(0);
  const opening = useRef(false);

  const open = useCallback(
    (what: string, make: () => Promise<AttachedView>) => {
      if (opening.current) return;
      opening.current = true;
      store.dispatch({ type: 'message', text: `${what}…` });
      make().then(
        (view) => {
          opening.current = false;
          store.dispatch({ type: 'message', text: null });
          setAttached(view);
        },
        (e: unknown) => {
          opening.current = false;
          store.dispatch({ type: 'show-error', message: `${what} failed: ${errorMessage(e)}` });
        },
      );
    },
    [store],
  );

  const ctx = useMemo<FleetContext>(
    () => ({
      store,
      get pageSize() {
        return pageSize.current;
      },
      get scrollMax() {
        return scrollMax.current;
      },
      quit: props.quit,
      attach: (row) => open(`attaching to ${row.key}`, () => props.attach(row)),
      compare: (a, b) => open(`fetching the heap profiles of ${a.key} and ${b.key}`, () => props.compare(a, b)),
      refreshNow: props.refreshNow,
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [store],
  );
  useFleetKeymap(ctx, attached === null);

  const back = useCallback(() => {
    const view = attached;
    setAttached(null);
    void view?.close();
    store.tick();
  }, [attached, store]);

  if (attached) {
    return (
      <App
        store={attached.store}
        session={attached.session}
        info={{ title: attached.title, isStatic: attached.session === null }}
        theme={theme}
        verdict={(s: StoreSnapshot, width: number, maxLines: number) => verdictView(s, theme, width, maxLines)}
        quit={props.quit}
        exportProfiles={attached.exportProfiles}
        loadGoroutineDump={attached.loadGoroutineDump}
        back={back}
      />
    );
  }

  const width = columns;
  const scopes = fleetScopes(snap.ui.overlay);
  const status = fleetStatusLine(snap, width, theme);
  const bodyHeight = Math.max(1, rows - 3);
  let body: Line[];
  const overlay = snap.ui.overlay;
  if (overlay.kind === 'help') {
    const all = helpLinesFor('Keys in the fleet table', activeBindingsIn(fleetScopes({ kind: 'none' })), width, bodyHeight, theme);
    scrollMax.current = Math.max(0, all.length - bodyHeight);
    body = all.slice(Math.min(overlay.scroll, scrollMax.current));
    pageSize.current = Math.max(2, bodyHeight);
  } else if (overlay.kind === 'error') {
    body = [[seg('Error', { bold: true, color: theme.bad })], ...wrapText(overlay.message, width).map((t) => [seg(t)]), [], [seg('Enter or Esc dismisses', { color: theme.dim })]];
  } else {
    const b = fleetBodyLines(snap, width, bodyHeight, theme);
    body = b.lines;
    pageSize.current = b.pageSize;
  }
  return (
    <Box flexDirection="column" width={width} height={rows}>
      <Lines lines={[fleetHeaderLine(snap, theme, props.now?.() ?? Date.now())]} width={width} height={1} />
      <Lines lines={body} width={width} height={bodyHeight} />
      <Lines lines={[status, hintsLine(footerHintsIn(scopes), width, theme)]} width={width} height={2} />
    </Box>
  );
}
