/** One sentence per algorithm: what it is, for the New-run form's picker and the CLI. */
import type { AlgoId } from './algo.js';

export const ALGO_INFO: Record<AlgoId, string> = {
  td3: 'Off-policy actor-critic for continuous actions: a deterministic actor trained from replay against the smaller of two critics, with delayed actor updates and target smoothing (Fujimoto et al. 2018).',
  ddpg: 'The original deterministic off-policy actor-critic (Lillicrap et al. 2016), here as a TD3 preset: one critic, no delay, no target smoothing, Ornstein-Uhlenbeck noise.',
  sac: 'SAC (Haarnoja et al. 2018): a stochastic squashed-Gaussian actor trained to maximise reward plus entropy, with twin critics and an automatically tuned entropy coefficient; explores by sampling its own policy.',
  d4pg: 'D4PG (Barth-Maron et al. 2018): a deterministic actor with a distributional critic that predicts the whole distribution of returns over fixed atoms, trained on n-step returns; explores with added noise.',
  dqn: 'DQN (Mnih et al. 2015): a Q-network over discrete actions with a target network and epsilon-greedy exploration; double, dueling, n-step, prioritized, distributional and noisy variants are options.',
  rainbow:
    'Rainbow (Hessel et al. 2018): DQN with all six improvements combined (double, dueling, prioritized replay, 3-step returns, C51 distributional head, noisy nets).',
  ppo: 'On-policy actor-critic that collects rollouts of its stochastic policy, estimates advantages with GAE and takes several minibatch epochs on a clipped objective so the policy never moves far from the one that collected the data (Schulman et al. 2017); continuous or discrete actions.',
  a2c: 'Synchronous advantage actor-critic: many envs step side by side, and every few steps one gradient step on n-step advantages updates policy and value networks together (Mnih et al. 2016); continuous or discrete actions.',
  reinforce:
    'The Monte Carlo policy gradient (Williams 1992): after whole episodes, it raises the log-probability of each action by its return minus a learned state-value baseline; simple, unbiased and high-variance.',
};
