/**
 * The geometry of a bird's-eye-view raster: which metric rectangle it covers and at what resolution.
 *
 * Point rasters, `.npy` map rasters and vector map overlays share one convention. The column index
 * grows with frame x and the row index grows with frame y. Pixel (col, row) covers
 * [col, col + 1) x [row, row + 1) in pixel coordinates. This is the Argoverse 2 Sim(2) convention,
 * so a renderer that draws row 0 at the top shows +y downwards and must flip to draw north up.
 */
import { ApronError } from '../../core/errors.js';

export interface BevRange {
  /** Metres, in the raster frame (ego frame, or a north-aligned frame centred on the pose). */
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

export interface BevGrid {
  range: BevRange;
  /** Metres per pixel. */
  resolution: number;
  width: number;
  height: number;
}

/** Builds a grid covering `range` with square cells of `resolution` metres (partial cells at the far edge are dropped). */
export function createBevGrid(range: BevRange, resolution: number): BevGrid {
  if (!(resolution > 0) || !Number.isFinite(resolution)) {
    throw new ApronError('invalid-input', `BEV resolution must be a positive number of metres per pixel, got ${resolution}.`, {
      hint: 'Use for example 0.1 or 0.2 m per pixel.',
    });
  }
  const values = [range.xMin, range.xMax, range.yMin, range.yMax];
  if (!values.every(Number.isFinite) || !(range.xMax > range.xMin) || !(range.yMax > range.yMin)) {
    throw new ApronError('invalid-input', `BEV range is empty or not finite (x ${range.xMin}..${range.xMax}, y ${range.yMin}..${range.yMax}).`, {
      hint: 'Give xMin < xMax and yMin < yMax in metres.',
    });
  }

  // The small epsilon keeps a range such as 0..40 at 0.1 m from losing its last cell to rounding.
  const width = Math.floor((range.xMax - range.xMin) / resolution + 1e-9);
  const height = Math.floor((range.yMax - range.yMin) / resolution + 1e-9);
  return { range, resolution, width, height };
}
