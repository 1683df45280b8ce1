/* exit_big.S — exits with 0x12345600, a 32-bit code whose low byte is 0 (soc_run must
 * still report failure: 255). */
  .text
  .globl main
main:
  li    a0, 0x12345600
  ret
