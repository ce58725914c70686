/**
 * Readers for headerless sweeps of little-endian float32 records: KITTI Velodyne `.bin` (x, y, z,
 * reflectance) and nuScenes `.pcd.bin` (x, y, z, intensity, ring index).
 */
import { finishPointCloud } from './finish.js';
import { PointCloudError, type PointCloud, type PointCloudFormat, type PointField } from './point-cloud.js';

function readFloatRecords(bytes: Uint8Array, source: string, format: PointCloudFormat, names: string[]): PointCloud {
  const recordSize = names.length * 4;
  if (bytes.byteLength % recordSize !== 0) {
    throw new PointCloudError(
      source,
      `its size (${bytes.byteLength} bytes) is not a multiple of the ${recordSize}-byte record (${names.length} float32 values: ${names.join(', ')})`,
      'The file is truncated or is not in this layout; copy it again or pick the matching format.',
    );
  }

  const count = bytes.byteLength / recordSize;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fields: PointField[] = names.map((name) => ({ name, values: new Float32Array(count) }));

  for (let column = 0; column < names.length; column++) {
    const values = (fields[column] as PointField).values;
    let offset = column * 4;
    for (let i = 0; i < count; i++, offset += recordSize) values[i] = view.getFloat32(offset, true);
  }
  return finishPointCloud(format, fields, count, source);
}

/** Reads a KITTI Velodyne sweep: float32 x, y, z, reflectance per point. */
export function readKittiBin(bytes: Uint8Array, source: string): PointCloud {
  return readFloatRecords(bytes, source, 'kitti-bin', ['x', 'y', 'z', 'reflectance']);
}

/** Reads a nuScenes LiDAR sweep: float32 x, y, z, intensity, ring per point. */
export function readNuscenesBin(bytes: Uint8Array, source: string): PointCloud {
  return readFloatRecords(bytes, source, 'nuscenes-bin', ['x', 'y', 'z', 'intensity', 'ring']);
}
