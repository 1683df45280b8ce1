// Boot ROM of the SoC (BootRom = 1, the board): 32-bit words initialised from a $readmemh
// file, read every cycle at the given word address (the data the cycle after, like the RAM).
// No enable and no write port: on the iCE40 it maps to block RAM (EBR) initialised by the
// bitstream, which is what makes it a ROM there.
module systole_soc_rom #(
  parameter int Words    = 256,    // 32-bit words
  parameter     InitFile = ""      // $readmemh file, "" for none (contents undefined)
) (
  input  logic                     clk_i,
  input  logic [$clog2(Words)-1:0] addr_i,
  output logic [31:0]              rdata_o
);
  // (written only by $readmemh: undriven when built without an image, e.g. for lint)
  /* verilator lint_off UNDRIVEN */
  logic [31:0] mem_q [Words];
  /* verilator lint_on UNDRIVEN */

  if (InitFile != "") begin : g_init
    initial $readmemh(InitFile, mem_q);
  end

  always_ff @(posedge clk_i) rdata_o <= mem_q[addr_i];

  initial begin
    if (Words < 2) $fatal(1, "systole_soc_rom: Words must be at least 2");
  end
endmodule
