// One poll: fetch what is needed, as cheaply as possible for the target, and turn it into a
// PollRecord. The rules that keep the target undisturbed live here:
//   - MemStats from the cheapest source the target has: /metrics, else /debug/vars, else the
//     trailer of heap?debug=1 (which then also serves as the poll's heap profile); when the
//     cheap source lacks the GC's own figures (NumGC, NextGC) the trailer fills them in, and
//     again doubles as the heap profile;
//   - at most one heap profile per poll, and none when a cheap GC counter shows no GC has
//     completed since the last one (the heap profile only changes at GC);
//   - goroutine groups refetched only when the cheap goroutine count moved (or every few polls);
//   - smaps_rollup (walks every mapping) only every few polls; /proc status every poll; the
//     environment (GOGC, GOMEMLIMIT, GODEBUG only) once per discovery;
//   - no gc=1 unless asked; goroutine?debug=2 and CPU profiles never from here.
// A poll is a sequence of named steps over one PollContext; each step fills its part of the record.

import { LivepprofError, errorMessage, isLivepprofError } from '../errors.js';
import { computeTotal } from '../analysis/top.js';
import { emptyRecord, type MemStatsSource, type PollRecord } from '../analysis/poll-record.js';
import { parseGoroutineDebug1, type CountProfile } from '../profile/goroutine-text.js';
import { parseExpvar, parseHeapDebug1MemStats, type MemStats } from '../profile/memstats.js';
import type { Profile } from '../profile/model.js';
import { describeBody, INDEX_PAGE } from '../profile/sniff.js';
import type { Fetcher } from '../source/fetcher.js';
import { parseGoEnv, parseMemAvailable, type GoEnv } from '../source/parse-go-env.js';
import { parseCmdline, parsePprofIndex, type PprofIndexEntry } from '../source/parse-index.js';
import { parseProcStatStartTime, parseProcStatus, parseSmaps, parseSmapsRollup } from '../source/parse-proc.js';
import { nonGoBytes } from '../analysis/gc-model.js';
import { keptInuse } from '../analysis/kept-heap.js';
import { namedMappingSplit, nonGoEvidence, smapsFullDue } from '../analysis/named-mappings.js';
import { extractGoProcessMetrics, parsePrometheusText, type GoProcessMetrics } from '../source/parse-prometheus.js';
import { fillGcFigures, fillMemStats } from '../source/metrics-record.js';
import type { HeapDecoder } from './heap-decoder.js';
import { identify, identityNote, noticeOomKill, readContainerMemory, reidentifyDue, type Identified } from './container.js';
import { RestartWatch } from './restart.js';

export interface CollectOptions {
  /** Read smaps_rollup (LazyFree) every this many polls. */
  smapsEvery: number;
  /** How heap profiles are decoded (off the main thread in the full-screen view). */
  decoder: HeapDecoder;
  /** Refetch goroutine groups at least every this many polls even if the count is flat. */
  goroutineGroupsEvery: number;
}

/** What one poll leaves for the next: discovered capabilities and the last figures. */
export interface CollectState {
  needsDiscovery: boolean;
  memstatsSource: MemStatsSource | null;
  pid: number | null;
  /** /proc/PID/stat start time of `pid`. */
  pidStartTime: number | null;
  cmdline: string[] | null;
  profiles: PprofIndexEntry[];
  /** GOGC, GOMEMLIMIT, GODEBUG from the process's environment, read at discovery. */
  env: GoEnv | null;
  lastHeapNumGC: number | null;
  lastHeapInuse: number | null;
  lastHeapKept: number | null;
  lastLazyFree: number | null;
  lastAnonHugePages: number | null;
  /** When smaps_rollup was last read, and the figures then: a big move in either calls for a fresh read. */
  lastSmaps: { seq: number; heapReleased: number | null; rss: number | null } | null;
  lastGoroutineTotal: number | null;
  lastGoroutineSeq: number;
  /** /proc/PID/smaps (named mappings): when last read, its cost, and what it found. */
  smapsFull: { lastReadAt: number | null; lastCostMs: number | null; named: boolean | null; split: PollRecord['namedMappings'] };
  /** The target's Go version when it says (go_info in /metrics). */
  goVersion: string | null;
  restarts: RestartWatch;
  /** How `pid` was proven, or why there is none (process-identity.ts). */
  identity: Identified | null;
  /** The last poll with cgroup figures, for noticing an OOM kill. */
  lastContainer: PollRecord | null;
}

