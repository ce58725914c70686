// A tiny reviewable workspace for the end-to-end test. Its six samples each have a generated
// 151x151 BEV raster and a 64x32 camera frame (the sizes of the KITTI BEV and Nordland extracts).
// A manifest lists them, and the store contains the dataset, an embedding version and a queue of six pairs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { MANIFEST_FILE_NAME, writeManifest } from '../../src/dataset/manifest-io.js';
import type { ManifestInput, SampleInput } from '../../src/dataset/manifest.js';
import { openWorkspace, type Workspace } from '../../src/core/workspace.js';
import { openStore } from '../../src/store/index.js';

export interface ReviewFixture {
  workspace: Workspace;
  datasetId: string;
  queueId: string;
  /** Pairs in queue order. */
  pairs: [string, string][];
}

const SAMPLE_COUNT = 6;

/** Deterministic grey patterns, different per sample, so that the two sides look different. */
async function writePattern(path: string, width: number, height: number, seed: number): Promise<void> {
  const pixels = Buffer.alloc(width * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      pixels[y * width + x] = ((x * (seed + 1)) ^ (y * 3 + seed * 40)) & 0xff;
    }
  }
  await sharp(pixels, { raw: { width, height, channels: 1 } }).png().toFile(path);
}

function sampleInput(index: number): SampleInput {
  const sequenceId = index < 3 ? 'drive-a' : 'drive-b';
  return {
    sampleId: `s${index}`,
    sequenceId,
    site: 'stand-12',
    timestampNs: String(1_700_000_000_000_000_000n + BigInt(index) * 90_000_000_000n),
    weather: index % 2 === 0 ? 'clear' : 'rain',
    timeOfDay: index < 3 ? 'day' : 'night',
    pose: { x: index * 2.5, y: 10 - index, z: 0, yaw: index * 0.5 },
    cameras: [{ name: 'front', path: `s${index}-front.png` }],
    bev: [{ name: 'lidar-bev', path: `s${index}-bev.png`, metresPerPixel: 0.4, frame: 'ego' }],
  };
}

export async function createReviewFixture(root: string): Promise<ReviewFixture> {
  const dataDir = join(root, 'data');
  mkdirSync(dataDir, { recursive: true });
  for (let index = 0; index < SAMPLE_COUNT; index += 1) {
    await writePattern(join(dataDir, `s${index}-bev.png`), 151, 151, index);
    await writePattern(join(dataDir, `s${index}-front.png`), 64, 32, index + 10);
  }

  const workspace = openWorkspace(join(root, 'workspace'));
  const datasetId = 'stand-review';
  const manifest: ManifestInput = {
    format: 'apron-manifest',
    version: 1,
    name: 'Stand 12 review set',
    root: dataDir,
    conditionFields: ['weather', 'timeOfDay'],
    samples: Array.from({ length: SAMPLE_COUNT }, (_, index) => sampleInput(index)),
  };
  const manifestPath = writeManifest(join(workspace.datasetsDir, datasetId, MANIFEST_FILE_NAME), manifest);

  const vectorsPath = join(workspace.embeddingsDir, 'emb-e2e.f32');
  writeFileSync(vectorsPath, Buffer.alloc(SAMPLE_COUNT * 8 * 4));

  const pairs: [string, string][] = [
    ['s0', 's3'],
    ['s1', 's4'],
    ['s2', 's5'],
    ['s0', 's4'],
    ['s1', 's5'],
    ['s0', 's5'],
  ];
  const store = openStore(workspace.databasePath);
  try {
    store.addDataset({ datasetId, name: manifest.name, importer: null, manifestPath, root: dataDir, sampleCount: SAMPLE_COUNT });
    const version = store.addEmbeddingVersion({ embeddingVersionId: 'emb-e2e', datasetId, vectorsPath, dimension: 8, count: SAMPLE_COUNT });
    const queue = store.createQueue({
      queueId: 'queue-e2e',
      datasetId,
      embeddingVersionId: version.embeddingVersionId,
      params: { k: 5 },
      items: pairs.map(([sampleA, sampleB], index) => ({
        sampleA,
        sampleB,
        evidence: {
          similarity: 0.95 - index * 0.05,
          rank: index + 1,
          timeGapSeconds: 270 + index * 90,
          sameSequence: false,
          distanceMetres: 3 + index,
          headingDifferenceDegrees: 10 * index,
        },
      })),
    });
    return { workspace, datasetId, queueId: queue.queueId, pairs };
  } finally {
    store.close();
  }
}
