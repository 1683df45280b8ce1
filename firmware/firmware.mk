# firmware/firmware.mk — firmware of the SoC's RV32IM core (make fragment).
#
# Included by the top Makefile after sim/sim.mk, driver/driver.mk and sim/soc/soc.mk (which
# sets SOC_RUN, the SoC simulator that runs an ELF). Does not change the default goal.
#
# Toolchain: Debian's riscv64-unknown-elf-gcc for rv32im/ilp32 with picolibc
# (--specs=picolibc.specs: libc, libm, printf; our own crt0.S and link.ld). The driver core
# (DRIVER_CORE_SRCS) and the golden kernels (REF_SRCS) are compiled unchanged. The link
# wraps libgcc's 64-bit division helpers with fw_div64.c's 32-bit fast paths; fw_mul.S
# and fw_muldi3.c replace libgcc's __mulsi3 and __muldi3 in rv32i builds (the board firmware).
#
# Builds, under $(BUILD)/fw/:
#   <prog>.elf   every program in firmware/programs (conv2d cnn attention chiperr board);
#                the link prints its size
#   board.ld     the board firmware's linker script (link.ld plus code in main memory)
#   <prog>.bin   flat RAM image from address 0 (objcopy -O binary)
#   <prog>.hex   the same as $readmemh input (SoC RamInitFile): one 32-bit word per line
#   <prog>.lst   disassembly (on request);  <prog>.map  link map
#   obj/...      objects; fw.flags the flags they were built with
#   hosttest/test_fw_rt   the runtime's string/division/multiply code on the host, vs. references
#   bench/fw_bench_host   the host side of the benchmark (driver + 8x8 chip model)
# Phony: fw (everything), fw-sizes, fw-run (FW_PROG=<prog> on $(SOC_RUN)), fw-lint, fw-bench.
# Defines, for the top Makefile:
#   FW_SIM_TESTS   the host test, the ELFs and hex files (and $(SOC_RUN) when it exists)
#   FW_SIM_RUNS    "label::command": the host test, every program on the 8x8 SoC model,
#                  conv2d and attention on the 4x4 one
#   FW_LINT        fw-lint: firmware C with -Werror (rv32im and host parts), driver-rv32-check
#   FW_BENCH       fw-bench: conv2d and attention on the SoC vs. the host driver on the
#                  bare 8x8 chip; appends to $(BENCH_CSV) and prints the overhead ratio
# Knobs: FW_RAM_BYTES (SoC RamBytes, default 256 KiB), FW_STACK_BYTES, FW_OPT, FW_CC,
#        FW_MAIN_BYTES / FW_MAIN_MIN_FREE (main memory for the board firmware's link).
#
# Per-program link options (empty for most): FW_LDS_<prog> the linker script (default
# link.ld), FW_LDX_<prog> extra link flags, FW_XIP_<prog> objects whose code and read-only
# data are linked into main memory and executed in place.

FW_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)
FW_COMMA := ,

FW_DIR          := firmware
FW_OUT          := $(BUILD)/fw
FW_CC           ?= riscv64-unknown-elf-gcc
FW_OBJCOPY      ?= riscv64-unknown-elf-objcopy
FW_OBJDUMP      ?= riscv64-unknown-elf-objdump
FW_SIZE         ?= riscv64-unknown-elf-size
FW_NM           ?= riscv64-unknown-elf-nm
FW_RAM_BYTES    ?= 262144
FW_STACK_BYTES  ?= 16384
FW_OPT          ?= -O3

# rv32im; the compiler and assembler also need Zicsr spelled out (binutils >= 2.38) for the
# CSR instructions of the runtime. The link keeps plain rv32im so that gcc picks picolibc's
# rv32im/ilp32 multilib (an arch string with _zicsr matches no multilib).
FW_ARCH     := -march=rv32im_zicsr -mabi=ilp32
FW_ARCH_LD  := -march=rv32im -mabi=ilp32
FW_CFLAGS    = $(FW_ARCH) --specs=picolibc.specs -std=c99 $(FW_OPT) -g -Wall -Wextra -Werror \
               -ffunction-sections -fdata-sections
