/**
 * Groups of the run config that only mean something with some other choice: the drive pipeline
 * (the lane env only) and the lane env's VAE options (read only with the "vae" observation).
 * The form hides such a group where it does not apply and drops its value, so the form shows
 * and sends only what the engine will read; a group that `fills` gets its defaults written out
 * as soon as it applies (what the engine would use anyway), so the user sees real values.
 */
import type { Path } from './values';
import { getAt } from './values';

export interface ConditionalGroup {
  path: Path;
  applies: (config: Record<string, unknown>) => boolean;
  /** Written out with its defaults when it starts to apply (else left absent until the user adds it). */
  fills: boolean;
}

export const CONDITIONAL_GROUPS: readonly ConditionalGroup[] = [
  { path: ['drive'], applies: (c) => getAt(c, ['env', 'id']) === 'lane', fills: false },
  // Each algorithm's hyperparameter block, shown for that algorithm only.
  { path: ['td3'], applies: (c) => c.algo === undefined || c.algo === 'td3' || c.algo === 'ddpg', fills: true },
  { path: ['sac'], applies: (c) => c.algo === 'sac', fills: true },
  { path: ['d4pg'], applies: (c) => c.algo === 'd4pg', fills: true },
  // The DQN block is read only by dqn and rainbow; left absent, the engine fills it with the Rainbow and env presets.
  { path: ['dqn'], applies: (c) => getAt(c, ['algo']) === 'dqn' || getAt(c, ['algo']) === 'rainbow', fills: false },
  { path: ['env', 'vae'], applies: (c) => getAt(c, ['env', 'id']) === 'lane' && getAt(c, ['env', 'obs']) === 'vae', fills: true },
];

export function conditionalGroup(path: Path): ConditionalGroup | undefined {
  const key = path.join('.');
  return CONDITIONAL_GROUPS.find((g) => g.path.join('.') === key);
}
