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
      timestampNs: String(1_700_000_000_000_000_000n + BigInt(index)),
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
