#!/usr/bin/env bash
# FPGA flow for the Systole SoC (docs/fpga.md). Used by scripts/fpga.mk.
#
#   fpga.sh build OUTDIR          synthesis (yosys synth_ice40), place and route (nextpnr-ice40),
#                                 bitstream (icepack), report; fails on no fit / missed timing
#   fpga.sh fit OUTDIR            synthesis and nextpnr's packing only (a few minutes, no
#                                 routing): prints the utilisation, fails if it does not fit
#   fpga.sh report OUTDIR         print the report of a finished build again
#   fpga.sh image ELF OUT         firmware flash image (the boot program's format) from an ELF
#   fpga.sh bootrom OUT           the boot ROM's $readmemh image (firmware/boot/boot.S,
#                                 reading the firmware at FPGA_OFFSET)
#   fpga.sh flash BIN IMAGE OUT   one flash file: the bitstream at 0, the firmware at 1 MiB
#   fpga.sh cells OUT             the iCE40 cells' simulation models the board top uses
#   fpga.sh srcs                  the RTL source list of the board top, one per line
#
# Environment: BOARD (icebreaker), FPGA_MHZ (30: the PLL's target and nextpnr's --freq),
# FPGA_SEED (nextpnr seed, 1), FPGA_PARAMS ("Name=Value ..." overrides of the board top's
# parameters), FPGA_OFFSET (firmware offset in the flash, 0x100000), FPGA_SOC_LIST (another
# SoC source list than rtl/soc/files.f, for trying the flow on a variant), FPGA_SYNTH_OPTS
# (extra synth_ice40 options to try, e.g. -abc2; none by default).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BOARD=${BOARD:-icebreaker}
FPGA_MHZ=${FPGA_MHZ:-30}
FPGA_SEED=${FPGA_SEED:-1}
FPGA_PARAMS=${FPGA_PARAMS:-}
FPGA_SYNTH_OPTS=${FPGA_SYNTH_OPTS:-}
FPGA_OFFSET=${FPGA_OFFSET:-0x100000}
CELLS_SIM=${CELLS_SIM:-/usr/share/yosys/ice40/cells_sim.v}

die() { echo "fpga.sh: $*" >&2; exit 1; }

case $BOARD in
  icebreaker)
    top=systole_icebreaker
    pcf=$root/rtl/fpga/icebreaker/icebreaker.pcf
    device=(--up5k --package sg48)
    ref_mhz=12
    ;;
  *) die "unknown BOARD '$BOARD' (known: icebreaker)" ;;
esac

