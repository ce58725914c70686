import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseKittiCalibJson } from '../../src/sensors/calibration/kitti.js';
import { listNuscenesCameras, parseNuscenesCalibJson } from '../../src/sensors/calibration/nuscenes.js';
import { parsePjlabCalibJson, parsePjlabCalibText } from '../../src/sensors/calibration/pjlab.js';
import { projectPoints, type PointColumns } from '../../src/sensors/projection/project.js';
import { describeWithSharedData, sharedDataPath } from '../helpers/shared-data.js';

/** Splits an interleaved little-endian float32 point file into x, y, z columns. */
function readFloat32Points(path: string, fieldsPerPoint: number): PointColumns {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = bytes.byteLength / (4 * fieldsPerPoint);
  const columns = { x: new Float32Array(count), y: new Float32Array(count), z: new Float32Array(count) };
  for (let i = 0; i < count; i++) {
    const offset = i * fieldsPerPoint * 4;
    columns.x[i] = view.getFloat32(offset, true);
    columns.y[i] = view.getFloat32(offset + 4, true);
    columns.z[i] = view.getFloat32(offset + 8, true);
  }
  return columns;
}

/** Reads the x, y, z fields of a PCD file with `DATA ascii`. */
function readAsciiPcd(path: string): PointColumns {
  const lines = readFileSync(path, 'utf8').split('\n');
  const dataLine = lines.findIndex((line) => line.startsWith('DATA'));
  const rows = lines.slice(dataLine + 1).filter((line) => line.trim().length > 0);
  const columns = { x: new Float32Array(rows.length), y: new Float32Array(rows.length), z: new Float32Array(rows.length) };
  rows.forEach((row, i) => {
    const [x = '', y = '', z = ''] = row.trim().split(/\s+/);
    columns.x[i] = Number(x);
    columns.y[i] = Number(y);
    columns.z[i] = Number(z);
  });
  return columns;
}

/**
 * Reads x, y, z of a PCD file with `DATA binary_compressed`: after the header come the compressed and
 * uncompressed sizes (uint32 LE), then LZF-compressed data laid out field by field (all x, then all y, ...).
 */
function readCompressedPcd(path: string): PointColumns {
  const bytes = readFileSync(path);
  const marker = Buffer.from('DATA binary_compressed\n');
  const start = bytes.indexOf(marker) + marker.length;
  const header = bytes.subarray(0, start).toString('latin1');
  const count = Number(/^POINTS (\d+)$/m.exec(header)?.[1]);
  const compressedSize = bytes.readUInt32LE(start);
  const raw = decompressLzf(bytes.subarray(start + 8, start + 8 + compressedSize), bytes.readUInt32LE(start + 4));

  // x, y and z are the first three float32 fields in every PJLab file.
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const columns = { x: new Float32Array(count), y: new Float32Array(count), z: new Float32Array(count) };
  for (let i = 0; i < count; i++) {
    columns.x[i] = view.getFloat32(i * 4, true);
    columns.y[i] = view.getFloat32((count + i) * 4, true);
    columns.z[i] = view.getFloat32((2 * count + i) * 4, true);
  }
  return columns;
}

/** LZF decompression (liblzf format: literal runs and back references). */
function decompressLzf(input: Uint8Array, outputLength: number): Uint8Array {
  const output = new Uint8Array(outputLength);
  let inputIndex = 0;
  let outputIndex = 0;
  while (inputIndex < input.length) {
    const control = input[inputIndex++] ?? 0;
    if (control < 32) {
      const literalLength = control + 1;
      output.set(input.subarray(inputIndex, inputIndex + literalLength), outputIndex);
      inputIndex += literalLength;
      outputIndex += literalLength;
      continue;
    }

    let length = control >> 5;
    if (length === 7) length += input[inputIndex++] ?? 0;
    let reference = outputIndex - ((control & 0x1f) << 8) - 1 - (input[inputIndex++] ?? 0);
    // Byte by byte, because a back reference may overlap the bytes it is producing.
    for (let k = 0; k < length + 2; k++) output[outputIndex++] = output[reference++] ?? 0;
  }
  expect(outputIndex).toBe(outputLength);
  return output;
}

