/**
 * nuScenes calibration in the mmdetection3d info layout: `cameras.<name>.cam2img` (3x3),
 * `cameras.<name>.lidar2cam` and `cam2ego` (4x4), `lidar.lidar2ego` and `ego2global` (4x4).
 */
import { ApronError } from '../../core/errors.js';
import { parseJsonText, property, readJsonMatrix } from './matrix.js';
import type { CameraCalibration, ImageSize } from './types.js';

/** Image size of every nuScenes camera. */
export const NUSCENES_IMAGE_SIZE: ImageSize = { width: 1600, height: 900 };

/** Lists the camera names in a nuScenes calibration file. */
export function listNuscenesCameras(text: string, path: string): string[] {
  const cameras = property(parseJsonText(text, path), 'cameras');
  if (typeof cameras !== 'object' || cameras === null) {
    throw new ApronError('invalid-input', `nuScenes calibration ${path} is missing the key "cameras".`, {
      path,
      hint: 'Check that the file is an mmdetection3d nuScenes info converted to JSON.',
    });
  }
  return Object.keys(cameras);
}

/** Parses one camera's calibration. The JSON stores no image size, so it defaults to 1600x900. */
export function parseNuscenesCalibJson(text: string, path: string, camera: string, imageSize = NUSCENES_IMAGE_SIZE): CameraCalibration {
  const root = parseJsonText(text, path);
  const entry = property(property(root, 'cameras'), camera);
  if (entry === undefined) {
    throw new ApronError('invalid-input', `nuScenes calibration ${path} has no camera "cameras.${camera}".`, {
      path,
      hint: `Pick one of the cameras listed under "cameras", for example CAM_FRONT.`,
    });
  }

  return {
    camera,
    intrinsic: { columns: 3, values: readJsonMatrix(property(entry, 'cam2img'), 3, 3, `cameras.${camera}.cam2img`, path) },
    lidarToCamera: readJsonMatrix(property(entry, 'lidar2cam'), 4, 4, `cameras.${camera}.lidar2cam`, path),
    imageSize,
    cameraToEgo: readJsonMatrix(property(entry, 'cam2ego'), 4, 4, `cameras.${camera}.cam2ego`, path),
    lidarToEgo: readJsonMatrix(property(property(root, 'lidar'), 'lidar2ego'), 4, 4, 'lidar.lidar2ego', path),
    egoToGlobal: readJsonMatrix(property(root, 'ego2global'), 4, 4, 'ego2global', path),
  };
}
