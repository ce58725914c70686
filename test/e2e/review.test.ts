// End to end: the built renderer in Debian's Chromium against `apron serve` (the real server,
// store and handlers), deciding pairs from the keyboard and checking that the decisions survive
// a reload and are in the store on disk.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, hasChromium, launchChromium } from '../../src/bench/chromium.js';
import { readManifest } from '../../src/dataset/manifest-io.js';
import { activeQueuePage } from '../../src/review/service.js';
import { openStore } from '../../src/store/index.js';
import { defaultRendererDir, serveWorkspace, type ServedWorkspace } from '../../src/server/serve-workspace.js';
import { createReviewFixture, type ReviewFixture } from './review-fixture.js';

const SCREENSHOT = join(tmpdir(), 'apron-pair-view.png');
const REVIEWER = 'e2e reviewer';

const chromiumPresent = hasChromium();
if (!chromiumPresent) {
  process.stderr.write(`skipping the end-to-end review test: ${CHROMIUM_PATH} is missing (install it with \`apt-get install chromium\`)\n`);
}

describe.skipIf(!chromiumPresent)('review in the browser', () => {
  let root: string;
  let fixture: ReviewFixture;
  let served: ServedWorkspace;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  let decideRoute: DecideRoute = { kind: 'pass' };

  beforeAll(async () => {
    await buildRendererIfMissing();
    root = mkdtempSync(join(tmpdir(), 'apron-e2e-'));
    fixture = await createReviewFixture(root);
    served = await serveWorkspace({ workspaceRoot: fixture.workspace.root });

    context = await launchChromium(join(root, 'chromium-profile'));
    // Every step here takes milliseconds; a short limit turns a missing element into a quick failure.
    context.setDefaultTimeout(10_000);
    page = context.pages()[0] ?? (await context.newPage());
    // CSP violations, failed image loads and uncaught errors all surface here.
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('response', (response) => {
      if (response.status() >= 400) pageErrors.push(`${response.status()} for ${response.url()}`);
    });

    // One route for the whole run, set before the first page loads. On a loaded CI machine, a decision
    // sent right after a route was added to the loaded page reached the server, bypassing the route.
    // So the tests switch this route's behaviour and never add or remove routes.
    await page.route('**/api/decide', async (route) => {
      const behaviour = decideRoute;
      if (behaviour.kind === 'hold') await behaviour.until;
      if (behaviour.kind === 'fail') {
        await route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ ok: false, error: behaviour.error }) });
        return;
      }
      await route.continue();
    });
  });

  afterAll(async () => {
    await context?.close();
    await served?.close();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  const queueUrl = (): string => `${served.url}/#/queues/${fixture.queueId}`;
  // Addresses count pairs from 1; the tests name pairs by their 0-based queue position.
  const pairUrl = (position: number): string => `${queueUrl()}/pairs/${position + 1}`;
  const decisionStatus = () => page.getByTestId('decision-status');
  const progressText = () => page.locator('.queue-progress-text').first();

  async function expectVerdictsInTable(expected: string[]): Promise<void> {
    await page.goto(queueUrl());
    await page.reload();
    const rows = page.locator('.queue-table tbody tr');
    await expect.poll(() => rows.count()).toBe(fixture.pairs.length);
    for (const [index, verdict] of expected.entries()) {
      await expect.poll(() => rows.nth(index).locator('.verdict').textContent(), { message: `row ${index + 1}` }).toBe(verdict);
    }
  }

  it('lists the dataset and its queue', async () => {
    await page.goto(`${served.url}/`);
    await page.getByRole('link', { name: 'Stand 12 review set' }).click();

    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Stand 12 review set');
    await expect.poll(() => page.getByRole('link', { name: fixture.queueId }).count()).toBe(1);
    expect(await page.getByRole('progressbar', { name: 'Queue progress' }).getAttribute('value')).toBe('0');
  });

  it('asks for the reviewer name and keeps it', async () => {
    await page.goto(pairUrl(0));
    const prompt = page.getByText('Enter your reviewer name');
    await prompt.waitFor();
    await expect.poll(() => decisionStatus().textContent()).toContain('undecided');
    await page.keyboard.press('s');

    await expect.poll(() => prompt.getAttribute('role')).toBe('alert');
    await page.getByLabel('Reviewer name').fill(REVIEWER);
    await page.getByLabel('Reviewer name').press('Enter');
    await expect.poll(() => page.getByTestId('reviewer-name').textContent()).toBe(REVIEWER);

    await page.reload();
    await expect.poll(() => page.getByTestId('reviewer-name').textContent()).toBe(REVIEWER);
    await expect.poll(() => decisionStatus().textContent()).toContain('undecided');
  });

  it('shows both samples at full resolution', async () => {
    await page.goto(pairUrl(0));
    const images = page.locator('.sample-image img');
    await expect.poll(() => images.count()).toBe(4);
    await expect
      .poll(() => images.evaluateAll((elements) => elements.map((element) => (element as unknown as { naturalWidth: number }).naturalWidth)))
      .toEqual([64, 151, 64, 151]);

    // Auto zoom enlarges the 151x151 raster twice and the 64x32 frame six times, pixelated.
    // The test compiles without the DOM library, so the browser's getComputedStyle is typed here.
    const rendered = await images.evaluateAll((elements) => {
      const browser = globalThis as unknown as { getComputedStyle(element: unknown): { imageRendering: string } };
      return elements.map((element) => [element.getBoundingClientRect().width, browser.getComputedStyle(element).imageRendering]);
    });
    expect(rendered).toEqual([
      [384, 'pixelated'],
      [302, 'pixelated'],
      [384, 'pixelated'],
      [302, 'pixelated'],
    ]);
    expect(await page.getByRole('region', { name: 'Sample A', exact: true }).textContent()).toContain('s0');
    expect(await page.getByRole('region', { name: 'Sample B', exact: true }).textContent()).toContain('s3');
    expect(await page.locator('.metadata-table').textContent()).toContain('drive-b');
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('decides three pairs from the keyboard', async () => {
    await page.goto(pairUrl(0));
    await expect.poll(() => decisionStatus().textContent()).toContain('undecided');

    await page.keyboard.press('s');
    await page.waitForURL(pairUrl(1));
    await expect.poll(() => page.locator('.notice').textContent()).toBe('Saved “same” for pair 1.');

    // Letters typed into the note are text, not decisions; Escape leaves the field.
    await expect.poll(() => decisionStatus().textContent()).toContain('undecided');
    await page.getByLabel('Note').click();
    await page.keyboard.type('tug moved, stand differs');
    await page.keyboard.press('Escape');
    expect(page.url()).toBe(pairUrl(1));
    await page.keyboard.press('d');
    await page.waitForURL(pairUrl(2));

    // Hold the third decision in flight to check that it is not shown as saved before the server responds.
    let release: () => void = () => undefined;
    const decisionGate = new Promise<void>((resolve) => {
      release = resolve;
    });
    decideRoute = { kind: 'hold', until: decisionGate };
    await expect.poll(() => decisionStatus().textContent()).toContain('undecided');
    await page.keyboard.press('u');
    await expect.poll(() => decisionStatus().textContent()).toBe('saving… (unsure)');
    expect(page.url()).toBe(pairUrl(2));
    release();
    await page.waitForURL(pairUrl(3));
    decideRoute = { kind: 'pass' };

    await expect.poll(() => progressText().textContent()).toBe('3 / 6 decided (50%)');
  });

  it('shows the decisions after a reload', async () => {
    await expectVerdictsInTable(['same', 'different', 'unsure', 'undecided', 'undecided', 'undecided']);

    await page.goto(pairUrl(1));
    await page.reload();
    await expect.poll(() => decisionStatus().textContent()).toContain('different');
    expect(await decisionStatus().textContent()).toContain('note: tug moved, stand differs');
    expect(await page.getByRole('button', { name: 'Different' }).getAttribute('aria-pressed')).toBe('true');
  });

  it('shows a failed save on the pair', async () => {
    await page.goto(pairUrl(3));
    await expect.poll(() => decisionStatus().textContent()).toContain('undecided');
    decideRoute = { kind: 'fail', error: { code: 'internal', message: 'disk I/O error', hint: 'Free some disk space, then decide again.' } };

    await page.keyboard.press('s');
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('The decision was not saved');
    expect(await alert.textContent()).toContain('disk I/O error');
    expect(await alert.textContent()).toContain('Free some disk space, then decide again.');
    expect(page.url()).toBe(pairUrl(3));
    expect(await decisionStatus().textContent()).toContain('undecided');

    decideRoute = { kind: 'pass' };
    // The browser logs the deliberate 500 as a failed resource; it is not a page error.
    for (let index = pageErrors.length - 1; index >= 0; index -= 1) {
      const entry = pageErrors[index] ?? '';
      if (entry.includes('/api/decide') || entry.includes('status of 500')) pageErrors.splice(index, 1);
    }
  });

  it('undoes the latest decision with Z', async () => {
    await page.goto(pairUrl(3));
    await page.reload();
    await expect.poll(() => decisionStatus().textContent()).toContain('undecided');

    await page.keyboard.press('z');
    await expect.poll(() => page.locator('.notice').textContent()).toBe('Undid “unsure” on s2 ↔ s5.');
    // The view goes to the undone pair so that it can be decided again.
    await page.waitForURL(pairUrl(2));
    await expect.poll(() => decisionStatus().textContent()).toContain('undecided');
    await expect.poll(() => progressText().textContent()).toBe('2 / 6 decided (33%)');

    await expectVerdictsInTable(['same', 'different', 'undecided', 'undecided', 'undecided', 'undecided']);
  });

  it('has the decisions in the store on disk', () => {
    // A second connection reads what the server's connection committed.
    const store = openStore(fixture.workspace.databasePath);
    try {
      const history = store.listDecisionHistory(fixture.datasetId);
      const summary = history.map((decision) => [decision.sampleA, decision.sampleB, decision.verdict, decision.undoneAt !== null]);

      expect(summary).toEqual([
        ['s0', 's3', 'same', false],
        ['s1', 's4', 'different', false],
        ['s2', 's5', 'unsure', true],
      ]);
      expect(history.every((decision) => decision.reviewer === REVIEWER)).toBe(true);
      expect(history[1]?.note).toBe('tug moved, stand differs');
      expect(history[0]?.queueId).toBe(fixture.queueId);
      expect(history[0]?.embeddingVersionId).toBe('emb-e2e');
      expect(store.listDecisionPairs(fixture.datasetId, 'same')).toEqual([{ a: 's0', b: 's3' }]);
    } finally {
      store.close();
    }
  });

  // The first queue's query samples are all in sequence drive-a, so its active order is its similarity
  // order. This queue mixes drive-a and drive-b, and its two decided pairs favour drive-b.
  const ACTIVE_QUEUE = 'queue-active';
  const activeQueueUrl = (): string => `${served.url}/#/queues/${ACTIVE_QUEUE}`;
  const activePairUrl = (position: number): string => `${activeQueueUrl()}/pairs/${position + 1}?order=active`;

  /** Positions of the queue's first page in active order, read from the store on disk as the server ranks them. */
  function activePositions(): number[] {
    const store = openStore(fixture.workspace.databasePath);
    try {
      return activeQueuePage(store, readManifest, ACTIVE_QUEUE, 0, 50).items.map((item) => item.position);
    } finally {
      store.close();
    }
  }

  it('orders the queue by likely false negatives', async () => {
    const store = openStore(fixture.workspace.databasePath);
    try {
      const pairs: [string, string][] = [['s3', 's5'], ['s2', 's4'], ['s1', 's2'], ['s0', 's1'], ['s4', 's5'], ['s5', 's2']];
      const queue = store.createQueue({
        queueId: ACTIVE_QUEUE,
        datasetId: fixture.datasetId,
        embeddingVersionId: 'emb-e2e',
        items: pairs.map(([sampleA, sampleB], index) => ({
          sampleA,
          sampleB,
          evidence: { similarity: 0.95 - index * 0.05, rank: 1, timeGapSeconds: null, sameSequence: false, distanceMetres: null, headingDifferenceDegrees: null },
        })),
      });
      store.recordItemDecision(store.getQueueItemAt(queue.queueId, 0).queueItemId, { verdict: 'same', reviewer: REVIEWER });
      store.recordItemDecision(store.getQueueItemAt(queue.queueId, 1).queueItemId, { verdict: 'different', reviewer: REVIEWER });
    } finally {
      store.close();
    }
    // Every undecided pair is below the calibrated range, so the drive-b slice factor decides: pairs 5 and 6 move up.
    const expected = activePositions();
    expect(expected).toEqual([4, 5, 2, 3, 0, 1]);

    await page.goto(activeQueueUrl());
    await page.getByRole('link', { name: 'Most likely false negatives first' }).click();
    await page.waitForURL(`${activeQueueUrl()}?order=active`);
    const rows = page.locator('.queue-table tbody tr');
    await expect.poll(() => rows.evaluateAll((elements) => elements.map((element) => Number(element.getAttribute('data-position'))))).toEqual(expected);
    await expect.poll(() => page.getByRole('columnheader', { name: 'P(same), estimated' }).count()).toBe(1);
    await expect.poll(() => page.getByRole('region', { name: 'When to stop' }).count()).toBe(1);

    // The order is in the URL, so a reload keeps it.
    await page.reload();
    await expect.poll(() => page.getByRole('link', { name: 'Most likely false negatives first' }).getAttribute('aria-current')).toBe('true');
    await expect.poll(() => rows.evaluateAll((elements) => elements.map((element) => Number(element.getAttribute('data-position'))))).toEqual(expected);

    await page.getByRole('link', { name: 'By similarity' }).click();
    await page.waitForURL(activeQueueUrl());
    await expect.poll(() => rows.evaluateAll((elements) => elements.map((element) => Number(element.getAttribute('data-position'))))).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('moves to the next pair in active order', async () => {
    await page.goto(`${activeQueueUrl()}?order=active`);
    await page.getByRole('link', { name: 'Review from pair 5' }).click();
    await page.waitForURL(activePairUrl(4));
    await expect.poll(() => decisionStatus().textContent()).toContain('undecided');

    await page.keyboard.press('d');
    // The server ranks again after the decision: pair 6 is still the most likely in drive-b.
    await page.waitForURL(activePairUrl(5));
    expect(activePositions().slice(0, 3)).toEqual([5, 2, 3]);
    await expect.poll(() => decisionStatus().textContent()).toContain('undecided');

    // Pair 6 is the last position, so Next in similarity order would stop. In active order it goes to pair 3.
    await page.getByRole('button', { name: 'Next pair' }).click();
    await page.waitForURL(activePairUrl(2));
    await expect.poll(() => decisionStatus().textContent()).toContain('undecided');
  });

  it('raised no errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});

/** What the `/api/decide` route does with the next decision: send it, hold it until a promise settles, or fail it with status 500. */
type DecideRoute =
  | { kind: 'pass' }
  | { kind: 'hold'; until: Promise<void> }
  | { kind: 'fail'; error: { code: string; message: string; hint: string } };

/** `npm test` builds first; a bare `vitest run` gets the renderer built here. */
async function buildRendererIfMissing(): Promise<void> {
  if (existsSync(join(defaultRendererDir(), 'index.html'))) return;
  const { build } = await import('vite');
  await build({ configFile: join(import.meta.dirname, '..', '..', 'renderer', 'vite.config.ts'), logLevel: 'warn' });
}
