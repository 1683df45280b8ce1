/* fw_mul.S — a faster 32-bit multiply helper for firmware built without the M extension.
 *
 * The board firmware is built for rv32i (the board's core has HasM = 0), so gcc compiles
 * every 32-bit multiply into a call to libgcc's __mulsi3, a shift-and-add loop over the
 * second operand's bits as an unsigned number: 32 iterations whenever that operand is
 * negative (index arithmetic with negative values), which nearly tripled the board
 * firmware's run time. This one loops over the operand of smaller magnitude: modulo 2^32
 * a*b = (-a)*(-b), and the shift-and-add loop is right for any multiplicand as long as the
 * multiplier is taken as an unsigned number, so the multiplier is made non-negative by
 * negating both operands (INT32_MIN stays 2^31 as an unsigned number: still right).
 * Typical operands (sizes, strides, indices) have a few significant bits: a few
 * iterations instead of up to 32. The loop takes 4 bits a round and doubles with add: on
 * the board's core (FastShift = 0) a shift by n takes 4 + n cycles, an add 3.
 *
 * Register contract: like libgcc's riscv __mulsi3 it clobbers only a0-a3 — libgcc's own
 * __muldi3 calls __mulsi3 and keeps live values in a4-a7/t1/t3 across the call — and no
 * memory. firmware/tests/cpu/mulsi3.c checks the results against the mul instruction on
 * edge and random operands and that every other register survives (make sim).
 *
 * With the M extension gcc emits mul and never calls __mulsi3 (--gc-sections drops the
 * section). As an object of the link it takes precedence over libgcc's archive member.
 */
	.section .text.__mulsi3, "ax", @progbits
	.globl __mulsi3
	.type __mulsi3, @function
	.p2align 2
__mulsi3:
	bgez  a1, 1f
	neg   a0, a0          /* a*b = (-a)*(-b): the multiplier a1 becomes |b| */
	neg   a1, a1
1:	srai  a3, a0, 31      /* a3: all ones iff a < 0 */
	xor   a2, a0, a3
	sub   a2, a2, a3      /* a2 = |a| (unsigned) */
	bltu  a2, a1, 2f
	mv    a2, a0          /* |a| >= |b|: multiplicand a, multiplier |b| */
	j     3f
2:	xor   a0, a1, a3      /* |a| < |b|: multiplier |a|, multiplicand b with a's sign */
	sub   a0, a0, a3
	mv    a1, a2
	mv    a2, a0
3:	li    a0, 0           /* a0 += a2 << k for every set bit k of a1, 4 bits a round */
4:	andi  a3, a1, 1
	beqz  a3, 5f
	add   a0, a0, a2
5:	add   a2, a2, a2
	andi  a3, a1, 2
	beqz  a3, 6f
	add   a0, a0, a2
6:	add   a2, a2, a2
	andi  a3, a1, 4
	beqz  a3, 7f
	add   a0, a0, a2
7:	add   a2, a2, a2
	andi  a3, a1, 8
	beqz  a3, 8f
	add   a0, a0, a2
8:	add   a2, a2, a2
	srli  a1, a1, 4
	bnez  a1, 4b
	ret
	.size __mulsi3, . - __mulsi3