export function initialCollectState(): CollectState {
  return {
    needsDiscovery: true,
    memstatsSource: null,
    pid: null,
    pidStartTime: null,
    cmdline: null,
    profiles: [],
    env: null,
    lastHeapNumGC: null,
    lastHeapInuse: null,
    lastHeapKept: null,
    lastLazyFree: null,
    lastAnonHugePages: null,
    lastSmaps: null,
    lastGoroutineTotal: null,
    lastGoroutineSeq: -Infinity,
    smapsFull: { lastReadAt: null, lastCostMs: null, named: null, split: null },
    goVersion: null,
    restarts: new RestartWatch(),
    identity: null,
    lastContainer: null,
  };
}

export interface PollResult {
  record: PollRecord;
  /** Time the target spent answering this poll's HTTP requests (wall time, an upper bound on its work). */
  targetMs: number;
  /** Bytes the target sent this poll. */
  targetBytes: number;
  /** This poll (re)discovered the target: its time includes one-off costs (index, connection set-up). */
  discovered: boolean;
  /** A new heap profile, when one was fetched this poll. */
  heap: Profile | null;
  /** New goroutine groups, when fetched this poll. */
  goroutines: CountProfile | null;
}

/** Everything the steps of one poll share. */
interface PollContext {
  f: Fetcher;
  state: CollectState;
  seq: number;
  opts: CollectOptions;
  record: PollRecord;
  rediscovered: boolean;
  /** Bodies discovery already read (so the poll does not fetch them twice). */
  found: { metrics: Uint8Array | null; vars: Uint8Array | null } | null;
  metrics: GoProcessMetrics | null;
  heap: Profile | null;
  goroutines: CountProfile | null;
  /** Records a failure that does not end the poll (the figures read so far still count). */
  fail: (e: unknown) => void;
}

const LOCAL_ENDPOINTS = new Set(['pid', 'proc-status', 'proc-smaps', 'proc-smaps-full', 'proc-stat', 'proc-environ', 'host-meminfo', 'identity', 'cgroup']);

const text = (bytes: Uint8Array) => new TextDecoder('utf-8', { fatal: false }).decode(bytes);

/** An endpoint answered 200 with something other than what it serves. */
function unexpected(endpoint: string, body: Uint8Array, expected: string): LivepprofError {
  return new LivepprofError('not-profile', `${endpoint} answered with ${describeBody(body)}, not ${expected}`);
}

/** Times the HTTP requests of a poll (local /proc reads cost the target nothing). */
function timing(f: Fetcher, acc: { ms: number; bytes: number }): Fetcher {
  return {
    target: f.target,
    now: (seq) => f.now(seq),
    requestCount: () => f.requestCount(),
    close: () => f.close(),
    fetch: async (seq, endpoint, pid) => {
      if (LOCAL_ENDPOINTS.has(endpoint)) return f.fetch(seq, endpoint, pid);
      const t0 = performance.now();
      try {
        const bytes = await f.fetch(seq, endpoint, pid);
        acc.bytes += bytes.length;
        return bytes;
      } finally {
        acc.ms += performance.now() - t0;
      }
    },
  };
}

/** Runs one poll. Never throws for target trouble: failures become `ok: false` records. */
export async function collectPoll(target: Fetcher, state: CollectState, seq: number, opts: CollectOptions): Promise<PollResult> {
  const cost = { ms: 0, bytes: 0 };
  const f = timing(target, cost);
  const record = emptyRecord(seq, f.now(seq));
  const ctx: PollContext = {
    f,
    state,
    seq,
    opts,
    record,
    rediscovered: state.needsDiscovery,
    found: null,
    metrics: null,
    heap: null,
    goroutines: null,
    fail: (e) => {
      record.ok = false;
      record.error ??= isLivepprofError(e) ? { kind: e.kind, message: e.message } : { kind: 'internal', message: errorMessage(e) };
    },
  };

  try {
    if (state.needsDiscovery) ctx.found = await discover(ctx);
    await readMemStats(ctx);
    await complementGcFigures(ctx);
    await readProc(ctx);
    await readContainerMemory(f, seq, state.pid, record);
    fallbackRss(ctx);
    record.identity = identityNote(record, state.identity);
    fillGcModel(ctx);
    noticeRestart(ctx);
    noticeOomKill(state.lastContainer, record);
    if (record.workingSet !== null || record.oomKills !== null) state.lastContainer = record;
    await readGoroutineGroups(ctx);
    await readHeapProfile(ctx);
  } catch (e) {
    ctx.fail(e);
    // The target may be down or restarting: find out what it is again once it answers.
    state.needsDiscovery = true;
  }
  return { record, heap: ctx.heap, goroutines: ctx.goroutines, targetMs: cost.ms, targetBytes: cost.bytes, discovered: ctx.rediscovered };
}

