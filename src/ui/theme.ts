// Colours, when allowed. NO_COLOR (https://no-color.org) turns them off; meaning is never
// carried by colour alone (the cursor row has a '›' marker, chart lines have letters).

export interface Theme {
  color: boolean;
  accent?: string;
  dim?: string;
  good?: string;
  warn?: string;
  bad?: string;
  series: string[];
}

export function makeTheme(env: NodeJS.ProcessEnv = process.env): Theme {
  const color = !('NO_COLOR' in env && env.NO_COLOR !== '') && env.TERM !== 'dumb';
  if (!color) return { color, series: [] };
  return { color, accent: 'cyan', dim: 'gray', good: 'green', warn: 'yellow', bad: 'red', series: ['red', 'green', 'yellow', 'magenta'] };
}
