# scripts/fpga.mk — the FPGA flow (docs/fpga.md). Included by the top Makefile; defines no
# default goal.
#
#   make fpga BOARD=icebreaker   bitstream + firmware flash image + one combined flash file,
#                                resource/Fmax report; fails if it does not fit or misses
#                                timing (FPGA_MHZ, default 30)
#   make fpga-fit                synthesis + packing only: fails if the board top does not fit
#   make fpga-sim                the board top (same RTL as the bitstream, iCE40 cell models)
#                                in Verilator, loading the firmware from a flash model and
#                                running it to PASS over the UART
#   make fpga-prog               iceprog the combined flash file onto a connected iCEBreaker
#   make fpga-lint               verilator -Wall on the board top with the cell models
# Variables: BOARD, FPGA_MHZ, FPGA_SEED, FPGA_PARAMS ("Name=Value ..." top parameters),
#            FPGA_FW_PROG (firmware program run on the board), FPGA_SIM_MAX_CYCLES.

BOARD          ?= icebreaker
FPGA_MHZ       ?= 30
FPGA_SEED      ?= 1
FPGA_PARAMS    ?=
FPGA_OFFSET    ?= 0x100000
FPGA_DIR       := $(BUILD)/fpga/$(BOARD)
FPGA_TOP       := systole_$(BOARD)
FPGA_ENV        = BOARD=$(BOARD) FPGA_MHZ=$(FPGA_MHZ) FPGA_SEED=$(FPGA_SEED) \
                  FPGA_PARAMS="$(FPGA_PARAMS)" FPGA_OFFSET=$(FPGA_OFFSET)

# RTL of the board top (the chip, the SoC, the board's files) and what it depends on
FPGA_SRC_LISTS := rtl/files.f rtl/soc/files.f rtl/fpga/$(BOARD)/files.f
FPGA_RTL_DEPS   = $(FPGA_SRC_LISTS) $(shell bash scripts/fpga.sh srcs 2>/dev/null)

# ---- firmware for the board ----------------------------------------------------------------
# The board's RAM is 64 KiB (two SPRAM blocks): the firmware is linked for that RAM size by a
# sub-make of firmware/firmware.mk with its own build directory, and for the board's 64 KiB of
# main memory (FW_MAIN_BYTES: the board firmware runs part of its code from there).
FPGA_RAM_BYTES ?= 65536
FPGA_FW_PROG   ?= board
FPGA_FW_FLAGS  ?= FW_OPT='-Os -msave-restore' FW_STACK_BYTES=8192 FW_MAIN_BYTES=65536 \
                  FW_ARCH='-march=rv32i_zicsr -mabi=ilp32' FW_ARCH_LD='-march=rv32i -mabi=ilp32'
FPGA_FW_BUILD  := $(BUILD)/fpga/fw-$(FPGA_RAM_BYTES)
FPGA_FW_ELF    := $(FPGA_FW_BUILD)/fw/$(FPGA_FW_PROG).elf
FPGA_FW_IMG    := $(BUILD)/fpga/$(FPGA_FW_PROG).img

.PHONY: fpga fpga-fit fpga-sim fpga-prog fpga-lint fpga-fw

fpga-fw:
	@$(MAKE) --no-print-directory BUILD=$(FPGA_FW_BUILD) FW_RAM_BYTES=$(FPGA_RAM_BYTES) \
	  $(FPGA_FW_FLAGS) $(FPGA_FW_ELF)

$(FPGA_FW_IMG): fpga-fw scripts/fpga.sh
	@mkdir -p $(@D)
	bash scripts/fpga.sh image $(FPGA_FW_ELF) $@

# ---- bitstream -----------------------------------------------------------------------------
# The bitstream and its report first (the part that can fail on fit or timing), then the
# firmware image and the combined flash file.
fpga: | deps
	$(FPGA_ENV) nice bash scripts/fpga.sh build $(FPGA_DIR)
	@test -n "$(FPGA_HAVE_FW)" || { echo "fpga: no firmware/programs/$(FPGA_FW_PROG).c: the" \
	  "board firmware (FPGA_FW_PROG) is missing, so there is no flash image to go with the" \
	  "bitstream" >&2; exit 1; }
	@$(MAKE) --no-print-directory $(FPGA_FW_IMG)
	$(FPGA_ENV) bash scripts/fpga.sh flash $(FPGA_DIR)/$(FPGA_TOP).bin $(FPGA_FW_IMG) \
	  $(FPGA_DIR)/$(FPGA_TOP)_flash.bin
	@echo "Program an iCEBreaker:  iceprog $(FPGA_DIR)/$(FPGA_TOP)_flash.bin   (or: make fpga-prog)"

