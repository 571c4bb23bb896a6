// One poll's result: the memory figures from every source, side by side, with where each came
// from. Bytes are integers; null means "not known this poll". This is what `watch --json`
// prints and what a recording's timeline holds.

export type RssSource = 'proc' | 'metrics' | 'estimate';

/**
 * The Go runtime's own account of the memory it mapped (runtime/metrics /memory/classes/…:bytes,
 * as client_golang's WithGoCollectorRuntimeMetrics exports them). The classes add up to `total`
 * (= MemStats.Sys); all but heapReleased are resident unless never touched.
 */
export interface MemoryClasses {
  /** Live objects and dead ones not yet swept (= HeapAlloc). */
  heapObjects: number;
  /** Reserved for objects in spans in use but holding none: fragmentation (HeapInuse − HeapAlloc). */
  heapUnused: number;
  /** Free heap the runtime keeps, not returned to the OS (HeapIdle − HeapReleased). */
  heapFree: number;
  /** Free heap returned to the OS; resident only as LazyFree (MADV_FREE). */
  heapReleased: number;
  /** Goroutine stacks: heap/stacks + os-stacks (= StackSys). */
  stacks: number;
  /** Runtime metadata: mspan and mcache (in use and free) and the GC's other metadata. */
  metadata: number;
  /** The profiling bucket hash table (= BuckHashSys). */
  profiling: number;
  /** Everything else the runtime mapped (= OtherSys). */
  other: number;
  total: number;
}
export type MemStatsSource = 'metrics' | 'expvar' | 'heap-debug1';

export interface PollRecord {
  seq: number;
  /** ms since the epoch. */
  time: number;
  ok: boolean;
  error?: { kind: string; message: string };
  /** The target restarted since the previous good poll (why in restartReason). */
  restarted?: boolean;
  restartReason?: string;
  pid: number | null;

  /** Resident set size and where it came from: /proc (VmRSS), the target's /metrics, or an estimate (Sys − HeapReleased). */
  rss: number | null;
  rssSource: RssSource | null;
  rssAnon: number | null;
  rssFile: number | null;
  /** MADV_FREE pages the kernel still counts in RSS (smaps_rollup), read every few polls. */
  lazyFree: number | null;
  /** Peak RSS (VmHWM or MemStats MaxRSS). */
  maxRss: number | null;
  threads: number | null;

  memstatsSource: MemStatsSource | null;
  heapAlloc: number | null;
  heapInuse: number | null;
  heapIdle: number | null;
  heapReleased: number | null;
  heapSys: number | null;
  heapObjects: number | null;
  sys: number | null;
  stackInuse: number | null;
  stackSys: number | null;
  totalAlloc: number | null;
  nextGC: number | null;
  numGC: number | null;
  /** Go's runtime metadata and other non-heap runtime memory: MSpanSys + MCacheSys + BuckHashSys + GCSys + OtherSys. */
  runtimeSys: number | null;
  /** Where NumGC/NextGC came from when the MemStats source lacked them (the heap?debug=1 trailer). */
  gcFieldsSource: MemStatsSource | null;

  // ---- the GC's own model (what the pacer works from) ----
  /** Live heap marked by the last GC (/gc/heap/live:bytes, go_gc_heap_live_bytes; Go >= 1.21). */
  gcHeapLive: number | null;
  /** The effective GOGC (percent; -1 = off) where the target says: metrics, else its environment. */
  gogc: number | null;
  gogcSource: 'metrics' | 'environ' | 'default' | null;
  /** GOMEMLIMIT in bytes where the target says (null: none set, or unknown: see the source). */
  memoryLimitGo: number | null;
  memoryLimitGoSource: 'metrics' | 'environ' | 'none' | null;
  /** GODEBUG from the target's environment (e.g. madvdontneed=0), only that variable. */
  godebug: string | null;
  /** Share of CPU used by the GC since the process started (MemStats.GCCPUFraction). */
  gcCpuFraction: number | null;
  /** End of the last GC, ms since the epoch. */
  lastGC: number | null;
  numForcedGC: number | null;
  /** Process start, ms since the epoch (/proc stat or process_start_time_seconds). */
  processStart: number | null;
  /** Huge pages in the process's anonymous memory (smaps_rollup AnonHugePages). */
  anonHugePages: number | null;
  /** The host's MemAvailable (/proc/meminfo), for the runway when nothing lower limits memory. */
  hostMemAvailable: number | null;
  /** The effective memory limit of the service's cgroup (lowest over its ancestors), when it has one. */
  memoryLimit: number | null;
  /** The cgroup's working set (usage − inactive_file: what docker stats and kubectl top show); only under a limit. */
  workingSet: number | null;
  /**
   * Go's named mappings (Go >= 1.25 on a kernel that names them) read from /proc/PID/smaps while
   * non-Go memory is suspected: the exact anonymous memory outside Go, and its biggest mappings.
   */
  namedMappings: { goRss: number; nonGoAnonymous: number; biggestNonGo: Array<{ name: string; bytes: number }>; evidence: string | null } | null;

