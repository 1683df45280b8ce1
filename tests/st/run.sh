#!/usr/bin/env bash
# Differential test of the serial ST engine's mask space (tests/st/tb_st_mask.sv): the
# board's DmaAddrMask against the full 32-bit address logic.   tests/st/run.sh [JOBS] [SEED]
#   BWS="64 32" (default): runs at each AXI data width (32: the board's bus)
set -euo pipefail
cd "$(dirname "$0")/../.."
jobs=${1:-2000}
seed=${2:-1}
for bw in ${BWS:-64 32}; do
out=${BUILD:-build}/st-mask-w$bw
mkdir -p "$out"
verilator --binary --timing -Wno-fatal -Wno-lint -Wno-style --assert -O2 \
  --top-module tb_st_mask +define+TB_BW="$bw" -Mdir "$out" -o tb_st_mask rtl/systole_mask_pkg.sv tests/st/tb_st_mask.sv rtl/systole_st.sv \
  >"$out/build.log" 2>&1 || { tail -30 "$out/build.log"; exit 1; }
echo "st-mask: AXI data width $bw"
"$out/tb_st_mask" +jobs="$jobs" +verilator+seed+"$seed"
done
