// End to end: the training page in Debian's Chromium against `apron serve` (the real server, store,
// job manager and training worker). It rejects a bad configuration with the engine's message,
// starts a short run on a synthetic 60-frame dataset of 32x32 rasters, watches the live curves
// grow, stops the run, resumes it, and finds it on the runs page. A cross-modal run on the same
// rasters, which have no camera frames to pair with, fails with the engine's message and hint.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, hasChromium, launchChromium, pageWithErrors } from '../../src/bench/chromium.js';
import { openWorkspace } from '../../src/core/workspace.js';
import { serveWorkspace, type ServedWorkspace } from '../../src/server/serve-workspace.js';
import { openStore } from '../../src/store/index.js';
import { syntheticDrive, writeSyntheticDataset } from '../unit/train-fixtures.js';

const DATASET_ID = 'drive';
const SCREENSHOT = join(tmpdir(), 'apron-training-page.png');

/** The tiny encoder of the unit tests, so that a step takes milliseconds. */
const ADVANCED_SETTINGS = JSON.stringify({
  imageSize: { width: 32, height: 32 },
  embeddingDim: 16,
  encoder: { channels: [8, 16], normGroups: 4, hiddenDim: 32 },
  maskRules: { sameSequenceWithinSeconds: 3 },
});

const chromiumPresent = hasChromium();
if (!chromiumPresent) {
  process.stderr.write(`skipping the end-to-end training test: ${CHROMIUM_PATH} is missing (install it with \`apt-get install chromium\`)\n`);
}

