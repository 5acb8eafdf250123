#!/usr/bin/env bash
# SAC, D4PG and PPO on the lane STATE observation with the TD3 drive recipe's budget (bench/drive/
# state-control.ts: 10 held-out 250 m routes evaluated after every episode, at most 11 episodes =
# the drive goal's budget; SAC and D4PG with the recipe's schedule of 250 updates after each
# episode, PPO with its own rollouts). Prints, per seed, the episodes until the first evaluation
# with 0 disengagements (">N" = not within the budget of N episodes).
# Usage: bench/algos/lane-state.sh sac|d4pg|ppo [seeds (default: 3 drawn at random)] [out dir] [max episodes (default 11)]
set -euo pipefail
algo=${1:?sac, d4pg or ppo}
seeds=${2:-$(for _ in 1 2 3; do echo -n "$(( (RANDOM << 15) | RANDOM )),"; done)}
out=${3:-bench/out/lane-state}
max=${4:-11}
# The drive recipe (src-shared/config/drive.ts DRIVE_TD3) in each algorithm's terms: gamma 0.95,
# tau 0.02, batch 64, 64-64 networks, lr 1e-3, 10-step returns, 250 updates after each episode.
common='"gamma":0.95,"tau":0.02,"batchSize":64,"trainSchedule":"episodes","gradientSteps":250,"learningStarts":0,"actorHidden":[64,64],"criticHidden":[64,64],"bufferSize":100000,"replay":{"type":"uniform","nStep":10}'
case $algo in
  sac) block="\"sac\":{$common,\"learningRate\":0.001}" ;;
  # Support: rewards are metres per step (about 0.25-0.5 at 20 Hz), returns below 15 at gamma 0.95.
  d4pg) block="\"d4pg\":{$common,\"actorLr\":0.001,\"criticLr\":0.001,\"vMin\":-1,\"vMax\":15,\"noise\":{\"type\":\"ou\",\"theta\":0.6,\"sigma\":0.4,\"dt\":0.05,\"mu\":0}}" ;;
  # PPO: SB3/RL Zoo defaults (clip 0.2, GAE lambda 0.95, minibatch 64, Adam, normalized advantages,
  # vf_coef 0.5, no entropy bonus), lr 1e-3 (the zoo's CartPole-v1 and Pendulum-v1 entries), 20 epochs
  # (its CartPole-v1 and HalfCheetahBulletEnv entries), max_grad_norm 5 (its MountainCarContinuous-v0
  # entry), with the drive recipe's gamma 0.95 and 64-64 networks. Changed for a budget of a few
  # hundred steps (11 episodes are 300-1,000 steps here): one rollout per finished episode (the drive
  # recipe's update after each episode; the zoo's rollouts are 1024-2048 steps) and an initial sigma
  # of e^-1 = 0.37 (Kendall's OU sigma 0.4; the zoo's pybullet entries start at e^-2).
  # Tuning: bench/RESULTS.md "PPO on the lane STATE observation".
  ppo) block='"ppo":{"lr":0.001,"episodesPerRollout":1,"batchSize":64,"nEpochs":20,"gamma":0.95,"gaeLambda":0.95,"clipRange":0.2,"logStdInit":-1,"maxGradNorm":5,"actorHidden":[64,64],"criticHidden":[64,64]}' ;;
  *) echo "unknown algo $algo" >&2; exit 2 ;;
esac
echo "$algo seeds: $seeds"
for seed in ${seeds//,/ }; do
  log=$(npx tsx bench/drive/state-control.ts "{\"algo\":\"$algo\",\"seed\":$seed,$block}" "$out/$algo-$seed" "$max" 2>/dev/null | grep ' ep ')
  last=$(echo "$log" | tail -1)
  eps=$(echo "$last" | awk '{print $3}')
  dis=$(echo "$last" | awk '{print $7}')
  if [ "$dis" = "0" ]; then echo "$algo seed $seed: clean after $eps episodes ($(echo "$last" | awk '{print $1}') s)"; else echo "$algo seed $seed: >$max (last: $last)"; fi
done