describeWithSharedData(['kitti-nuscenes-demo', 'kitti'], 'projection of the KITTI demo cloud', () => {
  it('every point lands in the image', () => {
    const calibrationPath = sharedDataPath('kitti-nuscenes-demo', 'kitti', '000008_calib_and_labels.json');
    const calibration = parseKittiCalibJson(readFileSync(calibrationPath, 'utf8'), calibrationPath);
    const points = readFloat32Points(sharedDataPath('kitti-nuscenes-demo', 'kitti', '000008.bin'), 4);
    const projection = projectPoints(points, calibration);

    expect(points.x.length).toBe(17238);
    expect(projection.inFrontCount).toBe(17238);
    expect(projection.indices.length).toBe(17238);
    expect(Math.min(...projection.depth)).toBeGreaterThan(0);
    expect(Math.max(...projection.u)).toBeLessThan(1242);
    expect(Math.max(...projection.v)).toBeLessThan(375);
  });
});

describeWithSharedData(['kitti-nuscenes-demo', 'nuscenes'], 'projection of the nuScenes LIDAR_TOP sweep', () => {
  const folder = sharedDataPath('kitti-nuscenes-demo', 'nuscenes');
  const calibrationPath = sharedDataPath('kitti-nuscenes-demo', 'nuscenes', 'sample_calib.json');
  const calibrationText = readFileSync(calibrationPath, 'utf8');
  const lidarFile = readdirSync(folder).find((name) => name.includes('LIDAR_TOP') && name.endsWith('.pcd.bin')) ?? 'missing';
  const points = readFloat32Points(sharedDataPath('kitti-nuscenes-demo', 'nuscenes', lidarFile), 5);

  // In-front and inside counts per camera, computed independently with NumPy (z > 0.1 m, 0 <= u < 1600, 0 <= v < 900).
  const expected: Record<string, [number, number]> = {
    CAM_FRONT: [12115, 3067],
    CAM_FRONT_RIGHT: [11967, 3079],
    CAM_FRONT_LEFT: [13260, 3704],
    CAM_BACK: [11741, 4826],
    CAM_BACK_LEFT: [13936, 4097],
    CAM_BACK_RIGHT: [12163, 3379],
  };

  it('sweep has 34,688 points', () => {
    expect(points.x.length).toBe(34688);
  });

  for (const camera of listNuscenesCameras(calibrationText, calibrationPath)) {
    it(`${camera} share of in-front points`, () => {
      const projection = projectPoints(points, parseNuscenesCalibJson(calibrationText, calibrationPath, camera));
      const share = projection.indices.length / projection.inFrontCount;

      expect([projection.inFrontCount, projection.indices.length]).toEqual(expected[camera]);
      expect(share).toBeGreaterThan(0.2);
      expect(share).toBeLessThan(0.5);
    });
  }
});

describeWithSharedData(['pjlab-lidar-camera', 'pair1_manual_calib'], 'projection of the PJLab pair1 cloud', () => {
  const folder = ['pjlab-lidar-camera', 'pair1_manual_calib'];
  const intrinsicPath = sharedDataPath(...folder, 'center_camera-intrinsic.json');
  const extrinsicPath = sharedDataPath(...folder, 'top_center_lidar-to-center_camera-extrinsic.json');
  const calibration = parsePjlabCalibJson(
    readFileSync(intrinsicPath, 'utf8'),
    intrinsicPath,
    readFileSync(extrinsicPath, 'utf8'),
    extrinsicPath,
    { width: 1920, height: 1200 },
  );
  const points = readAsciiPcd(sharedDataPath(...folder, '0.pcd'));

  it('pinhole share of in-front points', () => {
    const { distortion: _unused, ...pinhole } = calibration;
    const projection = projectPoints(points, pinhole);

    // NumPy reference: 38,759 points ahead, 9,748 inside 1920x1200 (25% of those ahead, 12.5% of all 78,238).
    expect(points.x.length).toBe(78238);
    expect(projection.inFrontCount).toBe(38759);
    expect(projection.indices.length).toBe(9748);
  });

  it('distortion moves points inward', () => {
    const projection = projectPoints(points, calibration);

    // Barrel distortion (k1 < 0) pulls edge points toward the centre, so more land inside: 9,962 by NumPy.
    expect(projection.indices.length).toBe(9962);
  });
});

