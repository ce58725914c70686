import { useRef, type ReactNode } from 'react';
import type { FileRef, LidarRef, SampleView } from '../../../src/api/contract.js';
import { BevView } from './BevView.js';
import { CameraView } from './CameraView.js';
import { useLidarSettings, type LidarSettings } from './lidar-settings.js';
import { LidarControls } from './LidarControls.js';
import { LidarView } from './LidarView.js';
import { matchByName, type MatchedRow } from './pair-matching.js';
import { findDisabledModes, type SweepInfo, type SweepLoadedHandler } from './sweep-info.js';
import { useSweepInfos } from './use-sweep-infos.js';
import { useDescendantState } from './use-descendant-state.js';

export interface PairModalitiesProps {
  sampleA: SampleView;
  sampleB: SampleView;
  onSweepLoaded?: SweepLoadedHandler;
}

/**
 * Both samples of a pair, one row per sensor with A on the left and B on the right, so a reviewer
 * compares like with like. Cameras, sweeps and BEV rasters are matched by name where the names
 * agree, else in order. Both LiDAR views share one set of controls and, while linked, one camera.
 *
 * The root carries `data-samples="<A id> <B id>"` and `data-state`, which turns `ready` once every
 * view of these two samples is drawn: a benchmark times a key press to that state.
 */
export function PairModalities({ sampleA, sampleB, onSweepLoaded }: PairModalitiesProps) {
  const rootRef = useRef<HTMLDivElement>(null);
  const settings = useLidarSettings();
  const sweeps = useSweepInfos([...sampleA.lidar, ...sampleB.lidar].map((lidar) => lidar.token));
  const samplesKey = `${sampleA.sampleId} ${sampleB.sampleId}`;
  const state = useDescendantState(rootRef, samplesKey);

  const cameraRows = matchByName(cameras(sampleA), cameras(sampleB));
  const lidarRows = matchByName(sampleA.lidar, sampleB.lidar);
  const bevRows = matchByName(rasters(sampleA), rasters(sampleB));
  const handleSweepLoaded: SweepLoadedHandler = (token, info) => {
    sweeps.record(token, info);
    onSweepLoaded?.(token, info);
  };
  const loadedSweeps = [
    ...labelSweeps('sample A', sampleA.lidar, sweeps.byToken),
    ...labelSweeps('sample B', sampleB.lidar, sweeps.byToken),
  ];
  const empty = cameraRows.length === 0 && lidarRows.length === 0 && bevRows.length === 0;

  return (
    <div ref={rootRef} className="pair-modalities" data-state={state} data-samples={samplesKey}>
      {empty && <p className="muted">Neither sample has a camera image, LiDAR sweep or BEV raster.</p>}

      {cameraRows.map((row, index) => (
        <ModalityRow key={`camera-${index}`} title={`Camera ${rowName(row)}`}>
          {row.a !== null ? <CameraView file={row.a} sampleId={sampleA.sampleId} /> : <Missing side="A" modality="camera image" />}
          {row.b !== null ? <CameraView file={row.b} sampleId={sampleB.sampleId} /> : <Missing side="B" modality="camera image" />}
        </ModalityRow>
      ))}

      {lidarRows.length > 0 && (
        <LidarControls {...settings.controls} disabledModes={findDisabledModes(loadedSweeps)} canLink={true} />
      )}
      {lidarRows.map((row, index) => (
        // Keyed by position: the next pair's sweeps reuse these views' renderers instead of new WebGL contexts.
        <ModalityRow key={`lidar-${index}`} title={`LiDAR ${rowName(row)}`}>
          {row.a !== null ? <PairLidarView lidar={row.a} settings={settings} onSweepLoaded={handleSweepLoaded} /> : <Missing side="A" modality="LiDAR sweep" />}
          {row.b !== null ? <PairLidarView lidar={row.b} settings={settings} onSweepLoaded={handleSweepLoaded} /> : <Missing side="B" modality="LiDAR sweep" />}
        </ModalityRow>
      ))}

      {bevRows.map((row, index) => (
        <ModalityRow key={`bev-${index}`} title={`BEV ${rowName(row)}`}>
          {row.a !== null ? <BevView file={row.a} sampleId={sampleA.sampleId} /> : <Missing side="A" modality="BEV raster" />}
          {row.b !== null ? <BevView file={row.b} sampleId={sampleB.sampleId} /> : <Missing side="B" modality="BEV raster" />}
        </ModalityRow>
      ))}
    </div>
  );
}

function PairLidarView({ lidar, settings, onSweepLoaded }: { lidar: LidarRef; settings: LidarSettings; onSweepLoaded: SweepLoadedHandler }) {
  return (
    <LidarView
      lidar={lidar}
      colorMode={settings.colorMode}
      pointSize={settings.pointSize}
      link={settings.link}
      resetCount={settings.resetCount}
      onSweepLoaded={onSweepLoaded}
    />
  );
}

function ModalityRow({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="modality-row" aria-label={title}>
      <h3>{title}</h3>
      <div className="modality-pair">{children}</div>
    </section>
  );
}

function Missing({ side, modality }: { side: 'A' | 'B'; modality: string }) {
  return <p className="modality-missing muted">Sample {side} has no {modality}.</p>;
}

function rowName(row: MatchedRow<{ name: string }>): string {
  const a = row.a?.name;
  const b = row.b?.name;
  if (a !== undefined && b !== undefined && a !== b) return `${a} / ${b}`;
  return a ?? b ?? '';
}

function cameras(sample: SampleView): FileRef[] {
  return sample.images.filter((file) => file.kind === 'camera');
}

function rasters(sample: SampleView): FileRef[] {
  return sample.images.filter((file) => file.kind === 'bev');
}

function labelSweeps(side: string, lidar: readonly LidarRef[], byToken: Readonly<Record<string, SweepInfo>>): Array<{ label: string; info: SweepInfo }> {
  return lidar.flatMap((ref) => {
    const info = byToken[ref.token];
    return info === undefined ? [] : [{ label: lidar.length > 1 ? `${side} (${ref.name})` : side, info }];
  });
}
