import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ApronError } from '../../src/core/errors.js';
import { parseKittiCalibJson, parseKittiCalibText } from '../../src/sensors/calibration/kitti.js';
import { multiply4, toHomogeneous4 } from '../../src/sensors/calibration/matrix.js';
import { describeWithSharedData, sharedDataPath } from '../helpers/shared-data.js';

const jsonPath = sharedDataPath('kitti-nuscenes-demo', 'kitti', '000008_calib_and_labels.json');

/** Writes a KITTI object calibration text from the demo JSON, because the demo has no calib .txt. */
function kittiTextFromJson(json: { images: { CAM2: { cam2img: number[][] } }; R0_rect: number[][]; Tr_velo_to_cam: number[][] }): string {
  const rows = (matrix: number[][], rowCount: number, columnCount: number): string =>
    matrix.slice(0, rowCount).flatMap((row) => row.slice(0, columnCount)).join(' ');
  return [
    `P2: ${rows(json.images.CAM2.cam2img, 3, 4)}`,
    `R0_rect: ${rows(json.R0_rect, 3, 3)}`,
    `Tr_velo_to_cam: ${rows(json.Tr_velo_to_cam, 3, 4)}`,
  ].join('\n');
}

describeWithSharedData(['kitti-nuscenes-demo', 'kitti'], 'KITTI calibration on the demo frame', () => {
  const jsonText = readFileSync(jsonPath, 'utf8');
  const json = JSON.parse(jsonText);

  it('text chain matches lidar2img', () => {
    const calibration = parseKittiCalibText(kittiTextFromJson(json), 'calib.txt', { width: 1242, height: 375 });
    const projection = toHomogeneous4(calibration.intrinsic.values, 4);
    const lidarToImage = multiply4(projection, calibration.lidarToCamera);
    const expected = (json.images.CAM2.lidar2img as number[][]).flat();

    expect(calibration.intrinsic.columns).toBe(4);
    lidarToImage.forEach((value, index) => expect(value).toBeCloseTo(expected[index] ?? Number.NaN, 3));
  });

  it('JSON form reads CAM2', () => {
    const calibration = parseKittiCalibJson(jsonText, jsonPath);

    expect(calibration.imageSize).toEqual({ width: 1242, height: 375 });
    expect(calibration.intrinsic.values[0]).toBeCloseTo(721.5377, 4);
    expect(calibration.intrinsic.values[3]).toBeCloseTo(44.85728, 5);
    expect(calibration.lidarToCamera[11]).toBeCloseTo(-0.2721327841281891, 9);
    expect(calibration.lidarToCamera.length).toBe(16);
  });

  it('JSON form rejects an unknown camera', () => {
    expect(() => parseKittiCalibJson(jsonText, jsonPath, 'CAM9')).toThrow(/images\.CAM9/);
  });

  it('JSON form names a missing lidar2cam', () => {
    // Only CAM2 stores lidar2cam in the demo file.
    expect(() => parseKittiCalibJson(jsonText, jsonPath, 'CAM0')).toThrow(/missing the key "images\.CAM0\.lidar2cam"/);
  });
});

describe('KITTI calibration text errors', () => {
  const size = { width: 1242, height: 375 };
  const valid = ['P2: 1 0 0 0 0 1 0 0 0 0 1 0', 'R0_rect: 1 0 0 0 1 0 0 0 1', 'Tr_velo_to_cam: 1 0 0 0 0 1 0 0 0 0 1 0'];

  it('missing line names the key', () => {
    const text = [valid[0], valid[2]].join('\n');
    expect(() => parseKittiCalibText(text, '/data/000008.txt', size)).toThrow(/\/data\/000008\.txt is missing the line "R0_rect:"/);
  });

  it('malformed number names the entry', () => {
    const text = ['P2: 1 0 0 0 0 1 0 0 0 0 x1 0', valid[1], valid[2]].join('\n');
    expect(() => parseKittiCalibText(text, 'calib.txt', size)).toThrow(/"P2" entry 10 is not a number \("x1"\)/);
  });

  it('wrong count is rejected', () => {
    const text = [valid[0], 'R0_rect: 1 0 0 0 1 0 0 0', valid[2]].join('\n');
    expect(() => parseKittiCalibText(text, 'calib.txt', size)).toThrow(/"R0_rect" has 8 numbers, expected 9/);
  });

  it('errors carry the path', () => {
    try {
      parseKittiCalibText('', 'calib.txt', size);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ApronError);
      expect((error as ApronError).code).toBe('invalid-input');
      expect((error as ApronError).path).toBe('calib.txt');
    }
  });
});
