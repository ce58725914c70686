/**
 * The Argoverse 2 similarity transform from city coordinates to raster pixels
 * (`<log>___img_Sim2_city.json`): `pixel = s · (R · city_xy + t)`, with column from x and row from y.
 */
import { ApronError } from '../../core/errors.js';
import type { NpyArray } from './npy.js';

export interface Sim2 {
  /** Row-major 2x2 rotation. */
  rotation: [number, number, number, number];
  translation: [number, number];
  scale: number;
}

/** Parses the Sim(2) JSON (`{"R": [4 numbers], "t": [2 numbers], "s": number}`). */
export function parseSim2Json(text: string, path: string): Sim2 {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw new ApronError('invalid-input', `Sim(2) file ${path} is not valid JSON: ${(error as Error).message}.`, {
      path,
      hint: 'Check that the file is complete and was not truncated.',
      cause: error,
    });
  }

  const record = (typeof root === 'object' && root !== null ? root : {}) as Record<string, unknown>;
  const numbers = (key: string, count: number): number[] => {
    const value = record[key];
    if (!Array.isArray(value) || value.length !== count || !value.every((entry) => typeof entry === 'number' && Number.isFinite(entry))) {
      throw new ApronError('invalid-input', `Sim(2) file ${path}: "${key}" is missing or is not a list of ${count} numbers.`, {
        path,
        hint: 'Expected {"R": [r00, r01, r10, r11], "t": [tx, ty], "s": scale}.',
      });
    }
    return value as number[];
  };

  const [r0 = 1, r1 = 0, r2 = 0, r3 = 1] = numbers('R', 4);
  const [tx = 0, ty = 0] = numbers('t', 2);
  const scale = record['s'];
  if (typeof scale !== 'number' || !Number.isFinite(scale) || !(scale > 0)) {
    throw new ApronError('invalid-input', `Sim(2) file ${path}: "s" must be a positive number, got ${JSON.stringify(scale)}.`, {
      path,
      hint: 'Argoverse 2 rasters use s = 3.333 pixels per metre (0.3 m per pixel).',
    });
  }
  if (Math.abs(r0 * r3 - r1 * r2) < 1e-9) {
    throw new ApronError('invalid-input', `Sim(2) file ${path}: "R" [${r0}, ${r1}, ${r2}, ${r3}] is singular, so pixels cannot be mapped back to the city frame.`, {
      path,
      hint: 'R must be a 2x2 rotation, for example [1, 0, 0, 1].',
    });
  }
  return { rotation: [r0, r1, r2, r3], translation: [tx, ty], scale };
}

/** Maps a city position (metres) to raster pixel coordinates [column, row]. */
export function cityToRaster(sim2: Sim2, x: number, y: number): [number, number] {
  const [r0, r1, r2, r3] = sim2.rotation;
  const [tx, ty] = sim2.translation;
  return [sim2.scale * (r0 * x + r1 * y + tx), sim2.scale * (r2 * x + r3 * y + ty)];
}

/** Maps raster pixel coordinates back to a city position (the inverse of `cityToRaster`). */
export function rasterToCity(sim2: Sim2, column: number, row: number): [number, number] {
  const [r0, r1, r2, r3] = sim2.rotation;
  const [tx, ty] = sim2.translation;
  const a = column / sim2.scale - tx;
  const b = row / sim2.scale - ty;

  // A general 2x2 inverse rather than the transpose, so a slightly non-orthogonal R (rounded in the file) still round-trips.
  const determinant = r0 * r3 - r1 * r2;
  return [(r3 * a - r1 * b) / determinant, (-r2 * a + r0 * b) / determinant];
}

/** Returns the raster value under a city position, or NaN outside the raster or where it has no data. */
export function sampleRaster(raster: NpyArray, sim2: Sim2, x: number, y: number): number {
  const [height, width] = rasterSize(raster);
  const [u, v] = cityToRaster(sim2, x, y);
  const column = Math.floor(u);
  const row = Math.floor(v);
  if (!(column >= 0 && column < width && row >= 0 && row < height)) return Number.NaN;
  return raster.data[row * width + column] ?? Number.NaN;
}

export interface RasterCrop {
  width: number;
  height: number;
  /** Raster pixel of the crop's top-left cell. It is negative where the crop starts outside the raster. */
  column0: number;
  row0: number;
  /** Row-major values, NaN outside the source raster. */
  values: Float32Array;
}

/** Cuts a `size x size` pixel window centred on a city position. Cells outside the raster are NaN. */
export function cropRaster(raster: NpyArray, sim2: Sim2, x: number, y: number, size: number): RasterCrop {
  if (!Number.isSafeInteger(size) || size <= 0) {
    throw new ApronError('invalid-input', `Raster crop size must be a positive whole number of pixels, got ${size}.`, {
      hint: 'Pass for example 64 or 128.',
    });
  }

  const [height, width] = rasterSize(raster);
  const [u, v] = cityToRaster(sim2, x, y);
  const column0 = Math.floor(u) - Math.floor(size / 2);
  const row0 = Math.floor(v) - Math.floor(size / 2);

  const values = new Float32Array(size * size).fill(Number.NaN);
  for (let row = 0; row < size; row++) {
    const sourceRow = row0 + row;
    if (sourceRow < 0 || sourceRow >= height) continue;
    for (let column = 0; column < size; column++) {
      const sourceColumn = column0 + column;
      if (sourceColumn < 0 || sourceColumn >= width) continue;
      values[row * size + column] = raster.data[sourceRow * width + sourceColumn] ?? Number.NaN;
    }
  }
  return { width: size, height: size, column0, row0, values };
}

function rasterSize(raster: NpyArray): [number, number] {
  const [height, width] = raster.shape;
  if (raster.shape.length !== 2 || height === undefined || width === undefined) {
    throw new ApronError('invalid-input', `A BEV raster must be two-dimensional, got shape (${raster.shape.join(', ')}).`, {
      hint: 'Pass a 2-D ground-height or occupancy raster.',
    });
  }
  return [height, width];
}
