// The CLI's contract with scripts: exit codes, messages that name the file and the fix, and a
// failed command that leaves what is already stored intact.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { runCli } from '../helpers/run-cli.js';

async function writeKittiSequence(folder: string, scans: number, poseRows: string[]): Promise<void> {
  mkdirSync(join(folder, 'imgs'), { recursive: true });
  for (let scan = 0; scan < scans; scan++) {
    const pixels = Buffer.alloc(151 * 151, (scan * 37) % 256);
    await sharp(pixels, { raw: { width: 151, height: 151, channels: 1 } })
      .png()
      .toFile(join(folder, 'imgs', `${String(scan).padStart(6, '0')}.png`));
  }
  writeFileSync(join(folder, 'pose.txt'), poseRows.join('\n') + '\n');
}

function identityPose(x: number): string {
  return `1 0 0 ${x} 0 1 0 0 0 0 1 0`;
}

describe('apron CLI', () => {
  let root: string;
  let workspace: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'apron-cli-'));
    workspace = join(root, 'workspace');
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('prints help and exits 0', async () => {
    const run = await runCli(['--help']);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: apron <command>');
    expect(run.stdout).toContain('Exit codes:');
  });

  it('prints each command help', async () => {
    for (const command of ['import', 'datasets', 'mine', 'search', 'serve', 'export-mask']) {
      const run = await runCli([command, '--help']);
      expect(run.code, command).toBe(0);
      expect(run.stdout, command).toContain(`Usage: apron ${command}`);
    }
  });

  it('exits 2 on an unknown command', async () => {
    const run = await runCli(['frobnicate']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown command "frobnicate"');
  });

  it('exits 2 on an unknown option', async () => {
    const run = await runCli(['import', '--bogus', 'x', '--workspace', workspace]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('apron import --help');
  });

  it('exits 2 on a non-numeric option', async () => {
    const run = await runCli(['mine', '--embedding', 'e1', '--limit', 'lots', '--workspace', workspace]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--limit must be a number');
  });

  it('exits 3 naming a path that does not exist', async () => {
    const missing = join(root, 'no-such-folder');
    const run = await runCli(['import', 'kitti-bev', missing, '--workspace', workspace]);

    expect(run.code).toBe(3);
    expect(run.stderr).toContain(missing);
    expect(run.stderr).toContain('hint:');
  });

  it('exits 3 naming the line of a bad pose file', async () => {
    const folder = join(root, '07');
    await writeKittiSequence(folder, 2, [identityPose(0), '1 0 0 1 0 1 0 0 0 0 1']);

    const run = await runCli(['import', 'kitti-bev', folder, '--workspace', workspace]);

    expect(run.code).toBe(3);
    expect(run.stderr).toContain('pose.txt');
    expect(run.stderr).toMatch(/line 2/);
  });

  it('exits 3 naming a malformed manifest', async () => {
    const manifest = join(root, 'apron-manifest.json');
    writeFileSync(manifest, '{ "format": "apron-manifest", ');

    const run = await runCli(['import', 'manifest', manifest, '--workspace', workspace]);

    expect(run.code).toBe(3);
    expect(run.stderr).toContain(manifest);
  });

  it('keeps a stored dataset when a re-import fails', async () => {
    const folder = join(root, '07');
    await writeKittiSequence(folder, 3, [identityPose(0), identityPose(1), identityPose(2)]);
    const first = await runCli(['import', 'kitti-bev', folder, '--name', 'seq-07', '--workspace', workspace]);
    writeFileSync(join(folder, 'pose.txt'), identityPose(0) + '\n');

    const second = await runCli(['import', 'kitti-bev', folder, '--name', 'seq-07', '--replace', '--workspace', workspace]);
    const store = openStore(join(workspace, 'apron.db'));
    const stored = store.getDataset('seq-07');
    store.close();

    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toBe('seq-07');
    expect(second.code).toBe(3);
    expect(second.stderr).toContain('pose.txt');
    expect(stored.sampleCount).toBe(3);
  });

  it('exits 4 when a dataset id is taken', async () => {
    const folder = join(root, '07');
    await writeKittiSequence(folder, 2, [identityPose(0), identityPose(1)]);
    await runCli(['import', 'kitti-bev', folder, '--name', 'seq', '--workspace', workspace]);

    const again = await runCli(['import', 'kitti-bev', folder, '--name', 'seq', '--workspace', workspace]);

    expect(again.code).toBe(4);
    expect(again.stderr).toContain('--replace');
  });

  it('exits 3 on an unknown embedding version', async () => {
    mkdirSync(workspace, { recursive: true });
    openStore(join(workspace, 'apron.db')).close();

    const run = await runCli(['mine', '--embedding', 'no-such-version', '--workspace', workspace]);

    expect(run.code).toBe(3);
    expect(run.stderr).toContain('no-such-version');
    expect(run.stderr).toContain('apron datasets');
  });

  it('rejects a workspace that does not exist', async () => {
    const run = await runCli(['datasets', '--workspace', workspace]);

    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`No Apron workspace at ${workspace}`);
    expect(existsSync(workspace)).toBe(false);
  });

  it('exits 2 on a layout without a folder', async () => {
    const run = await runCli(['import', 'kitti-bev', '--workspace', workspace]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('missing the dataset folder after the layout "kitti-bev"');
  });

  it('suggests the option a typo meant', async () => {
    const run = await runCli(['train', '--dataset', 'x', '--setps', '10', '--workspace', workspace]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown option --setps (did you mean --steps?)');
  });

  it('names an option without its value', async () => {
    const run = await runCli(['train', '--dataset', '--workspace', workspace]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--dataset needs a value');
  });

  it('prints command help for help train', async () => {
    const run = await runCli(['help', 'train']);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: apron train');
  });

  it('rejects a mask output folder that does not exist', async () => {
    const folder = join(root, '07');
    await writeKittiSequence(folder, 2, [identityPose(0), identityPose(1)]);
    await runCli(['import', 'kitti-bev', folder, '--name', 'seq', '--workspace', workspace]);
    const out = join(root, 'no-such-folder', 'mask.json');

    const run = await runCli(['export-mask', '--dataset', 'seq', '--out', out, '--workspace', workspace]);

    expect(run.code).toBe(3);
    expect(run.stderr).toContain('does not exist');
    expect(existsSync(join(root, 'no-such-folder'))).toBe(false);
  });

  it('prefixes a numeric default id with the layout', async () => {
    const folder = join(root, '07');
    await writeKittiSequence(folder, 2, [identityPose(0), identityPose(1)]);

    const run = await runCli(['import', folder, '--workspace', workspace]);

    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe('kitti-bev-07');
  });
});
