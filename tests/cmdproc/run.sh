#!/usr/bin/env bash
# Differential test of the command processor's mask-space fetch (tests/cmdproc/tb_cmdproc_mask.sv):
# DmaAddrMask = 32'h8001_FFFF (the board's) against the full arithmetic, board configuration.
#   tests/cmdproc/run.sh [JOBS] [SEED]
#   BWS="64 32" (default): runs at each AXI data width (32: the board's bus)
set -euo pipefail
cd "$(dirname "$0")/../.."
jobs=${1:-400}
seed=${2:-1}
for bw in ${BWS:-64 32}; do
out=${BUILD:-build}/cmdproc-mask-w$bw
mkdir -p "$out"
verilator --binary --timing -Wno-fatal -Wno-lint -Wno-style --assert -O2 \
  --top-module tb_cmdproc_mask +define+TB_BW="$bw" -Mdir "$out" -o tb_cmdproc_mask \
  rtl/systole_mask_pkg.sv tests/cmdproc/tb_cmdproc_mask.sv rtl/systole_cmdproc.sv rtl/systole_fifo.sv >"$out/build.log" 2>&1 \
  || { tail -30 "$out/build.log"; exit 1; }
echo "cmdproc-mask: AXI data width $bw"
"$out/tb_cmdproc_mask" +jobs="$jobs" +verilator+seed+"$seed"
done
