// The frame around every pane: header (target, process, polling state), pane tabs, status line
// (messages, prompt) and the footer of key hints generated from the keymap.

import { formatClock, formatDuration } from '../../analysis/format.js';
import { fitLeft } from '../../analysis/names.js';
import { colonHint, colonUsage } from '../../state/colon-commands.js';
import { footerHints } from '../../state/keymap.js';
import type { StoreSnapshot } from '../../state/store.js';
import { PANE_TITLES, PANES } from '../../state/ui-state.js';
import type { Line } from '../lines.js';
import { seg, wrapText } from '../lines.js';
import type { Theme } from '../theme.js';

export interface FrameInfo {
  /** Shown first in the header: host:port, a file name, or "demo (recorded replay)". */
  title: string;
  /** A one-word verdict for the header, when there is one. */
  verdictWord?: string | undefined;
  verdictColor?: string | undefined;
  /** Static profile: no polling state. */
  isStatic: boolean;
  /** Shown as a banner line (e.g. the demo's "recorded replay"). */
  banner?: string | undefined;
  now?: () => number;
}

export function headerLine(snap: StoreSnapshot, info: FrameInfo, theme: Theme): Line {
  const d = snap.data;
  const line: Line = [seg('livepprof ', { bold: true, color: theme.accent }), seg(info.title, { bold: true })];
  // The verdict word comes first: it is what the user came for, and must survive narrow terminals.
  if (info.verdictWord) line.push(seg(`  ${info.verdictWord}`, { bold: true, color: info.verdictColor, inverse: theme.color }));
  if (info.isStatic) return [...line, seg('  static profile', { color: theme.dim })];
  const now = info.now?.() ?? Date.now();
  let state: Line;
  switch (d.status) {
    case 'paused':
      state = [seg('  ‖ paused', { color: theme.warn, bold: true })];
      break;
    case 'failing': {
      // Short here (the header is one line at 80 columns); the whole error is on the status line.
      const retry = d.nextPollAt !== null ? `, retrying in ${formatDuration(Math.max(0, d.nextPollAt - now))}` : '';
      state = [seg(`  ✗ failing (${d.lastError?.kind ?? 'error'}${retry})`, { color: theme.bad, bold: true })];
      break;
    }
    case 'stopped':
      state = [seg('  ■ stopped', { color: theme.dim })];
      break;
    default:
      state = [
        d.slowedToMs !== null
          ? seg(`  ● every ${formatDuration(d.slowedToMs)} (slowed: the target took ${formatDuration(d.lastTargetMs)} to answer)`, { color: theme.warn })
          : seg(`  ● every ${formatDuration(d.intervalMs)}`, { color: theme.good }),
      ];
  }
  line.push(...state);
  if (d.lastGood) line.push(seg(`  ${formatClock(d.lastGood.time)}`, { color: theme.dim }));
  if (d.pid !== null) line.push(seg(`  pid ${d.pid}`, { color: theme.dim }));
  if (d.goVersion) line.push(seg(` ${d.goVersion}`, { color: theme.dim }));
  return line;
}

export function tabsLine(snap: StoreSnapshot, theme: Theme): Line {
  const line: Line = [];
  PANES.forEach((p, i) => {
    const active = snap.ui.pane === p;
    const label = `${i + 1} ${PANE_TITLES[p]}`;
    line.push(seg(i === 0 ? '' : ' │ ', { color: theme.dim }));
    line.push(active ? seg(`[${label}]`, { bold: true, color: theme.accent, inverse: theme.color }) : seg(label));
  });
  return line;
}

const RESTART_NOTICE_MS = 60_000;

const PROMPT_LABELS = {
  focus: 'focus (regexp, Enter applies, empty clears): /',
  ignore: 'ignore (regexp): \\',
  filter: 'narrow to rows with (words): /',
  command: ':',
} as const;

/** A message on the status line is never cut: it wraps onto at most this many lines. */
export const MAX_STATUS_LINES = 3;

/**
 * The status line(s): the open prompt, else a message, the demo banner, the poll error or a
 * recent restart, word-wrapped whole (an error cut mid-sentence hides what to do about it).
 */
export function statusLines(snap: StoreSnapshot, info: FrameInfo, theme: Theme, width: number): Line[] {
  const o = snap.ui.overlay;
  if (o.kind === 'prompt') {
    // A long regexp keeps its end in view: that is where the typing happens.
    const label = PROMPT_LABELS[o.purpose];
    const room = Math.max(4, width - label.length - 1);
    return [[seg(label, { bold: true }), seg(fitLeft(o.text, room)), seg('█', { color: theme.accent })]];
  }
  const wrapped = (text: string, color: string | undefined): Line[] =>
    wrapText(text, width, '  ')
      .slice(0, MAX_STATUS_LINES)
      .map((t) => [seg(t, { color })]);
  if (snap.ui.message) return wrapped(snap.ui.message, theme.accent);
  if (info.banner) return [[seg(info.banner, { color: theme.warn })]];
  const d = snap.data;
  if (d.status === 'failing' && d.lastError) return wrapped(`poll failed: ${d.lastError.message}`, theme.bad);
  // A restart stays noted for a minute: it explains the reset baselines and the chart's step.
  const now = info.now?.() ?? Date.now();
  // What the history from Prometheus is (or why there is none), while the first polls come in.
  if (d.prometheusNote !== null && d.polls <= 3) return wrapped(d.prometheusNote, theme.dim);
  if (d.lastRestart && now - d.lastRestart.time < RESTART_NOTICE_MS) {
    return wrapped(`target restarted at ${formatClock(d.lastRestart.time)}: ${d.lastRestart.reason}`, theme.warn);
  }
  return [[]];
}

/** While `:` is typed: the commands that fit (from the command table), or how the one typed is used. */
function colonHintLine(text: string, theme: Theme): Line {
  const { matches, exact } = colonHint(text);
  if (exact) return [seg(colonUsage(exact), { bold: true, color: theme.accent }), seg(`  ${exact.description}`, { color: theme.dim })];
  if (matches.length === 0) return [seg('no such command  (C-u clears, Esc cancels)', { color: theme.bad })];
  const line: Line = [seg('Tab', { bold: true, color: theme.accent }), seg(' completes: ', { color: theme.dim })];
  for (const c of matches) line.push(seg(colonUsage(c), { color: theme.accent }), seg('  '));
  return line;
}

/** Key hints of the pane; when they do not fit, the last ones go first, help and quit always stay. */
export function footerLine(snap: StoreSnapshot, width: number, theme: Theme): Line {
  const o = snap.ui.overlay;
  if (o.kind === 'prompt' && o.purpose === 'command') return colonHintLine(o.text, theme);
  return hintsLine(footerHints(snap.ui), width, theme);
}

/** Key hints that fit the width: the last ones go first, help and quit always stay. */
export function hintsLine(all: ReturnType<typeof footerHints>, width: number, theme: Theme): Line {
  const hints = [...all];
  const essential = (id: string) => id === 'help' || id === 'quit';
  const size = (h: { keys: string; hint: string }) => h.keys.length + h.hint.length + 3;
  let total = hints.reduce((n, h) => n + size(h), 0);
  while (total > width) {
    const i = hints.map((h) => essential(h.id)).lastIndexOf(false);
    if (i < 0) break;
    total -= size(hints[i]!);
    hints.splice(i, 1);
  }
  const line: Line = [];
  for (const h of hints) {
    line.push(seg(h.keys, { bold: true, color: theme.accent }));
    line.push(seg(` ${h.hint}  `, { color: theme.dim }));
  }
  return line;
}
