// SoC timer: the RISC-V machine timer (MTIME, MTIMECMP).
//
// Registers (word offsets of the 4 KiB page, word access; other offsets read 0):
//   +0/+4 MTIME lo/hi (R/W)     counts clock cycles from reset; a write replaces the
//                               half written (and that cycle's increment)
//   +8/+C MTIMECMP lo/hi (R/W)  reset all ones
// irq_o = MTIME >= MTIMECMP, registered (it follows a write one cycle late).
module systole_soc_timer (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        req_i,
  input  logic        we_i,
  input  logic [11:2] addr_i,
  input  logic [31:0] wdata_i,
  output logic [31:0] rdata_o,
  output logic        irq_o,
  output logic [63:0] mtime_o
);
  logic [63:0] mtime_q, mtime_d;
  logic [63:0] cmp_q, cmp_d;
  logic        irq_q;
  logic        wr;

  assign wr = req_i && we_i;

  always_comb begin
    mtime_d = mtime_q + 64'd1;
    cmp_d   = cmp_q;
    if (wr) begin
      unique case (addr_i)
        10'd0:   mtime_d[31:0]  = wdata_i;
        10'd1:   mtime_d[63:32] = wdata_i;
        10'd2:   cmp_d[31:0]    = wdata_i;
        10'd3:   cmp_d[63:32]   = wdata_i;
        default: ;
      endcase
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      mtime_q <= '0;
      cmp_q   <= '1;
      irq_q   <= 1'b0;
    end else begin
      mtime_q <= mtime_d;
      cmp_q   <= cmp_d;
      irq_q   <= (mtime_q >= cmp_q);
    end
  end

  always_comb begin
    unique case (addr_i)
      10'd0:   rdata_o = mtime_q[31:0];
      10'd1:   rdata_o = mtime_q[63:32];
      10'd2:   rdata_o = cmp_q[31:0];
      10'd3:   rdata_o = cmp_q[63:32];
      default: rdata_o = '0;
    endcase
  end

  assign irq_o   = irq_q;
  assign mtime_o = mtime_q;
endmodule
