// Import the real KITTI/nuScenes demo, PJLab and Argoverse 2 folders: sample counts, modalities per
// sample, calibrations that resolve, poses, and errors for damaged temp copies that name the file.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectLayout, importDataset, resolveCalibration } from '../../src/dataset/importers/index.js';
import { readManifest } from '../../src/dataset/manifest-io.js';
import { hasSharedData, sharedDataPath } from '../helpers/shared-data.js';

const tempRoot = mkdtempSync(join(tmpdir(), 'apron-import-multimodal-'));
afterAll(() => rmSync(tempRoot, { recursive: true, force: true }));

let caseCount = 0;
function outDir(): string {
  return join(tempRoot, `out-${caseCount++}`);
}

/** Copy a real dataset folder into the temp folder, so that a test can damage the copy. */
function copyOf(name: string): string {
  const copy = join(tempRoot, `copy-${caseCount++}`);
  cpSync(sharedDataPath(name), copy, { recursive: true });
  return copy;
}

const NUSCENES_CAMERAS = ['CAM_FRONT', 'CAM_FRONT_RIGHT', 'CAM_FRONT_LEFT', 'CAM_BACK', 'CAM_BACK_LEFT', 'CAM_BACK_RIGHT'];

describe.skipIf(!hasSharedData('kitti-nuscenes-demo'))('kitti-nuscenes-demo import', () => {
  const source = sharedDataPath('kitti-nuscenes-demo');

  it('is detected from the folder', () => {
    expect(detectLayout(source)).toBe('kitti-nuscenes-demo');
  });

  it('imports one KITTI and one nuScenes sample', async () => {
    const result = await importDataset({ source, outDir: outDir() });
    const [kitti, nuscenes] = result.dataset.manifest.samples;

    expect(result.counts).toEqual({ samples: 2, kitti: 1, nuscenes: 1 });
    expect(kitti?.sequenceId).toBe('kitti');
    expect(kitti?.lidar).toEqual([{ name: 'velodyne', path: 'kitti/000008.bin', format: 'kitti-bin' }]);
    expect(kitti?.cameras).toEqual([{ name: 'CAM2', path: 'kitti/000008.png', width: 1242, height: 375 }]);
    expect(nuscenes?.sequenceId).toBe('nuscenes');
    expect(nuscenes?.lidar.map((file) => file.format)).toEqual(['nuscenes-pcd-bin']);
    expect(nuscenes?.cameras.map((camera) => camera.name)).toEqual(NUSCENES_CAMERAS);
    expect(nuscenes?.cameras.every((camera) => camera.width === 1600 && camera.height === 900)).toBe(true);
    // ego2global translation of sample_calib.json.
    expect(nuscenes?.pose?.x).toBeCloseTo(411.3039, 3);
    expect(nuscenes?.pose?.y).toBeCloseTo(1180.8904, 3);
  });

  it('resolves every camera calibration', async () => {
    const { dataset } = await importDataset({ source, outDir: outDir() });
    const [kitti, nuscenes] = dataset.manifest.samples;

    const kittiCalibration = resolveCalibration(dataset, kitti!, 'CAM2');
    expect(kittiCalibration.camera).toBe('CAM2');
    expect(kittiCalibration.imageSize).toEqual({ width: 1242, height: 375 });
    // P2 of KITTI object frame 000008: fx = 721.5377.
    expect(kittiCalibration.intrinsic.values[0]).toBeCloseTo(721.5377, 4);

    for (const camera of NUSCENES_CAMERAS) {
      const calibration = resolveCalibration(dataset, nuscenes!, camera);
      expect(calibration.camera).toBe(camera);
      expect(calibration.lidarToCamera).toHaveLength(16);
      expect(calibration.egoToGlobal?.[3]).toBeCloseTo(411.3039, 3);
    }
  });

  it('names a missing point cloud', async () => {
    const copy = copyOf('kitti-nuscenes-demo');
    rmSync(join(copy, 'kitti', '000008.bin'));

    await expect(importDataset({ source: copy, outDir: outDir() })).rejects.toThrow(join(copy, 'kitti', '000008.bin'));
  });

  it('names a corrupt point cloud', async () => {
    const copy = copyOf('kitti-nuscenes-demo');
    const lidar = join(copy, 'nuscenes', 'n015-2018-07-24-11-22-45+0800__LIDAR_TOP__1532402927647951.pcd.bin');
    // 7 bytes is not a whole number of 20-byte nuScenes points.
    writeFileSync(lidar, Buffer.alloc(7));

    await expect(importDataset({ source: copy, outDir: outDir() })).rejects.toThrow(lidar);
  });

  it('names a calibration file deleted after import', async () => {
    const copy = copyOf('kitti-nuscenes-demo');
    const { manifestPath } = await importDataset({ source: copy, outDir: outDir() });
    const calibration = join(copy, 'kitti', '000008_calib_and_labels.json');
    rmSync(calibration);
    const dataset = readManifest(manifestPath);

    expect(() => resolveCalibration(dataset, dataset.manifest.samples[0]!, 'CAM2')).toThrow(`Calibration file not found: ${calibration}`);
  });
});

