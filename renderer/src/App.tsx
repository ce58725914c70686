import { ReviewerForm } from './components/ReviewerForm.js';
import { PairScreen, REVIEWER_INPUT_ID } from './pair/PairScreen.js';
import { useReviewer } from './reviewer.js';
import { DatasetOverviewScreen } from './screens/DatasetOverviewScreen.js';
import { DatasetsScreen } from './screens/DatasetsScreen.js';
import { QueueScreen } from './screens/QueueScreen.js';
import { CompareScreen } from './screens/CompareScreen.js';
import { SampleScreen } from './screens/SampleScreen.js';
import { RunsScreen } from './runs/RunsScreen.js';
import { TrainingScreen } from './training/TrainingScreen.js';
import { VersionShiftScreen } from './screens/VersionShiftScreen.js';
import { TeamReviewScreen } from './team/TeamReviewScreen.js';
import { SamplesScreen } from './screens/SamplesScreen.js';
import { HardNegativesScreen } from './retrieval/HardNegativesScreen.js';
import { RetrievalScreen } from './retrieval/RetrievalScreen.js';
import type { Route } from './routes.js';
import { useHashRoute } from './use-hash-route.js';

export function App() {
  const route = useHashRoute();
  const [reviewer, setReviewer] = useReviewer();

  return (
    <div className="app">
      <header className="app-header">
        <a className="brand" href="#/">
          Apron
        </a>
        <ReviewerForm reviewer={reviewer} onChange={setReviewer} inputId={REVIEWER_INPUT_ID} />
      </header>
      <main className="app-main">
        <Screen route={route} reviewer={reviewer} />
      </main>
    </div>
  );
}

function Screen({ route, reviewer }: { route: Route; reviewer: string }) {
  switch (route.screen) {
    case 'datasets':
      return <DatasetsScreen />;
    case 'dataset':
      return <DatasetOverviewScreen key={route.datasetId} datasetId={route.datasetId} />;
    case 'queue':
      return <QueueScreen key={route.queueId} queueId={route.queueId} page={route.page} order={route.order ?? 'similarity'} />;
    case 'pair':
      // Keyed by queue only, so that stepping through pairs keeps the zoom, the note and the session's undo positions.
      return <PairScreen key={route.queueId} queueId={route.queueId} position={route.position} order={route.order ?? 'similarity'} reviewer={reviewer} />;
    case 'samples':
      return <SamplesScreen key={route.datasetId} datasetId={route.datasetId} page={route.page} filter={route.filter} />;
    case 'team':
      return <TeamReviewScreen key={route.queueId} queueId={route.queueId} reviewer={reviewer} />;
    case 'versions':
      return <VersionShiftScreen key={`${route.from}\0${route.to}`} datasetId={route.datasetId} from={route.from} to={route.to} />;
    case 'runs':
      return <RunsScreen key={route.datasetId} datasetId={route.datasetId} {...(route.runId === undefined ? {} : { runId: route.runId })} />;
    case 'train':
      return <TrainingScreen key={route.datasetId} datasetId={route.datasetId} runId={route.runId} />;
    case 'sample':
      return <SampleScreen key={`${route.datasetId}\0${route.sampleId}`} datasetId={route.datasetId} sampleId={route.sampleId} />;
    case 'compare':
      return <CompareScreen key={route.datasetId} datasetId={route.datasetId} sampleA={route.sampleA} sampleB={route.sampleB} />;
    case 'retrieval':
      return <RetrievalScreen key={route.datasetId} datasetId={route.datasetId} reviewer={reviewer} />;
    case 'hard-negatives':
      return <HardNegativesScreen key={route.datasetId} datasetId={route.datasetId} reviewer={reviewer} />;
    case 'unknown':
      return (
        <section>
          <h1>Page not found</h1>
          <p>
            Nothing lives at <span className="mono">{route.hash}</span>. <a href="#/">Go to the datasets</a>.
          </p>
        </section>
      );
  }
}
