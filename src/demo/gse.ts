/**
 * Ground-support equipment (GSE) classes: sizes and the boxes each vehicle is built from.
 *
 * Some classes are look-alikes on purpose, because the demo exists to curate hard negatives. The
 * fuel truck and the catering truck share a cab and almost the same length, width and height. The
 * baggage tug is about the size of the belt loader's base.
 */
import { CAB_GLASS, CONE_ORANGE, STEEL, TYRE, paint } from './materials.js';
import type { Material, Rgb } from './types.js';

export const GSE_CLASSES = ['baggage-tug', 'belt-loader', 'baggage-dolly', 'cone', 'fuel-truck', 'catering-truck'] as const;
export type GseClass = (typeof GSE_CLASSES)[number];

/** A box in an object's own frame: x forward, y left, z up, origin on the ground under the object's centre. */
export interface PartTemplate {
  x: number;
  y: number;
  z: number;
  length: number;
  width: number;
  height: number;
  pitch?: number;
  material: Material;
}

/** Paint colours a class comes in. Each physical vehicle keeps one for all visits. */
export const GSE_LIVERIES: Record<GseClass, Rgb[]> = {
  'baggage-tug': [[0.85, 0.65, 0.1], [0.9, 0.9, 0.88], [0.2, 0.35, 0.6]],
  'belt-loader': [[0.85, 0.65, 0.1], [0.9, 0.9, 0.88], [0.2, 0.35, 0.6]],
  'baggage-dolly': [[0.4, 0.42, 0.45], [0.25, 0.3, 0.5], [0.5, 0.2, 0.15]],
  cone: [[0.95, 0.35, 0.05]],
  'fuel-truck': [[0.88, 0.88, 0.86], [0.8, 0.82, 0.84]],
  'catering-truck': [[0.9, 0.9, 0.88], [0.86, 0.86, 0.84]],
};

/** Wheels under a chassis: two boxes spanning the width, one near each end. */
function axles(length: number, width: number, radius: number): PartTemplate[] {
  const offset = length / 2 - radius - 0.2;
  return [-offset, offset].map((x) => ({ x, y: 0, z: radius, length: radius * 2, width: width + 0.1, height: radius * 2, material: TYRE }));
}

/** Builds the parts of one vehicle of `gseClass` painted in `livery`. */
export function gseParts(gseClass: GseClass, livery: Rgb): PartTemplate[] {
  const body = paint(livery);
  switch (gseClass) {
    case 'baggage-tug':
      // 3.0 x 1.5 x 1.7 m: a low chassis with a driver cab at the rear.
      return [
        ...axles(3.0, 1.4, 0.3),
        { x: 0, y: 0, z: 0.6, length: 3.0, width: 1.5, height: 0.7, material: body },
        { x: -0.7, y: 0, z: 1.3, length: 1.2, width: 1.4, height: 0.8, material: CAB_GLASS },
      ];
    case 'belt-loader':
      // A base close to the tug's size, plus a conveyor belt rising 16 degrees towards the hold door.
      return [
        ...axles(3.2, 1.5, 0.3),
        { x: -1.6, y: 0, z: 0.65, length: 3.2, width: 1.6, height: 0.7, material: body },
        { x: -2.3, y: 0.3, z: 1.35, length: 0.9, width: 0.9, height: 0.7, material: CAB_GLASS },
        { x: 0.2, y: -0.2, z: 1.75, length: 7.0, width: 0.8, height: 0.25, pitch: (16 * Math.PI) / 180, material: STEEL },
      ];
    case 'baggage-dolly':
      // 3.0 x 1.5 m cart with a load of bags and a tow bar.
      return [
        ...axles(3.0, 1.4, 0.2),
        { x: 0, y: 0, z: 0.5, length: 3.0, width: 1.5, height: 0.2, material: body },
        { x: 0, y: 0, z: 0.95, length: 2.6, width: 1.3, height: 0.7, material: paint([0.3, 0.25, 0.2], 0.3) },
        { x: 1.9, y: 0, z: 0.35, length: 0.8, width: 0.1, height: 0.08, material: STEEL },
      ];
    case 'cone':
      return [
        { x: 0, y: 0, z: 0.025, length: 0.4, width: 0.4, height: 0.05, material: CONE_ORANGE },
        { x: 0, y: 0, z: 0.4, length: 0.26, width: 0.26, height: 0.7, material: CONE_ORANGE },
      ];
    case 'fuel-truck':
      // 10.0 x 2.5 x 3.3 m: cab in front, a tank behind it.
      return [
        ...axles(9.6, 2.3, 0.5),
        { x: 0, y: 0, z: 0.8, length: 9.8, width: 2.2, height: 0.6, material: STEEL },
        { x: 3.9, y: 0, z: 1.9, length: 2.2, width: 2.5, height: 2.2, material: body },
        { x: 4.6, y: 0, z: 2.3, length: 0.8, width: 2.3, height: 0.9, material: CAB_GLASS },
        { x: -1.1, y: 0, z: 2.15, length: 7.2, width: 2.4, height: 2.3, material: body },
      ];
    case 'catering-truck':
      // 9.6 x 2.5 x 3.6 m: the same cab, and a box body on a scissor lift with a front platform.
      return [
        ...axles(9.2, 2.3, 0.5),
        { x: 0, y: 0, z: 0.8, length: 9.4, width: 2.2, height: 0.6, material: STEEL },
        { x: 3.7, y: 0, z: 1.9, length: 2.2, width: 2.5, height: 2.2, material: body },
        { x: 4.4, y: 0, z: 2.3, length: 0.8, width: 2.3, height: 0.9, material: CAB_GLASS },
        { x: -1.2, y: 0, z: 2.3, length: 6.8, width: 2.5, height: 2.6, material: body },
        { x: 2.45, y: 0, z: 3.45, length: 0.3, width: 2.4, height: 0.3, material: STEEL },
      ];
  }
}
