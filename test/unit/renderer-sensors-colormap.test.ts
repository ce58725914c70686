import { describe, expect, it } from 'vitest';
import type { WirePoints } from '../../src/api/sensor-wire.js';
import {
  availableColorModes,
  fillPointColors,
  pointRanges,
  RING_PALETTE,
  robustRange,
  turbo,
  TURBO_TABLE,
  TURBO_STEPS,
} from '../../renderer/src/sensors/colormap.js';

function sweep(z: number[], extra: Partial<WirePoints> = {}): WirePoints {
  const count = z.length;
  return {
    count,
    x: new Float32Array(count),
    y: new Float32Array(count),
    z: Float32Array.from(z),
    intensity: null,
    ring: null,
    droppedNonFinite: 0,
    ...extra,
  };
}

function colorAt(colors: Float32Array, index: number): number[] {
  return Array.from(colors.subarray(index * 3, index * 3 + 3));
}

describe('turbo colour map', () => {
  it('runs from blue to dark red', () => {
    const [r0, g0, b0] = turbo(0.15);
    expect(b0).toBeGreaterThan(r0);
    expect(b0).toBeGreaterThan(g0);
    const [r1, g1, b1] = turbo(1);
    expect(r1).toBeGreaterThan(0.4);
    expect(g1).toBeLessThan(0.1);
    expect(b1).toBeLessThan(0.05);
  });

  it('matches the polynomial at its ends', () => {
    // Constant terms of the published polynomial, and the sums of its coefficients (red, green; blue clamps to 0).
    expect(turbo(0)[0]).toBeCloseTo(0.13572138, 6);
    expect(turbo(0)[1]).toBeCloseTo(0.09140261, 6);
    expect(turbo(0)[2]).toBeCloseTo(0.1066733, 6);
    expect(turbo(1)[0]).toBeCloseTo(0.56585921, 5);
    expect(turbo(1)[1]).toBeCloseTo(0.05038886, 5);
    expect(turbo(1)[2]).toBe(0);
  });

  it('is green in the middle', () => {
    const [r, g, b] = turbo(0.5);
    expect(g).toBeGreaterThan(r);
    expect(g).toBeGreaterThan(b);
  });

  it('clamps out-of-range and NaN inputs', () => {
    expect(turbo(-3)).toEqual(turbo(0));
    expect(turbo(7)).toEqual(turbo(1));
    expect(turbo(Number.NaN)).toEqual(turbo(0));
  });

  it('keeps every table entry within 0..1', () => {
    expect(TURBO_TABLE.length).toBe(TURBO_STEPS * 3);
    for (const value of TURBO_TABLE) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(1);
    }
  });
});

describe('robustRange', () => {
  it('cuts the outer 2% on each side', () => {
    const values = Float32Array.from({ length: 101 }, (_, index) => index);
    values[0] = -1e6;
    values[100] = 1e6;
    expect(robustRange(values)).toEqual({ min: 2, max: 98 });
  });

  it('skips non-finite values', () => {
    expect(robustRange([Number.NaN, 1, Number.POSITIVE_INFINITY, 3], 0, 100)).toEqual({ min: 1, max: 3 });
  });

  it('returns null without finite values', () => {
    expect(robustRange([])).toBeNull();
    expect(robustRange([Number.NaN])).toBeNull();
  });

  it('subsamples large arrays deterministically', () => {
    const values = Float32Array.from({ length: 1_000_000 }, (_, index) => index / 1_000_000);
    const range = robustRange(values);
    expect(range?.min).toBeCloseTo(0.02, 2);
    expect(range?.max).toBeCloseTo(0.98, 2);
    expect(robustRange(values)).toEqual(range);
  });
});

describe('availableColorModes', () => {
  it('offers height and range for every sweep', () => {
    expect(availableColorModes({ intensity: null, ring: null })).toEqual(['height', 'range']);
  });

  it('offers intensity and ring with their columns', () => {
    expect(availableColorModes({ intensity: new Float32Array(1), ring: new Float32Array(1) })).toEqual(['height', 'intensity', 'range', 'ring']);
    expect(availableColorModes({ intensity: null, ring: new Float32Array(1) })).toEqual(['height', 'range', 'ring']);
  });
});

describe('fillPointColors', () => {
  it('colours height from low blue to high red', () => {
    const points = sweep([0, 1, 2, 3, 4]);
    const colors = new Float32Array(15);
    const coloring = fillPointColors(points, 'height', colors);
    expect(coloring.mode).toBe('height');
    expect(coloring.range).toEqual({ min: 0, max: 4 });
    expect(colorAt(colors, 0)).toEqual(turbo(0));
    expect(colorAt(colors, 4)).toEqual(turbo(1));
  });

  it('colours near points red in range mode', () => {
    const points = sweep([1, 10, 100]);
    const colors = new Float32Array(9);
    const coloring = fillPointColors(points, 'range', colors);
    expect(coloring.nearIsWarm).toBe(true);
    expect(colorAt(colors, 0)).toEqual(turbo(1));
    expect(colorAt(colors, 2)).toEqual(turbo(0));
  });

  it('colours intensity from its column', () => {
    const points = sweep([5, 5, 5], { intensity: Float32Array.from([0, 50, 100]) });
    const colors = new Float32Array(9);
    const coloring = fillPointColors(points, 'intensity', colors);
    expect(coloring.mode).toBe('intensity');
    expect(coloring.range).toEqual({ min: 0, max: 100 });
    expect(colorAt(colors, 2)).toEqual(turbo(1));
  });

  it('cycles ring indices through the palette', () => {
    const size = RING_PALETTE.length;
    const points = sweep([0, 0, 0], { ring: Float32Array.from([0, 1, size + 1]) });
    const colors = new Float32Array(9);
    const coloring = fillPointColors(points, 'ring', colors);
    expect(coloring.range).toBeNull();
    expect(colorAt(colors, 0)).toEqual(RING_PALETTE[0]!.map(Math.fround));
    expect(colorAt(colors, 2)).toEqual(colorAt(colors, 1));
    expect(colorAt(colors, 1)).not.toEqual(colorAt(colors, 0));
  });

  it('falls back to height for a missing column', () => {
    const colors = new Float32Array(6);
    expect(fillPointColors(sweep([0, 1]), 'intensity', colors).mode).toBe('height');
    expect(fillPointColors(sweep([0, 1]), 'ring', colors).mode).toBe('height');
  });

  it('uses one colour when all values are equal', () => {
    const colors = new Float32Array(6);
    fillPointColors(sweep([2, 2]), 'height', colors);
    expect(colorAt(colors, 0)).toEqual(colorAt(colors, 1));
  });

  it('rejects a short colour buffer', () => {
    expect(() => fillPointColors(sweep([0, 1]), 'height', new Float32Array(3))).toThrow(RangeError);
  });

  it('colours 200k points quickly', () => {
    const count = 200_000;
    const z = Array.from({ length: count }, (_, index) => Math.sin(index));
    const points = sweep(z, { x: Float32Array.from(z), y: Float32Array.from(z) });
    const colors = new Float32Array(count * 3);
    const start = performance.now();
    fillPointColors(points, 'range', colors);
    // A frame budget, loose enough for a busy 2-core CI machine; typical runs take a few milliseconds.
    expect(performance.now() - start).toBeLessThan(500);
  });
});

describe('pointRanges', () => {
  it('measures distance from the sensor origin', () => {
    const ranges = pointRanges({ count: 2, x: Float32Array.from([3, 0]), y: Float32Array.from([4, 0]), z: Float32Array.from([0, -2]) });
    expect(Array.from(ranges)).toEqual([5, 2]);
  });
});
