// Says what a blob that is not a pprof protobuf looks like, so the user learns what they
// fetched (a login page, the debug=1 text, expvar JSON…) and how to ask for the profile.
// Probes in order, each one recognising its own format, like pprof's parseLegacy.

const CONVERT_HINT = 'convert it with `go tool pprof -proto FILE > FILE.pb.gz`';

interface Probe {
  test(text: string, bytes: Uint8Array): boolean;
  /** What the bytes are, as a noun phrase. */
  what: string;
  /** What to do instead, when we know. */
  advice?: string;
  /** "which livepprof does not read" rather than "not the protobuf". */
  unsupported?: boolean;
}

const WITHOUT_DEBUG = 'fetch the endpoint without ?debug=1';

/** What describeBody calls net/http/pprof's index page. */
export const INDEX_PAGE = 'the pprof index page (HTML)';

const PROBES: Probe[] = [
  {
    // What the page itself says (its title, its list, its dump link), not a mere mention of the
    // path: a login page that returns to /debug/pprof/ after sign-in is not the index.
    test: (t) => /^\s*(<!doctype html|<html)/i.test(t) && /<title>[^<]*\/debug\/pprof\/[^<]*<\/title>|Types of profiles available|full goroutine stack dump/.test(t),
    what: INDEX_PAGE,
    advice: 'add the profile name to the URL, e.g. …/debug/pprof/heap',
  },
  {
    test: (t) => /^\s*(<!doctype html|<html|<head|<body|<\?xml|<title)/i.test(t) || /^\s*<[a-zA-Z!]/.test(t),
    what: 'an HTML page (a login page, proxy or error page?)',
    advice: 'check the URL and any auth headers',
  },
  { test: (t) => /^\s*\{/.test(t) && /"memstats"\s*:/.test(t), what: 'expvar JSON (/debug/vars)' },
  { test: (t) => /^\s*[[{]/.test(t), what: 'JSON' },
  {
    test: (t) => /^heap profile: /.test(t) && /@ heap(_v2)?\//.test(t.slice(0, 200)),
    what: 'the legacy text heap format (heap?debug=1)',
    advice: `${WITHOUT_DEBUG} (or with debug=0)`,
  },
  {
    test: (t) => /^(heap profile: |--- (heapz|growthz) )/.test(t),
    what: 'a legacy text heap profile (gperftools/old Go)',
    unsupported: true,
  },
  { test: (t) => /^goroutine profile: total \d+/.test(t), what: 'the legacy text goroutine format (goroutine?debug=1)', advice: WITHOUT_DEBUG },
  {
    test: (t) => /^goroutine \d+ .*\[.*\]:/.test(t),
    what: 'a goroutine stack dump (goroutine?debug=2)',
    advice: 'fetch goroutine without ?debug=2',
  },
  {
    test: (t) => /^threadcreate profile: total \d+/.test(t),
    what: 'the legacy text threadcreate format (threadcreate?debug=1)',
    advice: WITHOUT_DEBUG,
  },
  {
    test: (t) => /^--- (contention|mutex):?\s*\n\s*cycles\/second/.test(t),
    what: 'the legacy text block/mutex format (?debug=1)',
    advice: WITHOUT_DEBUG,
  },
  {
    test: (t) => /^--- (contentionz|threadz|heapz|mutex|contention)\b/.test(t),
    what: 'a legacy text profile (gperftools or Java)',
    unsupported: true,
  },
  { test: (t) => /^go \d+\.\d+ trace\0/.test(t), what: 'a Go execution trace', advice: 'open it with `go tool trace`' },
  { test: (t) => looksLikePrometheus(t), what: 'Prometheus metrics text' },
  { test: (t) => /^[^\0\n]+\0[^\n]*$/.test(t.slice(0, 4096)), what: 'a NUL-separated command line (/debug/pprof/cmdline)' },
  { test: (_t, b) => isLegacyBinaryCpu(b), what: 'a legacy binary CPU profile (gperftools / Go before 1.9)', unsupported: true },
];

function phrase(p: Probe): string {
  if (p.unsupported) return `${p.what}, which livepprof does not read: ${CONVERT_HINT}`;
  const isText = /text|dump|format/.test(p.what) && !/Prometheus/.test(p.what);
  return `${p.what}, not ${isText ? 'the protobuf' : 'a profile'}${p.advice ? `: ${p.advice}` : ''}`;
}

/** gperftools/Java CPU header: words 0 (header marker) and 3 (header size), 32- or 64-bit, either byte order. */
function isLegacyBinaryCpu(b: Uint8Array): boolean {
  if (b.length < 16) return false;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (const little of [true, false]) {
    if (dv.getUint32(0, little) === 0 && dv.getUint32(4, little) === 3) return true;
    if (dv.getBigUint64(0, little) === 0n && dv.getBigUint64(8, little) === 3n) return true;
  }
  return false;
}

const METRIC_LINE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}\n]*\})? ([-+0-9.eE]+|[-+]?Inf|NaN)( -?\d+)?$/;

/** `# HELP`/`# TYPE` first, or several `name{labels} value` lines in a row. */
function looksLikePrometheus(t: string): boolean {
  const lines = t.split('\n', 20).filter((l) => l.trim() !== '');
  if (lines.length === 0) return false;
  if (/^# (HELP|TYPE) [a-zA-Z_:]/.test(lines[0]!)) return true;
  const metricLines = lines.filter((l) => METRIC_LINE.test(l));
  return metricLines.length >= 3 && metricLines.length === lines.length;
}

/**
 * Mostly printable in the first 512 bytes. A byte ≥ 0x80 counts only inside a well-formed UTF-8
 * sequence: a protobuf's varints are full of high bytes, but rarely valid UTF-8.
 */
export function looksLikeText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 512);
  let printable = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
    if (c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127)) printable++;
    else if (c >= 0xc2 && c <= 0xf4) {
      const len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
      let ok = true;
      for (let k = 1; k < len && ok; k++) ok = i + k >= n || (b[i + k]! & 0xc0) === 0x80; // cut at the probe's end: give it the benefit
      if (ok) {
        printable += Math.min(len, n - i);
        i += len - 1;
      }
    }
  }
  return n > 0 && printable / n > 0.95;
}

/** Describes bytes that are not a pprof protobuf, as a phrase: "an HTML page (…), not a profile: …". */
export function describeNonProfile(bytes: Uint8Array): string | null {
  if (bytes.length === 0) return 'empty input (0 bytes), not a profile';
  const probe = matchProbe(bytes);
  if (probe) return phrase(probe);
  if (looksLikeText(bytes)) return `text that is not a pprof profile (it starts with ${firstLineOf(bytes)})`;
  return null;
}

function headText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 4096));
}

function firstLineOf(bytes: Uint8Array): string {
  return JSON.stringify((headText(bytes).split('\n').find((l) => l.trim() !== '') ?? '').trim().slice(0, 60));
}

function matchProbe(bytes: Uint8Array): Probe | undefined {
  const head = headText(bytes);
  return PROBES.find((p) => p.test(head, bytes));
}

/**
 * What a response body is, as a noun phrase ("an HTML page (…)", "empty", "text starting with
 * …"), for an endpoint that got something other than what it expected.
 */
export function describeBody(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'an empty body';
  const probe = matchProbe(bytes);
  if (probe) return probe.what;
  if (looksLikeText(bytes)) return `text starting with ${firstLineOf(bytes)}`;
  return `${bytes.length} bytes of binary data`;
}
