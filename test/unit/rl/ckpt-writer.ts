/**
 * Child process for checkpoint.test.ts: writes checkpoints in a loop until it is killed.
 * Usage: node --import tsx ckpt-writer.ts DIR FIRST_STEP. Prints "wrote N" after each one.
 */
import { CheckpointStore } from '../../../src-main/rl/checkpoint/store.js';

const [dir, first] = process.argv.slice(2);
const store = new CheckpointStore(dir!);
const big = new Float32Array(2_000_000);
for (let step = Number(first); ; step++) {
  big.fill(step);
  store.writeFull(step, { json: { step }, arrays: { big, small: Int32Array.of(step, -step) } });
  process.stdout.write(`wrote ${step}\n`);
}
