/**
 * The last step shared by every reader: check the columns and drop points without a position.
 */
import { PointCloudError, type PointCloud, type PointCloudFormat, type PointField } from './point-cloud.js';

/**
 * Builds the cloud, dropping every point whose x, y or z is NaN or infinite and counting them in
 * `droppedNonFinite`. Dropping, not raising, because organized PCD clouds and some drivers mark
 * missing returns with NaN on purpose. Raises when x, y or z is missing or two fields share a name.
 */
export function finishPointCloud(format: PointCloudFormat, fields: PointField[], count: number, source: string): PointCloud {
  const names = new Set<string>();
  for (const field of fields) {
    if (names.has(field.name)) throw new PointCloudError(source, `field "${field.name}" appears twice`);
    if (field.values.length !== count) throw new PointCloudError(source, `field "${field.name}" has ${field.values.length} values for ${count} points`);
    names.add(field.name);
  }

  const x = fields.find((field) => field.name === 'x')?.values;
  const y = fields.find((field) => field.name === 'y')?.values;
  const z = fields.find((field) => field.name === 'z')?.values;
  if (x === undefined || y === undefined || z === undefined) {
    throw new PointCloudError(source, `it has no x, y and z fields (fields: ${[...names].join(', ') || 'none'})`);
  }

  // Compact in place: `keptCount` trails `i`, so each column is rewritten front to back once.
  let keptCount = 0;
  for (let i = 0; i < count; i++) {
    if (Number.isFinite(x[i]) && Number.isFinite(y[i]) && Number.isFinite(z[i])) {
      if (keptCount !== i) {
        for (const field of fields) field.values[keptCount] = field.values[i] as number;
      }
      keptCount++;
    }
  }

  const trimmed = keptCount === count ? fields : fields.map((field) => ({ name: field.name, values: field.values.slice(0, keptCount) }));
  return { format, count: keptCount, fields: trimmed, droppedNonFinite: count - keptCount };
}
