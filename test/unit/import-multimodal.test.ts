// Pieces of the multimodal importers on files built here: Argoverse 2 ego poses from a Feather file
// written with apache-arrow, PJLab stamps and pose lines, and the manifest's calibration entries.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { nearestPose, readEgoPoses } from '../../src/dataset/importers/argoverse2-pose.js';
import { pjlabStampToNs, readStampedPoseFile } from '../../src/dataset/importers/pjlab-pose.js';
import { resolveCalibration } from '../../src/dataset/importers/resolve-calibration.js';
import { manifestSchema, type ManifestInput } from '../../src/dataset/manifest.js';
import { readManifest, writeManifest } from '../../src/dataset/manifest-io.js';

const tempRoot = mkdtempSync(join(tmpdir(), 'apron-multimodal-unit-'));
afterAll(() => rmSync(tempRoot, { recursive: true, force: true }));

/** Write a city_SE3_egovehicle-style Feather file with one pose per (time, yaw, x) row, out of time order. */
function writeEgoPoseFile(path: string, rows: Array<{ time: bigint; yaw: number; x: number }>): void {
  const table = tableFromArrays({
    timestamp_ns: BigInt64Array.from(rows.map((row) => row.time)),
    // A rotation by `yaw` about z: qw = cos(yaw/2), qz = sin(yaw/2).
    qw: Float64Array.from(rows.map((row) => Math.cos(row.yaw / 2))),
    qx: Float64Array.from(rows.map(() => 0)),
    qy: Float64Array.from(rows.map(() => 0)),
    qz: Float64Array.from(rows.map((row) => Math.sin(row.yaw / 2))),
    tx_m: Float64Array.from(rows.map((row) => row.x)),
    ty_m: Float64Array.from(rows.map(() => -2)),
    tz_m: Float64Array.from(rows.map(() => 0.5)),
  });
  writeFileSync(path, tableToIPC(table, 'file'));
}

describe('Argoverse 2 ego poses', () => {
  const path = join(tempRoot, 'city_SE3_egovehicle.feather');
  writeEgoPoseFile(path, [
    { time: 3_000n, yaw: -2.5, x: 30 },
    { time: 1_000n, yaw: 0.4, x: 10 },
    { time: 2_000n, yaw: 1.2, x: 20 },
  ]);

  it('reads rows sorted by time with yaw', () => {
    const poses = readEgoPoses(path);
    expect(poses.timestampsNs).toEqual([1_000n, 2_000n, 3_000n]);
    expect(poses.poses.map((pose) => pose.x)).toEqual([10, 20, 30]);
    expect(poses.poses[0]?.y).toBe(-2);
    expect(poses.poses[0]?.z).toBe(0.5);
    expect(poses.poses[0]?.yaw).toBeCloseTo(0.4, 12);
    expect(poses.poses[2]?.yaw).toBeCloseTo(-2.5, 12);
  });

  it('picks the nearest pose in time', () => {
    const poses = readEgoPoses(path);
    expect(nearestPose(poses, 1_400n)?.pose.x).toBe(10);
    expect(nearestPose(poses, 1_600n)?.pose.x).toBe(20);
    expect(nearestPose(poses, 9_000n)).toEqual({ pose: poses.poses[2], offsetNs: 6_000n });
    expect(nearestPose(poses, 0n)?.offsetNs).toBe(1_000n);
  });

  it('names a file without the pose columns', () => {
    const bad = join(tempRoot, 'no-columns.feather');
    writeFileSync(bad, tableToIPC(tableFromArrays({ timestamp_ns: BigInt64Array.from([1n]) }), 'file'));
    expect(() => readEgoPoses(bad)).toThrow(`Ego pose file ${bad} has no column "qw"`);
  });
});

describe('PJLab stamps and poses', () => {
  it('converts a stamp to nanoseconds', () => {
    const first = pjlabStampToNs('2021-10-26-16-21-29-468', 'a.pcd');
    expect(pjlabStampToNs('2021-10-26-16-21-29-568', 'b.pcd') - first).toBe(100_000_000n);
    expect(first).toBe(BigInt(Date.UTC(2021, 9, 26, 16, 21, 29, 468)) * 1_000_000n);
  });

  it('rejects a name that is no stamp', () => {
    expect(() => pjlabStampToNs('frame-7', '/data/frame-7.pcd')).toThrow('/data/frame-7.pcd');
  });

  it('names the file and line of a short pose line', () => {
    const path = join(tempRoot, 'pose.txt');
    writeFileSync(path, `2021-10-26-16-21-29-468 1 0 0 5 0 1 0 6 0 0 1 7\n2021-10-26-16-21-29-568 1 0 0\n`);
    expect(() => readStampedPoseFile(path)).toThrow(`Pose file ${path}, line 2`);
  });
});

describe('manifest calibrations', () => {
  const base: ManifestInput = {
    format: 'apron-manifest',
    version: 1,
    name: 'calibrated',
    root: tempRoot,
    samples: [{ sampleId: 'a', sequenceId: 's', timestampNs: 0, calibrationId: 'rig', cameras: [{ name: 'front', path: 'a.png' }] }],
  };

  it('defaults to no calibrations for old manifests', () => {
    const parsed = manifestSchema.parse(base);
    expect(parsed.calibrations).toEqual([]);
    expect(parsed.samples[0]?.mapPath).toBeUndefined();
  });

  it('names an id missing from calibrations', () => {
    const dataset = readManifest(writeManifest(join(tempRoot, 'missing-id', 'apron-manifest.json'), base));
    expect(() => resolveCalibration(dataset, dataset.manifest.samples[0]!, 'front')).toThrow('Calibration "rig" of sample a is not listed');
  });

  it('requires the image size for calib.txt', () => {
    writeFileSync(join(tempRoot, 'calib.txt'), 'K: 1000 0 960 0 1000 600 0 0 1\nD: 0 0 0 0\nT: 1 0 0 0 0 1 0 0 0 0 1 0\n');
    const manifest: ManifestInput = { ...base, calibrations: [{ calibrationId: 'rig', format: 'pjlab-text', paths: ['calib.txt'], camera: 'front' }] };
    const dataset = readManifest(writeManifest(join(tempRoot, 'no-size', 'apron-manifest.json'), manifest));
    const sample = dataset.manifest.samples[0]!;
    expect(() => resolveCalibration(dataset, sample, 'front')).toThrow('needs imageWidth and imageHeight');

    const sized: ManifestInput = { ...base, calibrations: [{ ...manifest.calibrations![0]!, imageWidth: 1920, imageHeight: 1200 }] };
    const sizedDataset = readManifest(writeManifest(join(tempRoot, 'sized', 'apron-manifest.json'), sized));
    const calibration = resolveCalibration(sizedDataset, sizedDataset.manifest.samples[0]!, 'front');
    expect(calibration.imageSize).toEqual({ width: 1920, height: 1200 });
    expect(calibration.intrinsic.values[0]).toBe(1000);
  });
});
