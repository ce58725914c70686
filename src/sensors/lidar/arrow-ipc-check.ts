/**
 * A structural check of an Arrow IPC file before apache-arrow parses it.
 *
 * apache-arrow 21.2.0 loops forever when a message's metadata length is negative or points
 * backwards, which a corrupt file can cause. This walks the message framing and the footer's
 * record-batch blocks with bounds checks, so such files are rejected first. Field positions match
 * the flatbuffer classes apache-arrow generates (fb/footer, fb/message, fb/block).
 */

const MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31];

function readInt32(view: DataView, offset: number): number | undefined {
  return offset >= 0 && offset + 4 <= view.byteLength ? view.getInt32(offset, true) : undefined;
}

/** Returns the byte offset of field `index` of the flatbuffer table at `table`, or undefined when absent or out of bounds. */
function tableField(view: DataView, table: number, index: number): number | undefined {
  const vtableDistance = readInt32(view, table);
  if (vtableDistance === undefined) return undefined;
  const vtable = table - vtableDistance;
  if (vtable < 0 || vtable + 4 > view.byteLength) return undefined;
  const vtableSize = view.getUint16(vtable, true);
  const slot = 4 + index * 2;
  if (slot + 2 > vtableSize || vtable + slot + 2 > view.byteLength) return undefined;
  const fieldOffset = view.getUint16(vtable + slot, true);
  return fieldOffset === 0 ? undefined : table + fieldOffset;
}

/** Returns the body length of the message whose flatbuffer starts at `start`, or a problem. */
function messageBodyLength(view: DataView, start: number): number | string {
  const root = readInt32(view, start);
  if (root === undefined || root < 0) return `message at offset ${start} has an invalid root offset`;
  const field = tableField(view, start + root, 3);
  if (field === undefined) return 0;
  if (field + 8 > view.byteLength) return `message at offset ${start} has a body length outside the file`;
  const length = Number(view.getBigInt64(field, true));
  return length >= 0 && length <= view.byteLength ? length : `message at offset ${start} declares an invalid body length ${length}`;
}

/** Returns a problem description when the file's framing cannot be walked safely, or undefined when it can. */
export function checkArrowFile(bytes: Uint8Array): string | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = bytes.length;
  if (length < 18 || MAGIC.some((byte, i) => bytes[i] !== byte || bytes[length - 6 + i] !== byte)) return 'the ARROW1 magic is missing at the start or the end';

  const footerLength = view.getInt32(length - 10, true);
  const footerStart = length - 10 - footerLength;
  if (footerLength <= 0 || footerStart < 8) return `the footer length ${footerLength} is invalid`;

  // Walk the encapsulated messages: 0xFFFFFFFF, int32 metadata length, metadata, body.
  const messageStarts = new Set<number>();
  let position = 8;
  while (position < footerStart) {
    messageStarts.add(position);
    let metadataLength = readInt32(view, position);
    let metadataStart = position + 4;
    if (metadataLength === -1) {
      metadataLength = readInt32(view, position + 4);
      metadataStart = position + 8;
    }
    if (metadataLength === undefined || metadataLength < 0 || metadataStart + metadataLength > footerStart) return `message at offset ${position} has an invalid metadata length`;
    if (metadataLength === 0) break;
    const bodyLength = messageBodyLength(view, metadataStart);
    if (typeof bodyLength === 'string') return bodyLength;
    position = metadataStart + metadataLength + bodyLength;
  }
  if (position > footerStart) return 'the last message passes the start of the footer';

  // Footer fields 2 and 3 are vectors of Block structs (int64 offset, int32 metadata length, int64 body length).
  const footerRoot = readInt32(view, footerStart);
  if (footerRoot === undefined || footerRoot < 0) return 'the footer has an invalid root offset';
  for (const fieldIndex of [2, 3]) {
    const field = tableField(view, footerStart + footerRoot, fieldIndex);
    if (field === undefined) continue;
    const vectorOffset = readInt32(view, field);
    if (vectorOffset === undefined) return 'the footer block list is outside the file';
    const vector = field + vectorOffset;
    const count = readInt32(view, vector);
    if (count === undefined || count < 0 || vector + 4 + count * 24 > length) return 'the footer block list is outside the file';
    for (let i = 0; i < count; i++) {
      const block = vector + 4 + i * 24;
      const offset = Number(view.getBigInt64(block, true));
      if (!messageStarts.has(offset)) return `footer block ${i} points to offset ${offset}, which is not the start of a message`;
    }
  }
  return undefined;
}
