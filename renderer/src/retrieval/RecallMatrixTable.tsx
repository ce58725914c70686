import type { RecallCell, RecallMatrix } from '../../../src/retrieval/api-types.js';
import { formatCount } from '../format.js';
import { formatRecall, recallClass } from './recall-format.js';

export interface CellChoice {
  queryCondition: string;
  databaseCondition: string;
}

interface RecallMatrixTableProps {
  matrix: RecallMatrix;
  selected: CellChoice | null;
  onSelect(cell: CellChoice): void;
}

/** Rows are query conditions, columns database conditions; a cell button opens its failure grid. */
export function RecallMatrixTable({ matrix, selected, onSelect }: RecallMatrixTableProps) {
  const cellOf = (query: string, database: string): RecallCell | undefined =>
    matrix.cells.find((cell) => cell.queryCondition === query && cell.databaseCondition === database);

  return (
    <table className="data-table recall-matrix">
      <caption>
        Rows: queries of each {matrix.conditionField}. Columns: the database searched. Recall counts only queries with a true match in
        that database.
      </caption>
      <thead>
        <tr>
          <th scope="col">Query \ database</th>
          {matrix.conditions.map((condition) => (
            <th key={condition} scope="col">
              {condition}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {matrix.conditions.map((query) => (
          <tr key={query}>
            <th scope="row">{query}</th>
            {matrix.conditions.map((database) => {
              const cell = cellOf(query, database);
              if (cell === undefined) return <td key={database} />;
              const isSelected = selected?.queryCondition === query && selected.databaseCondition === database;
              return (
                <td key={database} className={`recall-cell ${recallClass(cell.recall[0]?.recall ?? null)}${isSelected ? ' selected' : ''}`}>
                  <button
                    type="button"
                    className="recall-cell-button"
                    disabled={cell.queriesWithMatch === 0}
                    aria-pressed={isSelected}
                    aria-label={`Failures of ${query} queries against the ${database} database`}
                    onClick={() => onSelect({ queryCondition: query, databaseCondition: database })}
                  >
                    {cell.recall.map((entry) => (
                      <span key={entry.k} className="recall-line">
                        R@{entry.k} {formatRecall(entry, cell.queriesWithMatch)}
                      </span>
                    ))}
                    <span className="recall-counts muted">
                      {formatCount(cell.queriesWithMatch)} with a match, {formatCount(cell.queriesWithoutMatch)} without; database{' '}
                      {formatCount(cell.databaseSize)}
                    </span>
                  </button>
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
