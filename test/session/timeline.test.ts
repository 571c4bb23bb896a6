import { describe, expect, it } from 'vitest';
import { Ring, timelineCapacity } from '../../src/session/timeline.js';

describe('Ring', () => {
  it('keeps the newest items, oldest first, within its capacity', () => {
    const r = new Ring<number>(3);
    for (let i = 1; i <= 5; i++) r.push(i);
    expect(r.toArray()).toEqual([3, 4, 5]);
    expect(r.length).toBe(3);
    expect(r.total).toBe(5);
    expect(r.at(0)).toBe(3);
    expect(r.last()).toBe(5);
    expect(r.tail(2)).toEqual([4, 5]);
    expect(r.at(3)).toBeUndefined();
  });
  it('covers two hours at the interval, bounded both ways', () => {
    expect(timelineCapacity(5000)).toBe(1440);
    expect(timelineCapacity(1000)).toBe(7200);
    expect(timelineCapacity(3_600_000)).toBe(60);
    expect(timelineCapacity(1)).toBe(100_000);
  });
});
