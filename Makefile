# Systole — top-level build.  `make help` lists the targets.
#
# Everything is built under $(BUILD) (git-ignored). The chip is Verilated once per array
# configuration; test and tool programs link the configuration's libsystole_sim.a.

.DEFAULT_GOAL := help
BUILD   ?= build
PY      ?= python3
SEED    ?= 1
CC      ?= gcc
export SEED BUILD   # (BUILD: the engine benches, tests/*/run.sh, build there too)

# Array configurations. Each name maps to Verilator parameter overrides; add your own with
#   make sim-lib CONFIG=12x12 SIM_PARAMS_12x12="-GRows=12 -GCols=12"
CONFIGS          := 4x4 8x8 16x16 8x8w128 lite
SIM_PARAMS_4x4   := -GRows=4 -GCols=4
SIM_PARAMS_8x8   := -GRows=8 -GCols=8
SIM_PARAMS_16x16 := -GRows=16 -GCols=16
SIM_PARAMS_8x8w128 := -GRows=8 -GCols=8 -GAxiDataWidth=128
# the small accelerator of the FPGA build (docs/fpga.md): 4x4, small memories, every area
# option on, no softmax unit (the driver runs softmax on the CPU). The SoC's 4x4 config and
# the iCEBreaker top use the same parameters.
FPGA_CHIP_PARAMS := -GSpadBytes=2048 -GAccBytes=4096 -GQParamLines=1 -GReadsInFlight=4 \
                    -GQueueDepth=0 -GFetchDepth=1 -GWritesInFlight=4 -GStoreRows=1 \
                    -GHasSoftmax=0 -GPerfFull=0 -GSerialRequant=1 -GUseIce40Dsp=1 \
                    -GSpadReadPorts=1 -GAccReadPorts=1 -GLdSerial=1 -GSerialStore=1 -GRingBits=12 \
                    -GAxiDataWidth=32
SIM_PARAMS_lite  := -GRows=4 -GCols=4 $(FPGA_CHIP_PARAMS)
CONFIG           ?= 8x8
SIM_CONFIGS      := $(sort $(CONFIGS) $(CONFIG))

include sim/sim.mk

# C flags: C99, every warning an error. Check's flags are looked up when a recipe runs
# (recursive '='), i.e. after scripts/install-deps.sh has installed it.
CWARN        := -Wall -Wextra -Werror
CFLAGS_BASE  := -std=c99 -O2 -g $(CWARN)
CHECK_CFLAGS  = $(shell pkg-config --cflags check)
CHECK_LIBS    = $(shell pkg-config --libs check)
INCLUDES     := -Idriver/include -Isw/ref/include -Itests/chip $(SIM_CPPFLAGS)

