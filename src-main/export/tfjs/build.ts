/**
 * Builds the TF.js LayersModel of a policy from its architecture: InputLayer, Conv2D, Flatten,
 * Dense and Concatenate layers only, named as in architecture.ts. Used to write the TF.js export
 * and to derive the topology a loaded model.json must have.
 */
import * as tf from '@tensorflow/tfjs';
import type { ArchitectureDesc } from '../architecture.js';

/** A LayersModel of the architecture with zero weights, or with `weights` when given. Caller disposes. */
export function buildLayersModel(desc: ArchitectureDesc, weights?: readonly Float32Array[]): tf.LayersModel {
  const inputs = desc.inputs.map((i) => tf.input({ shape: i.shape, name: i.name, dtype: 'float32' }));
  let h = inputs[0]!;
  for (const layer of desc.layers) {
    switch (layer.kind) {
      case 'conv2d':
        h = tf.layers
          .conv2d({
            name: layer.name,
            filters: layer.filters,
            kernelSize: layer.kernel,
            strides: layer.stride,
            padding: layer.padding,
            dataFormat: 'channelsLast',
            activation: layer.activation,
            useBias: true,
            kernelInitializer: 'zeros',
            biasInitializer: 'zeros',
          })
          .apply(h) as tf.SymbolicTensor;
        break;
      case 'flatten':
        h = tf.layers.flatten({ name: layer.name }).apply(h) as tf.SymbolicTensor;
        break;
      case 'dense':
        h = tf.layers
          .dense({ name: layer.name, units: layer.units, activation: layer.activation, useBias: true, kernelInitializer: 'zeros', biasInitializer: 'zeros' })
          .apply(h) as tf.SymbolicTensor;
        break;
      case 'concat':
        h = tf.layers.concatenate({ name: layer.name, axis: -1 }).apply([h, inputs[1]!]) as tf.SymbolicTensor;
        break;
    }
  }
  const model = tf.model({ inputs, outputs: h, name: 'drive_lab_policy' });
  if (weights) {
    tf.tidy(() => model.setWeights(desc.params.map((p, i) => tf.tensor(weights[i]!, p.shape))));
  }
  return model;
}

/** The fields of a layer's config that define what it computes (other fields are defaults). */
const CONFIG_KEYS = [
  'batch_input_shape',
  'dtype',
  'units',
  'activation',
  'use_bias',
  'filters',
  'kernel_size',
  'strides',
  'padding',
  'data_format',
  'dilation_rate',
  'axis',
] as const;

export interface TopologyLayer {
  name: unknown;
  class_name: unknown;
  config: Record<string, unknown>;
  inbound_nodes: unknown;
}

/**
 * The computation-defining projection of a LayersModel topology: for each layer its name, class,
 * inbound nodes and the config keys above; plus input and output layers. Two topologies with the
 * same projection compute the same function (given the same weights).
 */
export function topologyFingerprint(topology: unknown): string {
  const t = topology as { class_name?: unknown; config?: { layers?: unknown; input_layers?: unknown; output_layers?: unknown } };
  if (!t || typeof t !== 'object' || !t.config || !Array.isArray(t.config.layers)) return 'invalid';
  const layers = (t.config.layers as TopologyLayer[]).map((l) => {
    const cfg = (l && typeof l.config === 'object' && l.config) || {};
    const picked: Record<string, unknown> = {};
    for (const k of CONFIG_KEYS) if (k in cfg) picked[k] = cfg[k];
    return { name: l?.name, class_name: l?.class_name, inbound_nodes: l?.inbound_nodes, config: picked };
  });
  return JSON.stringify({ class_name: t.class_name, layers, input_layers: t.config.input_layers, output_layers: t.config.output_layers });
}
