/**
 * Import Argoverse 2 sensor logs: every `<log>/sensors/lidar/<timestamp_ns>.feather` sweep becomes a
 * sample with the ego pose nearest in time, the log's ground-height raster (`map/*_ground_height_surface____<CITY>.npy`
 * with its `map/*___img_Sim2_city.json`) as a north-up BEV entry, and the log's vector map JSON.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ApronError } from '../../core/errors.js';
import { readNpyFile } from '../../sensors/bev/npy.js';
import { parseSim2Json } from '../../sensors/bev/sim2.js';
import type { ManifestInput, SampleInput } from '../manifest.js';
import { nearestPose, readEgoPoses } from './argoverse2-pose.js';
import { checkPointClouds } from './check-sensor-files.js';
import { isFile, isFolder, listFolder, requireFolder } from './source-folder.js';
import type { BuiltManifest, ImporterContext } from './types.js';
import { manifestHeader } from './manifest-header.js';

const SWEEP_NAME = /^(\d+)\.feather$/;
const POSE_FILE = 'city_SE3_egovehicle.feather';
const GROUND_HEIGHT = /_ground_height_surface____([A-Z]+)\.npy$/;
const VECTOR_MAP = /^log_map_archive_.*____([A-Z]+)_city_\d+\.json$/;
/** Poses come at about 170 Hz, so a sweep further than this from every pose means a gap in the log. */
const MAX_POSE_OFFSET_NS = 50_000_000n;

export function isArgoverse2LogFolder(folder: string): boolean {
  return isFolder(join(folder, 'sensors', 'lidar')) && isFile(join(folder, POSE_FILE));
}

/** True for a log folder or a folder of log folders. */
export function looksLikeArgoverse2(folder: string): boolean {
  return isArgoverse2LogFolder(folder) || listFolder(folder).some((entry) => entry.isDirectory && isArgoverse2LogFolder(join(folder, entry.name)));
}

export async function buildArgoverse2Manifest(source: string, context: ImporterContext): Promise<BuiltManifest> {
  requireFolder(source, 'Argoverse 2 folder');
  const single = isArgoverse2LogFolder(source);
  const logs = single ? [basename(source)] : listFolder(source).filter((entry) => entry.isDirectory && isArgoverse2LogFolder(join(source, entry.name))).map((entry) => entry.name);
  if (logs.length === 0) {
    throw new ApronError('invalid-input', `${source} is not an Argoverse 2 folder: it has no sensors/lidar/ and ${POSE_FILE}, and no subfolder with them`, {
      path: source,
      hint: 'Point at a log folder or at the folder that contains the log folders.',
    });
  }

  const warnings: string[] = [];
  const counts: Record<string, number> = {};
  const samples: SampleInput[] = [];
  for (const log of logs) {
    const built = await readLog(source, single ? '' : `${log}/`, log);
    samples.push(...built.samples);
    warnings.push(...built.warnings);
    counts[log] = built.samples.length;
  }
  await checkPointClouds(source, samples);

  const manifest: ManifestInput = {
    ...manifestHeader('argoverse2', source, context.name),
    samples,
  };
  return { manifest, warnings, counts: { samples: samples.length, ...counts } };
}

