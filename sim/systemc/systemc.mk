# sim/systemc/systemc.mk — the SystemC/TLM-2.0 model of the chip (make fragment).
#
# Included by the top Makefile after sim/sim.mk and driver/driver.mk (it uses BUILD, CC,
# CFLAGS_BASE, VERILATOR, SIM_CXX, SIM_AR, SIM_RTL_SRCS, SIM_RTL_DEPS, SIM_VERILATOR_ROOT,
# SIM_VMAKE_JOBS, SIM_LIB_8x8, SIM_LDLIBS, DRIVER_CORE_SRCS, DRIVER_SIM_SRCS, DRIVER_HDRS,
# REF_SRCS, BENCH_CSV). Defines:
#   $(BUILD)/sc-8x8/libsystole_sc.a   SC_LIB: the chip Verilated with --sc (prefix
#                                      Vsystole_sc, Rows=8 Cols=8), the Verilator runtime,
#                                      the Systole sc_module, TLM memory/router, HalTlm and
#                                      the reference platform
#   $(BUILD)/sc-8x8/test_systemc      SC_TEST: the platform test and benchmark program
#   SC_SIM_TESTS   files `make sim` builds         SC_SIM_RUNS  "label::command" runs
#   SC_BENCH       phony sc-bench: appends the SystemC vs C-API speed rows to $(BENCH_CSV)
#   SC_LINT        phony sc-lint: -Werror syntax check of the sources
# Link a SystemC program with: $(SC_LIB) $(SC_LDLIBS); compile with $(SC_CPPFLAGS).
#
# Stages (file targets; an RTL or flag change re-runs what depends on it):
#   1. verilate  verilator --sc                 $(SC_OUT)/obj/Vsystole_sc.mk
#   2. build     model + runtime (VM_SC=1)      $(SC_OUT)/obj/globals.txt
#   3. wrapper   sim/systemc/src/*.cpp          $(SC_OUT)/*.o
#   4. archive   all of the above               $(SC_OUT)/libsystole_sc.a

SC_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

SC_DIR     := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
SC_OUT     := $(BUILD)/sc-8x8
SC_PARAMS  := -GRows=8 -GCols=8
SC_LIB     := $(SC_OUT)/libsystole_sc.a
SC_TEST    := $(SC_OUT)/test_systemc
SC_TESTDIR := tests/systemc

# pkg-config knows Debian's libsystemc-dev (headers in /usr/include); looked up when a
# recipe runs, so a fresh machine can install it first.
SC_SYSTEMC_CFLAGS = $(shell pkg-config --cflags systemc 2>/dev/null)
SC_SYSTEMC_LIBS   = $(or $(shell pkg-config --libs systemc 2>/dev/null),-lsystemc)

SC_VFLAGS := --sc --top-module systole_top --prefix Vsystole_sc -O3 --x-assign fast \
             --x-initial fast --assert -Wall $(SC_PARAMS)
# Debian's libsystemc is built as C++17 (sc_api_version_2_3_4_cxx201703L): so are we.
SC_VMAKE_VARS = OPT_FAST=-O2 OPT_GLOBAL=-O2 OPT_SLOW= CXX="$(SIM_CXX)" \
                USER_CPPFLAGS="-std=gnu++17 $(SC_SYSTEMC_CFLAGS)"
SC_CPPFLAGS   := -I$(SC_DIR)/include -Idriver/include
SC_CXXFLAGS    = -std=gnu++17 -faligned-new -O2 -g -Wall -Wextra -Werror \
  -isystem $(SIM_VERILATOR_ROOT)/include -isystem $(SIM_VERILATOR_ROOT)/include/vltstd \
  $(SC_SYSTEMC_CFLAGS) -DVM_COVERAGE=0 -DVM_SC=1 -DVM_TRACE=0 -DVM_TRACE_FST=0 -DVM_TRACE_VCD=0
SC_LDLIBS      = $(SC_SYSTEMC_LIBS) $(SIM_LDLIBS)

SC_SRCS := $(SC_DIR)/src/systole_sc.cpp $(SC_DIR)/src/systole_sc_tlm.cpp \
           $(SC_DIR)/src/hal_tlm.cpp $(SC_DIR)/src/systole_sc_platform.cpp
