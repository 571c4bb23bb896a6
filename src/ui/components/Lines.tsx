import { Box, Text } from 'ink';
import React from 'react';
import type { Line, Segment } from '../lines.js';
import { fitHeight, fitLine } from '../lines.js';

/** Printable ASCII only: the width Ink measures for it on every frame is its length (string-width's fast path). */
const ASCII = /^[\x20-\x7e]*$/;

const styled = (s: Segment, key: number) => (
  <Text key={key} color={s.color} bold={s.bold} inverse={s.inverse} dimColor={s.dim}>
    {s.text}
  </Text>
);

/**
 * One line. Ink measures each Text's whole string on every frame, and a string with any
 * non-ASCII character (a sparkline, an arrow) goes through a grapheme segmenter, cell by cell:
 * most of a frame's width work on the fleet table. A line with such characters is drawn as a row
 * of Texts, its ASCII runs apart from the rest, so only the few cells that need it pay for it.
 */
function LineRow({ line }: { line: Line }): React.ReactElement {
  if (line.every((s) => ASCII.test(s.text))) return <Text wrap="truncate">{line.map(styled)}</Text>;
  const runs: Line[] = [];
  let ascii: boolean | null = null;
  for (const s of line) {
    const a = ASCII.test(s.text);
    if (a !== ascii) runs.push([]);
    runs[runs.length - 1]!.push(s);
    ascii = a;
  }
  return (
    <Box height={1}>
      {runs.map((run, i) => (
        <Text key={i} wrap="truncate">
          {run.map(styled)}
        </Text>
      ))}
    </Box>
  );
}

/**
 * The line without the plain spaces that pad it to the width: Ink trims them from every line it
 * prints anyway, after working through them cell by cell. An empty line keeps one space, so that
 * it still takes its row.
 */
function withoutPadding(line: Line): Line {
  const last = line[line.length - 1];
  if (!last || last.color || last.bold || last.inverse || last.dim || last.text.trim() !== '') return line;
  return line.length > 1 ? line.slice(0, -1) : [{ text: ' ' }];
}

/** Renders lines of segments, each cut/padded to `width`, exactly `height` of them. */
export function Lines({ lines, width, height }: { lines: Line[]; width: number; height: number }): React.ReactElement {
  return (
    <Box flexDirection="column" width={width} height={height}>
      {fitHeight(lines, height).map((line, i) => (
        <LineRow key={i} line={withoutPadding(fitLine(line, width))} />
      ))}
    </Box>
  );
}
