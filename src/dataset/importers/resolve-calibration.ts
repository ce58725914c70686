/** Load the camera calibration that a sample's (or one camera's) `calibrationId` names. */
import { readFileSync } from 'node:fs';
import { ApronError } from '../../core/errors.js';
import { parseKittiCalibJson, parseKittiCalibText } from '../../sensors/calibration/kitti.js';
import { parseNuscenesCalibJson } from '../../sensors/calibration/nuscenes.js';
import { parsePjlabCalibJson, parsePjlabCalibText } from '../../sensors/calibration/pjlab.js';
import type { CameraCalibration, ImageSize } from '../../sensors/calibration/types.js';
import type { CalibrationEntry, Sample } from '../manifest.js';
import { resolveSamplePath, type LoadedDataset } from '../manifest-io.js';

/**
 * Parse the calibration of camera `cameraName` of `sample`: the camera entry's own `calibrationId`
 * wins over the sample's. Raises an ApronError when the id is missing, unknown or its file is unreadable.
 */
export function resolveCalibration(dataset: LoadedDataset, sample: Sample, cameraName: string): CameraCalibration {
  const camera = sample.cameras.find((entry) => entry.name === cameraName);
  const calibrationId = camera?.calibrationId ?? sample.calibrationId;
  if (calibrationId === undefined) {
    throw new ApronError('not-found', `Sample ${sample.sampleId} has no calibrationId for camera "${cameraName}" in ${dataset.manifestPath}`, {
      path: dataset.manifestPath,
      hint: 'Import the dataset with a layout that records calibrations, or add calibrationId to the sample.',
    });
  }
  const entry = dataset.manifest.calibrations.find((candidate) => candidate.calibrationId === calibrationId);
  if (entry === undefined) {
    throw new ApronError('invalid-manifest', `Calibration "${calibrationId}" of sample ${sample.sampleId} is not listed under "calibrations" in ${dataset.manifestPath}`, {
      path: dataset.manifestPath,
      hint: 'Add the calibration to the manifest, or re-import the dataset.',
    });
  }
  return loadCalibration(dataset, entry);
}

/** Read and parse the files of one `calibrations` entry. */
export function loadCalibration(dataset: LoadedDataset, entry: CalibrationEntry): CameraCalibration {
  const paths = entry.paths.map((path) => resolveSamplePath(dataset, path));
  const texts = paths.map(readCalibrationFile);
  const first = paths[0]!;
  const firstText = texts[0]!;
  const size = imageSizeOf(entry);

  switch (entry.format) {
    case 'kitti-json':
      return parseKittiCalibJson(firstText, first, entry.camera);
    case 'kitti-text':
      return parseKittiCalibText(firstText, first, requireSize(size, entry, first), entry.camera);
    case 'nuscenes-json':
      return parseNuscenesCalibJson(firstText, first, entry.camera, size);
    case 'pjlab-text':
      return parsePjlabCalibText(firstText, first, requireSize(size, entry, first), entry.camera);
    case 'pjlab-json': {
      const extrinsic = paths[1];
      const extrinsicText = texts[1];
      if (extrinsic === undefined || extrinsicText === undefined) {
        throw new ApronError('invalid-manifest', `Calibration "${entry.calibrationId}" (pjlab-json) names only ${first}; it needs the intrinsic and the extrinsic JSON`, {
          path: first,
          hint: 'List both files in "paths": the intrinsic JSON first, then the extrinsic JSON.',
        });
      }
      return parsePjlabCalibJson(firstText, first, extrinsicText, extrinsic, size);
    }
  }
}

function readCalibrationFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ApronError('not-found', `Calibration file not found: ${path}`, { path, hint: 'Restore the file, or re-import the dataset.' });
    }
    throw new ApronError('unreadable-file', `Calibration file ${path} cannot be read (${code ?? String(error)})`, { path, hint: 'Check the file permissions.' });
  }
}

function imageSizeOf(entry: CalibrationEntry): ImageSize | undefined {
  if (entry.imageWidth === undefined || entry.imageHeight === undefined) return undefined;
  return { width: entry.imageWidth, height: entry.imageHeight };
}

function requireSize(size: ImageSize | undefined, entry: CalibrationEntry, path: string): ImageSize {
  if (size !== undefined) return size;
  throw new ApronError('invalid-manifest', `Calibration "${entry.calibrationId}" (${entry.format}, ${path}) needs imageWidth and imageHeight, because the file does not store the image size`, {
    path,
    hint: 'Add imageWidth and imageHeight in pixels to the calibration entry.',
  });
}