// ---- discovery ----------------------------------------------------------------------------------

/**
 * First poll, or first after a failure: what does the target serve, and who is it? Returns the
 * bodies it read for choosing a MemStats source, so the poll does not fetch them again.
 */
async function discover(ctx: PollContext): Promise<{ metrics: Uint8Array | null; vars: Uint8Array | null }> {
  const { f, state, seq } = ctx;
  const indexBytes = await f.fetch(seq, 'index');
  const parsed = parsePprofIndex(text(indexBytes));
  if (!parsed.ok) {
    // A page that is the index by its looks but whose list of profiles we cannot read must not be
    // reported as "the pprof index page, not the pprof index page".
    if (describeBody(indexBytes) === INDEX_PAGE) {
      throw new LivepprofError('not-profile', `${f.target.pprofBase} looks like the pprof index page, but livepprof found no list of profiles in it (a modified or very old net/http/pprof?)`);
    }
    throw unexpected(f.target.pprofBase, indexBytes, 'the pprof index page (is net/http/pprof mounted there?)');
  }
  state.profiles = parsed.value;
  state.cmdline = await f
    .fetch(seq, 'cmdline')
    .then((b) => parseCmdline(b))
    .catch(() => state.cmdline);

  // The cheapest MemStats source this target has.
  let metricsBytes: Uint8Array | null = null;
  state.memstatsSource = 'heap-debug1';
  try {
    metricsBytes = await f.fetch(seq, 'metrics');
    const m = extractGoProcessMetrics(parsePrometheusText(text(metricsBytes)));
    if (m.memstats.HeapInuse !== undefined && m.memstats.Sys !== undefined) state.memstatsSource = 'metrics';
    else metricsBytes = null;
  } catch {
    metricsBytes = null;
  }
  let varsBytes: Uint8Array | null = null;
  if (state.memstatsSource === 'heap-debug1') {
    try {
      varsBytes = await f.fetch(seq, 'vars');
      const v = parseExpvar(text(varsBytes));
      if (v.ok && v.value.memstats) state.memstatsSource = 'expvar';
      else varsBytes = null;
    } catch {
      // no expvar: heap?debug=1 it is
    }
  }

  await identifyPid(ctx);
  state.needsDiscovery = false;
  return { metrics: metricsBytes, vars: varsBytes };
}

/**
 * Which pid serves the target: only one proven to (not a forwarder's) is read in /proc. Its
 * start time tells a later restart on the same pid; its environment gives GOGC and GOMEMLIMIT.
 */
async function identifyPid(ctx: PollContext): Promise<void> {
  const { f, state, seq } = ctx;
  state.identity = await identify(f, seq, ctx.record.time);
  state.pid = state.identity.pid;
  try {
    state.pidStartTime = state.pid === null ? null : parseProcStatStartTime(text(await f.fetch(seq, 'proc-stat', state.pid)));
  } catch {
    state.pid = null;
    state.pidStartTime = null;
  }
  state.env = null;
  state.smapsFull = { lastReadAt: null, lastCostMs: null, named: null, split: null };
  if (state.pid !== null) {
    state.env = await f
      .fetch(seq, 'proc-environ', state.pid)
      .then((b) => parseGoEnv(text(b)))
      .catch(() => null); // another user's process: its environment is not ours to read
  }
}

/** The target's command line again (it may be another process now), then its pid. */
async function reidentify(ctx: PollContext): Promise<void> {
  const { f, state, seq } = ctx;
  state.cmdline = await f
    .fetch(seq, 'cmdline')
    .then((b) => parseCmdline(b))
    .catch(() => state.cmdline);
  await identifyPid(ctx);
}

