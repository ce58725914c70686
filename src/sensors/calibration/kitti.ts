/**
 * KITTI calibration: the object-benchmark text file (`P2`, `R0_rect`, `Tr_velo_to_cam`) and the
 * mmdetection3d JSON form (`images.CAM2.cam2img`, `lidar2cam`).
 */
import { ApronError } from '../../core/errors.js';
import { multiply4, parseJsonText, parseNumberList, property, readJsonMatrix, requireFinite, toHomogeneous4 } from './matrix.js';
import type { CameraCalibration, ImageSize } from './types.js';

/**
 * Parses a KITTI calibration text for the left colour camera (`P2`).
 *
 * The text does not store the image size, so the caller passes it (1242x375 for most KITTI frames,
 * but it differs slightly between drives). The LiDAR-to-camera transform is
 * `R0_rect(4x4) · Tr_velo_to_cam(4x4)`, so that `P2 · lidarToCamera` maps LiDAR points to pixels.
 */
export function parseKittiCalibText(text: string, path: string, imageSize: ImageSize, projectionKey = 'P2'): CameraCalibration {
  const entries = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    entries.set(line.slice(0, colon).trim(), line.slice(colon + 1));
  }

  const requireEntry = (key: string): string => {
    const entry = entries.get(key);
    if (entry === undefined) {
      throw new ApronError('invalid-input', `KITTI calibration ${path} is missing the line "${key}:".`, {
        path,
        hint: `Add "${key}:" followed by its numbers, or check that this is a KITTI object calibration file.`,
      });
    }
    return entry;
  };

  const projection = parseNumberList(requireEntry(projectionKey), 12, projectionKey, path);
  const rectification = parseNumberList(requireEntry('R0_rect'), 9, 'R0_rect', path);
  const veloToCamera = parseNumberList(requireEntry('Tr_velo_to_cam'), 12, 'Tr_velo_to_cam', path);

  return {
    camera: projectionKey,
    intrinsic: { columns: 4, values: projection },
    lidarToCamera: multiply4(toHomogeneous4(rectification, 3), toHomogeneous4(veloToCamera, 4)),
    imageSize,
  };
}

/** Parses the mmdetection3d KITTI JSON (`images.<camera>.cam2img` 4x4, `lidar2cam` 4x4, `width`, `height`). */
export function parseKittiCalibJson(text: string, path: string, camera = 'CAM2'): CameraCalibration {
  const root = parseJsonText(text, path);
  const entry = property(property(root, 'images'), camera);
  if (entry === undefined) {
    throw new ApronError('invalid-input', `KITTI calibration ${path} has no camera "images.${camera}".`, {
      path,
      hint: 'Pick a camera listed under "images" (CAM2 is the left colour camera).',
    });
  }

  // cam2img is stored as a 4x4 whose last row is [0 0 0 1], and its first three rows are P.
  const cameraToImage = readJsonMatrix(property(entry, 'cam2img'), 4, 4, `images.${camera}.cam2img`, path);

  return {
    camera,
    intrinsic: { columns: 4, values: cameraToImage.slice(0, 12) },
    lidarToCamera: readJsonMatrix(property(entry, 'lidar2cam'), 4, 4, `images.${camera}.lidar2cam`, path),
    imageSize: {
      width: requireFinite(property(entry, 'width'), `images.${camera}.width`, path),
      height: requireFinite(property(entry, 'height'), `images.${camera}.height`, path),
    },
  };
}
