#!/usr/bin/env bash
# Yosys resource reports for the chip top (systole_top).
#
# Usage: synth.sh OUTDIR [CONFIG...]      CONFIG is RxC, default "4x4 8x8"
# Runs `synth_ice40` (Lattice iCE40) and `synth_xilinx -family xc7` (Artix-7) for each
# config, two jobs at a time, writes OUTDIR/<target>_<cfg>.{log,stat} and prints a table of
# the cells that matter for fitting. Fails if any synthesis fails.
set -euo pipefail
out=${1:?usage: synth.sh OUTDIR [CONFIG...]}
shift
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(4x4 8x8)
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
srcs=$(sed "s|^|$root/|" "$root/rtl/files.f" | tr '\n' ' ')

run_one() { # target cfg
  local target=$1 cfg=$2 rows=${2%x*} cols=${2#*x} cmd
  case $target in
    # Everything of synth_ice40 but its final AUTONAME pass, which takes minutes on a netlist
    # this size in Yosys 0.23 and only renames wires; the checks after it are kept.
    ice40)  cmd="synth_ice40 -dsp -top systole_top -run :check; hierarchy -check; check -noinit" ;;
    xilinx) cmd="synth_xilinx -family xc7 -top systole_top" ;;
    *) echo "synth.sh: unknown target $target" >&2; return 1 ;;
  esac
  # SYNTHESIS is defined so simulation-only assertion blocks are left out.
  yosys -q -l "$out/${target}_$cfg.log" -p "
    read_verilog -sv -DSYNTHESIS $srcs
    chparam -set Rows $rows -set Cols $cols systole_top
    $cmd
    tee -q -o $out/${target}_$cfg.stat stat" >/dev/null 2>&1
}

pids=() names=()
for cfg in "${configs[@]}"; do
  for target in ice40 xilinx; do
    run_one "$target" "$cfg" &
    pids+=($!) names+=("${target}_$cfg")
    if [ ${#pids[@]} -ge 2 ]; then
      wait "${pids[0]}" || { echo "synth.sh: ${names[0]} failed, see $out/${names[0]}.log" >&2; exit 1; }
      pids=("${pids[@]:1}") names=("${names[@]:1}")
    fi
  done
done
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || { echo "synth.sh: ${names[$i]} failed, see $out/${names[$i]}.log" >&2; exit 1; }
done

count() { # stat-file cell-regex -> summed count
  awk -v re="$2" '$1 ~ re && $2 ~ /^[0-9]+$/ { n += $2 } END { print n + 0 }' "$1"
}

printf '\n%-8s %-7s %9s %9s %6s %9s\n' target config LUT FF DSP BRAM
for cfg in "${configs[@]}"; do
  s="$out/ice40_$cfg.stat"
  printf '%-8s %-7s %9s %9s %6s %9s\n' ice40 "$cfg" "$(count "$s" '^SB_LUT4$')" \
    "$(count "$s" '^SB_DFF')" "$(count "$s" '^SB_MAC16$')" \
    "$(count "$s" '^SB_RAM40_4K$')+$(count "$s" '^SB_SPRAM256KA$')sp"
  s="$out/xilinx_$cfg.stat"
  printf '%-8s %-7s %9s %9s %6s %9s\n' xilinx "$cfg" "$(count "$s" '^LUT[1-6]$')" \
    "$(count "$s" '^FD[CPRSE]+$')" "$(count "$s" '^DSP48E1$')" \
    "$(count "$s" '^RAMB(18|36)E1$')"
done
echo "(ice40 BRAM: EBR blocks + SPRAM; xilinx BRAM: RAMB18E1 + RAMB36E1 primitives;"
echo " the default 64 KiB scratchpad and 16 KiB accumulator are kept, so these are the"
echo " chip's full resource needs, not a fit for a small part. Logs and stats: $out/)"
