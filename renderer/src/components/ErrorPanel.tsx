import type { ReactNode } from 'react';
import { ApiCallError } from '../../../src/api/contract.js';

/** Shows an error on the thing it concerns: the message, then the hint with what to do next. */
export function ErrorPanel({ error, title, hint: givenHint }: { error: unknown; title?: string; hint?: string | undefined }) {
  const message = error instanceof Error ? error.message : String(error);
  // A hint passed in is for errors that arrive as text, such as a training job's stored error.
  const hint = error instanceof ApiCallError ? error.hint : givenHint;
  const code = error instanceof ApiCallError ? error.code : undefined;

  return (
    <div className="error-panel" role="alert">
      {title !== undefined && <strong className="error-title">{title}</strong>}
      <p className="error-message">{withCode(message)}</p>
      {hint !== undefined && <p className="error-hint">{withCode(hint)}</p>}
      {code !== undefined && <p className="error-code">Error code: {code}</p>}
    </div>
  );
}

/** Renders the backtick-quoted spans of an engine message (commands, option names) as code. */
function withCode(text: string): ReactNode[] {
  const parts = text.split('`');
  // An odd number of backticks is not quoting, so such a message stays plain text.
  if (parts.length % 2 === 0) return [text];
  return parts.map((part, index) => (index % 2 === 1 ? <code key={index}>{part}</code> : part));
}
