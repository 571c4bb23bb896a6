// pprof's filters are Go (RE2) regular expressions. JavaScript's are close for what people type
// (`Cache`, `main\.foo`, `^net/http`); the RE2 forms JavaScript reads differently — silently —
// are translated: leading inline flags, \A and \z, POSIX classes, \pL, \Q…\E, (?P<name>…).

import { LivepprofError } from '../errors.js';

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/** RE2's \p{Greek} names a script; JavaScript wants \p{Script=Greek} (categories like L stay). */
function unicodeProperty(name: string): string {
  try {
    new RegExp(`\\p{${name}}`, 'u');
    return name;
  } catch {
    return `Script=${name}`;
  }
}

const escapeLiteral = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/** RE2 syntax → JavaScript syntax; `unicode` when the result needs the u flag (\p classes). */
function translate(src: string, what: string): { body: string; unicode: boolean } {
  const bad = (why: string) => new LivepprofError('usage', `invalid ${what} regexp ${JSON.stringify(src)}: ${why}`);
  let out = '';
  let unicode = false;
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) throw bad('trailing backslash');
      if (n === 'p' || n === 'P') {
        // \pL or \p{Greek}
        const name = src[i + 2] === '{' ? src.slice(i + 3, src.indexOf('}', i + 3)) : (src[i + 2] ?? '');
        if (!name || (src[i + 2] === '{' && src.indexOf('}', i + 3) < 0)) throw bad(`\\${n} needs a class name`);
        out += `\\${n}{${unicodeProperty(name)}}`;
        unicode = true;
        i += src[i + 2] === '{' ? name.length + 3 : 2;
        continue;
      }
      if (!inClass && n === 'A') {
        out += '(?<![\\s\\S])';
        i++;
        continue;
      }
      if (!inClass && n === 'z') {
        out += '(?![\\s\\S])';
        i++;
        continue;
      }
      if (n === 'Q') {
        const end = src.indexOf('\\E', i + 2);
        const literal = src.slice(i + 2, end < 0 ? src.length : end);
        out += escapeLiteral(literal);
        i = end < 0 ? src.length : end + 1;
        continue;
      }
      // RE2 lets any punctuation be escaped; JavaScript's u mode only its own syntax characters.
      const plainPunct = /[!-/:-@[-`{-~]/.test(n) && !'^$\\.*+?()[]{}|/'.includes(n) && !(inClass && n === '-');
      out += plainPunct ? n : c + n;
      i++;
      continue;
    }
    if (inClass && c === '[' && src[i + 1] === ':') {
      const end = src.indexOf(':]', i + 2);
      if (end > 0) {
        const name = src.slice(i + 2, end);
        if (name.startsWith('^')) throw bad(`negated POSIX class [:${name}:] is not supported here`);
        const range = POSIX[name];
        if (!range) throw bad(`unknown POSIX class [:${name}:]`);
        out += range;
        i = end + 1;
        continue;
      }
    }
    if (!inClass && c === '(' && src.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
      continue;
    }
    if (c === '[' && !inClass) {
      inClass = true;
      out += c;
      // A ']' right after '[' or '[^' is a literal in RE2.
      if (src[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (src[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === ']' && inClass) inClass = false;
    out += c;
  }
  return { body: out, unicode };
}

/** Compiles a pprof-style regexp (unanchored; a leading (?i) / (?s) / (?m) becomes a flag). */
export function compileGoRegexp(source: string, what: string): RegExp {
  let flags = '';
  let rest = source;
  const m = /^\(\?([ims]+)\)/.exec(rest);
  if (m) {
    flags = [...new Set(m[1]!.split(''))].join('');
    rest = rest.slice(m[0].length);
  }
  const { body, unicode } = translate(rest, what);
  try {
    return new RegExp(body, unicode ? flags + 'u' : flags);
  } catch (e) {
    const why = e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e);
    throw new LivepprofError('usage', `invalid ${what} regexp ${JSON.stringify(source)}: ${why}`);
  }
}