// ---- memory figures -----------------------------------------------------------------------------

/** MemStats from the source discovery chose. */
async function readMemStats(ctx: PollContext): Promise<void> {
  const { f, state, seq, record } = ctx;
  let memstats: Partial<MemStats> | null = null;
  switch (state.memstatsSource) {
    case 'metrics': {
      const body = ctx.found?.metrics ?? (await f.fetch(seq, 'metrics'));
      const samples = parsePrometheusText(text(body));
      ctx.metrics = extractGoProcessMetrics(samples);
      state.goVersion = samples.get('go_info')?.[0]?.labels.version ?? state.goVersion;
      if (ctx.metrics.memstats.HeapInuse === undefined) throw unexpected('/metrics', body, 'Prometheus text with go_memstats_*');
      memstats = ctx.metrics.memstats;
      break;
    }
    case 'expvar': {
      const body = ctx.found?.vars ?? (await f.fetch(seq, 'vars'));
      const parsed = parseExpvar(text(body));
      if (!parsed.ok || !parsed.value.memstats) throw unexpected('/debug/vars', body, 'expvar JSON with memstats');
      memstats = parsed.value.memstats;
      break;
    }
    default: {
      memstats = await readTrailer(ctx);
      break;
    }
  }
  record.memstatsSource = state.memstatsSource;
  fillMemStats(record, memstats);
  if (ctx.metrics) {
    record.goroutines = ctx.metrics.goroutines;
    record.threads = ctx.metrics.threads;
  }
}

/** heap?debug=1: its MemStats trailer, and its records as this poll's heap profile. */
async function readTrailer(ctx: PollContext): Promise<MemStats> {
  const bytes = await ctx.f.fetch(ctx.seq, 'heap-debug1');
  const ms = parseHeapDebug1MemStats(text(bytes));
  if (!ms) throw unexpected('heap?debug=1', bytes, 'a heap profile with a runtime.MemStats trailer');
  ctx.heap = await ctx.opts.decoder.decode(bytes, 'heap-debug1').catch(() => null);
  return ms;
}

/**
 * The verdict works from the GC's own figures: without NumGC it cannot tell GC cycles apart, and
 * without NextGC it has no heap goal. A /metrics that lacks them is complemented by the trailer
 * of heap?debug=1, which then serves as the poll's heap profile (so this costs no extra request
 * on a poll that needed a heap profile anyway).
 */
async function complementGcFigures(ctx: PollContext): Promise<void> {
  const r = ctx.record;
  if (ctx.state.memstatsSource === 'heap-debug1' || (r.numGC !== null && r.nextGC !== null)) return;
  let ms: MemStats;
  try {
    ms = await readTrailer(ctx);
  } catch {
    return; // no heap?debug=1 either: the verdict says what is missing
  }
  r.gcFieldsSource = 'heap-debug1';
  r.numGC ??= ms.NumGC;
  r.nextGC ??= ms.NextGC;
  r.gcCpuFraction ??= ms.GCCPUFraction;
  r.lastGC ??= ms.LastGC > 0 ? ms.LastGC / 1e6 : null;
  r.numForcedGC ??= ms.NumForcedGC;
  r.stackInuse ??= ms.StackInuse;
  r.stackSys ??= ms.StackSys;
  if (r.runtimeSys === null) r.runtimeSys = ms.MSpanSys + ms.MCacheSys + ms.BuckHashSys + ms.GCSys + ms.OtherSys;
}

