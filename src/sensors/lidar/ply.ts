/**
 * Reader for the vertex element of PLY files in ascii, binary_little_endian and binary_big_endian.
 * Other elements (faces with list properties and so on) are skipped.
 */
import { finishPointCloud } from './finish.js';
import { parsePlyHeader, type PlyElement, type PlyHeader } from './ply-header.js';
import { PointCloudError, type PointCloud, type PointField } from './point-cloud.js';
import { createColumn, parseScalarText, readStridedColumn, SCALAR_SIZE, splitTokens } from './scalar.js';

function findVertexElement(header: PlyHeader, source: string): number {
  const index = header.elements.findIndex((element) => element.name === 'vertex');
  if (index < 0) throw new PointCloudError(source, 'PLY file has no vertex element');
  const vertex = header.elements[index] as PlyElement;
  if (vertex.properties.some((property) => property.listLengthKind !== undefined)) {
    throw new PointCloudError(source, 'PLY vertex element has a list property, which this reader does not support', 'Export the vertices with scalar properties only.');
  }
  return index;
}

/** Returns the byte offset after skipping `element` in binary data starting at `offset`. */
function skipBinaryElement(view: DataView, element: PlyElement, offset: number, littleEndian: boolean, source: string): number {
  const fixedSize = element.properties.reduce((sum, property) => sum + SCALAR_SIZE[property.listLengthKind ?? property.kind], 0);
  const hasLists = element.properties.some((property) => property.listLengthKind !== undefined);

  // Each instance takes at least fixedSize bytes, so a huge count fails here without walking it.
  if (element.count * fixedSize > view.byteLength - offset) {
    throw new PointCloudError(source, `PLY element "${element.name}" declares ${element.count} items, more than the remaining ${view.byteLength - offset} bytes hold`);
  }
  if (!hasLists) return offset + element.count * fixedSize;

  const scratch = new Float64Array(1);
  for (let i = 0; i < element.count; i++) {
    for (const property of element.properties) {
      const lengthKind = property.listLengthKind;
      if (lengthKind === undefined) {
        offset += SCALAR_SIZE[property.kind];
        continue;
      }
      if (offset + SCALAR_SIZE[lengthKind] > view.byteLength) throw new PointCloudError(source, `PLY element "${element.name}" runs past the end of the file`);
      readStridedColumn(view, offset, 0, lengthKind, littleEndian, scratch);
      const length = scratch[0] as number;
      if (!(length >= 0)) throw new PointCloudError(source, `PLY element "${element.name}" item ${i} has negative list length ${length}`);
      offset += SCALAR_SIZE[lengthKind] + length * SCALAR_SIZE[property.kind];
    }
    if (offset > view.byteLength) throw new PointCloudError(source, `PLY element "${element.name}" runs past the end of the file`);
  }
  return offset;
}

function readBinaryVertices(header: PlyHeader, data: Uint8Array, source: string): PointField[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const littleEndian = header.encoding === 'binary_little_endian';
  const vertexIndex = findVertexElement(header, source);

  let offset = 0;
  for (const element of header.elements.slice(0, vertexIndex)) offset = skipBinaryElement(view, element, offset, littleEndian, source);

  const vertex = header.elements[vertexIndex] as PlyElement;
  const stride = vertex.properties.reduce((sum, property) => sum + SCALAR_SIZE[property.kind], 0);
  if (vertex.count * stride > data.length - offset) {
    throw new PointCloudError(source, `PLY declares ${vertex.count} vertices of ${stride} bytes, but only ${data.length - offset} bytes follow`);
  }

  const fields: PointField[] = [];
  let propertyOffset = offset;
  for (const property of vertex.properties) {
    const values = createColumn(property.kind, vertex.count);
    readStridedColumn(view, propertyOffset, stride, property.kind, littleEndian, values);
    fields.push({ name: property.name, values });
    propertyOffset += SCALAR_SIZE[property.kind];
  }
  return fields;
}

function readAsciiVertices(header: PlyHeader, data: Uint8Array, source: string): PointField[] {
  const tokens = splitTokens(new TextDecoder('latin1').decode(data).replace(/\n/g, ' '));
  const vertexIndex = findVertexElement(header, source);
  let position = 0;

  // Elements before the vertices are skipped token by token; a list item starts with its length.
  for (const element of header.elements.slice(0, vertexIndex)) {
    if (element.count * element.properties.length > tokens.length - position) {
      throw new PointCloudError(source, `PLY element "${element.name}" declares ${element.count} items, more than the ascii data contains`);
    }
    // Without lists every item has a fixed token count, and a count of billions with no properties must not be looped over.
    if (element.properties.every((property) => property.listLengthKind === undefined)) {
      position += element.count * element.properties.length;
      continue;
    }
    for (let i = 0; i < element.count; i++) {
      for (const property of element.properties) {
        if (property.listLengthKind === undefined) {
          position++;
          continue;
        }
        const length = parseScalarText(tokens[position] ?? '');
        if (length === undefined || !Number.isInteger(length) || length < 0) throw new PointCloudError(source, `PLY element "${element.name}" item ${i} has invalid list length "${tokens[position] ?? ''}"`);
        position += 1 + length;
      }
    }
  }

  const vertex = header.elements[vertexIndex] as PlyElement;
  const width = vertex.properties.length;
  if (vertex.count * width > tokens.length - position) {
    throw new PointCloudError(source, `PLY declares ${vertex.count} vertices of ${width} values, but the ascii data contains fewer values`);
  }

  const fields: PointField[] = vertex.properties.map((property) => ({ name: property.name, values: createColumn(property.kind, vertex.count) }));
  for (let i = 0; i < vertex.count; i++) {
    for (let p = 0; p < width; p++) {
      const token = tokens[position++] ?? '';
      const value = parseScalarText(token);
      if (value === undefined) throw new PointCloudError(source, `PLY vertex ${i} has an invalid number "${token}"`);
      (fields[p] as PointField).values[i] = value;
    }
  }
  return fields;
}

/** Reads the vertices of a PLY file as a point cloud; see PointCloud for how NaN positions are handled. */
export function readPly(bytes: Uint8Array, source: string): PointCloud {
  const header = parsePlyHeader(bytes, source);
  const data = bytes.subarray(header.dataOffset);
  const fields = header.encoding === 'ascii' ? readAsciiVertices(header, data, source) : readBinaryVertices(header, data, source);
  const count = fields[0]?.values.length ?? 0;
  return finishPointCloud('ply', fields, count, source);
}
