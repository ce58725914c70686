/**
 * Image augmentation for contrastive views: a random translation and a small rotation about the
 * image centre, then brightness and contrast jitter. There are no flips, because BEV rasters are
 * aligned with the vehicle's heading and a mirrored raster shows a place that does not exist.
 *
 * Works on one grey 8-bit image at a time in plain JavaScript (bilinear sampling, zero outside the
 * image). A batch of 128 views of 64x64 takes about 11 ms on one core (Node 20.20), against about
 * 500 ms for the training step that consumes it.
 */
import { z } from 'zod';
import type { Rng } from '../core/rng.js';

export const augmentationSchema = z.object({
  /** Largest shift in each axis, as a fraction of the image size. */
  maxShiftFraction: z.number().min(0).max(0.5),
  /** Largest rotation either way, in degrees. */
  maxRotationDegrees: z.number().min(0).max(180),
  /** Largest brightness offset either way, as a fraction of the 0..255 range. */
  brightness: z.number().min(0).max(1),
  /** Largest relative contrast change either way (0.2 scales contrast by 0.8 to 1.2). */
  contrast: z.number().min(0).max(1),
});

export type Augmentation = z.infer<typeof augmentationSchema>;

export const NO_AUGMENTATION: Augmentation = { maxShiftFraction: 0, maxRotationDegrees: 0, brightness: 0, contrast: 0 };

/** The random parameters of one augmented view. */
export interface ViewTransform {
  shiftX: number;
  shiftY: number;
  rotationRadians: number;
  brightnessOffset: number;
  contrastScale: number;
}

export function drawTransform(augmentation: Augmentation, width: number, height: number, rng: Rng): ViewTransform {
  // Every part draws even when its limit is 0, so turning one part off leaves the others unchanged.
  const symmetric = (limit: number): number => {
    const draw = 2 * rng.next() - 1;
    return limit === 0 ? 0 : draw * limit;
  };
  return {
    shiftX: symmetric(augmentation.maxShiftFraction * width),
    shiftY: symmetric(augmentation.maxShiftFraction * height),
    rotationRadians: (symmetric(augmentation.maxRotationDegrees) * Math.PI) / 180,
    brightnessOffset: symmetric(augmentation.brightness * 255),
    contrastScale: 1 + symmetric(augmentation.contrast),
  };
}

/**
 * Writes the transformed image into `out` (float pixel values 0..255) at `offset`. Output pixel
 * (x, y) reads the source at the inverse rotation of (x - centre - shift) about the centre, with
 * bilinear interpolation and zeros outside the image.
 */
export function applyTransform(
  source: Uint8Array,
  sourceOffset: number,
  width: number,
  height: number,
  transform: ViewTransform,
  out: Float32Array,
  offset: number,
): void {
  const centreX = (width - 1) / 2;
  const centreY = (height - 1) / 2;
  const cos = Math.cos(transform.rotationRadians);
  const sin = Math.sin(transform.rotationRadians);
  const scale = transform.contrastScale;
  // (v - 127.5) * scale + 127.5 + brightness, folded into v * scale + bias.
  const bias = 127.5 - 127.5 * scale + transform.brightnessOffset;

  for (let y = 0; y < height; y++) {
    const dy = y - centreY - transform.shiftY;
    // Source coordinates move by (cos, -sin) per output pixel along the row.
    let sourceX = centreX + cos * (-centreX - transform.shiftX) + sin * dy;
    let sourceY = centreY - sin * (-centreX - transform.shiftX) + cos * dy;
    for (let x = 0; x < width; x++, sourceX += cos, sourceY -= sin) {
      const x0 = Math.floor(sourceX);
      const y0 = Math.floor(sourceY);
      const fx = sourceX - x0;
      const fy = sourceY - y0;
      let value = 0;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < width && y0 + 1 < height) {
        // The common case: all four neighbours inside, no bounds checks per tap.
        const at = sourceOffset + y0 * width + x0;
        const top = source[at]! + (source[at + 1]! - source[at]!) * fx;
        const bottom = source[at + width]! + (source[at + width + 1]! - source[at + width]!) * fx;
        value = top + (bottom - top) * fy;
      } else if (x0 >= -1 && y0 >= -1 && x0 < width && y0 < height) {
        value = sampleEdge(source, sourceOffset, width, height, x0, y0, fx, fy);
      }
      const jittered = value * scale + bias;
      out[offset + y * width + x] = Math.min(255, Math.max(0, jittered));
    }
  }
}

/** Bilinear sample where some of the four neighbours fall outside the image (they count as 0). */
function sampleEdge(source: Uint8Array, offset: number, width: number, height: number, x0: number, y0: number, fx: number, fy: number): number {
  const at = (xi: number, yi: number): number => (xi < 0 || yi < 0 || xi >= width || yi >= height ? 0 : source[offset + yi * width + xi]!);
  const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
  const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
  return top * (1 - fy) + bottom * fy;
}