describe.skipIf(!chromiumPresent)('training in the browser', () => {
  let root: string;
  let served: ServedWorkspace;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'apron-e2e-training-'));

    // A fresh renderer build in the temporary folder, so that the test draws the current pages
    // without replacing the shared dist/renderer.
    const rendererDir = join(root, 'renderer');
    const { build } = await import('vite');
    await build({ configFile: join(import.meta.dirname, '..', '..', 'renderer', 'vite.config.ts'), logLevel: 'warn', build: { outDir: rendererDir, emptyOutDir: true } });

    const workspace = openWorkspace(join(root, 'workspace'));
    const datasetDir = join(root, 'dataset');
    const manifestPath = await writeSyntheticDataset(datasetDir, syntheticDrive({ sequences: 2, framesPerSequence: 30, size: 32 }));
    const store = openStore(workspace.databasePath);
    store.addDataset({ datasetId: DATASET_ID, name: 'Synthetic drive', importer: null, manifestPath, root: datasetDir, sampleCount: 60 });
    store.close();

    served = await serveWorkspace({ workspaceRoot: workspace.root, staticDir: rendererDir });
    context = await launchChromium(join(root, 'chromium-profile'));
    context.setDefaultTimeout(20_000);
    page = await pageWithErrors(context, pageErrors);
  });

  afterAll(async () => {
    await context?.close();
    await served?.close();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  // Decoding the images and starting the training worker take a few seconds, beyond expect.poll's default of 1 s.
  const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 30_000 });
  const status = () => page.getByTestId('training-status');
  const pointsDrawn = async (): Promise<number> => Number(await page.getByTestId('training-charts').getAttribute('data-points'));

  it('opens the training page from the dataset page', async () => {
    await page.goto(`${served.url}/#/datasets/${DATASET_ID}`);
    await page.getByRole('link', { name: 'Train a model' }).click();
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Train a model');
    expect(page.url()).toContain(`#/datasets/${DATASET_ID}/train`);
  });

  it('shows the engine message for a bad configuration', async () => {
    await page.getByLabel('Batch size').fill('1');
    await page.getByRole('button', { name: 'Start' }).click();
    const error = page.getByRole('alert').filter({ hasText: 'Could not start the run' });
    await eventually(() => error.textContent()).toContain('batchSize');

    // The browser logs the API's 400 reply as a console error; it is the expected one.
    for (let index = pageErrors.length - 1; index >= 0; index -= 1) {
      if ((pageErrors[index] ?? '').includes('status of 400')) pageErrors.splice(index, 1);
    }
    expect(pageErrors).toEqual([]);
  });

  it('starts a run and draws its curves live', async () => {
    await page.getByLabel('Batch size').fill('8');
    await page.getByLabel('Steps').fill('3000');
    await page.getByLabel('Advanced settings (JSON)').fill(ADVANCED_SETTINGS);
    await page.getByRole('button', { name: 'Start' }).click();

    await eventually(() => page.url()).toMatch(/\/train\?run=run-/);
    await eventually(() => status().textContent()).toBe('running');
    await eventually(pointsDrawn).toBeGreaterThan(0);
    const first = await pointsDrawn();
    // The page polls about once a second; the run adds many steps meanwhile.
    await eventually(pointsDrawn).toBeGreaterThan(first);
    await eventually(() => page.locator('.line-chart polyline').first().getAttribute('points')).toMatch(/\d+\.\d,\d+\.\d \d/);
    expect(await page.getByRole('img', { name: 'Loss and its chance level ln K' }).count()).toBe(1);
    expect(await page.getByRole('img', { name: 'Temperature' }).count()).toBe(1);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('stops the run with a checkpoint and resumes it', async () => {
    const stoppedRun = new URL(page.url()).hash.split('run=')[1] ?? '';
    await page.getByRole('button', { name: 'Stop' }).click();
    await eventually(() => status().textContent()).toBe('cancelled');
    await eventually(() => page.getByTestId('training-backend').textContent()).toBe('wasm');
    const stoppedStep = Number((await page.getByTestId('training-step').textContent())?.split(' ')[0]);
    expect(stoppedStep).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Resume' }).click();
    await eventually(() => page.url()).not.toContain(stoppedRun);
    await eventually(() => page.getByText(`Resumed from`).count()).toBe(1);
    await eventually(async () => Number((await page.getByTestId('training-step').textContent())?.split(' ')[0])).toBeGreaterThan(stoppedStep);
    await page.getByRole('button', { name: 'Stop' }).click();
    await eventually(() => status().textContent()).toBe('cancelled');
    expect(pageErrors).toEqual([]);
  });

  it('finds the run on the runs page', async () => {
    const runId = new URL(page.url()).hash.split('run=')[1] ?? '';
    await page.getByRole('link', { name: 'Compare this run with another on the runs page' }).click();
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Training runs');

    const row = page.locator('.runs-table tbody tr').filter({ hasText: runId });
    await eventually(() => row.count()).toBe(1);
    expect(await row.locator('td').nth(2).textContent()).toContain('cancelled');
    expect(await page.getByLabel(`Show run ${runId}`).isChecked()).toBe(true);
    await eventually(() => page.locator('.run-charts .line-chart polyline').count()).toBeGreaterThan(0);
    expect(await page.locator('.runs-table tbody tr').count()).toBe(2);
    expect(await row.textContent()).toContain('infonce, temperature');
    // Dashed series (chance ln K and the others) get a dashed legend swatch.
    await eventually(() => page.locator('.run-charts .chart-legend svg line[stroke-dasharray]').count()).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
  });

  it('shows why a run failed before its first step', async () => {
    await page.goto(`${served.url}/#/datasets/${DATASET_ID}/train`);
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Train a model');
    await page.getByLabel('Batch size').fill('8');
    await page.getByLabel('Positive window').fill('0.001');
    await page.getByLabel('Advanced settings (JSON)').fill(ADVANCED_SETTINGS);
    await page.getByRole('button', { name: 'Start' }).click();

    const failure = page.locator('.training-live').getByRole('alert').filter({ hasText: 'failed before its first step' });
    await eventually(() => failure.count()).toBe(1);
    expect(await failure.textContent()).toContain('with a temporal positive within 0.001 s');
    expect(await failure.locator('.error-hint').textContent()).toContain('positives.windowSeconds');
    expect(pageErrors).toEqual([]);
  });

  it('offers cross-modal runs and explains a dataset without camera frames', async () => {
    await page.goto(`${served.url}/#/datasets/${DATASET_ID}/train`);
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Train a model');
    await page.getByLabel('Objective').selectOption('clip');
    // Positives and masks belong to single-encoder runs; a CLIP run chooses what the camera pairs with.
    await eventually(() => page.getByLabel('Positives').count()).toBe(0);
    await page.getByLabel('Paired with').selectOption('bev');
    await page.getByLabel('Batch size').fill('4');
    // The form keeps the previous test's advanced settings, whose encoder fields a CLIP run does not take.
    await page.getByLabel('Advanced settings (JSON)').fill('');
    await page.getByRole('button', { name: 'Start' }).click();

    // The synthetic drive has BEV rasters but no camera frames. The page showed the failed run
    // of the test before, so the new run's failure is found by its message.
    const failure = page.locator('.training-live').getByRole('alert').filter({ hasText: '0 usable camera-BEV pair(s)' });
    await eventually(() => failure.count()).toBe(1);
    expect(await failure.textContent()).toContain('failed before its first step');
    expect(await failure.locator('.error-hint').textContent()).toContain('a camera image and a BEV raster');
    expect(pageErrors).toEqual([]);
  });
});
