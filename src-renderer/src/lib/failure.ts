/**
 * A failed run, told in words: what went wrong (the engine's message recognized, else its first
 * sentence), where training can pick up again (the last checkpoint), and what the user can do;
 * the engine's own message follows as a detail line for a bug report.
 */

export interface FailureContext {
  name: string;
  /** Env steps done when it failed. */
  step: number;
  /** The run's checkpointEvery (undefined: not known). */
  checkpointEvery?: number;
}

export interface FailureText {
  title: string;
  lines: string[];
}

const KINDS: Array<{ test: RegExp; what: string; todo: string }> = [
  {
    test: /shape|rank|dimension|Incompatible|expected .* to have/i,
    what: 'The network and the data it was given do not fit together (their sizes differ).',
    todo: 'This happens when the observation changed (env, obs or camera size) or an init policy was made for another env or other layer sizes: duplicate the run with changes and set them to match.',
  },
  {
    test: /NaN|Infinity|diverg/i,
    what: 'Training diverged: the network produced numbers that are not finite.',
    todo: 'Lower the learning rates or the batch size (Duplicate with changes), or start again from the checkpoint.',
  },
  {
    test: /out of memory|OOM|allocat|heap/i,
    what: 'The engine ran out of memory.',
    todo: 'Use a smaller replay buffer, batch or network (Duplicate with changes), or close other runs.',
  },
  {
    test: /no VAE model/i,
    what: 'The run observes through a VAE, and there is no VAE model where its config points.',
    todo: 'Run the drive pipeline (its vae stage writes a model), or set the VAE model path with Duplicate with changes.',
  },
  {
    test: /worker (crashed|exited)/i,
    what: 'The training thread stopped unexpectedly.',
    todo: 'Start the run again; if it fails again, the detail below helps a bug report.',
  },
];

function firstSentence(message: string): string {
  const m = /^(.{1,200}?[.!?])(\s|$)/.exec(message);
  return m ? m[1]! : message.length > 200 ? `${message.slice(0, 200)}…` : message;
}

export function explainFailure(message: string | undefined, ctx: FailureContext): FailureText {
  const raw = (message ?? '').trim();
  const kind = KINDS.find((k) => k.test.test(raw));
  const lines: string[] = [];
  lines.push(kind ? kind.what : raw ? `The engine reported: ${firstSentence(raw)}` : 'The engine gave no reason.');
  const every = ctx.checkpointEvery;
  if (every !== undefined) {
    const last = every > 0 ? Math.floor(ctx.step / every) * every : 0;
    lines.push(
      last > 0
        ? `Its last checkpoint is at step ${last.toLocaleString('en-US')} (it failed at ${ctx.step.toLocaleString('en-US')}): Start resumes from there.`
        : `It had no checkpoint yet (failed at step ${ctx.step.toLocaleString('en-US')}): Start begins again from step 0.`,
    );
  }
  lines.push(kind ? kind.todo : 'Start it again to resume, or change a setting with Duplicate with changes.');
  if (raw && kind) lines.push(`Detail: ${raw.length > 300 ? `${raw.slice(0, 300)}…` : raw}`);
  return { title: `Run "${ctx.name}" stopped with an error`, lines };
}
