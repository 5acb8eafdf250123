/**
 * One deterministic policy on RAW observations (what the env gives: the camera image and the
 * extra features for image observations), whatever built it:
 *
 * - `policyFromWeights`: an actor Mlp and, for image observations, the conv encoder in front of
 *   it (a frozen VAE encoder or one trained with the critics), from checkpoint or export weights;
 * - `policyOfLearner`: a live learner, behind the run's frozen encoder when it has one (the
 *   learner then works on latents; its own trainable encoder, if any, sits inside it).
 *
 * Every caller that evaluates, drives or reads a Q value uses one of these, so no caller feeds
 * pixels to an actor that reads latents: the width check refuses an observation of the wrong
 * size with a one-line error.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/rng.js';
import { ConvEncoder, type ConvEncoderSpec } from '../../ml/conv-encoder.js';
import { checkInputWidth, Mlp, type MlpSpec } from '../../ml/mlp.js';
import type { Learner } from '../algorithms/learner.js';
import { greedyActions, headOutputDim, type PolicyHead } from '../../../src-shared/policy-head.js';

export interface Policy {
  /** Values per raw observation. */
  readonly obsDim: number;
  readonly actDim: number;
  /** Deterministic actions: raw observations [n * obsDim] -> actions [n * actDim] (a fresh array). */
  act(obs: Float32Array, n: number): Float32Array;
  /** The first critic's Q(s, a) for one raw observation, where a critic is at hand (a live learner). */
  readonly qValue?: (obs: Float32Array, action: Float32Array) => number;
  /** Frees the networks the policy owns (a learner's stay with the learner). */
  dispose(): void;
}

/** The conv encoder in front of an actor: its spec, the features after the image, and its weights. */
export interface PolicyEncoderWeights {
  spec: ConvEncoderSpec;
  extraDim: number;
  weights: readonly Float32Array[];
}

/** An actor's spec and weights, and the encoder in front of it for image observations. */
export interface PolicyWeights {
  spec: MlpSpec;
  weights: readonly Float32Array[];
  encoder?: PolicyEncoderWeights;
  /** How the actor's output becomes the action (the DQN family's greedy index); absent: it is the action. */
  head?: PolicyHead;
}

/** A frozen encoder in front of a learner (the run's VAE encoder, lane obs "vae" mode "frozen"). */
export interface FrozenEncoder {
  encoder: ConvEncoder;
  extraDim: number;
}

/** Raw observation size in front of an encoder: image + extra. */
export function rawObsDim(spec: ConvEncoderSpec, extraDim: number): number {
  return spec.height * spec.width * spec.channels + extraDim;
}

/** A policy built from weights, whose weights can be replaced in place (an actor worker's copy of the learner's actor). */
export interface WeightsPolicy extends Policy {
  /** New weights of the same shapes (the actor's, and the encoder's when it has one). */
  setWeights(actor: readonly Float32Array[], encoder?: readonly Float32Array[]): void;
}

/** A policy that owns its actor (and encoder), built from weights. */
export function policyFromWeights(w: PolicyWeights, name = 'policy'): WeightsPolicy {
  const actor = new Mlp(w.spec, new Rng(0), `${name}/actor`);
  let encoder: ConvEncoder | undefined;
  try {
    actor.setWeights([...w.weights]);
    const enc = w.encoder;
    if (enc) {
      encoder = new ConvEncoder(enc.spec, new Rng(0), `${name}/encoder`, false);
      encoder.setWeights(enc.weights);
      if (enc.spec.latentDim + enc.extraDim !== w.spec.inputDim) {
        throw new Error(`${name}: the encoder gives ${enc.spec.latentDim} latent + ${enc.extraDim} extra values, the actor takes ${w.spec.inputDim}`);
      }
    }
  } catch (e) {
    actor.dispose();
    encoder?.dispose();
    throw e;
  }
  const extraDim = w.encoder?.extraDim ?? 0;
  const obsDim = encoder ? rawObsDim(encoder.spec, extraDim) : w.spec.inputDim;
  const head = w.head;
  if (head && headOutputDim(head) !== w.spec.outputDim) {
    actor.dispose();
    encoder?.dispose();
    throw new Error(`${name}: the ${head.kind} head reads ${headOutputDim(head)} outputs, the actor gives ${w.spec.outputDim}`);
  }
  return {
    obsDim,
    actDim: head ? 1 : w.spec.outputDim,
    act(obs, n) {
      checkInputWidth(name, obs.length, n, obsDim);
      const out = tf.tidy(() => {
        const x = tf.tensor2d(obs, [n, obsDim]);
        return actor.apply(encoder ? encoder.features(x, extraDim) : x).dataSync() as Float32Array;
      });
      return head ? greedyActions(head, out, n) : out;
    },
    setWeights(actorWeights, encoderWeights) {
      actor.setWeights([...actorWeights]);
      if (encoder && encoderWeights) encoder.setWeights(encoderWeights);
    },
    dispose() {
      actor.dispose();
      encoder?.dispose();
    },
  };
}

/**
 * The live learner's deterministic policy on raw observations: through the frozen encoder when
 * the run has one, then the learner (its own encoder, if any, and the actor). Borrows both.
 */
export function policyOfLearner(learner: Learner, frozen?: FrozenEncoder): Policy {
  if (!frozen) {
    return {
      obsDim: learner.obsDim,
      actDim: learner.actDim,
      act: (obs, n) => learner.act(obs, n),
      qValue: (obs, action) => learner.qValue(obs, action),
      dispose() {},
    };
  }
  const { encoder, extraDim } = frozen;
  const obsDim = rawObsDim(encoder.spec, extraDim);
  const name = `${learner.name}+frozen-encoder`;
  return {
    obsDim,
    actDim: learner.actDim,
    act(obs, n) {
      checkInputWidth(name, obs.length, n, obsDim);
      return learner.act(encoder.encode(obs, n, extraDim), n);
    },
    qValue(obs, action) {
      checkInputWidth(name, obs.length, 1, obsDim);
      return learner.qValue(encoder.encode(obs, 1, extraDim), action);
    },
    dispose() {},
  };
}
