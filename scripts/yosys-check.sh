#!/usr/bin/env bash
# Elaboration check with the Yosys the flows use (part of `make lint`): reads every RTL file
# as `make synth` / `make fpga` do and elaborates the full-chip SoC (systole_soc with its
# defaults, which holds systole_top) and the iCEBreaker board top (its board parameters).
# Catches what Verilator accepts but Yosys 0.23 does not, in seconds rather than the
# minutes of a synthesis. Fails with Yosys's error on the first problem.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
srcs=$(bash scripts/fpga.sh srcs | tr '\n' ' ')
for top in systole_soc systole_icebreaker; do
  # +/ice40/cells_sim.v: the iCE40 primitives (SB_SPRAM256KA, SB_PLL40_PAD, ...) as library
  if ! log=$(yosys -q -p "read_verilog -lib -specify +/ice40/cells_sim.v
                          read_verilog -sv -DSYNTHESIS $srcs
                          hierarchy -check -top $top" 2>&1); then
    printf '%s\n' "$log" | grep -v '^Warning:' >&2
    echo "yosys-check: $top does not elaborate in Yosys ($(yosys -V))" >&2
    exit 1
  fi
done
echo "yosys-check: systole_soc and systole_icebreaker elaborate in Yosys"
