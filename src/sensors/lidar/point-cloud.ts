/**
 * The in-memory form of one LiDAR sweep: one typed-array column per field, all of length `count`.
 *
 * Columns are Float32Array when every value of the stored type fits exactly (float32 and integers
 * of 16 bits or fewer), and Float64Array otherwise (float64, 32- and 64-bit integers), so that
 * timestamps and ids survive the read unchanged.
 */
import { ApronError } from '../../core/errors.js';

export type PointCloudFormat = 'kitti-bin' | 'nuscenes-bin' | 'pcd' | 'ply' | 'argoverse2-feather';

export type PointColumn = Float32Array | Float64Array;

export interface PointField {
  name: string;
  values: PointColumn;
}

export interface PointCloud {
  format: PointCloudFormat;
  /** Number of points kept, equal to the length of every column. */
  count: number;
  fields: PointField[];
  /** Points removed because x, y or z was NaN or infinite (organized PCD clouds store gaps as NaN). */
  droppedNonFinite: number;
}

/** A point-cloud file that cannot be decoded: the message names the file and the problem. */
export class PointCloudError extends ApronError {
  constructor(source: string, problem: string, hint = 'Check that the file is complete and in the format its extension says, or export it again.') {
    super('unreadable-file', `Cannot read point cloud ${source}: ${problem}`, { path: source, hint });
    this.name = 'PointCloudError';
  }
}

/** Returns the column called `name`, or undefined when the file has no such field. */
export function getField(cloud: PointCloud, name: string): PointColumn | undefined {
  return cloud.fields.find((field) => field.name === name)?.values;
}

function toFloat32(values: PointColumn): Float32Array {
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

/** Returns x, y and z as Float32Array columns, converting float64 columns. */
export function getPositions(cloud: PointCloud): { x: Float32Array; y: Float32Array; z: Float32Array } {
  const x = getField(cloud, 'x');
  const y = getField(cloud, 'y');
  const z = getField(cloud, 'z');

  // Every reader passes through finishPointCloud, which rejects clouds without x, y and z.
  if (x === undefined || y === undefined || z === undefined) {
    throw new ApronError('invalid-input', 'Point cloud has no x, y and z fields.');
  }
  return { x: toFloat32(x), y: toFloat32(y), z: toFloat32(z) };
}

/** Returns the intensity column under its usual names (KITTI calls it reflectance), if any. */
export function getIntensity(cloud: PointCloud): PointColumn | undefined {
  return getField(cloud, 'intensity') ?? getField(cloud, 'reflectance') ?? getField(cloud, 'i');
}

/** Returns the laser ring column (Argoverse 2 calls it laser_number), if any. */
export function getRing(cloud: PointCloud): PointColumn | undefined {
  return getField(cloud, 'ring') ?? getField(cloud, 'laser_number');
}
