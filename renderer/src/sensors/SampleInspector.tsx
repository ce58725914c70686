import type { CalibrationSummary, SampleView } from '../../../src/api/contract.js';
import { formatCount, formatValue } from '../format.js';
import { formatMatrixValue, intrinsicColumns, matrixRows, orderMetadataFields } from './inspector-fields.js';
import type { SweepInfo } from './sweep-info.js';

export interface SampleInspectorProps {
  sample: SampleView;
  /** A second sample shown beside the first, with differing metadata rows highlighted. */
  other?: SampleView;
  /** Loaded sweeps by token, from the LiDAR views' `onSweepLoaded`; a sweep not in it shows as not loaded. */
  sweeps?: Readonly<Record<string, SweepInfo>>;
}

/** Everything known about one sample, or two side by side: metadata, files, sweeps, calibrations and warnings. */
export function SampleInspector({ sample, other, sweeps = {} }: SampleInspectorProps) {
  const samples = other === undefined ? [sample] : [sample, other];
  return (
    <div className="sample-inspector">
      <MetadataRows samples={samples} />
      <div className={samples.length > 1 ? 'inspector-columns two' : 'inspector-columns'}>
        {samples.map((shown, index) => (
          <SampleDetails key={index} sample={shown} label={samples.length > 1 ? sideLabel(index) : null} sweeps={sweeps} />
        ))}
      </div>
    </div>
  );
}

function sideLabel(index: number): string {
  return index === 0 ? 'A' : 'B';
}

function MetadataRows({ samples }: { samples: SampleView[] }) {
  const compare = samples.length > 1;
  return (
    <table className="data-table metadata-table inspector-metadata">
      <caption>Metadata</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          {samples.map((sample, index) => (
            <th key={index} scope="col">
              {compare ? sideLabel(index) : 'Value'}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {orderMetadataFields(samples).map((field) => {
          const values = samples.map((sample) => formatValue(sample.metadata[field]));
          const differs = compare && values.some((value) => value !== values[0]);
          return (
            <tr key={field} className={differs ? 'differs' : undefined}>
              <th scope="row">{field}</th>
              {values.map((value, index) => (
                <td key={index} className="mono">
                  {value}
                </td>
              ))}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function SampleDetails({ sample, label, sweeps }: { sample: SampleView; label: string | null; sweeps: Readonly<Record<string, SweepInfo>> }) {
  return (
    <section className="inspector-sample" aria-label={`Details of sample ${label ?? sample.sampleId}`}>
      <h3>
        {label !== null && <span className="side-label">{label}</span>} <span className="mono">{sample.sampleId}</span>
      </h3>

      {sample.warnings.length > 0 && (
        <ul className="inspector-warnings" aria-label="Warnings">
          {sample.warnings.map((warning, index) => (
            <li key={index}>{warning}</li>
          ))}
        </ul>
      )}

      <table className="data-table">
        <caption>Files</caption>
        <thead>
          <tr>
            <th scope="col">Modality</th>
            <th scope="col">Name</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {sample.images.map((file) => (
            <tr key={file.token}>
              <td>{file.kind}</td>
              <td className="mono">{file.name}</td>
              <td>{describeImage(file)}</td>
            </tr>
          ))}
          {sample.lidar.map((lidar) => (
            <tr key={lidar.token}>
              <td>lidar</td>
              <td className="mono">{lidar.name}</td>
              <td>{describeSweepRow(lidar.format, sweeps[lidar.token])}</td>
            </tr>
          ))}
          {sample.images.length === 0 && sample.lidar.length === 0 && (
            <tr>
              <td colSpan={3} className="muted">
                No files.
              </td>
            </tr>
          )}
        </tbody>
      </table>

      {sample.calibrations.length === 0 ? (
        <p className="muted">No camera calibration.</p>
      ) : (
        sample.calibrations.map((calibration) => <CalibrationDetails key={calibration.camera} calibration={calibration} />)
      )}
    </section>
  );
}

function describeImage(file: SampleView['images'][number]): string {
  const parts = [file.source === 'lidar' ? 'computed from the LiDAR sweep' : 'file'];
  if (file.width !== null && file.height !== null) parts.push(`${file.width}×${file.height} px`);
  if (file.kind === 'camera') parts.push(file.projections.length > 0 ? `projections: ${file.projections.map((p) => p.lidarName).join(', ')}` : 'no projection');
  if (file.metresPerPixel !== null) parts.push(`${file.metresPerPixel} m/px`);
  if (file.mapToken !== null) parts.push('vector map');
  if (file.egoPixel !== null) parts.push(`ego at column ${file.egoPixel.column}, row ${file.egoPixel.row}`);
  return parts.join(' · ');
}

function describeSweepRow(format: string, info: SweepInfo | undefined): string {
  if (info === undefined) return `${format} · not loaded yet`;
  const parts = [format, `${formatCount(info.pointCount)} points`, `fields ${info.fields.join(', ')}`];
  if (info.droppedNonFinite > 0) parts.push(`${formatCount(info.droppedNonFinite)} non-finite points dropped`);
  return parts.join(' · ');
}

function CalibrationDetails({ calibration }: { calibration: CalibrationSummary }) {
  return (
    <div className="inspector-calibration">
      <h4>
        Calibration of camera <span className="mono">{calibration.camera}</span>
      </h4>
      <dl className="facts">
        <dt>Calibration</dt>
        <dd className="mono">{calibration.calibrationId}</dd>
        <dt>Format</dt>
        <dd>{calibration.format}</dd>
        <dt>Image size</dt>
        <dd>
          {calibration.imageWidth}×{calibration.imageHeight} px
        </dd>
        <dt>Distortion</dt>
        <dd className="mono">{calibration.distortion === null ? 'none' : calibration.distortion.map(formatMatrixValue).join(', ')}</dd>
      </dl>
      <div className="matrix-pair">
        <Matrix caption="Intrinsic" values={calibration.intrinsic} columns={intrinsicColumns(calibration.intrinsic)} />
        <Matrix caption="LiDAR to camera" values={calibration.lidarToCamera} columns={4} />
      </div>
    </div>
  );
}

function Matrix({ caption, values, columns }: { caption: string; values: number[]; columns: number }) {
  return (
    <table className="matrix">
      <caption>{caption}</caption>
      <tbody>
        {matrixRows(values, columns).map((row, rowIndex) => (
          <tr key={rowIndex}>
            {row.map((value, columnIndex) => (
              <td key={columnIndex} className="mono">
                {formatMatrixValue(value)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
