import { ApiCallError } from '../../../src/api/contract.js';

/** Shows an error on the thing it concerns: the message, then the hint with what to do next. */
export function ErrorPanel({ error, title }: { error: unknown; title?: string }) {
  const message = error instanceof Error ? error.message : String(error);
  const hint = error instanceof ApiCallError ? error.hint : undefined;
  const code = error instanceof ApiCallError ? error.code : undefined;

  return (
    <div className="error-panel" role="alert">
      {title !== undefined && <strong className="error-title">{title}</strong>}
      <p className="error-message">{message}</p>
      {hint !== undefined && <p className="error-hint">{hint}</p>}
      {code !== undefined && <p className="error-code">Error code: {code}</p>}
    </div>
  );
}
