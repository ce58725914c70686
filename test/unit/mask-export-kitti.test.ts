// Real-data check of the pose-radius expansion: the KITTI revisit list names every pair of scans
// within 10 m in the plane and more than 300 frames apart, computed independently from pose.txt.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedDataset } from '../../src/dataset/manifest-io.js';
import { manifestSchema } from '../../src/dataset/manifest.js';
import { exportMask } from '../../src/mask/export.js';
import { hasSharedData, sharedDataPath } from '../helpers/shared-data.js';

/** Builds an in-memory dataset of one sequence: sample `<seq>/<frame>`, 10 Hz, pose from columns 3 and 7. */
function loadSequence(sequence: string): LoadedDataset {
  const lines = readFileSync(sharedDataPath('kitti-bev-revisits', sequence, 'pose.txt'), 'utf8').trim().split('\n');
  const samples = lines.map((line, frame) => {
    const values = line.trim().split(/\s+/).map(Number);
    return {
      sampleId: `${sequence}/${String(frame).padStart(6, '0')}`,
      sequenceId: sequence,
      timestampNs: frame * 100_000_000,
      pose: { x: values[3] ?? Number.NaN, y: values[7] ?? Number.NaN, yaw: Math.atan2(values[4] ?? 0, values[0] ?? 1) },
    };
  });
  const manifest = manifestSchema.parse({ format: 'apron-manifest', version: 1, name: `KITTI ${sequence}`, root: '/', samples });
  const indexOf = new Map(manifest.samples.map((sample, index) => [sample.sampleId, index]));
  return { manifestPath: '(in memory)', root: '/', manifest, indexOf };
}

describe.skipIf(!hasSharedData('kitti-bev-revisits'))('mask export on KITTI poses', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'apron-mask-kitti-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [sequence, revisitCount] of [
    ['00', 29_747],
    ['05', 16_375],
  ] as const) {
    it(`sequence ${sequence} far pose pairs equal revisits`, () => {
      const dataset = loadSequence(sequence);
      const pairsPath = join(dir, `${sequence}.csv`);
      exportMask({
        datasetId: `kitti-${sequence}`,
        dataset,
        rules: { samePlace: false, poseRadiusMetres: 10 },
        same: [],
        different: [],
        jsonPath: join(dir, `${sequence}.json`),
        pairsPath,
      });

      const frameOf = (sampleId: string): number => Number(sampleId.slice(sequence.length + 1));
      const farApart = new Set<string>();
      const reasons = new Set<string>();
      for (const line of readFileSync(pairsPath, 'utf8').trimEnd().split('\n').slice(1)) {
        const [a = '', b = '', reason = ''] = line.split(',');
        reasons.add(reason);
        const [i, j] = [frameOf(a), frameOf(b)].sort((x, y) => x - y) as [number, number];
        if (j - i > 300) farApart.add(`${i},${j}`);
      }
      expect([...reasons]).toEqual(['pose-radius']);

      const revisits = readFileSync(sharedDataPath('kitti-bev-revisits', sequence, 'revisit_pairs_10m_gap300.csv'), 'utf8')
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((line) => line.split(',').slice(0, 2).join(','));
      expect(revisits).toHaveLength(revisitCount);
      expect(farApart.size).toBe(revisitCount);
      expect([...farApart].sort()).toEqual([...revisits].sort());
    });
  }
});