/** /proc: RSS and its split every poll; LazyFree and huge pages every few polls; free host memory. */
async function readProc(ctx: PollContext): Promise<void> {
  const { f, state, seq, record } = ctx;
  // No proven pid: asked again now and then (the service may have moved, or come into view).
  if (state.pid === null && reidentifyDue(state.identity, record.time)) await reidentify(ctx);
  if (state.pid === null) return;
  let statusBytes: Uint8Array;
  try {
    statusBytes = await f.fetch(seq, 'proc-status', state.pid);
  } catch {
    // The process we knew is gone although the port answers: it restarted between polls.
    try {
      await reidentify(ctx);
      if (state.pid === null) return;
      statusBytes = await f.fetch(seq, 'proc-status', state.pid);
      state.smapsFull = { lastReadAt: null, lastCostMs: null, named: null, split: null };
    } catch {
      state.pid = null;
      return;
    }
  }
  const status = parseProcStatus(text(statusBytes));
  record.pid = state.pid;
  if (status.vmRSS !== null) {
    record.rss = status.vmRSS;
    record.rssSource = 'proc';
  }
  record.rssAnon = status.rssAnon;
  record.rssFile = status.rssFile;
  record.threads = status.threads ?? record.threads;
  if (status.vmHWM !== null) record.maxRss = status.vmHWM;
  if (ctx.rediscovered || smapsDue(ctx)) {
    try {
      const smaps = parseSmapsRollup(text(await f.fetch(seq, 'proc-smaps', state.pid)));
      state.lastLazyFree = smaps.lazyFree;
      state.lastAnonHugePages = smaps.anonHugePages;
      state.lastSmaps = { seq, heapReleased: record.heapReleased, rss: record.rss };
    } catch {
      // smaps_rollup needs Linux 4.14 and the same user; LazyFree stays unknown
    }
  }
  record.lazyFree = state.lastLazyFree;
  record.anonHugePages = state.lastAnonHugePages;
  await readNamedMappings(ctx);
  record.hostMemAvailable = await f
    .fetch(seq, 'host-meminfo')
    .then((b) => parseMemAvailable(text(b)))
    .catch(() => null);
}

/** Non-Go memory above this (the MemStats bound) is worth an exact look through named mappings. */
const NON_GO_SUSPECT_BYTES = 16 * 2 ** 20;

/**
 * /proc/PID/smaps costs the kernel a walk of every mapping with per-mapping text (10–15× a
 * smaps_rollup with many mappings): read it only while memory outside Go is suspected, spaced by
 * its own cost, and never again for a process whose mappings carry no Go names.
 */
async function readNamedMappings(ctx: PollContext): Promise<void> {
  const { f, state, seq, record } = ctx;
  const sf = state.smapsFull;
  const suspected = (nonGoBytes(record) ?? 0) >= NON_GO_SUSPECT_BYTES;
  if (state.pid !== null && smapsFullDue({ nonGoSuspected: suspected, lastReadAt: sf.lastReadAt, lastCostMs: sf.lastCostMs, named: sf.named, now: record.time })) {
    const t0 = performance.now();
    try {
      const split = namedMappingSplit(parseSmaps(text(await f.fetch(seq, 'proc-smaps-full', state.pid))));
      sf.named = split.named;
      sf.split = split.named
        ? {
            goRss: split.go.rss,
            nonGoAnonymous: split.nonGo.anonymous,
            biggestNonGo: split.biggestNonGo.map((u) => ({ name: u.name, bytes: u.anonymous })),
            evidence: nonGoEvidence(split),
          }
        : null;
    } catch {
      sf.named = false; // unreadable (another user's process): do not try again for it
    }
    sf.lastReadAt = record.time;
    sf.lastCostMs = performance.now() - t0;
  }
  record.namedMappings = sf.split;
}

/** A move this large in HeapReleased or RSS since the last smaps_rollup read makes LazyFree stale. */
const SMAPS_STALE_BYTES = 8 * 2 ** 20;

/** smaps_rollup walks every mapping: read it every few polls, or at once when memory moved. */
function smapsDue(ctx: PollContext): boolean {
  const { state, seq, opts, record: r } = ctx;
  const last = state.lastSmaps;
  if (!last || state.lastLazyFree === null) return true;
  if (seq - last.seq >= opts.smapsEvery) return true;
  const moved = (a: number | null, b: number | null) => a !== null && b !== null && Math.abs(a - b) >= SMAPS_STALE_BYTES;
  return moved(r.heapReleased, last.heapReleased) || moved(r.rss, last.rss);
}

/** Without /proc: the service's own RSS from /metrics, else an estimate, each labelled. */
function fallbackRss(ctx: PollContext): void {
  const r = ctx.record;
  if (r.rss === null && ctx.metrics?.rss != null) {
    r.rss = ctx.metrics.rss;
    r.rssSource = 'metrics';
  }
  if (r.rss === null && r.sys !== null && r.heapReleased !== null) {
    r.rss = r.sys - r.heapReleased;
    r.rssSource = 'estimate';
  }
}