SC_HDRS := $(wildcard $(SC_DIR)/include/*.h)
SC_OBJS := $(patsubst $(SC_DIR)/src/%.cpp,$(SC_OUT)/%.o,$(SC_SRCS))

# C99 parts of the test program: driver, C-API HAL, golden kernels, the jobs (gcc, -Werror)
SC_C_SRCS := $(DRIVER_CORE_SRCS) $(DRIVER_SIM_SRCS) $(REF_SRCS) $(SC_TESTDIR)/sc_jobs.c
SC_C_OBJS := $(patsubst %.c,$(SC_OUT)/c/%.o,$(SC_C_SRCS))
SC_C_FLAGS = $(CFLAGS_BASE) -Idriver/include -Isw/ref/include -I$(SC_TESTDIR) $(SIM_CPPFLAGS)

.PHONY: sc-lib sc-bench sc-lint sc-flags-force
sc-flags-force:

$(SC_OUT)/obj:
	@mkdir -p $@

# flags stamp: rewritten only when the flags change
$(SC_OUT)/sc.flags: sc-flags-force | $(SC_OUT)/obj
	$(file >$@.tmp,$(SC_VFLAGS) $(SIM_RTL_SRCS) | $(SC_VMAKE_VARS))
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

# stage 1: verilate
$(SC_OUT)/obj/Vsystole_sc.mk: $(SIM_RTL_DEPS) $(SC_OUT)/sc.flags
	$(VERILATOR) $(SC_VFLAGS) --Mdir $(@D) $(SIM_RTL_SRCS)
	@touch $@

# stage 2: the model archive and the Verilator runtime objects, compiled for SystemC
$(SC_OUT)/obj/globals.txt: $(SC_OUT)/obj/Vsystole_sc.mk sim/mk/verilated_objs.mk
	+$(MAKE) --no-print-directory $(SIM_VMAKE_JOBS) -C $(@D) -f Vsystole_sc.mk \
	  -f $(abspath sim/mk/verilated_objs.mk) $(SC_VMAKE_VARS) systole_sim_objs

# stage 3: the module, TLM blocks, HAL backend and platform
$(SC_OUT)/%.o: $(SC_DIR)/src/%.cpp $(SC_HDRS) driver/include/systole_hal.h \
               driver/include/systole_regs.h $(SC_OUT)/obj/globals.txt
	$(SIM_CXX) $(SC_CXXFLAGS) $(SC_CPPFLAGS) -isystem $(SC_OUT)/obj -c -o $@ $<

# stage 4: one archive (ar MRI script)
$(SC_LIB): $(SC_OBJS) $(SC_OUT)/obj/globals.txt
	@rm -f $@ $@.mri
	@{ echo "create $@"; \
	   echo "addlib $(SC_OUT)/obj/Vsystole_sc__ALL.a"; \
	   for o in $$(cat $(SC_OUT)/obj/globals.txt); do echo "addmod $(SC_OUT)/obj/$$o"; done; \
	   for o in $(SC_OBJS); do echo "addmod $$o"; done; \
	   echo "save"; echo "end"; } > $@.mri
	$(SIM_AR) -M < $@.mri
	@rm -f $@.mri

sc-lib: $(SC_LIB)

$(SC_OUT)/c/%.o: %.c $(DRIVER_HDRS) $(wildcard sw/ref/include/*.h sw/ref/src/*.h) \
                 $(SC_TESTDIR)/sc_jobs.h
	@mkdir -p $(@D)
	$(CC) $(SC_C_FLAGS) -c -o $@ $<

# The test links both chip models: this one (Vsystole_sc) and the C-API library
# (Vsystole_top), whose Verilator runtime objects are the same sources as ours.
$(SC_TEST): $(SC_TESTDIR)/test_systemc.cpp $(SC_TESTDIR)/sc_jobs.h $(SC_C_OBJS) $(SC_LIB) \
            $(SIM_LIB_8x8) $(SC_HDRS)
	$(SIM_CXX) $(SC_CXXFLAGS) $(SC_CPPFLAGS) -I$(SC_TESTDIR) -Isw/ref/include $(SIM_CPPFLAGS) \
	  -o $@ $< $(SC_C_OBJS) $(SC_LIB) $(SIM_LIB_8x8) $(SC_LDLIBS)

SC_SIM_TESTS := $(SC_TEST)
SC_SIM_RUNS  := "SystemC/TLM platform vs C-API (8x8)::$(SC_TEST)" \
                "SystemC/TLM platform vs C-API, slow memory (8x8)::$(SC_TEST) --read-latency 23 --write-latency 7 --bytes-per-cycle 3 --max-outstanding 2" \
                "SystemC/TLM platform, timed host copies (8x8)::$(SC_TEST) --timed"

sc-bench: $(SC_TEST)
	$(SC_TEST) --bench -r 5 -c 8x8 -o $(BENCH_CSV)
SC_BENCH := sc-bench

sc-lint: $(SC_OUT)/obj/Vsystole_sc.mk
	@for f in $(SC_SRCS) $(SC_TESTDIR)/test_systemc.cpp; do \
	  $(SIM_CXX) $(SC_CXXFLAGS) $(SC_CPPFLAGS) -isystem $(SC_OUT)/obj -I$(SC_TESTDIR) \
	    -Isw/ref/include $(SIM_CPPFLAGS) -fsyntax-only $$f || exit 1; \
	done
	@$(CC) $(SC_C_FLAGS) -pedantic -fsyntax-only $(SC_TESTDIR)/sc_jobs.c
	@echo "sc-lint: OK"
SC_LINT := sc-lint

.DEFAULT_GOAL := $(SC_SAVED_DEFAULT_GOAL)
