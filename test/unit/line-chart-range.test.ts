// The y range of the run charts.
import { describe, expect, it } from 'vitest';
import { valueRange } from '../../renderer/src/runs/value-range.js';

describe('line chart range', () => {
  it('spans the values', () => {
    expect(valueRange([0.2, 1.5, 0.9])).toEqual([0.2, 1.5]);
  });

  it('keeps a constant positive series above 0', () => {
    const [low, high] = valueRange([0.1, 0.1, 0.1]);
    expect(low).toBeCloseTo(0.09, 12);
    expect(high).toBeCloseTo(0.11, 12);
  });

  it('gives a constant 0 a range of one', () => {
    expect(valueRange([0, 0])).toEqual([-0.5, 0.5]);
  });
});
