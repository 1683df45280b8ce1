/* crt0.S — start-up code and trap vector of the Systole SoC firmware (RV32IM, M-mode).
 *
 * _start: gp, sp (top of RAM, link.ld), tp (TLS block: picolibc's errno), trap vector,
 * interrupts off, .data copied if its load address differs (not with the RAM image of
 * the SoC, where it is loaded in place), .bss and .tbss zeroed, then main(0, NULL) and
 * exit() with its result (SIMCTRL EXIT).
 *
 * fw_trap_entry (mtvec, direct mode): saves the caller-saved registers, calls
 * fw_trap(mcause, mepc, mtval) (fw.c) and returns with mret. The handler either deals with
 * an interrupt and returns, or reports an exception and exits: mepc is never advanced.
 */
    .section .text.init.enter, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, __stack
    la      tp, __tls_base

    /* no interrupt before the runtime is ready */
    csrw    mie, zero
    csrci   mstatus, 8                  /* mstatus.MIE = 0 */
    la      t0, fw_trap_entry
    csrw    mtvec, t0

    /* .data (and .tdata): copy from the load address if it is not the run address */
    la      a0, __data_start
    la      a1, __data_source
    la      a2, __data_end
    beq     a0, a1, 2f
1:  bgeu    a0, a2, 2f
    lw      t0, 0(a1)
    sw      t0, 0(a0)
    addi    a0, a0, 4
    addi    a1, a1, 4
    j       1b
2:
    /* .tbss and .bss */
    la      a0, __bss_start
    la      a1, __bss_end
3:  bgeu    a0, a1, 4f
    sw      zero, 0(a0)
    addi    a0, a0, 4
    j       3b
4:
    call    fw_runtime_init
    li      a0, 0
    li      a1, 0
    call    main
    call    exit
5:  j       5b
    .size _start, . - _start

    .text
    .globl fw_trap_entry
    .type fw_trap_entry, @function
    .balign 4
fw_trap_entry:
    addi    sp, sp, -64
    sw      ra, 0(sp)
    sw      t0, 4(sp)
    sw      t1, 8(sp)
    sw      t2, 12(sp)
    sw      a0, 16(sp)
    sw      a1, 20(sp)
    sw      a2, 24(sp)
    sw      a3, 28(sp)
    sw      a4, 32(sp)
    sw      a5, 36(sp)
    sw      a6, 40(sp)
    sw      a7, 44(sp)
    sw      t3, 48(sp)
    sw      t4, 52(sp)
    sw      t5, 56(sp)
    sw      t6, 60(sp)
    csrr    a0, mcause
    csrr    a1, mepc
    csrr    a2, mtval
    call    fw_trap
    lw      ra, 0(sp)
    lw      t0, 4(sp)
    lw      t1, 8(sp)
    lw      t2, 12(sp)
    lw      a0, 16(sp)
    lw      a1, 20(sp)
    lw      a2, 24(sp)
    lw      a3, 28(sp)
    lw      a4, 32(sp)
    lw      a5, 36(sp)
    lw      a6, 40(sp)
    lw      a7, 44(sp)
    lw      t3, 48(sp)
    lw      t4, 52(sp)
    lw      t5, 56(sp)
    lw      t6, 60(sp)
    addi    sp, sp, 64
    mret
    .size fw_trap_entry, . - fw_trap_entry
