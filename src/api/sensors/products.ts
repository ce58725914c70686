/**
 * The sensor data a sample view shows, computed from the sample's files on request: the sweep in
 * wire form, its projection into a camera, BEV pictures and the vector map in raster pixels.
 */
import { readFileSync } from 'node:fs';
import type { MapOverlay } from '../contract.js';
import { ApronError } from '../../core/errors.js';
import { resolveCalibration } from '../../dataset/importers/resolve-calibration.js';
import type { LoadedDataset } from '../../dataset/manifest-io.js';
import type { BevFile, Sample } from '../../dataset/manifest.js';
import { readNpyFile } from '../../sensors/bev/npy.js';
import { rasterizePoints } from '../../sensors/bev/rasterize-points.js';
import { cityToRaster, parseSim2Json, type Sim2 } from '../../sensors/bev/sim2.js';
import { mapElementsToRaster } from '../../sensors/bev/vector-map.js';
import { getIntensity, getPositions, getRing, type PointCloud } from '../../sensors/lidar/point-cloud.js';
import { projectPoints } from '../../sensors/projection/project.js';
import { resolveInsideRoot } from '../file-token.js';
import { encodePoints, encodeProjection } from '../sensor-wire.js';
import { egoDensityPng, northUpHeightPng, type PngPicture } from './raster-png.js';
import { readSweep } from './sweep-cache.js';

/** The BEV computed from a sweep: 80 m square around the sensor at 0.2 m, which shows a street and its kerbs. */
export const LIDAR_BEV = { halfRange: 40, resolution: 0.2, saturation: 8 } as const;
export const LIDAR_BEV_PIXELS = Math.round((2 * LIDAR_BEV.halfRange) / LIDAR_BEV.resolution);

export async function loadSampleSweep(dataset: LoadedDataset, sample: Sample, lidarIndex: number): Promise<PointCloud> {
  const file = sample.lidar[lidarIndex];
  if (file === undefined) throw missing(sample, `LiDAR sweep number ${lidarIndex}`);
  const path = resolveInsideRoot(dataset, file.path, `LiDAR sweep ${file.name} of sample "${sample.sampleId}"`);
  return readSweep(path, file);
}

/**
 * Encodes the sweep as wire bytes: positions, plus intensity and ring where the file has them.
 * Positions are in the ego frame where the calibration gives the LiDAR-to-ego transform (nuScenes
 * mounts its LiDAR with x to the right), so that forward is up in every top-down view.
 */
export async function sweepBytes(dataset: LoadedDataset, sample: Sample, lidarIndex: number): Promise<Uint8Array> {
  const cloud = await loadSampleSweep(dataset, sample, lidarIndex);
  const { x, y, z } = toEgoFrame(getPositions(cloud), lidarToEgoOf(dataset, sample));
  const float32 = (values: ReturnType<typeof getRing>): Float32Array | null => {
    if (values === undefined) return null;
    return values instanceof Float32Array ? values : Float32Array.from(values);
  };
  return encodePoints({
    count: cloud.count,
    x,
    y,
    z,
    intensity: float32(getIntensity(cloud)),
    ring: float32(getRing(cloud)),
    droppedNonFinite: cloud.droppedNonFinite,
  });
}

/** Sweep `lidarIndex` projected into camera `cameraIndex` with the camera's calibration. */
export async function projectionBytes(dataset: LoadedDataset, sample: Sample, cameraIndex: number, lidarIndex: number): Promise<Uint8Array> {
  const camera = sample.cameras[cameraIndex];
  if (camera === undefined) throw missing(sample, `camera number ${cameraIndex}`);
  const calibration = resolveCalibration(dataset, sample, camera.name);
  const cloud = await loadSampleSweep(dataset, sample, lidarIndex);

  const projection = projectPoints(getPositions(cloud), calibration);
  return encodeProjection({
    count: projection.indices.length,
    u: projection.u,
    v: projection.v,
    depth: projection.depth,
    inFrontCount: projection.inFrontCount,
    pointCount: cloud.count,
    imageWidth: calibration.imageSize.width,
    imageHeight: calibration.imageSize.height,
  });
}

/** Draws a density BEV of the sweep in the sensor frame, forward up. */
export async function lidarBevPng(dataset: LoadedDataset, sample: Sample, lidarIndex: number): Promise<PngPicture> {
  const cloud = await loadSampleSweep(dataset, sample, lidarIndex);
  const { halfRange, resolution, saturation } = LIDAR_BEV;
  const raster = rasterizePoints(toEgoFrame(getPositions(cloud), lidarToEgoOf(dataset, sample)), {
    mode: 'density',
    resolution,
    range: { xMin: -halfRange, xMax: halfRange, yMin: -halfRange, yMax: halfRange },
  });
  return egoDensityPng(raster.values, raster.grid.width, raster.grid.height, saturation);
}

