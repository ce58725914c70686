import type { SampleView } from '../../../src/api/contract.js';

/**
 * Returns true when the sample has data that only the sensor views show: a LiDAR sweep or a map
 * overlay. Image-only samples keep the plain image panels, whose zoom shows small rasters pixel by pixel.
 */
export function hasSensorViews(sample: SampleView): boolean {
  return sample.lidar.length > 0 || sample.images.some((image) => image.mapToken !== null || image.projections.length > 0);
}
