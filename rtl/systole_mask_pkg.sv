// The shape of a DmaAddrMask (docs/architecture.md, "mask space"): the serial LD and ST
// engines and the command fetch narrow their DMA address logic to the mask's bits when it is
// a run of ones at the top, a gap, and a run of ones at the bottom (the board's
// 32'h8001_FFFF). Elaboration-time functions only. Users call them by their scoped name
// (systole_mask_pkg::mask_lo): Yosys 0.23 (Debian 12) rejects `import pkg::*` in a module.
package systole_mask_pkg;
  // L: the number of trailing ones (the low run is bits L-1:0)
  function automatic int mask_lo(input logic [31:0] mk);
    mask_lo = 0;
    while (mask_lo < 32 && mk[mask_lo]) mask_lo++;
  endfunction
  // Hs: the lowest bit of the top run of ones (the top run is bits 31:Hs; 32 if bit 31 is 0)
  function automatic int mask_hs(input logic [31:0] mk);
    mask_hs = 32;
    while (mask_hs > 0 && mk[mask_hs-1]) mask_hs--;
  endfunction
  // the number of mask bits below bit k: bit k's position in the packed mask bits
  function automatic int mask_below(input logic [31:0] mk, input int k);
    mask_below = 0;
    for (int b = 0; b < k; b++) if (mk[b]) mask_below++;
  endfunction
endpackage
