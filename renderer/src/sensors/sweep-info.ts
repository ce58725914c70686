import type { WirePoints } from '../../../src/api/sensor-wire.js';
import { availableColorModes, COLOR_MODES, type ColorMode } from './colormap.js';

/** Contents of a loaded sweep, for the colour-mode controls and the inspector. */
export interface SweepInfo {
  pointCount: number;
  /** Columns present, in wire order: x, y, z, then intensity and ring when the sweep has them. */
  fields: string[];
  /** Points the engine dropped because a coordinate was NaN or infinite. */
  droppedNonFinite: number;
  colorModes: ColorMode[];
}

export function describeSweep(points: WirePoints): SweepInfo {
  const fields = ['x', 'y', 'z'];
  if (points.intensity !== null) fields.push('intensity');
  if (points.ring !== null) fields.push('ring');
  return { pointCount: points.count, fields, droppedNonFinite: points.droppedNonFinite, colorModes: availableColorModes(points) };
}

/** Called by a LiDAR view when its sweep has loaded, with the sweep's token. */
export type SweepLoadedHandler = (token: string, info: SweepInfo) => void;

/**
 * Return the colour modes that some loaded sweep lacks, each with the reason. A mode one sweep lacks
 * is disabled for all, so the views of a pair are always coloured the same way.
 */
export function findDisabledModes(sweeps: ReadonlyArray<{ label: string; info: SweepInfo }>): Partial<Record<ColorMode, string>> {
  const disabled: Partial<Record<ColorMode, string>> = {};
  for (const mode of COLOR_MODES) {
    const lacking = sweeps.filter((sweep) => !sweep.info.colorModes.includes(mode)).map((sweep) => sweep.label);
    if (lacking.length > 0) disabled[mode] = `No ${mode} column in ${lacking.join(', ')}.`;
  }
  return disabled;
}
