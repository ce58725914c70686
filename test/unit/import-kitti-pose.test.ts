import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { poseFromRow, readPoseFile } from '../../src/dataset/importers/kitti-pose.js';

const folder = mkdtempSync(join(tmpdir(), 'apron-pose-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function writePoseFile(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

const identity = '1 0 0 0 0 1 0 0 0 0 1 0';

describe('readPoseFile', () => {
  it('accepts CRLF line ends and trailing blank lines', () => {
    const path = writePoseFile('crlf.txt', `${identity}\r\n1 0 0 5 0 1 0 6 0 0 1 7\r\n\r\n\n`);
    const rows = readPoseFile(path);
    expect(rows.length).toBe(2);
    expect(rows[1]).toEqual([1, 0, 0, 5, 0, 1, 0, 6, 0, 0, 1, 7]);
  });

  it('accepts tabs and repeated spaces between values', () => {
    const path = writePoseFile('tabs.txt', '1\t0  0 2.5e1 0 1 0 -3 0 0 1 0\n');
    expect(readPoseFile(path)[0]![3]).toBe(25);
  });

  it('names an empty line inside the file', () => {
    const path = writePoseFile('gap.txt', `${identity}\n\n${identity}\n`);
    expect(() => readPoseFile(path)).toThrow(/gap\.txt, line 2: expected 12 numbers \(a 3x4 pose, row-major\), found 0/);
  });

  it('rejects NaN and infinite values', () => {
    const path = writePoseFile('nan.txt', '1 0 0 NaN 0 1 0 0 0 0 1 0\n');
    expect(() => readPoseFile(path)).toThrow(/line 1, value 4: "NaN" is not a number/);
    const infinite = writePoseFile('inf.txt', '1 0 0 1e999 0 1 0 0 0 0 1 0\n');
    expect(() => readPoseFile(infinite)).toThrow(/line 1, value 4: "1e999" is not a number/);
  });

  it('names a missing file', () => {
    expect(() => readPoseFile(join(folder, 'absent.txt'))).toThrow(/Pose file not found: .*absent\.txt/);
  });
});

describe('poseFromRow', () => {
  it('takes translation from values 4, 8 and 12 and yaw from the rotation', () => {
    // A rotation of 135 degrees about z: cos = -0.7071, sin = 0.7071.
    const c = Math.cos((3 * Math.PI) / 4);
    const s = Math.sin((3 * Math.PI) / 4);
    const pose = poseFromRow([c, -s, 0, 10, s, c, 0, -20, 0, 0, 1, 1.5]);
    expect(pose.x).toBe(10);
    expect(pose.y).toBe(-20);
    expect(pose.z).toBe(1.5);
    expect(pose.yaw).toBeCloseTo((3 * Math.PI) / 4, 12);
  });
});
