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
//
// PsumW: partial-sum bits carried (systole_array passes what a column sum of 9x9 products
// needs; the sum is exact, so it is the low PsumW bits of the int32 result). ExtMul = 1: the
// product comes from outside (prod_i, the product of mul_a_o and mul_w_o, e.g. one half of a
// shared DSP, see systole_mul9x2); otherwise the PE multiplies itself and the mul ports are
// unused.
//
// Lean = 1 (iCE40 area variant, with ExtMul = 1): the PE holds no weight and no tag (the
// weight sits in the systole_mul9x2 that multiplies for it, WReg; the w_* and tag ports
// are unused, w_o, mul_w_o and a_tag_o are 0). prod_i is the product in ones' complement
// (systole_mul9x2 SignMag), added with prod_i[17] as carry-in.
// See docs/ex.md.
module systole_pe #(
  parameter int PsumW  = 32,  // partial-sum bits (17..32)
  parameter int ExtMul = 0,   // 1: product from prod_i
  parameter int Lean   = 0    // 1: one weight, ones' complement product (ExtMul = 1)
) (
  input  logic        clk_i,
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic        rst_ni,     // only the weight buffers are reset (none with Lean)
  /* verilator lint_on UNUSEDSIGNAL */
  // activation from the left neighbour (or the row input), and to the right neighbour
  input  logic [8:0]  a_i,
  input  logic        a_tag_i,
  output logic [8:0]  a_o,
  output logic        a_tag_o,
  // partial sum from the PE above (0 for row 0), and to the PE below
  input  logic [PsumW-1:0] psum_i,
  output logic [PsumW-1:0] psum_o,
  // weight shift chain
  input  logic        w_shift_i,
  input  logic        w_buf_i,
  input  logic [8:0]  w_i,
  output logic [8:0]  w_o,
  // external multiplier (ExtMul = 1)
  output logic [8:0]  mul_a_o,
  output logic [8:0]  mul_w_o,
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic [17:0] prod_i
  /* verilator lint_on UNUSEDSIGNAL */
);
  logic [8:0]  a_q, w_sel;
  logic        a_tag_q;
  logic [PsumW-1:0] psum_q, psum_d;

  assign mul_a_o = a_i;
  assign mul_w_o = w_sel;

  if (Lean != 0) begin : g_lean
    // ones' complement product: + prod_i[17] completes the two's complement
    assign psum_d = psum_i + PsumW'($signed(prod_i)) + PsumW'(prod_i[17]);
  end else if (ExtMul != 0) begin : g_ext
    assign psum_d = psum_i + PsumW'($signed(prod_i));
  end else begin : g_int
`ifdef VERILATOR
  // Simulation: the same product as one signed host multiply (9 x 9 bits sign-extended to
  // 32 bits, exact), much cheaper in Verilator than the correction form below.
  /* verilator lint_off UNUSEDSIGNAL */
  logic signed [31:0] prod;   // exact in 18 bits; the low PsumW bits are summed
  /* verilator lint_on UNUSEDSIGNAL */
  assign prod   = $signed(a_i) * $signed(w_sel);
  assign psum_d = psum_i + PsumW'(prod);
`else
  // Signed 9x9 multiply as an unsigned one plus a correction of the two sign bits
  // (a*w = ua*uw - 2^9*(a8*uw + w8*ua) mod 2^18): exact and small in synthesis.
  logic [8:0]  corr;
  logic [17:0] prod;
  assign corr   = (a_i[8] ? w_sel : 9'd0) + (w_sel[8] ? a_i : 9'd0);
  assign prod   = 18'(a_i) * 18'(w_sel) - {corr, 9'd0};
  assign psum_d = psum_i + PsumW'($signed(prod));
`endif
  end

  if (Lean != 0) begin : g_now
    // no weight here (see systole_mul9x2 WReg)
    /* verilator lint_off UNUSEDSIGNAL */
    logic [10:0] unused_w;
    /* verilator lint_on UNUSEDSIGNAL */
    assign unused_w = {w_shift_i, w_buf_i, w_i};
    assign w_sel    = '0;
    assign w_o      = '0;
  end else begin : g_w
    logic [8:0] w0_q, w1_q;
    assign w_sel = a_tag_i ? w1_q : w0_q;
    assign w_o   = w_buf_i ? w1_q : w0_q;

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
  end

  // Datapath registers without reset (cheaper in synthesis and in Verilator): after reset they
  // hold garbage only in array slots that carry no valid row, whose results are never used.
  always_ff @(posedge clk_i) begin
    a_q     <= a_i;
    a_tag_q <= (Lean == 0) && a_tag_i;
    psum_q  <= psum_d;
  end

  assign a_o     = a_q;
  assign a_tag_o = a_tag_q;
  assign psum_o  = psum_q;
endmodule
