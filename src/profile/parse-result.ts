/**
 * Outcome of a parser that can fail on bad input. Parsers return this instead of throwing so a
 * live poller can show "why" next to a stale value and keep going.
 * `error` is one line and says what was wrong with the input (not a stack trace).
 */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

export function parseOk<T>(value: T): ParseResult<T> {
  return { ok: true, value };
}

export function parseFail<T = never>(error: string): ParseResult<T> {
  return { ok: false, error: oneLine(error) };
}

/** Quote a snippet of the offending input for an error message: short, on one line. */
export function snippet(text: string, max = 60): string {
  const flat = oneLine(text);
  return JSON.stringify(flat.length > max ? `${flat.slice(0, max)}…` : flat);
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}
