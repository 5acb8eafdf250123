#!/usr/bin/env bash
# SAC and D4PG on the lane STATE observation with the TD3 drive recipe's budget and schedule
# (bench/drive/state-control.ts: 250 updates after each episode, 10 held-out 250 m routes after
# every episode, at most 11 episodes = the drive goal's budget). Prints, per seed, the episodes
# until the first evaluation with 0 disengagements (">11" = not within the budget).
# Usage: bench/algos/lane-state.sh sac|d4pg [seeds (default: 3 drawn at random)] [out dir]
set -euo pipefail
algo=${1:?sac or d4pg}
seeds=${2:-$(for _ in 1 2 3; do echo -n "$(( (RANDOM << 15) | RANDOM )),"; done)}
out=${3:-bench/out/lane-state}
# The drive recipe (src-shared/config/drive.ts DRIVE_TD3) in each algorithm's terms: gamma 0.95,
# tau 0.02, batch 64, 64-64 networks, lr 1e-3, 10-step returns, 250 updates after each episode.
common='"gamma":0.95,"tau":0.02,"batchSize":64,"trainSchedule":"episodes","gradientSteps":250,"learningStarts":0,"actorHidden":[64,64],"criticHidden":[64,64],"bufferSize":100000,"replay":{"type":"uniform","nStep":10}'
case $algo in
  sac) block="\"sac\":{$common,\"learningRate\":0.001}" ;;
  # Support: rewards are metres per step (about 0.25-0.5 at 20 Hz), returns below 15 at gamma 0.95.
  d4pg) block="\"d4pg\":{$common,\"actorLr\":0.001,\"criticLr\":0.001,\"vMin\":-1,\"vMax\":15,\"noise\":{\"type\":\"ou\",\"theta\":0.6,\"sigma\":0.4,\"dt\":0.05,\"mu\":0}}" ;;
  *) echo "unknown algo $algo" >&2; exit 2 ;;
esac
echo "$algo seeds: $seeds"
for seed in ${seeds//,/ }; do
  log=$(npx tsx bench/drive/state-control.ts "{\"algo\":\"$algo\",\"seed\":$seed,$block}" "$out/$algo-$seed" 11 2>/dev/null | grep ' ep ')
  last=$(echo "$log" | tail -1)
  eps=$(echo "$last" | awk '{print $3}')
  dis=$(echo "$last" | awk '{print $7}')
  if [ "$dis" = "0" ]; then echo "$algo seed $seed: clean after $eps episodes ($(echo "$last" | awk '{print $1}') s)"; else echo "$algo seed $seed: >11 (last: $last)"; fi
done
