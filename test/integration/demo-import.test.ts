// `apron demo` writes a dataset that the generic manifest importer accepts as it is.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { runCli } from '../helpers/run-cli.js';

describe('apron demo', () => {
  let workspace: string;

  beforeEach(() => {
    workspace = mkdtempSync(join(tmpdir(), 'apron-demo-cli-'));
  });

  afterEach(() => {
    rmSync(workspace, { recursive: true, force: true });
  });

  it('generates and imports', async () => {
    const demo = await runCli(['demo', '--size', 'tiny', '--seed', '3', '--stands', '3', '--visits', '2', '--workspace', workspace]);
    expect(demo.stderr).toMatch(/demo: 6 samples in/);
    expect(demo.code).toBe(0);
    const manifestPath = demo.stdout.trim();
    expect(manifestPath).toBe(join(workspace, 'data', 'demo-airside-tiny-3', 'apron-manifest.json'));
    expect(existsSync(manifestPath)).toBe(true);

    const imported = await runCli(['import', manifestPath, '--workspace', workspace]);
    expect(imported.stderr).toMatch(/imported manifest dataset "demo-airside-tiny-3" \(samples=6 sequences=2\)/);
    expect(imported.code).toBe(0);
    const store = openStore(join(workspace, 'apron.db'));
    try {
      expect(store.listDatasets().map((dataset) => [dataset.datasetId, dataset.sampleCount])).toEqual([['demo-airside-tiny-3', 6]]);
    } finally {
      store.close();
    }
  });

  it('reports bad options', async () => {
    const unknownSize = await runCli(['demo', '--size', 'huge', '--workspace', workspace]);
    expect(unknownSize.code).not.toBe(0);
    expect(unknownSize.stderr).toMatch(/Unknown demo size "huge"/);

    const negative = await runCli(['demo', '--visits=-2', '--workspace', workspace]);
    expect(negative.code).not.toBe(0);
    expect(negative.stderr).toMatch(/--visits must be at least 1, got -2/);

    const unknownClass = await runCli(['demo', '--size', 'tiny', '--gse', 'cone,airstair', '--workspace', workspace]);
    expect(unknownClass.code).not.toBe(0);
    expect(unknownClass.stderr).toMatch(/Unknown equipment class "airstair"/);
  });
});
