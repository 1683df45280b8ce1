# sim/soc/soc.mk — the Systole SoC (RV32IM core + accelerator, rtl/soc/systole_soc.sv) as a
# static library with a C API, the soc_run runner, its Check suite and benchmark (make
# fragment, `-include`d by the top Makefile after sim/sim.mk, whose SIM_VERILATOR_ROOT,
# sim_vmake_vars, SIM_VMAKE_JOBS, SIM_CXX, SIM_AR, SIM_LDLIBS and sim-flags-force it reuses).
#
# Configurations: SOC_CONFIGS names them, SOC_PARAMS_<name> holds the -G parameters of
# systole_soc. RamBytes, MainBytes, ClkHz, UartDiv, FastMul, Rows and Cols must all be given
# (the wrapper is compiled with them as -D defines: Verilator 5.006 does not expose a top
# module's parameters to C++). Add one with e.g.
#   make build/soc-12x12/soc_run SOC_CONFIGS="8x8 12x12" \
#        SOC_PARAMS_12x12="-GRows=12 -GCols=12 -GSpadBytes=49152 -GAccBytes=12288 \
#                          -GRamBytes=262144 -GMainBytes=1048576 -GClkHz=50000000 -GUartDiv=4 -GFastMul=1"
#
# Defines, for every <name> in SOC_CONFIGS (dir = $(BUILD)/soc-<name>):
#   dir/libsystole_soc.a   SOC_LIB_<name>     the model + Verilator runtime + C API
#   dir/soc_run            SOC_RUN_<name>     the runner (SOC_RUN = the 8x8 one)
#   dir/test_soc                              the Check suite (tests/soc/test_soc.c)
#   dir/bench_soc                             the CPU-loop simulation-speed benchmark
#   $(BUILD)/soc-<name>-asan/{libsystole_soc.a,soc_run,test_soc}
#                          the same with the wrapper and programs under ASan + UBSan
# Another fragment may add a configuration after this one is read:
#   SOC_PARAMS_<name> := ...;  $(eval $(call soc_config_rules,<name>))
# and, for the top Makefile:
#   SOC_SIM_TESTS  files `make sim` builds      SOC_SIM_RUNS  its "label::command" runs
#   SOC_LINT       phony soc-lint               SOC_BENCH     phony soc-bench
#   SOC_CPPFLAGS / SOC_LDLIBS                   to compile / link a C program with a library
#   SOC_RV_CC, SOC_RV_ARCH(_M), SOC_RV_LDFLAGS  how the test and bench programs are built
#
# Stages per config (file targets, so an RTL change re-runs only what depends on it):
#   1. verilate  RTL -> C++ model sources       dir/obj/Vsystole_soc.mk
#   2. build     C++ model + Verilator runtime  dir/obj/globals.txt
#   3. wrapper   sim/soc/src/systole_soc_sim.cpp dir/systole_soc_sim.o
#   4. archive   all of the above, one .a       dir/libsystole_soc.a
# dir/soc.flags records the flags of the last build; a change re-runs stage 1.

# This fragment must not pick the top Makefile's default goal.
SOC_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

SOC_DIR      := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
SOC_TEST_DIR := tests/soc
BUILD        ?= build

# ---- configurations ----------------------------------------------------------------------
# 8x8: the reference SoC. UartDiv=4 (4 clock cycles per UART bit, 40 per byte) so that text
# output costs little simulated time; firmware that waits on STATUS.busy still sees a real
# serial line. ClkHz is only what SOCINFO reports (the simulation has no wall-clock time).
# 4x4: the SoC with the FPGA-sized accelerator of docs/fpga.md (4x4, no softmax unit — the
# driver runs softmax on the core —, serial LD/ST engines, no command queues, small memories,
# the SB_MAC16 product model), the iterative multiplier (FastMul=0) and the board's bus timing
# (BusLate=1: RAM stores and main-memory accesses a cycle later), as on the board.
SOC_CONFIGS      ?= 8x8 4x4
SOC_MEM_PARAMS   := -GRamBytes=262144 -GMainBytes=1048576 -GClkHz=50000000 -GUartDiv=4
SOC_SMALL_CHIP   := $(FPGA_CHIP_PARAMS)
SOC_PARAMS_8x8   ?= -GRows=8 -GCols=8 $(SOC_MEM_PARAMS) -GFastMul=1
SOC_PARAMS_4x4   ?= -GRows=4 -GCols=4 $(SOC_SMALL_CHIP) $(SOC_MEM_PARAMS) -GFastMul=0 -GBusLate=1

