#!/usr/bin/env bash
# Picks a run's policy on validation seeds that are not the held-out test seeds, then reads that
# policy's test score, so "the best evaluation" is not chosen on the episodes it is scored on.
#
#   bench/arm-learn/validate-checkpoints.sh <run folder> [validation seeds] [first step]
#
# Every full checkpoint in <run folder>/checkpoints at or after [first step] (default 100000) is
# evaluated (deterministic actor) on the validation seeds (default 0x50000000 + 0..99; training
# episode seeds are drawn from the run's 32-bit RNG and the test seeds are 0x40000000 + k), and,
# with TEST=1, also on the test seeds (the run's own evaluation lines give the same figure when a
# checkpoint sits on an evaluation step). A run keeps only its newest 3 checkpoints: copy the ones
# to compare aside while it trains. Prints: step, validation success, test success, and at the end
# the step with the best validation success (the earliest of ties).
set -euo pipefail
run=${1:?usage: validate-checkpoints.sh <run folder> [validation seeds] [first step]}
val=${2:-1342177280..1342177379}
first=${3:-100000}
cd "$(dirname "$0")/../.."
success() { npm run -s cli -- --backend wasm --json eval --policy "$run" --checkpoint "$1" ${2:+--seeds "$2"} 2>/dev/null | node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>console.log(JSON.parse(s).episode_stats.is_success))'; }
best_step=-1
best=-1
for dir in "$run"/checkpoints/ckpt-*; do
  step=$((10#${dir##*/ckpt-}))
  [ "$step" -ge "$first" ] || continue
  v=$(success "$step" "$val")
  t=-
  [ "${TEST:-0}" = 1 ] && t=$(success "$step" "")
  echo "step $step validation $v test $t"
  if node -e "process.exit(Number('$v') > Number('$best') ? 0 : 1)"; then
    best=$v
    best_step=$step
  fi
done
echo "best on validation: step $best_step ($best)"
