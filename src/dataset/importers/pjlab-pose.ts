/**
 * PJLab pose files: one line per sweep, `<stamp> r11 r12 r13 tx r21 r22 r23 ty r31 r32 r33 tz`, the
 * 3x4 pose [R | t] relative to the first frame. Stamps look like `2021-10-26-16-21-29-468`
 * (date, time, milliseconds).
 */
import { existsSync, readFileSync } from 'node:fs';
import { ApronError } from '../../core/errors.js';
import type { Pose } from '../manifest.js';
import { poseFromRow } from './kitti-pose.js';

const STAMP = /^(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{3})$/;

/** Parse every line into a pose keyed by its stamp. Errors name the file and the line. */
export function readStampedPoseFile(path: string): Map<string, Pose> {
  if (!existsSync(path)) {
    throw new ApronError('not-found', `Pose file not found: ${path}`, { path, hint: 'Restore the pose file beside the sweep folder.' });
  }
  const poses = new Map<string, Pose>();
  readFileSync(path, 'utf8').split(/\r?\n/).forEach((line, index) => {
    const tokens = line.trim().split(/\s+/).filter((token) => token !== '');
    if (tokens.length === 0) return;
    const values = tokens.slice(1).map(Number);
    if (tokens.length !== 13 || values.some((value) => !Number.isFinite(value))) {
      throw new ApronError('invalid-input', `Pose file ${path}, line ${index + 1}: expected a stamp and 12 numbers (a 3x4 pose, row-major)`, {
        path,
        hint: 'Each line must hold the stamp and the 12 values of one pose, separated by spaces.',
      });
    }
    poses.set(tokens[0]!, poseFromRow(values));
  });
  return poses;
}

/**
 * Convert a stamp to nanoseconds, read as UTC. The files do not state their time zone, so only
 * differences within one drive are meaningful (as the manifest requires).
 */
export function pjlabStampToNs(stamp: string, path: string): bigint {
  const match = STAMP.exec(stamp);
  if (match === null) {
    throw new ApronError('invalid-input', `Sweep ${path}: the name "${stamp}" is not a stamp of the form YYYY-MM-DD-hh-mm-ss-mmm`, {
      path,
      hint: 'Rename the sweep after its capture time, as the pose file lists it.',
    });
  }
  const [year, month, day, hour, minute, second, millisecond] = match.slice(1).map(Number) as [number, number, number, number, number, number, number];
  const milliseconds = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  return BigInt(milliseconds) * 1_000_000n;
}
