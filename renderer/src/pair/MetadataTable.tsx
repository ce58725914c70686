import type { SampleView } from '../../../src/api/contract.js';
import { formatValue } from '../format.js';

/** Fields shown first, in this order; any other metadata follows alphabetically. */
const FIELD_ORDER = [
  'sampleId',
  'sequenceId',
  'timestampNs',
  'site',
  'routeId',
  'routeSegment',
  'placeId',
  'pose.x',
  'pose.y',
  'pose.z',
  'pose.yaw',
  'weather',
  'timeOfDay',
  'season',
  'calibrationId',
  'trackIds',
];

function orderedFields(sampleA: SampleView, sampleB: SampleView): string[] {
  const all = new Set([...Object.keys(sampleA.metadata), ...Object.keys(sampleB.metadata)]);
  const known = FIELD_ORDER.filter((field) => all.has(field));
  const rest = [...all].filter((field) => !FIELD_ORDER.includes(field)).sort();
  return [...known, ...rest];
}

/** Shows all metadata of both samples side by side and marks the rows whose values differ. */
export function MetadataTable({ sampleA, sampleB }: { sampleA: SampleView; sampleB: SampleView }) {
  return (
    <table className="data-table metadata-table">
      <caption>Metadata</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">A</th>
          <th scope="col">B</th>
        </tr>
      </thead>
      <tbody>
        {orderedFields(sampleA, sampleB).map((field) => {
          const a = formatValue(sampleA.metadata[field]);
          const b = formatValue(sampleB.metadata[field]);
          return (
            <tr key={field} className={a === b ? undefined : 'differs'}>
              <th scope="row">{field}</th>
              <td className="mono">{a}</td>
              <td className="mono">{b}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
