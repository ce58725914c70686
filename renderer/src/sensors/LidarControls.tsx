import { useId } from 'react';
import { COLOR_MODES, type ColorMode } from './colormap.js';

export const MIN_POINT_SIZE = 1;
export const MAX_POINT_SIZE = 6;

export interface LidarControlsProps {
  colorMode: ColorMode;
  /** For each mode that cannot be chosen, the reason shown on its option, e.g. "Sample B's sweep has no ring column". */
  disabledModes: Partial<Record<ColorMode, string>>;
  /** Point size in CSS pixels. */
  pointSize: number;
  linked: boolean;
  /** Hides the link checkbox when there is only one view to link. */
  canLink: boolean;
  onColorModeChange(mode: ColorMode): void;
  onPointSizeChange(size: number): void;
  onLinkedChange(linked: boolean): void;
  onResetView(): void;
}

/** Controls shared by LiDAR views: colour mode, point size, linked cameras and a view reset. State lives in the parent. */
export function LidarControls(props: LidarControlsProps) {
  const id = useId();
  return (
    <div className="lidar-controls" role="group" aria-label="LiDAR view controls">
      <label htmlFor={`${id}-mode`}>Colour by</label>
      <select id={`${id}-mode`} value={props.colorMode} onChange={(event) => props.onColorModeChange(event.currentTarget.value as ColorMode)}>
        {COLOR_MODES.map((mode) => {
          const reason = props.disabledModes[mode];
          return (
            <option key={mode} value={mode} disabled={reason !== undefined} title={reason}>
              {mode}
              {reason !== undefined ? ' (not available)' : ''}
            </option>
          );
        })}
      </select>

      <label htmlFor={`${id}-size`}>Point size</label>
      <input
        id={`${id}-size`}
        type="range"
        min={MIN_POINT_SIZE}
        max={MAX_POINT_SIZE}
        step={0.5}
        value={props.pointSize}
        onChange={(event) => props.onPointSizeChange(Number(event.currentTarget.value))}
      />
      <span className="mono">{props.pointSize} px</span>

      {props.canLink && (
        <label>
          <input type="checkbox" checked={props.linked} onChange={(event) => props.onLinkedChange(event.currentTarget.checked)} /> Link views
        </label>
      )}
      <button type="button" onClick={props.onResetView}>
        Reset view
      </button>
    </div>
  );
}
