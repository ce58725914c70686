import { formatCount } from '../format.js';
import { turboCss, type AppliedColoring, type ColorMode } from './colormap.js';

const GRADIENT_STOPS = 11;

/** CSS gradient of the turbo map from 0 (left) to 1 (right), or reversed. */
export function turboGradient(reversed = false): string {
  const stops = Array.from({ length: GRADIENT_STOPS }, (_, index) => {
    const t = index / (GRADIENT_STOPS - 1);
    return `${turboCss(reversed ? 1 - t : t)} ${Math.round(t * 100)}%`;
  });
  return `linear-gradient(to right, ${stops.join(', ')})`;
}

const UNITS: Record<ColorMode, string> = { height: 'm', intensity: '', range: 'm', ring: '' };

/** Legend of a LiDAR view: point count, colour mode and the value range its colours span. */
export function ColorLegend({ pointCount, requested, coloring }: { pointCount: number; requested: ColorMode; coloring: AppliedColoring }) {
  const unit = UNITS[coloring.mode];
  return (
    <div className="sensor-legend">
      <span>{formatCount(pointCount)} points</span>
      {coloring.mode !== requested && <span className="muted">no {requested} column, coloured by {coloring.mode}</span>}
      {coloring.range === null ? (
        <span>{coloring.mode}: 12-colour cycle</span>
      ) : (
        <span className="legend-scale">
          {coloring.mode} {formatLegendValue(coloring.range.min)}
          <span className="legend-gradient" style={{ background: turboGradient(coloring.nearIsWarm) }} />
          {formatLegendValue(coloring.range.max)}
          {unit !== '' && ` ${unit}`}
        </span>
      )}
    </div>
  );
}

export function formatLegendValue(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(1);
}
