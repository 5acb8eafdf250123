/**
 * ONNX export of a policy: a standard ModelProto (IR 7, default-domain opset 13) built from the
 * architecture's layer list, written with protobufjs and the schema in schema.ts.
 *
 * Ops used: Gemm (dense; kernel [in, out] as B, bias as C), Relu, Tanh, and for the camera
 * encoder Transpose (NHWC -> NCHW, since ONNX Conv is NCHW), Conv (OIHW kernels, explicit pads
 * reproducing TF 'same'/'valid'), Transpose back to NHWC so Flatten (axis 1) orders features as
 * TF.js's Flatten does, and Concat (latent + extra vector features). The graph's image input
 * stays NHWC, as the camera delivers it and as the TF.js model takes it.
 */
import type { ArchitectureDesc, LayerDesc } from '../architecture.js';
import {
  AttributeType,
  encodeModel,
  ONNX_IR_VERSION,
  ONNX_OPSET,
  TensorDataType,
  type AttributeObj,
  type ModelObj,
  type NodeObj,
  type TensorObj,
  type ValueInfoObj,
} from './schema.js';

export const ONNX_FILE = 'policy.onnx';
export const ONNX_OUTPUT = 'action';
export const ONNX_BATCH_PARAM = 'batch';

const ints = (name: string, v: number[]): AttributeObj => ({ name, type: AttributeType.INTS, ints: v });
const int = (name: string, v: number): AttributeObj => ({ name, type: AttributeType.INT, i: v });

function floatBytes(a: Float32Array): Uint8Array {
  const copy = Float32Array.from(a);
  // raw_data is little-endian; so is every platform Node runs on, but be explicit.
  const out = new Uint8Array(copy.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < copy.length; i++) view.setFloat32(4 * i, copy[i]!, true);
  return out;
}

/** HWIO (TF.js) -> OIHW (ONNX). */
export function hwioToOihw(w: Float32Array, [kh, kw, ci, co]: number[]): Float32Array {
  const out = new Float32Array(w.length);
  for (let y = 0; y < kh!; y++)
    for (let x = 0; x < kw!; x++)
      for (let i = 0; i < ci!; i++) for (let o = 0; o < co!; o++) out[((o * ci! + i) * kh! + y) * kw! + x] = w[((y * kw! + x) * ci! + i) * co! + o]!;
  return out;
}

/** OIHW (ONNX) -> HWIO (TF.js); the inverse of hwioToOihw. */
export function oihwToHwio(w: Float32Array, [kh, kw, ci, co]: number[]): Float32Array {
  const out = new Float32Array(w.length);
  for (let y = 0; y < kh!; y++)
    for (let x = 0; x < kw!; x++)
      for (let i = 0; i < ci!; i++) for (let o = 0; o < co!; o++) out[((y * kw! + x) * ci! + i) * co! + o] = w[((o * ci! + i) * kh! + y) * kw! + x]!;
  return out;
}

/** How one TF.js-layout weight is stored as an ONNX initializer. */
export interface OnnxInitializerDesc {
  name: string;
  /** ONNX dims of the initializer. */
  dims: number[];
  /** Index into the architecture's params. */
  param: number;
  layout: 'same' | 'hwio->oihw';
}

export function initializerDescs(desc: ArchitectureDesc): OnnxInitializerDesc[] {
  return desc.params.map((p, i) => {
    const name = `${p.layer}.${p.role}`;
    if (p.role === 'kernel' && p.shape.length === 4) {
      const [kh, kw, ci, co] = p.shape as [number, number, number, number];
      return { name, dims: [co, ci, kh, kw], param: i, layout: 'hwio->oihw' };
    }
    return { name, dims: [...p.shape], param: i, layout: 'same' };
  });
}

function valueInfo(name: string, shape: number[]): ValueInfoObj {
  return {
    name,
    type: { tensor_type: { elem_type: TensorDataType.FLOAT, shape: { dim: [{ dim_param: ONNX_BATCH_PARAM }, ...shape.map((d) => ({ dim_value: d }))] } } },
  };
}

