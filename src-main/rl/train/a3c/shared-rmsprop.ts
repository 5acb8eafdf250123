/**
 * A3C's update of the shared parameters from one worker's gradient: the gradient clipped to a
 * global norm, then RMSprop with statistics shared by all workers (Mnih et al. 2016, "shared
 * RMSProp"), PyTorch's formula:  v <- alpha v + (1 - alpha) g^2;  p <- p - lr g / (sqrt(v) + eps).
 * Workers call it concurrently on the same arrays without locks (Hogwild!).
 */
export interface SharedRmspropOptions {
  lr: number;
  alpha: number;
  eps: number;
  maxGradNorm: number;
}

export function applySharedRmsprop(params: Float32Array, v: Float32Array, grad: Float32Array, o: SharedRmspropOptions): void {
  let sq = 0;
  for (let i = 0; i < grad.length; i++) sq += grad[i]! * grad[i]!;
  const scale = Math.min(1, o.maxGradNorm / (Math.sqrt(sq) + 1e-6));
  for (let i = 0; i < grad.length; i++) {
    const g = grad[i]! * scale;
    const vi = o.alpha * v[i]! + (1 - o.alpha) * g * g;
    v[i] = vi;
    params[i] = params[i]! - (o.lr * g) / (Math.sqrt(vi) + o.eps);
  }
}
