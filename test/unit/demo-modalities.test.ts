// Camera, LiDAR and calibration of the demo describe the same geometry: LiDAR returns from a
// parked aircraft lie in its ground-truth box and project onto the aircraft in the camera image.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../../src/dataset/manifest-io.js';
import { renderCamera } from '../../src/demo/camera-render.js';
import { generateDemo } from '../../src/demo/generate.js';
import { mixSeed } from '../../src/demo/geometry.js';
import { castLidar } from '../../src/demo/lidar-raycast.js';
import { resolveDemoOptions, type DemoOptions } from '../../src/demo/options.js';
import { buildPlan } from '../../src/demo/render-samples.js';
import { buildVisitScene } from '../../src/demo/scene.js';
import { lidarFrame } from '../../src/demo/sensor-rig.js';
import type { ObjectBox, VisitScene } from '../../src/demo/types.js';
import { parseKittiCalibJson } from '../../src/sensors/calibration/kitti.js';
import type { CameraCalibration } from '../../src/sensors/calibration/types.js';
import { readKittiBin } from '../../src/sensors/lidar/float-records.js';
import { projectPoints } from '../../src/sensors/projection/project.js';

/** Four stands, four visits: 16 samples. With seed 1, twelve of them face a parked aircraft, and ten of those have no fog or night. */
const RUN: Omit<DemoOptions, 'outDir'> = { size: 'tiny', seed: 1, standCount: 4, visitCount: 4, framesPerStand: 1, workers: 1 };
const BOX_TOLERANCE_METRES = 0.15;
/**
 * Both renders share the noise seed, so any difference comes from the aircraft. A few levels summed
 * over the channels is enough: at dusk in rain a wing 50 m away differs from the concrete behind it
 * by only 5 to 25 levels.
 */
const MIN_PIXEL_DIFFERENCE = 4;

function insideBox(box: ObjectBox, x: number, y: number, z: number, tolerance: number): boolean {
  const dx = x - box.x;
  const dy = y - box.y;
  const along = Math.cos(box.yaw) * dx + Math.sin(box.yaw) * dy;
  const across = -Math.sin(box.yaw) * dx + Math.cos(box.yaw) * dy;
  return (
    Math.abs(along) <= box.length / 2 + tolerance &&
    Math.abs(across) <= box.width / 2 + tolerance &&
    Math.abs(z - box.z) <= box.height / 2 + tolerance
  );
}

/** Pixel bounds of a site-frame box's corners, through the calibration's LiDAR-to-camera and intrinsic matrices. */
function projectedBounds(box: ObjectBox, toLidar: (x: number, y: number, z: number) => [number, number, number], calibration: CameraCalibration): { uMin: number; uMax: number; vMin: number; vMax: number } {
  const e = calibration.lidarToCamera;
  const k = calibration.intrinsic.values;
  const bounds = { uMin: Infinity, uMax: -Infinity, vMin: Infinity, vMax: -Infinity };
  for (let corner = 0; corner < 8; corner++) {
    const sx = (corner & 1 ? 0.5 : -0.5) * box.length;
    const sy = (corner & 2 ? 0.5 : -0.5) * box.width;
    const sz = (corner & 4 ? 0.5 : -0.5) * box.height;
    const [px, py, pz] = toLidar(box.x + Math.cos(box.yaw) * sx - Math.sin(box.yaw) * sy, box.y + Math.sin(box.yaw) * sx + Math.cos(box.yaw) * sy, box.z + sz);
    const xc = e[0]! * px + e[1]! * py + e[2]! * pz + e[3]!;
    const yc = e[4]! * px + e[5]! * py + e[6]! * pz + e[7]!;
    const zc = e[8]! * px + e[9]! * py + e[10]! * pz + e[11]!;
    const u = (k[0]! * xc + k[2]! * zc) / zc;
    const v = (k[5]! * yc + k[6]! * zc) / zc;
    bounds.uMin = Math.min(bounds.uMin, u);
    bounds.uMax = Math.max(bounds.uMax, u);
    bounds.vMin = Math.min(bounds.vMin, v);
    bounds.vMax = Math.max(bounds.vMax, v);
  }
  return bounds;
}

