/** One sentence per algorithm: what it is, for the New-run form's picker and the CLI. */
import type { AlgoId } from './algo.js';

export const ALGO_INFO: Record<AlgoId, string> = {
  td3: 'Off-policy actor-critic for continuous actions: a deterministic actor trained from replay against the smaller of two critics, with delayed actor updates and target smoothing (Fujimoto et al. 2018).',
  ddpg: 'The original deterministic off-policy actor-critic (Lillicrap et al. 2016), here as a TD3 preset: one critic, no delay, no target smoothing, Ornstein-Uhlenbeck noise.',
  ppo: 'On-policy actor-critic that collects rollouts of its stochastic policy, estimates advantages with GAE and takes several minibatch epochs on a clipped objective so the policy never moves far from the one that collected the data (Schulman et al. 2017); continuous or discrete actions.',
  a2c: 'Synchronous advantage actor-critic: many envs step side by side, and every few steps one gradient step on n-step advantages updates policy and value networks together (Mnih et al. 2016); continuous or discrete actions.',
  reinforce:
    'The Monte Carlo policy gradient (Williams 1992): after whole episodes, it raises the log-probability of each action by its return minus a learned state-value baseline; simple, unbiased and high-variance.',
};
