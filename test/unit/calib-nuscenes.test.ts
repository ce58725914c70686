import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listNuscenesCameras, parseNuscenesCalibJson } from '../../src/sensors/calibration/nuscenes.js';
import { describeWithSharedData, sharedDataPath } from '../helpers/shared-data.js';

const path = sharedDataPath('kitti-nuscenes-demo', 'nuscenes', 'sample_calib.json');

describeWithSharedData(['kitti-nuscenes-demo', 'nuscenes'], 'nuScenes calibration', () => {
  const text = readFileSync(path, 'utf8');

  it('lists six cameras', () => {
    expect(listNuscenesCameras(text, path)).toEqual(['CAM_FRONT', 'CAM_FRONT_RIGHT', 'CAM_FRONT_LEFT', 'CAM_BACK', 'CAM_BACK_LEFT', 'CAM_BACK_RIGHT']);
  });

  it('reads CAM_FRONT matrices', () => {
    const calibration = parseNuscenesCalibJson(text, path, 'CAM_FRONT');

    expect(calibration.intrinsic.columns).toBe(3);
    expect(calibration.intrinsic.values[0]).toBeCloseTo(1266.417203046554, 9);
    expect(calibration.intrinsic.values[5]).toBeCloseTo(491.50706579294757, 9);
    expect(calibration.lidarToCamera[11]).toBeCloseTo(-0.4292221665382385, 9);
    expect(calibration.cameraToEgo?.[3]).toBeCloseTo(1.7007912397384644, 9);
    expect(calibration.lidarToEgo?.[3]).toBeCloseTo(0.9437130093574524, 9);
    expect(calibration.egoToGlobal?.[7]).toBeCloseTo(1180.890380859375, 9);
    expect(calibration.imageSize).toEqual({ width: 1600, height: 900 });
  });
});

describe('nuScenes calibration errors', () => {
  const identity = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
  const intrinsic = [[1000, 0, 800], [0, 1000, 450], [0, 0, 1]];

  it('missing ego2global is named', () => {
    const text = JSON.stringify({ lidar: { lidar2ego: identity }, cameras: { CAM_FRONT: { cam2img: intrinsic, lidar2cam: identity, cam2ego: identity } } });
    expect(() => parseNuscenesCalibJson(text, 'calib.json', 'CAM_FRONT')).toThrow(/calib\.json is missing the key "ego2global"/);
  });

  it('wrong matrix shape is named', () => {
    const text = JSON.stringify({ cameras: { CAM_FRONT: { cam2img: intrinsic.slice(0, 2), lidar2cam: identity } } });
    expect(() => parseNuscenesCalibJson(text, 'calib.json', 'CAM_FRONT')).toThrow(/"cameras\.CAM_FRONT\.cam2img" must be a 3x3 matrix/);
  });

  it('non-numeric entry is named', () => {
    const text = JSON.stringify({ cameras: { CAM_FRONT: { cam2img: [[1000, 0, 'a'], [0, 1000, 450], [0, 0, 1]], lidar2cam: identity } } });
    expect(() => parseNuscenesCalibJson(text, 'calib.json', 'CAM_FRONT')).toThrow(/"cameras\.CAM_FRONT\.cam2img\[2\]" is not a finite number/);
  });

  it('truncated JSON names the file', () => {
    expect(() => listNuscenesCameras('{"cameras": {', 'calib.json')).toThrow(/calib\.json is not valid JSON/);
  });
});
