/**
 * Surface materials of the demo scene. Reflectivities are rough LiDAR values at normal incidence:
 * dark asphalt returns little, white paint and painted metal more, retroreflective cone bands most.
 */
import type { Material, Rgb } from './types.js';

export const ASPHALT: Material = { albedo: [0.16, 0.16, 0.17], reflectivity: 0.12 };
export const CONCRETE: Material = { albedo: [0.4, 0.4, 0.39], reflectivity: 0.3 };
export const GRASS: Material = { albedo: [0.2, 0.3, 0.15], reflectivity: 0.2 };
export const YELLOW_PAINT: Material = { albedo: [0.85, 0.7, 0.1], reflectivity: 0.65 };
export const WHITE_PAINT: Material = { albedo: [0.9, 0.9, 0.88], reflectivity: 0.7 };
export const RED_PAINT: Material = { albedo: [0.7, 0.12, 0.1], reflectivity: 0.5 };

export const FACADE: Material = { albedo: [0.45, 0.38, 0.32], reflectivity: 0.35 };
/** Glazing: dark by day, lit warm at dusk and night. */
export const WINDOW: Material = { albedo: [0.12, 0.18, 0.25], reflectivity: 0.08, emissive: [0.9, 0.8, 0.55] };
export const STEEL: Material = { albedo: [0.45, 0.46, 0.48], reflectivity: 0.4 };
export const FLOODLIGHT: Material = { albedo: [0.8, 0.8, 0.75], reflectivity: 0.5, emissive: [1.6, 1.55, 1.35] };
export const SIGN_BOARD: Material = { albedo: [0.08, 0.08, 0.1], reflectivity: 0.1 };
export const SIGN_DIGIT: Material = { albedo: [0.95, 0.8, 0.1], reflectivity: 0.6, emissive: [1.2, 1.0, 0.2] };

export const TYRE: Material = { albedo: [0.06, 0.06, 0.06], reflectivity: 0.05 };
export const CAB_GLASS: Material = { albedo: [0.1, 0.12, 0.15], reflectivity: 0.1 };
export const BEACON: Material = { albedo: [0.6, 0.1, 0.1], reflectivity: 0.3, emissive: [1.5, 0.15, 0.1] };
export const CONE_ORANGE: Material = { albedo: [0.95, 0.35, 0.05], reflectivity: 0.9 };

export function paint(albedo: Rgb, reflectivity = 0.45): Material {
  return { albedo, reflectivity };
}