describe.skipIf(!hasSharedData('pjlab-lidar-camera'))('pjlab-lidar-camera import', () => {
  const source = sharedDataPath('pjlab-lidar-camera');
  const sequence = 'lidar_seq_2021-10-26-16-21-29';

  it('is detected from the folder', () => {
    expect(detectLayout(source)).toBe('pjlab-lidar-camera');
  });

  it('imports four pairs and five sweeps', async () => {
    const result = await importDataset({ source, outDir: outDir() });
    const samples = result.dataset.manifest.samples;

    expect(result.counts).toEqual({ samples: 9, pairs: 4, sweeps: 5 });
    const pairs = samples.filter((sample) => sample.cameras.length > 0);
    expect(pairs.map((sample) => sample.sampleId)).toEqual(['pair1_manual_calib', 'pair2_auto_calib', 'pair3_auto_calib_v2_ours1', 'pair4_auto_calib_v2_ours2']);
    for (const pair of pairs) {
      expect(pair.lidar).toHaveLength(1);
      expect(pair.cameras[0]?.width).toBe(1920);
      expect(pair.cameras[0]?.height).toBe(1200);
    }
    const sweeps = samples.filter((sample) => sample.sequenceId === sequence);
    expect(sweeps).toHaveLength(5);
    expect(sweeps.every((sweep) => sweep.cameras.length === 0 && sweep.lidar.length === 1)).toBe(true);
    expect(sweeps[1]!.timestampNs - sweeps[0]!.timestampNs).toBe(100_000_000n);
  });

  it('reads the pose of a sweep by its stamp', async () => {
    const { dataset } = await importDataset({ source, outDir: outDir() });
    const sweep = dataset.manifest.samples.find((sample) => sample.sampleId === `${sequence}/2021-10-26-16-21-29-568`);

    // Line 2 of top_center_lidar-pose.txt: tx, ty, tz and atan2(r21, r11).
    expect(sweep?.pose?.x).toBeCloseTo(0.00008615, 9);
    expect(sweep?.pose?.y).toBeCloseTo(-0.000044056, 9);
    expect(sweep?.pose?.z).toBeCloseTo(-0.000057432, 9);
    expect(sweep?.pose?.yaw).toBeCloseTo(Math.atan2(0.000016801, 0.999999487), 9);
  });

  it('resolves JSON and text calibrations at the image size', async () => {
    const { dataset } = await importDataset({ source, outDir: outDir() });
    const formats = dataset.manifest.calibrations.map((entry) => entry.format);
    expect(formats).toEqual(['pjlab-json', 'pjlab-json', 'pjlab-text', 'pjlab-text']);

    for (const sample of dataset.manifest.samples.filter((candidate) => candidate.cameras.length > 0)) {
      const calibration = resolveCalibration(dataset, sample, 'center_camera');
      expect(calibration.imageSize).toEqual({ width: 1920, height: 1200 });
      expect(calibration.intrinsic.values).toHaveLength(9);
    }
  });

  it('names a missing calibration file', async () => {
    const copy = copyOf('pjlab-lidar-camera');
    const extrinsic = join(copy, 'pair1_manual_calib', 'top_center_lidar-to-center_camera-extrinsic.json');
    rmSync(extrinsic);

    await expect(importDataset({ source: copy, outDir: outDir() })).rejects.toThrow(extrinsic);
  });

  it('names a corrupt sweep', async () => {
    const copy = copyOf('pjlab-lidar-camera');
    const sweep = join(copy, sequence, 'top_center_lidar', '2021-10-26-16-21-29-668.pcd');
    writeFileSync(sweep, 'VERSION 0.7\nFIELDS x y z\n');

    await expect(importDataset({ source: copy, outDir: outDir() })).rejects.toThrow(sweep);
  });
});

