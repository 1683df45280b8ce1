# driver/driver.mk — build of the Systole driver and its tests (make fragment).
#
# Included by the top Makefile after sim/sim.mk, which defines BUILD, CC, CFLAGS_BASE,
# CHECK_CFLAGS, CHECK_LIBS, SIM_CONFIGS, SIM_LIB_<cfg>, SIM_LIB_ASAN_<cfg>, SIM_SANITIZE,
# SIM_LDLIBS, SIM_CPPFLAGS and REF_SRCS.
#
# Defines:
#   DRIVER_CORE_SRCS   the driver proper (no simulator, no POSIX: also for firmware)
#   DRIVER_SIM_SRCS    the simulator HAL backend
#   DRIVER_SRCS        both
#   $(BUILD)/driver/test_driver_mock          mock-HAL suite (no simulator)
#   $(BUILD)/<cfg>/test_driver_e2e            end-to-end suite per config in SIM_CONFIGS
#   $(BUILD)/<cfg>-asan/test_driver_e2e       the same under ASan + UBSan
#   $(BUILD)/<cfg>/test_attention_e2e         attention end-to-end suite per config
#   $(BUILD)/<cfg>-asan/test_attention_e2e    the same under ASan + UBSan
#                      (on `lite`, the chip without a softmax unit, every attention job runs
#                      the host softmax; elsewhere its "host" test case forces it)
#   DRIVER_SIM_TESTS   the binaries `make sim` needs
#   DRIVER_SIM_RUNS    run-tests.sh specs ("label::command") for `make sim`
#   driver-soak        phony: 8x8 e2e with DRIVER_SOAK (default 300) extra random cases
#   driver-lint        phony: -Werror syntax check of every driver source and test
#   driver-rv32-check  phony: the core builds for bare-metal rv32im (no libc)
#   $(BUILD)/<cfg>/systole_demo              small CNN demo with a per-layer report

DRIVER_CORE_SRCS := driver/src/systole_dev.c driver/src/systole_gemm.c driver/src/systole_jobs.c \
                    driver/src/systole_attn.c driver/src/systole_softmax_host.c
