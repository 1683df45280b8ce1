#!/usr/bin/env bash
# Differential test of the serial LD engine (tests/ld/tb_ld_diff.sv).
#   tests/ld/run.sh [JOBS] [SEED]          serial vs the pipelined engine
#   REF_REV=main tests/ld/run.sh [JOBS]    serial vs the serial engine of a git revision
#                                          (targets compared after errors too)
#   MASK=8001FFFF tests/ld/run.sh [JOBS]   the engine under test with DmaAddrMask = MASK
#                                          (the board's), windows inside the mask space
#   BWS="64 32" (default): runs at each AXI data width (32: the board's bus)
set -euo pipefail
cd "$(dirname "$0")/../.."
jobs=${1:-2000}
seed=${2:-1}
for bw in ${BWS:-64 32}; do
out=${BUILD:-build}/ld-diff${REF_REV:+-ref}${MASK:+-mask}-w$bw
mkdir -p "$out"
defs=("+define+TB_BW=$bw")
if [ -n "${MASK:-}" ]; then defs+=("+define+DUT_MASK=32'h$MASK"); fi
srcs=(rtl/systole_mask_pkg.sv tests/ld/tb_ld_diff.sv rtl/systole_ld.sv rtl/systole_fifo.sv)
if [ -n "${REF_REV:-}" ]; then
  git show "$REF_REV:rtl/systole_ld.sv" | sed 's/^module systole_ld /module systole_ld_ref /' > "$out/systole_ld_ref.sv"
  srcs+=("$out/systole_ld_ref.sv")
  defs+=(+define+REF_MOD=systole_ld_ref +define+REF_SERIAL=1)
fi
verilator --binary --timing -Wno-fatal -Wno-lint -Wno-style --assert -O2 \
  --top-module tb_ld_diff -Mdir "$out" -o tb_ld_diff "${defs[@]}" "${srcs[@]}" >"$out/build.log" 2>&1 \
  || { tail -30 "$out/build.log"; exit 1; }
echo "ld-diff: AXI data width $bw"
"$out/tb_ld_diff" +jobs="$jobs" +verilator+seed+"$seed" ${VERBOSE:+"+verbose"}
done
