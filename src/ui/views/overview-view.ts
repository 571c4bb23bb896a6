// The Overview pane: RSS against the Go heap over time, where the resident memory goes now,
// the goroutine trend, and the verdict.

import { formatBytes, formatDuration } from '../../analysis/format.js';
import { memoryBreakdown } from '../../analysis/memory.js';
import { sparkline } from '../../analysis/sparkline.js';
import type { PollRecord } from '../../analysis/poll-record.js';
import type { StoreSnapshot } from '../../state/store.js';
import { fillGaps, plotLines, type Series } from '../chart.js';
import type { Line } from '../lines.js';
import { plain, seg, wrapText } from '../lines.js';
import type { Theme } from '../theme.js';

const LABEL_WIDTH = 7;

function idleKept(r: PollRecord): number | null {
  return r.heapIdle !== null && r.heapReleased !== null ? r.heapIdle - r.heapReleased : null;
}

export function overviewLines(snap: StoreSnapshot, width: number, height: number, theme: Theme, verdict: Line[]): Line[] {
  const data = snap.data;
  const good = data.timeline.toArray().filter((r) => r.ok);
  const last = data.lastGood;
  if (!last) {
    const waiting = data.lastError ? `waiting for the target: ${data.lastError.message}` : 'waiting for the first poll…';
    return [plain(''), [seg(`  ${waiting}`, { color: data.lastError ? theme.bad : theme.dim })]];
  }
  const points = Math.max(2, width - LABEL_WIDTH - 4);
  const recent = good.slice(-points);
  const pick = (f: (r: PollRecord) => number | null) => fillGaps(recent.map(f));
  const series: Series[] = [
    { letter: 'R', values: pick((r) => r.rss), color: theme.series[0] },
    { letter: 'H', values: pick((r) => r.heapInuse), color: theme.series[1] },
    { letter: 'I', values: pick((r) => idleKept(r)), color: theme.series[2] },
  ];
  const span = recent.length > 1 ? recent[recent.length - 1]!.time - recent[0]!.time : 0;

  const legend: Line = [
    seg('R', { bold: true, color: theme.series[0] }),
    seg(` rss ${formatBytes(last.rss)}${last.rssSource ? ` (${last.rssSource})` : ''}  `),
    seg('H', { bold: true, color: theme.series[1] }),
    seg(` heap in use ${formatBytes(last.heapInuse)}  `),
    seg('I', { bold: true, color: theme.series[2] }),
    seg(` idle kept ${formatBytes(idleKept(last))}`),
    seg(`  ${formatDuration(span)}/${recent.length} polls`, { color: theme.dim }),
  ];

  const goroutines = good.slice(-30).map((r) => r.goroutines);
  const firstG = good.find((r) => r.goroutines !== null)?.goroutines ?? null;
  const g = last.goroutines;
  const gDelta = g !== null && firstG !== null ? g - firstG : null;
  const goroutineLine: Line = [
    seg('goroutines '),
    seg(`${g ?? '-'} `, { bold: true }),
    seg(sparkline(goroutines, 30), { color: theme.accent }),
    seg(gDelta !== null ? `  ${gDelta >= 0 ? '+' : ''}${gDelta} since the first poll` : '', { color: gDelta && gDelta > 0 ? theme.warn : theme.dim }),
  ];

  const b = memoryBreakdown(last);
  const part = (key: string) => b.parts.find((p) => p.key === key)!;
  const show = (key: string, label: string) => {
    const p = part(key);
    return `${label}\u00a0${p.bytes === null ? '?' : formatBytes(p.bytes)}`.replace(/ /g, '\u00a0');
  };
  const equation = `RSS ${formatBytes(b.rss)} = ${[show('heap', 'heap'), show('idle', 'idle'), show('lazyfree', 'lazyfree'), show('runtime', 'runtime'), show('other', 'not Go')].join(' + ')}`;
  const sources = `(rss: ${b.rssSource ?? '?'}, memstats: ${last.memstatsSource ?? '?'}, lazyfree: ${part('lazyfree').source})`;
  const breakdown: Line[] = wrapText(`${equation} ${sources}`, width, '  ')
    .slice(0, 2)
    .map((t, i) => [seg(t, { bold: i === 0 })]);

  const fixed = 1 + 1 + breakdown.length + verdict.length;
  const chartHeight = Math.max(3, height - fixed);
  const chart = plotLines(series, chartHeight, (v) => formatBytes(v), LABEL_WIDTH);
  return [legend, ...chart, goroutineLine, ...breakdown, ...verdict];
}
