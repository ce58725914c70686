/** The manifest of a generated demo: one sample per frame with its ground truth. */
import { MANIFEST_FORMAT, MANIFEST_VERSION, type ManifestInput, type SampleInput } from '../dataset/manifest.js';
import { DEFAULT_BEV } from './bev-raster.js';
import type { ResolvedDemoOptions } from './options.js';
import { samplePaths } from './render-samples.js';
import { CALIBRATION_ID, CAMERA, CAMERA_NAME } from './sensor-rig.js';
import type { TraversalPlan } from './traversal.js';
import type { SceneObject } from './types.js';

export const DEMO_SITE = 'demo-airside';
export const CALIBRATION_PATH = 'calibration/demo-vehicle.json';

export function demoName(options: Pick<ResolvedDemoOptions, 'size' | 'seed'>): string {
  return `demo-airside-${options.size}-${options.seed}`;
}

/** Builds the manifest, where `objectsBySample[i]` lists the objects in view in sample i. */
export function buildDemoManifest(options: ResolvedDemoOptions, plan: TraversalPlan, objectsBySample: SceneObject[][]): ManifestInput {
  const samples: SampleInput[] = plan.samples.map((sample) => {
    const visit = plan.visits[sample.visitIndex]!;
    const paths = samplePaths(plan, sample);
    const objects = (objectsBySample[sample.index] ?? []).map((object) => ({
      trackId: object.trackId,
      class: object.class,
      box: {
        x: round(object.box.x, 3),
        y: round(object.box.y, 3),
        z: round(object.box.z, 3),
        length: round(object.box.length, 3),
        width: round(object.box.width, 3),
        height: round(object.box.height, 3),
        yaw: round(normaliseAngle(object.box.yaw), 4),
      },
    }));
    return {
      sampleId: sample.sampleId,
      sequenceId: visit.sequenceId,
      routeId: 'service-road',
      site: DEMO_SITE,
      timestampNs: sample.timestampNs.toString(),
      calibrationId: CALIBRATION_ID,
      weather: visit.weather,
      timeOfDay: visit.timeOfDay,
      pose: { x: round(sample.pose.x, 4), y: round(sample.pose.y, 4), z: sample.pose.z, yaw: round(sample.pose.yaw, 5) },
      placeId: sample.placeId,
      trackIds: objects.map((object) => object.trackId),
      objects,
      cameras: [{ name: CAMERA_NAME, path: paths.camera, width: CAMERA.width, height: CAMERA.height }],
      bev: [{ name: 'bev', path: paths.bev, width: DEFAULT_BEV.size, height: DEFAULT_BEV.size, metresPerPixel: DEFAULT_BEV.metresPerPixel, frame: 'ego', format: 'png' }],
      lidar: [{ name: 'top', path: paths.lidar, format: 'kitti-bin' }],
    };
  });

  return {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    name: demoName(options),
    // Relative, so that the folder can be moved. `apron import` makes it absolute in its copy.
    root: '.',
    conditionFields: ['weather', 'timeOfDay'],
    samples,
    calibrations: [{ calibrationId: CALIBRATION_ID, format: 'kitti-json', paths: [CALIBRATION_PATH], camera: CAMERA_NAME }],
  };
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  const rounded = Math.round(value * factor) / factor;
  return rounded === 0 ? 0 : rounded;
}

/** Maps an angle into (-pi, pi]. */
function normaliseAngle(angle: number): number {
  let result = angle % (2 * Math.PI);
  if (result <= -Math.PI) result += 2 * Math.PI;
  if (result > Math.PI) result -= 2 * Math.PI;
  return result;
}