DRIVER_SIM_SRCS  := driver/src/hal_sim.c
DRIVER_SRCS      := $(DRIVER_CORE_SRCS) $(DRIVER_SIM_SRCS)
DRIVER_HDRS      := $(wildcard driver/include/*.h driver/src/*.h tests/driver/*.h)
DRIVER_CPPFLAGS   = -Idriver/include -Isw/ref/include $(SIM_CPPFLAGS)
DRIVER_SOAK      ?= 300

$(BUILD)/driver/test_driver_mock: tests/driver/test_driver_mock.c $(DRIVER_CORE_SRCS) \
                                  $(REF_SRCS) $(DRIVER_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(CHECK_CFLAGS) -Idriver/include -Isw/ref/include -o $@ \
	  tests/driver/test_driver_mock.c $(DRIVER_CORE_SRCS) $(REF_SRCS) $(CHECK_LIBS) -lm

# driver_e2e_rule(config, dir, extra-flags, sim-lib)
define driver_e2e_rule
$(BUILD)/$(2)/test_driver_e2e: tests/driver/test_driver_e2e.c $(DRIVER_SRCS) $(REF_SRCS) \
                               $(DRIVER_HDRS) $(4)
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS_BASE) $(3) $$(CHECK_CFLAGS) $$(DRIVER_CPPFLAGS) \
	  -DSYSTOLE_TEST_CONFIG='"$(1)"' -o $$@ tests/driver/test_driver_e2e.c $$(DRIVER_SRCS) \
	  $$(REF_SRCS) $(4) $$(SIM_LDLIBS) $$(CHECK_LIBS) -lm
endef
$(foreach c,$(SIM_CONFIGS),$(eval $(call driver_e2e_rule,$(c),$(c),,$(SIM_LIB_$(c)))))
$(foreach c,$(SIM_CONFIGS),$(eval $(call driver_e2e_rule,$(c),$(c)-asan,$(SIM_SANITIZE),$(SIM_LIB_ASAN_$(c)))))

# attention_e2e_rule(config, dir, extra-flags, sim-lib): systole_attention vs the golden
define attention_e2e_rule
$(BUILD)/$(2)/test_attention_e2e: tests/driver/test_attention_e2e.c $(DRIVER_SRCS) $(REF_SRCS) \
                                  $(DRIVER_HDRS) $(4)
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS_BASE) $(3) $$(CHECK_CFLAGS) $$(DRIVER_CPPFLAGS) \
	  -DSYSTOLE_TEST_CONFIG='"$(1)"' -o $$@ tests/driver/test_attention_e2e.c $$(DRIVER_SRCS) \
	  $$(REF_SRCS) $(4) $$(SIM_LDLIBS) $$(CHECK_LIBS) -lm
endef
$(foreach c,$(SIM_CONFIGS),$(eval $(call attention_e2e_rule,$(c),$(c),,$(SIM_LIB_$(c)))))
$(foreach c,$(SIM_CONFIGS),$(eval $(call attention_e2e_rule,$(c),$(c)-asan,$(SIM_SANITIZE),$(SIM_LIB_ASAN_$(c)))))

DRIVER_SIM_TESTS := $(BUILD)/driver/test_driver_mock \
                    $(BUILD)/driver/test_stream_ref \
                    $(BUILD)/8x8/test_driver_e2e \
                    $(BUILD)/4x4/test_driver_e2e \
                    $(BUILD)/16x16/test_driver_e2e \
                    $(BUILD)/8x8-asan/test_driver_e2e \
                    $(BUILD)/8x8/test_attention_e2e \
                    $(BUILD)/4x4/test_attention_e2e \
                    $(BUILD)/16x16/test_attention_e2e \
                    $(BUILD)/8x8-asan/test_attention_e2e

DRIVER_SIM_RUNS := "driver mock HAL::$(BUILD)/driver/test_driver_mock" \
                   "driver streams vs reference generator::$(BUILD)/driver/test_stream_ref" \
                   "driver e2e 8x8::$(BUILD)/8x8/test_driver_e2e" \
                   "driver e2e 4x4 (subset)::$(BUILD)/4x4/test_driver_e2e --subset" \
                   "driver e2e 16x16 (subset)::$(BUILD)/16x16/test_driver_e2e --subset" \
                   "driver e2e 8x8 ASan+UBSan (subset)::$(BUILD)/8x8-asan/test_driver_e2e --subset" \
                   "attention e2e 8x8::$(BUILD)/8x8/test_attention_e2e" \
                   "attention e2e 4x4 (subset)::$(BUILD)/4x4/test_attention_e2e --subset" \
                   "attention e2e 16x16 (subset)::$(BUILD)/16x16/test_attention_e2e --subset" \
                   "attention e2e 8x8 ASan+UBSan (subset)::$(BUILD)/8x8-asan/test_attention_e2e --subset"

# The FPGA-sized chip (config `lite`: 4x4, small memories, every area option, HasSoftmax=0)
# when it is one of SIM_CONFIGS: the driver suites' subsets (every attention job takes the
# host-softmax path, bit-exact against the golden).
ifneq ($(filter lite,$(SIM_CONFIGS)),)
DRIVER_SIM_TESTS += $(BUILD)/lite/test_driver_e2e $(BUILD)/lite/test_attention_e2e
DRIVER_SIM_RUNS  += "driver e2e lite, the FPGA-sized chip (subset)::$(BUILD)/lite/test_driver_e2e --subset" \
                    "attention on lite chip, host softmax (subset)::$(BUILD)/lite/test_attention_e2e --subset"
endif

# the command streams of the fast generators against the old straightforward ones
$(BUILD)/driver/test_stream_ref: tests/driver/test_stream_ref.c $(DRIVER_CORE_SRCS) \
                                 $(REF_SRCS) $(DRIVER_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(CHECK_CFLAGS) -Idriver/include -Isw/ref/include -o $@ \
	  tests/driver/test_stream_ref.c $(DRIVER_CORE_SRCS) $(REF_SRCS) $(CHECK_LIBS) -lm

.PHONY: driver-soak driver-lint
driver-soak: $(BUILD)/8x8/test_driver_e2e
	$(BUILD)/8x8/test_driver_e2e --soak $(DRIVER_SOAK)

driver-lint:
	@for f in $(DRIVER_SRCS) tests/driver/test_driver_mock.c tests/driver/test_driver_e2e.c \
	          tests/driver/test_stream_ref.c \
	          tests/driver/test_attention_e2e.c driver/demo/systole_demo.c; do \
	  $(CC) $(CFLAGS_BASE) -pedantic $(CHECK_CFLAGS) $(DRIVER_CPPFLAGS) -fsyntax-only $$f || exit 1; \
	done
	@echo "driver-lint: OK"

# demo_rule(config): $(BUILD)/<cfg>/systole_demo — a small CNN layer by layer with a report
define driver_demo_rule
$(BUILD)/$(1)/systole_demo: driver/demo/systole_demo.c $(DRIVER_SRCS) $(REF_SRCS) \
                            $(DRIVER_HDRS) $(SIM_LIB_$(1))
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS_BASE) $$(DRIVER_CPPFLAGS) -DSYSTOLE_TEST_CONFIG='"$(1)"' -o $$@ \
	  driver/demo/systole_demo.c $$(DRIVER_SRCS) $$(REF_SRCS) $(SIM_LIB_$(1)) $$(SIM_LDLIBS) -lm
endef
$(foreach c,$(SIM_CONFIGS),$(eval $(call driver_demo_rule,$(c))))

# Reproducer of a suspected chip bug (soft reset leaves the chip unable to run the next
# command): $(BUILD)/<cfg>/repro_softreset_inflight [noerror]; exit status 1 = the bug.
define driver_repro_rule
$(BUILD)/$(1)/repro_softreset_inflight: tests/driver/repro_softreset_inflight.c \
                                        $(DRIVER_HDRS) $(SIM_LIB_$(1))
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS_BASE) $$(DRIVER_CPPFLAGS) -o $$@ tests/driver/repro_softreset_inflight.c \
	  $(SIM_LIB_$(1)) $$(SIM_LDLIBS)
endef
$(foreach c,$(SIM_CONFIGS),$(eval $(call driver_repro_rule,$(c))))

# The driver core must build for the bare-metal rv32im firmware (no C library: the firmware
# provides memcpy/memset/memcmp/strlen; libgcc the 64-bit/soft-float helpers).
DRIVER_RV_CC ?= riscv64-unknown-elf-gcc
.PHONY: driver-rv32-check
driver-rv32-check:
	@for f in $(DRIVER_CORE_SRCS); do \
	  $(DRIVER_RV_CC) -march=rv32im -mabi=ilp32 -ffreestanding -std=c99 -O2 -Wall -Wextra \
	    -Werror -pedantic -Idriver/include -Isw/ref/include -c $$f -o /dev/null || exit 1; \
	done
	@echo "driver-rv32-check: OK"
