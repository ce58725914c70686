import type { SampleView } from '../../../src/api/contract.js';
import { SampleImage } from './SampleImage.js';
import type { Zoom } from './zoom.js';

/** Shows one side of the pair: the sample id and every image it has. */
export function SamplePanel({ label, sample, zoom }: { label: string; sample: SampleView; zoom: Zoom }) {
  return (
    <section className="sample-panel" aria-label={`Sample ${label}`}>
      <h2>
        <span className="side-label">{label}</span> <span className="mono">{sample.sampleId}</span>
      </h2>
      {sample.images.length === 0 && <p className="muted">This sample has no camera image or BEV raster.</p>}
      <div className="sample-images">
        {sample.images.map((file) => (
          <SampleImage key={file.token} file={file} sampleId={sample.sampleId} zoom={zoom} />
        ))}
      </div>
    </section>
  );
}
