import type { CountEntry } from '../../../src/api/contract.js';
import { formatCount } from '../format.js';

/** Renders a two-column table of values and their counts, largest first. */
export function CountTable({ caption, entries }: { caption: string; entries: CountEntry[] }) {
  const sorted = [...entries].sort((left, right) => right.count - left.count || left.value.localeCompare(right.value));
  return (
    <table className="data-table count-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Value</th>
          <th scope="col" className="number">
            Samples
          </th>
        </tr>
      </thead>
      <tbody>
        {sorted.length === 0 && (
          <tr>
            <td colSpan={2} className="muted">
              none
            </td>
          </tr>
        )}
        {sorted.map((entry) => (
          <tr key={entry.value}>
            <td>{entry.value}</td>
            <td className="number">{formatCount(entry.count)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
