/** State of the LiDAR controls, shared by every LiDAR view of one screen. */
import { useMemo, useState } from 'react';
import { CameraLink } from './camera-link.js';
import type { ColorMode } from './colormap.js';
import type { LidarControlsProps } from './LidarControls.js';

export interface LidarSettings {
  colorMode: ColorMode;
  pointSize: number;
  /** The shared camera link while linking is on, else null. */
  link: CameraLink | null;
  resetCount: number;
  /** Props for `LidarControls`, minus the disabled modes, which depend on the loaded sweeps. */
  controls: Omit<LidarControlsProps, 'disabledModes' | 'canLink'>;
}

export function useLidarSettings(): LidarSettings {
  const [colorMode, setColorMode] = useState<ColorMode>('height');
  const [pointSize, setPointSize] = useState(2);
  const [linked, setLinked] = useState(true);
  const [resetCount, setResetCount] = useState(0);
  const link = useMemo(() => new CameraLink(), []);

  return {
    colorMode,
    pointSize,
    link: linked ? link : null,
    resetCount,
    controls: {
      colorMode,
      pointSize,
      linked,
      onColorModeChange: setColorMode,
      onPointSizeChange: setPointSize,
      onLinkedChange: setLinked,
      onResetView: () => setResetCount((count) => count + 1),
    },
  };
}
