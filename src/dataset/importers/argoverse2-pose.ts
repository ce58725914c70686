/**
 * Ego poses of an Argoverse 2 log from `city_SE3_egovehicle.feather`: columns timestamp_ns (int64),
 * qw, qx, qy, qz and tx_m, ty_m, tz_m (float64), the ego vehicle (rear axle) in the city frame.
 */
import { readFileSync } from 'node:fs';
import { tableFromIPC, type Table, type Vector } from 'apache-arrow';
import { ApronError } from '../../core/errors.js';
// Importing the LiDAR reader registers the LZ4 codec that compressed Feather files need.
import '../../sensors/lidar/feather.js';
import { checkArrowFile } from '../../sensors/lidar/arrow-ipc-check.js';
import type { Pose } from '../manifest.js';

export interface EgoPoses {
  /** Sorted ascending. */
  timestampsNs: bigint[];
  poses: Pose[];
}

const COLUMNS = ['timestamp_ns', 'qw', 'qx', 'qy', 'qz', 'tx_m', 'ty_m', 'tz_m'] as const;

/** Read all poses of a log, sorted by time. Errors name the file and the missing column. */
export function readEgoPoses(path: string): EgoPoses {
  let table: Table;
  try {
    const bytes = readFileSync(path);
    // apache-arrow can loop forever on corrupt framing, so the framing is checked first.
    const problem = checkArrowFile(bytes);
    if (problem !== undefined) throw new Error(problem);
    table = tableFromIPC(bytes);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ApronError('not-found', `Ego pose file not found: ${path}`, { path, hint: 'Each Argoverse 2 log folder needs city_SE3_egovehicle.feather.' });
    throw new ApronError('invalid-input', `Ego pose file ${path} is not a readable Arrow Feather file (${(error as Error).message})`, {
      path,
      hint: 'Restore the file from the Argoverse 2 download.',
    });
  }

  const column = (name: (typeof COLUMNS)[number]): Vector => {
    const vector = table.getChild(name);
    if (vector === null) {
      throw new ApronError('invalid-input', `Ego pose file ${path} has no column "${name}"`, { path, hint: `Expected the columns ${COLUMNS.join(', ')}.` });
    }
    return vector;
  };
  const time = column('timestamp_ns');
  const qw = column('qw');
  const qx = column('qx');
  const qy = column('qy');
  const qz = column('qz');
  const tx = column('tx_m');
  const ty = column('ty_m');
  const tz = column('tz_m');

  const rows: Array<{ time: bigint; pose: Pose }> = [];
  for (let row = 0; row < table.numRows; row++) {
    const w = Number(qw.get(row));
    const x = Number(qx.get(row));
    const y = Number(qy.get(row));
    const z = Number(qz.get(row));
    // Yaw of the quaternion (rotation about the city z axis), the Z of a Z-Y-X Euler decomposition.
    const yaw = Math.atan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z));
    rows.push({ time: BigInt(time.get(row) as bigint | number), pose: { x: Number(tx.get(row)), y: Number(ty.get(row)), z: Number(tz.get(row)), yaw } });
  }
  rows.sort((a, b) => {
    if (a.time === b.time) return 0;
    return a.time < b.time ? -1 : 1;
  });
  return { timestampsNs: rows.map((row) => row.time), poses: rows.map((row) => row.pose) };
}

/** Return the pose nearest in time to `timestampNs` and its distance in nanoseconds, or undefined for an empty log. */
export function nearestPose(poses: EgoPoses, timestampNs: bigint): { pose: Pose; offsetNs: bigint } | undefined {
  const times = poses.timestampsNs;
  if (times.length === 0) return undefined;
  let low = 0;
  let high = times.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (times[middle]! < timestampNs) low = middle + 1;
    else high = middle;
  }
  // `low` is the first time at or after the target; the one before it may be nearer.
  let best = low;
  const distance = (index: number): bigint => {
    const delta = times[index]! - timestampNs;
    return delta < 0n ? -delta : delta;
  };
  if (low > 0 && distance(low - 1) <= distance(low)) best = low - 1;
  return { pose: poses.poses[best]!, offsetNs: distance(best) };
}
