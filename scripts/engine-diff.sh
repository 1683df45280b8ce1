#!/usr/bin/env bash
# The differential benches of the board's engines (docs/ld.md, docs/st.md): random jobs on
# the engine under test and on a reference built from the full 32-bit logic, compared
# cycle by cycle or by their effects. `make engine-diff` runs all four; `make sim` runs them
# with fewer jobs.
#
# Usage: engine-diff.sh BENCH [JOBS] [SEED]
#   BENCH  ld-mask   serial LD with the board's DmaAddrMask vs the 32-bit pipelined engine
#          ld        serial LD vs the pipelined engine
#          st        serial ST with the board's DmaAddrMask vs the 32-bit logic
#          cmdproc   command fetch with the board's DmaAddrMask vs the 32-bit logic
#          all       the four above
# On a failure it prints the bench, seed and job count and the command that reruns it.
set -uo pipefail
cd "$(dirname "$0")/.."
bench=${1:?usage: engine-diff.sh ld-mask|ld|st|cmdproc|all [JOBS] [SEED]}
jobs=${2:-}
seed=${3:-1}
run_one() { # bench default-jobs
  local b=$1 n=${jobs:-$2} cmd
  case $b in
    ld-mask) cmd="env MASK=8001FFFF bash tests/ld/run.sh $n $seed" ;;
    ld)      cmd="bash tests/ld/run.sh $n $seed" ;;
    st)      cmd="bash tests/st/run.sh $n $seed" ;;
    cmdproc) cmd="bash tests/cmdproc/run.sh $n $seed" ;;
    *) echo "engine-diff.sh: unknown bench '$b'" >&2; return 2 ;;
  esac
  echo "engine-diff: $b, $n random jobs, seed $seed"
  if ! $cmd; then
    echo "engine-diff: FAIL: $b, seed $seed, $n jobs; rerun with: $cmd" >&2
    return 1
  fi
}
case $bench in
  all) rc=0
       run_one ld-mask 2000 || rc=1; run_one ld 2000 || rc=1
       run_one st 2000 || rc=1;      run_one cmdproc 400 || rc=1
       exit $rc ;;
  ld-mask|ld|st) run_one "$bench" 2000 ;;
  cmdproc) run_one "$bench" 400 ;;
  *) run_one "$bench" 0 ;;
esac