# ---- RTL sources ---------------------------------------------------------------------------
# SOC_RTL_FILELIST (default rtl/soc/files.f) lists the SoC's files, paths relative to the
# repository root. If it does not list the chip (systole_top.sv), rtl/files.f is read
# first. Lint waivers: every *.vlt in rtl/, rtl/cpu/ and rtl/soc/, unless a file list names
# .vlt files itself.
SOC_RTL_FILELIST ?= rtl/soc/files.f
SOC_RTL_CHIPLIST := $(if $(shell grep -s 'systole_top\.sv' $(SOC_RTL_FILELIST)),,-f rtl/files.f)
SOC_RTL_VLT      := $(if $(shell grep -s '\.vlt' $(SOC_RTL_FILELIST) rtl/files.f),,$(wildcard rtl/*.vlt rtl/cpu/*.vlt rtl/soc/*.vlt))
SOC_RTL_SRCS     := $(SOC_RTL_VLT) $(SOC_RTL_CHIPLIST) -f $(SOC_RTL_FILELIST)
SOC_RTL_DEPS     := $(wildcard rtl/*.sv rtl/*.svh rtl/*.vlt rtl/files.f rtl/cpu/*.sv rtl/cpu/*.svh \
                      rtl/cpu/*.vlt rtl/soc/*.sv rtl/soc/*.svh rtl/soc/*.vlt rtl/soc/*.hex $(SOC_RTL_FILELIST))

# ---- stage 1: verilate (the chip's flags, sim/sim.mk, with the SoC top) ---------------------
SOC_VFLAGS :=
SOC_VFLAGS += --cc                       # a C++ model (no main, no SystemC)
SOC_VFLAGS += --top-module systole_soc   # the SoC top
SOC_VFLAGS += --prefix Vsystole_soc      # class/file prefix the wrapper includes
SOC_VFLAGS += -O3                        # all Verilator optimisations
SOC_VFLAGS += --x-assign fast            # X assignments: fastest code
SOC_VFLAGS += --x-initial fast           # uninitialised state: fastest code (reset defines state)
SOC_VFLAGS += --trace-fst                # FST tracing compiled in (files open only on request)
SOC_VFLAGS += --assert                   # keep the RTL's assertions
SOC_VFLAGS += -Wall                      # all lint warnings, fatal

# ---- stage 3: wrapper ------------------------------------------------------------------
SOC_CPPFLAGS := -I$(SOC_DIR)/include
SOC_LDLIBS    = $(SIM_LDLIBS)
# value of -G<param>= in config $(2)'s parameters; empty if missing
soc_param = $(patsubst -G$(1)=%,%,$(filter -G$(1)=%,$(SOC_PARAMS_$(2))))
SOC_REQUIRED_PARAMS := Rows Cols RamBytes MainBytes ClkHz UartDiv FastMul

# ---- the RV32 programs (tests, bench) ------------------------------------------------------
# rv32i plus Zicsr (binutils >= 2.38 wants the CSR instructions' extension named): the
# smoke programs also run on the iCEBreaker top, whose core has no M extension.
SOC_RV_CC      ?= riscv64-unknown-elf-gcc
SOC_RV_ARCH    := -march=rv32i_zicsr -mabi=ilp32
SOC_RV_ARCH_M  := -march=rv32im_zicsr -mabi=ilp32   # the CPU bench loop (mul, remu)
SOC_RV_LDFLAGS := -nostdlib -static -Wl,--build-id=none -Wl,--no-warn-rwx-segments \
                  -T $(SOC_TEST_DIR)/progs/link.ld
SOC_PROGS      := exit42 exit_big loop hello socinfo accid mainmem buserr timer uartbusy
SOC_PROG_ELFS  := $(patsubst %,$(BUILD)/soc/progs/%.elf,$(SOC_PROGS))
SOC_PROG_DEPS  := $(SOC_TEST_DIR)/progs/link.ld $(SOC_TEST_DIR)/progs/soc.h $(SOC_TEST_DIR)/progs/crt.S

$(BUILD)/soc/progs/%.elf: $(SOC_TEST_DIR)/progs/%.S $(SOC_PROG_DEPS)
	@mkdir -p $(@D)
	$(SOC_RV_CC) $(SOC_RV_ARCH) $(SOC_RV_LDFLAGS) -I$(SOC_TEST_DIR)/progs -o $@ \
	  $(SOC_TEST_DIR)/progs/crt.S $<

$(BUILD)/soc/bench/cpu_loop.elf: $(SOC_DIR)/bench/cpu_loop.S $(SOC_PROG_DEPS)
	@mkdir -p $(@D)
	$(SOC_RV_CC) $(SOC_RV_ARCH_M) $(SOC_RV_LDFLAGS) -I$(SOC_TEST_DIR)/progs -o $@ \
	  $(SOC_TEST_DIR)/progs/crt.S $<

SOC_C_FLAGS = $(CFLAGS_BASE) $(SOC_CPPFLAGS)

.PHONY: soc-libs soc-lint soc-bench

# soc_config_rules(name): everything of one configuration
define soc_config_rules
$(foreach p,$(SOC_REQUIRED_PARAMS),$(if $(call soc_param,$(p),$(1)),,$(error sim/soc/soc.mk: SOC_PARAMS_$(1) must set -G$(p)=)))
SOC_DEFS_$(1) := -DSOC_CONFIG_NAME='"$(1)"' -DSOC_ROWS=$(call soc_param,Rows,$(1)) \
  -DSOC_COLS=$(call soc_param,Cols,$(1)) -DSOC_RAM_BYTES=$(call soc_param,RamBytes,$(1)) \
  -DSOC_MAIN_BYTES=$(call soc_param,MainBytes,$(1)) -DSOC_CLK_HZ=$(call soc_param,ClkHz,$(1)) \
  -DSOC_UART_DIV=$(call soc_param,UartDiv,$(1)) -DSOC_FAST_MUL=$(call soc_param,FastMul,$(1))
SOC_VFLAGS_$(1) := $$(strip $$(SOC_VFLAGS)) $$(SOC_PARAMS_$(1))
SOC_LIB_$(1)    := $(BUILD)/soc-$(1)/libsystole_soc.a
SOC_RUN_$(1)    := $(BUILD)/soc-$(1)/soc_run

$(BUILD)/soc-$(1)/obj:
	@mkdir -p $$@

# flags stamp: rewritten only when the flags change, so a change forces a rebuild
$(BUILD)/soc-$(1)/soc.flags: sim-flags-force | $(BUILD)/soc-$(1)/obj
	$$(file >$$@.tmp,$$(SOC_VFLAGS_$(1)) $$(SOC_RTL_SRCS) | $$(call sim_vmake_vars,$$(SIM_OPT_FAST)) | $$(SIM_WRAP_CXXFLAGS) $$(SOC_DEFS_$(1)))
	@if cmp -s $$@.tmp $$@; then rm -f $$@.tmp; else mv $$@.tmp $$@; fi

# stage 1: verilate
$(BUILD)/soc-$(1)/obj/Vsystole_soc.mk: $$(SOC_RTL_DEPS) $(BUILD)/soc-$(1)/soc.flags
	$$(VERILATOR) $$(SOC_VFLAGS_$(1)) --Mdir $$(@D) $$(SOC_RTL_SRCS)
	@touch $$@

# stage 2: the model archive and the Verilator runtime objects (Verilator's makefile)
$(BUILD)/soc-$(1)/obj/globals.txt: $(BUILD)/soc-$(1)/obj/Vsystole_soc.mk $(SIM_DIR)/mk/verilated_objs.mk
	+$$(MAKE) --no-print-directory $$(SIM_VMAKE_JOBS) -C $$(@D) -f Vsystole_soc.mk \
	  -f $$(abspath $(SIM_DIR)/mk/verilated_objs.mk) $$(call sim_vmake_vars,$$(SIM_OPT_FAST)) systole_sim_objs

# stage 3: the C API wrapper
$(BUILD)/soc-$(1)/systole_soc_sim.o: $(SOC_DIR)/src/systole_soc_sim.cpp \
                                     $(SOC_DIR)/include/systole_soc_sim.h $(BUILD)/soc-$(1)/obj/globals.txt
	$$(SIM_CXX) $$(SIM_WRAP_CXXFLAGS) $$(SOC_DEFS_$(1)) $$(SOC_CPPFLAGS) -isystem $(BUILD)/soc-$(1)/obj \
	  -c -o $$@ $$<

# stage 4: one archive (ar MRI script)
$(BUILD)/soc-$(1)/libsystole_soc.a: $(BUILD)/soc-$(1)/systole_soc_sim.o $(BUILD)/soc-$(1)/obj/globals.txt
	@rm -f $$@ $$@.mri
	@{ echo "create $$@"; \
	   echo "addlib $(BUILD)/soc-$(1)/obj/Vsystole_soc__ALL.a"; \
	   for o in $$$$(cat $(BUILD)/soc-$(1)/obj/globals.txt); do echo "addmod $(BUILD)/soc-$(1)/obj/$$$$o"; done; \
	   echo "addmod $(BUILD)/soc-$(1)/systole_soc_sim.o"; \
	   echo "save"; echo "end"; } > $$@.mri
	$$(SIM_AR) -M < $$@.mri
	@rm -f $$@.mri

# the runner
$(BUILD)/soc-$(1)/soc_run: $(SOC_DIR)/tools/soc_run.c $(SOC_DIR)/include/systole_soc_sim.h \
                           $(BUILD)/soc-$(1)/libsystole_soc.a
	$$(CC) $$(SOC_C_FLAGS) -o $$@ $$< $(BUILD)/soc-$(1)/libsystole_soc.a $$(SOC_LDLIBS)

# the Check suite (needs the test programs and the runner at run time)
$(BUILD)/soc-$(1)/test_soc: $(SOC_TEST_DIR)/test_soc.c $(SOC_DIR)/include/systole_soc_sim.h \
                            $(BUILD)/soc-$(1)/libsystole_soc.a $(BUILD)/soc-$(1)/soc_run $(SOC_PROG_ELFS)
	$$(CC) $$(SOC_C_FLAGS) $$(CHECK_CFLAGS) -Idriver/include \
	  -DSOC_PROGS_DIR='"$(abspath $(BUILD)/soc/progs)"' \
	  -DSOC_RUN_PATH='"$(abspath $(BUILD)/soc-$(1)/soc_run)"' \
	  -DSOC_WORK_DIR='"$(abspath $(BUILD)/soc-$(1))"' \
	  -o $$@ $$< $(BUILD)/soc-$(1)/libsystole_soc.a $$(SOC_LDLIBS) $$(CHECK_LIBS)

# the simulation-speed benchmark
$(BUILD)/soc-$(1)/bench_soc: $(SOC_DIR)/bench/bench_soc.c $(SOC_DIR)/include/systole_soc_sim.h \
                             $(BUILD)/soc-$(1)/libsystole_soc.a
	$$(CC) $$(SOC_C_FLAGS) -o $$@ $$< $(BUILD)/soc-$(1)/libsystole_soc.a $$(SOC_LDLIBS)

# -asan: the wrapper (ELF loader, UART capture), soc_run and the suite under ASan + UBSan
# ($$(SIM_SANITIZE)), linked with the same Verilated model objects as the plain library (the
# generated model is not where host-memory bugs of this layer live, and instrumenting it
# would cost a second, much slower model build).
$(BUILD)/soc-$(1)-asan/systole_soc_sim.o: $(SOC_DIR)/src/systole_soc_sim.cpp \
                                          $(SOC_DIR)/include/systole_soc_sim.h $(BUILD)/soc-$(1)/obj/globals.txt
	@mkdir -p $$(@D)
	$$(SIM_CXX) $$(SIM_WRAP_CXXFLAGS) $$(SIM_SANITIZE) $$(SOC_DEFS_$(1)) $$(SOC_CPPFLAGS) \
	  -isystem $(BUILD)/soc-$(1)/obj -c -o $$@ $$<

$(BUILD)/soc-$(1)-asan/libsystole_soc.a: $(BUILD)/soc-$(1)-asan/systole_soc_sim.o $(BUILD)/soc-$(1)/obj/globals.txt
	@rm -f $$@ $$@.mri
	@{ echo "create $$@"; \
	   echo "addlib $(BUILD)/soc-$(1)/obj/Vsystole_soc__ALL.a"; \
	   for o in $$$$(cat $(BUILD)/soc-$(1)/obj/globals.txt); do echo "addmod $(BUILD)/soc-$(1)/obj/$$$$o"; done; \
	   echo "addmod $(BUILD)/soc-$(1)-asan/systole_soc_sim.o"; \
	   echo "save"; echo "end"; } > $$@.mri
	$$(SIM_AR) -M < $$@.mri
	@rm -f $$@.mri

$(BUILD)/soc-$(1)-asan/soc_run: $(SOC_DIR)/tools/soc_run.c $(SOC_DIR)/include/systole_soc_sim.h \
                                $(BUILD)/soc-$(1)-asan/libsystole_soc.a
	$$(CC) $$(SOC_C_FLAGS) $$(SIM_SANITIZE) -o $$@ $$< $(BUILD)/soc-$(1)-asan/libsystole_soc.a $$(SOC_LDLIBS)

$(BUILD)/soc-$(1)-asan/test_soc: $(SOC_TEST_DIR)/test_soc.c $(SOC_DIR)/include/systole_soc_sim.h \
                                 $(BUILD)/soc-$(1)-asan/libsystole_soc.a $(BUILD)/soc-$(1)-asan/soc_run $(SOC_PROG_ELFS)
	$$(CC) $$(SOC_C_FLAGS) $$(SIM_SANITIZE) $$(CHECK_CFLAGS) -Idriver/include \
	  -DSOC_PROGS_DIR='"$(abspath $(BUILD)/soc/progs)"' \
	  -DSOC_RUN_PATH='"$(abspath $(BUILD)/soc-$(1)-asan/soc_run)"' \
	  -DSOC_WORK_DIR='"$(abspath $(BUILD)/soc-$(1)-asan)"' \
	  -o $$@ $$< $(BUILD)/soc-$(1)-asan/libsystole_soc.a $$(SOC_LDLIBS) $$(CHECK_LIBS)
endef
$(foreach c,$(SOC_CONFIGS),$(eval $(call soc_config_rules,$(c))))

SOC_LIBS := $(foreach c,$(SOC_CONFIGS),$(SOC_LIB_$(c)))
SOC_RUN  := $(BUILD)/soc-8x8/soc_run
soc-libs: $(SOC_LIBS)

# ---- for the top Makefile ------------------------------------------------------------------
SOC_SIM_TESTS := $(BUILD)/soc-8x8/test_soc $(BUILD)/soc-8x8/soc_run $(BUILD)/soc-4x4/test_soc \
                 $(BUILD)/soc-8x8-asan/test_soc
SOC_SIM_RUNS  := "SoC model 8x8::$(BUILD)/soc-8x8/test_soc" \
                 "SoC model 4x4 (FPGA-sized chip, FastMul=0)::$(BUILD)/soc-4x4/test_soc" \
                 "SoC model 8x8 ASan+UBSan wrapper::$(BUILD)/soc-8x8-asan/test_soc"
SOC_LINT      := soc-lint
SOC_BENCH     := soc-bench

# Verilator -Wall on the SoC top (8x8 and 4x4), then a -Werror build check of the C sources.
soc-lint:
	$(foreach c,8x8 4x4,$(VERILATOR) --lint-only -Wall --assert --top-module systole_soc \
	  $(SOC_PARAMS_$(c)) $(SOC_RTL_SRCS) &&) true
	@for f in $(SOC_DIR)/tools/soc_run.c $(SOC_DIR)/bench/bench_soc.c $(SOC_TEST_DIR)/test_soc.c; do \
	  $(CC) $(SOC_C_FLAGS) -pedantic $(CHECK_CFLAGS) -Idriver/include -DSOC_PROGS_DIR='"."' \
	    -DSOC_RUN_PATH='"soc_run"' -DSOC_WORK_DIR='"."' -fsyntax-only $$f || exit 1; \
	done
	@echo "soc-lint: OK"

# Core simulation speed: SoC cycles per host second while the core runs cpu_loop (median of
# 5 runs), one row appended to $(BENCH_CSV).
soc-bench: $(BUILD)/soc-8x8/bench_soc $(BUILD)/soc/bench/cpu_loop.elf
	$(BUILD)/soc-8x8/bench_soc -c 8x8 -r 5 -o $(BENCH_CSV) $(BUILD)/soc/bench/cpu_loop.elf

.DEFAULT_GOAL := $(SOC_SAVED_DEFAULT_GOAL)
