/**
 * Time from a key press in the pair view to both samples fully drawn (every camera image with its
 * projected points, both sweeps in WebGL, every BEV raster), in headless Chromium against
 * `apron serve`. The baseline, from the same key presses, is the time until the new pair's data is
 * on screen, before any image or sweep has loaded: the figure over it is what the sensor views add.
 * Chromium has no GPU here and draws WebGL with SwiftShader, so absolute times are far above a
 * desktop's.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { serveWorkspace } from '../server/serve-workspace.js';
import { CHROMIUM_PATH, hasChromium, launchChromium } from './chromium.js';
import { createMultimodalWorkspace } from './multimodal-workspace.js';
import type { BenchResult } from './report.js';

/** Key presses per dataset; each lands on a different pair, and the queue wraps around. */
const PRESSES = 8;

interface PressTiming {
  shownMs: number;
  readyMs: number;
}

export async function benchPairView(dataRoot: string): Promise<BenchResult[]> {
  if (!hasChromium()) {
    return [{ name: 'pair view: key press to both samples drawn', figure: 'skipped', baseline: `${CHROMIUM_PATH} is absent`, ratio: null, target: 'none set', met: null }];
  }

  const results: BenchResult[] = [];
  for (const name of ['pjlab-lidar-camera', 'kitti-nuscenes-demo']) {
    const source = join(dataRoot, name);
    if (!existsSync(source)) continue;
    results.push(await benchOneDataset(name, source));
  }
  return results;
}

async function benchOneDataset(name: string, source: string): Promise<BenchResult> {
  const root = mkdtempSync(join(tmpdir(), 'apron-bench-pair-view-'));
  const fixture = await createMultimodalWorkspace(join(root, 'workspace'), source, name);
  const served = await serveWorkspace({ workspaceRoot: fixture.workspace.root });
  const context = await launchChromium(join(root, 'chromium-profile'));
  context.setDefaultTimeout(60_000);

  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const readySelector = (position: number): string => {
      const [a, b] = fixture.pairs[position % fixture.pairs.length]!;
      return `.pair-modalities[data-samples="${a} ${b}"]`;
    };

    // The first pair loads three.js and warms the engine's caches; it is not timed.
    await page.goto(`${served.url}/#/queues/${fixture.queueId}/pairs/1`);
    await page.locator(`${readySelector(0)}[data-state="ready"]`).waitFor();

    const timings: PressTiming[] = [];
    let position = 0;
    for (let press = 0; press < PRESSES; press++) {
      // At the last pair the right arrow does nothing, so the reviewer goes back to the first, untimed.
      if (position === fixture.pairs.length - 1) {
        position = 0;
        await page.goto(`${served.url}/#/queues/${fixture.queueId}/pairs/1`);
        await page.locator(`${readySelector(0)}[data-state="ready"]`).waitFor();
      }
      position++;
      timings.push(await timePress(page, readySelector(position)));
    }

    const shown = median(timings.map((timing) => timing.shownMs));
    const ready = median(timings.map((timing) => timing.readyMs));
    return {
      name: `pair view (${name}): key press to both samples drawn`,
      figure: `${ready.toFixed(0)} ms median of ${timings.length}`,
      baseline: `${shown.toFixed(0)} ms to the pair's data on screen`,
      ratio: shown / ready,
      target: 'none set',
      met: null,
      notes: `Headless Chromium with SwiftShader WebGL (no GPU). ${fixture.pairs.length} pairs of ${name} paged with the right arrow key, ${PRESSES} presses, so after the first round the browser and the engine serve repeated files from their caches.`,
    };
  } finally {
    await context.close();
    await served.close();
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * Runs in the page: presses the right arrow and measures, with the page's own clock, when the
 * next pair's views appear and when all of them report `ready`. It is a string because src/ is
 * compiled without the DOM types; the page runs it as it is.
 */
const PRESS_AND_WAIT = `(target) => new Promise((resolve) => {
  const start = performance.now();
  let shownMs = null;
  const check = () => {
    if (shownMs === null && document.querySelector(target) !== null) shownMs = performance.now() - start;
    if (document.querySelector(target + '[data-state="ready"]') === null) return;
    observer.disconnect();
    resolve({ shownMs: shownMs ?? performance.now() - start, readyMs: performance.now() - start });
  };
  const observer = new MutationObserver(check);
  observer.observe(document.body, { subtree: true, childList: true, attributes: true });
  window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
})`;

async function timePress(page: Page, selector: string): Promise<PressTiming> {
  const press = await page.evaluateHandle(PRESS_AND_WAIT);
  try {
    return (await press.evaluate((run, target) => (run as (value: string) => Promise<PressTiming>)(target), selector)) as PressTiming;
  } finally {
    await press.dispose();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
