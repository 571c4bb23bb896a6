// `top` as text, byte for byte what `go tool pprof -top` prints (report.printText and its
// header labels).

import type { Profile } from '../profile/model.js';
import type { NameFilters } from './filter.js';
import type { TopReport } from './top.js';
import { autoLabel, percentage, scale, scaledLabel } from './units.js';

/** The local zone's abbreviation at a time (epoch ms), or null when unknown. */
export type ZoneName = (ms: number) => string | null;

/** Without tzdata, the Intl name: "UTC", "EST", but "GMT+1" where Go would say "CET". */
function intlZoneName(d: Date): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
    .formatToParts(d)
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? 'UTC';
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * Go's "2006-01-02 15:04:05 MST" in local time: the Time line of Go 1.26's pprof (google/pprof
 * #903). Older pprof printed "Jan 2, 2006 at 3:04pm (MST)"; users have no Go toolchain, so the
 * one format we print is that of the current release.
 */
export function formatProfileTime(nanos: number, zoneName: ZoneName = () => null): string {
  const d = new Date(nanos / 1e6);
  const date = `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
  const time = `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
  return `${date} ${time} ${zoneName(d.getTime()) ?? intlZoneName(d)}`;
}

function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i >= 0 ? path.slice(i + 1) : path;
}

/** Formats a value of the report's sample type in its output unit, as pprof prints it. */
export function formatReportValue(report: TopReport, v: number): string {
  return scaledLabel(v, report.sampleType.unit, report.outputUnit);
}

/** The lines pprof prints above the table: File, Type, Time, filters, totals, drops. */
export function topHeaderLines(p: Profile, report: TopReport, filters: NameFilters, zoneName?: ZoneName): string[] {
  const lines: string[] = [];
  const main = p.mappings[0];
  if (main?.file) lines.push(`File: ${basename(main.file)}`);
  if (main?.buildId) lines.push(`Build ID: ${main.buildId}`);
  for (const c of p.comments) if (!c.startsWith('#')) lines.push(c);
  lines.push(`Type: ${report.sampleType.type}`);
  if (p.docUrl) lines.push(`Doc: ${p.docUrl}`);
  if (p.timeNanos !== 0) lines.push(`Time: ${formatProfileTime(p.timeNanos, zoneName)}`);
  if (p.durationNanos !== 0) {
    const duration = autoLabel(p.durationNanos, 'nanoseconds');
    const [totalNanos, totalUnit] = scale(report.total, report.sampleType.unit, 'nanoseconds');
    const ratio = totalUnit === 'ns' && totalNanos !== 0 ? `(${percentage(Math.trunc(totalNanos), p.durationNanos)})` : '';
    lines.push(`Duration: ${duration}, Total samples = ${formatReportValue(report, report.total)} ${ratio}`);
  }
  const active = (['focus', 'ignore', 'hide', 'show'] as const).filter((k) => filters[k]).map((k) => `${k}=${filters[k]}`);
  if (active.length > 0) {
    lines.push('Active filters:');
    for (const f of active) lines.push('   ' + (f.length > 80 ? f.slice(0, 80) + '…' : f));
  }
  lines.push(
    `Showing nodes accounting for ${formatReportValue(report, report.shownFlat)}, ${percentage(report.shownFlat, report.total).trim()} of ${formatReportValue(report, report.total)} total`,
  );
  if (report.total !== 0) {
    if (report.droppedNodes > 0) {
      const cutoff = formatReportValue(report, Math.abs(Math.trunc(report.total * report.nodeFraction)));
      lines.push(`Dropped ${report.droppedNodes} ${report.droppedNodes > 1 ? 'nodes' : 'node'} (cum <= ${cutoff})`);
    }
    const shown = report.rows.length;
    if (shown > 0 && shown < report.origCount) lines.push(`Showing top ${shown} nodes out of ${report.origCount}`);
  }
  return lines;
}

export function formatTopText(p: Profile, report: TopReport, filters: NameFilters, zoneName?: ZoneName): string {
  const out = topHeaderLines(p, report, filters, zoneName);
  out.push(`${'flat'.padStart(10)} ${'flat'.padStart(5)}% ${'sum'.padStart(5)}% ${'cum'.padStart(10)} ${'cum'.padStart(5)}%`);
  let sum = 0;
  for (const r of report.rows) {
    sum += r.flat;
    const inl = r.inline ? ' ' + r.inline : '';
    out.push(
      `${formatReportValue(report, r.flat).padStart(10)} ${percentage(r.flat, report.total)} ${percentage(sum, report.total)} ${formatReportValue(report, r.cum).padStart(10)} ${percentage(r.cum, report.total)}  ${r.name}${inl}`,
    );
  }
  return out.join('\n') + '\n';
}
