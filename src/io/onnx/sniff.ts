/**
 * Is this ONNX? Judged from the first bytes: the top-level protobuf fields must be ModelProto's, with
 * their wire types (ir_version a varint, graph length-delimited, …). Two such fields in a row, or one that
 * runs past the bytes seen, is enough; text (JSON starts with `{`, a tag no ModelProto has) never passes.
 */

/** ModelProto field numbers → wire type (0 varint, 2 length-delimited). */
const MODEL_FIELDS: ReadonlyMap<number, number> = new Map([
  [1, 0], // ir_version
  [2, 2], // producer_name
  [3, 2], // producer_version
  [4, 2], // domain
  [5, 0], // model_version
  [6, 2], // doc_string
  [7, 2], // graph
  [8, 2], // opset_import
  [14, 2], // metadata_props
  [20, 2], // training_info
  [25, 2], // functions
]);

function varint(head: Uint8Array, at: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = at; i < head.length && i < at + 10; i++) {
    const b = head[i] as number;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return { value, next: i + 1 };
    scale *= 128;
  }
  return undefined;
}

export function looksLikeOnnx(head: Uint8Array): boolean {
  let pos = 0;
  let fields = 0;
  while (fields < 8 && pos < head.length) {
    const tag = varint(head, pos);
    if (!tag) break;
    const fieldNo = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    if (MODEL_FIELDS.get(fieldNo) !== wire) break;
    const body = varint(head, tag.next);
    if (!body) break;
    fields++;
    if (wire === 0) {
      pos = body.next;
      continue;
    }
    if (body.next + body.value > head.length) return true; // runs past what was sniffed
    pos = body.next + body.value;
  }
  return fields >= 2 || (fields === 1 && pos === head.length);
}
