/**
 * Read a KITTI pose file: one line per scan, 12 numbers per line, the row-major 3x4 matrix [R | t]
 * of the scan in the frame of the first scan.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ApronError } from '../../core/errors.js';
import type { Pose } from '../manifest.js';

const VALUES_PER_ROW = 12;

/** Parse every line into 12 numbers. Errors name the file, the line and the bad value. */
export function readPoseFile(path: string): number[][] {
  if (!existsSync(path)) {
    throw new ApronError('not-found', `Pose file not found: ${path}`, {
      path,
      hint: 'A KITTI BEV sequence folder needs pose.txt beside imgs/, one 3x4 pose per scan.',
    });
  }
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  // Trailing empty lines are the usual end of a text file, not missing poses.
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();

  return lines.map((line, index) => {
    const lineNumber = index + 1;
    const tokens = line.trim().split(/\s+/).filter((token) => token !== '');
    if (tokens.length !== VALUES_PER_ROW) {
      throw new ApronError(
        'invalid-input',
        `Pose file ${path}, line ${lineNumber}: expected 12 numbers (a 3x4 pose, row-major), found ${tokens.length}`,
        { path, hint: 'Each line must hold the 12 values of one scan pose, separated by spaces.' },
      );
    }
    return tokens.map((token, column) => {
      const value = Number(token);
      if (!Number.isFinite(value)) {
        throw new ApronError('invalid-input', `Pose file ${path}, line ${lineNumber}, value ${column + 1}: "${token}" is not a number`, {
          path,
          hint: 'Fix that value, or restore pose.txt from the source dataset.',
        });
      }
      return value;
    });
  });
}

/**
 * Convert a 3x4 pose row to a pose: the translation is values 4, 8 and 12, and the yaw is the
 * rotation about the vertical axis, atan2(R[1][0], R[0][0]).
 */
export function poseFromRow(row: readonly number[]): Pose {
  return { x: row[3]!, y: row[7]!, z: row[11]!, yaw: Math.atan2(row[4]!, row[0]!) };
}
