/**
 * Colours for LiDAR points and projected depths: the turbo colour map, a categorical palette for
 * ring indices, and the fill of a three.js colour buffer by colour mode.
 */
import type { WirePoints } from '../../../src/api/sensor-wire.js';

export type ColorMode = 'height' | 'intensity' | 'range' | 'ring';

export const COLOR_MODES: readonly ColorMode[] = ['height', 'intensity', 'range', 'ring'];

/** Values at or below `min` take the first colour, at or above `max` the last. */
export interface ColorRange {
  min: number;
  max: number;
}

/** The colouring applied to a sweep, for its legend. `range` is null for the categorical ring palette. */
export interface AppliedColoring {
  mode: ColorMode;
  range: ColorRange | null;
  /** True when range colouring puts near points at the warm (red) end, as the camera overlay does. */
  nearIsWarm: boolean;
}

// Turbo polynomial approximation by Anton Mikhailov (Google, 2019, Apache-2.0), from
// https://gist.github.com/mikhailov-work/0d177465a8151eb6ede1768d51d476c7: a degree-5 polynomial
// per channel, clamped to 0..1.
const RED = [0.13572138, 4.6153926, -42.66032258, 132.13108234, -152.94239396, 59.28637943] as const;
const GREEN = [0.09140261, 2.19418839, 4.84296658, -14.18503333, 4.27729857, 2.82956604] as const;
const BLUE = [0.1066733, 12.64194608, -60.58204836, 110.36276771, -89.90310912, 27.34824973] as const;

function polynomial(c: readonly [number, number, number, number, number, number], x: number): number {
  const value = c[0] + x * (c[1] + x * (c[2] + x * (c[3] + x * (c[4] + x * c[5]))));
  return Math.min(1, Math.max(0, value));
}

/** Number of entries in the precomputed turbo table; 256 steps are finer than a screen shows. */
export const TURBO_STEPS = 256;

/** Turbo as 256 RGB triples in 0..1, so that colouring a point is a table read, not a polynomial. */
export const TURBO_TABLE: Float32Array = buildTurboTable();

function buildTurboTable(): Float32Array {
  const table = new Float32Array(TURBO_STEPS * 3);
  for (let i = 0; i < TURBO_STEPS; i++) {
    const x = i / (TURBO_STEPS - 1);
    table[i * 3] = polynomial(RED, x);
    table[i * 3 + 1] = polynomial(GREEN, x);
    table[i * 3 + 2] = polynomial(BLUE, x);
  }
  return table;
}

/** Clamp t to 0..1, with NaN taken as 0. */
export function clampUnit(t: number): number {
  if (!(t > 0)) return 0;
  if (t > 1) return 1;
  return t;
}

/** Map t in 0..1 (clamped, NaN taken as 0) to the index of a turbo table entry. */
export function turboIndex(t: number): number {
  return Math.round(clampUnit(t) * (TURBO_STEPS - 1));
}

/** Return the turbo colour of t in 0..1 as RGB components in 0..1. */
export function turbo(t: number): [number, number, number] {
  const base = turboIndex(t) * 3;
  return [TURBO_TABLE[base] ?? 0, TURBO_TABLE[base + 1] ?? 0, TURBO_TABLE[base + 2] ?? 0];
}

/** Return the turbo colour of t in 0..1 as a CSS `rgb()` string. */
export function turboCss(t: number): string {
  const [r, g, b] = turbo(t);
  return `rgb(${Math.round(r * 255)}, ${Math.round(g * 255)}, ${Math.round(b * 255)})`;
}

/**
 * Categorical palette for ring (laser channel) indices. Neighbouring rings get contrasting
 * colours, so the scan lines of a 32- or 64-beam sensor stay apart; ring i takes entry i mod 12.
 */
export const RING_PALETTE: readonly (readonly [number, number, number])[] = [
  [0.9, 0.1, 0.11],
  [0.22, 0.49, 0.72],
  [0.3, 0.69, 0.29],
  [0.6, 0.31, 0.64],
  [1, 0.5, 0],
  [1, 1, 0.2],
  [0.65, 0.34, 0.16],
  [0.97, 0.51, 0.75],
  [0.1, 0.75, 0.8],
  [0.6, 0.6, 0.6],
  [0.7, 0.87, 0.54],
  [0.79, 0.7, 0.84],
];

