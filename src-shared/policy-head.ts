/**
 * How a policy network's output becomes the action, saved with every checkpoint's policy
 * description. Absent (continuous actors): the output is the action. The DQN family's network
 * outputs values per discrete action and the action is the greedy index:
 *   "q-argmax": the output is Q(s, a) for each of `actions` actions; action = argmax_a Q.
 *   "categorical-argmax" (C51): the output is `actions` x `atoms` logits (action-major); the
 *     distribution of action a is softmax over its atoms on the support z_j = vMin + j (vMax -
 *     vMin) / (atoms - 1); action = argmax_a sum_j z_j p_aj.
 * Ties go to the lowest index (NumPy's argmax).
 */
import { z } from 'zod';

export const PolicyHead = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('q-argmax'), actions: z.number().int().min(2) }),
  z.object({
    kind: z.literal('categorical-argmax'),
    actions: z.number().int().min(2),
    atoms: z.number().int().min(2),
    vMin: z.number(),
    vMax: z.number(),
  }),
]);
export type PolicyHead = z.infer<typeof PolicyHead>;

/** Network outputs per observation under a head. */
export function headOutputDim(head: PolicyHead): number {
  return head.kind === 'q-argmax' ? head.actions : head.actions * head.atoms;
}

/** Expected values per action of one observation's outputs (`out` from `off`), into `q`. */
export function headValues(head: PolicyHead, out: ArrayLike<number>, off: number, q: Float64Array): void {
  if (head.kind === 'q-argmax') {
    for (let a = 0; a < head.actions; a++) q[a] = out[off + a]!;
    return;
  }
  const { actions, atoms, vMin, vMax } = head;
  const dz = (vMax - vMin) / (atoms - 1);
  for (let a = 0; a < actions; a++) {
    const base = off + a * atoms;
    let max = -Infinity;
    for (let j = 0; j < atoms; j++) max = Math.max(max, out[base + j]!);
    let sum = 0;
    let ev = 0;
    for (let j = 0; j < atoms; j++) {
      const e = Math.exp(out[base + j]! - max);
      sum += e;
      ev += e * (vMin + j * dz);
    }
    q[a] = ev / sum;
  }
}

/** Greedy actions (indices as floats) of `n` observations' network outputs [n * headOutputDim]. */
export function greedyActions(head: PolicyHead, out: ArrayLike<number>, n: number): Float32Array {
  const width = headOutputDim(head);
  if (out.length !== n * width) throw new Error(`policy head: got ${out.length} outputs for ${n} observation(s), expected ${width} each`);
  const q = new Float64Array(head.actions);
  const actions = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    headValues(head, out, i * width, q);
    let best = 0;
    for (let a = 1; a < head.actions; a++) if (q[a]! > q[best]!) best = a;
    actions[i] = best;
  }
  return actions;
}
