import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { openWorkspace } from '../../src/core/workspace.js';
import type { ManifestInput } from '../../src/dataset/manifest.js';
import { writeManifest } from '../../src/dataset/manifest-io.js';
import { readEmbeddingFiles } from '../../src/loop/embedding-file.js';
import { openStore } from '../../src/store/index.js';

let folder: string;
let workspaceRoot: string;
let stdout: string[];
let stderr: string[];

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'apron-import-embeddings-cli-'));
  workspaceRoot = join(folder, 'ws');
  const workspace = openWorkspace(workspaceRoot);
  const manifest = {
    format: 'apron-manifest',
    version: 1,
    name: 'Cli',
    root: '.',
    conditionFields: [],
    samples: ['s1', 's2'].map((sampleId, index) => ({
      sampleId,
      sequenceId: 'A',
      timestampNs: String(1_700_000_000_000_000_000n + BigInt(index) * 10_000_000_000n),
      cameras: [{ name: 'front', path: `cam/${sampleId}.png` }],
    })),
  } as ManifestInput;
  const manifestPath = writeManifest(join(workspace.datasetsDir, 'cli', 'apron-manifest.json'), manifest);
  const store = openStore(workspace.databasePath);
  store.addDataset({ datasetId: 'cli', name: 'Cli', importer: null, manifestPath, root: folder, sampleCount: 2 });
  store.close();

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

describe('apron import-embeddings', () => {
  it('prints the new version id', async () => {
    const path = join(folder, 'emb.json');
    writeFileSync(path, JSON.stringify({ ids: ['s2', 's1'], vectors: [[0, 2], [3, 4]] }));

    const code = await main(['import-embeddings', '--workspace', workspaceRoot, '--dataset', 'cli', path]);

    expect(code).toBe(0);
    const id = stdout.join('').trim();
    expect(id).toMatch(/^emb-\d{14}-[a-z0-9]+$/);
    const store = openStore(join(workspaceRoot, 'apron.db'));
    try {
      const version = store.getEmbeddingVersion(id);
      expect(version.runId).toBeNull();
      const matrix = readEmbeddingFiles(version.vectorsPath);
      expect(matrix.sampleIds).toEqual(['s1', 's2']);
      expect(Array.from(matrix.vectors)).toEqual([0.6000000238418579, 0.800000011920929, 0, 1]);
    } finally {
      store.close();
    }
  });

  it('exits 3 with the file named on bad input', async () => {
    const path = join(folder, 'dup.json');
    writeFileSync(path, JSON.stringify([{ id: 's1', vector: [1, 0] }, { id: 's1', vector: [0, 1] }]));

    const code = await main(['import-embeddings', '--workspace', workspaceRoot, '--dataset', 'cli', path]);

    expect(code).toBe(3);
    expect(stderr.join('')).toContain(`error: Embedding file ${path} has 1 duplicate ids, for example "s1"`);
    expect(stdout.join('')).toBe('');
  });

  it('exits 2 without --dataset', async () => {
    const code = await main(['import-embeddings', '--workspace', workspaceRoot, join(folder, 'emb.json')]);
    expect(code).toBe(2);
    expect(stderr.join('')).toContain('missing required option --dataset');
  });

  it('prints help', async () => {
    const code = await main(['import-embeddings', '--help']);
    expect(code).toBe(0);
    expect(stdout.join('')).toContain('Usage: apron import-embeddings --dataset ID FILE [options]');
    expect(stdout.join('')).toContain('--allow-missing');
  });
});

describe('apron mine on an imported version', () => {
  async function importVersion(): Promise<string> {
    const path = join(folder, 'emb.json');
    writeFileSync(path, JSON.stringify({ ids: ['s1', 's2'], vectors: [[1, 0], [0.9, 0.1]] }));
    expect(await main(['import-embeddings', '--workspace', workspaceRoot, '--dataset', 'cli', path])).toBe(0);
    const id = stdout.join('').trim();
    stdout.length = 0;
    return id;
  }

  it('exits 3 naming the flags without rules', async () => {
    const id = await importVersion();

    const code = await main(['mine', '--workspace', workspaceRoot, '--embedding', id]);

    expect(code).toBe(3);
    expect(stderr.join('')).toContain('has no training run, so its mask rules are unknown');
    expect(stderr.join('')).toContain('--positives temporal --positive-window 1 --mask-time-window 30');
  });

  it('mines with the rules given', async () => {
    const id = await importVersion();

    const code = await main(['mine', '--workspace', workspaceRoot, '--embedding', id, '--positives', 'augment', '--mask-time-window', '5']);

    expect(code).toBe(0);
    const queueId = stdout.join('').trim();
    const store = openStore(join(workspaceRoot, 'apron.db'));
    try {
      const queue = store.getQueue(queueId);
      expect(queue.size).toBe(1);
      expect(queue.params).toMatchObject({
        policy: { maskRules: { sameSequenceWithinSeconds: 5, samePlace: true }, positives: { kind: 'augment' } },
      });
    } finally {
      store.close();
    }
  });

  it('treats temporal neighbours as positives', async () => {
    const id = await importVersion();

    const code = await main(['mine', '--workspace', workspaceRoot, '--embedding', id, '--positives', 'temporal', '--positive-window', '20', '--mask-time-window', '5']);

    expect(code).toBe(0);
    const store = openStore(join(workspaceRoot, 'apron.db'));
    try {
      expect(store.getQueue(stdout.join('').trim()).size).toBe(0);
    } finally {
      store.close();
    }
  });

  it('rejects rules for a version with a run', async () => {
    const imported = await importVersion();
    const store = openStore(join(workspaceRoot, 'apron.db'));
    let id: string;
    try {
      const run = store.startTrainingRun({ datasetId: 'cli', config: { maskRules: {}, positives: { kind: 'augment' } } });
      const version = store.getEmbeddingVersion(imported);
      id = store.addEmbeddingVersion({ datasetId: 'cli', runId: run.runId, vectorsPath: version.vectorsPath, dimension: version.dimension, count: version.count }).embeddingVersionId;
    } finally {
      store.close();
    }

    const code = await main(['mine', '--workspace', workspaceRoot, '--embedding', id, '--mask-time-window', '5']);

    expect(code).toBe(3);
    expect(stderr.join('')).toContain(`comes from training run`);
    expect(stderr.join('')).toContain('apply only to versions without a training run');
  });

  it('lists the rule options in help', async () => {
    expect(await main(['mine', '--help'])).toBe(0);
    const help = stdout.join('');
    for (const flag of ['--mask-time-window', '--mask-radius', '--no-mask-place', '--positives', '--positive-window']) expect(help).toContain(flag);
  });
});
