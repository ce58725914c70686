import { useState, type FormEvent, type ReactNode } from 'react';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { buildRunConfig, CLIP_PARTNERS, DEFAULT_FORM_VALUES, OBJECTIVE_KINDS, WORKER_CHOICES, POSITIVES_KINDS, withObjective, type TrainingFormValues } from './training-config.js';

export interface TrainingFormProps {
  /** The form's first values (default DEFAULT_FORM_VALUES). */
  initialValues?: TrainingFormValues;
  /** Starts a run; rejects with the engine's error, which the form shows. */
  onStart(config: Record<string, unknown>, useDecisions: boolean): Promise<void>;
  /** True while another run of the workspace trains; the button stays enabled so that the engine's message can explain. */
  busy: boolean;
}

/** The main settings of a run, an advanced JSON box for the rest, and the Start button. */
export function TrainingForm({ initialValues = DEFAULT_FORM_VALUES, onStart, busy }: TrainingFormProps) {
  const [values, setValues] = useState<TrainingFormValues>(initialValues);
  const [error, setError] = useState<unknown>(null);
  const [starting, setStarting] = useState(false);

  const set = <K extends keyof TrainingFormValues>(key: K, value: TrainingFormValues[K]): void => setValues((current) => ({ ...current, [key]: value }));

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const built = buildRunConfig(values);
    if (!built.ok) {
      setError(new Error(built.error));
      return;
    }
    setError(null);
    setStarting(true);
    try {
      await onStart(built.config, built.useDecisions);
    } catch (failure) {
      setError(failure);
    } finally {
      setStarting(false);
    }
  };

  const text = (
    key: 'steps' | 'batchSize' | 'learningRate' | 'temperature' | 'windowSeconds' | 'queueSize' | 'momentum' | 'hardNegativeWeight' | 'maskTimeWindowSeconds',
    label: string, hint?: string) => (
    <Field label={label} hint={hint}>
      <input type="text" inputMode="decimal" value={values[key]} onChange={(event) => set(key, event.target.value)} />
    </Field>
  );

  // A cross-modal run pairs camera frames with another modality; positives, masks, worker threads
  // and reviewer decisions belong to single-encoder runs.
  const clip = values.objectiveKind === 'clip';

  return (
    <form className="training-form" aria-label="Run configuration" onSubmit={(event) => void submit(event)}>
      <fieldset>
        <legend>Optimisation</legend>
        {text('steps', 'Steps')}
        {text('batchSize', 'Batch size', clip ? 'camera frames and their partners per step' : 'anchor samples per step')}
        {text('learningRate', 'Learning rate')}
        {text('temperature', clip ? 'Initial temperature' : 'Temperature', clip ? 'learned during the run' : undefined)}
        {!clip && (
          <Field label="Worker threads" hint="auto: two on a two-core machine, for infonce">
            <select value={values.workers} onChange={(event) => set('workers', event.target.value as TrainingFormValues['workers'])}>
              {WORKER_CHOICES.map((choice) => (
                <option key={choice} value={choice}>
                  {choice}
                </option>
              ))}
            </select>
          </Field>
        )}
      </fieldset>

      <fieldset>
        <legend>Positives and objective</legend>
        {!clip && (
          <Field label="Positives">
            <select value={values.positivesKind} onChange={(event) => set('positivesKind', event.target.value as TrainingFormValues['positivesKind'])}>
              {POSITIVES_KINDS.map((kind) => (
                <option key={kind} value={kind}>
                  {kind}
                </option>
              ))}
            </select>
          </Field>
        )}
        {!clip && values.positivesKind === 'temporal' && text('windowSeconds', 'Positive window', 'seconds')}
        <Field label="Objective" hint={clip ? 'camera frames against another modality of the same sample' : undefined}>
          <select value={values.objectiveKind} onChange={(event) => setValues((current) => withObjective(current, event.target.value as TrainingFormValues['objectiveKind']))}>
            {OBJECTIVE_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {kind}
              </option>
            ))}
          </select>
        </Field>
        {values.objectiveKind === 'moco' && text('queueSize', 'Queue size', 'keys kept as negatives')}
        {values.objectiveKind === 'moco' && text('momentum', 'Momentum', 'of the key encoder')}
        {clip && (
          <Field label="Paired with" hint="each camera frame's LiDAR sweep or BEV raster">
            <select value={values.clipPartner} onChange={(event) => set('clipPartner', event.target.value as TrainingFormValues['clipPartner'])}>
              {CLIP_PARTNERS.map((partner) => (
                <option key={partner} value={partner}>
                  {partner}
                </option>
              ))}
            </select>
          </Field>
        )}
        {!clip && text('maskTimeWindowSeconds', 'Mask same sequence within (s)', 'two samples of one drive this close in time are never a negative pair; pairs sharing a placeId are masked too')}
      </fieldset>

      {!clip && (
        <fieldset>
          <legend>Reviewer decisions</legend>
          <Field label="Use decisions" hint="mask pairs decided same">
            <input type="checkbox" checked={values.useDecisions} onChange={(event) => set('useDecisions', event.target.checked)} />
          </Field>
          <Field label="Hard negatives" hint={values.objectiveKind === 'cpc' ? 'not for cpc, which scores windows of a sequence' : 'put pairs decided different into batches'}>
            <input
              type="checkbox"
              checked={values.hardNegatives && values.objectiveKind !== 'cpc'}
              disabled={values.objectiveKind === 'cpc'}
              onChange={(event) => set('hardNegatives', event.target.checked)}
            />
          </Field>
          {text('hardNegativeWeight', 'Hard-negative weight')}
        </fieldset>
      )}

      <Field label="Advanced settings (JSON)" hint='fields replace the form, for example {"seed": 2, "imageSize": {"width": 32, "height": 32}}'>
        <textarea rows={3} cols={60} className="mono" value={values.advancedJson} onChange={(event) => set('advancedJson', event.target.value)} />
      </Field>

      <p>
        <button type="submit" disabled={starting}>
          {starting ? 'Starting…' : 'Start'}
        </button>{' '}
        {busy && <span className="muted">A run is training; a new one can start when it ends.</span>}
      </p>
      {error !== null && <ErrorPanel title="Could not start the run" error={error} />}
    </form>
  );
}

function Field({ label, hint, children }: { label: string; hint?: string | undefined; children: ReactNode }) {
  return (
    <label className="training-field">
      <span>{label}</span> {children}
      {hint !== undefined && <span className="muted"> {hint}</span>}
    </label>
  );
}