/** The graph's nodes for the architecture (no weights needed). */
export function graphNodes(desc: ArchitectureDesc): NodeObj[] {
  const nodes: NodeObj[] = [];
  let cur: string = desc.inputs[0]!.name;
  const lastIndex = desc.layers.length - 1;
  const activation = (layer: Extract<LayerDesc, { activation: unknown }>, value: string, isLast: boolean): string => {
    if (layer.activation === 'linear') return value;
    const out = isLast ? ONNX_OUTPUT : `${layer.name}.${layer.activation}`;
    nodes.push({ name: `${layer.name}_${layer.activation}`, op_type: layer.activation === 'relu' ? 'Relu' : 'Tanh', input: [value], output: [out] });
    return out;
  };
  let nchw = false;
  desc.layers.forEach((layer, li) => {
    const isLast = li === lastIndex;
    switch (layer.kind) {
      case 'conv2d': {
        if (!nchw) {
          nodes.push({ name: 'image_to_nchw', op_type: 'Transpose', input: [cur], output: ['image_nchw'], attribute: [ints('perm', [0, 3, 1, 2])] });
          cur = 'image_nchw';
          nchw = true;
        }
        const out = `${layer.name}.out`;
        nodes.push({
          name: layer.name,
          op_type: 'Conv',
          input: [cur, `${layer.name}.kernel`, `${layer.name}.bias`],
          output: [out],
          attribute: [
            ints('dilations', [1, 1]),
            int('group', 1),
            ints('kernel_shape', [layer.kernel, layer.kernel]),
            ints('pads', [...layer.pads]),
            ints('strides', [layer.stride, layer.stride]),
          ],
        });
        cur = activation(layer, out, false);
        break;
      }
      case 'flatten': {
        if (nchw) {
          nodes.push({ name: 'features_to_nhwc', op_type: 'Transpose', input: [cur], output: ['features_nhwc'], attribute: [ints('perm', [0, 2, 3, 1])] });
          cur = 'features_nhwc';
          nchw = false;
        }
        nodes.push({ name: layer.name, op_type: 'Flatten', input: [cur], output: [`${layer.name}.out`], attribute: [int('axis', 1)] });
        cur = `${layer.name}.out`;
        break;
      }
      case 'dense': {
        const out = isLast && layer.activation === 'linear' ? ONNX_OUTPUT : `${layer.name}.out`;
        nodes.push({ name: layer.name, op_type: 'Gemm', input: [cur, `${layer.name}.kernel`, `${layer.name}.bias`], output: [out] });
        cur = activation(layer, out, isLast);
        break;
      }
      case 'concat':
        nodes.push({ name: layer.name, op_type: 'Concat', input: [cur, layer.other], output: [`${layer.name}.out`], attribute: [int('axis', 1)] });
        cur = `${layer.name}.out`;
        break;
    }
  });
  return nodes;
}

export interface OnnxModelInfo {
  producerName: string;
  producerVersion: string;
  docString: string;
  /** Stored as ModelProto.metadata_props (onnxruntime: session.get_modelmeta().custom_metadata_map). */
  metadataProps: Array<{ key: string; value: string }>;
}

/** The ModelProto object for the architecture and weights (TF.js layouts). */
export function buildOnnxModel(desc: ArchitectureDesc, weights: readonly Float32Array[], info: OnnxModelInfo): ModelObj {
  const initializer: TensorObj[] = initializerDescs(desc).map((d) => {
    const w = weights[d.param]!;
    const data = d.layout === 'hwio->oihw' ? hwioToOihw(w, desc.params[d.param]!.shape) : w;
    return { name: d.name, dims: d.dims, data_type: TensorDataType.FLOAT, raw_data: floatBytes(data) };
  });
  return {
    ir_version: ONNX_IR_VERSION,
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    producer_name: info.producerName,
    producer_version: info.producerVersion,
    doc_string: info.docString,
    graph: {
      name: 'drive_lab_policy',
      node: graphNodes(desc),
      initializer,
      input: desc.inputs.map((i) => valueInfo(i.name, i.shape)),
      output: [valueInfo(ONNX_OUTPUT, [desc.outputDim])],
    },
    metadata_props: info.metadataProps,
  };
}

/** Serializes the policy as ONNX bytes. */
export function writeOnnx(desc: ArchitectureDesc, weights: readonly Float32Array[], info: OnnxModelInfo): Uint8Array {
  return encodeModel(buildOnnxModel(desc, weights, info));
}