REF_SRCS     := $(sort $(wildcard sw/ref/src/*.c))
include driver/driver.mk
CHIP_TEST_SRCS := tests/chip/test_chip.c tests/chip/chip_harness.c

# Fragments of later layers. Each defines, for the top Makefile:
#   <X>_SIM_TESTS   files `make sim` builds first        <X>_SIM_RUNS  "label::command" runs
#   <X>_BENCH       phony targets `make bench` runs after the chip rows (they append to
#                   $(BENCH_CSV))                        <X>_LINT      phony lint targets
# sim/soc/soc.mk: the SoC model (RV32IM core + chip); firmware/firmware.mk: the firmware;
# firmware/tests/cpu.mk: the CPU's ISA self-check programs;
# sim/systemc/systemc.mk: the SystemC/TLM-2.0 model; scripts/fpga.mk: the FPGA flow.
-include sim/soc/soc.mk
-include firmware/firmware.mk
-include firmware/tests/cpu.mk
-include sim/systemc/systemc.mk
-include scripts/fpga.mk
EXTRA_SIM_TESTS = $(SOC_SIM_TESTS) $(CPU_SIM_TESTS) $(FW_SIM_TESTS) $(SC_SIM_TESTS) $(FPGA_SIM_TESTS)
EXTRA_SIM_RUNS  = $(SOC_SIM_RUNS) $(CPU_SIM_RUNS) $(FW_SIM_RUNS) $(SC_SIM_RUNS) $(FPGA_SIM_RUNS)
EXTRA_BENCH     = $(SOC_BENCH) $(FW_BENCH) $(SC_BENCH)
EXTRA_LINT      = $(SOC_LINT) $(FW_LINT) $(SC_LINT) $(FPGA_LINT)
VLINT        := verilator --lint-only -Wall --assert rtl/lint_waivers.vlt -f rtl/files.f --top-module systole_top

.PHONY: help deps gen gen-check lint synth sim sim-lib bench demo soak engine-diff clean

help:
	@echo "Systole targets:"
	@echo "  make sim      build everything and run the whole regression (Check suites)"
	@echo "  make demo     run a job on the simulated chip and print a report"
	@echo "  make bench    performance table; writes $(BUILD)/bench.csv"
	@echo "  make soak     long random soak of end-to-end jobs (SEED=, DRIVER_SOAK=<cases>)"
	@echo "  make lint     Verilator -Wall on the RTL (every config), stale-generated-file check, C -Werror build"
	@echo "  make synth    Yosys synth_ice40 / synth_xilinx resource reports (chip 4x4, 8x8; Artix-7 SoC 8x8, 16x16)"
	@echo "  make fw       build the firmware (build/fw/*.elf); run one: build/soc-8x8/soc_run build/fw/conv2d.elf"
	@echo "  make fpga     iCE40 UP5K flow for BOARD=icebreaker (docs/fpga.md); make fpga-sim: the board top in simulation"
	@echo "  make gen      regenerate CSR Verilog, C header and register docs from rtl/regs.json"
	@echo "  make deps     install missing Debian packages (scripts/install-deps.sh)"
	@echo "Variables: SEED=<n> (random tests), CONFIG=<name> (sim-lib/demo/bench), BUILD=<dir>"

# ---- dependencies and generated files -----------------------------------------------------
deps:
	@bash scripts/install-deps.sh

gen: | deps
	$(PY) scripts/gen_regs.py

gen-check: | deps
	$(PY) scripts/gen_regs.py --check
	bash scripts/yosys-check.sh

# ---- golden kernels ----------------------------------------------------------------------
$(BUILD)/sw/%.o: sw/ref/src/%.c $(wildcard sw/ref/include/*.h sw/ref/src/*.h) | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -Isw/ref/include -c -o $@ $<

$(BUILD)/sw/libsystole_ref.a: $(patsubst sw/ref/src/%.c,$(BUILD)/sw/%.o,$(REF_SRCS))
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/sw/test_ref: tests/sw/test_ref.c $(BUILD)/sw/libsystole_ref.a | deps
	$(CC) $(CFLAGS_BASE) $(CHECK_CFLAGS) -Isw/ref/include -o $@ $^ $(CHECK_LIBS) -lm

$(BUILD)/sw/test_attention: tests/sw/test_attention.c $(BUILD)/sw/libsystole_ref.a | deps
	$(CC) $(CFLAGS_BASE) $(CHECK_CFLAGS) -Isw/ref/include -o $@ $^ $(CHECK_LIBS) -lm

# ---- chip tests, one binary per configuration ------------------------------------------
# test_chip_rule(config, dir, extra-flags, sim-lib)
define test_chip_rule
$(BUILD)/$(2)/test_chip: $(CHIP_TEST_SRCS) $(wildcard tests/chip/*.h driver/include/*.h) \
                         $(REF_SRCS) $(4) | deps
	$$(CC) $$(CFLAGS_BASE) $(3) $$(CHECK_CFLAGS) $$(INCLUDES) \
	  -DSYSTOLE_TEST_CONFIG='"$(1)"' -DSYSTOLE_TEST_PARAMS='"$(strip $(SIM_PARAMS_$(1)))"' \
	  -o $$@ $(CHIP_TEST_SRCS) $(REF_SRCS) $(4) \
	  $$(SIM_LDLIBS) $$(CHECK_LIBS) -lm
endef
$(foreach c,$(SIM_CONFIGS),$(eval $(call test_chip_rule,$(c),$(c),,$(SIM_LIB_$(c)))))
$(foreach c,$(SIM_CONFIGS),$(eval $(call test_chip_rule,$(c),$(c)-asan,$(SIM_SANITIZE),$(SIM_LIB_ASAN_$(c)))))

sim-lib: $(SIM_LIB_$(CONFIG))

# README's first C program, kept as a file so the regression compiles and runs it
$(BUILD)/8x8/hello_chip: sim/examples/hello_chip.c $(SIM_LIB_8x8) | deps
	$(CC) $(CFLAGS_BASE) $(INCLUDES) -o $@ $< $(SIM_LIB_8x8) $(SIM_LDLIBS)

# job benchmark (driver on the simulated chip)
$(BUILD)/%/bench_jobs: driver/bench/bench_jobs.c $(DRIVER_SRCS) $(REF_SRCS) $(BUILD)/%/libsystole_sim.a | deps
	$(CC) $(CFLAGS_BASE) $(DRIVER_CPPFLAGS) -o $@ $< $(DRIVER_SRCS) $(REF_SRCS) \
	  $(BUILD)/$*/libsystole_sim.a $(SIM_LDLIBS)

# README's driver example, likewise
$(BUILD)/8x8/conv2d_check: driver/examples/conv2d_check.c $(DRIVER_SRCS) $(REF_SRCS) $(SIM_LIB_8x8) | deps
	$(CC) $(CFLAGS_BASE) $(DRIVER_CPPFLAGS) -o $@ $< $(DRIVER_SRCS) $(REF_SRCS) $(SIM_LIB_8x8) $(SIM_LDLIBS)

# simulation-speed benchmark
$(BUILD)/%/bench_sim: sim/bench/bench_sim.c $(BUILD)/%/libsystole_sim.a | deps
	$(CC) $(CFLAGS_BASE) $(INCLUDES) -o $@ $< $(BUILD)/$*/libsystole_sim.a $(SIM_LDLIBS)

# ---- the regression -----------------------------------------------------------------------
# 8x8: everything; 4x4, 16x16, 8x8 with a 128-bit bus and lite (the FPGA-sized chip: small
# memories, no softmax unit, no PERF_FULL counters): the subset; 8x8 again under ASan+UBSan
# (subset).
SIM_TESTS := $(DRIVER_SIM_TESTS) \
             $(BUILD)/sw/test_ref \
             $(BUILD)/sw/test_attention \
             $(BUILD)/8x8/hello_chip \
             $(BUILD)/8x8/conv2d_check \
             $(BUILD)/8x8/test_chip \
             $(BUILD)/4x4/test_chip \
             $(BUILD)/16x16/test_chip \
             $(BUILD)/8x8w128/test_chip \
             $(BUILD)/lite/test_chip \
             $(BUILD)/8x8-asan/test_chip

sim: | deps
	@$(MAKE) --no-print-directory gen-check
	@$(MAKE) --no-print-directory $(SIM_TESTS) $(EXTRA_SIM_TESTS)
	@bash scripts/run-tests.sh \
	  "golden kernels::$(BUILD)/sw/test_ref" \
	  "golden attention::$(BUILD)/sw/test_attention" \
	  "README raw-command example (8x8)::$(BUILD)/8x8/hello_chip" \
	  "README driver conv2d example (8x8)::$(BUILD)/8x8/conv2d_check" \
	  "chip 8x8::$(BUILD)/8x8/test_chip" \
	  "chip 4x4 (subset)::$(BUILD)/4x4/test_chip --subset" \
	  "chip 16x16 (subset)::$(BUILD)/16x16/test_chip --subset" \
	  "chip 8x8, 128-bit bus (subset)::$(BUILD)/8x8w128/test_chip --subset" \
	  "chip lite, the FPGA-sized chip (subset)::$(BUILD)/lite/test_chip --subset" \
	  "chip 8x8 ASan+UBSan (subset)::$(BUILD)/8x8-asan/test_chip --subset" \
	  "LD engine vs 32-bit, board mask (diff)::bash scripts/engine-diff.sh ld-mask 500 $(SEED)" \
	  "LD serial vs pipelined engine (diff)::bash scripts/engine-diff.sh ld 500 $(SEED)" \
	  "ST engine vs 32-bit, board mask (diff)::bash scripts/engine-diff.sh st 500 $(SEED)" \
	  "cmd fetch vs 32-bit, board mask (diff)::bash scripts/engine-diff.sh cmdproc 100 $(SEED)" \
	  $(DRIVER_SIM_RUNS) \
	  $(EXTRA_SIM_RUNS)

# long random soak of the end-to-end jobs (not part of `make sim`)
soak: | deps
	@$(MAKE) --no-print-directory driver-soak

# differential benches of the board's serial LD and ST engines and command fetch against the
# full 32-bit logic, with the board's DmaAddrMask (docs/ld.md, docs/st.md; about a minute;
# `make sim` runs them with fewer jobs)
engine-diff: | deps
	bash scripts/engine-diff.sh all "" $(SEED)

# the main job: a small CNN, layer by layer on the simulated chip, checked against golden
demo: | deps
	@$(MAKE) --no-print-directory $(BUILD)/$(CONFIG)/systole_demo
	$(BUILD)/$(CONFIG)/systole_demo

# ---- benchmarks ---------------------------------------------------------------------------
# One CSV for every benchmark; each program appends its rows. Figures are cycle counts from
# the chip's own counters and medians of host timings, never test assertions.
BENCH_CSV    := $(BUILD)/bench.csv
BENCH_HEADER := config,workload,name,cycles,macs,utilization,dram_read_bytes,dram_write_bytes,sim_cycles_per_s

bench: | deps
	@$(MAKE) --no-print-directory $(BUILD)/8x8/bench_sim $(BUILD)/16x16/bench_sim \
	  $(BUILD)/8x8/bench_jobs $(BUILD)/16x16/bench_jobs
	@echo "$(BENCH_HEADER)" > $(BENCH_CSV)
	$(BUILD)/8x8/bench_sim -c 8x8 -o $(BENCH_CSV)
	$(BUILD)/16x16/bench_sim -c 16x16 -o $(BENCH_CSV)
	$(BUILD)/8x8/bench_jobs -c 8x8 -o $(BENCH_CSV)
	$(BUILD)/16x16/bench_jobs -c 16x16 -o $(BENCH_CSV)
	@$(if $(strip $(EXTRA_BENCH)),$(MAKE) --no-print-directory $(EXTRA_BENCH),true)
	@echo; echo "=== $(BENCH_CSV)"
	@awk -F, 'NR==1{printf "%-7s %-10s %-28s %12s %14s %6s %12s %12s %12s\n","config","workload","name","cycles","MACs","util","DRAM rd B","DRAM wr B","sim cyc/s"; next} \
	  {printf "%-7s %-10s %-28s %12s %14s %5.1f%% %12s %12s %12.0f\n",$$1,$$2,$$3,$$4,$$5,100*$$6,$$7,$$8,$$9}' $(BENCH_CSV)

# ---- lint ---------------------------------------------------------------------------------
lint: | deps
	$(foreach c,$(CONFIGS),$(VLINT) $(SIM_PARAMS_$(c)) &&) true
	$(PY) scripts/gen_regs.py --check
	@for ex in sim/examples/hello_chip.c driver/examples/conv2d_check.c; do \
	  awk -v f="$$ex" 'index($$0, "(" f ")") {seen=1} seen && /^```c$$/ {c=1; next} c && /^```$$/ {exit} c' README.md \
	    | cmp -s - "$$ex" || { echo "lint: README.md's copy of $$ex differs from the file"; exit 1; }; \
	done
	@echo "C -Werror build (syntax and warnings) of every C source"
	@for f in $(REF_SRCS) $(CHIP_TEST_SRCS) tests/sw/test_ref.c tests/sw/test_attention.c sim/examples/hello_chip.c sim/bench/bench_sim.c driver/bench/bench_jobs.c driver/examples/conv2d_check.c; do \
	  $(CC) $(CFLAGS_BASE) $(CHECK_CFLAGS) $(INCLUDES) -fsyntax-only $$f || exit 1; \
	done
	@$(MAKE) --no-print-directory driver-lint $(EXTRA_LINT)
	@echo "lint: OK"

# ---- synthesis ------------------------------------------------------------------------------
synth: | deps
	bash scripts/synth.sh $(BUILD)/synth

clean:
	rm -rf $(BUILD)
