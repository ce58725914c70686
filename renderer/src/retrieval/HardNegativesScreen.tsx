import { useState } from 'react';
import type { HardNegativeBoard, HardNegativeCandidate } from '../../../src/retrieval/api-types.js';
import { useApi } from '../api/api-context.js';
import { useApiCall } from '../api/use-api-call.js';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { formatCount, formatSimilarity } from '../format.js';
import { routeHash } from '../routes.js';
import { isNearDuplicate, NEAR_DUPLICATE_SIMILARITY, nearDuplicatesOf } from './near-duplicates.js';
import { SampleThumbnail } from './SampleThumbnail.js';

/** Candidates on the board; each shows two thumbnails, each loaded with its own getSample call. */
const BOARD_LIMIT = 60;

interface HardNegativesScreenProps {
  datasetId: string;
  reviewer: string;
}

/** Near pairs of different places or classes, grouped by place pair or class pair, to confirm as hard negatives. */
export function HardNegativesScreen({ datasetId, reviewer }: HardNegativesScreenProps) {
  const [groupBy, setGroupBy] = useState<'place' | 'class'>('place');
  const [excludeDraft, setExcludeDraft] = useState('');
  const [excludeSeconds, setExcludeSeconds] = useState<number | undefined>(undefined);
  const call = useApiCall('listHardNegativeCandidates', {
    datasetId,
    groupBy,
    limit: BOARD_LIMIT,
    ...(excludeSeconds === undefined ? {} : { excludeSameSequenceSeconds: excludeSeconds }),
  });
  const board = call.state.value;

  return (
    <section>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <a href="#/">Datasets</a> / <a href={routeHash({ screen: 'dataset', datasetId })}>{datasetId}</a> / <span>Hard negatives</span>
      </nav>
      <h1>Hard negatives</h1>
      <p className="muted">
        The nearest neighbours that show a different place or a different main object class, most similar first. Confirm records a{' '}
        <em>different</em> decision and adds the pair to the set that <code>apron export-hard-negatives</code> writes.{' '}
        <a href={routeHash({ screen: 'retrieval', datasetId })}>Recall across conditions</a>
      </p>
      <form
        className="toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          const seconds = Number(excludeDraft);
          setExcludeSeconds(excludeDraft.trim() === '' || !(seconds >= 0) ? undefined : seconds);
        }}
      >
        <label>
          Group by{' '}
          <select value={groupBy} onChange={(event) => setGroupBy(event.target.value as 'place' | 'class')}>
            <option value="place">place pair</option>
            <option value="class">class pair</option>
          </select>
        </label>
        <label>
          Leave out own sequence within (s){' '}
          <input type="number" min="0" step="any" placeholder="off" value={excludeDraft} onChange={(event) => setExcludeDraft(event.target.value)} />
        </label>
        <button type="submit">Apply</button>
      </form>
      {reviewer === '' && <p className="reviewer-needed">Enter your reviewer name at the top right to confirm hard negatives.</p>}
      {call.state.status === 'error' && <ErrorPanel title={`Could not list the hard-negative candidates of ${datasetId}`} error={call.state.error} />}
      {board === undefined && call.state.status === 'loading' && <p className="muted">Searching the nearest neighbours…</p>}
      {board !== undefined && (
        <div className="hard-negative-board" data-state={call.state.status === 'loading' ? 'loading' : 'ready'}>
          <p className="muted">
            {formatCount(board.total)} candidates in {formatCount(board.groups.length)} groups · embedding version{' '}
            <span className="mono">{board.embeddingVersionId}</span>
          </p>
          <NearDuplicateWarning board={board} datasetId={datasetId} />
          {board.groups.length === 0 && (
            <p className="muted">
              {groupBy === 'class' ? 'No candidates: the samples list no objects, or every near pair has one class.' : 'No candidates left.'}
            </p>
          )}
          <div className="hard-negative-groups">
            {board.groups.map((group) => (
              <section key={group.key} className="hard-negative-group">
                <h2>
                  {group.key} <span className="muted">({group.candidates.length})</span>
                </h2>
                <div className="hard-negative-candidates">
                  {group.candidates.map((candidate) => (
                    <CandidateCard
                      key={`${candidate.sampleA}\0${candidate.sampleB}`}
                      candidate={candidate}
                      datasetId={datasetId}
                      embeddingVersionId={board.embeddingVersionId}
                      reviewer={reviewer}
                      onConfirmed={call.reload}
                    />
                  ))}
                </div>
              </section>
            ))}
          </div>
        </div>
      )}
    </section>
  );
}

/** Warns when at least half of the candidates are near-duplicates, which a collapsed embedding produces. */
function NearDuplicateWarning({ board, datasetId }: { board: HardNegativeBoard; datasetId: string }) {
  const { nearDuplicates, candidates, warn } = nearDuplicatesOf(board);
  if (!warn) return null;
  return (
    <p className="board-warning" role="status">
      {formatCount(nearDuplicates)} of {formatCount(candidates)} candidates have a similarity of at least {NEAR_DUPLICATE_SIMILARITY}: their
      embeddings are nearly identical. The pairs may be duplicate frames, or the embedding may have collapsed; check the effective rank of its
      run on the <a href={routeHash({ screen: 'runs', datasetId })}>runs page</a> before confirming them.
    </p>
  );
}

interface CandidateCardProps {
  candidate: HardNegativeCandidate;
  datasetId: string;
  embeddingVersionId: string;
  reviewer: string;
  onConfirmed(): void;
}

function CandidateCard({ candidate, datasetId, embeddingVersionId, reviewer, onConfirmed }: CandidateCardProps) {
  const api = useApi();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const confirm = (): void => {
    setSaving(true);
    setError(null);
    api.call('confirmHardNegative', { datasetId, sampleA: candidate.sampleA, sampleB: candidate.sampleB, reviewer, embeddingVersionId }).then(
      () => {
        setSaving(false);
        onConfirmed();
      },
      (failed: unknown) => {
        setSaving(false);
        setError(failed);
      },
    );
  };

  return (
    <article className="hard-negative-card" data-pair={`${candidate.sampleA} ${candidate.sampleB}`}>
      <div className="hard-negative-images">
        <SampleThumbnail datasetId={datasetId} sampleId={candidate.sampleA} />
        <SampleThumbnail datasetId={datasetId} sampleId={candidate.sampleB} />
      </div>
      <p>
        Similarity {formatSimilarity(candidate.similarity)}
        {isNearDuplicate(candidate) && <span className="tag warning"> near-duplicate: compare before confirming</span>}
        {candidate.classA !== null && candidate.classB !== null && (
          <>
            {' '}
            · {candidate.classA} / {candidate.classB}
          </>
        )}
      </p>
      <div className="hard-negative-actions">
        <button type="button" disabled={reviewer === '' || saving} onClick={confirm}>
          {saving ? 'Saving…' : 'Confirm'}
        </button>
        <a href={routeHash({ screen: 'compare', datasetId, sampleA: candidate.sampleA, sampleB: candidate.sampleB })}>Compare</a>
      </div>
      {error !== null && <ErrorPanel title="Could not confirm this pair" error={error} />}
    </article>
  );
}
