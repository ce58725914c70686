import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { applyTransform, drawTransform, NO_AUGMENTATION, type ViewTransform } from '../../src/train/augment.js';

const IDENTITY: ViewTransform = { shiftX: 0, shiftY: 0, rotationRadians: 0, brightnessOffset: 0, contrastScale: 1 };

// A 4x4 image with values 0, 10, ..., 150 in row-major order.
const IMAGE = Uint8Array.from({ length: 16 }, (_, index) => index * 10);

function transformed(transform: ViewTransform): number[] {
  const out = new Float32Array(16);
  applyTransform(IMAGE, 0, 4, 4, transform, out, 0);
  return Array.from(out);
}

describe('augmentation', () => {
  it('copies the image under the identity transform', () => {
    expect(transformed(IDENTITY)).toEqual(Array.from(IMAGE));
  });

  it('shifts by whole pixels with zeros entering', () => {
    // A shift of +1 in x: output (x, y) reads source (x - 1, y), so column 0 becomes 0.
    expect(transformed({ ...IDENTITY, shiftX: 1 })).toEqual([0, 0, 10, 20, 0, 40, 50, 60, 0, 80, 90, 100, 0, 120, 130, 140]);
  });

  it('interpolates a half-pixel shift', () => {
    // Output (1, 0) reads source (0.5, 0): halfway between 0 and 10.
    expect(transformed({ ...IDENTITY, shiftX: 0.5 })[1]).toBeCloseTo(5, 5);
  });

  it('rotates about the centre without flipping', () => {
    // At 90 degrees output (x, y) reads source (cx + (y - cy), cy - (x - cx)) = (y, 3 - x) for the
    // centre (1.5, 1.5): the source's top row lands, in order, in the output's right column, and
    // its left column, bottom to top, in the output's top row. A mirror image would reverse one.
    const rotated = transformed({ ...IDENTITY, rotationRadians: Math.PI / 2 });
    const rightColumn = [3, 7, 11, 15].map((index) => Math.round(rotated[index] ?? -1));
    const topRow = [0, 1, 2, 3].map((index) => Math.round(rotated[index] ?? -1));
    expect(rightColumn).toEqual([0, 10, 20, 30]);
    expect(topRow).toEqual([120, 80, 40, 0]);
  });

  it('applies contrast about mid-grey, then brightness, clamped to 0..255', () => {
    // (v - 127.5) * 2 + 127.5 + 20: 0 -> -107.5 -> 0, 150 -> 192.5, 100 -> 92.5.
    const out = transformed({ ...IDENTITY, contrastScale: 2, brightnessOffset: 20 });
    expect(out[0]).toBe(0);
    expect(out[15]).toBeCloseTo(192.5, 5);
    expect(out[10]).toBeCloseTo(92.5, 5);
  });

  it('draws no change when augmentation is off', () => {
    expect(drawTransform(NO_AUGMENTATION, 64, 64, new Rng(1))).toEqual(IDENTITY);
  });

  it('keeps drawn transforms within their limits', () => {
    const rng = new Rng(9);
    for (let draw = 0; draw < 200; draw++) {
      const transform = drawTransform({ maxShiftFraction: 0.1, maxRotationDegrees: 10, brightness: 0.2, contrast: 0.3 }, 64, 32, rng);
      expect(Math.abs(transform.shiftX)).toBeLessThanOrEqual(6.4);
      expect(Math.abs(transform.shiftY)).toBeLessThanOrEqual(3.2);
      expect(Math.abs(transform.rotationRadians)).toBeLessThanOrEqual((10 * Math.PI) / 180);
      expect(Math.abs(transform.brightnessOffset)).toBeLessThanOrEqual(51);
      expect(Math.abs(transform.contrastScale - 1)).toBeLessThanOrEqual(0.3);
    }
  });
  it('mirrors each row when flipped', () => {
    expect(transformed({ ...IDENTITY, flipped: true })).toEqual([30, 20, 10, 0, 70, 60, 50, 40, 110, 100, 90, 80, 150, 140, 130, 120]);
  });

  it('scales a crop back to the full image', () => {
    // A 32-pixel-wide ramp whose value is 4 x column. A crop of half the width, 3 pixels right of
    // the centre, maps output column x to source column 15.5 + 3 + (x - 15.5) / 2.
    const size = 32;
    const ramp = Uint8Array.from({ length: size * size }, (_, index) => 4 * (index % size));
    const out = new Float32Array(size * size);
    const crop: ViewTransform = { ...IDENTITY, cropWidthFraction: 0.5, cropHeightFraction: 0.5, cropOffsetX: 3, cropOffsetY: 0 };
    applyTransform(ramp, 0, size, size, crop, out, 0);
    for (const x of [0, 7, 20, 31]) expect(out[10 * size + x]).toBeCloseTo(4 * (15.5 + 3 + (x - 15.5) / 2), 3);
  });

  it('draws bounded crops and flips', () => {
    const rng = new Rng(7);
    const augmentation = { ...NO_AUGMENTATION, crop: { scale: [0.3, 0.6] as [number, number], aspectRatio: [0.75, 4 / 3] as [number, number] }, horizontalFlipProbability: 0.25 };
    let flips = 0;
    for (let draw = 0; draw < 2000; draw++) {
      const transform = drawTransform(augmentation, 64, 48, rng);
      const width = transform.cropWidthFraction ?? 1;
      const height = transform.cropHeightFraction ?? 1;
      expect(width * height).toBeGreaterThanOrEqual(0.3 - 1e-9);
      expect(width * height).toBeLessThanOrEqual(0.6 + 1e-9);
      expect(width).toBeLessThanOrEqual(1);
      expect(height).toBeLessThanOrEqual(1);
      // The crop stays inside the image: its centre moves at most half the slack either way.
      expect(Math.abs(transform.cropOffsetX ?? 0)).toBeLessThanOrEqual(((1 - width) * 64) / 2 + 1e-9);
      expect(Math.abs(transform.cropOffsetY ?? 0)).toBeLessThanOrEqual(((1 - height) * 48) / 2 + 1e-9);
      if (transform.flipped === true) flips++;
    }
    expect(flips / 2000).toBeGreaterThan(0.22);
    expect(flips / 2000).toBeLessThan(0.28);
  });

  it('draws the same shifts and jitter with or without crops configured off', () => {
    const plain = drawTransform({ ...NO_AUGMENTATION, brightness: 0.2 }, 32, 32, new Rng(3));
    const withFields = drawTransform({ ...NO_AUGMENTATION, brightness: 0.2, horizontalFlipProbability: 0 }, 32, 32, new Rng(3));
    expect(withFields).toEqual(plain);
  });
});
