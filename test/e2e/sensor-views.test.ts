// End to end on the real multimodal sets, with the built renderer in Chromium against `apron serve`.
// For both samples of a pair it draws camera images with projected points, LiDAR sweeps in WebGL and
// BEV rasters with their map. GPU memory stays flat while the reviewer pages through pairs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, hasChromium, launchChromium, pageWithErrors } from '../../src/bench/chromium.js';
import { createMultimodalWorkspace, type MultimodalWorkspace } from '../../src/bench/multimodal-workspace.js';
import { serveWorkspace, type ServedWorkspace } from '../../src/server/serve-workspace.js';
import { hasSharedData, sharedDataPath } from '../helpers/shared-data.js';

const SETS = ['kitti-nuscenes-demo', 'pjlab-lidar-camera', 'argoverse2-sample'] as const;
const chromiumPresent = hasChromium();
if (!chromiumPresent) process.stderr.write(`skipping the sensor-view browser test: ${CHROMIUM_PATH} is missing\n`);
const dataPresent = SETS.every((name) => hasSharedData(name));

describe.skipIf(!chromiumPresent || !dataPresent)('sensor views in the browser', () => {
  let root: string;
  let served: ServedWorkspace;
  let context: BrowserContext;
  let page: Page;
  const workspaces = new Map<string, MultimodalWorkspace>();
  const pageErrors: string[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'apron-e2e-sensors-'));
    for (const name of SETS) workspaces.set(name, await createMultimodalWorkspace(join(root, 'workspace'), sharedDataPath(name), name));
    served = await serveWorkspace({ workspaceRoot: join(root, 'workspace') });

    context = await launchChromium(join(root, 'chromium-profile'));
    // SwiftShader draws 100k points in a few hundred milliseconds, and a PJLab pair has two 1920x1200 images.
    context.setDefaultTimeout(30_000);
    page = await pageWithErrors(context, pageErrors);
  });

  afterAll(async () => {
    await context?.close();
    await served?.close();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  const pairUrl = (name: string, position: number): string => `${served.url}/#/queues/${workspaces.get(name)!.queueId}/pairs/${position + 1}`;
  const pairReady = (name: string, position: number) => {
    const [a, b] = workspaces.get(name)!.pairs[position]!;
    return page.locator(`.pair-modalities[data-samples="${a} ${b}"][data-state="ready"]`);
  };

  it('shows the KITTI and nuScenes samples in every modality', async () => {
    await page.goto(pairUrl('kitti-nuscenes-demo', 0));
    await pairReady('kitti-nuscenes-demo', 0).waitFor();

    // One KITTI camera and six nuScenes cameras, each with the projected sweep.
    expect(await page.locator('.camera-view').count()).toBe(7);
    expect(await page.locator('.camera-view canvas.projection-canvas:not([hidden])').count()).toBe(7);
    const pointCounts = await page.locator('.lidar-view').evaluateAll((views) => views.map((view) => Number(view.getAttribute('data-points'))));
    expect(pointCounts.sort((a, b) => a - b)[0]).toBe(17_238);
    expect(await page.locator('.bev-view').count()).toBe(2);
    await page.screenshot({ path: join(tmpdir(), 'apron-sensor-kitti-nuscenes.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('keeps one GPU geometry per LiDAR view while paging through PJLab pairs', async () => {
    const workspace = workspaces.get('pjlab-lidar-camera')!;
    await page.goto(pairUrl('pjlab-lidar-camera', 0));
    await pairReady('pjlab-lidar-camera', 0).waitFor();

    const steps = Math.min(5, workspace.pairs.length - 1);
    for (let position = 1; position <= steps; position++) {
      await page.keyboard.press('ArrowRight');
      await pairReady('pjlab-lidar-camera', position).waitFor();
      const geometries = await page.locator('.lidar-view').evaluateAll((views) => views.map((view) => view.getAttribute('data-geometries')));
      expect(geometries.every((count) => count === '1'), `pair ${position}: ${geometries.join(', ')}`).toBe(true);
    }
    await page.screenshot({ path: join(tmpdir(), 'apron-sensor-pjlab.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('draws the Argoverse 2 map over the ground-height raster', async () => {
    await page.goto(pairUrl('argoverse2-sample', 0));
    await pairReady('argoverse2-sample', 0).waitFor();

    const shapes = await page.locator('.bev-overlay polyline, .bev-overlay polygon').count();
    expect(shapes).toBeGreaterThan(20);
    expect(await page.locator('.ego-marker').count()).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: join(tmpdir(), 'apron-sensor-argoverse2.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('opens any sample and compares any two from the sample list', async () => {
    await page.goto(`${served.url}/#/datasets/pjlab-lidar-camera/samples`);
    const boxes = page.getByRole('checkbox');
    await boxes.nth(0).check();
    await boxes.nth(2).check();
    await page.getByRole('link', { name: 'Compare the two ticked samples' }).click();
    await page.locator('.pair-modalities[data-state="ready"]').waitFor();
    expect(await page.locator('.inspector-metadata').textContent()).toContain('sequenceId');

    await page.locator('h1 a').first().click();
    await page.locator('.sample-modalities[data-state="ready"], [data-sample][data-state="ready"]').first().waitFor();
    expect(await page.locator('.lidar-view').count()).toBeGreaterThanOrEqual(1);
    expect(pageErrors).toEqual([]);
  });
});
