/**
 * Text forms of the goroutine profile:
 *  - `goroutine?debug=1` / `threadcreate?debug=1`: stacks grouped by PCs + labels, with counts
 *    (docs/formats.md#goroutine-groups-text);
 *  - `goroutine?debug=2`: one panic-style traceback per goroutine, with state and wait time
 *    (docs/formats.md#goroutine-dump-text).
 * Pure, line-oriented parsers: every regex is anchored and free of nested quantifiers, and each
 * line is looked at a bounded number of times, so cost is linear in the input size.
 */
import { parseFail, parseOk, snippet, type ParseResult } from './parse-result.js';

export interface SourceFrame {
  func: string;
  file: string;
  /** 0 when the location could not be read. */
  line: number;
}

// ---------------------------------------------------------------------------------------------
// debug=1 (grouped)

export interface CountProfileGroup {
  count: number;
  /** Return PCs after `@`, as printed (`0x43d576`). */
  pcs: string[];
  /** pprof labels (`# labels:` line, Go ≥ 1.15); null when the group has none. */
  labels: Record<string, string> | null;
  /** Symbolized frames, leaf first; runtime frames are already hidden by Go. */
  frames: SourceFrame[];
}

export interface CountProfile {
  /** Name from the header: `goroutine`, `threadcreate`, or a custom profile's name. */
  profile: string;
  /** `total N` from the header (runtime.NumGoroutine for goroutine). */
  total: number;
  groups: CountProfileGroup[];
}

const COUNT_PROFILE_HEADER = /^(\S+) profile: total (\d+)$/;
const GROUP_HEADER = /^(\d+) @(.*)$/;
const PC_TOKEN = /^0x[0-9a-f]+$/;

/**
 * `goroutine?debug=1` (also `threadcreate?debug=1`). A truncated body yields the groups read so
 * far; only a missing header is an error.
 */
export function parseGoroutineDebug1(text: string): ParseResult<CountProfile> {
  const lines = splitLines(text);
  const headerIndex = lines.findIndex((line) => line !== '');
  const header = headerIndex < 0 ? null : COUNT_PROFILE_HEADER.exec(lines[headerIndex]!);
  if (!header) {
    return parseFail(
      headerIndex < 0
        ? 'empty goroutine?debug=1 body'
        : `not a goroutine?debug=1 profile: first line is ${snippet(lines[headerIndex]!)}, expected "goroutine profile: total N"`,
    );
  }
  const groups: CountProfileGroup[] = [];
  let current: CountProfileGroup | null = null;
  for (let i = headerIndex + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') {
      current = null;
      continue;
    }
    const group = parseGroupHeader(line);
    if (group) {
      current = group;
      groups.push(group);
    } else if (current && line.startsWith('# labels: ')) {
      current.labels = parseLabelSet(line.slice('# labels: '.length));
    } else if (current && line.startsWith('#\t')) {
      const frame = parseDebug1Frame(line);
      if (frame) current.frames.push(frame);
    }
    // Anything else (garbage, a cut line) is skipped rather than failing the whole profile.
  }
  return parseOk({ profile: header[1]!, total: Number(header[2]), groups });
}

/** `<count> @ 0x… 0x…` (threadcreate prints `7 @` with no PCs for stackless records). */
function parseGroupHeader(line: string): CountProfileGroup | null {
  const m = GROUP_HEADER.exec(line);
  if (!m) return null;
  const pcs = m[2]!.split(' ').filter((token) => token !== '');
  if (!pcs.every((pc) => PC_TOKEN.test(pc))) return null;
  return { count: Number(m[1]), pcs, labels: null, frames: [] };
}

/**
 * `#\t<pc>\t<func>+0x<off>\t<file>:<line>`; tabwriter pads columns with extra tabs. An unknown PC
 * prints as `#\t0x…` alone and yields no frame; so does a line cut before its `file:line`.
 */
function parseDebug1Frame(line: string): SourceFrame | null {
  const columns = line.slice(2).split(/\t+/);
  if (columns.length < 3 || columns[1] === '') return null;
  const location = splitFileLine(columns.slice(2).join('\t'));
  if (!location) return null;
  const funcWithOffset = columns[1]!;
  const plus = funcWithOffset.lastIndexOf('+0x');
  const func = plus > 0 ? funcWithOffset.slice(0, plus) : funcWithOffset;
  return { func, file: location.file, line: location.line };
}

