/**
 * `/debug/pprof/` index page (docs/formats.md#index-page) and `/debug/pprof/cmdline`
 * (docs/formats.md#cmdline).
 */
import { parseFail, parseOk, snippet, type ParseResult } from '../profile/parse-result.js';

export interface PprofIndexEntry {
  /** Profile name, HTML-unescaped (`goroutine`, or a custom `pprof.NewProfile` name). */
  name: string;
  /**
   * goroutine: runtime.NumGoroutine(); heap/allocs: number of allocation-site buckets (not bytes);
   * threadcreate: threads created; block/mutex: stack records; cmdline/profile/trace: always 0.
   */
  count: number;
  /** Relative link as served (`goroutine?debug=1`), HTML-unescaped; percent-escapes kept. */
  href: string;
}

/**
 * Rows look like `<tr><td>63</td><td><a href='goroutine?debug=1'>goroutine</a></td></tr>`.
 * Only the row markup is relied on (surrounding text changes between Go releases); every class
 * is negated or literal, so the scan is linear.
 */
const INDEX_ROW = /<tr>\s*<td>\s*(\d{1,15})\s*<\/td>\s*<td>\s*<a href=(?:'([^'<>]*)'|"([^"<>]*)")>([^<]*)<\/a>\s*<\/td>\s*<\/tr>/g;

export function parsePprofIndex(html: string): ParseResult<PprofIndexEntry[]> {
  const entries: PprofIndexEntry[] = [];
  for (const m of html.matchAll(INDEX_ROW)) {
    entries.push({
      count: Number(m[1]),
      href: unescapeHtml(m[2] ?? m[3] ?? ''),
      name: unescapeHtml(m[4]!),
    });
  }
  if (entries.length > 0) return parseOk(entries);
  if (html.trim() === '') return parseFail('empty response where the /debug/pprof/ index page was expected');
  if (!/<html|<table|<tr/i.test(html)) {
    return parseFail(`not the /debug/pprof/ index page (not HTML): starts with ${snippet(html.trimStart())}`);
  }
  return parseFail('HTML page without pprof profile rows: not the /debug/pprof/ index (wrong path or a proxy page?)');
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The entities Go's html/template emits (`&amp;`, `&lt;`, `&#39;`, `&#34;`, …) and numeric ones generally. */
export function unescapeHtml(text: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z]{2,6});/g, (whole, body: string) => {
    if (Object.prototype.hasOwnProperty.call(NAMED_ENTITIES, body)) return NAMED_ENTITIES[body]!;
    if (!body.startsWith('#')) return whole;
    const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : '\ufffd';
  });
}

/**
 * `os.Args` joined by NUL (no trailing NUL). Accepts the raw bytes (decoded as UTF-8) or a string.
 * Empty input → []. A trailing NUL, if some proxy adds one, does not produce an empty last arg.
 */
export function parseCmdline(input: Uint8Array | string): string[] {
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8').decode(input);
  if (text === '') return [];
  const args = text.split('\0');
  if (args.length > 1 && args[args.length - 1] === '') args.pop();
  return args;
}
