import type { Verdict } from '../../../src/api/contract.js';
import { nextZoom, zoomLabel, type Zoom } from './zoom.js';

interface DecisionBarProps {
  current: Verdict | null;
  note: string;
  zoom: Zoom;
  onVerdict(verdict: Verdict): void;
  onUndo(): void;
  onNoteChange(note: string): void;
  onZoomChange(zoom: Zoom): void;
}

const VERDICT_BUTTONS: { verdict: Verdict; label: string; key: string; title: string }[] = [
  { verdict: 'same', label: 'Same', key: 'S', title: 'The same place or object: a false negative, masked in training' },
  { verdict: 'different', label: 'Different', key: 'D', title: 'Different: a hard negative, kept in training' },
  { verdict: 'unsure', label: 'Unsure', key: 'U', title: 'Cannot tell from these samples' },
];

/** Renders the verdict buttons with their keys, undo, the optional note and the zoom toggle. */
export function DecisionBar(props: DecisionBarProps) {
  return (
    <div className="decision-bar" role="group" aria-label="Decision">
      {VERDICT_BUTTONS.map((button) => (
        <button
          key={button.verdict}
          type="button"
          className={`verdict-button verdict-${button.verdict}`}
          aria-label={button.label}
          aria-keyshortcuts={button.key}
          aria-pressed={props.current === button.verdict}
          title={button.title}
          onClick={() => props.onVerdict(button.verdict)}
        >
          {button.label} <kbd>{button.key}</kbd>
        </button>
      ))}
      <button type="button" aria-label="Undo" aria-keyshortcuts="Z" title="Undo your latest decision in this queue" onClick={props.onUndo}>
        Undo <kbd>Z</kbd>
      </button>
      <input
        className="note-input"
        aria-label="Note"
        placeholder="Note (optional, sent with the next decision; Esc to leave)"
        maxLength={2000}
        value={props.note}
        onChange={(event) => props.onNoteChange(event.target.value)}
        onKeyDown={(event) => {
          // Leave the field so that the single-key shortcuts work again.
          if (event.key === 'Escape') event.currentTarget.blur();
        }}
      />
      <button type="button" aria-label="Zoom" title="Enlarge small images by a whole factor" onClick={() => props.onZoomChange(nextZoom(props.zoom))}>
        Zoom: {zoomLabel(props.zoom)}
      </button>
    </div>
  );
}
