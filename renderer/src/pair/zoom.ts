/**
 * Image zoom of the pair view. Images are never shrunk: small rasters (151x151 BEV, 64x32
 * frames) are enlarged by a whole factor with pixelated scaling, so each source pixel stays a
 * sharp square.
 */

export type Zoom = 'auto' | 1 | 2 | 4 | 8;

export const ZOOM_STEPS: readonly Zoom[] = ['auto', 1, 2, 4, 8];

/** Target length in CSS pixels of an image's longer side under auto zoom. */
const AUTO_TARGET_PIXELS = 384;
const MAX_FACTOR = 8;

/** Return the whole factor that brings the longer side closest to the target from below, at least 1. */
export function autoZoomFactor(width: number, height: number): number {
  const longer = Math.max(width, height, 1);
  return Math.min(MAX_FACTOR, Math.max(1, Math.floor(AUTO_TARGET_PIXELS / longer)));
}

export function zoomFactor(zoom: Zoom, width: number, height: number): number {
  return zoom === 'auto' ? autoZoomFactor(width, height) : zoom;
}

export function nextZoom(zoom: Zoom): Zoom {
  const index = ZOOM_STEPS.indexOf(zoom);
  return ZOOM_STEPS[(index + 1) % ZOOM_STEPS.length] ?? 'auto';
}

export function zoomLabel(zoom: Zoom): string {
  return zoom === 'auto' ? 'auto' : `×${zoom}`;
}