/** GOGC, GOMEMLIMIT and the live heap as the target's runtime reports them; its environment else. */
function fillGcModel(ctx: PollContext): void {
  const r = ctx.record;
  const env = ctx.state.env;
  if (ctx.metrics) fillGcFigures(r, ctx.metrics);
  if (r.gogc === null && env?.gogc != null) {
    r.gogc = env.gogc;
    r.gogcSource = 'environ';
  } else if (r.gogc === null && env) {
    // No GOGC in the environment: the runtime's default, unless the code calls SetGCPercent.
    r.gogc = 100;
    r.gogcSource = 'default';
  }
  if (r.memoryLimitGoSource === null && env) {
    r.memoryLimitGo = env.memoryLimit;
    r.memoryLimitGoSource = env.memoryLimit !== null ? 'environ' : 'none';
  }
  r.godebug = env?.godebug ?? null;
}

function noticeRestart(ctx: PollContext): void {
  const { state, record } = ctx;
  const restarted = state.restarts.observe(record, {
    pid: state.pid,
    pidStartTime: state.pidStartTime,
    metricsStartTime: ctx.metrics?.startTime ?? null,
    cmdline: ctx.rediscovered ? state.cmdline : null,
    rediscovered: ctx.rediscovered,
  });
  if (restarted) {
    // What we knew about the old process's heap and goroutines no longer applies.
    state.lastHeapNumGC = null;
    state.lastHeapInuse = null;
    state.lastHeapKept = null;
    state.lastGoroutineTotal = null;
  }
}

// ---- profiles -----------------------------------------------------------------------------------

/** Goroutine groups, refetched only when the cheap count moved (or every few polls). */
async function readGoroutineGroups(ctx: PollContext): Promise<void> {
  const { f, state, seq, opts, record } = ctx;
  const cheapCount = record.goroutines;
  const stale = seq - state.lastGoroutineSeq >= opts.goroutineGroupsEvery;
  if (cheapCount === null || cheapCount !== state.lastGoroutineTotal || stale) {
    try {
      const bytes = await f.fetch(seq, 'goroutine-debug1');
      const parsed = parseGoroutineDebug1(text(bytes));
      if (!parsed.ok) throw unexpected('goroutine?debug=1', bytes, 'the goroutine profile text');
      ctx.goroutines = parsed.value;
      state.lastGoroutineSeq = seq;
      // Compared with the next poll's cheap count, so keep the same kind of figure.
      state.lastGoroutineTotal = cheapCount ?? parsed.value.total;
      record.goroutines ??= parsed.value.total;
    } catch (e) {
      ctx.fail(e);
    }
  }
  if (record.goroutines === null) record.goroutines = state.lastGoroutineTotal;
}

/**
 * The heap profile describes the heap at the last completed GC: without a new GC there is
 * nothing new to fetch. A poll that read heap?debug=1 already has its profile.
 */
async function readHeapProfile(ctx: PollContext): Promise<void> {
  const { f, state, seq, record } = ctx;
  const haveText = state.memstatsSource === 'heap-debug1' || record.gcFieldsSource === 'heap-debug1';
  if (!haveText) {
    const gcMoved = record.numGC === null || record.numGC !== state.lastHeapNumGC || state.lastHeapInuse === null;
    if (gcMoved || record.restarted) {
      try {
        ctx.heap = await ctx.opts.decoder.decode(await f.fetch(seq, 'heap'), 'proto');
      } catch (e) {
        ctx.fail(e);
      }
    }
  }
  if (ctx.heap) {
    state.lastHeapNumGC = record.numGC;
    state.lastHeapInuse = heapInuse(ctx.heap);
    state.lastHeapKept = keptInuse(ctx.heap);
    record.heapProfileFetched = true;
  }
  record.heapProfileNumGC = state.lastHeapNumGC;
  record.heapProfileInuse = state.lastHeapInuse;
  record.heapProfileKept = state.lastHeapKept;
}

function heapInuse(p: Profile): number | null {
  const i = p.sampleTypes.findIndex((t) => t.type === 'inuse_space');
  return i >= 0 ? computeTotal(p, i) : null;
}
