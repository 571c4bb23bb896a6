import { Box, Text } from 'ink';
import React from 'react';
import type { Line } from '../lines.js';
import { fitHeight, fitLine } from '../lines.js';

/** Renders lines of segments, each cut/padded to `width`, exactly `height` of them. */
export function Lines({ lines, width, height }: { lines: Line[]; width: number; height: number }): React.ReactElement {
  return (
    <Box flexDirection="column" width={width} height={height}>
      {fitHeight(lines, height).map((line, i) => (
        <Text key={i} wrap="truncate">
          {fitLine(line, width).map((s, j) => (
            <Text key={j} color={s.color} bold={s.bold} inverse={s.inverse} dimColor={s.dim}>
              {s.text}
            </Text>
          ))}
        </Text>
      ))}
    </Box>
  );
}
