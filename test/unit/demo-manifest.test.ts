// The demo manifest carries the ground truth Apron's review relies on: the stand each sample faces,
// stable track ids with classes and boxes, conditions per visit, and the calibration to project with.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveCalibration } from '../../src/dataset/importers/resolve-calibration.js';
import { readManifest, type LoadedDataset } from '../../src/dataset/manifest-io.js';
import { AIRCRAFT_SHAPES, type AircraftType } from '../../src/demo/aircraft.js';
import { generateDemo } from '../../src/demo/generate.js';
import { GSE_CLASSES } from '../../src/demo/gse.js';
import { resolveDemoOptions, type DemoOptions } from '../../src/demo/options.js';
import { buildPlan } from '../../src/demo/render-samples.js';
import { CAMERA } from '../../src/demo/sensor-rig.js';
import { TIMES_OF_DAY, WEATHERS } from '../../src/demo/types.js';

/** Five stands, three visits, two frames per stand: 30 samples. */
const RUN: Omit<DemoOptions, 'outDir'> = { size: 'tiny', seed: 7, standCount: 5, visitCount: 3, framesPerStand: 2, workers: 1 };

describe('demo manifest', () => {
  let root: string;
  let dataset: LoadedDataset;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'apron-demo-manifest-'));
    const result = await generateDemo({ ...RUN, outDir: root });
    expect(result.sampleCount).toBe(30);
    dataset = readManifest(result.manifestPath);
  });

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('header names the dataset and its conditions', () => {
    const manifest = dataset.manifest;
    expect(manifest.name).toBe('demo-airside-tiny-7');
    expect(manifest.conditionFields).toEqual(['weather', 'timeOfDay']);
    expect(manifest.samples).toHaveLength(30);
    expect(manifest.calibrations).toEqual([{ calibrationId: 'demo-vehicle', format: 'kitti-json', paths: ['calibration/demo-vehicle.json'], camera: 'CAM_LEFT' }]);
  });

  it('each sample has every modality and the calibration', () => {
    for (const sample of dataset.manifest.samples) {
      expect(sample.site).toBe('demo-airside');
      expect(sample.calibrationId).toBe('demo-vehicle');
      expect(sample.cameras).toEqual([{ name: 'CAM_LEFT', path: `${sample.sampleId.replace('/', '/camera/')}.png`, width: CAMERA.width, height: CAMERA.height }]);
      expect(sample.bev[0]).toMatchObject({ name: 'bev', frame: 'ego', metresPerPixel: 0.5, format: 'png', width: 256, height: 256 });
      expect(sample.lidar).toEqual([{ name: 'top', path: `${sample.sampleId.replace('/', '/lidar/')}.bin`, format: 'kitti-bin' }]);
      const calibration = resolveCalibration(dataset, sample, 'CAM_LEFT');
      expect(calibration.imageSize).toEqual({ width: CAMERA.width, height: CAMERA.height });
    }
  });

  it('placeId is the stand in front', () => {
    const { layout } = buildPlan(resolveDemoOptions({ ...RUN, outDir: root }));
    for (const sample of dataset.manifest.samples) {
      const stand = layout.stands.find((candidate) => Math.abs(candidate.x - sample.pose!.x) <= candidate.pitch / 2);
      expect(sample.placeId).toBe(stand?.placeId);
    }
    const perPlace = new Map<string, number>();
    for (const sample of dataset.manifest.samples) perPlace.set(sample.placeId!, (perPlace.get(sample.placeId!) ?? 0) + 1);
    expect([...perPlace.keys()].sort()).toEqual(['stand-01', 'stand-02', 'stand-03', 'stand-04', 'stand-05']);
    expect([...perPlace.values()]).toEqual([6, 6, 6, 6, 6]);
  });

  it('conditions are fixed per visit', () => {
    const byVisit = new Map<string, string>();
    for (const sample of dataset.manifest.samples) {
      expect(WEATHERS).toContain(sample.weather);
      expect(TIMES_OF_DAY).toContain(sample.timeOfDay);
      const condition = `${sample.weather}/${sample.timeOfDay}`;
      expect(byVisit.get(sample.sequenceId) ?? condition).toBe(condition);
      byVisit.set(sample.sequenceId, condition);
    }
    expect(byVisit.size).toBe(3);
    expect(new Set(byVisit.values()).size).toBe(3);
  });

  it('timestamps rise along each visit', () => {
    const samples = dataset.manifest.samples;
    for (let i = 1; i < samples.length; i++) {
      if (samples[i]!.sequenceId !== samples[i - 1]!.sequenceId) continue;
      expect(samples[i]!.timestampNs > samples[i - 1]!.timestampNs).toBe(true);
      expect(samples[i]!.pose!.x).toBeGreaterThan(samples[i - 1]!.pose!.x);
    }
  });

  it('trackIds list the objects in view', () => {
    for (const sample of dataset.manifest.samples) {
      expect(sample.objects!.length).toBeGreaterThan(0);
      expect(sample.trackIds).toEqual(sample.objects!.map((object) => object.trackId));
    }
  });

  it('track ids keep their class across visits', () => {
    const classOf = new Map<string, string>();
    const visitsOf = new Map<string, Set<string>>();
    for (const sample of dataset.manifest.samples) {
      for (const object of sample.objects!) {
        expect(classOf.get(object.trackId) ?? object.class).toBe(object.class);
        classOf.set(object.trackId, object.class);
        visitsOf.set(object.trackId, (visitsOf.get(object.trackId) ?? new Set()).add(sample.sequenceId));
      }
    }
    const classes = new Set(classOf.values());
    for (const gseClass of GSE_CLASSES) expect(classes).toContain(gseClass);
    expect([...classes].filter((name) => name.startsWith('aircraft-')).length).toBeGreaterThanOrEqual(2);
    // Equipment stays with its stand, so most units are seen on more than one visit.
    const revisited = [...visitsOf.entries()].filter(([trackId, visits]) => !trackId.startsWith('aircraft-') && visits.size > 1);
    expect(revisited.length).toBeGreaterThan(20);
  });

  it('aircraft boxes match their type', () => {
    for (const sample of dataset.manifest.samples) {
      for (const object of sample.objects!.filter((candidate) => candidate.class.startsWith('aircraft-'))) {
        const shape = AIRCRAFT_SHAPES[object.class as AircraftType];
        expect(object.box!.length).toBeCloseTo(shape.length, 1);
        expect(object.box!.width).toBeCloseTo(shape.span, 1);
        expect(object.box!.z).toBeCloseTo(object.box!.height / 2, 2);
      }
    }
  });

  it('look-alike classes have similar boxes', () => {
    const sizeOf = (name: string): number[] => {
      for (const sample of dataset.manifest.samples) {
        const object = sample.objects!.find((candidate) => candidate.class === name);
        if (object !== undefined) return [object.box!.length, object.box!.width, object.box!.height];
      }
      throw new Error(`no ${name} in the demo`);
    };
    const fuel = sizeOf('fuel-truck');
    const catering = sizeOf('catering-truck');
    for (let axis = 0; axis < 3; axis++) expect(Math.abs(fuel[axis]! - catering[axis]!)).toBeLessThan(0.6);
  });
});
