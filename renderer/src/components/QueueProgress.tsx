import { formatCount } from '../format.js';

/** Review progress of a queue as a bar and as numbers. */
export function QueueProgress({ decided, total }: { decided: number; total: number }) {
  const percent = total === 0 ? 0 : Math.round((decided / total) * 100);
  return (
    <div className="queue-progress">
      <progress aria-label="Queue progress" value={decided} max={Math.max(total, 1)} />
      <span className="queue-progress-text">
        {formatCount(decided)} / {formatCount(total)} decided ({percent}%)
      </span>
    </div>
  );
}
