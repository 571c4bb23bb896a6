// The Overview pane: the GC's arithmetic over time (RSS, the heap goal, the live heap each GC
// found, the memory kept beyond the goal, and a limit when there is one), where the resident
// memory goes now, the goroutine trend, and the verdict. The chart's height depends only on the
// terminal, never on the length of the verdict text.

import { formatBytes, formatDuration } from '../../analysis/format.js';
import { LIVE_HEAP_SOURCE_WORDS } from '../../analysis/gc-model.js';
import { memoryBreakdown } from '../../analysis/memory.js';
import { fitRight } from '../../analysis/names.js';
import type { PollRecord } from '../../analysis/poll-record.js';
import { sparkline } from '../../analysis/sparkline.js';
import { overviewSeries } from '../../state/overview.js';
import type { StoreSnapshot } from '../../state/store.js';
import { fillGaps, plotLines, type Series } from '../chart.js';
import type { Line } from '../lines.js';
import { plain, seg, wrapText } from '../lines.js';
import type { Theme } from '../theme.js';

const LABEL_WIDTH = 7;

/** How the Overview's rows are shared: a fixed chart, then the verdict gets what is left. */
export function overviewLayout(bodyHeight: number): { chart: number; verdict: number } {
  const chart = Math.max(5, Math.min(16, Math.floor(bodyHeight * 0.4)));
  // legend + chart + goroutines + two lines of breakdown
  return { chart, verdict: Math.max(1, bodyHeight - chart - 4) };
}

