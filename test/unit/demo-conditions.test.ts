// Weather and time of day change the camera image the way a reviewer expects: night is dark, fog
// flattens contrast, rain and snow add streaks and flakes. The LiDAR loses returns in fog.
import { describe, expect, it } from 'vitest';
import { renderCamera, type CameraImage } from '../../src/demo/camera-render.js';
import { GSE_CLASSES } from '../../src/demo/gse.js';
import { buildLayout } from '../../src/demo/layout.js';
import { castLidar } from '../../src/demo/lidar-raycast.js';
import { buildVisitScene } from '../../src/demo/scene.js';
import { planTraversals } from '../../src/demo/traversal.js';
import type { Conditions } from '../../src/demo/types.js';

const layout = buildLayout({ seed: 4, standCount: 4, gseClasses: GSE_CLASSES });
const plan = planTraversals(layout, { visitCount: 1, framesPerStand: 1 });
const scene = buildVisitScene(layout, 0);
const pose = plan.samples[1]!.pose;

function render(conditions: Conditions): CameraImage {
  return renderCamera(scene, pose, { ...conditions, sunAzimuth: 2 }, 11);
}

/** Mean and standard deviation of luma (Rec. 601 weights) over the top `rows` rows, in 8-bit levels. */
function lumaStatistics(image: CameraImage, rows = image.height): { mean: number; deviation: number } {
  const pixels = image.width * rows;
  const luma = new Float64Array(pixels);
  for (let i = 0; i < pixels; i++) luma[i] = 0.299 * image.rgb[i * 3]! + 0.587 * image.rgb[i * 3 + 1]! + 0.114 * image.rgb[i * 3 + 2]!;
  const mean = luma.reduce((sum, value) => sum + value, 0) / pixels;
  const variance = luma.reduce((sum, value) => sum + (value - mean) ** 2, 0) / pixels;
  return { mean, deviation: Math.sqrt(variance) };
}

/** Mean absolute difference per channel between two images of the same size. */
function meanDifference(a: CameraImage, b: CameraImage): number {
  let sum = 0;
  for (let i = 0; i < a.rgb.length; i++) sum += Math.abs(a.rgb[i]! - b.rgb[i]!);
  return sum / a.rgb.length;
}

describe('demo conditions', () => {
  const clearDay = lumaStatistics(render({ weather: 'clear', timeOfDay: 'day' }));

  it('night is far darker than day', () => {
    const night = lumaStatistics(render({ weather: 'clear', timeOfDay: 'night' }));
    expect(clearDay.mean).toBeGreaterThan(100);
    expect(night.mean).toBeLessThan(clearDay.mean / 3);
  });

  it('dusk lies between day and night', () => {
    const dusk = lumaStatistics(render({ weather: 'clear', timeOfDay: 'dusk' }));
    const night = lumaStatistics(render({ weather: 'clear', timeOfDay: 'night' }));
    expect(dusk.mean).toBeLessThan(clearDay.mean);
    expect(dusk.mean).toBeGreaterThan(night.mean);
  });

  it('fog lowers contrast', () => {
    // Rows above 100 show the stands, 15 m and farther. The road just in front stays clear in fog.
    const clear = lumaStatistics(render({ weather: 'clear', timeOfDay: 'day' }), 100);
    const fog = lumaStatistics(render({ weather: 'fog', timeOfDay: 'day' }), 100);
    expect(fog.deviation).toBeLessThan(clear.deviation * 0.5);
  });

  it('rain and snow change the image', () => {
    const clear = render({ weather: 'clear', timeOfDay: 'day' });
    expect(meanDifference(render({ weather: 'rain', timeOfDay: 'day' }), clear)).toBeGreaterThan(10);
    expect(meanDifference(render({ weather: 'snow', timeOfDay: 'day' }), clear)).toBeGreaterThan(10);
  });

  it('lights show at night only', () => {
    // The facade windows are emissive: at night they are brighter than the unlit facade around them.
    const night = render({ weather: 'clear', timeOfDay: 'night' });
    const maxLuma = Math.max(...Array.from({ length: night.width * night.height }, (_, i) => night.rgb[i * 3 + 1]!));
    expect(maxLuma).toBeGreaterThan(200);
  });

  it('fog drops LiDAR returns', () => {
    const clear = castLidar(scene, pose, 'clear', 5);
    const fog = castLidar(scene, pose, 'fog', 5);
    expect(fog.count).toBeLessThan(clear.count * 0.9);
    const spurious = Array.from(fog.labels).filter((label) => label === -2).length;
    expect(spurious).toBeGreaterThan(0);
    expect(Array.from(clear.labels).filter((label) => label === -2)).toHaveLength(0);
  });
});
