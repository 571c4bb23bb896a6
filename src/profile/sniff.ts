// Says what a blob that is not a pprof protobuf looks like, so the user learns what they
// fetched (a login page, the debug=1 text, expvar JSON…) and how to ask for the profile.
// Probes in order, each one recognising its own format, like pprof's parseLegacy.

const CONVERT_HINT = 'convert it with `go tool pprof -proto FILE > FILE.pb.gz`';

interface Probe {
  test(text: string, bytes: Uint8Array): boolean;
  describe: string;
}

const PROBES: Probe[] = [
  {
    test: (t) => /^\s*(<!doctype html|<html)/i.test(t) && /Types of profiles available|\/debug\/pprof\//.test(t),
    describe: 'the pprof index page (HTML), not a profile: add the profile name to the URL, e.g. …/debug/pprof/heap',
  },
  {
    test: (t) => /^\s*(<!doctype html|<html|<head|<body|<\?xml|<title)/i.test(t) || /^\s*<[a-zA-Z!]/.test(t),
    describe: 'an HTML page (a login page, proxy or error page?), not a profile: check the URL and any auth headers',
  },
  {
    test: (t) => /^\s*\{/.test(t) && /"memstats"\s*:/.test(t),
    describe: 'expvar JSON (/debug/vars), not a profile',
  },
  { test: (t) => /^\s*[[{]/.test(t), describe: 'JSON, not a profile' },
  {
    test: (t) => /^heap profile: /.test(t) && /@ heap(_v2)?\//.test(t.slice(0, 200)),
    describe:
      'the legacy text heap format (heap?debug=1), not the protobuf: fetch the endpoint without ?debug=1 (or with debug=0)',
  },
  {
    test: (t) => /^(heap profile: |--- (heapz|growthz) )/.test(t),
    describe: `a legacy text heap profile (gperftools/old Go), which livepprof does not read: ${CONVERT_HINT}`,
  },
  {
    test: (t) => /^goroutine profile: total \d+/.test(t),
    describe:
      'the legacy text goroutine format (goroutine?debug=1), not the protobuf: fetch the endpoint without ?debug=1',
  },
  {
    test: (t) => /^goroutine \d+ .*\[.*\]:/.test(t),
    describe: 'a goroutine stack dump (goroutine?debug=2), not a profile: fetch goroutine without ?debug=2',
  },
  {
    test: (t) => /^threadcreate profile: total \d+/.test(t),
    describe: 'the legacy text threadcreate format (threadcreate?debug=1), not the protobuf: fetch it without ?debug=1',
  },
  {
    test: (t) => /^--- (contention|mutex):?\s*\n\s*cycles\/second/.test(t),
    describe: 'the legacy text block/mutex format (?debug=1), not the protobuf: fetch the endpoint without ?debug=1',
  },
  {
    test: (t) => /^--- (contentionz|threadz|heapz|mutex|contention)\b/.test(t),
    describe: `a legacy text profile (gperftools or Java), which livepprof does not read: ${CONVERT_HINT}`,
  },
  { test: (t) => /^go \d+\.\d+ trace\0/.test(t), describe: 'a Go execution trace (open it with `go tool trace`), not a profile' },
  { test: (t) => looksLikePrometheus(t), describe: 'Prometheus metrics text, not a profile' },
  {
    test: (t) => /^[^\0\n]+\0[^\n]*$/.test(t.slice(0, 4096)),
    describe: 'a NUL-separated command line (/debug/pprof/cmdline), not a profile',
  },
  { test: (_t, b) => isLegacyBinaryCpu(b), describe: `a legacy binary CPU profile (gperftools / Go before 1.9), which livepprof does not read: ${CONVERT_HINT}` },
];

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

/** Mostly printable in the first 512 bytes: a protobuf profile starts with binary tags and varints. */
export function looksLikeText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 512);
  let printable = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
    if (c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c >= 128) printable++;
  }
  return n > 0 && printable / n > 0.95;
}

/** Describes bytes that are not a pprof protobuf, as a phrase: "an HTML page (…), not a profile: …". */
export function describeNonProfile(bytes: Uint8Array): string | null {
  if (bytes.length === 0) return 'empty input (0 bytes), not a profile';
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 4096));
  for (const probe of PROBES) {
    if (probe.test(head, bytes)) return probe.describe;
  }
  if (looksLikeText(bytes)) {
    const first = (head.split('\n').find((l) => l.trim() !== '') ?? '').trim().slice(0, 60);
    return `text that is not a pprof profile (it starts with ${JSON.stringify(first)})`;
  }
  return null;
}
