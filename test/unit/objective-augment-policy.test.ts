import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BEV_POLICY,
  DEFAULT_CAMERA_POLICY,
  DEFAULT_LIDAR_POLICY,
  parseAugmentationPolicy,
  policyFor,
  serializeAugmentationPolicy,
} from '../../src/train/objectives/augment-policy.js';

const POLICY = { version: 1, modalities: [DEFAULT_CAMERA_POLICY, DEFAULT_BEV_POLICY, DEFAULT_LIDAR_POLICY] };

describe('augmentation policy', () => {
  it('round-trips through JSON', () => {
    const policy = parseAugmentationPolicy(POLICY);
    const text = serializeAugmentationPolicy(policy);
    expect(parseAugmentationPolicy(JSON.parse(text))).toEqual(policy);
    expect(policyFor(policy, 'camera')?.crop.scale).toEqual([0.5, 1]);
    expect(policyFor(policy, 'lidar')?.rotationAboutZ.enabled).toBe(false);
  });

  it('rejects flips on BEV rasters', () => {
    const bev = { ...DEFAULT_BEV_POLICY, horizontalFlipProbability: 0.5 };
    expect(() => parseAugmentationPolicy({ version: 1, modalities: [bev] })).toThrow(/modalities\.0: Unrecognized key: "horizontalFlipProbability"/);
  });

  it('rejects BEV rigid motion the task forbids', () => {
    const bev = { ...DEFAULT_BEV_POLICY, rigidMotionAllowed: false };
    expect(() => parseAugmentationPolicy({ version: 1, modalities: [bev] })).toThrow(/rigidMotionAllowed/);
    const still = { ...bev, maxTranslationFraction: 0, maxRotationDegrees: 0 };
    expect(parseAugmentationPolicy({ version: 1, modalities: [still] }).modalities).toHaveLength(1);
  });

  it('rejects an inverted crop range', () => {
    const camera = { ...DEFAULT_CAMERA_POLICY, crop: { scale: [1, 0.5], aspectRatio: [0.75, 1.33] } };
    expect(() => parseAugmentationPolicy({ version: 1, modalities: [camera] })).toThrow(/must not exceed/);
  });

  it('rejects a modality listed twice', () => {
    expect(() => parseAugmentationPolicy({ version: 1, modalities: [DEFAULT_LIDAR_POLICY, DEFAULT_LIDAR_POLICY] })).toThrow(/only once/);
  });
});
