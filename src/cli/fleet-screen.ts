// The fleet's full-screen view, wired: the table over the fleet source, Enter attaching a live
// session to an instance's pprof endpoints (its history from the fleet's own records, so its
// verdict starts from them), two marked rows fetched and compared in the Diff pane.

import { formatDuration } from '../analysis/format.js';
import type { FleetRow } from '../analysis/fleet.js';
import type { SessionSnapshot } from '../analysis/session-snapshot.js';
import { workerDecoder, inlineDecoderWith } from '../session/heap-decoder.js';
import { DEFAULT_INTERVAL_MS, Session, emptySnapshot } from '../session/session.js';
import { LiveFetcher } from '../source/fetcher.js';
import type { PrometheusClient } from '../source/prometheus.js';
import { pprofBaseFor, type FleetSource } from '../source/prometheus-fleet.js';
import { describeTarget, parseTarget } from '../source/target.js';
import { FleetStore } from '../state/fleet-store.js';
import { goroutineDumpLoader } from '../state/goroutine-dump.js';
import { Store } from '../state/store.js';
import type { AttachedView } from '../ui/FleetApp.js';
import type { DecodeLimits } from '../profile/decode.js';
import type { HttpClientOptions } from '../source/http-options.js';
import { EXIT } from './exit-codes.js';
import { decodeLimitsFrom, httpOptionsFrom } from './http-options.js';
import type { Io } from './io.js';
import type { ParsedArgs } from './options.js';
import { durationOption, stringOption } from './options.js';
import { allowInteractiveInk, paneExporter, runInkScreen } from './tui-command.js';

export const NO_TTY_FLEET = 'livepprof: the fleet view needs a terminal; for scripts use `livepprof fleet … --json` (one object per instance)';

export interface OpenerOptions {
  client: PrometheusClient;
  http: HttpClientOptions;
  limits: DecodeLimits;
  /** --pprof-url, or null: the scrape target's host. */
  template: string | null;
  intervalMs: number;
}

/** What Enter and two marks open from the fleet, and closing whatever is still open. */
export function fleetOpeners({ client, http, limits, template, intervalMs }: OpenerOptions): {
  attach(row: FleetRow): Promise<AttachedView>;
  compare(a: FleetRow, b: FleetRow): Promise<AttachedView>;
  closeAll(): Promise<void>;
} {
  const open = new Set<AttachedView>();

  const baseOf = async (row: FleetRow) => pprofBaseFor(row.labels, template, template === null ? (await client.targets()).data : []);

  async function attach(row: FleetRow): Promise<AttachedView> {
    const target = parseTarget(await baseOf(row));
    const fetcher = new LiveFetcher(target, { http });
    const decoder = workerDecoder(limits);
    // The fleet's records of this instance are its history: the verdict starts from them.
    const history = row.history();
    const records = history.map((r, i) => ({ ...r, seq: i - history.length }));
    const span = records.length > 1 ? records[records.length - 1]!.time - records[0]!.time : 0;
    const session = new Session(fetcher, {
      intervalMs,
      decoder,
      prometheusHistory: async () => ({ records, note: `${formatDuration(span)} of history from the fleet's Prometheus for ${row.key}` }),
    });
    const attachedStore = new Store(session);
    void session.start();
    const view: AttachedView = {
      store: attachedStore,
      session,
      title: `${describeTarget(target) === row.key ? row.key : `${describeTarget(target)} (${row.key})`}  Esc: the fleet`,
      exportProfiles: paneExporter(row.key.replace(/[^\w.-]+/g, '_')),
      loadGoroutineDump: goroutineDumpLoader(attachedStore, { fetch: async () => ({ bytes: await fetcher.fetch(Math.max(1, session.snapshot().polls), 'goroutine-debug2'), at: Date.now() }) }),
      close: async () => {
        open.delete(view);
        await session.stop();
        await decoder.close().catch(() => undefined);
        await fetcher.close();
        attachedStore.close();
      },
    };
    open.add(view);
    return view;
  }

  /** One heap profile from each instance: a's minus b's, in the Diff pane. */
  async function compare(a: FleetRow, b: FleetRow): Promise<AttachedView> {
    const decoder = inlineDecoderWith(limits);
    const heapOf = async (row: FleetRow) => {
      const fetcher = new LiveFetcher(parseTarget(await baseOf(row)), { http });
      try {
        return { profile: await decoder.decode(await fetcher.fetch(1, 'heap'), 'proto'), seq: 0, time: Date.now(), numGC: null, label: row.key };
      } finally {
        await fetcher.close();
      }
    };
    const [latest, base] = await Promise.all([heapOf(a), heapOf(b)]);
    const snap: SessionSnapshot = { ...emptySnapshot(0, 1), status: 'stopped', firstHeap: base, latestHeap: latest };
    const staticStore = new Store({ snapshot: () => snap, subscribe: () => () => undefined }, 'diff');
    return {
      store: staticStore,
      session: null,
      title: `${a.key} − ${b.key}  Esc: the fleet`,
      exportProfiles: paneExporter(`${a.key}-minus-${b.key}`.replace(/[^\w.-]+/g, '_')),
      loadGoroutineDump: () => undefined,
      close: async () => staticStore.close(),
    };
  }

  return {
    attach,
    compare,
    closeAll: async () => {
      await Promise.all([...open].map((v) => v.close().catch(() => undefined)));
    },
  };
}

export async function runFleetScreen(io: Io, args: ParsedArgs, source: FleetSource, client: PrometheusClient): Promise<number> {
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    io.warn(NO_TTY_FLEET);
    return EXIT.usage;
  }
  const openers = fleetOpeners({
    client,
    http: httpOptionsFrom(args, io.warn),
    limits: decodeLimitsFrom(args),
    template: stringOption(args, 'pprof-url') ?? null,
    intervalMs: durationOption(args, 'interval', DEFAULT_INTERVAL_MS, 100),
  });
  const store = new FleetStore(source);
  allowInteractiveInk(); // before FleetApp's first import of Ink
  const [React, { FleetApp }] = await Promise.all([import('react'), import('../ui/FleetApp.js')]);
  return runInkScreen({
    element: (theme, quit) => React.createElement(FleetApp, { store, theme, quit, attach: openers.attach, compare: openers.compare, refreshNow: () => source.refreshNow() }),
    tick: () => store.tick(),
    running: source.start(),
    shutDown: async () => {
      await openers.closeAll();
      await source.stop();
    },
    close: () => store.close(),
  });
}
