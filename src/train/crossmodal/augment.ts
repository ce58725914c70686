/**
 * Augmented views of one cross-modal pair, drawn from the run's random generator with the
 * policies of objectives/augment-policy.ts, so that a handful of real pairs makes varied batches.
 *
 * Camera: a random resized crop (bilinear) and brightness and contrast jitter. Frames are grey, so
 * the policy's saturation and hue have no effect.
 * LiDAR: point dropout, clipped Gaussian jitter of x, y and z, a rotation about z, then the
 * PointNet resampling to a fixed number of points.
 * BEV: a shift and a rotation about the raster's centre (bilinear, zeros outside), as the
 * single-modality trainer draws them for BEV rasters.
 */
import type { Rng } from '../../core/rng.js';
import type { GreyImage } from '../../dataset/images.js';
import { applyTransform, drawTransform } from '../augment.js';
import type { BevPolicy, CameraPolicy, LidarPolicy } from '../objectives/augment-policy.js';
import { POINT_FEATURES, resamplePoints } from '../pointnet.js';

/** Writes one augmented view of `image` at width x height (grey values 0..255) into `output` at `offset`. */
export function augmentCamera(
  image: GreyImage,
  policy: CameraPolicy,
  size: { width: number; height: number },
  rng: Rng,
  output: Float32Array,
  offset: number,
): void {
  const crop = drawCrop(image.width, image.height, policy, rng);
  const jitter = rng.next() < policy.colourJitter.probability;
  const brightness = jitter ? 1 + (2 * rng.next() - 1) * policy.colourJitter.brightness : 1;
  const contrast = jitter ? 1 + (2 * rng.next() - 1) * policy.colourJitter.contrast : 1;

  const { width, height } = size;
  const view = new Float32Array(width * height);
  let sum = 0;
  for (let row = 0; row < height; row++) {
    // Pixel centres of the output map to pixel centres of the crop.
    const sourceY = crop.top + ((row + 0.5) * crop.height) / height - 0.5;
    for (let column = 0; column < width; column++) {
      const sourceX = crop.left + ((column + 0.5) * crop.width) / width - 0.5;
      const value = bilinear(image, sourceX, sourceY) * brightness;
      view[row * width + column] = value;
      sum += value;
    }
  }

  // Contrast scales the distance from the view's mean, as torchvision's adjust_contrast does.
  const mean = sum / view.length;
  for (let i = 0; i < view.length; i++) {
    output[offset + i] = Math.min(255, Math.max(0, mean + (view[i]! - mean) * contrast));
  }
}

/** Draws a crop of `scale` of the area and `aspectRatio` (width / height), as torchvision's RandomResizedCrop does. */
function drawCrop(width: number, height: number, policy: CameraPolicy, rng: Rng): { left: number; top: number; width: number; height: number } {
  const area = width * height;
  const [minScale, maxScale] = policy.crop.scale;
  const [minRatio, maxRatio] = policy.crop.aspectRatio;
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * (minScale + rng.next() * (maxScale - minScale));
    const logRatio = Math.log(minRatio) + rng.next() * (Math.log(maxRatio) - Math.log(minRatio));
    const ratio = Math.exp(logRatio);
    const cropWidth = Math.sqrt(targetArea * ratio);
    const cropHeight = Math.sqrt(targetArea / ratio);
    if (cropWidth <= width && cropHeight <= height) {
      return { left: rng.next() * (width - cropWidth), top: rng.next() * (height - cropHeight), width: cropWidth, height: cropHeight };
    }
  }
  // No draw fitted the frame: fall back to the whole frame.
  return { left: 0, top: 0, width, height };
}

function bilinear(image: GreyImage, x: number, y: number): number {
  const clampedX = Math.min(image.width - 1, Math.max(0, x));
  const clampedY = Math.min(image.height - 1, Math.max(0, y));
  const x0 = Math.floor(clampedX);
  const y0 = Math.floor(clampedY);
  const x1 = Math.min(image.width - 1, x0 + 1);
  const y1 = Math.min(image.height - 1, y0 + 1);
  const fx = clampedX - x0;
  const fy = clampedY - y0;
  const at = (column: number, row: number): number => image.data[row * image.width + column] ?? 0;
  const top = at(x0, y0) * (1 - fx) + at(x1, y0) * fx;
  const bottom = at(x0, y1) * (1 - fx) + at(x1, y1) * fx;
  return top * (1 - fy) + bottom * fy;
}

/** Writes one augmented view of `points` (4 floats each), resampled to `pointCount`, into `output` at `offset`. */
export function augmentLidar(points: Float32Array, policy: LidarPolicy, pointCount: number, rng: Rng, output: Float32Array, offset: number): void {
  const available = points.length / POINT_FEATURES;
  const survivors = new Float32Array(points.length);
  let keptCount = 0;
  for (let i = 0; i < available; i++) {
    if (rng.next() < policy.pointDropoutProbability) continue;
    survivors.set(points.subarray(i * POINT_FEATURES, (i + 1) * POINT_FEATURES), keptCount * POINT_FEATURES);
    keptCount++;
  }
  // Dropout must not empty the cloud: keep the original points when it would.
  const source = keptCount === 0 ? points : survivors.subarray(0, keptCount * POINT_FEATURES);
  const resampled = resamplePoints(source, pointCount, rng);

  const degrees = policy.rotationAboutZ.enabled ? (2 * rng.next() - 1) * policy.rotationAboutZ.maxDegrees : 0;
  const cos = Math.cos((degrees * Math.PI) / 180);
  const sin = Math.sin((degrees * Math.PI) / 180);
  const { sigmaMetres, clipMetres } = policy.jitter;
  const jitter = (): number => (sigmaMetres === 0 ? 0 : Math.min(clipMetres, Math.max(-clipMetres, sigmaMetres * gaussian(rng))));

  for (let i = 0; i < pointCount; i++) {
    const base = i * POINT_FEATURES;
    const x = resampled[base]! + jitter();
    const y = resampled[base + 1]! + jitter();
    output[offset + base] = cos * x - sin * y;
    output[offset + base + 1] = sin * x + cos * y;
    output[offset + base + 2] = resampled[base + 2]! + jitter();
    output[offset + base + 3] = resampled[base + 3]!;
  }
}

/** Writes one shifted and rotated view of `raster` (grey values 0..255, at its own size) into `output` at `offset`. */
export function augmentBev(raster: GreyImage, policy: BevPolicy, rng: Rng, output: Float32Array, offset: number): void {
  const augmentation = { maxShiftFraction: policy.maxTranslationFraction, maxRotationDegrees: policy.maxRotationDegrees, brightness: 0, contrast: 0 };
  const transform = drawTransform(augmentation, raster.width, raster.height, rng);
  applyTransform(raster.data, 0, raster.width, raster.height, transform, output, offset);
}

/** Draws a standard normal value (Box-Muller). */
function gaussian(rng: Rng): number {
  const radius = Math.sqrt(-2 * Math.log(1 - rng.next()));
  return radius * Math.cos(2 * Math.PI * rng.next());
}
