// Systolic processing element: one 9-bit x 9-bit signed multiply-accumulate per cycle.
//
// Operands are 9-bit because the EX engine subtracts the zero points at the array inputs:
// a = act - a_zp and w = weight - w_zp, each in -255..255 (int8 minus int8).
//
// Weight-stationary with a double-buffered weight: the PE holds two 9-bit weights w[0] and
// w[1]. Every activation carries a one-bit tag naming the weight it multiplies with, so one
// buffer can be reloaded while activations tagged with the other one stream through.
//
//   psum_o <= psum_i + sext32(a_i * w[a_tag_i])     (signed 9x9 -> 18, int32 wrap-around)
//   a_o    <= a_i,  a_tag_o <= a_tag_i              (activation moves one PE to the right)
//   w[w_buf_i] <= w_i when w_shift_i                (weight shift chain, one buffer at a time)
//
// w_o is the weight of the buffer selected by w_buf_i, to be chained into the next PE's w_i.
// All outputs except w_o are registered; w_o is a mux of two registers.
// See docs/ex.md.
module systole_pe (
  input  logic        clk_i,
  input  logic        rst_ni,
  // activation from the left neighbour (or the row input), and to the right neighbour
  input  logic [8:0]  a_i,
  input  logic        a_tag_i,
  output logic [8:0]  a_o,
  output logic        a_tag_o,
  // partial sum from the PE above (0 for row 0), and to the PE below
  input  logic [31:0] psum_i,
  output logic [31:0] psum_o,
  // weight shift chain
  input  logic        w_shift_i,
  input  logic        w_buf_i,
  input  logic [8:0]  w_i,
  output logic [8:0]  w_o
);
  logic [8:0]  a_q, w0_q, w1_q, w_sel;
  logic        a_tag_q;
  logic [31:0] psum_q, psum_d;

  assign w_sel = a_tag_i ? w1_q : w0_q;

`ifdef VERILATOR
  // Simulation: the same product as one signed host multiply (9 x 9 bits sign-extended to
  // 32 bits, exact), much cheaper in Verilator than the correction form below.
  logic signed [31:0] prod;
  assign prod   = $signed(a_i) * $signed(w_sel);
  assign psum_d = psum_i + prod;
`else
  // Signed 9x9 multiply as an unsigned one plus a correction of the two sign bits
  // (a*w = ua*uw - 2^9*(a8*uw + w8*ua) mod 2^18): exact and small in synthesis.
  logic [8:0]  corr;
  logic [17:0] prod;
  assign corr   = (a_i[8] ? w_sel : 9'd0) + (w_sel[8] ? a_i : 9'd0);
  assign prod   = 18'(a_i) * 18'(w_sel) - {corr, 9'd0};
  assign psum_d = psum_i + {{14{prod[17]}}, prod};
`endif

  // Weight buffers: an enable flop per buffer. The enable sits in the sequential block (an
  // exception to the q <= d style) so Verilator skips all 2*Rows*Cols weight updates on the
  // cycles without a shift, i.e. almost always.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      w0_q <= '0;
      w1_q <= '0;
    end else if (w_shift_i) begin
      if (w_buf_i) w1_q <= w_i;
      else         w0_q <= w_i;
    end
  end

  // Datapath registers without reset (cheaper in synthesis and in Verilator): after reset they
  // hold garbage only in array slots that carry no valid row, whose results are never used.
  always_ff @(posedge clk_i) begin
    a_q     <= a_i;
    a_tag_q <= a_tag_i;
    psum_q  <= psum_d;
  end

  assign a_o     = a_q;
  assign a_tag_o = a_tag_q;
  assign psum_o  = psum_q;
  assign w_o     = w_buf_i ? w1_q : w0_q;
endmodule
