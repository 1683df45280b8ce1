#!/usr/bin/env bash
# Yosys resource reports: the chip top (systole_top) for iCE40 and Artix-7, and the SoC top
# (systole_soc: RV32IM core + chip + memories) for Artix-7 against an Arty A7-35T.
#
# Usage: synth.sh OUTDIR [CONFIG...]      CONFIG is RxC, default "4x4 8x8"
# Environment: SYNTH_SOC_CONFIGS  SoC array configs for Artix-7 (default "8x8 16x16"; "" skips)
#
# Runs `synth_ice40` (Lattice iCE40) and `synth_xilinx -family xc7` (Artix-7) on the chip for
# each CONFIG, and `synth_xilinx` on the SoC for each SoC config, two jobs at a time; writes
# OUTDIR/<job>.{log,stat} and prints a table of the cells that matter for fitting, with an
# Arty A7-35T verdict for the SoC rows. Fails if any synthesis fails.
set -euo pipefail
out=${1:?usage: synth.sh OUTDIR [CONFIG...]}
shift
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(4x4 8x8)
read -r -a soc_configs <<<"${SYNTH_SOC_CONFIGS-8x8 16x16}"
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
srcs=$(sed "s|^|$root/|" "$root/rtl/files.f" | tr '\n' ' ')
soc_srcs=
if [ ${#soc_configs[@]} -gt 0 ]; then
  [ -f "$root/rtl/soc/files.f" ] || { echo "synth.sh: no rtl/soc/files.f (SoC sources)" >&2; exit 1; }
  # the SoC's list names the chip's files too: read each file once
  soc_srcs=$(cat "$root/rtl/files.f" "$root/rtl/soc/files.f" | grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' |
             awk '!seen[$0]++' | sed "s|^|$root/|" | tr '\n' ' ')
fi

# The Artix-7 SoC as estimated: firmware RAM and main memory 64 KiB each in block RAM (a
# board would put main memory in its DDR3 behind a memory controller), the single-cycle
# multiplier (DSP48E1), the chip's default scratchpad/accumulator sizes.
XC7_SOC_PARAMS="-set RamBytes 65536 -set MainBytes 65536 -set FastMul 1"
# Arty A7-35T (XC7A35T): LUTs, flip-flops, DSP48E1 slices, 36 Kb block RAMs
ARTY_LUT=20800 ARTY_FF=41600 ARTY_DSP=90 ARTY_BRAM36=50

run_one() { # target cfg
  local target=$1 cfg=$2 rows=${2%x*} cols=${2#*x} cmd files=$srcs top=systole_top extra=
  case $target in
    # Everything of synth_ice40 but its final AUTONAME pass, which takes minutes on a netlist
    # this size in Yosys 0.23 and only renames wires; the checks after it are kept.
    ice40)  cmd="synth_ice40 -dsp -top systole_top -run :check; hierarchy -check; check -noinit" ;;
    xilinx) cmd="synth_xilinx -family xc7 -top systole_top" ;;
    xc7soc) cmd="synth_xilinx -family xc7 -top systole_soc"
            files=$soc_srcs top=systole_soc extra=$XC7_SOC_PARAMS ;;
    *) echo "synth.sh: unknown target $target" >&2; return 1 ;;
  esac
  # SYNTHESIS is defined so simulation-only assertion blocks are left out.
  yosys -q -l "$out/${target}_$cfg.log" -p "
    read_verilog -sv -DSYNTHESIS $files
    chparam -set Rows $rows -set Cols $cols $extra $top
    $cmd
    tee -q -o $out/${target}_$cfg.stat stat" >/dev/null 2>&1
}

# Longest first (the SoC rows, then the chip's, larger arrays first), two at a time: a new
# job starts as soon as either slot is free.
jobs=()
by_size() { for c in "$@"; do echo "$(( ${c%x*} * ${c#*x} )) $c"; done | sort -rn | cut -d' ' -f2; }
for cfg in $(by_size "${soc_configs[@]}"); do jobs+=("xc7soc $cfg"); done
for cfg in $(by_size "${configs[@]}"); do jobs+=("ice40 $cfg"); done
for cfg in $(by_size "${configs[@]}"); do jobs+=("xilinx $cfg"); done