FW_CPPFLAGS := -I$(FW_DIR)/include -I$(FW_DIR)/jobs -I$(FW_DIR)/programs -Idriver/include \
               -Isw/ref/include
FW_LDFLAGS   = $(FW_ARCH_LD) --specs=picolibc.specs -nostartfiles \
               -Wl,--defsym=__ram_size=$(FW_RAM_BYTES) \
               -Wl,--defsym=__stack_size=$(FW_STACK_BYTES) -Wl,--gc-sections \
               $(patsubst %,-Wl$(FW_COMMA)--wrap=%,__divdi3 __moddi3 __udivdi3 __umoddi3)

FW_PROGS     := conv2d cnn attention chiperr board
# ---- the board firmware (programs/board.c, the iCEBreaker demo; docs/fpga.md) --------------
# The board has 64 KiB of RAM and 64 KiB of main memory. Its firmware (~88 KB of code at -Os,
# ~54 KB of it the driver) does not fit the RAM with its 8 KiB stack: the code and read-only
# data of the driver's job builders (tiler, conv2d/matmul, attention, host softmax; 45 KB)
# are linked into main memory from its base and executed in place — the core fetches from
# main memory as from RAM, the boot ROM and the simulators' ELF loader fill both —, the
# rest stays in the RAM as with link.ld. board.c gives the HAL's allocator the main memory
# above the code (__xip_end). The link fails if the code leaves less than FW_MAIN_MIN_FREE
# bytes of FW_MAIN_BYTES (the SoC's MainBytes: 1 MiB on the SoC models, 64 KiB on the board,
# set by scripts/fpga.mk). printf is picolibc's integer-only one (the program prints no
# floating point, and no %llu either).
FW_MAIN_BASE     := 0x80000000
FW_MAIN_BYTES    ?= 1048576
FW_MAIN_MIN_FREE ?= 12288
FW_XIP_board     := $(filter-out %/systole_dev.c,$(DRIVER_CORE_SRCS))
FW_LDS_board     := $(FW_OUT)/board.ld
FW_LDX_board     := -DPICOLIBC_INTEGER_PRINTF_SCANF
$(FW_OUT)/board.elf: $(FW_OUT)/board.ld
# the programs that live in the RAM alone: only they have a flat RAM image (.bin, .hex)
FW_RAM_PROGS     := $(foreach p,$(FW_PROGS),$(if $(FW_XIP_$(p)),,$(p)))

# The runtime, the HAL backend, the shared job definitions, the driver core and the golden
# kernels: every program links all of it (--gc-sections drops what it does not use).
FW_RT_SRCS   := $(FW_DIR)/crt0.S $(FW_DIR)/fw.c $(FW_DIR)/fw_string.c $(FW_DIR)/fw_div64.c \
                $(FW_DIR)/fw_mul.S $(FW_DIR)/fw_muldi3.c $(FW_DIR)/hal_mmio.c
FW_LIB_SRCS  := $(FW_RT_SRCS) $(FW_DIR)/jobs/fw_jobs.c $(FW_DIR)/programs/prog.c \
                $(DRIVER_CORE_SRCS) $(REF_SRCS)
FW_OWN_CSRCS := $(FW_DIR)/fw.c $(FW_DIR)/fw_string.c $(FW_DIR)/fw_div64.c $(FW_DIR)/fw_muldi3.c \
                $(FW_DIR)/hal_mmio.c \
                $(FW_DIR)/jobs/fw_jobs.c $(FW_DIR)/programs/prog.c $(patsubst %,$(FW_DIR)/programs/%.c,$(FW_PROGS))
