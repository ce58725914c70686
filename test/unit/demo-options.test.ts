// Bad demo options fail with an ApronError that names the value, and the output folder is only
// ever replaced when it contains an earlier demo.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApronError } from '../../src/core/errors.js';
import { generateDemo } from '../../src/demo/generate.js';
import { resolveDemoOptions, sampleCountOf, SIZE_PRESETS, type DemoOptions } from '../../src/demo/options.js';

/** Two stands, one visit: 2 samples. */
const MINIMAL: Omit<DemoOptions, 'outDir'> = { size: 'tiny', standCount: 2, visitCount: 1, framesPerStand: 1, workers: 1 };

async function expectApronError(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApronError);
  expect((error as ApronError).code).toBe(code);
  expect((error as ApronError).message).toMatch(message);
}

describe('demo options', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'apron-demo-options-'));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('size presets have the documented counts', () => {
    expect(sampleCountOf(SIZE_PRESETS.tiny)).toBe(48);
    expect(sampleCountOf(SIZE_PRESETS.small)).toBe(2000);
    expect(sampleCountOf(SIZE_PRESETS.medium)).toBe(10080);
    expect(sampleCountOf(SIZE_PRESETS.large)).toBe(48000);
  });

  it('rejects a negative count', async () => {
    await expectApronError(generateDemo({ ...MINIMAL, visitCount: -3, outDir: join(root, 'out') }), 'invalid-input', /visitCount must be from 1 to 9999, got -3/);
  });

  it('rejects a fractional count', async () => {
    await expectApronError(generateDemo({ ...MINIMAL, framesPerStand: 1.5, outDir: join(root, 'out') }), 'invalid-input', /framesPerStand must be a whole number, got 1\.5/);
  });

  it('rejects a fractional seed', () => {
    expect(() => resolveDemoOptions({ seed: 0.5, outDir: root })).toThrow(/seed must be a whole number/);
  });

  it('rejects an unknown size', async () => {
    await expectApronError(generateDemo({ size: 'huge', outDir: join(root, 'out') }), 'invalid-input', /Unknown demo size "huge"; expected one of tiny, small, medium, large/);
  });

  it('rejects unknown equipment classes', async () => {
    await expectApronError(
      generateDemo({ ...MINIMAL, gseClasses: ['cone', 'pushback-tractor', 'gpu'], outDir: join(root, 'out') }),
      'invalid-input',
      /Unknown equipment classes "pushback-tractor", "gpu"/,
    );
  });

  it('rejects a folder that is not a demo', async () => {
    const folder = join(root, 'my-data');
    mkdirSync(folder);
    writeFileSync(join(folder, 'notes.txt'), 'keep me');
    await expectApronError(generateDemo({ ...MINIMAL, outDir: folder }), 'conflict', /is not empty and contains no Apron demo/);
    expect(readdirSync(folder)).toEqual(['notes.txt']);
  });

  it('rejects a file as output', async () => {
    const file = join(root, 'file');
    writeFileSync(file, '');
    await expectApronError(generateDemo({ ...MINIMAL, outDir: file }), 'conflict', /is not a folder/);
  });

  it('replaces an earlier demo', async () => {
    const folder = join(root, 'demo');
    await generateDemo({ ...MINIMAL, visitCount: 2, outDir: folder });
    expect(readdirSync(folder)).toContain('visit-0001');
    const result = await generateDemo({ ...MINIMAL, outDir: folder });
    expect(result.sampleCount).toBe(2);
    expect(readdirSync(folder)).not.toContain('visit-0001');
    expect(readdirSync(root)).toEqual(['demo']);
  });

  it('writes into an empty folder', async () => {
    const folder = join(root, 'empty');
    mkdirSync(folder);
    const result = await generateDemo({ ...MINIMAL, outDir: folder });
    expect(existsSync(result.manifestPath)).toBe(true);
  });

  it('cancelled run leaves nothing behind', async () => {
    const folder = join(root, 'cancelled');
    const controller = new AbortController();
    const run = generateDemo({
      ...MINIMAL,
      visitCount: 3,
      outDir: folder,
      signal: controller.signal,
      onProgress: (done) => {
        if (done === 1) controller.abort();
      },
    });
    await expectApronError(run, 'cancelled', /cancelled/);
    expect(readdirSync(root)).toEqual([]);
  });

  it('removes abandoned staging folders', async () => {
    // No process has this id, so the folder was left by a run that was killed.
    const abandoned = join(root, '.demo.partial-2000000000');
    mkdirSync(abandoned);
    writeFileSync(join(abandoned, 'half.png'), '');
    await generateDemo({ ...MINIMAL, outDir: join(root, 'demo') });
    expect(readdirSync(root)).toEqual(['demo']);
  });

  it('reports progress up to the total', async () => {
    const calls: [number, number][] = [];
    await generateDemo({ ...MINIMAL, outDir: join(root, 'progress'), onProgress: (done, total) => calls.push([done, total]) });
    expect(calls).toEqual([
      [1, 2],
      [2, 2],
    ]);
  });
});
