// `livepprof` with no target: the Go services on this host that serve pprof on a loopback port,
// found through /proc and probed, with the demo as the last entry.

import { Box, Text, useInput, useStdout } from 'ink';
import { plural } from '../analysis/format.js';
import { fitRight } from '../analysis/names.js';
import SelectInput from 'ink-select-input';
import React, { useEffect, useState } from 'react';
import type { PprofTarget } from '../source/discover.js';
import type { Theme } from './theme.js';

export type PickerChoice = { kind: 'target'; url: string } | { kind: 'demo' } | { kind: 'quit' };

export interface PickerProps {
  find: () => Promise<PprofTarget[]>;
  theme: Theme;
  onChoose: (choice: PickerChoice) => void;
}

/**
 * One line per target, cut to the terminal: address, the service's pid (and the forwarder it is
 * reached through), goroutines, command line.
 */
function describe(t: PprofTarget, width: number): string {
  const cmd = t.cmdline?.length ? t.cmdline.join(' ') : '(command line not readable)';
  const g = t.profiles.find((p) => p.name === 'goroutine');
  const via = t.via.length > 0 ? ` via ${t.via.map((h) => `${h.name ?? '?'} ${h.pid}`).join(' → ')}` : '';
  const text = `${t.url.replace(/^https?:\/\//, '').replace(/\/debug\/pprof\/$/, '')}  pid ${t.pid ?? '?'}${via}  ${g ? `${plural(g.count, 'goroutine')}  ` : ''}${cmd}`;
  return fitRight(text, width);
}

export function Picker({ find, theme, onChoose }: PickerProps): React.ReactElement {
  const { stdout } = useStdout();
  const width = Math.max(20, (stdout.columns || 80) - 3);
  const [targets, setTargets] = useState<PprofTarget[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    find().then(setTargets, (e: unknown) => {
      setError(e instanceof Error ? e.message : String(e));
      setTargets([]);
    });
  }, [find]);
  useInput((input, key) => {
    if (input === 'q' || key.escape || (key.ctrl && input === 'c')) onChoose({ kind: 'quit' });
  });
  const items = [
    ...(targets ?? []).map((t) => ({ key: t.url, label: describe(t, width), value: { kind: 'target', url: t.url } as PickerChoice })),
    { key: 'demo', label: fitRight('demo — a recorded incident: RSS 345MB, heap 3MB (no target needed)', width), value: { kind: 'demo' } as PickerChoice },
  ];
  return (
    <Box flexDirection="column">
      <Text bold color={theme.accent}>
        livepprof — attach to a Go service on this host
      </Text>
      {targets === null ? (
        <Text color={theme.dim}>looking for Go services serving /debug/pprof/ on loopback ports…</Text>
      ) : targets.length === 0 ? (
        <Text color={theme.dim}>
          {error ? `could not scan: ${error}` : 'no service with net/http/pprof found on a loopback port here'}; give one as `livepprof host:port`
        </Text>
      ) : (
        <Text color={theme.dim}>{targets.length} found (Enter attaches):</Text>
      )}
      {targets !== null && <SelectInput items={items} onSelect={(item) => onChoose(item.value)} />}
      <Text color={theme.dim}>↑/↓ choose · Enter attach · q quit</Text>
    </Box>
  );
}
