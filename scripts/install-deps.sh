#!/usr/bin/env bash
# Install the Debian packages Systole needs, if any are missing.
#
# As root: runs `apt-get update` once and `apt-get install -y` for the missing packages.
# Otherwise: prints the exact command to run and exits non-zero.
# Everything comes from Debian 12's archive; nothing is downloaded from elsewhere.
set -euo pipefail

PACKAGES=(
  make gcc g++ pkg-config python3   # build tools; python3 runs scripts/gen_regs.py
  verilator zlib1g-dev              # the chip model (FST waves need zlib)
  check libsubunit-dev              # Check unit-test framework
  yosys                             # make synth
  gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf  # firmware for the SoC's RV32IM core
  libsystemc-dev                    # SystemC/TLM-2.0 model (sim/systemc)
  nextpnr-ice40 fpga-icestorm       # make fpga (iCE40 place and route, bitstream)
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: missing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "install-deps: run as root:"
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
  exit 1
fi
