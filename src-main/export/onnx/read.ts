/**
 * Reading an ONNX export back. Before onnxruntime sees the bytes they are decoded with the schema
 * and checked: IR version and opset, only the ops Drive Lab writes (default domain, no subgraphs,
 * no functions, no external or sparse data, no unknown fields), initializers with the
 * architecture's names, dims and finite float values, inputs and outputs as the metadata says.
 * Finally the model is rebuilt from the metadata's architecture and the file's own weights and
 * must encode to exactly the file's bytes, so any other change to the graph is refused.
 */
import type { ArchitectureDesc } from '../architecture.js';
import { ExportError } from '../errors.js';
import { ONNX_IR_VERSION, ONNX_OPSET, onnxModelType, TensorDataType } from './schema.js';
import { buildOnnxModel, initializerDescs, ONNX_FILE, oihwToHwio } from './write.js';
import { decodeModel, encodeModel } from './schema.js';

/**
 * Every op the ONNX writer emits; nothing else is accepted on read. (Dense layers are one Gemm
 * each, so MatMul + Add and Reshape are not needed; a new layer kind adds its ops here and in
 * write.ts.)
 */
export const ONNX_ALLOWED_OPS = new Set(['Gemm', 'Relu', 'Tanh', 'Conv', 'Transpose', 'Flatten', 'Concat']);

type Obj = Record<string, unknown>;

function fail(code: 'corrupt' | 'mismatch', msg: string): never {
  throw new ExportError(code, `${ONNX_FILE}: ${msg}`);
}

/** Throws if any decoded message in the tree carries fields outside the schema. */
function refuseUnknownFields(m: unknown, path: string): void {
  if (!m || typeof m !== 'object' || ArrayBuffer.isView(m)) return;
  const unknowns = (m as { $unknowns?: unknown[] }).$unknowns;
  if (Array.isArray(unknowns) && unknowns.length) fail('mismatch', `fields outside the ONNX subset Drive Lab writes, in ${path || 'the model'}`);
  for (const [k, v] of Object.entries(m)) {
    if (Array.isArray(v)) v.forEach((x, i) => refuseUnknownFields(x, `${path}.${k}[${i}]`));
    else refuseUnknownFields(v, `${path}.${k}`);
  }
}

const nonEmpty = (v: unknown) => (Array.isArray(v) ? v.length > 0 : v !== undefined && v !== null && !(ArrayBuffer.isView(v) && v.byteLength === 0));

export interface CheckedOnnx {
  /** Weights in architecture order, TF.js layouts. */
  weights: Float32Array[];
  /** The file's metadata_props. */
  metadataProps: Record<string, string>;
  producerVersion: string;
}

