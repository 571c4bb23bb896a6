// The `:` commands (pprof's interactive vocabulary) as data: the prompt shows from this table
// what can be typed, Tab completes a name, and the error for a mistake lists them. What each
// one does is runColonCommand in commands.ts; a test runs every entry of this table there.

import { GRANULARITIES } from '../analysis/graph.js';

export interface ColonCommand {
  /** The name, then its aliases. */
  names: string[];
  /** What follows the name (`=VALUE` or ` VALUE`), if anything. */
  arg?: string;
  /** Values the argument can take, when they are a short fixed list. */
  values?: readonly string[];
  description: string;
  /** A complete example for the "try …" line of an error. */
  example: string;
}

export const COLON_COMMANDS: ColonCommand[] = [
  { names: ['top', 'nodecount'], arg: 'N', description: 'show the N heaviest rows (0: all)', example: 'top 20' },
  { names: ['sample_index', 'si'], arg: 'TYPE', description: 'sample type: inuse_space, alloc_space, … or its number', example: 'sample_index=alloc_space' },
  { names: ['focus'], arg: 'RE', description: 'keep only stacks through a function matching RE', example: 'focus=RE' },
  { names: ['ignore'], arg: 'RE', description: 'drop stacks through a function matching RE', example: 'ignore=RE' },
  { names: ['granularity'], arg: 'G', values: GRANULARITIES, description: 'merge rows by function, file:function, line or file', example: 'granularity=lines' },
  ...GRANULARITIES.map((g) => ({ names: [g], description: `granularity=${g}`, example: g })),
  { names: ['cum'], description: 'sort by cum', example: 'cum' },
  { names: ['flat'], description: 'sort by flat', example: 'flat' },
  { names: ['export'], arg: 'DIR', description: 'save what the pane shows as .pb.gz into DIR (0600)', example: 'export DIR' },
  { names: ['help'], description: 'the keys of this pane', example: 'help' },
  { names: ['quit', 'q', 'exit'], description: 'quit livepprof', example: 'quit' },
];

/** "try :top 20, :sample_index=alloc_space, …": what an unknown command's error suggests. */
export function colonCommandExamples(): string {
  const shown = COLON_COMMANDS.filter((c) => !GRANULARITIES.includes(c.names[0] as never) && c.names[0] !== 'help' && c.names[0] !== 'quit');
  return `try ${shown.map((c) => `:${c.example}`).join(', ')}`;
}

/** The name typed so far and whether an argument has started (`granularity=li` → name granularity, arg "li"). */
function splitTyped(text: string): { name: string; arg: string | null } {
  const m = /^\s*([a-z_]*)(?:(\s*=\s*|\s+)(.*))?$/i.exec(text);
  if (!m) return { name: text.trim(), arg: null };
  return { name: m[1]!.toLowerCase(), arg: m[2] !== undefined ? (m[3] ?? '') : null };
}

export interface ColonHint {
  /** The commands that fit what is typed (all of them for an empty prompt). */
  matches: ColonCommand[];
  /** The command typed in full, once its argument has started (or its name is complete and unique). */
  exact: ColonCommand | null;
}

/** What fits the text typed after `:`. */
export function colonHint(text: string): ColonHint {
  const { name, arg } = splitTyped(text);
  const exact = COLON_COMMANDS.find((c) => c.names.includes(name)) ?? null;
  if (arg !== null) return { matches: exact ? [exact] : [], exact };
  const matches = COLON_COMMANDS.filter((c) => c.names.some((n) => n.startsWith(name)));
  return { matches, exact: exact && matches.length === 1 ? exact : null };
}

/** "granularity=G (functions|filefunctions|lines|files)": how a command is typed. */
export function colonUsage(c: ColonCommand): string {
  if (!c.arg) return c.names[0]!;
  return `${c.names[0]}${c.arg === 'N' ? ' ' : '='}${c.values ? c.values.join('|') : c.arg}`;
}

/**
 * Tab: completes the command name typed so far as far as it is unambiguous (`gr` →
 * `granularity=`), or the value of an argument from its fixed list (`granularity=fi` →
 * `granularity=filefunctions` when only one value fits). Unchanged text when nothing fits.
 */
export function completeColon(text: string): string {
  const { name, arg } = splitTyped(text);
  if (arg === null) {
    const names = COLON_COMMANDS.flatMap((c) => c.names.filter((n) => n.startsWith(name)).map((n) => ({ n, c })));
    if (names.length === 0) return text;
    const prefix = commonPrefix(names.map((x) => x.n));
    const whole = names.find((x) => x.n === prefix);
    if (whole && names.length === 1) return whole.c.arg ? `${prefix}${whole.c.arg === 'N' ? ' ' : '='}` : prefix;
    return prefix.length > name.length ? prefix : text;
  }
  const c = COLON_COMMANDS.find((x) => x.names.includes(name));
  const values = c?.values?.filter((v) => v.startsWith(arg)) ?? [];
  if (values.length === 0) return text;
  const sep = text.slice(name.length, text.length - arg.length);
  return `${name}${sep}${commonPrefix(values)}`;
}

function commonPrefix(words: string[]): string {
  let p = words[0] ?? '';
  for (const w of words) while (!w.startsWith(p)) p = p.slice(0, -1);
  return p;
}
