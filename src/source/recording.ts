// Recordings: a directory with every raw answer a poll got (HTTP bodies, /proc files, the
// clock) plus the derived timeline as JSONL. Replaying runs the same poll logic over those
// bytes. Directories are 0700 and files 0600: profiles and command lines are sensitive, and
// request headers (tokens) are never written.
//
// Format versions (the FORMAT file; recordings without one are version 1):
//   1  polls/NNNNNN/<endpoint>.<ext> and <endpoint>.error.json, time.txt; meta.json; timeline.jsonl
//   2  the same, plus what the full-screen view fetched on demand (goroutine?debug=2 when a group
//      was opened), saved in the poll it was fetched after; FORMAT names the version

import { existsSync } from 'node:fs';
import { appendFile, chmod, mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LivepprofError, errorMessage, isLivepprofError, type ErrorKind } from '../errors.js';
import type { Endpoint, Fetcher } from './fetcher.js';
import type { Target } from './target.js';
import { parseTarget } from './target.js';

export const RECORDING_VERSION = 2;
/** The versions this livepprof replays. */
const READABLE_VERSIONS = [1, 2];
const META = 'meta.json';
const TIMELINE = 'timeline.jsonl';
const FORMAT = 'FORMAT';
const FORMAT_NAME = 'livepprof-recording';

/** Endpoints fetched only when the user asks (not every poll has one): a replay uses the latest before. */
const ON_DEMAND: ReadonlySet<Endpoint> = new Set(['goroutine-debug2']); // the message in fetchOnDemand names it

export interface RecordingMeta {
  version: number;
  tool: 'livepprof';
  createdAt: string;
  /** The target as given (host:port or URL); never contains credentials. */
  target: string;
  intervalMs: number;
  gc: boolean;
}

const EXTENSIONS: Record<Endpoint, string> = {
  index: 'html',
  cmdline: 'bin',
  metrics: 'txt',
  vars: 'json',
  heap: 'pb.gz',
  'heap-debug1': 'txt',
  'goroutine-debug1': 'txt',
  'goroutine-debug2': 'txt',
  'goroutineleak-debug1': 'txt',
  pid: 'txt',
  'proc-status': 'txt',
  'proc-smaps': 'txt',
  'proc-smaps-full': 'txt',
  'proc-stat': 'txt',
  'proc-environ': 'txt',
  'host-meminfo': 'txt',
  identity: 'json',
  cgroup: 'json',
};

function pollDir(root: string, seq: number): string {
  return join(root, 'polls', String(seq).padStart(6, '0'));
}

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

export function isRecordingDir(path: string): boolean {
  return existsSync(join(path, META));
}

/** Any file-system failure while recording, as one line (a full disk is not a livepprof bug). */
function ioError(what: string, e: unknown): LivepprofError {
  return new LivepprofError('io', `cannot ${what}: ${errorMessage(e)}`);
}

/**
 * Creates DIR for a new recording; an existing non-empty DIR is refused unless `force`, which
 * replaces the recording in it (its polls, timeline and meta) and leaves other files alone.
 */
async function prepareDir(dir: string, force: boolean): Promise<void> {
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) throw new LivepprofError('usage', `${dir} exists and is not a directory`);
    const entries = await readdir(dir);
    if (entries.length > 0 && !force) {
      throw new LivepprofError('usage', `${dir} is not empty; choose another --out or pass --force to write into it`);
    }
    // An old recording's polls would otherwise be replayed as if they were this one's.
    for (const name of ['polls', TIMELINE, META, FORMAT]) await rm(join(dir, name), { recursive: true, force: true });
    // The directory may have been made by someone else with looser permissions.
    await chmod(dir, DIR_MODE);
  } catch (e) {
    if (isLivepprofError(e)) throw e;
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(`use ${dir}`, e);
  }
  await mkdir(join(dir, 'polls'), { recursive: true, mode: DIR_MODE }).catch((e: unknown) => {
    throw ioError(`create ${dir}`, e);
  });
}

