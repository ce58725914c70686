import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePjlabCalibJson, parsePjlabCalibText } from '../../src/sensors/calibration/pjlab.js';
import { hasSharedData, sharedDataPath } from '../helpers/shared-data.js';

const imageSize = { width: 1920, height: 1200 };

describe.skipIf(!hasSharedData('pjlab-lidar-camera'))('PJLab calibration files', () => {
  it('JSON pair of pair1', () => {
    const intrinsicPath = sharedDataPath('pjlab-lidar-camera', 'pair1_manual_calib', 'center_camera-intrinsic.json');
    const extrinsicPath = sharedDataPath('pjlab-lidar-camera', 'pair1_manual_calib', 'top_center_lidar-to-center_camera-extrinsic.json');
    const calibration = parsePjlabCalibJson(readFileSync(intrinsicPath, 'utf8'), intrinsicPath, readFileSync(extrinsicPath, 'utf8'), extrinsicPath, imageSize);

    expect(calibration.camera).toBe('center_camera');
    expect(calibration.intrinsic.values).toEqual([2109.75, 0, 949.828, 0, 2071.72, 576.237, 0, 0, 1]);
    expect(calibration.distortion).toEqual([-0.10814499855041504, 0.1386680006980896, -0.0037975700106471777, -0.004841269925236702]);
    expect(calibration.lidarToCamera[3]).toBe(-0.0322306);
    expect(calibration.lidarToCamera[15]).toBe(1);
    expect(calibration.imageSize).toEqual(imageSize);
  });

  it('JSON pair keeps the stated size', () => {
    const intrinsicPath = sharedDataPath('pjlab-lidar-camera', 'pair1_manual_calib', 'center_camera-intrinsic.json');
    const extrinsicPath = sharedDataPath('pjlab-lidar-camera', 'pair1_manual_calib', 'top_center_lidar-to-center_camera-extrinsic.json');
    const calibration = parsePjlabCalibJson(readFileSync(intrinsicPath, 'utf8'), intrinsicPath, readFileSync(extrinsicPath, 'utf8'), extrinsicPath);

    expect(calibration.imageSize).toEqual({ width: 1920, height: 1080 });
  });

  it('text form with five coefficients', () => {
    const path = sharedDataPath('pjlab-lidar-camera', 'pair2_auto_calib', 'calib_v2_ours3.txt');
    const calibration = parsePjlabCalibText(readFileSync(path, 'utf8'), path, imageSize);

    expect(calibration.intrinsic.values[0]).toBe(2117.31);
    expect(calibration.distortion).toEqual([-0.102933, -0.040925, 0.00057951, -0.00419933, 0.429959]);
    expect(calibration.lidarToCamera).toEqual([
      0.00382471, -0.999992, -0.00070554, -0.0125114, -0.0132276, 0.000654817, -0.999912, -0.379526, 0.999905, 0.00383377, -0.0132251, -0.551037, 0, 0, 0, 1,
    ]);
  });

  it('text form with four coefficients', () => {
    const path = sharedDataPath('pjlab-lidar-camera', 'pair3_auto_calib_v2_ours1', 'calib.txt');
    const calibration = parsePjlabCalibText(readFileSync(path, 'utf8'), path, imageSize);

    expect(calibration.distortion).toEqual([-0.1192, 0.162, 0.00073985, 0.0014]);
    expect(calibration.lidarToCamera[11]).toBe(-0.0869361);
  });
});

describe('PJLab calibration errors', () => {
  it('missing T line is named', () => {
    expect(() => parsePjlabCalibText('K: 1 0 0 0 1 0 0 0 1\nD: 0 0 0 0', 'calib.txt', imageSize)).toThrow(/calib\.txt is missing the line "T:"/);
  });

  it('malformed K number is named', () => {
    const text = 'K: 1 0 0 0 1,5 0 0 0 1\nD: 0 0 0 0\nT: 1 0 0 0 0 1 0 0 0 0 1 0';
    expect(() => parsePjlabCalibText(text, 'calib.txt', imageSize)).toThrow(/"K" entry 4 is not a number \("1,5"\)/);
  });

  it('missing sensor_calib is named', () => {
    const intrinsic = JSON.stringify({ cam: { param: { cam_K: { data: [[1, 0, 0], [0, 1, 0], [0, 0, 1]] } } } });
    const extrinsic = JSON.stringify({ ext: { param: {} } });
    expect(() => parsePjlabCalibJson(intrinsic, 'k.json', extrinsic, 't.json', imageSize)).toThrow(/t\.json is missing the key "param\.sensor_calib\.data"/);
  });
});
