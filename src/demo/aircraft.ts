/**
 * Parked aircraft built from boxes: fuselage, wings, engines, fin and tailplane, with a red beacon
 * on top. Sizes follow common types of each class (narrow-body about an A320, regional about a
 * CRJ900 with rear engines and a T-tail), except that the wide-body is scaled to fit a 65 m stand.
 */
import { BEACON, STEEL, paint } from './materials.js';
import type { PartTemplate } from './gse.js';
import type { Rgb } from './types.js';

export const AIRCRAFT_TYPES = ['aircraft-narrow-body', 'aircraft-wide-body', 'aircraft-regional'] as const;
export type AircraftType = (typeof AIRCRAFT_TYPES)[number];

interface AircraftShape {
  length: number;
  span: number;
  fuselageDiameter: number;
  /** Height of the fuselage's underside above the ground. */
  fuselageClearance: number;
  finHeight: number;
  tailplaneSpan: number;
  rearEngines: boolean;
}

export const AIRCRAFT_SHAPES: Record<AircraftType, AircraftShape> = {
  'aircraft-narrow-body': { length: 37.6, span: 34.1, fuselageDiameter: 3.9, fuselageClearance: 1.3, finHeight: 6.4, tailplaneSpan: 12.5, rearEngines: false },
  'aircraft-wide-body': { length: 56, span: 56, fuselageDiameter: 5.6, fuselageClearance: 1.8, finHeight: 8.6, tailplaneSpan: 18, rearEngines: false },
  'aircraft-regional': { length: 36.2, span: 24.9, fuselageDiameter: 2.7, fuselageClearance: 1.0, finHeight: 5.0, tailplaneSpan: 8.5, rearEngines: true },
};

/** Builds one aircraft in its own frame (x towards the nose), with `tail` as the fin colour. */
export function aircraftParts(type: AircraftType, tail: Rgb): PartTemplate[] {
  const shape = AIRCRAFT_SHAPES[type];
  const fuselage = paint([0.92, 0.92, 0.93], 0.55);
  const fin = paint(tail, 0.5);
  const diameter = shape.fuselageDiameter;
  const fuselageZ = shape.fuselageClearance + diameter / 2;
  const top = shape.fuselageClearance + diameter;
  const chord = shape.length * 0.14;
  const finChord = shape.length * 0.14;
  const tailX = -shape.length / 2 + finChord / 2 + 0.5;

  const parts: PartTemplate[] = [
    { x: 0, y: 0, z: fuselageZ, length: shape.length, width: diameter, height: diameter, material: fuselage },
    // Nose gear and main gear as dark struts, so that the fuselage does not float.
    { x: shape.length * 0.38, y: 0, z: shape.fuselageClearance / 2, length: 0.6, width: 0.6, height: shape.fuselageClearance, material: STEEL },
    { x: -shape.length * 0.05, y: 0, z: shape.fuselageClearance / 2, length: 1.2, width: diameter * 1.6, height: shape.fuselageClearance, material: STEEL },
    { x: tailX, y: 0, z: top + shape.finHeight / 2, length: finChord, width: 0.4, height: shape.finHeight, material: fin },
    { x: 0.1 * shape.length, y: 0, z: top + 0.2, length: 0.4, width: 0.4, height: 0.4, material: BEACON },
  ];

  if (shape.rearEngines) {
    // Low wing, engines on the rear fuselage, tailplane on top of the fin (T-tail).
    parts.push({ x: -shape.length * 0.02, y: 0, z: shape.fuselageClearance + 0.3, length: chord, width: shape.span, height: 0.4, material: fuselage });
    for (const side of [-1, 1]) {
      parts.push({ x: -shape.length * 0.33, y: side * (diameter / 2 + 0.9), z: fuselageZ + 0.4, length: 4.2, width: 1.5, height: 1.5, material: STEEL });
    }
    parts.push({ x: tailX - 0.5, y: 0, z: top + shape.finHeight, length: finChord * 0.7, width: shape.tailplaneSpan, height: 0.3, material: fin });
  } else {
    parts.push({ x: -shape.length * 0.02, y: 0, z: shape.fuselageClearance + 0.5, length: chord, width: shape.span, height: 0.5, material: fuselage });
    const engineDiameter = diameter * 0.5;
    for (const side of [-1, 1]) {
      parts.push({
        x: shape.length * 0.04,
        y: side * shape.span * 0.17,
        z: shape.fuselageClearance + 0.2,
        length: engineDiameter * 1.8,
        width: engineDiameter,
        height: engineDiameter,
        material: STEEL,
      });
    }
    parts.push({ x: tailX - 0.5, y: 0, z: fuselageZ + 0.3, length: finChord * 0.7, width: shape.tailplaneSpan, height: 0.3, material: fuselage });
  }
  return parts;
}
