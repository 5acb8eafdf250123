/**
 * The VAE's reconstruction of the live camera image, for the app's agent-camera panel (Kendall et
 * et al.'s agent sees a VAE latent; showing decode(encode(x).mean) beside x tells the user what
 * the latent keeps). Built only for lane runs with the "vae" observation from a pretrained model
 * (frozen or fine-tuned: the reconstruction uses the pretrained VAE, not the fine-tuned encoder);
 * used only while the app watches the run, for the frames it streams (at most LIVE_FPS a second).
 */
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../../src-shared/config/run-config.js';
import { encodedImageObs } from '../../sim/registry.js';
import type { ConvVae } from '../../ml/vae.js';
import { loadConvVae, readVaeModel, resolveModelPath } from '../../rl/encoder/vae-model.js';

export class VaeReconstructor {
  private readonly input: Float32Array;
  private readonly out: Uint8Array;

  private constructor(
    private readonly vae: ConvVae,
    readonly width: number,
    readonly height: number,
  ) {
    this.input = new Float32Array(width * height * 3);
    this.out = new Uint8Array(width * height * 3);
  }

  /** The run's reconstructor, or undefined when its observation has no pretrained VAE. */
  static forRun(config: RunConfig, runDir: string): VaeReconstructor | undefined {
    const obs = encodedImageObs(config.env);
    if (!obs) return undefined;
    const opts = obs.vae;
    if (opts.mode === 'scratch') return undefined;
    const model = readVaeModel(resolveModelPath(opts.model, runDir));
    if (model.spec.width !== obs.width || model.spec.height !== obs.height) return undefined;
    return new VaeReconstructor(loadConvVae(model, 'live-reconstruction'), model.spec.width, model.spec.height);
  }

  /**
   * decode(encode(x).mean) of one RGB image (HWC bytes, width x height), as bytes of the same
   * layout. The returned array is reused by the next call.
   */
  reconstruct(rgb: Uint8Array): Uint8Array {
    if (rgb.length !== this.input.length) throw new Error(`reconstruct: expected ${this.width}x${this.height} RGB bytes, got ${rgb.length}`);
    for (let i = 0; i < rgb.length; i++) this.input[i] = rgb[i]! / 255;
    const values = tf.tidy(() => this.vae.reconstruct(tf.tensor4d(this.input, [1, this.height, this.width, 3])).dataSync());
    for (let i = 0; i < this.out.length; i++) {
      const v = Math.round(values[i]! * 255);
      this.out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
    return this.out;
  }

  dispose(): void {
    this.vae.dispose();
  }
}