# ---- sources -----------------------------------------------------------------------------
# The chip (rtl/files.f), the SoC and core (rtl/soc/files.f), then the board's files
# (rtl/fpga/<board>/files.f). A line "-path" in the board list drops that file from the
# lists before it (a generic module replaced by an FPGA variant of the same name).
srcs() {
  local lists=("$root/rtl/files.f" "${FPGA_SOC_LIST:-$root/rtl/soc/files.f}" "$root/rtl/fpga/$BOARD/files.f") l
  for l in "${lists[@]}"; do [ -f "$l" ] || die "missing source list $l"; done
  awk '
    { sub(/#.*/, ""); gsub(/^[ \t]+|[ \t]+$/, "") }
    $0 == "" { next }
    /^-/ { drop[substr($0, 2)] = 1; next }
    { n++; f[n] = $0 }
    END { for (i = 1; i <= n; i++) if (!(f[i] in drop) && !seen[f[i]]++) print f[i] }
  ' "${lists[@]}"
}

# ---- PLL dividers from icepll ------------------------------------------------------------
pll_params() { # MHz -> "DIVR DIVF DIVQ FILTER achieved_hz"
  local out
  out=$(icepll -i "$ref_mhz" -o "$1") || die "icepll cannot make $1 MHz from $ref_mhz MHz"
  awk '
    /^DIVR:/ { r = $2 } /^DIVF:/ { f = $2 } /^DIVQ:/ { q = $2 } /^FILTER_RANGE:/ { fr = $2 }
    /F_PLLOUT:.*achieved/ { hz = int($2 * 1000000 + 0.5) }
    END { print r, f, q, fr, hz }' <<<"$out"
}

# ---- report ------------------------------------------------------------------------------
report() { # outdir -> prints the table; returns 1 if it does not fit or misses timing
  local out=$1
  python3 - "$out/nextpnr-report.json" "$out/nextpnr.log" "$FPGA_MHZ" "$out/times" "$root" <<'EOF'
import json, re, sys
rep_path, log_path, mhz, times_path, root = sys.argv[1:6]
mhz = float(mhz)
rep = json.load(open(rep_path))
util = rep.get("utilization", {})
rows = [("logic cells", "ICESTORM_LC"), ("DSP (SB_MAC16)", "ICESTORM_DSP"),
        ("EBR (SB_RAM40_4K)", "ICESTORM_RAM"), ("SPRAM (SB_SPRAM256KA)", "ICESTORM_SPRAM"),
        ("PLL", "ICESTORM_PLL"), ("global buffers", "SB_GB"), ("I/O", "SB_IO")]
print("\n=== iCE40UP5K (iCEBreaker) resources")
print("%-24s %7s %9s %6s" % ("resource", "used", "available", "use"))
for name, key in rows:
    u = util.get(key, {"used": 0, "available": 0})
    pct = 100.0 * u["used"] / u["available"] if u["available"] else 0.0
    print("%-24s %7d %9d %5.1f%%" % (name, u["used"], u["available"], pct))
ok = True
fmax = rep.get("fmax", {})
print("\n=== timing (nextpnr, after routing)")
if not fmax:
    print("no clock found in the report"); ok = False
for clk, f in fmax.items():
    ach, req = f.get("achieved", 0.0), f.get("constraint", mhz)
    verdict = "PASS" if ach >= req else "FAIL"
    if ach < req: ok = False
    print("clock %-28s Fmax %7.2f MHz   target %6.2f MHz   %s" % (clk, ach, req, verdict))
# the RTL lines along the worst clock-to-clock path (the last such report in the log: routed)
try:
    log = open(log_path).read().split("\n")
    starts = [i for i, l in enumerate(log) if "Critical path report for clock" in l]
    if starts:
        seen, where = set(), []
        for l in log[starts[-1] + 1:]:
            if "Critical path report" in l or "Max frequency" in l:
                break
            m = re.search(r"(\S+\.sv):(\d+)\.", l)
            if m and "/share/yosys/" not in m.group(1):
                f = m.group(1).replace(root + "/", "")
                key = (f, m.group(2))
                if key not in seen:
                    seen.add(key)
                    where.append("%s:%s" % key)
        if where:
            print("worst path through: " + " -> ".join(where[:10]) + (" ..." if len(where) > 10 else ""))
except OSError:
    pass
try:
    print("\n=== flow times (s): " + ", ".join(l.strip() for l in open(times_path)))
except OSError:
    pass
sys.exit(0 if ok else 1)
EOF
}

build() {
  local out=${1:?usage: fpga.sh build OUTDIR} t0 t json asc bin divr divf divq filt hz chp kv
  local pack_only=${2:-}
  mkdir -p "$out"
  : >"$out/times"
  read -r divr divf divq filt hz < <(pll_params "$FPGA_MHZ")
  [ -n "$hz" ] || die "icepll gave no dividers for $FPGA_MHZ MHz"
  chp="-set ClkHz $hz -set PllDivr $divr -set PllDivf $divf -set PllDivq $divq -set PllFilter $filt"
  for kv in $FPGA_PARAMS; do chp="$chp -set ${kv%%=*} ${kv#*=}"; done
  json=$out/$top.json asc=$out/$top.asc bin=$out/$top.bin
  bootrom "$out/boot.hex" >/dev/null
  chp="$chp -set BootRomFile \"$(cd "$out" && pwd)/boot.hex\""
  echo "fpga: $BOARD, system clock $hz Hz (PLL DIVR=$divr DIVF=$divf DIVQ=$divq), params: ${FPGA_PARAMS:-defaults}"

  # Synthesis. Everything of synth_ice40 but its final AUTONAME pass (minutes in Yosys 0.23
  # on a netlist this size, it only renames wires); the checks after it are kept.
  echo "fpga: yosys synth_ice40 -dsp -spram ... ($out/yosys.log)"
  t0=$SECONDS
  yosys -q -l "$out/yosys.log" -p "
    read_verilog -sv -DSYNTHESIS $(srcs | sed "s|^|$root/|" | tr '\n' ' ')
    chparam $chp $top
    synth_ice40 -dsp -spram $FPGA_SYNTH_OPTS -top $top -run :check
    hierarchy -check
    check -noinit
    blackbox =A:whitebox
    tee -q -o $out/yosys.stat stat
    write_json $json" >/dev/null 2>&1 || { tail -20 "$out/yosys.log" >&2; die "synthesis failed (see $out/yosys.log)"; }
  t=$((SECONDS - t0)); echo "synth $t" >>"$out/times"
  echo "fpga: synthesis done in ${t}s"

  if [ -n "$pack_only" ]; then
    echo "fpga: nextpnr-ice40 ${device[*]} --pack-only ($out/nextpnr.log)"
    t0=$SECONDS
    local prc=0
    nextpnr-ice40 "${device[@]}" --pcf "$pcf" --json "$json" --pack-only \
      -q -l "$out/nextpnr.log" >/dev/null 2>&1 || prc=$?
    t=$((SECONDS - t0)); echo "pack-only $t" >>"$out/times"
    awk '/Device utilisation:/ { u = 1; next } u && /Info:[ \t]+[A-Z_0-9]+:[ \t]+[0-9]+\/[ \t]*[0-9]+/ { print; next }
         u { u = 0 } /ERROR/ { print }' "$out/nextpnr.log" | sed 's/^Info:[ \t]*//'
    [ "$prc" -eq 0 ] || die "the design does not fit the device (see $out/nextpnr.log)"
    echo "fpga: fits (packed in ${t}s; not placed or routed: \`make fpga\` does that)"
    return 0
  fi

  # Place and route: fails here if the design does not fit. Timing is checked by the report
  # (--timing-allow-fail lets nextpnr finish and write it).
  echo "fpga: nextpnr-ice40 ${device[*]} --freq $FPGA_MHZ --seed $FPGA_SEED ($out/nextpnr.log)"
  t0=$SECONDS
  nextpnr-ice40 "${device[@]}" --pcf "$pcf" --json "$json" --asc "$asc" --freq "$FPGA_MHZ" \
    --seed "$FPGA_SEED" --timing-allow-fail --report "$out/nextpnr-report.json" \
    -q -l "$out/nextpnr.log" >/dev/null 2>&1 || {
      echo >&2
      # the utilisation nextpnr printed after packing (used/available per cell type), the error
      awk '/Device utilisation:/ { u = 1; next } u && /Info:[ \t]+[A-Z_0-9]+:[ \t]+[0-9]+\/[ \t]*[0-9]+/ { print; next }
           u { u = 0 } /ERROR/ { print }' "$out/nextpnr.log" | sed 's/^Info:[ \t]*//' >&2
      die "place and route failed: the design does not fit the device or cannot be routed (see $out/nextpnr.log)"; }
  t=$((SECONDS - t0)); echo "pnr $t" >>"$out/times"
  echo "fpga: place and route done in ${t}s"

  t0=$SECONDS
  icepack "$asc" "$bin" || die "icepack failed"
  t=$((SECONDS - t0)); echo "pack $t" >>"$out/times"
  echo "fpga: bitstream $bin ($(stat -c %s "$bin") bytes)"

  if ! report "$out"; then
    echo >&2
    die "TIMING FAILED: the design misses $FPGA_MHZ MHz (see $out/nextpnr.log)"
  fi
}

image() { # elf out: the loader's image of the ELF's PT_LOAD segments (docs/fpga.md)
  local elf=${1:?usage: fpga.sh image ELF OUT} out=${2:?usage: fpga.sh image ELF OUT}
  python3 - "$elf" "$out" <<'EOF'
import struct, sys
elf, out = sys.argv[1], sys.argv[2]
d = open(elf, "rb").read()
if d[:4] != b"\x7fELF" or d[4] != 1 or d[5] != 1:
    sys.exit("fpga.sh image: %s is not a little-endian ELF32 file" % elf)
e_phoff, = struct.unpack_from("<I", d, 28)
e_phentsize, e_phnum = struct.unpack_from("<HH", d, 42)
img = struct.pack("<I", 0x54535953)
total = 0
for i in range(e_phnum):
    p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz = struct.unpack_from(
        "<IIIIII", d, e_phoff + i * e_phentsize)
    if p_type != 1 or p_memsz == 0:           # PT_LOAD segments, as the SoC simulator loads them:
        continue                              # file bytes, then zeros up to p_memsz
    if p_paddr % 4:
        sys.exit("fpga.sh image: segment at 0x%08x is not word aligned" % p_paddr)
    seg = d[p_offset:p_offset + p_filesz] + b"\0" * (p_memsz - p_filesz)
    seg += b"\0" * (-len(seg) % 4)
    for off in range(0, len(seg), 4 * 0xFFFF):  # the loader counts 16-bit words per segment
        chunk = seg[off:off + 4 * 0xFFFF]
        img += struct.pack("<II", p_paddr + off, len(chunk) // 4) + chunk
    total += len(seg)
    print("fpga: segment 0x%08x: %d bytes" % (p_paddr, len(seg)))
img += struct.pack("<II", 0, 0)
open(out, "wb").write(img)
print("fpga: firmware image %s: %d bytes (%d bytes of segments)" % (out, len(img), total))
EOF
}

bootrom() { # out: the boot program (firmware/boot/boot.S) as 32-bit words, one per line
  local out=${1:?usage: fpga.sh bootrom OUT} cc=${FW_CC:-riscv64-unknown-elf-gcc}
  local objcopy=${FW_OBJCOPY:-riscv64-unknown-elf-objcopy} rom_bytes=1024
  mkdir -p "$(dirname "$out")"
  # linked at the ROM's address (systole_soc RomBase) with nothing but its own sections
  "$cc" -march=rv32i -mabi=ilp32 -nostdlib -nostartfiles -static -Wl,--no-relax \
    -Wl,-Ttext=0x08000000 -DFLASH_OFFSET="$((FPGA_OFFSET))" -o "$out.elf" \
    "$root/firmware/boot/boot.S" || die "cannot build the boot program"
  "$objcopy" -O binary "$out.elf" "$out.bin"
  python3 - "$out.bin" "$out" "$rom_bytes" <<'EOF'
import struct, sys
src, out, rom = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = open(src, "rb").read()
if len(d) > rom:
    sys.exit("fpga.sh bootrom: the boot program is %d bytes, the ROM %d" % (len(d), rom))
d += b"\0" * (-len(d) % 4)
open(out, "w").write("".join("%08x\n" % w for w in struct.unpack("<%dI" % (len(d) // 4), d)))
print("fpga: boot ROM image %s: %d bytes of %d" % (out, len(d), rom))
EOF
}

flash() { # bin image out
  local bin=${1:?} img=${2:?} out=${3:?} off
  off=$((FPGA_OFFSET))
  [ "$(stat -c %s "$bin")" -le "$off" ] || die "bitstream larger than the firmware offset $FPGA_OFFSET"
  { cat "$bin"; head -c $((off - $(stat -c %s "$bin"))) /dev/zero | tr '\0' '\377'; cat "$img"; } >"$out"
  echo "fpga: flash image $out (bitstream at 0, firmware at $FPGA_OFFSET)"
}

cells() { # out: the models of the cells the board top instantiates, from Yosys's cells_sim.v
  local out=${1:?usage: fpga.sh cells OUT} m
  [ -f "$CELLS_SIM" ] || die "no $CELLS_SIM (Debian package yosys)"
  {
    echo "// Extracted by scripts/fpga.sh from $CELLS_SIM (Yosys $(yosys -V | awk '{print $2}'))."
    sed -n '1,/^\/\/ SiliconBlue IO Cells/p' "$CELLS_SIM" | grep -v '^// SiliconBlue'
    for m in SB_SPRAM256KA SB_MAC16 SB_RAM40_4K; do
      awk -v m="$m" '$0 ~ "^module " m "[ (]" { p = 1 } p { print } p && /^endmodule/ { exit }' "$CELLS_SIM"
    done
  } >"$out.tmp"
  mv "$out.tmp" "$out"
}

cmd=${1:-}
shift || true
case $cmd in
  build)  build "$@" ;;
  fit)    build "${1:?usage: fpga.sh fit OUTDIR}" pack-only ;;
  report) report "${1:?usage: fpga.sh report OUTDIR}" ;;
  image)  image "$@" ;;
  bootrom) bootrom "$@" ;;
  flash)  flash "$@" ;;
  cells)  cells "$@" ;;
  srcs)   srcs ;;
  *) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
