/**
 * Generalized advantage estimation (Schulman et al. 2016) over one env's sequence of steps, with
 * Gymnasium semantics:
 *
 *   delta_t = r_t + gamma * V_next(t) - V(s_t)
 *   A_t     = delta_t + gamma * lambda * A_{t+1}          (the trace is cut where an episode ends)
 *   V_next(t) = 0                 when step t terminated (a true end of the MDP),
 *             = V(final obs_t)    when step t was truncated (a time limit: bootstrap),
 *             = V(s_{t+1})        otherwise (lastValue after the sequence's last step).
 *   returns_t = A_t + V(s_t)      (the value targets)
 *
 * lambda = 1 gives Monte Carlo returns minus the baseline (REINFORCE); lambda = 0 one-step TD.
 */

/** How a step ended: it did not, the episode terminated, or it was truncated. */
export const STEP_CONTINUES = 0;
export const STEP_TERMINATED = 1;
export const STEP_TRUNCATED = 2;

export interface GaeInput {
  rewards: ArrayLike<number>;
  /** V(s_t) for each step. */
  values: ArrayLike<number>;
  /** STEP_CONTINUES, STEP_TERMINATED or STEP_TRUNCATED per step. */
  ends: ArrayLike<number>;
  /** V(final obs) where a step was truncated (read only there). */
  bootValues: ArrayLike<number>;
  /** V of the observation after the last step (read only when the last step continues). */
  lastValue: number;
  gamma: number;
  lambda: number;
}

/** Writes advantages and returns for steps [0, length) into `adv`, `ret` at `offset`. Float64 inside. */
export function gae(x: GaeInput, length: number, adv: Float32Array, ret: Float32Array, offset = 0): void {
  let next = 0; // A_{t+1}
  for (let t = length - 1; t >= 0; t--) {
    const end = x.ends[t]!;
    let nextValue: number;
    if (end === STEP_TERMINATED) nextValue = 0;
    else if (end === STEP_TRUNCATED) nextValue = x.bootValues[t]!;
    else nextValue = t === length - 1 ? x.lastValue : x.values[t + 1]!;
    const carry = end === STEP_CONTINUES ? next : 0;
    const delta = x.rewards[t]! + x.gamma * nextValue - x.values[t]!;
    next = delta + x.gamma * x.lambda * carry;
    adv[offset + t] = next;
    ret[offset + t] = next + x.values[t]!;
  }
}

/** (a - mean) / (std + 1e-8) in place, std unbiased (torch's .std(), as SB3). No-op for fewer than 2 values. */
export function normalizeInPlace(a: Float32Array): void {
  const n = a.length;
  if (n < 2) return;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += a[i]!;
  mean /= n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (a[i]! - mean) ** 2;
  const std = Math.sqrt(sq / (n - 1));
  for (let i = 0; i < n; i++) a[i] = (a[i]! - mean) / (std + 1e-8);
}
