// Image decoding for training: pixel values, the cache, and the named-file error for an image
// that an import with header checks let through.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { ApronError } from '../../src/core/errors.js';
import { decodeGrey, loadImageStack } from '../../src/dataset/images.js';
import { importDataset } from '../../src/dataset/importers/index.js';

const tempRoot = mkdtempSync(join(tmpdir(), 'apron-images-'));
afterAll(() => rmSync(tempRoot, { recursive: true, force: true }));

let folderCount = 0;
function freshFolder(): string {
  const path = join(tempRoot, `case-${folderCount++}`);
  mkdirSync(path, { recursive: true });
  return path;
}

async function writeGreyPng(path: string, width: number, height: number, pixels: number[]): Promise<void> {
  mkdirSync(join(path, '..'), { recursive: true });
  await sharp(Buffer.from(pixels), { raw: { width, height, channels: 1 } }).png().toFile(path);
}

/** Build a Nordland-style folder of 4x2 images whose pixels are `base + 10 * i`. */
async function makeDataset(frames: number[]): Promise<string> {
  const folder = freshFolder();
  for (const season of ['summer', 'winter']) {
    for (const frame of frames) {
      const base = frame + (season === 'winter' ? 100 : 0);
      const pixels = Array.from({ length: 8 }, (_, i) => base + 10 * i);
      await writeGreyPng(join(folder, season, `images-${String(frame).padStart(5, '0')}.png`), 4, 2, pixels);
    }
  }
  return folder;
}

describe('decodeGrey', () => {
  it('returns the grey pixels of a PNG', async () => {
    const path = join(freshFolder(), 'a.png');
    await writeGreyPng(path, 4, 2, [0, 50, 100, 150, 200, 250, 10, 20]);
    const image = await decodeGrey(path);
    expect(image.width).toBe(4);
    expect(image.height).toBe(2);
    expect(Array.from(image.data)).toEqual([0, 50, 100, 150, 200, 250, 10, 20]);
  });

  it('names a missing image', async () => {
    const path = join(freshFolder(), 'gone.png');
    await expect(decodeGrey(path)).rejects.toThrow(`Image not found: ${path}`);
  });
});

describe('loadImageStack', () => {
  it('stacks images in manifest order', async () => {
    const source = await makeDataset([1, 2]);
    const { dataset } = await importDataset({ source, outDir: freshFolder() });
    const stack = await loadImageStack(dataset, { width: 4, height: 2 });
    expect(stack.count).toBe(4);
    // summer/00001, summer/00002, winter/00001, winter/00002: first pixels 1, 2, 101, 102.
    expect([0, 8, 16, 24].map((offset) => stack.data[offset])).toEqual([1, 2, 101, 102]);
    expect(Array.from(stack.data.subarray(8, 16))).toEqual([2, 12, 22, 32, 42, 52, 62, 72]);
  });

  it('reads a fresh cache and ignores a stale one', async () => {
    const source = await makeDataset([1]);
    const { dataset } = await importDataset({ source, outDir: freshFolder() });
    const cachePath = join(freshFolder(), 'stack.u8');
    const first = await loadImageStack(dataset, { width: 4, height: 2 }, { cachePath });

    // With the cache newer than the manifest, a changed image is not read again.
    await writeGreyPng(join(source, 'summer', 'images-00001.png'), 4, 2, Array.from({ length: 8 }, () => 77));
    const cached = await loadImageStack(dataset, { width: 4, height: 2 }, { cachePath });
    expect(Array.from(cached.data)).toEqual(Array.from(first.data));

    // A manifest newer than the cache makes the cache stale.
    const later = new Date(Date.now() + 60_000);
    utimesSync(dataset.manifestPath, later, later);
    const fresh = await loadImageStack(dataset, { width: 4, height: 2 }, { cachePath });
    expect(fresh.data[0]).toBe(77);
  });

  it('names a corrupt image that header checks let through', async () => {
    const source = freshFolder();
    // Pseudo-random pixels, so the compressed data is long enough to damage in the middle.
    const noise = Array.from({ length: 64 * 32 }, (_, i) => (i * 7919) % 251);
    for (const season of ['summer', 'winter']) await writeGreyPng(join(source, season, 'images-00010.png'), 64, 32, noise);
    const broken = join(source, 'winter', 'images-00010.png');
    const bytes = readFileSync(broken);
    for (let offset = 200; offset < 260; offset++) bytes[offset] = bytes[offset]! ^ 0xff;
    writeFileSync(broken, bytes);

    // The header and the final IEND chunk are intact, so the cheap check passes...
    const { dataset } = await importDataset({ source, outDir: freshFolder(), imageCheck: 'header' });
    expect(dataset.manifest.samples.length).toBe(2);

    // ...and the decode before training names the file.
    const attempt = loadImageStack(dataset, { width: 16, height: 8 });
    await expect(attempt).rejects.toBeInstanceOf(ApronError);
    await expect(attempt).rejects.toThrow(`Cannot decode image ${broken}`);

    // The full check at import finds it too.
    await expect(importDataset({ source, outDir: freshFolder() })).rejects.toThrow(`Cannot read image ${broken}`);
  });

  it('names a sample without an image', async () => {
    const folder = freshFolder();
    const manifestPath = join(folder, 'apron-manifest.json');
    writeFileSync(
      manifestPath,
      JSON.stringify({ format: 'apron-manifest', version: 1, name: 'x', root: '.', samples: [{ sampleId: 'lidar-only', sequenceId: 's', timestampNs: 0 }] }),
    );
    const { dataset } = await importDataset({ source: manifestPath, outDir: freshFolder() });
    await expect(loadImageStack(dataset, { width: 4, height: 4 })).rejects.toThrow('Sample lidar-only has no camera image or BEV raster to train on');
  });
});
