# firmware/tests/cpu.mk — the CPU's ISA self-check programs (make fragment, `-include`d by
# the top Makefile after sim/soc/soc.mk).
#
# Bare-metal programs in firmware/tests/cpu/ (own start-up start.S and linker script, RAM
# at 0x0), each checking one area of the systole_rv32 core; each prints one UART line and
# exits through SIMCTRL EXIT with 0 (pass) or the number of the failing check. They run on
# the SoC model's soc_run. Defines, for the top Makefile:
#   CPU_SIM_TESTS  the ELF files (and the runners) `make sim` builds
#   CPU_SIM_RUNS   the "label::command" runs
# The programs run on the 8x8 SoC (FastMul = 1, SOC_RUN) and, for the iterative multiplier
# and divider of FastMul = 0, on the 4x4 SoC (FastMul = 0, SOC_RUN_4x4; sim/soc/soc.mk).
# The board's core (RV32I + Zicsr: HasM = 0, FastShift = 0, TimeCsr = 0, LtLate = 1) gets a SoC model
# of its own, rv32i (the 4x4 SoC with that core, defined here): the programs without M
# instructions built for rv32i, the CSR test built for it (csr_rv32i: no time CSRs, misa
# without M) and rv32i.S (every M instruction traps as illegal); rv32ib is rv32i with the
# board's bus timing (BusLate = 1, which with LtLate = 1 also gives the core EqLate = 1).

CPU_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

CPU_TEST_DIR   := firmware/tests/cpu
CPU_OUT        := $(BUILD)/fw/cputests
CPU_RV_CC      ?= riscv64-unknown-elf-gcc
# rv32im plus Zicsr and Zifencei: binutils >= 2.38 wants those extensions named.
CPU_RV_ARCH    := -march=rv32im_zicsr_zifencei -mabi=ilp32
CPU_RV_CFLAGS  := -O2 -g -ffreestanding -Wall -Wextra -Werror -I$(CPU_TEST_DIR)
CPU_RV_LDFLAGS := -nostdlib -static -Wl,--build-id=none -Wl,--no-warn-rwx-segments \
                  -T $(CPU_TEST_DIR)/link.ld
CPU_DEPS       := $(CPU_TEST_DIR)/start.S $(CPU_TEST_DIR)/test.h $(CPU_TEST_DIR)/link.ld

# assembly programs (one .S each); C programs: the M random test with its rv32i-only
# reference, the main-memory/DMA test (the driver's command and register headers), and the
# firmware runtime's software multiply (firmware/fw_mul.S) against the mul instruction
CPU_ASM_TESTS  := alu branch mem muldiv csr trap irq
CPU_TESTS      := $(CPU_ASM_TESTS) muldiv_rand mainmem mulsi3
CPU_ELFS       := $(patsubst %,$(CPU_OUT)/%.elf,$(CPU_TESTS))

$(CPU_OUT)/%.elf: $(CPU_TEST_DIR)/%.S $(CPU_DEPS) | deps
	@mkdir -p $(@D)
	$(CPU_RV_CC) $(CPU_RV_ARCH) $(CPU_RV_CFLAGS) $(CPU_RV_LDFLAGS) -o $@ $(CPU_TEST_DIR)/start.S $<

# The reference is compiled for rv32i, so it cannot use the instructions it checks.
$(CPU_OUT)/muldiv_ref.o: $(CPU_TEST_DIR)/muldiv_ref.c $(CPU_TEST_DIR)/muldiv_ref.h | deps
	@mkdir -p $(@D)
	$(CPU_RV_CC) -march=rv32i -mabi=ilp32 $(CPU_RV_CFLAGS) -c -o $@ $<

$(CPU_OUT)/muldiv_rand.elf: $(CPU_TEST_DIR)/muldiv_rand.c $(CPU_TEST_DIR)/muldiv_ref.h \
                            $(CPU_OUT)/muldiv_ref.o $(CPU_DEPS) | deps
	@mkdir -p $(@D)
	$(CPU_RV_CC) $(CPU_RV_ARCH) $(CPU_RV_CFLAGS) $(CPU_RV_LDFLAGS) -o $@ \
	  $(CPU_TEST_DIR)/start.S $< $(CPU_OUT)/muldiv_ref.o

$(CPU_OUT)/mainmem.elf: $(CPU_TEST_DIR)/mainmem.c driver/include/systole_cmd.h \
                        driver/include/systole_regs.h $(CPU_DEPS) | deps
	@mkdir -p $(@D)
	$(CPU_RV_CC) $(CPU_RV_ARCH) $(CPU_RV_CFLAGS) -Idriver/include $(CPU_RV_LDFLAGS) -o $@ \
	  $(CPU_TEST_DIR)/start.S $<

# the firmware runtime's software multiply (the rv32i board firmware's __mulsi3) against mul
$(CPU_OUT)/mulsi3.elf: $(CPU_TEST_DIR)/mulsi3.c firmware/fw_mul.S $(CPU_DEPS) | deps
	@mkdir -p $(@D)
	$(CPU_RV_CC) $(CPU_RV_ARCH) $(CPU_RV_CFLAGS) $(CPU_RV_LDFLAGS) -o $@ \
	  $(CPU_TEST_DIR)/start.S $< firmware/fw_mul.S

