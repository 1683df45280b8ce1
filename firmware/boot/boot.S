/* boot.S — the board's boot ROM program (RV32I): loads the firmware image from the SPI
 * configuration flash into RAM and main memory, then jumps to it at 0.
 *
 * Runs from the SoC's boot ROM (BootRom = 1: block RAM at 0x0800_0000 initialised by the
 * bitstream, the core's reset address) and does what the hardware flash loader did
 * (rtl/fpga/systole_flash_loader.sv, docs/fpga.md): through the SoC's SPI master page
 * (docs/soc.md; rtl/soc/systole_soc_spi.sv), release the flash from deep power-down (0xAB,
 * then at least 3 us), READ (0x03) from FLASH_OFFSET, check the magic, copy the segments,
 * and jump to the firmware's entry at 0 with every register it used cleared (as after the
 * core's reset; the CSRs are untouched, the firmware's crt0 sets mtvec).
 *
 * Image format (scripts/fpga.sh image), 32-bit little-endian words:
 *   magic 0x54535953 ("SYST"), { byte address, word count N, N words } ..., { any, 0 }
 * A wrong magic (an erased or foreign flash) prints BOOT_MSG on the UART and exits through
 * SIMCTRL EXIT with BOOT_ERR (the board's red LED; the fpga-sim harness reports it), then
 * spins: nothing else runs.
 *
 * The SPI page's accesses wait while a byte is shifted, so "sw DATA" starts a byte and
 * "lw DATA" returns it complete without polling; the copy keeps the next byte in flight
 * while it stores the last one. Built by scripts/fpga.sh bootrom (-DFLASH_OFFSET=...).
 */
#ifndef FLASH_OFFSET
#define FLASH_OFFSET 0x100000
#endif
#define UART     0x10000000          /* +0 TXDATA, +4 STATUS (bit 0 busy) */
#define SIMCTRL  0x10002000          /* +0 EXIT */
#define SOCINFO  0x10003000          /* +0 CLK_HZ */
#define SPI      0x10004000          /* +0 DATA, +4 CS */
#define MAGIC    0x54535953
#define BOOT_ERR 0xB0070BAD          /* exit code of a bad image (rtl/fpga/icebreaker) */

    .section .text.boot, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    li      s0, SPI
    /* release from deep power-down (icepack's bitstreams end by sending the flash there) */
    li      t0, 1
    sw      t0, 4(s0)                   /* CS low */
    li      t0, 0xAB
    sw      t0, 0(s0)
    sw      zero, 4(s0)                 /* CS high (after the byte) */
    /* tRES1 = 3 us: CLK_HZ / 2^18 loop iterations of at least one cycle: >= 3.8 us */
    li      t1, SOCINFO
    lw      t1, 0(t1)
    srli    t1, t1, 18
1:  addi    t1, t1, -1
    bgtz    t1, 1b
    /* READ from FLASH_OFFSET */
    li      t0, 1
    sw      t0, 4(s0)                   /* CS low */
    li      t0, 0x03
    sw      t0, 0(s0)
    li      t0, (FLASH_OFFSET >> 16) & 0xFF
    sw      t0, 0(s0)
    li      t0, (FLASH_OFFSET >> 8) & 0xFF
    sw      t0, 0(s0)
    li      t0, FLASH_OFFSET & 0xFF
    sw      t0, 0(s0)
    sw      zero, 0(s0)                 /* from here on, the next byte is always in flight */
    jal     getw
    li      t0, MAGIC
    bne     a0, t0, bad
segment:
    jal     getw                        /* byte address */
    mv      a1, a0
    jal     getw                        /* word count; 0 ends the image */
    beqz    a0, done
    slli    a2, a0, 2
    add     a2, a2, a1                  /* end address */
2:  lw      t1, 0(s0)                   /* the byte in flight */
    sw      zero, 0(s0)                 /* the next one */
    sb      t1, 0(a1)
    lw      t1, 0(s0)                   /* (a word per iteration: less loop overhead) */
    sw      zero, 0(s0)
    sb      t1, 1(a1)
    lw      t1, 0(s0)
    sw      zero, 0(s0)
    sb      t1, 2(a1)
    lw      t1, 0(s0)
    sw      zero, 0(s0)
    sb      t1, 3(a1)
    addi    a1, a1, 4
    bne     a1, a2, 2b
    j       segment

done:
    sw      zero, 4(s0)                 /* CS high (after the byte in flight) */
    li      s0, 0
    li      t0, 0
    li      t1, 0
    li      t2, 0
    li      t4, 0
    li      a0, 0
    li      a1, 0
    li      a2, 0
    li      ra, 0
    jr      zero                        /* the firmware's entry: 0 */

bad:
    sw      zero, 4(s0)                 /* CS high */
    li      a1, UART
    la      a2, msg
3:  lbu     t1, 0(a2)
    beqz    t1, 5f
4:  lw      t0, 4(a1)                   /* STATUS: wait while busy */
    andi    t0, t0, 1
    bnez    t0, 4b
    sw      t1, 0(a1)
    addi    a2, a2, 1
    j       3b
5:  lw      t0, 4(a1)                   /* the last byte on the line */
    andi    t0, t0, 1
    bnez    t0, 5b
    li      t0, SIMCTRL
    li      t1, BOOT_ERR
    sw      t1, 0(t0)
6:  j       6b
    .size _start, . - _start

/* getw: a0 = the next little-endian word of the stream; clobbers t1, t2, t4 */
    .type getw, @function
getw:
    li      a0, 0
    li      t2, 0
    li      t4, 32
7:  lw      t1, 0(s0)
    sw      zero, 0(s0)
    sll     t1, t1, t2
    or      a0, a0, t1
    addi    t2, t2, 8
    bne     t2, t4, 7b
    ret
    .size getw, . - getw

    .section .rodata.boot, "a", @progbits
msg:
    .asciz  "boot: no firmware image in the flash (bad magic)\n"
