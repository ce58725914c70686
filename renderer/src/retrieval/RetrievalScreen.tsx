import { useState, type FormEvent } from 'react';
import type { ApiArgs } from '../../../src/api/contract.js';
import type { ConditionField } from '../../../src/retrieval/api-types.js';
import { useApiCall } from '../api/use-api-call.js';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { formatCount } from '../format.js';
import { routeHash } from '../routes.js';
import { FailureGrid } from './FailureGrid.js';
import { RecallMatrixTable, type CellChoice } from './RecallMatrixTable.js';

export type RetrievalSettings = ApiArgs<'getRecallMatrix'> & { datasetId: string };

const CONDITION_FIELDS: readonly ConditionField[] = ['weather', 'timeOfDay', 'season'];

interface RetrievalScreenProps {
  datasetId: string;
  reviewer: string;
}

/** Same-place recall for every pair of conditions; a cell opens the queries that failed in it. */
export function RetrievalScreen({ datasetId, reviewer }: RetrievalScreenProps) {
  const overview = useApiCall('getDatasetOverview', { datasetId });
  const [settings, setSettings] = useState<RetrievalSettings>({ datasetId, rule: { kind: 'place' } });
  const matrixCall = useApiCall('getRecallMatrix', settings);
  const [selected, setSelected] = useState<CellChoice | null>(null);
  const matrix = matrixCall.state.value;

  return (
    <section>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <a href="#/">Datasets</a> / <a href={routeHash({ screen: 'dataset', datasetId })}>{datasetId}</a> / <span>Retrieval</span>
      </nav>
      <h1>Recall across conditions</h1>
      <p className="muted">
        Each query searches the samples of one condition by cosine similarity. A result is a true match when the rule says so or a
        reviewer decided <em>same</em> (transitively); a <em>different</em> decision overrules the rule.{' '}
        <a href={routeHash({ screen: 'hard-negatives', datasetId })}>Hard negatives</a>
      </p>

      <SettingsForm
        settings={settings}
        embeddingVersions={overview.state.value?.embeddingVersions.map((version) => version.embeddingVersionId) ?? []}
        conditionFields={Object.keys(overview.state.value?.conditions ?? {}).filter((field): field is ConditionField =>
          (CONDITION_FIELDS as readonly string[]).includes(field),
        )}
        onApply={(next) => {
          setSettings(next);
          setSelected(null);
        }}
      />

      {matrixCall.state.status === 'error' && <ErrorPanel title={`Could not compute the recall matrix of ${datasetId}`} error={matrixCall.state.error} />}
      {matrix === undefined && matrixCall.state.status === 'loading' && (
        <p className="muted">Searching the nearest neighbours of every sample (seconds for thousands of samples)…</p>
      )}
      {matrix !== undefined && (
        <div data-state={matrixCall.state.status === 'loading' ? 'loading' : 'ready'} className="recall-matrix-block">
          <p className="muted">
            Embedding version <span className="mono">{matrix.embeddingVersionId}</span> · {matrix.conditionField} · decisions used:{' '}
            {formatCount(matrix.decidedSame)} same, {formatCount(matrix.decidedDifferent)} different
            {matrix.samplesWithoutCondition > 0 && ` · ${formatCount(matrix.samplesWithoutCondition)} samples without a ${matrix.conditionField} left out`}
          </p>
          <RecallMatrixTable matrix={matrix} selected={selected} onSelect={setSelected} />
        </div>
      )}

      {selected !== null && (
        <FailureGrid
          key={`${selected.queryCondition}\0${selected.databaseCondition}\0${JSON.stringify(settings)}`}
          settings={settings}
          queryCondition={selected.queryCondition}
          databaseCondition={selected.databaseCondition}
          reviewer={reviewer}
          onDecided={matrixCall.reload}
        />
      )}
    </section>
  );
}

interface SettingsFormProps {
  settings: RetrievalSettings;
  embeddingVersions: string[];
  conditionFields: ConditionField[];
  onApply(settings: RetrievalSettings): void;
}

function SettingsForm({ settings, embeddingVersions, conditionFields, onApply }: SettingsFormProps) {
  const [version, setVersion] = useState(settings.embeddingVersionId ?? '');
  const [field, setField] = useState<string>(settings.conditionField ?? '');
  const [ruleKind, setRuleKind] = useState<'place' | 'pose'>(settings.rule?.kind ?? 'place');
  const [radius, setRadius] = useState('10');
  const [excludeSeconds, setExcludeSeconds] = useState('');

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const radiusMetres = Number(radius);
    const seconds = Number(excludeSeconds);
    onApply({
      datasetId: settings.datasetId,
      ...(version === '' ? {} : { embeddingVersionId: version }),
      ...(field === '' ? {} : { conditionField: field as ConditionField }),
      rule: ruleKind === 'pose' ? { kind: 'pose', radiusMetres: radiusMetres > 0 ? radiusMetres : 10 } : { kind: 'place' },
      ...(excludeSeconds.trim() === '' || !(seconds >= 0) ? {} : { excludeSameSequenceSeconds: seconds }),
    });
  };

  return (
    <form className="toolbar retrieval-settings" onSubmit={submit}>
      <label>
        Embedding{' '}
        <select value={version} onChange={(event) => setVersion(event.target.value)}>
          <option value="">newest</option>
          {embeddingVersions.map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>
      </label>
      <label>
        Condition{' '}
        <select value={field} onChange={(event) => setField(event.target.value)}>
          <option value="">manifest's first</option>
          {conditionFields.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label>
        True match{' '}
        <select value={ruleKind} onChange={(event) => setRuleKind(event.target.value as 'place' | 'pose')}>
          <option value="place">same place id</option>
          <option value="pose">poses within a radius, same site</option>
        </select>
      </label>
      {ruleKind === 'pose' && (
        <label>
          Radius (m) <input type="number" min="0.1" step="any" value={radius} onChange={(event) => setRadius(event.target.value)} />
        </label>
      )}
      <label>
        Leave out own sequence within (s){' '}
        <input type="number" min="0" step="any" placeholder="off" value={excludeSeconds} onChange={(event) => setExcludeSeconds(event.target.value)} />
      </label>
      <button type="submit">Compute</button>
    </form>
  );
}
