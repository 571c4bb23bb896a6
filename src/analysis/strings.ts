// Go compares strings byte by byte (UTF-8); JavaScript by UTF-16 code unit. They agree except
// between a surrogate pair (a code point ≥ U+10000) and a code unit in U+E000–U+FFFF.

function utf8Rank(c: number): number {
  if (c >= 0xd800 && c <= 0xdfff) return c + 0x2000; // after U+E000–U+FFFF, like its 4-byte UTF-8
  if (c >= 0xe000) return c - 0x800;
  return c;
}

/** Negative, zero or positive as Go's `a < b` / `a == b` would order them. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) return utf8Rank(ca) - utf8Rank(cb);
  }
  return a.length - b.length;
}
