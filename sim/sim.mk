# sim/sim.mk — build the Systole chip as a static library with a C API (make fragment).
#
# Included by the top Makefile, which sets (before `include sim/sim.mk`):
#   BUILD               output root (default: build)
#   SIM_CONFIGS         config names, e.g. `4x4 8x8 16x16`
#   SIM_PARAMS_<name>   Verilator parameter overrides, e.g. `-GRows=8 -GCols=8`
# Optional:
#   SIM_SANITIZE        sanitizer flags of the -asan libraries' wrapper; also needed on the
#                       compile and link lines of programs using them
#   SIM_SANITIZE_MODEL  sanitizer flags of the -asan libraries' Verilated model and runtime
#                       (default ASan only: UBSan on the generated model makes each file take
#                       minutes to compile, >10 min at -O2 -g, measured on the 8x8 chip)
#   SIM_ASAN_OPT_FAST   optimisation of the -asan model (default -O1)
#   SIM_JOBS            C++ compile jobs when make itself runs without -j (default 2)
#   SIM_OPT_FAST        optimisation of the Verilated model (default -O2)
#   SIM_RTL_DIR         RTL directory (default rtl); `$(SIM_RTL_DIR)/files.f` is used if it
#                       exists (paths in it relative to the directory make runs in), otherwise
#                       every $(SIM_RTL_DIR)/*.sv
#
# Defines, for every <name> in SIM_CONFIGS:
#   $(BUILD)/<name>/libsystole_sim.a        SIM_LIB_<name>       (also listed in SIM_LIBS)
#   $(BUILD)/<name>-asan/libsystole_sim.a   SIM_LIB_ASAN_<name>  (also in SIM_LIBS_ASAN)
#   phony sim-libs / sim-libs-asan          build all of them
# A C program links with:  $(SIM_LIB_<name>) $(SIM_LDLIBS)   (and $(SIM_SANITIZE) for -asan)
# and compiles with:       $(SIM_CPPFLAGS)
#
# Stages per config (each a file target, so an RTL change re-runs only what depends on it):
#   1. verilate  RTL -> C++ model sources      $(BUILD)/<dir>/obj/Vsystole_top.mk
#   2. build     C++ model + Verilator runtime $(BUILD)/<dir>/obj/globals.txt
#   3. wrapper   sim/src/systole_sim.cpp       $(BUILD)/<dir>/systole_sim.o
#   4. archive   all of the above, one .a      $(BUILD)/<dir>/libsystole_sim.a
# $(BUILD)/<dir>/sim.flags records the flags of the last build; a change re-runs stage 1.

# This fragment must not pick the top Makefile's default goal.
SIM_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

SIM_DIR       := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
BUILD         ?= build
SIM_CONFIGS   ?= 8x8
SIM_RTL_DIR   ?= rtl
SIM_JOBS      ?= 2
SIM_OPT_FAST  ?= -O2
SIM_SANITIZE  ?= -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g
SIM_SANITIZE_MODEL ?= -fsanitize=address -fno-omit-frame-pointer
SIM_ASAN_OPT_FAST  ?= -O1
VERILATOR     ?= verilator
SIM_CXX       ?= g++
SIM_AR        ?= ar

# Looked up when a recipe runs ('='), so a fresh machine can install Verilator first.
SIM_VERILATOR_ROOT = $(shell $(VERILATOR) --getenv VERILATOR_ROOT 2>/dev/null)

