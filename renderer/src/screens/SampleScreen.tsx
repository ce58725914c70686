import { lazy, Suspense, useState } from 'react';
import { useApiCall } from '../api/use-api-call.js';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { routeHash } from '../routes.js';
import { SampleInspector } from '../sensors/SampleInspector.js';
import type { SweepInfo } from '../sensors/sweep-info.js';
import { navigate } from '../use-hash-route.js';

// three.js loads with the first screen that draws a sweep.
const SampleModalities = lazy(async () => ({ default: (await import('../sensors/SampleModalities.js')).SampleModalities }));

/** Shows one sample in every modality it has, with everything known about it, and a way to compare it with another. */
export function SampleScreen({ datasetId, sampleId }: { datasetId: string; sampleId: string }) {
  const call = useApiCall('getSample', { datasetId, sampleId });
  const [sweeps, setSweeps] = useState<Record<string, SweepInfo>>({});
  const [other, setOther] = useState('');
  const sample = call.state.value;

  return (
    <section>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <a href="#/">Datasets</a> / <a href={routeHash({ screen: 'dataset', datasetId })}>{datasetId}</a> /{' '}
        <a href={routeHash({ screen: 'samples', datasetId, page: 1, filter: '' })}>Samples</a> / <span className="mono">{sampleId}</span>
      </nav>
      <h1>
        Sample <span className="mono">{sampleId}</span>
      </h1>

      <form
        className="toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          const target = other.trim();
          if (target !== '') navigate({ screen: 'compare', datasetId, sampleA: sampleId, sampleB: target });
        }}
      >
        <label>
          Compare with sample <input value={other} onChange={(event) => setOther(event.target.value)} placeholder="sample id" />
        </label>
        <button type="submit" disabled={other.trim() === ''}>
          Compare
        </button>
      </form>

      {call.state.status === 'error' && <ErrorPanel title={`Could not open sample ${sampleId}`} error={call.state.error} />}
      {sample === undefined && call.state.status === 'loading' && <p className="muted">Loading sample…</p>}
      {sample !== undefined && (
        <>
          <Suspense fallback={<p className="muted">Loading the sensor views…</p>}>
            <SampleModalities sample={sample} onSweepLoaded={(token, info) => setSweeps((known) => ({ ...known, [token]: info }))} />
          </Suspense>
          <SampleInspector sample={sample} sweeps={sweeps} />
        </>
      )}
    </section>
  );
}