# the same programs for rv32i (the assembler rejects any M instruction), under rv32i/
CPU_I_ARCH   := -march=rv32i_zicsr_zifencei -mabi=ilp32
CPU_I_TESTS  := alu branch mem trap irq mainmem
CPU_I_ELFS   := $(patsubst %,$(CPU_OUT)/rv32i/%.elf,$(CPU_I_TESTS) csr_rv32i) $(CPU_OUT)/rv32i.elf
CPU_ELFS     += $(CPU_I_ELFS)

$(CPU_OUT)/rv32i/%.elf: $(CPU_TEST_DIR)/%.S $(CPU_DEPS) | deps
	@mkdir -p $(@D)
	$(CPU_RV_CC) $(CPU_I_ARCH) $(CPU_RV_CFLAGS) $(CPU_RV_LDFLAGS) -o $@ $(CPU_TEST_DIR)/start.S $<

$(CPU_OUT)/rv32i/csr_rv32i.elf: $(CPU_TEST_DIR)/csr.S $(CPU_DEPS) | deps
	@mkdir -p $(@D)
	$(CPU_RV_CC) $(CPU_I_ARCH) -DCPU_RV32I $(CPU_RV_CFLAGS) $(CPU_RV_LDFLAGS) -o $@ \
	  $(CPU_TEST_DIR)/start.S $<

$(CPU_OUT)/rv32i/mainmem.elf: $(CPU_TEST_DIR)/mainmem.c driver/include/systole_cmd.h \
                              driver/include/systole_regs.h $(CPU_DEPS) | deps
	@mkdir -p $(@D)
	$(CPU_RV_CC) $(CPU_I_ARCH) $(CPU_RV_CFLAGS) -Idriver/include $(CPU_RV_LDFLAGS) -o $@ \
	  $(CPU_TEST_DIR)/start.S $<

# labels of the runs
CPU_LABEL_alu         := rv32i ALU
CPU_LABEL_branch      := rv32i branches and jumps
CPU_LABEL_mem         := rv32i loads and stores
CPU_LABEL_muldiv      := rv32m fixed operands
CPU_LABEL_muldiv_rand := rv32m random operands
CPU_LABEL_csr         := Zicsr and machine CSRs
CPU_LABEL_trap        := traps
CPU_LABEL_irq         := interrupts and wfi
CPU_LABEL_mainmem     := main memory + DMA
CPU_LABEL_mulsi3      := firmware __mulsi3 vs. mul
CPU_LABEL_csr_rv32i   := Zicsr and machine CSRs (no M, no time CSRs)
CPU_LABEL_rv32i       := M instructions illegal

CPU_SIM_TESTS := $(CPU_ELFS)
CPU_SIM_RUNS  :=

ifneq ($(SOC_RUN),)
# every program on the reference SoC (FastMul = 1)
CPU_SIM_TESTS += $(SOC_RUN)
CPU_SIM_RUNS  += $(foreach t,$(CPU_TESTS),"cpu: $(CPU_LABEL_$(t))::$(SOC_RUN) $(CPU_OUT)/$(t).elf")

# the iterative multiplier (FastMul = 0) on the 4x4 SoC (the FPGA-sized chip): the programs
# that multiply or divide, and the DMA test on a 4-column array
ifneq ($(SOC_RUN_4x4),)
CPU_ITMUL_TESTS := alu muldiv muldiv_rand irq mainmem
CPU_SIM_TESTS   += $(SOC_RUN_4x4)
CPU_SIM_RUNS    += $(foreach t,$(CPU_ITMUL_TESTS),"cpu FastMul=0 (SoC 4x4): $(CPU_LABEL_$(t))::$(SOC_RUN_4x4) $(CPU_OUT)/$(t).elf")
endif

# the board's core on the 4x4 SoC: SoC model rv32i (sim/soc/soc.mk's rules)
SOC_PARAMS_rv32i := -GRows=4 -GCols=4 $(SOC_SMALL_CHIP) $(SOC_MEM_PARAMS) -GFastMul=0 \
                    -GHasM=0 -GFastShift=0 -GTimeCsr=0 -GLtLate=1
$(eval $(call soc_config_rules,rv32i))
CPU_SIM_TESTS += $(SOC_RUN_rv32i)
CPU_SIM_RUNS  += $(foreach t,$(CPU_I_TESTS) csr_rv32i,"cpu RV32I (SoC rv32i): $(CPU_LABEL_$(t))::$(SOC_RUN_rv32i) $(CPU_OUT)/rv32i/$(t).elf") \
                 "cpu RV32I (SoC rv32i): $(CPU_LABEL_rv32i)::$(SOC_RUN_rv32i) $(CPU_OUT)/rv32i.elf"

# the same with the board's bus timing (BusLate = 1), as on the board: with LtLate that also
# gives the core EqLate = 1 (systole_soc's default; every branch decided in BRT)
SOC_PARAMS_rv32ib := $(SOC_PARAMS_rv32i) -GBusLate=1
$(eval $(call soc_config_rules,rv32ib))
CPU_SIM_TESTS += $(SOC_RUN_rv32ib)
CPU_SIM_RUNS  += $(foreach t,$(CPU_I_TESTS) csr_rv32i,"cpu RV32I board bus (SoC rv32ib): $(CPU_LABEL_$(t))::$(SOC_RUN_rv32ib) $(CPU_OUT)/rv32i/$(t).elf") \
                 "cpu RV32I board bus (SoC rv32ib): $(CPU_LABEL_rv32i)::$(SOC_RUN_rv32ib) $(CPU_OUT)/rv32i.elf"
endif

.PHONY: cpu-tests
cpu-tests: $(CPU_ELFS)

.DEFAULT_GOAL := $(CPU_SAVED_DEFAULT_GOAL)