async function writePrivate(path: string, data: Uint8Array | string): Promise<void> {
  try {
    const fh = await open(path, 'w', FILE_MODE);
    try {
      await fh.writeFile(data);
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw ioError(`write ${path}`, e);
  }
}

export class RecordingWriter {
  private readonly madeDirs = new Set<number>();

  private constructor(readonly dir: string) {}

  static async create(dir: string, meta: Omit<RecordingMeta, 'version' | 'tool' | 'createdAt'>, force = false): Promise<RecordingWriter> {
    await prepareDir(dir, force);
    const full: RecordingMeta = { version: RECORDING_VERSION, tool: 'livepprof', createdAt: new Date().toISOString(), ...meta };
    await writePrivate(join(dir, FORMAT), `${FORMAT_NAME} ${RECORDING_VERSION}\n`);
    await writePrivate(join(dir, META), JSON.stringify(full, null, 2) + '\n');
    await writePrivate(join(dir, TIMELINE), '');
    return new RecordingWriter(dir);
  }

  private async ensurePollDir(seq: number): Promise<string> {
    const d = pollDir(this.dir, seq);
    if (!this.madeDirs.has(seq)) {
      await mkdir(d, { recursive: true, mode: DIR_MODE }).catch((e: unknown) => {
        throw ioError(`create ${d}`, e);
      });
      this.madeDirs.add(seq);
      if (this.madeDirs.size > 64) this.madeDirs.delete(Math.min(...this.madeDirs));
    }
    return d;
  }

  /** A fetcher that passes everything through `inner` and saves it. */
  wrap(inner: Fetcher): Fetcher {
    const save = async (seq: number, name: string, data: Uint8Array | string) => writePrivate(join(await this.ensurePollDir(seq), name), data);
    return {
      target: inner.target,
      now: (seq) => {
        const t = inner.now(seq);
        void save(seq, 'time.txt', String(t)).catch(() => undefined);
        return t;
      },
      fetch: async (seq, endpoint, pid) => {
        try {
          const bytes = await inner.fetch(seq, endpoint, pid);
          await save(seq, `${endpoint}.${EXTENSIONS[endpoint]}`, bytes);
          return bytes;
        } catch (e) {
          const err = isLivepprofError(e) ? { kind: e.kind, message: e.message } : { kind: 'network', message: errorMessage(e) };
          await save(seq, `${endpoint}.error.json`, JSON.stringify(err) + '\n');
          throw e;
        }
      },
      requestCount: () => inner.requestCount(),
      close: () => inner.close(),
    };
  }

  async appendRecord(record: unknown): Promise<void> {
    const path = join(this.dir, TIMELINE);
    await appendFile(path, JSON.stringify(record) + '\n', { mode: FILE_MODE }).catch((e: unknown) => {
      throw ioError(`write ${path}`, e);
    });
  }
}

/** The FORMAT file's version; a recording made before there was one says so in meta.json (1). */
async function formatVersion(dir: string, meta: RecordingMeta): Promise<number> {
  let text: string;
  try {
    text = await readFile(join(dir, FORMAT), 'utf8');
  } catch {
    return meta.version;
  }
  const m = new RegExp(`^${FORMAT_NAME} (\\d+)\\s*$`).exec(text);
  if (!m) throw new LivepprofError('io', `${dir}/${FORMAT} does not name a livepprof recording format (${JSON.stringify(text.slice(0, 40))})`);
  return Number(m[1]);
}

export interface Recording {
  dir: string;
  /** The format version it was written in (see the top of this file). */
  version: number;
  meta: RecordingMeta;
  target: Target;
  /** The derived records as recorded (for comparison and quick playback). */
  timeline: unknown[];
  /** Poll sequence numbers present, in order. */
  seqs: number[];
}

export async function openRecording(dir: string): Promise<Recording> {
  let meta: RecordingMeta;
  try {
    meta = JSON.parse(await readFile(join(dir, META), 'utf8')) as RecordingMeta;
  } catch (e) {
    throw new LivepprofError('io', `${dir} is not a livepprof recording (cannot read ${META}: ${errorMessage(e)})`);
  }
  const version = await formatVersion(dir, meta);
  if (meta.tool !== 'livepprof' || !READABLE_VERSIONS.includes(version)) {
    throw new LivepprofError(
      'io',
      `${dir} is a recording of another format (version ${version}); this livepprof reads versions ${READABLE_VERSIONS.join(' and ')}: replay it with the livepprof that made it`,
    );
  }
  const timelineText = await readFile(join(dir, TIMELINE), 'utf8').catch(() => '');
  const timeline = timelineText
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as unknown];
      } catch {
        return []; // a line cut off by a crash mid-write
      }
    });
  const seqs = (await readdir(join(dir, 'polls')).catch(() => []))
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);
  return { dir, version, meta, target: parseTarget(meta.target), timeline, seqs };
}