/** `path/to/file.go:123` → split at the last `:` (Windows paths have a drive colon); null if not. */
function splitFileLine(text: string): { file: string; line: number } | null {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return null;
  const lineText = text.slice(colon + 1);
  if (!/^\d{1,9}$/.test(lineText)) return null;
  return { file: text.slice(0, colon), line: Number(lineText) };
}

// ---------------------------------------------------------------------------------------------
// pprof label sets: `{"k":"v", "k2":"v2"}` with Go %q strings

/**
 * Parse a Go-formatted label set. Keys/values are Go `%q` strings (escapes like `\"`, `\n`,
 * `\x00`, `\u00e9`). Returns null when malformed: unknown labels are better than wrong ones.
 */
export function parseLabelSet(text: string): Record<string, string> | null {
  const entries: Array<[string, string]> = [];
  let i = skipSpaces(text, 0);
  if (text[i] !== '{') return null;
  i = skipSpaces(text, i + 1);
  if (text[i] === '}') return {};
  for (;;) {
    const key = readGoQuoted(text, i);
    if (!key) return null;
    i = skipSpaces(text, key.end);
    if (text[i] !== ':') return null;
    const value = readGoQuoted(text, skipSpaces(text, i + 1));
    if (!value) return null;
    entries.push([key.value, value.value]);
    i = skipSpaces(text, value.end);
    if (text[i] === '}') break;
    if (text[i] !== ',') return null;
    i = skipSpaces(text, i + 1);
  }
  // fromEntries defines own properties: a `__proto__` label cannot alter the prototype.
  return Object.fromEntries(entries);
}

function skipSpaces(text: string, from: number): number {
  let i = from;
  while (text[i] === ' ') i++;
  return i;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'",
};

/** Read a Go double-quoted string starting at `start`; null when unterminated or malformed. */
function readGoQuoted(text: string, start: number): { value: string; end: number } | null {
  if (text[start] !== '"') return null;
  let out = '';
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') return { value: out, end: i + 1 };
    if (ch !== '\\') {
      out += ch;
      i++;
      continue;
    }
    const escape = decodeGoEscape(text, i + 1);
    if (!escape) return null;
    out += escape.char;
    i = escape.end;
  }
  return null;
}

function decodeGoEscape(text: string, at: number): { char: string; end: number } | null {
  const kind = text[at];
  if (kind === undefined) return null;
  const simple = SIMPLE_ESCAPES[kind];
  if (simple !== undefined) return { char: simple, end: at + 1 };
  const hexDigits = kind === 'x' ? 2 : kind === 'u' ? 4 : kind === 'U' ? 8 : 0;
  if (hexDigits > 0) {
    const hex = text.slice(at + 1, at + 1 + hexDigits);
    if (hex.length !== hexDigits || !/^[0-9a-fA-F]+$/.test(hex)) return null;
    // \xHH is a raw byte in Go; mapping it to U+00HH is lossy but keeps labels readable.
    return { char: codePointOrReplacement(parseInt(hex, 16)), end: at + 1 + hexDigits };
  }
  const octal = text.slice(at, at + 3);
  if (/^[0-7]{3}$/.test(octal)) return { char: String.fromCharCode(parseInt(octal, 8)), end: at + 3 };
  return null;
}

function codePointOrReplacement(codePoint: number): string {
  const valid = codePoint <= 0x10ffff && (codePoint < 0xd800 || codePoint > 0xdfff);
  return String.fromCodePoint(valid ? codePoint : 0xfffd);
}

// ---------------------------------------------------------------------------------------------
// debug=2 (one traceback per goroutine)

export interface GoroutineFrame extends SourceFrame {
  /** Raw argument text between the parentheses (`0xc000…, {0x77d6a0?, …}`, `...`). */
  args: string;
}

export interface GoroutineCreator extends SourceFrame {
  /** `created by X in goroutine N` (Go ≥ 1.21); null on older Go. */
  parentId: number | null;
}

