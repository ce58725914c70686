/**
 * Bird's-eye-view rasters from a LiDAR point cloud: point count or maximum height per cell.
 */
import { ApronError } from '../../core/errors.js';
import type { PointColumns } from '../projection/project.js';
import { createBevGrid, type BevGrid, type BevRange } from './grid.js';

/** Ego pose in a site or city frame. Yaw is in radians, counter-clockwise from the frame's +x axis. */
export interface PlanarPose {
  x: number;
  y: number;
  yaw: number;
}

export interface PointRasterOptions {
  mode: 'density' | 'max-height';
  /** Metres per pixel. */
  resolution: number;
  /** Covered rectangle in metres, relative to the ego position. */
  range: BevRange;
  /**
   * Raster axes: `ego` (default) keeps the ego frame's axes. `north-up` rotates the points by the
   * pose yaw so that the raster axes follow the site frame, still centred on the ego. It needs `pose`.
   */
  orientation?: 'ego' | 'north-up';
  pose?: PlanarPose;
}

export interface PointRaster {
  grid: BevGrid;
  /** Row-major `height * width` cells: a count (density) or a z in metres (max-height, NaN where empty). */
  values: Float32Array;
  /** Number of input points that fell inside the grid. */
  pointsInside: number;
}

/** Rasterizes points given in the ego (or LiDAR) frame. */
export function rasterizePoints(points: PointColumns, options: PointRasterOptions): PointRaster {
  const grid = createBevGrid(options.range, options.resolution);
  const values = new Float32Array(grid.width * grid.height);
  if (options.mode === 'max-height') values.fill(Number.NaN);

  // North-up rotates by the yaw only, because the grid stays centred on the ego and the translation cancels.
  const yaw = options.orientation === 'north-up' ? requirePose(options).yaw : 0;
  const cos = Math.cos(yaw);
  const sin = Math.sin(yaw);

  const { xMin, yMin } = grid.range;
  let pointsInside = 0;
  for (let i = 0; i < points.x.length; i++) {
    const px = points.x[i] ?? 0;
    const py = points.y[i] ?? 0;
    const x = cos * px - sin * py;
    const y = sin * px + cos * py;

    const column = Math.floor((x - xMin) / grid.resolution);
    const row = Math.floor((y - yMin) / grid.resolution);
    // Written as a negated range check so that NaN coordinates are skipped too.
    if (!(column >= 0 && column < grid.width && row >= 0 && row < grid.height)) continue;
    pointsInside++;

    const cell = row * grid.width + column;
    if (options.mode === 'density') {
      values[cell] = (values[cell] ?? 0) + 1;
    } else {
      const z = points.z[i] ?? Number.NaN;
      const current = values[cell] ?? Number.NaN;
      if (Number.isNaN(current) || z > current) values[cell] = z;
    }
  }

  return { grid, values, pointsInside };
}

function requirePose(options: PointRasterOptions): PlanarPose {
  if (options.pose === undefined) {
    throw new ApronError('invalid-input', 'A north-up BEV raster needs the ego pose, but none was given.', {
      hint: 'Pass pose { x, y, yaw } or use orientation "ego".',
    });
  }
  return options.pose;
}
