#!/usr/bin/env bash
# fw_bench.sh — firmware overhead: the same jobs issued by the firmware on the SoC's RV32IM
# core and by the host driver on the bare chip model (firmware/jobs/fw_jobs.c, shared).
#
# Usage: fw_bench.sh <bench.csv> <fw_bench_host> <soc_run or ""> <fw build dir>
#
# For conv2d and attention: runs <fw build dir>/<job>.elf on the SoC and `fw_bench_host
# <job>`, parses their "BENCH ..." lines, appends the rows <job>_fw and <job>_host (workload
# "firmware") to the CSV and prints a table with the ratio firmware/host of the end-to-end
# cycles around the driver calls. Without a SoC runner only the host rows are written.
# Exit status non-zero if a run fails or its results do not match the golden kernels.
set -u
csv=$1 host=$2 soc_run=$3 fwdir=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

# field <file> <key>: value of key=value on the BENCH line
field() { grep -E '^BENCH ' "$1" | tail -1 | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# row <csv-name> <log> <sim_cycles_per_s>: one CSV row from a BENCH line
row() {
  local name=$1 log=$2 rate=$3 cycles macs pes
  cycles=$(field "$log" cycles); macs=$(field "$log" macs); pes=$(field "$log" pes)
  awk -v n="$name" -v c="$cycles" -v m="$macs" -v p="$pes" -v rd="$(field "$log" rd)" \
      -v wr="$(field "$log" wr)" -v r="$rate" \
      'BEGIN { printf "8x8,firmware,%s,%s,%s,%.6f,%s,%s,%.0f\n", n, c, m, (c > 0 ? m / (p * c) : 0), rd, wr, r }' >> "$csv"
}

declare -A fw_c host_c fw_chip host_chip
for job in conv2d attention; do
  # host: the driver through the simulator HAL on the bare chip model
  t0=$(date +%s.%N)
  "$host" "$job" > "$tmp/$job.host" 2>&1
  rc=$?
  t1=$(date +%s.%N)
  if [ $rc -ne 0 ] || [ "$(field "$tmp/$job.host" pass)" != 1 ]; then
    echo "fw-bench: host $job failed (exit $rc):"; cat "$tmp/$job.host"; status=1; continue
  fi
  total=$(sed -n 's/^total: \([0-9]*\) cycles.*/\1/p' "$tmp/$job.host")
  rate=$(awk -v c="$total" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b > a ? c / (b - a) : 0) }')
  row "${job}_host" "$tmp/$job.host" "$rate"
  host_c[$job]=$(field "$tmp/$job.host" cycles)
  host_chip[$job]=$(field "$tmp/$job.host" chip_cycles)

  # firmware: the same job issued by the core on the SoC model
  if [ -z "$soc_run" ]; then
    echo "fw-bench: no SoC model (SOC_RUN): firmware rows skipped"; continue
  fi
  "$soc_run" "$fwdir/$job.elf" > "$tmp/$job.fw" 2> "$tmp/$job.fw.err"
  rc=$?
  if [ $rc -ne 0 ] || [ "$(field "$tmp/$job.fw" pass)" != 1 ]; then
    echo "fw-bench: firmware $job failed (exit $rc):"; cat "$tmp/$job.fw" "$tmp/$job.fw.err"; status=1; continue
  fi
  # "soc_run: exit 0 after <cycles> cycles (<sec> s, <rate> cycles/s)"
  rate=$(sed -n 's/.*s, \([0-9.e+]*\) cycles\/s).*/\1/p' "$tmp/$job.fw.err" | tail -1)
  row "${job}_fw" "$tmp/$job.fw" "${rate:-0}"
  fw_c[$job]=$(field "$tmp/$job.fw" cycles)
  fw_chip[$job]=$(field "$tmp/$job.fw" chip_cycles)
done

echo
echo "=== firmware overhead: cycles around the driver calls, SoC firmware vs. host driver (8x8)"
printf "%-10s %14s %14s %8s %16s %16s\n" "job" "firmware" "host" "ratio" "chip busy (fw)" "chip busy (host)"
for job in conv2d attention; do
  [ -n "${fw_c[$job]:-}" ] && [ -n "${host_c[$job]:-}" ] || continue
  awk -v j="$job" -v f="${fw_c[$job]}" -v h="${host_c[$job]}" -v cf="${fw_chip[$job]}" -v ch="${host_chip[$job]}" \
    'BEGIN { printf "%-10s %14d %14d %7.2fx %16d %16d\n", j, f, h, (h > 0 ? f / h : 0), cf, ch }'
done
exit $status
