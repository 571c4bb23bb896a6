// What the `:` prompt shows while a command is typed, from the one command table.

import { describe, expect, it } from 'vitest';
import { GRANULARITIES } from '../../src/analysis/graph.js';
import { colonCommandExamples, colonHint, colonUsage, COLON_COMMANDS, completeColon } from '../../src/state/colon-commands.js';

const names = (text: string) => colonHint(text).matches.map((c) => c.names[0]);

describe('colonHint', () => {
  it('an empty prompt shows every command', () => {
    expect(names('')).toEqual(COLON_COMMANDS.map((c) => c.names[0]));
  });

  it('narrows to the commands that start with what is typed, aliases included', () => {
    expect(names('f')).toEqual(['focus', 'functions', 'filefunctions', 'files', 'flat']);
    expect(names('si')).toEqual(['sample_index']);
    expect(names('nodec')).toEqual(['top']);
    expect(names('zz')).toEqual([]);
  });

  it('once the argument starts, says how the command is used and what it does', () => {
    const h = colonHint('granularity=li');
    expect(h.exact?.names[0]).toBe('granularity');
    expect(colonUsage(h.exact!)).toBe(`granularity=${GRANULARITIES.join('|')}`);
    expect(colonUsage(colonHint('top 2').exact!)).toBe('top N');
    expect(colonHint('nosuch=1')).toEqual({ matches: [], exact: null });
  });

  it('a complete name with nothing else starting like it is exact', () => {
    expect(colonHint('cum').exact?.names[0]).toBe('cum');
    expect(colonHint('file').exact).toBeNull(); // files, filefunctions
  });
});

describe('completeColon', () => {
  it.each([
    ['gr', 'granularity='],
    ['to', 'top '],
    ['fil', 'file'],
    ['filef', 'filefunctions'],
    ['granularity=l', 'granularity=lines'],
    ['granularity = f', 'granularity = f'], // functions, filefunctions, files: no common part beyond f
    ['focus=ma', 'focus=ma'], // a regexp: nothing to complete
    ['zz', 'zz'],
  ])('%s → %s', (typed, want) => {
    expect(completeColon(typed)).toBe(want);
  });
});

it('the error for an unknown command suggests real examples', () => {
  expect(colonCommandExamples()).toBe('try :top 20, :sample_index=alloc_space, :focus=RE, :ignore=RE, :granularity=lines, :cum, :flat, :export DIR');
});