describeWithSharedData(['pjlab-lidar-camera'], 'projection of the PJLab calib.txt pairs', () => {
  // [folder, calibration file, points, in front, inside without distortion, inside with distortion], by NumPy.
  const cases: [string, string, number, number, number, number][] = [
    ['pair2_auto_calib', 'calib_v2_ours3.txt', 85546, 41351, 10331, 10523],
    ['pair3_auto_calib_v2_ours1', 'calib.txt', 101340, 51470, 12437, 12664],
    ['pair4_auto_calib_v2_ours2', 'calib.txt', 98805, 47912, 10863, 11091],
  ];

  for (const [folder, calibrationFile, pointCount, inFront, insidePinhole, insideDistorted] of cases) {
    it(`${folder} counts`, () => {
      const calibrationPath = sharedDataPath('pjlab-lidar-camera', folder, calibrationFile);
      const calibration = parsePjlabCalibText(readFileSync(calibrationPath, 'utf8'), calibrationPath, { width: 1920, height: 1200 });
      const points = readCompressedPcd(sharedDataPath('pjlab-lidar-camera', folder, 'calib.pcd'));
      const { distortion: _unused, ...pinhole } = calibration;

      expect(points.x.length).toBe(pointCount);
      const pinholeProjection = projectPoints(points, pinhole);
      expect(pinholeProjection.inFrontCount).toBe(inFront);
      expect(pinholeProjection.indices.length).toBe(insidePinhole);
      expect(projectPoints(points, calibration).indices.length).toBe(insideDistorted);

      // About a quarter of the points ahead, an eighth of all points, fall inside the 1920x1200 image.
      expect(insidePinhole / inFront).toBeGreaterThan(0.2);
      expect(insidePinhole / inFront).toBeLessThan(0.3);
    });
  }
});

describe('projection on hand-made points', () => {
  const calibration = {
    camera: 'test',
    intrinsic: { columns: 3 as const, values: [100, 0, 50, 0, 100, 40, 0, 0, 1] },
    lidarToCamera: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1],
    imageSize: { width: 100, height: 80 },
  };

  it('keeps front points inside', () => {
    const points = {
      x: Float32Array.from([0, 0.2, 0, 1, 0]),
      y: Float32Array.from([0, -0.1, 0, 0, 0]),
      z: Float32Array.from([2, 1, -2, 1, 0.05]),
    };
    const projection = projectPoints(points, calibration);

    // Point 2 is behind, point 3 lands at u = 150 (outside), point 4 is closer than 0.1 m.
    expect(Array.from(projection.indices)).toEqual([0, 1]);
    expect(Array.from(projection.u)).toEqual([50, 70]);
    expect(Array.from(projection.v)).toEqual([40, 30]);
    expect(Array.from(projection.depth)).toEqual([2, 1]);
    expect(projection.inFrontCount).toBe(3);
  });

  it('applies radial distortion', () => {
    const points = { x: Float32Array.from([0.4]), y: Float32Array.from([0]), z: Float32Array.from([1]) };
    const projection = projectPoints(points, { ...calibration, distortion: [-0.5, 0, 0, 0] });

    // r^2 = 0.16, so x_d = 0.4 * (1 - 0.08) = 0.368 and u = 100 * 0.368 + 50.
    expect(projection.u[0]).toBeCloseTo(86.8, 4);
  });

  it('rejects columns of unequal length', () => {
    const points = { x: new Float32Array(2), y: new Float32Array(2), z: new Float32Array(1) };
    expect(() => projectPoints(points, calibration)).toThrow(/Point columns differ in length/);
  });
});
