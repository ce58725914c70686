// Reads every real LiDAR file in the shared data and pins its point count and its first and last
// points. KITTI and nuScenes values were cross-checked with Python's struct module, and the PCD
// binary_compressed values with an independent Python LZF decoder and numpy.
import { readFileSync } from 'node:fs';

import { describe, expect, test } from 'vitest';

import { getIntensity, getPositions, getRing, readArgoverse2Feather, readPointCloudFile, type PointCloud } from '../../src/sensors/lidar/index.js';
import { hasSharedData, sharedDataPath } from '../helpers/shared-data.js';

interface RealFileCase {
  path: string[];
  count: number;
  fields: string[];
  first: number[];
  last: number[];
}

function row(cloud: PointCloud, index: number): number[] {
  return cloud.fields.map((field) => field.values[index] as number);
}

const PJLAB_FIELDS = ['x', 'y', 'z', 'intensity', 'ring', 'timestamp'];
const AV2_FIELDS = ['x', 'y', 'z', 'intensity', 'laser_number', 'offset_ns'];
const SEQUENCE = ['pjlab-lidar-camera', 'lidar_seq_2021-10-26-16-21-29', 'top_center_lidar'];

const CASES: RealFileCase[] = [
  {
    path: ['kitti-nuscenes-demo', 'kitti', '000008.bin'],
    count: 17238,
    fields: ['x', 'y', 'z', 'reflectance'],
    first: [21.554000854492188, 0.02800000086426735, 0.9380000233650208, 0.3400000035762787],
    last: [6.310999870300293, -0.0010000000474974513, -1.6480000019073486, 0.3199999928474426],
  },
  {
    path: ['kitti-nuscenes-demo', 'nuscenes', 'n015-2018-07-24-11-22-45+0800__LIDAR_TOP__1532402927647951.pcd.bin'],
    count: 34688,
    fields: ['x', 'y', 'z', 'intensity', 'ring'],
    first: [-3.124373435974121, -0.43415367603302, -1.867192029953003, 4, 0],
    last: [-14.113669395446777, 0.014782516285777092, 2.6591546535491943, 40, 31],
  },
  {
    path: ['pjlab-lidar-camera', 'pair1_manual_calib', '0.pcd'],
    count: 78238,
    fields: ['x', 'y', 'z', 'intensity'],
    first: [Math.fround(21.647913), Math.fround(0.19822195), Math.fround(-1.8524752), 11],
    last: [Math.fround(8.4264965), Math.fround(-0.11148447), Math.fround(-1.9415526), 25],
  },
  {
    path: ['pjlab-lidar-camera', 'pair2_auto_calib', 'calib.pcd'],
    count: 85546,
    fields: PJLAB_FIELDS,
    first: [-4.526553630828857, -10.162276268005371, -1.5754215717315674, 87, 8, 1605333546.7827358],
    last: [-17.87912940979004, -51.2209358215332, -2.558445692062378, 15, 30, 1605333546.882802],
  },
  {
    path: ['pjlab-lidar-camera', 'pair3_auto_calib_v2_ours1', 'calib.pcd'],
    count: 101340,
    fields: PJLAB_FIELDS,
    first: [-129.12721252441406, 7.275851249694824, -3.0501368045806885, 40, 38, 1678066887.7009459],
    last: [-4.465167999267578, -0.1046057790517807, -2.072946310043335, 18, 0, 1678066887.800778],
  },
  {
    path: ['pjlab-lidar-camera', 'pair4_auto_calib_v2_ours2', 'calib.pcd'],
    count: 98805,
    fields: PJLAB_FIELDS,
    first: [-75.4953842163086, -1.241331696510315, 4.009940147399902, 99, 59, 1678067032.7996197],
    last: [-4.544968128204346, -0.10647526383399963, -2.1099934577941895, 16, 0, 1678067032.9011958],
  },
  {
    path: [...SEQUENCE, '2021-10-26-16-21-29-468.pcd'],
    count: 80787,
    fields: PJLAB_FIELDS,
    first: [-5.927565574645996, -6.421504020690918, -2.0133793354034424, 59, 3, 1635236489.369082],
    last: [-22.844562530517578, -23.498146057128906, -1.8380050659179688, 40, 27, 1635236489.468977],
  },
  {
    path: [...SEQUENCE, '2021-10-26-16-21-29-868.pcd'],
    count: 80748,
    fields: PJLAB_FIELDS,
    first: [-55.1836051940918, -58.953826904296875, -1.4288477897644043, 114, 40, 1635236489.7687578],
    last: [-17.882572174072266, -18.266193389892578, -1.886610746383667, 52, 21, 1635236489.8687398],
  },
  {
    path: ['argoverse2-sample', '7fab2350-7eaf-3b7e-a39d-6937a4c1bede', 'sensors', 'lidar', '315966265259836000.feather'],
    count: 99229,
    fields: AV2_FIELDS,
    first: [-1.537109375, 3.060546875, -0.322509765625, 10, 31, 2654000],
    last: [8.7734375, -12.140625, 1.876953125, 30, 58, 106085816],
  },
  {
    path: ['argoverse2-sample', '7fab2350-7eaf-3b7e-a39d-6937a4c1bede', 'sensors', 'lidar', '315966265360032000.feather'],
    count: 99466,
    fields: AV2_FIELDS,
    first: [-1.484375, 3.099609375, -0.31884765625, 8, 31, 2654000],
    last: [8.625, -12.2109375, 1.8818359375, 15, 58, 106085816],
  },
  {
    path: ['argoverse2-sample', 'adcf7d18-0510-35b0-a2fa-b4cea13a6d76', 'sensors', 'lidar', '315973157959879000.feather'],
    count: 100660,
    fields: AV2_FIELDS,
    first: [-17.1875, 16.125, 0.20947265625, 15, 23, 244224],
    last: [10.1640625, -11.390625, 2.037109375, 9, 51, 105957512],
  },
];

