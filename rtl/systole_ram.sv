// Simple dual-port RAM: one byte-masked write port, one synchronous read port.
//
// Read data appears the cycle after re_i (and holds otherwise). A read of the address being
// written in the same cycle returns the old contents. Contents are not reset. Yosys maps it
// to block RAM where the size pays; Verilator models it as an array.
//
// Area options (small FPGA builds):
// * RdwUndef = 1: for synthesis a read of the line written in the same cycle may return
//   anything (Yosys: no_rw_check), so no logic emulates the old-data read around an iCE40
//   block RAM (whose own result is undefined then): a copy of every write and a bypass
//   register, i.e. about two flip-flops and one LUT per data bit. Only for users that never
//   rely on that read (systole_top: the EX engine forwards its own last write; any other
//   same-line read and write in one cycle is a race the dependency tokens exclude).
//   Simulation keeps the old-data read.
// * NoReadReg = 1 (Depth 1 only): no read register, rdata_o is the line itself (a write
//   shows on rdata_o the cycle after it; re_i is not used). The one-line flip-flop table
//   then costs one flip-flop per bit instead of two.
// * BlockRam = 1: as RdwUndef = 1, and the memory is mapped to block RAM however small
//   (Yosys ram_style "block"), for a small table that would otherwise become flip-flops.
module systole_ram #(
  parameter int Width     = 64,   // bits per line, a multiple of 8
  parameter int Depth     = 1024, // lines
  /* verilator lint_off UNUSEDPARAM */
  parameter int RdwUndef  = 0,    // 1: same-cycle read of a written line undefined (synthesis)
  parameter int BlockRam  = 0,    // 1: RdwUndef, and always block RAM (synthesis)
  /* verilator lint_on UNUSEDPARAM */
  parameter int NoReadReg = 0     // 1: Depth 1 without read register
) (
  input  logic                              clk_i,
  input  logic                              we_i,
  input  logic [$clog2(Depth > 1 ? Depth : 2)-1:0] waddr_i,
  input  logic [Width-1:0]                  wdata_i,
  input  logic [Width/8-1:0]                wmask_i,
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic                              re_i,     // not used with NoReadReg
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [$clog2(Depth > 1 ? Depth : 2)-1:0] raddr_i,
  output logic [Width-1:0]                  rdata_o
);
`ifdef VERILATOR
  logic [Width-1:0] mem_q [Depth];

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

  if (NoReadReg != 0) begin : g_noreg
    // Depth 1: the only line (raddr_i is 0)
    assign rdata_o = mem_q[0];
    logic unused_raddr;
    assign unused_raddr = ^raddr_i;
  end else begin : g_reg
    always_ff @(posedge clk_i) begin
      if (re_i) rdata_o <= mem_q[raddr_i];
    end
  end
`else
  // Synthesis: one write process per byte lane, byte-enable writes that Yosys's memory
  // inference maps to block RAM with byte enables. The no_rw_check and ram_style attributes
  // can only be given to a declaration, hence one copy of the memory per combination.
  if (NoReadReg != 0) begin : g_noreg
    logic [Width-1:0] mem_q;
    for (genvar b = 0; b < Width / 8; b++) begin : g_lane
      always_ff @(posedge clk_i) begin
        if (we_i && wmask_i[b]) mem_q[b*8 +: 8] <= wdata_i[b*8 +: 8];
      end
    end
    assign rdata_o = mem_q;
  end else if (BlockRam != 0) begin : g_block
    (* no_rw_check, ram_style = "block" *)
    logic [Width-1:0] mem_q [Depth];
    for (genvar b = 0; b < Width / 8; b++) begin : g_lane
      always_ff @(posedge clk_i) begin
        if (we_i && wmask_i[b]) mem_q[waddr_i][b*8 +: 8] <= wdata_i[b*8 +: 8];
      end
    end
    always_ff @(posedge clk_i) begin
      if (re_i) rdata_o <= mem_q[raddr_i];
    end
  end else if (RdwUndef != 0) begin : g_rdw_undef
    (* no_rw_check *)
    logic [Width-1:0] mem_q [Depth];
    for (genvar b = 0; b < Width / 8; b++) begin : g_lane
      always_ff @(posedge clk_i) begin
        if (we_i && wmask_i[b]) mem_q[waddr_i][b*8 +: 8] <= wdata_i[b*8 +: 8];
      end
    end
    always_ff @(posedge clk_i) begin
      if (re_i) rdata_o <= mem_q[raddr_i];
    end
  end else begin : g_rdw_old
    logic [Width-1:0] mem_q [Depth];
    for (genvar b = 0; b < Width / 8; b++) begin : g_lane
      always_ff @(posedge clk_i) begin
        if (we_i && wmask_i[b]) mem_q[waddr_i][b*8 +: 8] <= wdata_i[b*8 +: 8];
      end
    end
    always_ff @(posedge clk_i) begin
      if (re_i) rdata_o <= mem_q[raddr_i];
    end
  end
`endif

  initial begin
    if (Width % 8 != 0) $fatal(1, "systole_ram: Width must be a multiple of 8");
    if (Depth < 1) $fatal(1, "systole_ram: Depth must be at least 1");
    if (NoReadReg != 0 && Depth != 1) $fatal(1, "systole_ram: NoReadReg needs Depth 1");
  end
endmodule
