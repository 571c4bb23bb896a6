// The verdict on screen: a word for the header, and for the Overview the summary with its
// evidence and what to do next (as many lines as fit).

import { VERDICT_WORDS, historyLine, type VerdictKind } from '../../analysis/verdict.js';
import type { StoreSnapshot } from '../../state/store.js';
import { suggestionText } from '../../state/suggestions.js';
import type { Line } from '../lines.js';
import { seg, wrapText } from '../lines.js';
import type { Theme } from '../theme.js';
import type { VerdictView } from '../App.js';

/** A verdict's colour (never its only sign: the words say it too). */
export function verdictColor(kind: VerdictKind, theme: Theme): string | undefined {
  switch (kind) {
    case 'heap-leak':
    case 'goroutine-leak':
    case 'non-go-memory':
      return theme.bad;
    case 'runtime-retention':
      return theme.warn;
    case 'healthy':
      return theme.good;
    default:
      return theme.dim;
  }
}

/** The verdict as wrapped lines: summary, then evidence (•) and next steps (→), as many as fit. */
export function verdictView(snap: StoreSnapshot, theme: Theme, width: number, maxLines: number): VerdictView {
  const v = snap.data.verdict;
  if (!v) return { lines: [] };
  const color = verdictColor(v.kind, theme);
  const confidence = v.kind === 'insufficient-data' ? '' : ` (${Math.round(v.confidence * 100)}% sure)`;
  const lines: Line[] = wrapText(`verdict: ${v.summary}${confidence}`, width, '  ').map((t, i) => [seg(t, { bold: i === 0, color })]);
  // The story so far, when the verdict has changed: one line, the latest part kept.
  const story = historyLine(v.history);
  const historyLines: Line[] =
    v.history.filter((h) => h.kind !== 'insufficient-data').length > 1 ? wrapText(`history: ${story}`, width, '  ').slice(-2).map((t) => [seg(t, { color: theme.dim })]) : [];
  const bullet = (marker: string, text: string, markerColor: string | undefined): Line[] =>
    wrapText(text, width - 4, '').map((t, i) => [seg(i === 0 ? `  ${marker} ` : '    ', { color: markerColor }), seg(t)]);
  const blocks: Line[][] = [];
  // Alternate evidence and suggestions so both show when space is short.
  const n = Math.max(v.evidence.length, v.suggestions.length);
  for (let i = 0; i < n; i++) {
    if (v.evidence[i]) blocks.push(bullet('•', v.evidence[i]!, theme.dim));
    if (v.suggestions[i]) blocks.push(bullet('→', suggestionText(v.suggestions[i]!), theme.accent));
  }
  for (const b of blocks) {
    if (lines.length + b.length + historyLines.length > maxLines) break;
    lines.push(...b);
  }
  lines.push(...historyLines);
  const word = `${VERDICT_WORDS[v.kind]}${v.pending ? ` → ${VERDICT_WORDS[v.pending]}?` : ''}`;
  return { word, color, lines: lines.slice(0, Math.max(1, maxLines)) };
}
