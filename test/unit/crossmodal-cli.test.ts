// `apron train-crossmodal` on a small synthetic dataset of PNG frames, BEV rasters and KITTI-format
// sweeps without calibration: completed camera-LiDAR and camera-BEV runs recorded in the store, a
// resumed camera-BEV run, and errors for bad options and for a dataset without LiDAR.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { openWorkspace } from '../../src/core/workspace.js';
import type { ManifestInput } from '../../src/dataset/manifest.js';
import { writeManifest } from '../../src/dataset/manifest-io.js';
import { openStore } from '../../src/store/index.js';

let folder: string;
let workspaceRoot: string;
let stdout: string[];
let stderr: string[];

/** Writes a striped PNG, a banded BEV PNG and a ring-shaped sweep for sample `index`, and returns the sample entry. */
async function writeSample(index: number, withLidar: boolean): Promise<ManifestInput['samples'][number]> {
  const pixels = Buffer.alloc(32 * 32);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.floor(((i % 32) * (index + 1)) / 32) % 2 === 0 ? 200 : 40;
  await sharp(pixels, { raw: { width: 32, height: 32, channels: 1 } }).png().toFile(join(folder, `cam${index}.png`));
  const raster = Buffer.alloc(40 * 40);
  for (let i = 0; i < raster.length; i++) raster[i] = Math.floor((Math.floor(i / 40) * (index + 1)) / 40) % 2 === 0 ? 180 : 10;
  await sharp(raster, { raw: { width: 40, height: 40, channels: 1 } }).png().toFile(join(folder, `bev${index}.png`));

  const points = new Float32Array(300 * 4);
  for (let i = 0; i < 300; i++) {
    const angle = (2 * Math.PI * i) / 300;
    points.set([4 * (index + 1) * Math.cos(angle), 4 * (index + 1) * Math.sin(angle), 0, 0.5], i * 4);
  }
  writeFileSync(join(folder, `sweep${index}.bin`), Buffer.from(points.buffer));
  return {
    sampleId: `s${index}`,
    sequenceId: 'A',
    timestampNs: String(1_700_000_000_000_000_000n + BigInt(index)),
    cameras: [{ name: 'front', path: `cam${index}.png` }],
    bev: [{ name: 'bev', path: `bev${index}.png`, metresPerPixel: 0.5 }],
    lidar: withLidar ? [{ name: 'velodyne', path: `sweep${index}.bin`, format: 'kitti-bin' }] : [],
  } as ManifestInput['samples'][number];
}

async function addDataset(datasetId: string, withLidar: boolean): Promise<void> {
  const samples = await Promise.all([0, 1, 2].map((index) => writeSample(index, withLidar)));
  const manifest = { format: 'apron-manifest', version: 1, name: datasetId, root: folder, conditionFields: [], samples } as ManifestInput;
  const workspace = openWorkspace(workspaceRoot);
  const manifestPath = writeManifest(join(workspace.datasetsDir, datasetId, 'apron-manifest.json'), manifest);
  const store = openStore(workspace.databasePath);
  store.addDataset({ datasetId, name: datasetId, importer: null, manifestPath, root: folder, sampleCount: samples.length });
  store.close();
}

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'apron-crossmodal-cli-'));
  workspaceRoot = join(folder, 'ws');
  stdout = [];
  stderr = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  rmSync(folder, { recursive: true, force: true });
});

