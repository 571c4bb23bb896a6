// `livepprof top <file|url>`: the top table of one profile, as `go tool pprof -top` prints it,
// or as JSON rows.

import { LivepprofError } from '../errors.js';
import { diffProfiles } from '../analysis/merge.js';
import { removeUninteresting } from '../analysis/prune.js';
import type { NameFilters } from '../analysis/filter.js';
import { GRANULARITIES, type Granularity } from '../analysis/graph.js';
import { topReport, type TopReport } from '../analysis/top.js';
import { formatTopText } from '../analysis/top-text.js';
import type { Profile } from '../profile/model.js';
import { resolveSampleIndex } from '../profile/model.js';
import { localZoneAbbreviation } from '../source/local-zone.js';
import { loadProfile } from '../source/profile-source.js';
import { HTTP_OPTIONS, decodeLimitsFrom, httpOptionsFrom } from './http-options.js';
import type { CommandDef, ParsedArgs } from './options.js';
import { boolOption, intOption, stringOption } from './options.js';
import { EXIT } from './exit-codes.js';
import type { Io } from './io.js';

export function topCommand(io: Io): CommandDef {
  return {
    name: 'top',
    summary: 'Print the top table of a profile (the same numbers as `go tool pprof -top`).',
    usage: 'livepprof top <file|url> [options]',
    description:
      'The profile is a file (.pb.gz or raw protobuf) or a URL such as http://127.0.0.1:6060/debug/pprof/heap.\n' +
      'Rows are nodes at the chosen granularity: flat is the value where the node is the leaf, cum the value of\n' +
      'every stack it is on. Nodes under 0.5% of the total are dropped, as pprof does.',
    positionals: { min: 1, max: 1 },
    options: [
      { name: 'sample-index', type: 'string', value: 'NAME|N', description: 'sample type to show, e.g. inuse_space, alloc_objects, 1', defaultText: "the profile's default, else the last" },
      { name: 'nodecount', type: 'string', value: 'N', description: 'show at most N nodes', defaultText: 'all that survive trimming' },
      { name: 'granularity', type: 'string', value: 'G', description: 'functions, filefunctions, lines or files', defaultText: 'functions' },
      { name: 'focus', type: 'string', value: 'RE', description: 'keep only samples with a frame matching RE (function or file name)' },
      { name: 'ignore', type: 'string', value: 'RE', description: 'drop samples with a frame matching RE' },
      { name: 'hide', type: 'string', value: 'RE', description: 'remove frames matching RE from the stacks' },
      { name: 'show', type: 'string', value: 'RE', description: 'keep only frames matching RE in the stacks' },
      { name: 'base', type: 'string', value: 'FILE|URL', description: 'subtract this profile first (what grew since it)' },
      { name: 'cum', type: 'boolean', description: 'sort by cum instead of flat' },
      { name: 'unit', type: 'string', value: 'UNIT', description: 'print values in this unit (B, kB, MB, ns, ms, s…)', defaultText: 'the smallest that fits' },
      { name: 'json', type: 'boolean', description: 'print one JSON object with raw values instead of the table' },
      ...HTTP_OPTIONS,
      { name: 'help', type: 'boolean', short: 'h', description: 'show this help' },
    ],
    examples: [
      'livepprof top heap.pb.gz',
      'livepprof top http://127.0.0.1:6060/debug/pprof/heap --sample-index alloc_space --nodecount 20',
      'livepprof top heap-now.pb.gz --base heap-1h-ago.pb.gz --granularity lines',
      'livepprof top cpu.pb.gz --focus "^net/http" --json',
    ],
    run: (args) => runTop(io, args),
  };
}

export interface TopSettings {
  sampleIndex?: string;
  nodeCount: number;
  granularity: Granularity;
  filters: NameFilters;
  cumSort: boolean;
}

export function parseGranularity(value: string | undefined): Granularity {
  if (value === undefined) return 'functions';
  if ((GRANULARITIES as string[]).includes(value)) return value as Granularity;
  throw new LivepprofError('usage', `--granularity must be one of ${GRANULARITIES.join(', ')}, not ${JSON.stringify(value)}`);
}

/** The profile `top` reports on: loaded, diffed against --base, drop_frames applied (as pprof does). */
export function prepareProfile(p: Profile, base: Profile | null): Profile {
  if (base) return removeUninteresting(diffProfiles(p, base));
  // Go 1.26's pprof does not merge a single profile (fetch.go: "avoid expensive work for the
  // common case"): identical stacks of opposite sign stay apart, and each counts in the total,
  // a sum of absolute values. Older pprof merged them first.
  return removeUninteresting(p);
}

export function runTopReport(p: Profile, s: TopSettings): TopReport {
  const idx = resolveSampleIndex(p, s.sampleIndex);
  if (typeof idx === 'string') throw new LivepprofError('usage', idx);
  return topReport(p, { sampleIndex: idx, granularity: s.granularity, nodeCount: s.nodeCount, cumSort: s.cumSort, filters: s.filters });
}

export function topJson(report: TopReport, granularity: Granularity): string {
  return JSON.stringify({
    sampleType: report.sampleType.type,
    unit: report.sampleType.unit,
    total: report.total,
    granularity,
    shown: report.shownFlat,
    nodes: report.origCount,
    droppedNodes: report.droppedNodes,
    rows: report.rows.map((r) => (r.inline ? { name: r.name, flat: r.flat, cum: r.cum, inline: r.inline } : { name: r.name, flat: r.flat, cum: r.cum })),
  });
}

async function runTop(io: Io, args: ParsedArgs): Promise<number> {
  const http = httpOptionsFrom(args, io.warn);
  const limits = decodeLimitsFrom(args);
  const settings: TopSettings = {
    nodeCount: intOption(args, 'nodecount', 0),
    granularity: parseGranularity(stringOption(args, 'granularity')),
    filters: {
      focus: stringOption(args, 'focus'),
      ignore: stringOption(args, 'ignore'),
      hide: stringOption(args, 'hide'),
      show: stringOption(args, 'show'),
    },
    cumSort: boolOption(args, 'cum'),
  };
  const sampleIndex = stringOption(args, 'sample-index');
  if (sampleIndex !== undefined) settings.sampleIndex = sampleIndex;
  const baseArg = stringOption(args, 'base');
  const [profile, base] = await Promise.all([
    loadProfile(args.positionals[0]!, http, limits),
    baseArg ? loadProfile(baseArg, http, limits) : Promise.resolve(null),
  ]);
  const p = prepareProfile(profile, base);
  const report = runTopReport(p, settings);
  for (const key of ['focus', 'ignore', 'hide', 'show'] as const) {
    if (settings.filters[key] && !report.filtersMatched[key]) {
      io.warn(`warning: --${key} ${JSON.stringify(settings.filters[key])} matched no samples`);
    }
  }
  const unit = stringOption(args, 'unit');
  if (unit && unit !== 'minimum') report.outputUnit = unit;
  io.out(boolOption(args, 'json') ? topJson(report, settings.granularity) + '\n' : formatTopText(p, report, settings.filters, localZoneAbbreviation));
  return EXIT.ok;
}