/** The `goroutine N [state, M minutes, locked to thread]:` line. */
export interface GoroutineHeader {
  id: number;
  /** Wait reason or status (`chan receive`, `IO wait`, `running`, …): an open set of strings. */
  state: string;
  /** `N minutes` (floor, only printed when ≥ 1 and a GC has seen the goroutine blocked); else null. */
  waitMinutes: number | null;
  lockedToThread: boolean;
  /** ` (scan)` suffix: the GC was scanning the stack at dump time. */
  scan: boolean;
  /**
   * ` (leaked)` after the state (Go ≥ 1.26 with the goroutine-leak profile): a leak-detecting GC
   * proved nothing can ever wake this goroutine. The state keeps the wait reason alone.
   */
  leaked: boolean;
  /** Labels in the header (Go ≥ 1.26 with GODEBUG=tracebacklabels=1); null when absent. */
  labels: Record<string, string> | null;
}

export interface Goroutine extends GoroutineHeader {
  /** Leaf first. */
  frames: GoroutineFrame[];
  createdBy: GoroutineCreator | null;
  /** An `...additional frames elided...` / `...N frames elided...` marker was present. */
  framesElided: boolean;
  /** `goroutine running on other thread; stack unavailable`. */
  stackUnavailable: boolean;
}

export interface GoroutineDump {
  goroutines: Goroutine[];
  /**
   * The body looks cut: it does not end with a newline, or the last goroutine stops mid-frame
   * (Go silently truncates the dump at 64 MiB). Pass the body untrimmed for this to be meaningful.
   */
  truncated: boolean;
}

/** `goroutine?debug=2`. Unrecognised lines are skipped; only a body without any goroutine fails. */
export function parseGoroutineDebug2(text: string): ParseResult<GoroutineDump> {
  const lines = splitLines(text);
  const goroutines: Goroutine[] = [];
  let current: Goroutine | null = null;
  // The frame or creator whose `\t<file>:<line>` line comes next.
  let awaitingLocation: SourceFrame | null = null;
  for (const line of lines) {
    const header = parseGoroutineHeader(line);
    if (header) {
      current = newGoroutine(header);
      goroutines.push(current);
      awaitingLocation = null;
      continue;
    }
    if (!current) continue;
    if (line === '') {
      current = null;
      awaitingLocation = null;
    } else if (line.startsWith('\t')) {
      const location = awaitingLocation ? parseTracebackLocation(line) : null;
      if (awaitingLocation && location) Object.assign(awaitingLocation, location);
      awaitingLocation = null;
    } else if (line.startsWith('created by ')) {
      current.createdBy = parseCreatedBy(line);
      awaitingLocation = current.createdBy;
    } else if (line === 'goroutine running on other thread; stack unavailable') {
      current.stackUnavailable = true;
    } else if (line.startsWith('...') && line.endsWith('elided...')) {
      current.framesElided = true;
    } else {
      const frame = parseFunctionLine(line);
      if (frame) current.frames.push(frame);
      awaitingLocation = frame;
    }
  }
  if (goroutines.length === 0) {
    return parseFail(
      text.trim() === ''
        ? 'empty goroutine?debug=2 body'
        : `not a goroutine?debug=2 dump: no "goroutine N [state]:" header; starts with ${snippet(text)}`,
    );
  }
  return parseOk({ goroutines, truncated: looksTruncated(text, lines) });
}

/** Explicit fields, not `{...header}`: spreading is several times slower on dumps of 100k goroutines. */
function newGoroutine(header: GoroutineHeader): Goroutine {
  return {
    id: header.id,
    state: header.state,
    waitMinutes: header.waitMinutes,
    lockedToThread: header.lockedToThread,
    scan: header.scan,
    leaked: header.leaked,
    labels: header.labels,
    frames: [],
    createdBy: null,
    framesElided: false,
    stackUnavailable: false,
  };
}

/**
 * `goroutine <id>[ gp=… m=…[ mp=…]] [<state>[ (leaked)][ (scan)][, N minutes][, locked to thread][, …][ labels:{…}]]:`.
 * The bracket is closed by the `]:` at line end, not the first `]` (newer labels may contain `]`).
 */