describe('apron train-crossmodal', () => {
  it('records a completed clip run', async () => {
    await addDataset('pairs', true);
    const code = await main(['train-crossmodal', '--workspace', workspaceRoot, '--dataset', 'pairs', '--steps', '3', '--batch-size', '3', '--points', '64']);

    expect(code, stderr.join('')).toBe(EXIT.ok);
    const runId = stdout.join('').trim();
    const store = openStore(openWorkspace(workspaceRoot).databasePath);
    try {
      const run = store.getTrainingRun(runId);
      expect(run.status).toBe('completed');
      const config = run.config as { objective: string; modalities: string[]; steps: number; batchSize: number; pointNet: { pointCount: number }; cropToFrustum: boolean };
      expect(config.objective).toBe('clip');
      expect(config.modalities).toEqual(['camera', 'lidar']);
      expect(config.steps).toBe(3);
      expect(config.batchSize).toBe(3);
      expect(config.pointNet.pointCount).toBe(64);
      expect((run.metrics as { pairCount: number }).pairCount).toBe(3);
      expect(existsSync(join(run.checkpointPath!, 'crossmodal-checkpoint.json'))).toBe(true);
    } finally {
      store.close();
    }
  });

  it('records and resumes a camera-BEV run', async () => {
    await addDataset('pairs', true);
    const args = ['train-crossmodal', '--workspace', workspaceRoot, '--dataset', 'pairs', '--batch-size', '3'];
    expect(await main([...args, '--modalities', 'camera,bev', '--steps', '2']), stderr.join('')).toBe(EXIT.ok);
    const firstRunId = stdout.join('').trim();
    stdout.length = 0;
    // The resumed run keeps its dataset and modalities without --dataset or --modalities, and
    // prints a note that it ignores a new batch size.
    const resume = ['train-crossmodal', '--workspace', workspaceRoot, '--steps', '4', '--resume', firstRunId, '--batch-size', '4'];
    expect(await main(resume), stderr.join('')).toBe(EXIT.ok);
    const resumedRunId = stdout.join('').trim();
    expect(stderr.join('')).toContain('note: --batch-size is ignored with --resume');

    const store = openStore(openWorkspace(workspaceRoot).databasePath);
    try {
      for (const runId of [firstRunId, resumedRunId]) {
        const run = store.getTrainingRun(runId);
        expect(run.status).toBe('completed');
        expect((run.config as { modalities: string[] }).modalities).toEqual(['camera', 'bev']);
      }
      const resumed = store.getTrainingRun(resumedRunId);
      expect((resumed.metrics as { step: number }).step).toBe(4);
      expect((resumed.config as { batchSize: number }).batchSize).toBe(3);
      const index = JSON.parse(readFileSync(join(resumed.checkpointPath!, 'crossmodal-checkpoint.json'), 'utf8')) as { weights: { name: string }[] };
      expect(index.weights.some((entry) => entry.name === 'logit-scale/bev|camera')).toBe(true);
      expect(stderr.join('')).toContain('top-1 cam->bev');
    } finally {
      store.close();
    }
  });

  it('rejects a resume under another dataset', async () => {
    await addDataset('pairs', true);
    expect(await main(['train-crossmodal', '--workspace', workspaceRoot, '--dataset', 'pairs', '--steps', '1', '--batch-size', '3'])).toBe(EXIT.ok);
    const runId = stdout.join('').trim();
    expect(await main(['train-crossmodal', '--workspace', workspaceRoot, '--dataset', 'other', '--resume', runId])).toBe(EXIT.input);
    expect(stderr.join('')).toContain(`Run ${runId} trained on dataset pairs, not other`);
  });

  it('sends a cross-modal run to the commands that take it', async () => {
    await addDataset('pairs', true);
    expect(await main(['train-crossmodal', '--workspace', workspaceRoot, '--dataset', 'pairs', '--steps', '2', '--batch-size', '3'])).toBe(EXIT.ok);
    const runId = stdout.join('').trim();

    // A resume that would train nothing, and the single-encoder commands, each fail with the reason.
    expect(await main(['train-crossmodal', '--workspace', workspaceRoot, '--resume', runId, '--steps', '2'])).toBe(EXIT.input);
    expect(stderr.join('')).toContain(`Run ${runId} is already at step 2 of 2`);
    expect(await main(['train', '--workspace', workspaceRoot, '--resume', runId, '--steps', '5'])).toBe(EXIT.input);
    expect(stderr.join('')).toContain(`apron train-crossmodal --resume ${runId}`);
    expect(await main(['embed', '--workspace', workspaceRoot, '--run', runId])).toBe(EXIT.input);
    expect(stderr.join('')).toContain('is a cross-modal (clip) run; apron embed embeds the encoder of an apron train run');
  });

  it('rejects unknown modalities', async () => {
    expect(await main(['train-crossmodal', '--workspace', workspaceRoot, '--dataset', 'pairs', '--modalities', 'camera,radar'])).toBe(EXIT.input);
    expect(stderr.join('')).toContain('--modalities must be camera,lidar or camera,bev');
  });

  it('rejects a step count of 0', async () => {
    expect(await main(['train-crossmodal', '--workspace', workspaceRoot, '--dataset', 'pairs', '--steps', '0'])).toBe(EXIT.usage);
    expect(stderr.join('')).toContain('--steps');
  });

  it('rejects a dataset without sweeps', async () => {
    await addDataset('cameras', false);
    const code = await main(['train-crossmodal', '--workspace', workspaceRoot, '--dataset', 'cameras', '--steps', '2']);

    expect(code).toBe(EXIT.input);
    expect(stderr.join('')).toContain('has 0 usable camera-LiDAR pair(s)');
    const store = openStore(openWorkspace(workspaceRoot).databasePath);
    try {
      expect(store.listTrainingRuns('cameras').map((run) => run.status)).toEqual(['failed']);
    } finally {
      store.close();
    }
  });
});