/** Serves a recording back: the same bytes and errors, poll by poll. */
export class ReplayFetcher implements Fetcher {
  readonly target: Target;

  constructor(private readonly rec: Recording) {
    this.target = rec.target;
  }

  now(seq: number): number {
    let t = this.times.get(seq);
    if (t === undefined) {
      // time.txt is written in the background while recording and can be lost (a crash, a full
      // disk): one interval after the poll before keeps the replay going.
      t = (this.times.get(seq - 1) ?? 0) + this.rec.meta.intervalMs;
      this.times.set(seq, t);
    }
    return t;
  }

  private readonly times = new Map<number, number>();

  /** Loads the clock of every poll (small files) so now() can answer synchronously. */
  async load(): Promise<this> {
    const fromTimeline = new Map<number, number>();
    for (const r of this.rec.timeline as Array<{ seq?: unknown; time?: unknown }>) {
      if (typeof r?.seq === 'number' && typeof r.time === 'number') fromTimeline.set(r.seq, r.time);
    }
    await Promise.all(
      this.rec.seqs.map(async (seq) => {
        const text = await readFile(join(pollDir(this.rec.dir, seq), 'time.txt'), 'utf8').catch(() => null);
        const t = text === null ? NaN : Number(text);
        const known = Number.isFinite(t) ? t : fromTimeline.get(seq);
        if (known !== undefined) this.times.set(seq, known);
      }),
    );
    return this;
  }

  async fetch(seq: number, endpoint: Endpoint): Promise<Uint8Array> {
    if (ON_DEMAND.has(endpoint)) return this.fetchOnDemand(seq, endpoint);
    const d = pollDir(this.rec.dir, seq);
    try {
      return new Uint8Array(await readFile(join(d, `${endpoint}.${EXTENSIONS[endpoint]}`)));
    } catch {
      // not a response: maybe a recorded failure
    }
    let err: { kind: ErrorKind; message: string } | null = null;
    try {
      err = JSON.parse(await readFile(join(d, `${endpoint}.error.json`), 'utf8')) as { kind: ErrorKind; message: string };
    } catch {
      throw new LivepprofError('replay', `the recording has no ${endpoint} for poll ${seq}`);
    }
    throw new LivepprofError(err.kind, err.message);
  }

  /**
   * What was fetched on demand is in the poll it followed, not in every poll: serve the latest
   * one recorded up to `seq`, as the live view showed it from then on.
   */
  private async fetchOnDemand(seq: number, endpoint: Endpoint): Promise<Uint8Array> {
    const name = `${endpoint}.${EXTENSIONS[endpoint]}`;
    const has = (s: number) => existsSync(join(pollDir(this.rec.dir, s), name));
    const found = this.rec.seqs.filter((s) => s <= seq).reverse().find(has);
    if (found !== undefined) return new Uint8Array(await readFile(join(pollDir(this.rec.dir, found), name)));
    const later = this.rec.seqs.find((s) => s > seq && has(s));
    throw new LivepprofError(
      'replay',
      later !== undefined
        ? `no goroutine?debug=2 dump was recorded by poll ${seq}; the first one is at poll ${later}: open the group again then`
        : 'this recording holds no goroutine?debug=2 dump: `livepprof record` fetches nothing on demand; record from the full-screen view (`livepprof TARGET --record DIR`) and open a group there',
    );
  }

  requestCount(): number {
    return 0;
  }

  async close(): Promise<void> {}
}
