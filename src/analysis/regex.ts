// pprof's filters are Go (RE2) regular expressions; JavaScript's are close enough for what
// people type (`Cache`, `main\.foo`, `^net/http`), except inline flags, which we translate.

import { LivepprofError } from '../errors.js';

/** Compiles a pprof-style regexp (unanchored; a leading (?i) / (?s) / (?m) becomes a flag). */
export function compileGoRegexp(source: string, what: string): RegExp {
  let flags = '';
  let body = source;
  const m = /^\(\?([ims]+)\)/.exec(body);
  if (m) {
    flags = [...new Set(m[1]!.split(''))].join('');
    body = body.slice(m[0].length);
  }
  try {
    return new RegExp(body, flags);
  } catch (e) {
    const why = e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e);
    throw new LivepprofError('usage', `invalid ${what} regexp ${JSON.stringify(source)}: ${why}`);
  }
}
