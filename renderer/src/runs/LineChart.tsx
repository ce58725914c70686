/** A small SVG line chart: a few series over steps, with the axes' ranges printed. */
import { valueRange } from './value-range.js';

export interface Series {
  label: string;
  /** A CSS class that sets the stroke colour (see `/* Runs *\/` in styles.css). */
  className: string;
  points: Array<{ x: number; y: number }>;
  dashed?: boolean;
}

const WIDTH = 480;
/** Dash pattern of dashed series, in the chart's user units; the legend swatch repeats it. */
const DASH = '4 3';
const HEIGHT = 180;
const PAD = 8;

export function LineChart({ title, series, yLabel }: { title: string; series: Series[]; yLabel?: string }) {
  const all = series.flatMap((entry) => entry.points).filter((point) => Number.isFinite(point.y));
  if (all.length === 0) {
    return (
      <figure className="line-chart">
        <figcaption>{title}</figcaption>
        <p className="muted">No values yet.</p>
      </figure>
    );
  }

  const xMin = Math.min(...all.map((point) => point.x));
  const xMax = Math.max(...all.map((point) => point.x));
  const [yMin, yMax] = valueRange(all.map((point) => point.y));
  const x = (value: number): number => PAD + ((value - xMin) / Math.max(1, xMax - xMin)) * (WIDTH - 2 * PAD);
  const y = (value: number): number => HEIGHT - PAD - ((value - yMin) / (yMax - yMin)) * (HEIGHT - 2 * PAD);

  return (
    <figure className="line-chart">
      <figcaption>
        {title}
        {yLabel !== undefined && <span className="muted"> ({yLabel})</span>}
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title}>
        <rect x="0" y="0" width={WIDTH} height={HEIGHT} className="chart-frame" />
        {series.map((entry) => (
          <polyline
            key={entry.label}
            className={`chart-line ${entry.className}`}
            strokeDasharray={entry.dashed === true ? DASH : undefined}
            points={entry.points
              .filter((point) => Number.isFinite(point.y))
              .map((point) => `${x(point.x).toFixed(1)},${y(point.y).toFixed(1)}`)
              .join(' ')}
          />
        ))}
      </svg>
      <div className="chart-axes muted">
        <span>
          {formatTick(yMin)} to {formatTick(yMax)}
        </span>
        <span>
          step {xMin} to {xMax}
        </span>
      </div>
      <ul className="chart-legend">
        {series.map((entry) => (
          <li key={entry.label}>
            <Swatch entry={entry} /> {entry.label}
          </li>
        ))}
      </ul>
    </figure>
  );
}

function formatTick(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

/** Draws the legend mark of a series: a solid bar, or a dashed line drawn like the series itself. */
function Swatch({ entry }: { entry: Series }) {
  if (entry.dashed !== true) return <span className={`chart-swatch ${entry.className}`} aria-hidden="true" />;
  return (
    <svg className="chart-swatch" width="14" height="3" viewBox="0 0 14 3" aria-hidden="true">
      <line x1="0" y1="1.5" x2="14" y2="1.5" className={entry.className} strokeWidth="3" strokeDasharray={DASH} />
    </svg>
  );
}
