/**
 * PJLab SensorsCalibration formats: the JSON pair (`<camera>-intrinsic.json` with `param.cam_K` and
 * `param.cam_dist`, `<lidar>-to-<camera>-extrinsic.json` with `param.sensor_calib`) and the
 * `calib.txt` form with `K:` (9 numbers), `D:` (distortion) and `T:` (3x4 LiDAR-to-camera).
 */
import { ApronError } from '../../core/errors.js';
import { parseJsonText, parseNumberList, property, readJsonMatrix, toHomogeneous4 } from './matrix.js';
import type { CameraCalibration, ImageSize } from './types.js';

/** Returns the key and value of a single-key JSON object, such as `{"center_camera-intrinsic": {...}}`. */
function singleEntry(root: unknown, path: string): [string, unknown] {
  const entries = typeof root === 'object' && root !== null && !Array.isArray(root) ? Object.entries(root) : [];
  const first = entries[0];
  if (entries.length !== 1 || first === undefined) {
    throw new ApronError('invalid-input', `PJLab calibration ${path} must contain exactly one top-level key, found ${entries.length}.`, {
      path,
      hint: 'Pass the intrinsic or extrinsic JSON written by SensorsCalibration.',
    });
  }
  return first;
}

/**
 * Parses the intrinsic and extrinsic JSON files of one camera.
 *
 * `imageSize` overrides `img_dist_w`/`img_dist_h`, because the sample files state 1920x1080 while
 * their images are 1920x1200.
 */
export function parsePjlabCalibJson(
  intrinsicText: string,
  intrinsicPath: string,
  extrinsicText: string,
  extrinsicPath: string,
  imageSize?: ImageSize,
): CameraCalibration {
  const [camera, intrinsicEntry] = singleEntry(parseJsonText(intrinsicText, intrinsicPath), intrinsicPath);
  const intrinsicParam = property(intrinsicEntry, 'param');
  const intrinsic = readJsonMatrix(property(property(intrinsicParam, 'cam_K'), 'data'), 3, 3, 'param.cam_K.data', intrinsicPath);

  const distortionData = property(property(intrinsicParam, 'cam_dist'), 'data');
  const distortionFlat = Array.isArray(distortionData) ? distortionData.flat() : [];
  const distortion = distortionFlat.length > 0 ? readJsonMatrix(distortionData, 1, distortionFlat.length, 'param.cam_dist.data', intrinsicPath) : undefined;

  const [, extrinsicEntry] = singleEntry(parseJsonText(extrinsicText, extrinsicPath), extrinsicPath);
  const lidarToCamera = readJsonMatrix(
    property(property(property(extrinsicEntry, 'param'), 'sensor_calib'), 'data'),
    4,
    4,
    'param.sensor_calib.data',
    extrinsicPath,
  );

  const width = property(intrinsicParam, 'img_dist_w');
  const height = property(intrinsicParam, 'img_dist_h');
  const statedSize = typeof width === 'number' && typeof height === 'number' ? { width, height } : undefined;
  const size = imageSize ?? statedSize;
  if (size === undefined) {
    throw new ApronError('invalid-input', `PJLab calibration ${intrinsicPath} has no image size (param.img_dist_w, param.img_dist_h).`, {
      path: intrinsicPath,
      hint: 'Pass the image size of the matching image.',
    });
  }

  const calibration: CameraCalibration = {
    camera: camera.replace(/-intrinsic$/, ''),
    intrinsic: { columns: 3, values: intrinsic },
    lidarToCamera,
    imageSize: size,
  };
  if (distortion !== undefined) calibration.distortion = distortion;
  return calibration;
}

/**
 * Parses a `calib.txt` (`K:`, `D:`, `T:` lines). The file names neither the camera nor the image
 * size, so the caller passes the size and may pass the camera name.
 */
export function parsePjlabCalibText(text: string, path: string, imageSize: ImageSize, camera = 'center_camera'): CameraCalibration {
  const entries = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z]+)\s*:(.*)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) entries.set(match[1], match[2]);
  }

  const requireEntry = (key: string): string => {
    const entry = entries.get(key);
    if (entry === undefined) {
      throw new ApronError('invalid-input', `PJLab calibration ${path} is missing the line "${key}:".`, {
        path,
        hint: 'A calib.txt needs "K:" (9 numbers), "D:" (4 or 5 distortion coefficients) and "T:" (12 numbers).',
      });
    }
    return entry;
  };

  // D: has 4 (k1 k2 p1 p2) or 5 (plus k3) coefficients, both occur in the sample files.
  const distortionText = requireEntry('D');
  const distortionCount = distortionText.trim().split(/\s+/).length === 5 ? 5 : 4;

  return {
    camera,
    intrinsic: { columns: 3, values: parseNumberList(requireEntry('K'), 9, 'K', path) },
    lidarToCamera: toHomogeneous4(parseNumberList(requireEntry('T'), 12, 'T', path), 4),
    imageSize,
    distortion: parseNumberList(distortionText, distortionCount, 'D', path),
  };
}
