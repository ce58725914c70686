/**
 * PNG pictures of BEV rasters for the UI, which can show images but not arrays.
 *
 * Rasters store column = x and row = y (see sensors/bev/grid.ts). Shown with row 0 at the top,
 * that would mirror the scene, so both pictures here turn it the right way round. A north-up
 * raster is flipped so that north (+y) is up. An ego raster is rotated so that forward (+x) is up
 * and left (+y) is left, as on a driver's map.
 */
import sharp from 'sharp';

/** Grey levels of a map that a reviewer reads at a glance: empty cells transparent, data from dark to light. */
const DARKEST = 40;
const LIGHTEST = 255;

export interface PngPicture {
  png: Uint8Array;
  width: number;
  height: number;
}

/** Draws an ego raster (density) with forward up. Counts are shown on a log scale, saturating at `saturation`. */
export async function egoDensityPng(values: Float32Array, width: number, height: number, saturation: number): Promise<PngPicture> {
  // Picture rows follow raster columns (x, reversed so forward is up) and picture columns follow raster rows (y, reversed so left is left).
  const pictureWidth = height;
  const pictureHeight = width;
  const rgba = new Uint8Array(pictureWidth * pictureHeight * 4);
  const scale = 1 / Math.log1p(saturation);

  for (let row = 0; row < height; row++) {
    for (let column = 0; column < width; column++) {
      const count = values[row * width + column] ?? 0;
      const pictureRow = width - 1 - column;
      const pictureColumn = height - 1 - row;
      const offset = (pictureRow * pictureWidth + pictureColumn) * 4;
      const level = count > 0 ? DARKEST + (LIGHTEST - DARKEST) * Math.min(1, Math.log1p(count) * scale) : 0;
      rgba[offset] = level;
      rgba[offset + 1] = level;
      rgba[offset + 2] = level;
      rgba[offset + 3] = 255;
    }
  }
  return encode(rgba, pictureWidth, pictureHeight);
}

/** Draws a north-up raster (heights, NaN for no data) with north up. Values are stretched between robust limits. */
export async function northUpHeightPng(values: Float32Array, width: number, height: number): Promise<PngPicture> {
  const [low, high] = robustRange(values);
  const span = high > low ? high - low : 1;
  const rgba = new Uint8Array(width * height * 4);

  for (let row = 0; row < height; row++) {
    const pictureRow = height - 1 - row;
    for (let column = 0; column < width; column++) {
      const value = values[row * width + column] ?? Number.NaN;
      if (!Number.isFinite(value)) continue;
      const offset = (pictureRow * width + column) * 4;
      const level = DARKEST + (LIGHTEST - DARKEST) * Math.min(1, Math.max(0, (value - low) / span));
      rgba[offset] = level;
      rgba[offset + 1] = level;
      rgba[offset + 2] = level;
      rgba[offset + 3] = 255;
    }
  }
  return encode(rgba, width, height);
}

/** Returns the 2nd and 98th percentiles of the finite values, so that a few outliers do not flatten the picture. */
export function robustRange(values: Float32Array): [number, number] {
  const finite = values.filter(Number.isFinite).sort();
  if (finite.length === 0) return [0, 1];
  const at = (share: number): number => finite[Math.min(finite.length - 1, Math.floor(share * finite.length))] ?? 0;
  return [at(0.02), at(0.98)];
}

async function encode(rgba: Uint8Array, width: number, height: number): Promise<PngPicture> {
  const png = await sharp(rgba, { raw: { width, height, channels: 4 } }).png({ compressionLevel: 6 }).toBuffer();
  return { png: new Uint8Array(png.buffer, png.byteOffset, png.byteLength), width, height };
}
