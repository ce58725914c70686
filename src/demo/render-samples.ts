/**
 * Renders and writes the files of the samples of some visits: a camera PNG, a KITTI `.bin` sweep
 * and a BEV PNG per sample. Used on the calling thread and inside worker threads alike, so that
 * the output does not depend on how the visits are split.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { ApronError } from '../core/errors.js';
import { rasteriseBev, DEFAULT_BEV } from './bev-raster.js';
import { renderCamera } from './camera-render.js';
import { mixSeed } from './geometry.js';
import { buildLayout, type AirsideLayout } from './layout.js';
import { castLidar, kittiBinBytes } from './lidar-raycast.js';
import type { ResolvedDemoOptions } from './options.js';
import { buildVisitScene } from './scene.js';
import { planTraversals, type SamplePlan, type TraversalPlan } from './traversal.js';
import type { SceneObject } from './types.js';

/** An object counts as in view with at least this many camera pixels or LiDAR returns. */
const MIN_CAMERA_PIXELS = 4;
const MIN_LIDAR_RETURNS = 5;

export interface SampleFiles {
  camera: string;
  lidar: string;
  bev: string;
}

export interface RenderedSample {
  index: number;
  /** Objects in view, in the scene's order. */
  objects: SceneObject[];
}

/** Returns the paths of a sample's files, relative to the demo folder. */
export function samplePaths(plan: TraversalPlan, sample: SamplePlan): SampleFiles {
  const sequenceId = plan.visits[sample.visitIndex]!.sequenceId;
  return {
    camera: `${sequenceId}/camera/${sample.frameName}.png`,
    lidar: `${sequenceId}/lidar/${sample.frameName}.bin`,
    bev: `${sequenceId}/bev/${sample.frameName}.png`,
  };
}

/** Builds the layout and the traversal plan. Workers call it too, because both follow from the options alone. */
export function buildPlan(options: ResolvedDemoOptions): { layout: AirsideLayout; plan: TraversalPlan } {
  const layout = buildLayout({ seed: options.seed, standCount: options.standCount, gseClasses: options.gseClasses });
  return { layout, plan: planTraversals(layout, options) };
}

/**
 * Renders every sample of the visits in `visitIndices` into `folder`, calling `onSample` after each.
 * Stops with a `cancelled` error between samples once `isCancelled` returns true.
 */
export async function renderVisits(
  options: ResolvedDemoOptions,
  folder: string,
  visitIndices: number[],
  onSample: (sample: RenderedSample) => void,
  isCancelled: () => boolean,
): Promise<void> {
  const { layout, plan } = buildPlan(options);
  const byVisit = new Map<number, SamplePlan[]>();
  for (const sample of plan.samples) {
    const list = byVisit.get(sample.visitIndex);
    if (list === undefined) byVisit.set(sample.visitIndex, [sample]);
    else list.push(sample);
  }

  for (const visitIndex of visitIndices) {
    const visit = plan.visits[visitIndex]!;
    const scene = buildVisitScene(layout, visitIndex);
    for (const sub of ['camera', 'lidar', 'bev']) mkdirSync(join(folder, visit.sequenceId, sub), { recursive: true });

    for (const sample of byVisit.get(visitIndex) ?? []) {
      if (isCancelled()) throw new ApronError('cancelled', 'Demo generation was cancelled');
      const conditions = { weather: visit.weather, timeOfDay: visit.timeOfDay, sunAzimuth: visit.sunAzimuth };
      const image = renderCamera(scene, sample.pose, conditions, mixSeed(options.seed, 0xca, sample.index));
      const sweep = castLidar(scene, sample.pose, visit.weather, mixSeed(options.seed, 0x11, sample.index), options.lidar);
      const bev = rasteriseBev(scene, sample.pose, DEFAULT_BEV);
      const paths = samplePaths(plan, sample);

      const [cameraPng, bevPng] = await Promise.all([encodePng(image.rgb, image.width, image.height), encodePng(bev.rgb, bev.width, bev.height)]);
      writeFileSync(join(folder, paths.camera), cameraPng);
      writeFileSync(join(folder, paths.lidar), kittiBinBytes(sweep));
      writeFileSync(join(folder, paths.bev), bevPng);

      const lidarReturns = new Map<number, number>();
      for (const label of sweep.labels) if (label >= 0) lidarReturns.set(label, (lidarReturns.get(label) ?? 0) + 1);
      const objects = scene.objects.filter(
        (_, objectIndex) => (image.objectPixels.get(objectIndex) ?? 0) >= MIN_CAMERA_PIXELS || (lidarReturns.get(objectIndex) ?? 0) >= MIN_LIDAR_RETURNS,
      );
      onSample({ index: sample.index, objects });
    }
  }
}

/**
 * Encodes 8-bit RGB as PNG with fixed options, so the same pixels always give the same bytes
 * (sharp 0.34 writes no time stamp or other varying metadata into a PNG).
 */
export function encodePng(rgb: Uint8Array, width: number, height: number): Promise<Buffer> {
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 6, adaptiveFiltering: false, palette: false, effort: 7 })
    .toBuffer();
}