describe.skipIf(!hasSharedData('kitti-nuscenes-demo') || !hasSharedData('pjlab-lidar-camera') || !hasSharedData('argoverse2-sample'))('real LiDAR files', () => {
  for (const realFile of CASES) {
    const name = realFile.path[realFile.path.length - 1] ?? '';

    test(`${name} count and end points`, async () => {
      const cloud = await readPointCloudFile(sharedDataPath(...realFile.path));

      expect(cloud.count).toBe(realFile.count);
      expect(cloud.droppedNonFinite).toBe(0);
      expect(cloud.fields.map((field) => field.name)).toEqual(realFile.fields);
      for (const field of cloud.fields) expect(field.values.length).toBe(realFile.count);
      expect(row(cloud, 0)).toEqual(realFile.first);
      expect(row(cloud, cloud.count - 1)).toEqual(realFile.last);
    });
  }

  test('helpers find positions, intensity and ring', async () => {
    const kitti = await readPointCloudFile(sharedDataPath('kitti-nuscenes-demo', 'kitti', '000008.bin'));
    const argoverse = await readPointCloudFile(sharedDataPath(...(CASES[8] as RealFileCase).path));

    const positions = getPositions(argoverse);
    expect(positions.x).toBeInstanceOf(Float32Array);
    expect(positions.z[argoverse.count - 1]).toBe(1.876953125);
    expect(getIntensity(kitti)?.[0]).toBe(0.3400000035762787);
    expect(getRing(argoverse)?.[0]).toBe(31);
    expect(getRing(kitti)).toBeUndefined();
  });

  test('feather framing check accepts body edits', () => {
    // A changed byte inside column data leaves the framing intact, so the file must still read.
    const bytes = readFileSync(sharedDataPath(...(CASES[10] as RealFileCase).path));
    bytes[500000] = (bytes[500000] as number) ^ 0x55;

    expect(readArgoverse2Feather(bytes, 'edited.feather').count).toBe(100660);
  });

  test('pcd timestamps keep float64 precision', async () => {
    const cloud = await readPointCloudFile(sharedDataPath('pjlab-lidar-camera', 'pair2_auto_calib', 'calib.pcd'));
    const timestamps = cloud.fields.find((field) => field.name === 'timestamp')?.values;

    expect(timestamps).toBeInstanceOf(Float64Array);
    expect(timestamps?.[0]).toBe(1605333546.7827358);
  });
});
