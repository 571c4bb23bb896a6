// Views are drawn as lines of styled segments computed by plain functions, then handed to one
// Ink component. That keeps every view testable as text and every line exactly the width of
// the terminal: nothing wraps, nothing garbles at 80×24.

export interface Segment {
  text: string;
  color?: string | undefined;
  bold?: boolean;
  inverse?: boolean;
  dim?: boolean;
}

export type Line = Segment[];

export function seg(text: string, style: Omit<Segment, 'text'> = {}): Segment {
  return { text, ...style };
}

export function plain(text: string): Line {
  return [{ text }];
}

export function lineText(line: Line): string {
  return line.map((s) => s.text).join('');
}

/** Cuts a line to `width` columns (with '…' when cut) and pads it to exactly `width`. */
export function fitLine(line: Line, width: number): Line {
  const out: Line = [];
  let used = 0;
  const total = line.reduce((n, s) => n + s.text.length, 0);
  for (const s of line) {
    if (used >= width) break;
    const room = width - used;
    if (s.text.length <= room && !(total > width && used + s.text.length === width)) {
      out.push(s);
      used += s.text.length;
    } else {
      const text = room <= 1 ? '…'.slice(0, room) : s.text.slice(0, room - 1) + '…';
      out.push({ ...s, text });
      used += text.length;
      break;
    }
  }
  if (used < width) out.push({ text: ' '.repeat(width - used) });
  return out;
}

/** Exactly `height` lines: cut, or padded with blank lines. */
export function fitHeight(lines: Line[], height: number): Line[] {
  const out = lines.slice(0, Math.max(0, height));
  while (out.length < height) out.push([]);
  return out;
}

/**
 * Word-wraps text into lines of at most `width` columns, continuation lines indented. A
 * no-break space (\u00a0) keeps a label with its value and is printed as a plain space.
 */
export function wrapText(text: string, width: number, indent = ''): string[] {
  const out: string[] = [];
  let line = '';
  // Only plain spaces break a line: a no-break space (\u00a0) glues a label to its value.
  for (const word of text.split(/ +/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (candidate.length <= width || !line) {
      line = candidate;
    } else {
      out.push(line);
      line = indent + word;
    }
  }
  if (line) out.push(line);
  return out.map((l) => l.replace(/\u00a0/g, ' '));
}
