/**
 * Projection of LiDAR points into one camera image.
 */
import { ApronError } from '../../core/errors.js';
import type { CameraCalibration } from '../calibration/types.js';
import { distortNormalized } from './distortion.js';

/** A point cloud as separate coordinate columns of equal length (metres, LiDAR frame). */
export interface PointColumns {
  x: Float32Array;
  y: Float32Array;
  z: Float32Array;
}

export interface Projection {
  /** Indices into the input columns of the points that land inside the image, ascending. */
  indices: Uint32Array;
  /** Pixel column of each projected point (0 is the left edge of the first pixel). */
  u: Float32Array;
  /** Pixel row of each projected point (0 is the top edge of the first pixel). */
  v: Float32Array;
  /** Camera-frame z (metres along the optical axis) of each projected point. */
  depth: Float32Array;
  /** Number of input points with positive depth, inside the image or not. */
  inFrontCount: number;
}

export interface ProjectionOptions {
  /** Minimum camera-frame z in metres; closer points are dropped. Default 0.1. */
  minDepth?: number;
}

/**
 * Projects points into the camera of `calibration` and keeps those in front of it and inside the image.
 *
 * With 3x4 intrinsics (KITTI `P2`) the fourth column adds the stereo baseline offset, so the pixel
 * is `P · [xc, yc, zc, 1]` divided by its third entry. Depth is still the camera-frame zc. Distortion
 * applies only to 3x3 intrinsics, because a rectified KITTI projection has none.
 */
export function projectPoints(points: PointColumns, calibration: CameraCalibration, options: ProjectionOptions = {}): Projection {
  const count = points.x.length;
  if (points.y.length !== count || points.z.length !== count) {
    throw new ApronError('invalid-input', `Point columns differ in length (x ${count}, y ${points.y.length}, z ${points.z.length}).`, {
      hint: 'Pass x, y and z columns from the same point cloud.',
    });
  }

  const minDepth = options.minDepth ?? 0.1;
  const { width, height } = calibration.imageSize;
  const e = calibration.lidarToCamera;
  const k = calibration.intrinsic.values;
  const hasBaseline = calibration.intrinsic.columns === 4;
  const distortion = hasBaseline ? undefined : calibration.distortion;
  const maxRadiusSquared = distortion === undefined ? Infinity : distortionValidRadiusSquared(calibration);

  const at = (values: readonly number[], index: number): number => values[index] ?? 0;
  const columns = calibration.intrinsic.columns;
  const fx = at(k, 0);
  const skew = at(k, 1);
  const cx = at(k, 2);
  const fy = at(k, columns + 1);
  const cy = at(k, columns + 2);

  const indices: number[] = [];
  const us: number[] = [];
  const vs: number[] = [];
  const depths: number[] = [];
  let inFrontCount = 0;

  for (let i = 0; i < count; i++) {
    const px = points.x[i] ?? 0;
    const py = points.y[i] ?? 0;
    const pz = points.z[i] ?? 0;

    // Camera frame: x right, y down, z forward.
    const xc = at(e, 0) * px + at(e, 1) * py + at(e, 2) * pz + at(e, 3);
    const yc = at(e, 4) * px + at(e, 5) * py + at(e, 6) * pz + at(e, 7);
    const zc = at(e, 8) * px + at(e, 9) * py + at(e, 10) * pz + at(e, 11);
    if (!(zc > minDepth)) continue;
    inFrontCount++;

    let u: number;
    let v: number;
    if (hasBaseline) {
      const w = at(k, 8) * xc + at(k, 9) * yc + at(k, 10) * zc + at(k, 11);
      u = (at(k, 0) * xc + at(k, 1) * yc + at(k, 2) * zc + at(k, 3)) / w;
      v = (at(k, 4) * xc + at(k, 5) * yc + at(k, 6) * zc + at(k, 7)) / w;
    } else {
      let xn = xc / zc;
      let yn = yc / zc;
      if (distortion !== undefined) {
        if (xn * xn + yn * yn > maxRadiusSquared) continue;
        [xn, yn] = distortNormalized(xn, yn, distortion);
      }
      u = fx * xn + skew * yn + cx;
      v = fy * yn + cy;
    }

    if (!(u >= 0 && u < width && v >= 0 && v < height)) continue;
    indices.push(i);
    us.push(u);
    vs.push(v);
    depths.push(zc);
  }

  return {
    indices: Uint32Array.from(indices),
    u: Float32Array.from(us),
    v: Float32Array.from(vs),
    depth: Float32Array.from(depths),
    inFrontCount,
  };
}

/**
 * Largest squared normalized radius at which the distortion polynomial is still trusted.
 *
 * The polynomial is fitted only over the image, and far outside it (wide-angle points beside the
 * camera) it can fold back and put a point into the image. Points beyond 1.5 times the radius of the
 * farthest undistorted image corner are dropped before distorting for that reason.
 */
function distortionValidRadiusSquared(calibration: CameraCalibration): number {
  const k = calibration.intrinsic.values;
  const fx = k[0] ?? 1;
  const cx = k[2] ?? 0;
  const fy = k[4] ?? 1;
  const cy = k[5] ?? 0;
  const { width, height } = calibration.imageSize;

  let maxSquared = 0;
  for (const [u, v] of [[0, 0], [width, 0], [0, height], [width, height]] as const) {
    const xn = (u - cx) / fx;
    const yn = (v - cy) / fy;
    maxSquared = Math.max(maxSquared, xn * xn + yn * yn);
  }
  return maxSquared * 1.5 * 1.5;
}