/** Return the colour modes a sweep supports: intensity and ring need their optional columns. */
export function availableColorModes(points: Pick<WirePoints, 'intensity' | 'ring'>): ColorMode[] {
  return COLOR_MODES.filter((mode) => {
    if (mode === 'intensity') return points.intensity !== null;
    if (mode === 'ring') return points.ring !== null;
    return true;
  });
}

/** Values sampled for a percentile: beyond this, every k-th value is taken, which is plenty for a 2% tail. */
const PERCENTILE_SAMPLE = 65_536;

/**
 * Return the lower and upper percentiles (0..100) of the finite values, or null when there are none.
 * Large arrays are subsampled with a fixed stride, so the result is deterministic.
 */
export function robustRange(values: ArrayLike<number>, lowerPercent = 2, upperPercent = 98): ColorRange | null {
  const stride = Math.max(1, Math.floor(values.length / PERCENTILE_SAMPLE));
  const sample = new Float32Array(Math.ceil(values.length / stride));
  let count = 0;
  for (let i = 0; i < values.length; i += stride) {
    const value = values[i] ?? Number.NaN;
    if (Number.isFinite(value)) sample[count++] = value;
  }
  if (count === 0) return null;

  const sorted = sample.subarray(0, count).sort();
  const at = (percent: number): number => sorted[Math.min(count - 1, Math.max(0, Math.round((percent / 100) * (count - 1))))] ?? 0;
  return { min: at(lowerPercent), max: at(upperPercent) };
}

/** Return the distance of each point from the sensor origin, in metres. */
export function pointRanges(points: Pick<WirePoints, 'count' | 'x' | 'y' | 'z'>): Float32Array {
  const ranges = new Float32Array(points.count);
  for (let i = 0; i < points.count; i++) {
    const x = points.x[i] ?? 0;
    const y = points.y[i] ?? 0;
    const z = points.z[i] ?? 0;
    ranges[i] = Math.sqrt(x * x + y * y + z * z);
  }
  return ranges;
}

/**
 * Fill `colors` (RGB triples, length 3 x count) for the points by `mode` and return the colouring
 * used. A mode whose column the sweep lacks falls back to height, and the returned `mode` is then 'height'.
 */
export function fillPointColors(points: WirePoints, mode: ColorMode, colors: Float32Array): AppliedColoring {
  if (colors.length < points.count * 3) {
    throw new RangeError(`The colour buffer is too short: it has room for ${colors.length / 3} points, but the sweep has ${points.count}.`);
  }

  if (mode === 'ring' && points.ring !== null) {
    fillRingColors(points.ring, points.count, colors);
    return { mode, range: null, nearIsWarm: false };
  }

  if (mode === 'intensity' && points.intensity !== null) {
    const range = fillScalarColors(points.intensity, points.count, colors, false);
    return { mode, range, nearIsWarm: false };
  }

  if (mode === 'range') {
    // Near points are warm, as in the camera overlay, so the two views read alike.
    const range = fillScalarColors(pointRanges(points), points.count, colors, true);
    return { mode, range, nearIsWarm: true };
  }

  const range = fillScalarColors(points.z, points.count, colors, false);
  return { mode: 'height', range, nearIsWarm: false };
}

function fillRingColors(ring: Float32Array, count: number, colors: Float32Array): void {
  const size = RING_PALETTE.length;
  for (let i = 0; i < count; i++) {
    const value = ring[i] ?? 0;
    const index = Number.isFinite(value) ? ((Math.trunc(value) % size) + size) % size : 0;
    const color = RING_PALETTE[index] ?? RING_PALETTE[0]!;
    colors[i * 3] = color[0];
    colors[i * 3 + 1] = color[1];
    colors[i * 3 + 2] = color[2];
  }
}

/** Colour values by turbo over their 2nd-98th percentile range; `reversed` puts low values at the red end. */
function fillScalarColors(values: ArrayLike<number>, count: number, colors: Float32Array, reversed: boolean): ColorRange | null {
  const range = robustRange(values);
  const min = range?.min ?? 0;
  const span = range !== null && range.max > range.min ? range.max - range.min : 1;
  for (let i = 0; i < count; i++) {
    const t = ((values[i] ?? min) - min) / span;
    const base = turboIndex(reversed ? 1 - t : t) * 3;
    colors[i * 3] = TURBO_TABLE[base] ?? 0;
    colors[i * 3 + 1] = TURBO_TABLE[base + 1] ?? 0;
    colors[i * 3 + 2] = TURBO_TABLE[base + 2] ?? 0;
  }
  return range;
}