/** Validates ONNX bytes against the architecture; throws ExportError with the reason. */
export function checkOnnx(desc: ArchitectureDesc, bytes: Uint8Array): CheckedOnnx {
  const T = onnxModelType();
  let msg;
  try {
    msg = decodeModel(bytes);
  } catch (e) {
    fail('corrupt', `not a readable ONNX protobuf (${(e as Error).message})`);
  }
  refuseUnknownFields(msg, '');
  const m = T.toObject(msg, { longs: Number, enums: Number, defaults: false, arrays: true }) as Obj;
  if (m.ir_version !== ONNX_IR_VERSION) fail('mismatch', `IR version ${String(m.ir_version)}, expected ${ONNX_IR_VERSION}`);
  const opsets = m.opset_import as Obj[];
  if (opsets.length !== 1 || (opsets[0]!.domain ?? '') !== '' || opsets[0]!.version !== ONNX_OPSET)
    fail('mismatch', `opset imports ${JSON.stringify(opsets)}, expected only the default domain at version ${ONNX_OPSET}`);
  if (nonEmpty(m.training_info)) fail('mismatch', 'training info is not allowed');
  const g = m.graph as Obj | undefined;
  if (!g) fail('corrupt', 'no graph');
  for (const k of ['sparse_initializer', 'quantization_annotation']) if (nonEmpty(g[k])) fail('mismatch', `graph.${k} is not allowed`);
  for (const n of g.node as Obj[]) {
    const op = String(n.op_type ?? '');
    if ((n.domain ?? '') !== '') fail('mismatch', `node "${String(n.name)}" uses domain "${String(n.domain)}"; only the default ONNX domain is allowed`);
    if (!ONNX_ALLOWED_OPS.has(op)) fail('mismatch', `node "${String(n.name)}" is a ${op}; allowed ops are ${[...ONNX_ALLOWED_OPS].join(', ')}`);
    for (const a of (n.attribute as Obj[]) ?? []) {
      for (const k of ['g', 'graphs', 't', 'tensors', 'sparse_tensor', 'sparse_tensors', 'ref_attr_name']) {
        if (nonEmpty(a[k])) fail('mismatch', `node "${String(n.name)}" attribute "${String(a.name)}" carries a ${k}; not allowed`);
      }
    }
  }
  const inputs = (g.input as Obj[]).map((v) => String(v.name));
  const expectedInputs = desc.inputs.map((i) => i.name);
  if (JSON.stringify(inputs) !== JSON.stringify(expectedInputs))
    fail('mismatch', `graph inputs ${JSON.stringify(inputs)}, the metadata's architecture has ${JSON.stringify(expectedInputs)}`);
  const byName = new Map<string, Obj>();
  for (const t of g.initializer as Obj[]) byName.set(String(t.name), t);
  const descs = initializerDescs(desc);
  if (byName.size !== descs.length || (g.initializer as Obj[]).length !== descs.length)
    fail('mismatch', `${(g.initializer as Obj[]).length} initializers, the metadata's architecture has ${descs.length}`);
  const weights: Float32Array[] = new Array(desc.params.length);
  for (const d of descs) {
    const t = byName.get(d.name);
    if (!t) fail('mismatch', `initializer "${d.name}" is missing`);
    if (nonEmpty(t.external_data) || (t.data_location ?? 0) !== 0) fail('mismatch', `initializer "${d.name}" refers to external data; not allowed`);
    for (const k of ['float_data', 'int32_data', 'int64_data', 'double_data', 'uint64_data', 'string_data', 'segment'])
      if (nonEmpty(t[k])) fail('mismatch', `initializer "${d.name}" stores ${k}; only raw_data is written`);
    if (t.data_type !== TensorDataType.FLOAT) fail('mismatch', `initializer "${d.name}" has data type ${String(t.data_type)}, expected FLOAT (1)`);
    const dims = (t.dims as number[]) ?? [];
    if (JSON.stringify(dims) !== JSON.stringify(d.dims))
      fail('mismatch', `initializer "${d.name}" has dims [${dims.join(',')}], the metadata's architecture needs [${d.dims.join(',')}]`);
    const raw = t.raw_data as Uint8Array | undefined;
    const size = d.dims.reduce((a, b) => a * b, 1);
    if (!raw || raw.byteLength !== 4 * size) fail('corrupt', `initializer "${d.name}" has ${raw?.byteLength ?? 0} bytes of data, expected ${4 * size}`);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const data = new Float32Array(size);
    for (let j = 0; j < size; j++) {
      const v = view.getFloat32(4 * j, true);
      if (!Number.isFinite(v)) fail('corrupt', `initializer "${d.name}" has a non-finite value at index ${j}`);
      data[j] = v;
    }
    weights[d.param] = d.layout === 'hwio->oihw' ? oihwToHwio(data, desc.params[d.param]!.shape) : data;
  }
  const props = ((m.metadata_props as Obj[]) ?? []).map((p) => ({ key: String(p.key ?? ''), value: String(p.value ?? '') }));
  const producerVersion = String(m.producer_version ?? '');
  // The graph must be exactly what the writer makes of this architecture and these weights.
  const rebuilt = encodeModel(
    buildOnnxModel(desc, weights, {
      producerName: String(m.producer_name ?? ''),
      producerVersion,
      docString: String(m.doc_string ?? ''),
      metadataProps: props,
    }),
  );
  if (!Buffer.from(rebuilt).equals(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))) {
    fail('mismatch', 'the graph (nodes, attributes, inputs, outputs or their order) differs from the architecture in metadata.json');
  }
  return { weights, metadataProps: Object.fromEntries(props.map((p) => [p.key, p.value])), producerVersion };
}
