/**
 * Draws LiDAR points projected into a camera image as small dots coloured by depth, near points red.
 * Pure apart from the 2D context it draws on, so it runs on any canvas of any size.
 */
import type { WireProjection } from '../../../src/api/sensor-wire.js';
import { clampUnit, robustRange, turboCss, type ColorRange } from './colormap.js';

/** The part of CanvasRenderingContext2D the overlay uses; `fillStyle` is only written, as a CSS colour. */
export interface DotContext {
  fillStyle: unknown;
  clearRect(x: number, y: number, width: number, height: number): void;
  fillRect(x: number, y: number, width: number, height: number): void;
}

/**
 * Depth colours are quantized to this many steps, so the canvas fill style changes 48 times per
 * frame instead of once per point (parsing a colour string per point dominates drawing 100k dots).
 */
const DEPTH_STEPS = 48;

/** Return each point's depth step, 0 for the farthest colour and DEPTH_STEPS - 1 for the nearest. */
export function depthSteps(depth: Float32Array, range: ColorRange | null): Uint8Array {
  const steps = new Uint8Array(depth.length);
  const min = range?.min ?? 0;
  const span = range !== null && range.max > range.min ? range.max - range.min : 1;
  for (let i = 0; i < depth.length; i++) {
    const t = 1 - ((depth[i] ?? min) - min) / span;
    steps[i] = Math.round(clampUnit(t) * (DEPTH_STEPS - 1));
  }
  return steps;
}

/** Return point indices ordered far to near (a counting sort by step), so near dots are drawn on top. */
export function orderFarToNear(steps: Uint8Array): { order: Uint32Array; starts: Uint32Array } {
  const starts = new Uint32Array(DEPTH_STEPS + 1);
  for (const step of steps) starts[step + 1]! += 1;
  for (let step = 0; step < DEPTH_STEPS; step++) starts[step + 1]! += starts[step]!;

  const next = starts.slice(0, DEPTH_STEPS);
  const order = new Uint32Array(steps.length);
  steps.forEach((step, index) => {
    order[next[step]!++] = index;
  });
  return { order, starts };
}

/**
 * Clear the context and draw every projected point, scaled from image pixels to a canvas of
 * `width` x `height` pixels, as a square dot of `dotSize` canvas pixels. Returns the depth range
 * (2nd to 98th percentile, in metres) that the colours span.
 */
export function drawProjection(context: DotContext, projection: WireProjection, width: number, height: number, dotSize: number): ColorRange | null {
  context.clearRect(0, 0, width, height);
  const range = robustRange(projection.depth);
  if (projection.count === 0 || projection.imageWidth <= 0 || projection.imageHeight <= 0) return range;

  const scaleX = width / projection.imageWidth;
  const scaleY = height / projection.imageHeight;
  const half = dotSize / 2;
  const { order, starts } = orderFarToNear(depthSteps(projection.depth, range));

  for (let step = 0; step < DEPTH_STEPS; step++) {
    const start = starts[step]!;
    const end = starts[step + 1]!;
    if (start === end) continue;
    context.fillStyle = turboCss(step / (DEPTH_STEPS - 1));
    for (let k = start; k < end; k++) {
      const index = order[k]!;
      context.fillRect((projection.u[index] ?? 0) * scaleX - half, (projection.v[index] ?? 0) * scaleY - half, dotSize, dotSize);
    }
  }
  return range;
}
