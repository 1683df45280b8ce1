/* loop.S — never exits: checks the cycle limit. */
  .text
  .globl main
main:
  j     main
