#!/usr/bin/env bash
# Run test programs one after another and print one Check-style summary for all of them.
#
# Usage: run-tests.sh "label::command args" ...
# Each program's output is shown as it runs. The closing lines are the per-program results
# and the total in Check's own format; the exit status is non-zero if any program failed
# (non-zero exit, or a Check summary with failures or errors).
set -u
total_checks=0 total_fail=0 total_err=0 failed_programs=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT
results=()
for spec in "$@"; do
  label=${spec%%::*}
  cmd=${spec#*::}
  echo "=== $label: $cmd"
  start=$(date +%s)
  # shellcheck disable=SC2086
  $cmd 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  secs=$(( $(date +%s) - start ))
  # Check prints "NN%: Checks: N, Failures: F, Errors: E"
  line=$(grep -E '^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$log" | tail -1)
  if [ -n "$line" ]; then
    c=$(sed -E 's/.*Checks: ([0-9]+).*/\1/' <<<"$line")
    f=$(sed -E 's/.*Failures: ([0-9]+).*/\1/' <<<"$line")
    e=$(sed -E 's/.*Errors: ([0-9]+).*/\1/' <<<"$line")
  else
    # not a Check suite: a plain program counts as one check that passes iff it exits 0
    c=1 f=0 e=0
    [ "$rc" -eq 0 ] || f=1
  fi
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && [ "$e" -eq 0 ]; then e=1; fi
  # a sanitizer report fails the program even if it recovered and exited 0
  if grep -qE 'runtime error:|ERROR: (Address|Leak|Undefined)Sanitizer' "$log"; then e=$((e + 1)); fi
  total_checks=$((total_checks + c)); total_fail=$((total_fail + f)); total_err=$((total_err + e))
  status=PASS
  if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ] || [ "$e" -ne 0 ]; then status=FAIL; failed_programs+=("$label"); fi
  results+=("$(printf '%-36s %s  checks %4d  failures %d  errors %d  (%ds)' "$label" "$status" "$c" "$f" "$e" "$secs")")
done
echo
echo "=== Regression summary"
for r in "${results[@]}"; do echo "$r"; done
if [ ${#failed_programs[@]} -ne 0 ]; then
  echo "FAILED: ${failed_programs[*]}"
fi
pct=100
if [ "$total_checks" -gt 0 ]; then
  pct=$(( (total_checks - total_fail - total_err) * 100 / total_checks ))
fi
echo "${pct}%: Checks: ${total_checks}, Failures: ${total_fail}, Errors: ${total_err}"
[ ${#failed_programs[@]} -eq 0 ]