describe('demo modality agreement', () => {
  let root: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'apron-demo-modalities-'));
    await generateDemo({ ...RUN, outDir: root });
  });

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('aircraft returns match box and pixels', async () => {
    const options = resolveDemoOptions({ ...RUN, outDir: root });
    const { layout, plan } = buildPlan(options);
    const dataset = readManifest(root);

    // Every sample by day or at dusk, without fog, that faces a stand with an aircraft on it.
    const found: { sampleIndex: number; scene: VisitScene; aircraftIndex: number }[] = [];
    for (const sample of plan.samples) {
      const visit = plan.visits[sample.visitIndex]!;
      if (visit.timeOfDay === 'night' || visit.weather === 'fog') continue;
      const scene = buildVisitScene(layout, sample.visitIndex);
      const standX = layout.stands[sample.standIndex]!.x;
      const aircraftIndex = scene.objects.findIndex((object) => object.class.startsWith('aircraft-') && Math.abs(object.box.x - standX) < 1);
      if (aircraftIndex >= 0) found.push({ sampleIndex: sample.index, scene, aircraftIndex });
    }
    expect(found.length, 'too few lit samples with an aircraft on the faced stand; pick another seed').toBeGreaterThanOrEqual(5);
    for (const { sampleIndex, scene, aircraftIndex } of found) await checkSample(sampleIndex, scene, aircraftIndex);
  });

  async function checkSample(sampleIndex: number, scene: VisitScene, aircraftIndex: number): Promise<void> {
    const options = resolveDemoOptions({ ...RUN, outDir: root });
    const { plan } = buildPlan(options);
    const dataset = readManifest(root);
    const sample = plan.samples[sampleIndex]!;
    const visit = plan.visits[sample.visitIndex]!;
    const entry = dataset.manifest.samples[sampleIndex]!;
    const aircraft = scene.objects[aircraftIndex]!;
    expect(entry.trackIds).toContain(aircraft.trackId);

    // The sweep on disk is the one the ray caster returns, so its labels mark the points that hit the aircraft.
    const cloud = readKittiBin(readFileSync(join(root, entry.lidar[0]!.path)), entry.lidar[0]!.path);
    const sweep = castLidar(scene, sample.pose, visit.weather, mixSeed(options.seed, 0x11, sample.index), options.lidar);
    expect(cloud.count).toBe(sweep.count);
    const x = cloud.fields.find((field) => field.name === 'x')!.values;
    const y = cloud.fields.find((field) => field.name === 'y')!.values;
    const z = cloud.fields.find((field) => field.name === 'z')!.values;
    expect(x[0]).toBe(sweep.points[0]);

    const frame = lidarFrame(sample.pose);
    const a = frame.axes;
    const toSite = (px: number, py: number, pz: number): [number, number, number] => [
      frame.x + a[0]! * px + a[3]! * py + a[6]! * pz,
      frame.y + a[1]! * px + a[4]! * py + a[7]! * pz,
      frame.z + a[2]! * px + a[5]! * py + a[8]! * pz,
    ];
    const toLidar = (sx: number, sy: number, sz: number): [number, number, number] => {
      const dx = sx - frame.x;
      const dy = sy - frame.y;
      const dz = sz - frame.z;
      return [a[0]! * dx + a[1]! * dy + a[2]! * dz, a[3]! * dx + a[4]! * dy + a[5]! * dz, a[6]! * dx + a[7]! * dy + a[8]! * dz];
    };

    const aircraftPoints: number[] = [];
    for (let i = 0; i < sweep.count; i++) if (sweep.labels[i] === aircraftIndex) aircraftPoints.push(i);
    expect(aircraftPoints.length).toBeGreaterThan(40);
    const outside = aircraftPoints.filter((i) => !insideBox(aircraft.box, ...toSite(x[i]!, y[i]!, z[i]!), BOX_TOLERANCE_METRES));
    expect(outside).toEqual([]);

    // Project with Apron's own reader and projection, from the calibration file the generator wrote.
    const calibrationEntry = dataset.manifest.calibrations[0]!;
    const calibration = parseKittiCalibJson(readFileSync(join(root, calibrationEntry.paths[0]!), 'utf8'), calibrationEntry.paths[0]!, calibrationEntry.camera);
    const columns = {
      x: Float32Array.from(aircraftPoints, (i) => x[i]!),
      y: Float32Array.from(aircraftPoints, (i) => y[i]!),
      z: Float32Array.from(aircraftPoints, (i) => z[i]!),
    };
    const projection = projectPoints(columns, calibration);
    expect(projection.indices.length).toBeGreaterThan(20);

    const bounds = projectedBounds(aircraft.box, toLidar, calibration);
    for (let i = 0; i < projection.indices.length; i++) {
      expect(projection.u[i]!).toBeGreaterThanOrEqual(bounds.uMin - 1);
      expect(projection.u[i]!).toBeLessThanOrEqual(bounds.uMax + 1);
      expect(projection.v[i]!).toBeGreaterThanOrEqual(bounds.vMin - 1);
      expect(projection.v[i]!).toBeLessThanOrEqual(bounds.vMax + 1);
    }

    // Where the aircraft's points land, the image differs from a render of the same stand without it,
    // except where equipment in front hides the aircraft from the camera but not from the LiDAR.
    // The file is exactly the render of the full scene, and its depth buffer finds those points.
    const image = await sharp(join(root, entry.cameras[0]!.path)).raw().toBuffer({ resolveWithObject: true });
    expect(image.info.width).toBe(calibration.imageSize.width);
    const withoutAircraft = renderCamera(
      { ...scene, parts: scene.parts.filter((part) => part.objectIndex !== aircraftIndex) },
      sample.pose,
      { weather: visit.weather, timeOfDay: visit.timeOfDay, sunAzimuth: visit.sunAzimuth },
      mixSeed(options.seed, 0xca, sample.index),
    );
    const withAircraft = renderCamera(scene, sample.pose, { weather: visit.weather, timeOfDay: visit.timeOfDay, sunAzimuth: visit.sunAzimuth }, mixSeed(options.seed, 0xca, sample.index));
    expect(Buffer.from(withAircraft.rgb).equals(image.data)).toBe(true);
    let differing = 0;
    let visible = 0;
    let sameDepth = 0;
    const width = image.info.width;
    const height = image.info.height;
    for (let i = 0; i < projection.indices.length; i++) {
      const column = Math.floor(projection.u[i]!);
      const row = Math.floor(projection.v[i]!);
      const pointDepth = projection.depth[i]!;
      if (withAircraft.depth[row * width + column]! < pointDepth - 0.5) continue;
      visible++;

      // Thin parts (a 0.4 m fin 50 m away) cover less than a pixel, so the point's pixel or one of its
      // neighbours must show the aircraft.
      let depthMatches = false;
      let colourDiffers = false;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const x = column + dx;
          const y = row + dy;
          if (x < 0 || y < 0 || x >= width || y >= height) continue;
          const index = y * width + x;
          if (Math.abs(withAircraft.depth[index]! - pointDepth) < 0.5) depthMatches = true;
          let difference = 0;
          for (let c = 0; c < 3; c++) difference += Math.abs(image.data[index * 3 + c]! - withoutAircraft.rgb[index * 3 + c]!);
          if (difference >= MIN_PIXEL_DIFFERENCE) colourDiffers = true;
        }
      }
      if (depthMatches) sameDepth++;
      if (colourDiffers) differing++;
    }
    expect(visible).toBeGreaterThan(projection.indices.length / 2);
    expect(sameDepth / visible, `sample ${entry.sampleId}`).toBeGreaterThan(0.95);
    // In rain by day a white fuselage 30 m away can match the fogged facade behind it within 3 levels.
    expect(differing / visible, `sample ${entry.sampleId}`).toBeGreaterThan(0.85);
  }
});