export function overviewLines(snap: StoreSnapshot, width: number, height: number, theme: Theme, verdict: Line[]): Line[] {
  const data = snap.data;
  const last = data.lastGood;
  if (!last) {
    const waiting = data.lastError ? `waiting for the target: ${data.lastError.message}` : 'waiting for the first poll…';
    return [plain(''), ...wrapText(`  ${waiting}`, width).map((t) => [seg(t, { color: data.lastError ? theme.bad : theme.dim })])];
  }
  const layout = overviewLayout(height);
  const points = Math.max(2, width - LABEL_WIDTH - 6);
  const s = overviewSeries(data.timeline.toArray(), points, data.prometheusHistory);
  const series: Series[] = [
    { letter: 'R', values: fillGaps(s.rss), color: theme.series[0] },
    { letter: 'G', values: fillGaps(s.goal), color: theme.series[1] },
    { letter: 'L', values: fillGaps(s.live), color: theme.series[2] },
    { letter: 'K', values: fillGaps(s.kept), color: theme.warn },
  ];
  // A limit far above everything would flatten the chart: then it is only named.
  const top = Math.max(0, ...series.flatMap((x) => x.values));
  const limitDrawn = s.limit !== null && s.limit.bytes <= 3 * top;
  if (limitDrawn) series.push({ letter: 'X', values: s.polls.map(() => s.limit!.bytes), color: theme.bad });
  const span = s.polls.length > 1 ? s.polls[s.polls.length - 1]!.time - s.polls[0]!.time : 0;
  const lastLive = [...s.live].reverse().find((v) => v !== null) ?? null;
  const lastKept = s.kept[s.kept.length - 1] ?? null;

  const legend: Line = [
    seg('R', { bold: true, color: theme.series[0] }),
    seg(` rss ${formatBytes(last.rss)}${last.rssSource ? `(${last.rssSource})` : ''} `),
    seg('G', { bold: true, color: theme.series[1] }),
    seg(` goal ${formatBytes(last.nextGC)} `),
    seg('L', { bold: true, color: theme.series[2] }),
    seg(` live ${formatBytes(lastLive)} `),
    seg('K', { bold: true, color: theme.warn }),
    seg(` kept ${formatBytes(lastKept)}`),
    ...(s.limit ? [seg(' '), seg('X', { bold: true, color: theme.bad }), seg(` ${s.limit.source} ${formatBytes(s.limit.bytes)}${limitDrawn ? '' : ' (off chart)'}`)] : []),
    // The chart's window (it shows the latest polls that fit) and where the session is.
    seg(`  last ${formatDuration(span)}${s.historyMs > 0 ? ` (the first ${formatDuration(s.historyMs)} from Prometheus)` : ''} · poll ${data.polls}`, { color: theme.dim }),
  ];

  const goroutines = data.timeline.toArray().filter((r) => r.ok).slice(-30).map((r) => r.goroutines);
  const firstG = s.polls.find((r) => r.goroutines !== null)?.goroutines ?? null;
  const g = last.goroutines;
  const gDelta = g !== null && firstG !== null ? g - firstG : null;
  const goroutineLine: Line = [
    seg('goroutines '),
    seg(`${g ?? '-'} `, { bold: true }),
    seg(sparkline(goroutines, 30), { color: theme.accent }),
    seg(gDelta !== null ? `  ${gDelta >= 0 ? '+' : ''}${gDelta} since the first poll` : '', { color: gDelta && gDelta > 0 ? theme.warn : theme.dim }),
    seg(s.liveSource ? `  L from ${LIVE_HEAP_SOURCE_WORDS[s.liveSource]}` : '', { color: theme.dim }),
  ];

  const b = memoryBreakdown(last);
  const shown = b.parts
    .filter((p) => p.bytes !== null && (p.bytes > 0 || p.key === 'other'))
    .map((p) => `${p.label}\u00a0${formatBytes(p.bytes)}`.replace(/ /g, '\u00a0'));
  const equation = `RSS ${formatBytes(b.rss)} = ${shown.join(' + ')}`;
  // Huge pages are a share of RSS across the parts, not one of them: said beside the sources.
  const hugePages = b.hugePages.bytes ? `, ${formatBytes(b.hugePages.bytes)} in huge pages (${b.hugePages.source})` : '';
  const sources = `(MemStats from ${last.memstatsSource ?? '?'}${hugePages})`;
  const breakdown: Line[] = wrapText(`${equation} ${sources}`, width, '  ')
    .slice(0, 2)
    .map((t, i) => [seg(t, { bold: i === 0 })]);
  while (breakdown.length < 2) breakdown.push([]);

  const chart = plotLines(series, layout.chart, (v) => formatBytes(v), LABEL_WIDTH);
  while (chart.length < layout.chart) chart.push([]);
  const container = containerLines(last, width, theme).slice(0, Math.max(0, layout.verdict - 1));
  const verdictArea = verdict.slice(0, layout.verdict - container.length);
  return [legend, ...chart, goroutineLine, ...breakdown, ...container, ...verdictArea];
}

/**
 * The container's view, when the service runs under a memory limit: its working set (what docker
 * stats and kubectl top show) against the limit, from which cgroup, shared by how many processes.
 * When no pid could be proven, why RSS is not from /proc. Rows come out of the verdict's share.
 */
function containerLines(r: PollRecord, width: number, theme: Theme): Line[] {
  const out: Line[] = [];
  if (r.memoryLimit !== null) {
    const pct = r.workingSet !== null ? ` (${Math.round((r.workingSet / r.memoryLimit) * 100)}%)` : '';
    const procs = r.cgroupProcs !== null ? `, ${r.cgroupProcs} process${r.cgroupProcs === 1 ? '' : 'es'}` : '';
    const oom = r.oomKills ? `  OOM kills ${r.oomKills}` : '';
    const text = `working set ${formatBytes(r.workingSet)} / limit ${formatBytes(r.memoryLimit)}${pct}  cgroup ${r.cgroupPath ?? '?'}${procs}${oom}`;
    out.push([seg(fitRight(text, width), { color: r.oomKills ? theme.bad : undefined })]);
  }
  if (r.rssSource !== 'proc' && r.identity) out.push([seg(fitRight(r.identity, width), { color: theme.dim })]);
  return out;
}
