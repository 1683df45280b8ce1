// Simple dual-port RAM: one byte-masked write port, one synchronous read port.
//
// Read data appears the cycle after re_i (and holds otherwise). A read of the address being
// written in the same cycle returns the old contents. Contents are not reset. Yosys maps it
// to block RAM where the size pays; Verilator models it as an array.
module systole_ram #(
  parameter int Width = 64,   // bits per line, a multiple of 8
  parameter int Depth = 1024  // lines
) (
  input  logic                              clk_i,
  input  logic                              we_i,
  input  logic [$clog2(Depth > 1 ? Depth : 2)-1:0] waddr_i,
  input  logic [Width-1:0]                  wdata_i,
  input  logic [Width/8-1:0]                wmask_i,
  input  logic                              re_i,
  input  logic [$clog2(Depth > 1 ? Depth : 2)-1:0] raddr_i,
  output logic [Width-1:0]                  rdata_o
);
  logic [Width-1:0] mem_q [Depth];

`ifdef VERILATOR
  // Simulation: one whole-line write, the byte mask expanded only when writing. Verilator
  // turns the per-lane form below into a read-modify-write of the whole line per lane and
  // cycle, which on the wide accumulator and qparam lines cost more than the PE array.
  // (An enable-holding sequential block: a deliberate exception to the style guide, for speed.)
  always_ff @(posedge clk_i) begin
    if (we_i) begin
      if (&wmask_i) begin
        mem_q[waddr_i] <= wdata_i;
      end else begin
        logic [Width-1:0] bits;
        for (int b = 0; b < Width / 8; b++) bits[b*8 +: 8] = {8{wmask_i[b]}};
        mem_q[waddr_i] <= (mem_q[waddr_i] & ~bits) | (wdata_i & bits);
      end
    end
  end
`else
  // Synthesis: one write process per byte lane, byte-enable writes that Yosys's memory
  // inference maps to block RAM with byte enables.
  for (genvar b = 0; b < Width / 8; b++) begin : g_lane
    always_ff @(posedge clk_i) begin
      if (we_i && wmask_i[b]) mem_q[waddr_i][b*8 +: 8] <= wdata_i[b*8 +: 8];
    end
  end
`endif

  always_ff @(posedge clk_i) begin
    if (re_i) rdata_o <= mem_q[raddr_i];
  end

  initial begin
    if (Width % 8 != 0) $fatal(1, "systole_ram: Width must be a multiple of 8");
    if (Depth < 1) $fatal(1, "systole_ram: Depth must be at least 1");
  end
endmodule