describe.skipIf(!hasSharedData('argoverse2-sample'))('argoverse2 import', () => {
  const source = sharedDataPath('argoverse2-sample');
  const log = '7fab2350-7eaf-3b7e-a39d-6937a4c1bede';

  it('is detected from the folder and from one log', () => {
    expect(detectLayout(source)).toBe('argoverse2');
    expect(detectLayout(join(source, log))).toBe('argoverse2');
  });

  it('imports one sample per sweep with raster and map', async () => {
    const result = await importDataset({ source, outDir: outDir() });
    const samples = result.dataset.manifest.samples;

    expect(result.counts).toEqual({ samples: 3, [log]: 2, 'adcf7d18-0510-35b0-a2fa-b4cea13a6d76': 1 });
    for (const sample of samples) {
      expect(sample.site).toBe('PIT');
      expect(sample.lidar.map((file) => file.format)).toEqual(['av2-feather']);
      expect(sample.bev[0]?.format).toBe('npy');
      expect(sample.bev[0]?.frame).toBe('north-up');
      expect(sample.bev[0]?.metresPerPixel).toBeCloseTo(0.3, 4);
      expect(sample.bev[0]?.sim2Path).toMatch(/___img_Sim2_city\.json$/);
      expect(sample.mapPath).toMatch(/^.+\/map\/log_map_archive_.+____PIT_city_\d+\.json$/);
    }
    const first = samples[0]!;
    expect(first.sampleId).toBe(`${log}/315966265259836000`);
    expect(first.timestampNs).toBe(315966265259836000n);
    expect(first.bev[0]?.width).toBe(880);
    expect(first.bev[0]?.height).toBe(785);
  });

  it('takes the pose at the sweep time', async () => {
    const { dataset } = await importDataset({ source, outDir: outDir() });
    const [first, second] = dataset.manifest.samples;

    // The log starts near (5224, 2385) in the Pittsburgh city frame, and the sweeps are 0.1 s apart.
    expect(first?.pose?.x).toBeCloseTo(5223.8138, 3);
    expect(first?.pose?.y).toBeCloseTo(2385.3731, 3);
    expect(first?.pose?.z).toBeCloseTo(69.0697, 3);
    expect(first?.pose?.yaw).toBeCloseTo(-0.56637, 4);
    const moved = Math.hypot(second!.pose!.x - first!.pose!.x, second!.pose!.y - first!.pose!.y);
    expect(moved).toBeGreaterThan(0.01);
    expect(moved).toBeLessThan(1);
  });

  it('names a corrupt sweep', async () => {
    const copy = copyOf('argoverse2-sample');
    const sweep = join(copy, log, 'sensors', 'lidar', '315966265360032000.feather');
    writeFileSync(sweep, Buffer.from('ARROW1\0\0 damaged'));

    await expect(importDataset({ source: copy, outDir: outDir() })).rejects.toThrow(sweep);
  });
});