fw_obj        = $(patsubst %,$(FW_OUT)/obj/%.o,$(basename $(1)))
FW_LIB_OBJS  := $(call fw_obj,$(FW_LIB_SRCS))
FW_ELFS      := $(patsubst %,$(FW_OUT)/%.elf,$(FW_PROGS))
FW_HEXES     := $(patsubst %,$(FW_OUT)/%.hex,$(FW_RAM_PROGS))
FW_BINS      := $(patsubst %,$(FW_OUT)/%.bin,$(FW_RAM_PROGS))

# <prog>.ld: link.ld with the code of FW_XIP_<prog> in main memory first
define fw_xip_ld
/* $(1).ld, written by firmware/firmware.mk: firmware/link.ld with the code and read-only
 * data of $(notdir $(FW_XIP_$(1))) in main memory (executed in place), [__xip_start,
 * __xip_end) from $(FW_MAIN_BASE). */
MEMORY { main (rwx) : ORIGIN = $(FW_MAIN_BASE), LENGTH = $(FW_MAIN_BYTES) }
PHDRS { xip PT_LOAD; }
SECTIONS
{
  .xip : ALIGN(8) {
    __xip_start = .;
$(foreach o,$(call fw_obj,$(FW_XIP_$(1))),    *$(o)(.text .text.* .rodata .rodata.* .srodata .srodata.*)
)    . = ALIGN(64);
    __xip_end = .;
  } >main :xip
  ASSERT(__xip_end + $(FW_MAIN_MIN_FREE) <= $(FW_MAIN_BASE) + $(FW_MAIN_BYTES),
         "$(1): the code in main memory leaves less than FW_MAIN_MIN_FREE bytes for the driver")
}
INCLUDE $(FW_DIR)/link.ld
endef
$(FW_OUT)/%.ld: $(FW_DIR)/link.ld $(FW_DIR)/firmware.mk $(FW_OUT)/fw.flags
	$(file >$@,$(call fw_xip_ld,$*))

# objects and flat images are made by pattern rules: keep them (not intermediate files)
.SECONDARY: $(FW_LIB_OBJS) $(call fw_obj,$(patsubst %,$(FW_DIR)/programs/%.c,$(FW_PROGS))) $(FW_BINS)

# ---- compile (dependency files track the headers) ----------------------------------------
# fw.flags records the compile and link flags; rewritten only when they change, so a
# change (FW_OPT=..., FW_RAM_BYTES=...) rebuilds everything
# ($(file) runs when the recipe is expanded, before any of its commands: the directory
# must exist already, hence the order-only prerequisite)
$(FW_OUT)/obj:
	@mkdir -p $@

$(FW_OUT)/fw.flags: sim-flags-force | $(FW_OUT)/obj
	$(file >$@.tmp,$(FW_CC) $(FW_CFLAGS) $(FW_CPPFLAGS) | $(FW_LDFLAGS) | main $(FW_MAIN_BYTES) $(FW_MAIN_MIN_FREE))
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(FW_OUT)/obj/%.o: %.c $(FW_OUT)/fw.flags
	@mkdir -p $(@D)
	$(FW_CC) $(FW_CFLAGS) $(FW_XFLAGS) $(FW_CPPFLAGS) -MMD -MP -c -o $@ $<

# the string functions must not be compiled into calls to themselves
$(FW_OUT)/obj/$(FW_DIR)/fw_string.o: FW_XFLAGS := -fno-builtin -fno-tree-loop-distribute-patterns

$(FW_OUT)/obj/%.o: %.S $(FW_OUT)/fw.flags
	@mkdir -p $(@D)
	$(FW_CC) $(FW_ARCH) -g -MMD -MP -c -o $@ $<

