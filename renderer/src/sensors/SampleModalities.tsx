import { useRef } from 'react';
import type { SampleView } from '../../../src/api/contract.js';
import { BevView } from './BevView.js';
import { CameraView } from './CameraView.js';
import { useLidarSettings } from './lidar-settings.js';
import { LidarControls } from './LidarControls.js';
import { LidarView } from './LidarView.js';
import { findDisabledModes, type SweepLoadedHandler } from './sweep-info.js';
import { useSweepInfos } from './use-sweep-infos.js';
import { useDescendantState } from './use-descendant-state.js';

/**
 * Shows every modality of one sample: its camera images with projected points, its LiDAR sweeps and its
 * BEV rasters (files and rasters computed from a sweep). Empty sections are left out. The root's
 * `data-state` is `ready` once every view in it is.
 */
export function SampleModalities({ sample, onSweepLoaded }: { sample: SampleView; onSweepLoaded?: SweepLoadedHandler }) {
  const rootRef = useRef<HTMLDivElement>(null);
  const settings = useLidarSettings();
  const sweeps = useSweepInfos(sample.lidar.map((lidar) => lidar.token));
  const state = useDescendantState(rootRef, sample.sampleId);
  const cameras = sample.images.filter((file) => file.kind === 'camera');
  const rasters = sample.images.filter((file) => file.kind === 'bev');

  const handleSweepLoaded: SweepLoadedHandler = (token, info) => {
    sweeps.record(token, info);
    onSweepLoaded?.(token, info);
  };
  const loadedSweeps = sample.lidar.flatMap((lidar) => {
    const info = sweeps.byToken[lidar.token];
    return info === undefined ? [] : [{ label: `sweep ${lidar.name}`, info }];
  });

  return (
    <div ref={rootRef} className="sample-modalities" data-state={state} data-sample={sample.sampleId}>
      {sample.images.length === 0 && sample.lidar.length === 0 && <p className="muted">This sample has no camera image, LiDAR sweep or BEV raster.</p>}

      {cameras.length > 0 && (
        <section className="modality-section" aria-label="Camera">
          <h3>Camera</h3>
          <div className="modality-grid">
            {cameras.map((file) => (
              <CameraView key={file.token} file={file} sampleId={sample.sampleId} />
            ))}
          </div>
        </section>
      )}

      {sample.lidar.length > 0 && (
        <section className="modality-section" aria-label="LiDAR">
          <h3>LiDAR</h3>
          <LidarControls {...settings.controls} disabledModes={findDisabledModes(loadedSweeps)} canLink={sample.lidar.length > 1} />
          <div className="modality-grid lidar-grid">
            {sample.lidar.map((lidar, index) => (
              <LidarView
                // Keyed by position: the next sample's sweep reuses this view's renderer instead of a new WebGL context.
                key={index}
                lidar={lidar}
                colorMode={settings.colorMode}
                pointSize={settings.pointSize}
                link={settings.link}
                resetCount={settings.resetCount}
                onSweepLoaded={handleSweepLoaded}
              />
            ))}
          </div>
        </section>
      )}

      {rasters.length > 0 && (
        <section className="modality-section" aria-label="BEV">
          <h3>BEV</h3>
          <div className="modality-grid">
            {rasters.map((file) => (
              <BevView key={file.token} file={file} sampleId={sample.sampleId} />
            ))}
          </div>
        </section>
      )}
    </div>
  );
}
