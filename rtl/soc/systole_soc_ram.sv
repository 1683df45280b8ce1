// SoC RAM: single-port, 32-bit words, byte write enables, synchronous read, optional
// $readmemh initialisation (one 32-bit word per line).
//
// A read (req_i with we_i = 0) returns the word in rdata_o the next cycle; rdata_o holds
// until the next read. A write (req_i, we_i != 0) updates the enabled bytes at the clock
// edge. Yosys maps it to block RAM; Verilator models it as an array.
module systole_soc_ram #(
  parameter int Words    = 16384,  // 32-bit words
  parameter     InitFile = ""      // $readmemh file, "" for none (contents undefined)
) (
  input  logic                     clk_i,
  input  logic                     req_i,
  input  logic [3:0]               we_i,
  input  logic [$clog2(Words)-1:0] addr_i,
  input  logic [31:0]              wdata_i,
  output logic [31:0]              rdata_o
);
  logic [31:0] mem_q [Words];

  if (InitFile != "") begin : g_init
    initial $readmemh(InitFile, mem_q);
  end

  // one write process per byte lane: Yosys infers byte-enable block RAM from this form
  for (genvar b = 0; b < 4; b++) begin : g_lane
    always_ff @(posedge clk_i) begin
      if (req_i && we_i[b]) mem_q[addr_i][b*8 +: 8] <= wdata_i[b*8 +: 8];
    end
  end

  always_ff @(posedge clk_i) begin
    if (req_i && we_i == 4'b0000) rdata_o <= mem_q[addr_i];
  end

  initial begin
    if (Words < 2) $fatal(1, "systole_soc_ram: Words must be at least 2");
  end
endmodule