declare -A job_of=()
finish_one() { # wait for any job; fail on a failed one
  local pid rc=0
  wait -n -p pid || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "synth.sh: ${job_of[$pid]} failed, see $out/${job_of[$pid]}.log" >&2
    exit 1
  fi
  unset "job_of[$pid]"
}
for j in "${jobs[@]}"; do
  set -- $j
  [ ${#job_of[@]} -lt 2 ] || finish_one
  run_one "$1" "$2" &
  job_of[$!]="${1}_$2"
done
while [ ${#job_of[@]} -gt 0 ]; do finish_one; done

# Cell counts of a stat file: the whole design's (a hierarchical stat lists every module,
# then the design's totals after "=== design hierarchy ===": only those are counted).
totals() { awk '/=== design hierarchy ===/ { n = NR } { l[NR] = $0 } END { for (i = n + 1; i <= NR; i++) print l[i] }' "$1"; }
count() { # stat-file cell-regex -> summed count
  totals "$1" | awk -v re="$2" '$1 ~ re && $2 ~ /^[0-9]+$/ { n += $2 } END { print n + 0 }'
}
# Xilinx LUTs: logic LUTs plus the LUTs used as memory (RAM32M/RAM64M: 4, RAM32X1D/RAM64X1D:
# 2, RAM128X1D: 4, RAM32X1S/RAM64X1S/SRL16E/SRLC32E: 1).
xc7_luts() {
  totals "$1" | awk '$2 ~ /^[0-9]+$/ {
         if ($1 ~ /^LUT[1-6]$/) n += $2
         else if ($1 ~ /^RAM(32M|64M|128X1D)$/) n += 4 * $2
         else if ($1 ~ /^RAM(32|64)X1D$/) n += 2 * $2
         else if ($1 ~ /^(RAM(32|64)X1S|SRL16E|SRLC32E)$/) n += $2
       } END { print n + 0 }'
}
xc7_bram36() { # RAMB36E1 + RAMB18E1 / 2, in 36 Kb blocks
  totals "$1" | awk '$2 ~ /^[0-9]+$/ { if ($1 == "RAMB36E1") n += $2; else if ($1 == "RAMB18E1") n += $2 / 2 }
       END { printf "%g\n", n + 0 }'
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

if [ ${#soc_configs[@]} -gt 0 ]; then
  printf '\nSoC (RV32IM core + chip + 64 KiB RAM + 64 KiB main memory), Artix-7 vs Arty A7-35T\n'
  printf '%-7s %15s %15s %11s %11s  %s\n' config LUT FF DSP48E1 RAMB36 verdict
  for cfg in "${soc_configs[@]}"; do
    s="$out/xc7soc_$cfg.stat"
    lut=$(xc7_luts "$s") ff=$(count "$s" '^FD[CPRSE]+$') dsp=$(count "$s" '^DSP48E1$')
    bram=$(xc7_bram36 "$s")
    over=()
    [ "$lut" -le $ARTY_LUT ] || over+=(LUT)
    [ "$ff" -le $ARTY_FF ] || over+=(FF)
    [ "$dsp" -le $ARTY_DSP ] || over+=(DSP)
    awk -v b="$bram" -v m=$ARTY_BRAM36 'BEGIN { exit !(b <= m) }' || over+=(BRAM)
    verdict="fits"
    [ ${#over[@]} -eq 0 ] || verdict="does not fit (${over[*]})"
    printf '%-7s %7s/%-7s %7s/%-7s %5s/%-5s %5s/%-5s  %s\n' "$cfg" "$lut" $ARTY_LUT "$ff" $ARTY_FF \
      "$dsp" $ARTY_DSP "$bram" $ARTY_BRAM36 "$verdict"
  done
  echo "(Yosys synthesis estimates before place and route; LUT includes LUTs used as memory;"
  echo " RAMB36 counts RAMB18E1 as half. docs/fpga.md discusses the fit.)"
fi