-include $(wildcard $(FW_OUT)/obj/*/*.d $(FW_OUT)/obj/*/*/*.d $(FW_OUT)/obj/*/*/*/*.d)

# ---- link, images, size ----------------------------------------------------------------------
# the size line after a link; a program with code in main memory gets the RAM's regions and
# the main memory's code instead
fw_size = $(FW_SIZE) $@ | awk 'NR==2 {printf "firmware %-10s text %7d  data %6d  bss %7d  total %7d bytes (RAM %d)\n", "$*", $$1, $$2, $$3, $$4, $(FW_RAM_BYTES)}'
fw_size_xip = $(FW_NM) -t d $@ | awk '{ a[$$3] = $$1 + 0 } END { \
  printf "firmware %-10s RAM: text+rodata %6d  data %4d  bss %5d  heap %6d  stack %5d (RAM %d); main memory: code %6d (of %d)\n", \
  "$*", a["__data_start"], a["__data_end"] - a["__data_start"], a["__bss_end"] - a["__data_end"], \
  a["__heap_end"] - a["__heap_start"], a["__stack"] - a["__heap_end"], a["__stack"], \
  a["__xip_end"] - a["__xip_start"], $(FW_MAIN_BYTES) }'

$(FW_OUT)/%.elf: $(FW_OUT)/obj/$(FW_DIR)/programs/%.o $(FW_LIB_OBJS) $(FW_DIR)/link.ld $(FW_OUT)/fw.flags
	$(FW_CC) $(FW_LDFLAGS) -T $(or $(FW_LDS_$*),$(FW_DIR)/link.ld) $(FW_LDX_$*) \
	  -Wl,-Map=$(FW_OUT)/$*.map -o $@ $(filter %.o,$^) -lm
	@$(if $(FW_XIP_$*),$(fw_size_xip),$(fw_size))

$(FW_OUT)/%.bin: $(FW_OUT)/%.elf
	$(FW_OBJCOPY) -O binary $< $@

# $readmemh: one 32-bit word per line, word i = bytes 4i..4i+3 of the image (little endian)
$(FW_OUT)/%.hex: $(FW_OUT)/%.bin
	od -An -v -tx4 -w4 $< | sed 's/^ *//' > $@

$(FW_OUT)/%.lst: $(FW_OUT)/%.elf
	$(FW_OBJDUMP) -d -S $< > $@

.PHONY: fw fw-sizes fw-lint fw-bench fw-run
fw: $(FW_ELFS) $(FW_BINS) $(FW_HEXES)

fw-sizes: $(FW_ELFS)
	@$(FW_SIZE) $(FW_ELFS)

# run one program: make fw-run FW_PROG=conv2d
FW_PROG ?= conv2d
fw-run: $(FW_OUT)/$(FW_PROG).elf $(SOC_RUN)
	$(if $(SOC_RUN),$(SOC_RUN) $<,@echo "fw-run: no SoC model (sim/soc/soc.mk sets SOC_RUN)"; exit 1)

# the runtime's string functions and 64-bit multiply helper (under other names) and 64-bit
# division fast paths, on the host, against references
FW_RT_TEST := $(FW_OUT)/hosttest/test_fw_rt
$(FW_RT_TEST): $(FW_DIR)/hosttest/test_fw_rt.c $(FW_DIR)/fw_string.c $(FW_DIR)/fw_div64.c \
               $(FW_DIR)/fw_muldi3.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -fno-builtin -Dmemcpy=fw_memcpy -Dmemmove=fw_memmove -Dmemset=fw_memset \
	  -Dmemcmp=fw_memcmp -c -o $@-string.o $(FW_DIR)/fw_string.c
	$(CC) $(CFLAGS_BASE) -D__muldi3=fw_muldi3 -c -o $@-muldi3.o $(FW_DIR)/fw_muldi3.c
	$(CC) $(CFLAGS_BASE) -o $@ $(FW_DIR)/hosttest/test_fw_rt.c $@-string.o $@-muldi3.o \
	  $(FW_DIR)/fw_div64.c

# ---- regression hooks ---------------------------------------------------------------------
# every program on the 8x8 SoC; conv2d and attention also on the 4x4 SoC (the same ELFs:
# the driver reads the array size from the chip)
FW_SIM_TESTS = $(FW_RT_TEST) $(FW_ELFS) $(FW_HEXES) $(SOC_RUN) $(SOC_RUN_4x4)
FW_SIM_RUNS  = "firmware runtime string/division functions (host)::$(FW_RT_TEST)" \
  $(if $(SOC_RUN),$(foreach p,$(FW_PROGS),"firmware $(p) (SoC 8x8)::$(SOC_RUN) $(FW_OUT)/$(p).elf")) \
  $(if $(SOC_RUN_4x4),$(foreach p,$(FW_PROGS),"firmware $(p) (SoC 4x4, FPGA-sized chip)::$(SOC_RUN_4x4) $(FW_OUT)/$(p).elf"))

# ---- lint -------------------------------------------------------------------------------------
FW_LINT := fw-lint
fw-lint: driver-rv32-check
	@for f in $(FW_OWN_CSRCS) $(DRIVER_CORE_SRCS) $(REF_SRCS); do \
	  $(FW_CC) $(FW_CFLAGS) -pedantic -fno-builtin $(FW_CPPFLAGS) -fsyntax-only $$f || exit 1; \
	done
	@$(FW_CC) $(FW_ARCH) -c -o /dev/null $(FW_DIR)/crt0.S
	@$(FW_CC) $(FW_ARCH) -c -o /dev/null $(FW_DIR)/fw_mul.S
	@# gcc may turn 64-bit arithmetic into a multiply: fw_muldi3.c must not call itself
	@mkdir -p $(FW_OUT)/obj
	@for o in -Os -O2 -O3; do \
	  $(FW_CC) -march=rv32i_zicsr -mabi=ilp32 --specs=picolibc.specs $$o -c \
	    -o $(FW_OUT)/obj/muldi3-check.o $(FW_DIR)/fw_muldi3.c || exit 1; \
	  if $(FW_NM) -u $(FW_OUT)/obj/muldi3-check.o | grep -qw __muldi3; then \
	    echo "fw-lint: fw_muldi3.c calls __muldi3 at $$o"; exit 1; fi; \
	done
	@$(CC) $(CFLAGS_BASE) $(DRIVER_CPPFLAGS) -I$(FW_DIR)/jobs -fsyntax-only \
	  $(FW_DIR)/bench/fw_bench_host.c $(FW_DIR)/jobs/fw_jobs.c
	@$(CC) $(CFLAGS_BASE) -fsyntax-only $(FW_DIR)/hosttest/test_fw_rt.c
	@echo "fw-lint: OK"

# ---- benchmark: firmware on the SoC vs. the host driver on the bare 8x8 chip ------------------
FW_BENCH_HOST := $(FW_OUT)/bench/fw_bench_host
$(FW_BENCH_HOST): $(FW_DIR)/bench/fw_bench_host.c $(FW_DIR)/jobs/fw_jobs.c $(FW_DIR)/jobs/fw_jobs.h \
                  $(DRIVER_SRCS) $(REF_SRCS) $(DRIVER_HDRS) $(SIM_LIB_8x8)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(DRIVER_CPPFLAGS) -I$(FW_DIR)/jobs -o $@ $(FW_DIR)/bench/fw_bench_host.c \
	  $(FW_DIR)/jobs/fw_jobs.c $(DRIVER_SRCS) $(REF_SRCS) $(SIM_LIB_8x8) $(SIM_LDLIBS)

FW_BENCH := fw-bench
fw-bench: $(FW_BENCH_HOST) $(FW_OUT)/conv2d.elf $(FW_OUT)/attention.elf $(SOC_RUN)
	@bash $(FW_DIR)/bench/fw_bench.sh "$(BENCH_CSV)" "$(FW_BENCH_HOST)" "$(SOC_RUN)" $(FW_OUT)

.DEFAULT_GOAL := $(FW_SAVED_DEFAULT_GOAL)
