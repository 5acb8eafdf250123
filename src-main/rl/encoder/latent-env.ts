/**
 * The frozen-encoder observation as an env wrapper: the inner env delivers [image, extra] (its
 * imageLayout), the wrapper returns [latent mean, extra] from a frozen ConvEncoder, so the
 * learner, replay buffer (latents, not frames) and evaluation work unchanged. Deterministic: the
 * same inner observation always gives the same latent on one backend.
 */
import { boxSpace, type ActionSpace, type BoxSpace, type Env, type ResetResult, type StepResult } from '../../sim/env.js';
import type { ConvEncoder } from '../../ml/conv-encoder.js';

export class LatentObsEnv implements Env {
  readonly id: string;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: ActionSpace;
  readonly controlDtS?: number;
  private readonly obs: Float32Array;
  private readonly rawDim: number;
  private readonly extraDim: number;
  private readonly latentDim: number;

  constructor(
    readonly inner: Env,
    private readonly encoder: ConvEncoder,
  ) {
    const layout = inner.imageLayout;
    if (!layout) throw new Error(`LatentObsEnv: env "${inner.id}" has no image observation`);
    const s = encoder.spec;
    if (layout.height !== s.height || layout.width !== s.width || layout.channels !== s.channels) {
      throw new Error(
        `LatentObsEnv: the encoder takes ${s.height}x${s.width}x${s.channels} images, the env gives ${layout.height}x${layout.width}x${layout.channels}`,
      );
    }
    this.id = inner.id;
    this.extraDim = layout.extraDim;
    this.latentDim = s.latentDim;
    this.rawDim = layout.height * layout.width * layout.channels + layout.extraDim;
    const lowIn = inner.observationSpace.low;
    const highIn = inner.observationSpace.high;
    const low = [...new Array<number>(this.latentDim).fill(-Infinity), ...Array.from(lowIn.subarray(this.rawDim - this.extraDim))];
    const high = [...new Array<number>(this.latentDim).fill(Infinity), ...Array.from(highIn.subarray(this.rawDim - this.extraDim))];
    this.observationSpace = boxSpace(low, high);
    this.actionSpace = inner.actionSpace;
    if (inner.controlDtS !== undefined) this.controlDtS = inner.controlDtS;
    this.obs = new Float32Array(this.latentDim + this.extraDim);
  }

  private encode(raw: Float32Array): Float32Array {
    this.obs.set(this.encoder.encode(raw, 1, this.extraDim));
    return this.obs;
  }

  reset(seed?: number, options?: Record<string, unknown>): ResetResult {
    const r = this.inner.reset(seed, options);
    return { obs: this.encode(r.obs), info: r.info };
  }

  step(action: Float32Array): StepResult {
    const r = this.inner.step(action);
    return { ...r, obs: this.encode(r.obs) };
  }

  close(): void {
    this.inner.close?.();
  }
}
