/** The README.md written into every export folder: what is in it and how to run it. */
import type { ExportMetadata } from './metadata.js';

function shapeText(shape: Array<number | 'batch'>): string {
  return `[${shape.join(', ')}]`;
}

export function exportReadme(meta: Omit<ExportMetadata, 'files'>): string {
  const inputs = meta.io.inputs;
  const out = meta.io.output;
  const scaling = meta.action.scaling;
  const head = meta.action.head;
  const outputs = head ? (head.kind === 'q-argmax' ? 'a Q value per action' : 'C51 logits per action and atom') : 'actions in [-1, 1]';
  const lines: string[] = [];
  lines.push(`# Drive Lab policy: ${meta.envId} (${meta.algo})`, '');
  lines.push(
    `Exported ${meta.createdAt} by ${meta.producer.app} ${meta.producer.version}. The deterministic actor${meta.architecture.encoder ? ' with its camera encoder in front' : ''}: observations in, ${outputs} out${head ? '; the action is the greedy index (below)' : ''}.`,
    '',
  );
  lines.push('## Files', '');
  lines.push(`- \`metadata.json\`: spaces, action scaling, preprocessing, env, algorithm, config, evaluation, sha256 of every file.`);
  if (meta.formats.onnx) lines.push(`- \`${meta.formats.onnx.file}\`: ONNX (IR ${meta.formats.onnx.irVersion}, opset ${meta.formats.onnx.opset}).`);
  if (meta.formats.tfjs)
    lines.push(`- \`${meta.formats.tfjs.modelFile}\` + \`${meta.formats.tfjs.weightsFile}\`: TensorFlow.js LayersModel (tf.loadLayersModel).`);
  lines.push('', '## Inputs and output', '');
  for (const i of inputs) lines.push(`- input \`${i.name}\`: float32 ${shapeText(i.shape)}`);
  lines.push(`- output \`${out.name}\`: float32 ${shapeText(out.shape)}, ${head ? outputs : 'each element in [-1, 1]'}`, '');
  if (meta.observation.kind === 'vector') {
    const names = meta.observation.space.names;
    if (names) lines.push(`Observation elements, in order: ${names.join(', ')}. No preprocessing: feed the env's observation as float32.`, '');
  } else {
    const im = meta.observation.image;
    lines.push(`Image: ${im.height} x ${im.width} x ${im.channels} (${im.channelOrder}, ${im.layout}), values in [0, 1]: ${im.normalization}.`);
    if (meta.observation.extra?.names) lines.push(`Extra features, in order: ${meta.observation.extra.names.join(', ')}.`);
    lines.push('');
  }
  if (head) {
    lines.push(`Discrete action: ${meta.action.formula}.`, '');
    for (const s of scaling) lines.push(`- ${s.name}: ${s.low}..${s.high} (${s.unit})`);
  } else {
    lines.push('Physical action: `low + (a + 1) / 2 * (high - low)` per element:', '');
    for (const s of scaling) lines.push(`- ${s.name}: [${s.low}, ${s.high}] ${s.unit}`);
  }
  lines.push('');
  lines.push(
    `Verified at export on ${meta.verification.samples} random valid inputs: max abs difference from the TF.js actor ${JSON.stringify(meta.verification.maxAbsDiff)} (tolerance ${meta.verification.tolerance}).`,
    '',
  );

  const exampleFeeds = inputs
    .map((i) => {
      const dims = i.shape.map((d) => (d === 'batch' ? 1 : d));
      return `    "${i.name}": np.zeros((${dims.join(', ')}${dims.length === 1 ? ',' : ''}), dtype=np.float32),  # your observation here`;
    })
    .join('\n');
  if (meta.formats.onnx) {
    lines.push('## Python (onnxruntime)', '', '```python');
    lines.push('import json', 'import numpy as np', 'import onnxruntime as ort', '');
    lines.push('meta = json.load(open("metadata.json"))');
    lines.push(`session = ort.InferenceSession("${meta.formats.onnx.file}", providers=["CPUExecutionProvider"])`);
    lines.push('feeds = {', exampleFeeds, '}');
    if (head?.kind === 'q-argmax') {
      lines.push(`q = session.run(["${out.name}"], feeds)[0]  # [batch, ${meta.action.dim}] Q values`, 'action = q.argmax(axis=1)', '```', '');
    } else if (head) {
      lines.push(`logits = session.run(["${out.name}"], feeds)[0].reshape(-1, ${head.actions}, ${head.atoms})`);
      lines.push(
        `z = np.linspace(${head.vMin}, ${head.vMax}, ${head.atoms})`,
        'p = np.exp(logits - logits.max(axis=2, keepdims=True)); p /= p.sum(axis=2, keepdims=True)',
      );
      lines.push('action = (p * z).sum(axis=2).argmax(axis=1)', '```', '');
    } else {
      lines.push(`action = session.run(["${out.name}"], feeds)[0]  # [batch, ${meta.action.dim}] in [-1, 1]`);
      lines.push('low = np.array([s["low"] for s in meta["action"]["scaling"]], dtype=np.float32)');
      lines.push('high = np.array([s["high"] for s in meta["action"]["scaling"]], dtype=np.float32)');
      lines.push('physical = low + (action + 1) / 2 * (high - low)', '```', '');
    }
  }
  if (meta.formats.tfjs) {
    const tensors = inputs.map((i) => `tf.zeros([${i.shape.map((d) => (d === 'batch' ? 1 : d)).join(', ')}])`);
    lines.push('## TensorFlow.js', '', '```js');
    lines.push("import * as tf from '@tensorflow/tfjs';", '');
    lines.push(`// Browser: serve this folder and pass the URL of ${meta.formats.tfjs.modelFile}; Node with tfjs-node: 'file://' + path.`);
    lines.push(`const model = await tf.loadLayersModel('./${meta.formats.tfjs.modelFile}');`);
    lines.push(
      `const ${head ? 'out' : 'action'} = model.predict(${tensors.length === 1 ? tensors[0] : `[${tensors.join(', ')}]`}); // [batch, ${meta.action.dim}] ${head ? outputs : 'in [-1, 1]'}`,
    );
    if (head) lines.push('// action: see "Discrete action" above (argmax over actions)');
    lines.push('```', '');
  }
  lines.push('## Drive Lab CLI', '', '```sh');
  lines.push(`npm run cli -- policy run --model <this folder> --env ${meta.envId} --seeds 0,1,2 --json`);
  lines.push('npm run cli -- policy check --model <this folder>');
  lines.push('```', '');
  return lines.join('\n');
}
