import { ReviewerForm } from './components/ReviewerForm.js';
import { PairScreen, REVIEWER_INPUT_ID } from './pair/PairScreen.js';
import { useReviewer } from './reviewer.js';
import { DatasetOverviewScreen } from './screens/DatasetOverviewScreen.js';
import { DatasetsScreen } from './screens/DatasetsScreen.js';
import { QueueScreen } from './screens/QueueScreen.js';
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
      return <QueueScreen key={route.queueId} queueId={route.queueId} page={route.page} />;
    case 'pair':
      // Keyed by queue only, so that stepping through pairs keeps the zoom, the note and the session's undo positions.
      return <PairScreen key={route.queueId} queueId={route.queueId} position={route.position} reviewer={reviewer} />;
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