export function parseGoroutineHeader(line: string): GoroutineHeader | null {
  if (!line.startsWith('goroutine ') || !line.endsWith(']:')) return null;
  const idMatch = /^goroutine (\d{1,19})/.exec(line);
  if (!idMatch) return null;
  const open = line.indexOf(' [', idMatch[0].length);
  if (open < 0) return null;
  const between = line.slice(idMatch[0].length, open);
  if (between !== '' && !between.startsWith(' ')) return null;
  const bracket = line.slice(open + 2, -2);

  const labelsAt = bracket.indexOf('labels:{');
  const labels = labelsAt < 0 ? null : parseLabelSet(bracket.slice(labelsAt + 'labels:'.length));
  const attributes = trimTrailingSeparators(labelsAt < 0 ? bracket : bracket.slice(0, labelsAt));
  const [rawState = '', ...suffixes] = attributes.split(', ');
  // The runtime prints `<reason>[ (leaked)][ (scan)]`.
  const scan = rawState.endsWith(' (scan)');
  const unscanned = scan ? rawState.slice(0, -' (scan)'.length) : rawState;
  const leaked = unscanned.endsWith(' (leaked)');
  const header: GoroutineHeader = {
    id: Number(idMatch[1]),
    state: leaked ? unscanned.slice(0, -' (leaked)'.length) : unscanned,
    waitMinutes: null,
    lockedToThread: false,
    scan,
    leaked,
    labels,
  };
  for (const suffix of suffixes) {
    const minutes = /^(\d{1,12}) minutes$/.exec(suffix);
    if (minutes) header.waitMinutes = Number(minutes[1]);
    else if (suffix === 'locked to thread') header.lockedToThread = true;
    // Other suffixes (synctest bubbles, future additions) are ignored on purpose.
  }
  return header;
}

/** Drop trailing `, ` / spaces by hand: an unanchored `/[ ,]+$/` is quadratic on long separator runs. */
function trimTrailingSeparators(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === ' ' || text[end - 1] === ',')) end--;
  return text.slice(0, end);
}

/** `pkg.(*T).method[...](args)`: the args start at the last `(` (names can contain `(*T)`). */
function parseFunctionLine(line: string): GoroutineFrame | null {
  if (!line.endsWith(')')) return null;
  const open = line.lastIndexOf('(');
  if (open <= 0) return null;
  return { func: line.slice(0, open), args: line.slice(open + 1, -1), file: '', line: 0 };
}

/** `created by X` or `created by X in goroutine N` (Go ≥ 1.21). */
function parseCreatedBy(line: string): GoroutineCreator {
  const rest = line.slice('created by '.length);
  const parent = / in goroutine (\d{1,19})$/.exec(rest);
  return {
    func: parent ? rest.slice(0, parent.index) : rest,
    file: '',
    line: 0,
    parentId: parent ? Number(parent[1]) : null,
  };
}

const LOCATION_SUFFIX_TOKEN = /^(?:\+0x[0-9a-f]+|fp=0x[0-9a-f]+|sp=0x[0-9a-f]+|pc=0x[0-9a-f]+)$/;

/**
 * `\t<file>:<line>[ +0x<off>][ fp=… sp=… pc=…]`. Suffix tokens are peeled from the right so a
 * path containing spaces survives; no backtracking regex over the whole line.
 */
function parseTracebackLocation(line: string): { file: string; line: number } | null {
  let end = line.length;
  for (;;) {
    const space = end > 1 ? line.lastIndexOf(' ', end - 1) : -1;
    if (space <= 0 || !LOCATION_SUFFIX_TOKEN.test(line.slice(space + 1, end))) break;
    end = space;
  }
  return splitFileLine(line.slice(1, end));
}

/**
 * A complete dump ends with a newline and its last goroutine ends on a location line or on the
 * "stack unavailable" marker; a dump cut at Go's 64 MiB cap almost never does both.
 */
function looksTruncated(text: string, lines: string[]): boolean {
  if (!text.endsWith('\n')) return true;
  let last = lines.length - 1;
  while (last >= 0 && lines[last] === '') last--;
  if (last < 0) return true;
  const line = lines[last]!;
  if (line === 'goroutine running on other thread; stack unavailable') return false;
  return !(line.startsWith('\t') && parseTracebackLocation(line) !== null);
}

// ---------------------------------------------------------------------------------------------

/** Split on `\n`, dropping a `\r` before it (responses relayed through Windows tools). */
function splitLines(text: string): string[] {
  return text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}