  /** The runtime's memory classes, where the service exports them (/metrics; source: metrics). */
  memoryClasses: MemoryClasses | null;

  goroutines: number | null;

  // ---- which process, and the container's view of memory ----
  /**
   * How `pid` was proven to be the service (`pid 4242 serves port 6060 (through node (pid 812), in
   * network namespace …): …`), or why no /proc was read (`port 6060 is served by docker-proxy (pid
   * 812); the Go service was not found on this host: RSS from /metrics`).
   */
  identity: string | null;
  /** The service's memory cgroup (as /proc/PID/cgroup names it) and the hierarchy's version. */
  cgroupPath: string | null;
  cgroupVersion: 1 | 2 | null;
  /** Processes in the cgroup that holds the limit (the service shares the limit with them). */
  cgroupProcs: number | null;
  /** Charged to that cgroup (v2 memory.current, v1 memory.usage_in_bytes), page cache included. */
  memoryUsage: number | null;
  /** Which file of which cgroup (`memory.limit_in_bytes of /docker/abc`). */
  memoryLimitSource: string | null;
  /** memory.stat of that cgroup (v1 total_rss/total_cache/total_shmem/total_inactive_file). */
  cgroupAnon: number | null;
  cgroupFile: number | null;
  cgroupShmem: number | null;
  cgroupInactiveFile: number | null;
  /** OOM kills counted in the service's cgroup (v2 memory.events, v1 memory.oom_control). */
  oomKills: number | null;
  /** PSI: share of the last 10 s some task of the cgroup stalled on memory (%). */
  memoryPressure: number | null;
  /** Why no working set is shown (no limit: the cgroup is shared with the host; unreadable). */
  cgroupNote: string | null;
  /** An OOM kill noticed this poll (the oom_kill counter moved, or a restart at ≥ 90% of the limit), said as such. */
  oomKill: string | null;

  /** A heap profile was fetched this poll (else the last one still holds: no GC since). */
  heapProfileFetched: boolean;
  /** NumGC as of the heap profile in use: the profile describes the heap at that GC. */
  heapProfileNumGC: number | null;
  /** inuse_space total of the heap profile in use. */
  heapProfileInuse: number | null;
  /** Its part held by stacks that keep what they allocate (kept-heap.ts): what can leak. */
  heapProfileKept: number | null;
}

export function emptyRecord(seq: number, time: number): PollRecord {
  return {
    seq,
    time,
    ok: true,
    pid: null,
    rss: null,
    rssSource: null,
    rssAnon: null,
    rssFile: null,
    lazyFree: null,
    maxRss: null,
    threads: null,
    memstatsSource: null,
    heapAlloc: null,
    heapInuse: null,
    heapIdle: null,
    heapReleased: null,
    heapSys: null,
    heapObjects: null,
    sys: null,
    stackInuse: null,
    stackSys: null,
    totalAlloc: null,
    nextGC: null,
    numGC: null,
    runtimeSys: null,
    gcFieldsSource: null,
    gcHeapLive: null,
    gogc: null,
    gogcSource: null,
    memoryLimitGo: null,
    memoryLimitGoSource: null,
    godebug: null,
    gcCpuFraction: null,
    lastGC: null,
    numForcedGC: null,
    processStart: null,
    anonHugePages: null,
    hostMemAvailable: null,
    memoryLimit: null,
    workingSet: null,
    namedMappings: null,
    memoryClasses: null,
    goroutines: null,
    identity: null,
    cgroupPath: null,
    cgroupVersion: null,
    cgroupProcs: null,
    memoryUsage: null,
    memoryLimitSource: null,
    cgroupAnon: null,
    cgroupFile: null,
    cgroupShmem: null,
    cgroupInactiveFile: null,
    oomKills: null,
    memoryPressure: null,
    cgroupNote: null,
    oomKill: null,
    heapProfileFetched: false,
    heapProfileNumGC: null,
    heapProfileInuse: null,
    heapProfileKept: null,
  };
}

/** The `watch --json` form: ISO time, optional fields only when set. */
export function recordToJson(r: PollRecord, extra: Record<string, unknown> = {}): string {
  const { time, ok, error, restarted, restartReason, ...rest } = r;
  return JSON.stringify({
    time: new Date(time).toISOString(),
    ok,
    ...(error ? { error: error.message, errorKind: error.kind } : {}),
    ...(restarted ? { restarted: true, restartReason } : {}),
    ...rest,
    ...extra,
  });
}