async function readLog(source: string, prefix: string, log: string): Promise<{ samples: SampleInput[]; warnings: string[] }> {
  const folder = join(source, prefix);
  const warnings: string[] = [];
  const poses = readEgoPoses(join(folder, POSE_FILE));
  const map = readMapFolder(source, prefix, log);

  const sweeps = listFolder(join(folder, 'sensors', 'lidar')).filter((entry) => entry.isFile && SWEEP_NAME.test(entry.name));
  if (sweeps.length === 0) warnings.push(`Log ${log} has no <timestamp_ns>.feather sweep in sensors/lidar/.`);

  const raster = map.rasterPath === undefined ? undefined : await readRasterEntry(source, map.rasterPath, map.sim2Path);
  const samples = sweeps.map((entry): SampleInput => {
    const timestampNs = BigInt(SWEEP_NAME.exec(entry.name)![1]!);
    const nearest = nearestPose(poses, timestampNs);
    if (nearest === undefined || nearest.offsetNs > MAX_POSE_OFFSET_NS) {
      throw new ApronError('invalid-input', `Ego pose file ${join(folder, POSE_FILE)} has no pose within 50 ms of sweep sensors/lidar/${entry.name}`, {
        path: join(folder, POSE_FILE),
        hint: 'Restore the complete pose file of the log.',
      });
    }
    const sample: SampleInput = {
      sampleId: `${log}/${entry.name.replace(/\.feather$/, '')}`,
      sequenceId: log,
      timestampNs,
      pose: nearest.pose,
      lidar: [{ name: 'lidar', path: `${prefix}sensors/lidar/${entry.name}`, format: 'av2-feather' }],
    };
    if (map.city !== undefined) sample.site = map.city;
    if (raster !== undefined) sample.bev = [{ ...raster }];
    if (map.vectorMapPath !== undefined) sample.mapPath = map.vectorMapPath;
    return sample;
  });
  return { samples, warnings };
}

interface MapFiles {
  city: string | undefined;
  rasterPath: string | undefined;
  sim2Path: string | undefined;
  vectorMapPath: string | undefined;
}

function readMapFolder(source: string, prefix: string, log: string): MapFiles {
  const mapFolder = join(source, prefix, 'map');
  const files = isFolder(mapFolder) ? listFolder(mapFolder).filter((entry) => entry.isFile).map((entry) => entry.name) : [];
  const raster = files.find((name) => GROUND_HEIGHT.test(name));
  const vectorMap = files.find((name) => VECTOR_MAP.test(name));
  const sim2 = files.find((name) => name.endsWith('___img_Sim2_city.json'));
  if (raster !== undefined && sim2 === undefined) {
    throw new ApronError('not-found', `Log ${log} has the raster map/${raster} but no map/${log}___img_Sim2_city.json`, {
      path: mapFolder,
      hint: 'The raster needs its Sim(2) JSON to be placed in the city frame; restore the file.',
    });
  }
  // The city code is the same in both file names; the vector map is read first because it is the map itself.
  const city = (vectorMap === undefined ? undefined : VECTOR_MAP.exec(vectorMap)?.[1]) ?? (raster === undefined ? undefined : GROUND_HEIGHT.exec(raster)?.[1]);
  const relative = (name: string | undefined): string | undefined => (name === undefined ? undefined : `${prefix}map/${name}`);
  return { city, rasterPath: relative(raster), sim2Path: relative(sim2), vectorMapPath: relative(vectorMap) };
}

/** Read the raster's shape and the Sim(2) scale, so that the BEV entry states its size and resolution. */
async function readRasterEntry(source: string, rasterPath: string, sim2Path: string | undefined): Promise<NonNullable<SampleInput['bev']>[number]> {
  const array = await readNpyFile(join(source, rasterPath));
  const [height, width] = array.shape;
  if (array.shape.length !== 2 || height === undefined || width === undefined) {
    throw new ApronError('invalid-input', `Ground-height raster ${join(source, rasterPath)} has shape [${array.shape.join(', ')}], expected 2 dimensions`, {
      path: join(source, rasterPath),
      hint: 'Restore the raster from the Argoverse 2 download.',
    });
  }
  const sim2File = join(source, sim2Path!);
  const sim2 = parseSim2Json(readFileSync(sim2File, 'utf8'), sim2File);
  return {
    name: 'ground-height',
    path: rasterPath,
    width,
    height,
    // Pixels per metre is the Sim(2) scale.
    metresPerPixel: 1 / sim2.scale,
    frame: 'north-up',
    format: 'npy',
    sim2Path: sim2Path!,
  };
}
