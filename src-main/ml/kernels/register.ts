/**
 * Registers the kernels this project provides for backends that lack them (or ship slow ones).
 * Called once, after the backend is set. See the ML backend issue for what belongs here.
 */
let registered = false;

export function registerProjectKernels(): void {
  if (registered) return;
  registered = true;
}
