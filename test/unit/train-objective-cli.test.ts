// `apron train` objective flags, end to end on a small synthetic dataset in a temporary workspace.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { main } from '../../src/cli/main.js';
import { openWorkspace } from '../../src/core/workspace.js';
import { openStore } from '../../src/store/index.js';
import { syntheticDrive, TINY_CONFIG, writeSyntheticDataset } from './train-fixtures.js';

let folder = '';
let workspaceRoot = '';
let configPath = '';
let stdout: string[];
let stderr: string[];

describe('apron train objective flags', () => {
  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'apron-train-cli-'));
    workspaceRoot = join(folder, 'ws');
    const workspace = openWorkspace(workspaceRoot);
    const drive = syntheticDrive({ sequences: 2, framesPerSequence: 20, size: 32 });
    const manifestPath = await writeSyntheticDataset(join(folder, 'dataset'), drive);
    const store = openStore(workspace.databasePath);
    store.addDataset({ datasetId: 'd', name: 'D', manifestPath, root: join(folder, 'dataset'), sampleCount: drive.samples.length });
    store.close();
    configPath = join(folder, 'tiny.json');
    writeFileSync(configPath, JSON.stringify({ ...TINY_CONFIG, steps: 2 }));
  });

  beforeEach(() => {
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
  });

  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('documents the objective flags', async () => {
    expect(await main(['train', '--help'])).toBe(0);
    const help = stdout.join('');
    for (const flag of ['--objective KIND', '--queue-size K', '--momentum M', '--hard-negatives', '--hard-negative-weight W']) expect(help).toContain(flag);
  });

  it('trains moco with the queue flags and records them', async () => {
    const argv = ['train', '--workspace', workspaceRoot, '--dataset', 'd', '--config', configPath, '--objective', 'moco', '--queue-size', '16', '--momentum', '0.99'];
    expect(await main(argv)).toBe(0);
    const runId = stdout.join('').trim();
    const store = openStore(openWorkspace(workspaceRoot).databasePath);
    const run = store.getTrainingRun(runId);
    store.close();
    expect(run.status).toBe('completed');
    expect((run.config as { objective: unknown }).objective).toEqual({
      kind: 'moco',
      queueSize: 16,
      momentum: 0.99,
      queueMask: { sameSequenceWithinSeconds: 30, samePlace: true, sameDecisionGroup: true },
    });
  });

  it('turns hard negatives on with a weight', async () => {
    const argv = ['train', '--workspace', workspaceRoot, '--dataset', 'd', '--config', configPath, '--hard-negative-weight', '2'];
    expect(await main(argv)).toBe(0);
    const store = openStore(openWorkspace(workspaceRoot).databasePath);
    const run = store.getTrainingRun(stdout.join('').trim());
    store.close();
    expect((run.config as { hardNegatives: unknown }).hardNegatives).toEqual({ enabled: true, perBatch: 4, weight: 2 });
  });

  it('resumes a finished run to a new total of steps', async () => {
    const base = ['train', '--workspace', workspaceRoot, '--dataset', 'd', '--config', configPath];
    expect(await main(base)).toBe(0);
    const firstRun = stdout.join('').trim();
    stdout.length = 0;

    // The dataset comes from the run, and a new batch size does not apply to it.
    expect(await main(['train', '--workspace', workspaceRoot, '--resume', firstRun, '--steps', '4', '--batch-size', '16', '--epochs', '3'])).toBe(0);
    expect(stderr.join('')).toContain('note: --batch-size, --epochs are ignored with --resume');
    const store = openStore(openWorkspace(workspaceRoot).databasePath);
    const resumed = store.getTrainingRun(stdout.join('').trim());
    store.close();
    const metrics = resumed.metrics as { step: number; stepsRun: number; totalSteps: number };
    expect(metrics.step).toBe(4);
    expect(metrics.stepsRun).toBe(2);
    expect(metrics.totalSteps).toBe(4);
  });

  it('rejects resuming a finished run without more steps', async () => {
    const base = ['train', '--workspace', workspaceRoot, '--dataset', 'd', '--config', configPath];
    expect(await main(base)).toBe(0);
    const firstRun = stdout.join('').trim();
    expect(await main([...base, '--resume', firstRun])).toBe(EXIT.input);
    expect(stderr.join('')).toContain('is already at step 2 of 2');
  });

  it('rejects a misspelt configuration field', async () => {
    const misspelt = join(folder, 'misspelt.json');
    writeFileSync(misspelt, JSON.stringify({ ...TINY_CONFIG, stepz: 5 }));
    expect(await main(['train', '--workspace', workspaceRoot, '--dataset', 'd', '--config', misspelt])).toBe(EXIT.input);
    expect(stderr.join('')).toContain('Unrecognized key: "stepz"');
  });

  it('rejects an unknown objective', async () => {
    expect(await main(['train', '--workspace', workspaceRoot, '--dataset', 'd', '--objective', 'byol'])).toBe(2);
    expect(stderr.join('')).toContain('--objective must be one of infonce, nt-xent, moco, cpc, got "byol"');
  });

  it('rejects queue flags without moco', async () => {
    expect(await main(['train', '--workspace', workspaceRoot, '--dataset', 'd', '--queue-size', '64'])).toBe(2);
    expect(stderr.join('')).toContain('--queue-size and --momentum apply to --objective moco only');
  });
});