# RTL sources: the ordered list if the RTL owners provide one, else a glob.
SIM_RTL_FILELIST := $(wildcard $(SIM_RTL_DIR)/files.f)
# Verilator configuration files (lint waivers, *.vlt) are passed too unless files.f lists them.
SIM_RTL_VLT      := $(if $(SIM_RTL_FILELIST),$(if $(shell grep -s '\.vlt' $(SIM_RTL_FILELIST)),,$(wildcard $(SIM_RTL_DIR)/*.vlt)),$(wildcard $(SIM_RTL_DIR)/*.vlt))
SIM_RTL_SRCS     := $(SIM_RTL_VLT) $(if $(SIM_RTL_FILELIST),-f $(SIM_RTL_FILELIST),$(sort $(wildcard $(SIM_RTL_DIR)/*.sv)))
SIM_RTL_DEPS     := $(wildcard $(SIM_RTL_DIR)/*.sv $(SIM_RTL_DIR)/*.svh $(SIM_RTL_DIR)/*.vlt $(SIM_RTL_DIR)/files.f)

# ---- stage 1: verilate --------------------------------------------------------------------
SIM_VFLAGS :=
SIM_VFLAGS += --cc                      # emit a C++ model (no main, no SystemC)
SIM_VFLAGS += --top-module systole_top  # the chip top; also names the class Vsystole_top
SIM_VFLAGS += --prefix Vsystole_top     # class/file prefix the wrapper includes
SIM_VFLAGS += -O3                       # all Verilator optimisations
SIM_VFLAGS += --x-assign fast           # X assignments: fastest code, no randomisation
SIM_VFLAGS += --x-initial fast          # uninitialised state: fastest code (reset defines state)
SIM_VFLAGS += --trace-fst               # compile FST tracing in (files open only on request)
SIM_VFLAGS += --assert                  # keep the RTL's assertions
SIM_VFLAGS += -Wall                     # all lint warnings, fatal (the RTL is lint-clean)

# ---- stage 2: build (Verilator's own makefile, compiler options passed as make variables) --
# OPT_FAST: hot model code; OPT_GLOBAL: Verilator runtime; OPT_SLOW: constructors (-O0 keeps
# compile time down). $(1) is the OPT_FAST of the config.
sim_vmake_vars = OPT_FAST="$(1)" OPT_GLOBAL=-O2 OPT_SLOW= CXX="$(SIM_CXX)"
# Parallel compile even under a serial top-level make; under `make -jN` share its jobserver.
SIM_VMAKE_JOBS = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(SIM_JOBS))

# ---- stage 3: wrapper ------------------------------------------------------------------
# Verilator's headers are -isystem so that our -Wall -Wextra -Werror covers only our code.
# The VM_* defines must match the ones Verilator's makefile uses for the model, and
# -faligned-new too: VerilatedContext is over-aligned and its deleting destructor (compiled
# by Verilator's makefile) uses aligned delete, so our `new` must be the aligned one.
SIM_CPPFLAGS  := -I$(SIM_DIR)/include
SIM_WRAP_CXXFLAGS = -std=c++14 -faligned-new -O2 -Wall -Wextra -Werror \
  -isystem $(SIM_VERILATOR_ROOT)/include -isystem $(SIM_VERILATOR_ROOT)/include/vltstd \
  -DVM_COVERAGE=0 -DVM_SC=0 -DVM_TRACE=1 -DVM_TRACE_FST=1 -DVM_TRACE_VCD=0
SIM_LDLIBS    := -lstdc++ -lm -lz -lpthread

SIM_LIBS      :=
SIM_LIBS_ASAN :=

.PHONY: sim-libs sim-libs-asan sim-flags-force
sim-flags-force:

# sim_config_rules(name, dir, wrapper-sanitize-flags, model-sanitize-flags, model-OPT_FAST)
define sim_config_rules
SIM_VFLAGS_$(2) := $$(strip $$(SIM_VFLAGS)) $$(SIM_PARAMS_$(1)) $(if $(4),-CFLAGS "$(4)" -LDFLAGS "$(4)")
SIM_VMAKE_VARS_$(2) := $$(call sim_vmake_vars,$(5))

# flags stamp: rewritten only when the flags change, so a change forces a rebuild
$(BUILD)/$(2)/obj:
	@mkdir -p $$@

$(BUILD)/$(2)/sim.flags: sim-flags-force | $(BUILD)/$(2)/obj
	$$(file >$$@.tmp,$$(SIM_VFLAGS_$(2)) $$(SIM_RTL_SRCS) | $$(SIM_VMAKE_VARS_$(2)) | $$(SIM_WRAP_CXXFLAGS) $(3))
	@if cmp -s $$@.tmp $$@; then rm -f $$@.tmp; else mv $$@.tmp $$@; fi

# stage 1: verilate
$(BUILD)/$(2)/obj/Vsystole_top.mk: $$(SIM_RTL_DEPS) $(BUILD)/$(2)/sim.flags
	$$(VERILATOR) $$(SIM_VFLAGS_$(2)) --Mdir $$(@D) $$(SIM_RTL_SRCS)
	@touch $$@

# stage 2: build the model archive and the Verilator runtime objects
$(BUILD)/$(2)/obj/globals.txt: $(BUILD)/$(2)/obj/Vsystole_top.mk $(SIM_DIR)/mk/verilated_objs.mk
	+$$(MAKE) --no-print-directory $$(SIM_VMAKE_JOBS) -C $$(@D) -f Vsystole_top.mk \
	  -f $$(abspath $(SIM_DIR)/mk/verilated_objs.mk) $$(SIM_VMAKE_VARS_$(2)) systole_sim_objs

# stage 3: the C API wrapper
$(BUILD)/$(2)/systole_sim.o: $(SIM_DIR)/src/systole_sim.cpp $(SIM_DIR)/include/systole_sim.h \
                             $(BUILD)/$(2)/obj/globals.txt
	$$(SIM_CXX) $$(SIM_WRAP_CXXFLAGS) $(3) $$(SIM_CPPFLAGS) -isystem $(BUILD)/$(2)/obj \
	  -c -o $$@ $$<

# stage 4: archive model + runtime + wrapper into one library (ar MRI script)
$(BUILD)/$(2)/libsystole_sim.a: $(BUILD)/$(2)/systole_sim.o $(BUILD)/$(2)/obj/globals.txt
	@rm -f $$@ $$@.mri
	@{ echo "create $$@"; \
	   echo "addlib $(BUILD)/$(2)/obj/Vsystole_top__ALL.a"; \
	   for o in $$$$(cat $(BUILD)/$(2)/obj/globals.txt); do echo "addmod $(BUILD)/$(2)/obj/$$$$o"; done; \
	   echo "addmod $(BUILD)/$(2)/systole_sim.o"; \
	   echo "save"; echo "end"; } > $$@.mri
	$$(SIM_AR) -M < $$@.mri
	@rm -f $$@.mri
endef

$(foreach c,$(SIM_CONFIGS),$(eval $(call sim_config_rules,$(c),$(c),,,$$(SIM_OPT_FAST))))
$(foreach c,$(SIM_CONFIGS),$(eval $(call sim_config_rules,$(c),$(c)-asan,$$(SIM_SANITIZE),$$(SIM_SANITIZE_MODEL),$$(SIM_ASAN_OPT_FAST))))
$(foreach c,$(SIM_CONFIGS),$(eval SIM_LIB_$(c) := $(BUILD)/$(c)/libsystole_sim.a))
$(foreach c,$(SIM_CONFIGS),$(eval SIM_LIB_ASAN_$(c) := $(BUILD)/$(c)-asan/libsystole_sim.a))
SIM_LIBS      := $(foreach c,$(SIM_CONFIGS),$(SIM_LIB_$(c)))
SIM_LIBS_ASAN := $(foreach c,$(SIM_CONFIGS),$(SIM_LIB_ASAN_$(c)))

sim-libs: $(SIM_LIBS)
sim-libs-asan: $(SIM_LIBS_ASAN)

.DEFAULT_GOAL := $(SIM_SAVED_DEFAULT_GOAL)