# the fit check CI runs: synthesis and nextpnr's packing of the same board top, no routing
# (routing the full board takes 15-25 minutes on a 2-core machine; docs/fpga.md)
fpga-fit: | deps
	$(FPGA_ENV) nice bash scripts/fpga.sh fit $(BUILD)/fpga-fit/$(BOARD)

fpga-prog:
	iceprog $(FPGA_DIR)/$(FPGA_TOP)_flash.bin

# ---- simulation of the board top -----------------------------------------------------------
FPGA_SIM_DIR        := $(BUILD)/fpga-sim/$(BOARD)
FPGA_SIM_BIN        := $(FPGA_SIM_DIR)/tb_$(BOARD)
# about 3x the board firmware's run (about 33 M cycles with the flash load on the RV32I board
# core, multiplies in software): a hang fails fast
FPGA_SIM_MAX_CYCLES ?= 100000000
FPGA_SIM_TB         := rtl/fpga/$(BOARD)/sim/tb_$(BOARD).cpp
FPGA_SIM_MODELS     := rtl/fpga/ice40/sim/sb_pll40_pad.v
FPGA_VLT            := rtl/fpga/lint_waivers.vlt
FPGA_BOOT_HEX       := $(FPGA_SIM_DIR)/boot.hex
# the UART divider of the top at the simulated clock (the top's ClkHz / Baud, rounded)
FPGA_SIM_UART_DIV   := 260
# SYSTOLE_ICE40_CELLS asks RTL that instantiates iCE40 cells under SYNTHESIS to instantiate
# them here too (the cells' models are compiled in), instead of its behavioural stand-in.
FPGA_VFLAGS := --top-module $(FPGA_TOP) -DNO_ICE40_DEFAULT_ASSIGNMENTS -DSYSTOLE_ICE40_CELLS \
               -O3 --x-assign fast --x-initial fast --assert -Wall \
               $(wildcard rtl/lint_waivers.vlt rtl/soc/*.vlt) $(FPGA_VLT) \
               $(FPGA_SIM_DIR)/ice40_cells.v $(FPGA_SIM_MODELS) $(foreach p,$(FPGA_PARAMS),-G$(p)) \
               -GBootRomFile=\"$(abspath $(FPGA_BOOT_HEX))\"
# the boot ROM's image (firmware/boot/boot.S), read by the model when it starts (so a new
# image needs no new model: an order-only prerequisite of the model, remade by fpga-sim)
$(FPGA_BOOT_HEX): firmware/boot/boot.S scripts/fpga.sh
	@mkdir -p $(@D)
	$(FPGA_ENV) bash scripts/fpga.sh bootrom $@

# the flags of the last build: a change (e.g. FPGA_PARAMS) rebuilds the model
FPGA_SIM_FLAGS := $(FPGA_SIM_DIR)/sim.flags
.PHONY: fpga-sim-flags-force
fpga-sim-flags-force:
$(FPGA_SIM_FLAGS): fpga-sim-flags-force
	@mkdir -p $(@D)
	@echo '$(FPGA_VFLAGS)' | cmp -s - $@ || echo '$(FPGA_VFLAGS)' > $@

$(FPGA_SIM_DIR)/ice40_cells.v: scripts/fpga.sh
	@mkdir -p $(@D)
	bash scripts/fpga.sh cells $@

$(FPGA_SIM_BIN): $(FPGA_SIM_DIR)/ice40_cells.v $(FPGA_SIM_MODELS) $(FPGA_VLT) $(FPGA_SIM_TB) \
                 $(FPGA_SIM_FLAGS) $(FPGA_RTL_DEPS) | deps $(FPGA_BOOT_HEX)
	verilator --cc --exe --build -j 2 $(FPGA_VFLAGS) $$(bash scripts/fpga.sh srcs) \
	  $(abspath $(FPGA_SIM_TB)) -Mdir $(FPGA_SIM_DIR)/obj -o $(abspath $@) \
	  -MAKEFLAGS "OPT_FAST=-O2 OPT_GLOBAL=-O2 OPT_SLOW="

fpga-sim: | deps
	@test -n "$(FPGA_HAVE_FW)" || { echo "fpga-sim: no firmware/programs/$(FPGA_FW_PROG).c" \
	  "(FPGA_FW_PROG): the board firmware is missing" >&2; exit 1; }
	@$(MAKE) --no-print-directory $(FPGA_SIM_BIN) $(FPGA_FW_IMG)
	$(FPGA_SIM_BIN) --flash $(FPGA_FW_IMG)@$(FPGA_OFFSET) --uart-div $(FPGA_SIM_UART_DIV) \
	  --max-cycles $(FPGA_SIM_MAX_CYCLES)

# unit test of the iCE40 main memory (random AXI + core traffic against a reference model),
# at the board's 32-bit bus (one lane per beat) and at 64 bits (two lanes per beat)
FPGA_MM_BIN  := $(BUILD)/fpga-sim/mainmem/tb_mainmem
FPGA_MM_BIN32 := $(BUILD)/fpga-sim/mainmem32/tb_mainmem
FPGA_MM_SRCS := rtl/soc/systole_soc_ram.sv rtl/fpga/ice40/systole_soc_mainmem.sv
fpga_mm_build = verilator --cc --exe --build -j 2 --top-module systole_soc_mainmem -GMainBytes=4096 \
	  -GAxiDataWidth=$(1) -CFLAGS -DTB_LINE_BYTES=$$(($(1) / 8)) -O3 --x-assign fast --x-initial fast \
	  --assert -Wall rtl/lint_waivers.vlt $(FPGA_MM_SRCS) $(abspath rtl/fpga/ice40/sim/tb_mainmem.cpp) \
	  -Mdir $(@D)/obj -o $(abspath $@) -MAKEFLAGS "OPT_FAST=-O2 OPT_GLOBAL=-O2 OPT_SLOW="
$(FPGA_MM_BIN): $(FPGA_MM_SRCS) rtl/fpga/ice40/sim/tb_mainmem.cpp rtl/lint_waivers.vlt | deps
	@mkdir -p $(@D)
	$(call fpga_mm_build,64)
$(FPGA_MM_BIN32): $(FPGA_MM_SRCS) rtl/fpga/ice40/sim/tb_mainmem.cpp rtl/lint_waivers.vlt | deps
	@mkdir -p $(@D)
	$(call fpga_mm_build,32)

# smoke programs of the SoC tests (tests/soc/progs, built by sim/soc/soc.mk) as flash images:
# the boot program (RAM and main-memory segments), the iCE40 main memory, the UART, the
# accelerator's CSRs, through the board top
FPGA_SMOKE_PROGS := mainmem socinfo accid
$(BUILD)/fpga/progs/%.img: $(BUILD)/soc/progs/%.elf scripts/fpga.sh
	@mkdir -p $(@D)
	bash scripts/fpga.sh image $< $@ >/dev/null
fpga_smoke_run = iCEBreaker top, $(1)::$(FPGA_SIM_BIN) --flash \
  $(BUILD)/fpga/progs/$(1).img@$(FPGA_OFFSET) --uart-div $(FPGA_SIM_UART_DIV) --max-cycles 5000000

# an image with a bad magic: the boot program must stop with its error (nothing runs)
$(BUILD)/fpga/progs/badmagic.img:
	@mkdir -p $(@D)
	printf 'SYSX\000\000\000\000\000\000\000\000' >$@
FPGA_BADMAGIC_RUN = iCEBreaker top, bad image magic::$(FPGA_SIM_BIN) --flash \
  $(BUILD)/fpga/progs/badmagic.img@$(FPGA_OFFSET) --uart-div $(FPGA_SIM_UART_DIV) \
  --max-cycles 2000000 --expect-boot-error

# and the board's own firmware (the demo the bitstream runs), once firmware/ has it
FPGA_HAVE_FW   := $(wildcard firmware/programs/$(FPGA_FW_PROG).c)
FPGA_SIM_TESTS := $(FPGA_MM_BIN) $(FPGA_MM_BIN32) $(FPGA_SIM_BIN) \
                  $(patsubst %,$(BUILD)/fpga/progs/%.img,$(FPGA_SMOKE_PROGS)) \
                  $(BUILD)/fpga/progs/badmagic.img \
                  $(if $(FPGA_HAVE_FW),$(FPGA_FW_IMG))
FPGA_DEMO_RUN   = iCEBreaker top, $(FPGA_FW_PROG) firmware (demo)::$(FPGA_SIM_BIN) \
                  --flash $(FPGA_FW_IMG)@$(FPGA_OFFSET) --uart-div $(FPGA_SIM_UART_DIV) \
                  --max-cycles $(FPGA_SIM_MAX_CYCLES)
FPGA_SIM_RUNS  := "iCE40 main memory, 32-bit bus (random AXI)::$(FPGA_MM_BIN32) --seed $(SEED) --ops 3000" \
                  "iCE40 main memory, 64-bit bus (random AXI)::$(FPGA_MM_BIN) --seed $(SEED) --ops 3000" \
                  $(foreach p,$(FPGA_SMOKE_PROGS),"$(call fpga_smoke_run,$(p))") \
                  "$(FPGA_BADMAGIC_RUN)" \
                  $(if $(FPGA_HAVE_FW),"$(FPGA_DEMO_RUN)")

fpga-lint: | deps
	@mkdir -p $(FPGA_SIM_DIR)
	@$(MAKE) --no-print-directory $(FPGA_SIM_DIR)/ice40_cells.v
	verilator --lint-only $(FPGA_VFLAGS) $$(bash scripts/fpga.sh srcs)

FPGA_LINT := fpga-lint
