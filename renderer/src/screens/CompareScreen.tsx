import { lazy, Suspense, useState } from 'react';
import { useApiCall } from '../api/use-api-call.js';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { routeHash } from '../routes.js';
import { SampleInspector } from '../sensors/SampleInspector.js';
import type { SweepInfo } from '../sensors/sweep-info.js';

const PairModalities = lazy(async () => ({ default: (await import('../sensors/PairModalities.js')).PairModalities }));

interface CompareScreenProps {
  datasetId: string;
  sampleA: string;
  sampleB: string;
}

/** Any two samples of a dataset side by side in every modality, outside a review queue. */
export function CompareScreen({ datasetId, sampleA, sampleB }: CompareScreenProps) {
  const callA = useApiCall('getSample', { datasetId, sampleId: sampleA });
  const callB = useApiCall('getSample', { datasetId, sampleId: sampleB });
  const [sweeps, setSweeps] = useState<Record<string, SweepInfo>>({});
  const viewA = callA.state.value;
  const viewB = callB.state.value;

  return (
    <section>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <a href="#/">Datasets</a> / <a href={routeHash({ screen: 'dataset', datasetId })}>{datasetId}</a> /{' '}
        <a href={routeHash({ screen: 'samples', datasetId, page: 1, filter: '' })}>Samples</a> / <span>Compare</span>
      </nav>
      <h1>
        <a className="mono" href={routeHash({ screen: 'sample', datasetId, sampleId: sampleA })}>
          {sampleA}
        </a>{' '}
        and{' '}
        <a className="mono" href={routeHash({ screen: 'sample', datasetId, sampleId: sampleB })}>
          {sampleB}
        </a>
      </h1>

      {callA.state.status === 'error' && <ErrorPanel title={`Could not open sample ${sampleA}`} error={callA.state.error} />}
      {callB.state.status === 'error' && <ErrorPanel title={`Could not open sample ${sampleB}`} error={callB.state.error} />}
      {(viewA === undefined || viewB === undefined) && callA.state.status !== 'error' && callB.state.status !== 'error' && (
        <p className="muted">Loading samples…</p>
      )}
      {viewA !== undefined && viewB !== undefined && (
        <>
          <Suspense fallback={<p className="muted">Loading the sensor views…</p>}>
            <PairModalities sampleA={viewA} sampleB={viewB} onSweepLoaded={(token, info) => setSweeps((known) => ({ ...known, [token]: info }))} />
          </Suspense>
          <SampleInspector sample={viewA} other={viewB} sweeps={sweeps} />
        </>
      )}
    </section>
  );
}
