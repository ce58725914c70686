import { describe, expect, it } from 'vitest';
import type { WireProjection } from '../../src/api/sensor-wire.js';
import { turboCss } from '../../renderer/src/sensors/colormap.js';
import { chooseScaleBar, formatScaleLength, parseMapOverlay, svgPoints } from '../../renderer/src/sensors/map-overlay.js';
import { depthSteps, drawProjection, orderFarToNear, type DotContext } from '../../renderer/src/sensors/projection-overlay.js';

/** Records every dot with the fill style it was drawn in. */
class RecordingContext implements DotContext {
  fillStyle: unknown = '';
  cleared: number[] = [];
  dots: Array<{ x: number; y: number; size: number; color: unknown }> = [];

  clearRect(x: number, y: number, width: number, height: number): void {
    this.cleared = [x, y, width, height];
  }

  fillRect(x: number, y: number, width: number): void {
    this.dots.push({ x, y, size: width, color: this.fillStyle });
  }
}

function projection(u: number[], v: number[], depth: number[]): WireProjection {
  return {
    count: u.length,
    u: Float32Array.from(u),
    v: Float32Array.from(v),
    depth: Float32Array.from(depth),
    inFrontCount: u.length,
    pointCount: u.length * 2,
    imageWidth: 100,
    imageHeight: 50,
  };
}

describe('drawProjection', () => {
  it('scales image pixels to the canvas size', () => {
    const context = new RecordingContext();
    drawProjection(context, projection([10, 50], [5, 25], [5, 5]), 200, 100, 2);
    expect(context.cleared).toEqual([0, 0, 200, 100]);
    expect(context.dots.map(({ x, y }) => [x, y])).toEqual([
      [19, 9],
      [99, 49],
    ]);
  });

  it('draws near points red and last', () => {
    const context = new RecordingContext();
    const range = drawProjection(context, projection([1, 2, 3], [1, 1, 1], [2, 50, 20]), 100, 50, 1);
    expect(range).toEqual({ min: 2, max: 50 });
    const last = context.dots.at(-1);
    expect(last?.x).toBeCloseTo(0.5);
    expect(last?.color).toBe(turboCss(1));
    expect(context.dots[0]?.color).toBe(turboCss(0));
  });

  it('draws nothing for an empty projection', () => {
    const context = new RecordingContext();
    expect(drawProjection(context, projection([], [], []), 10, 10, 1)).toBeNull();
    expect(context.dots).toHaveLength(0);
  });
});

describe('orderFarToNear', () => {
  it('sorts indices by depth step', () => {
    const steps = depthSteps(Float32Array.from([10, 0, 5]), { min: 0, max: 10 });
    expect(Array.from(steps)).toEqual([0, 47, 24]);
    const { order, starts } = orderFarToNear(steps);
    expect(Array.from(order)).toEqual([0, 2, 1]);
    expect(starts.at(-1)).toBe(3);
  });
});

describe('map overlay', () => {
  it('joins interleaved coordinates for SVG', () => {
    expect(svgPoints([1, 2, 3.5, 4])).toBe('1,2 3.5,4');
    expect(svgPoints([1, 2, 3])).toBe('1,2');
  });

  it('accepts a valid overlay', () => {
    const overlay = { width: 10, height: 10, shapes: [{ kind: 'drivable-area', closed: true, points: [0, 0, 1, 1, 0, 1] }] };
    expect(parseMapOverlay(overlay)).toBe(overlay);
  });

  it('rejects malformed overlays with the problem', () => {
    expect(() => parseMapOverlay(null)).toThrow('not a JSON object');
    expect(() => parseMapOverlay({ width: 0, height: 10, shapes: [] })).toThrow('width and height');
    expect(() => parseMapOverlay({ width: 10, height: 10 })).toThrow('no shapes list');
    expect(() => parseMapOverlay({ width: 10, height: 10, shapes: [{ kind: 'tree', closed: false, points: [] }] })).toThrow('unknown kind "tree"');
    expect(() => parseMapOverlay({ width: 10, height: 10, shapes: [{ kind: 'drivable-area', closed: true, points: [1, null] }] })).toThrow(
      'invalid points',
    );
  });
});

describe('chooseScaleBar', () => {
  it('picks a round length within 30% of the width', () => {
    // 200 px at 0.5 m/px is 100 m wide: at most 30 m, so 20 m over 40 px.
    expect(chooseScaleBar(0.5, 200)).toEqual({ metres: 20, pixels: 40 });
    // 151 px at 0.2 m/px is 30.2 m wide: at most 9.06 m, so 5 m.
    expect(chooseScaleBar(0.2, 151)?.metres).toBe(5);
  });

  it('returns null without a scale', () => {
    expect(chooseScaleBar(null, 100)).toBeNull();
    expect(chooseScaleBar(0, 100)).toBeNull();
    expect(chooseScaleBar(0.1, 0)).toBeNull();
  });

  it('formats lengths in their unit', () => {
    expect(formatScaleLength(20)).toBe('20 m');
    expect(formatScaleLength(2000)).toBe('2 km');
    expect(formatScaleLength(0.5)).toBe('50 cm');
  });
});