/** Draws a `.npy` BEV raster as a picture, north up. */
export async function npyBevPng(dataset: LoadedDataset, sample: Sample, bevIndex: number): Promise<PngPicture> {
  const file = requireBev(sample, bevIndex);
  const path = resolveInsideRoot(dataset, file.path, `BEV raster ${file.name} of sample "${sample.sampleId}"`);
  const array = await readNpyFile(path);
  const [height, width] = array.shape;
  if (array.shape.length !== 2 || height === undefined || width === undefined) {
    throw new ApronError('invalid-input', `BEV raster ${path} has shape (${array.shape.join(', ')}); a raster has two dimensions.`, {
      path,
      hint: 'Save the raster as a 2-D array of heights or occupancy.',
    });
  }
  return northUpHeightPng(array.data, width, height);
}

/** Converts the sample's vector map to the pixels of BEV raster `bevIndex`, as its picture shows it (north up). */
export function mapOverlay(dataset: LoadedDataset, sample: Sample, bevIndex: number): MapOverlay {
  const file = requireBev(sample, bevIndex);
  if (sample.mapPath === undefined) throw missing(sample, 'vector map');
  const sim2 = readBevSim2(dataset, sample, file);
  if (sim2 === null || file.width === undefined || file.height === undefined) {
    throw new ApronError('not-found', `BEV raster ${file.name} of sample "${sample.sampleId}" has no size and city-to-raster transform to draw a map in.`, {
      hint: 'Give the raster its width, height and sim2Path in the manifest.',
    });
  }

  const mapFile = resolveInsideRoot(dataset, sample.mapPath, `Vector map of sample "${sample.sampleId}"`);
  const shapes = mapElementsToRaster(readFileSync(mapFile, 'utf8'), mapFile, sim2);
  const height = file.height;
  return {
    width: file.width,
    height,
    shapes: shapes.map((shape) => ({
      kind: shape.kind,
      closed: shape.closed,
      // Rows are flipped the way northUpHeightPng flips the picture.
      points: Array.from(shape.pixels, (value, index) => (index % 2 === 1 ? height - value : value)),
    })),
  };
}

/** Returns the ego position in the picture of BEV raster `file`, or null when its frame or the sample's pose leaves it unknown. */
export function bevEgoPixel(dataset: LoadedDataset, sample: Sample, file: BevFile): { column: number; row: number } | null {
  if (file.frame === 'ego') {
    if (file.width === undefined || file.height === undefined) return null;
    return { column: file.width / 2, row: file.height / 2 };
  }
  if (sample.pose === undefined || file.height === undefined) return null;
  const sim2 = readBevSim2(dataset, sample, file);
  if (sim2 === null) return null;
  const [column, row] = cityToRaster(sim2, sample.pose.x, sample.pose.y);
  return { column, row: file.height - row };
}

/**
 * Returns the LiDAR-to-ego transform from the first camera calibration of the sample that has one,
 * or null. Only the nuScenes calibration format stores it.
 */
export function lidarToEgoOf(dataset: LoadedDataset, sample: Sample): number[] | null {
  for (const camera of sample.cameras) {
    if ((camera.calibrationId ?? sample.calibrationId) === undefined) continue;
    try {
      const transform = resolveCalibration(dataset, sample, camera.name).lidarToEgo;
      if (transform !== undefined) return transform;
    } catch {
      // An unreadable calibration shows as a warning on the sample view; the sweep stays in its own frame.
    }
  }
  return null;
}

/** Applies a row-major 4x4 rigid transform to the points; null leaves them as they are. */
function toEgoFrame(points: { x: Float32Array; y: Float32Array; z: Float32Array }, transform: number[] | null) {
  if (transform === null) return points;
  const m = (index: number): number => transform[index] ?? 0;
  const count = points.x.length;
  const x = new Float32Array(count);
  const y = new Float32Array(count);
  const z = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const px = points.x[i] ?? 0;
    const py = points.y[i] ?? 0;
    const pz = points.z[i] ?? 0;
    x[i] = m(0) * px + m(1) * py + m(2) * pz + m(3);
    y[i] = m(4) * px + m(5) * py + m(6) * pz + m(7);
    z[i] = m(8) * px + m(9) * py + m(10) * pz + m(11);
  }
  return { x, y, z };
}

/** Reads the Sim(2) of a north-up raster, or returns null when it has none. */
function readBevSim2(dataset: LoadedDataset, sample: Sample, file: BevFile): Sim2 | null {
  if (file.sim2Path === undefined) return null;
  const path = resolveInsideRoot(dataset, file.sim2Path, `City-to-raster transform of BEV raster ${file.name} of sample "${sample.sampleId}"`);
  return parseSim2Json(readFileSync(path, 'utf8'), path);
}

function requireBev(sample: Sample, bevIndex: number): BevFile {
  const file = sample.bev[bevIndex];
  if (file === undefined) throw missing(sample, `BEV raster number ${bevIndex}`);
  return file;
}

function missing(sample: Sample, what: string): ApronError {
  return new ApronError('not-found', `Sample "${sample.sampleId}" has no ${what}.`, {
    hint: 'The manifest may have been re-imported since the page was loaded; reload the page.',
  });
}
