import { useState, type FormEvent } from 'react';

interface ReviewerFormProps {
  reviewer: string;
  onChange(name: string): void;
  /** Element id of the name field, so that other screens can focus it. */
  inputId: string;
}

/** Shows the reviewer name with a Change button, or a form to enter it while none is set. */
export function ReviewerForm({ reviewer, onChange, inputId }: ReviewerFormProps) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(reviewer);

  if (!editing && reviewer !== '') {
    return (
      <div className="reviewer">
        <span>
          Reviewer: <strong data-testid="reviewer-name">{reviewer}</strong>
        </span>
        <button
          type="button"
          className="link-button"
          onClick={() => {
            setDraft(reviewer);
            setEditing(true);
          }}
        >
          Change
        </button>
      </div>
    );
  }

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (draft.trim() === '') return;
    onChange(draft);
    setEditing(false);
  };

  return (
    <form className="reviewer reviewer-form" onSubmit={submit}>
      <label htmlFor={inputId}>Reviewer name</label>
      <input
        id={inputId}
        value={draft}
        maxLength={100}
        placeholder="your name"
        autoComplete="name"
        autoFocus={editing}
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape' && reviewer !== '') setEditing(false);
        }}
      />
      <button type="submit" disabled={draft.trim() === ''}>
        Save
      </button>
      {reviewer !== '' && (
        <button type="button" className="link-button" onClick={() => setEditing(false)}>
          Cancel
        </button>
      )}
    </form>
  );
}
