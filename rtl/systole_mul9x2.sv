// Two signed 9x9 products for a pair of PEs, with one iCE40 SB_MAC16 in its dual 8x8 mode
// (systole_array parameter UseIce40Dsp).
//
// SignMag = 0: the operands are a - a_zp and w - w_zp (int8 minus int8, -255..255) in two's
// complement, nine bits. Written as v = u - 256*s with u = v[7:0] (unsigned) and s = v[8],
// the product is
//   a * w = ua*uw - 256*(sa*uw + sw*ua) + 65536*sa*sw     (exact in 18 bits)
// so the DSP computes the two unsigned 8x8 products ua*uw (MODE_8x8, A and B unsigned, no
// registers, outputs straight from the multipliers) and a little logic adds the sign terms.
// p0_o / p1_o are the products in two's complement.
//
// SignMag = 1: the operands come in sign-magnitude form {s, m[7:0]} (v = s ? -m : m; the
// EX engine converts them once per row before the array), so a * w = +-(ma*mw) with
// ma*mw <= 65025 < 2^16 and no correction term. The DSP multiplies the magnitudes and its
// output adder/subtractor complements the product when the signs differ: upper input
// C / D = {16{neg}}, lower input the 8x8 product, ADDSUB = neg, no carry, so that
//   O = (X + (W ^ {16{neg}})) ^ {16{neg}} = X ^ {16{neg}}      (Yosys's cells_sim.v model)
// i.e. the product in ones' complement, sign-extended: p = {neg, neg, O}. The PE adds
// p + p[17] (the carry-in of its partial-sum adder) to get the two's complement value; no
// LUT is spent on the product. A zero magnitude with neg = 1 gives p = -1, plus 1: 0.
//
// WReg = 1 (with SignMag): the multiplier also holds the two weights. The magnitudes sit in
// the DSP's B input register (B_REG, loaded from w0_i / w1_i when w_ld_i, else held through
// BHOLD; CE = 1, no reset: the EX engine loads a tile before any MATMUL uses it), the two
// sign bits in flip-flops beside it. The array then pairs the PEs of two rows of one column
// (their weights come from the same scratchpad line, so they are written in the same cycle).
//
// P0Reg = 1 (with WReg): p0_o is the exact product in two's complement, registered: the
// product of the operands of the previous cycle. The array uses it as the partial sum of
// its first row (no adder, no register in logic there). The bottom adder/subtractor gets
// the constant carry-in 1 (BOTADDSUB_CARRYSELECT 1) and D = {{15{!n0}}, 1}, so that
//   O = n0 ? (X + ~1 + 1) ^ 16'hffff = -X : X + 16'hffff + 1 = X      (modulo 2^16)
// into the DSP's bottom output register (rS, loaded every cycle; OHOLD = 0, no reset),
// and p0_o = {n0_q, n0_q, O} with n0 registered in a flip-flop beside it. That is exact
// only if n0 = 0 for a zero product (-0 would read as -65536), so here n0 is the sign of
// the product: the operands' signs differ and neither magnitude is 0 (a flip-flop beside
// the weight sign holds "weight magnitude non-zero", w0_nz_i, which the instantiator computes
// off the path through its converter, like a0_nz_i).
//
// AReg = 1 (with WReg): the magnitudes a0_i[7:0], a1_i[7:0] pass the DSP's A input register
// (A_REG, loaded every cycle): the products use the magnitudes of the previous cycle and the
// signs a0_i[8], a1_i[8] of this one (the array delays them in its skew registers).
//
// Synthesis (SYNTHESIS defined, as scripts/synth.sh does) instantiates the SB_MAC16
// primitive, and so does a simulation with the iCE40 cells' models compiled in
// (SYSTOLE_ICE40_CELLS, make fpga-sim); Verilator and other simulators otherwise use the
// behavioural model of exactly this configuration below (the two 16-bit products of the
// 8x8 mode, as Yosys's ice40/cells_sim.v computes them: O[31:16] = A[15:8] * B[15:8],
// O[15:0] = A[7:0] * B[7:0], for SignMag = 1 each complemented when its ADDSUB input is 1;
// WReg: B from the B register).
module systole_mul9x2 #(
  parameter int SignMag = 0,  // 1: sign-magnitude operands, ones' complement products
  parameter int WReg    = 0,  // 1: weights held here, loaded with w_ld_i (needs SignMag)
  parameter int P0Reg   = 0,  // 1: p0_o registered in the DSP's bottom output register (WReg)
  parameter int AReg    = 0   // 1: the A magnitudes through the DSP's A register (WReg)
) (
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic        clk_i,  // WReg only
  input  logic        w_ld_i, // WReg only: load w0_i, w1_i
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [8:0]  a0_i,
  // P0Reg only: a0_i's magnitude is not 0, computed by the instantiator off the path
  // through its converter (timing: a0_i's magnitude comes out of two carry chains)
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic        a0_nz_i,
  // P0Reg only: w0_i's magnitude is not 0, likewise (loaded into the flip-flop beside the
  // weight sign with w_ld_i)
  input  logic        w0_nz_i,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [8:0]  w0_i,
  input  logic [8:0]  a1_i,
  input  logic [8:0]  w1_i,
  output logic [17:0] p0_o,   // a0 * w0, 18 bits (SignMag: ones' complement)
  output logic [17:0] p1_o    // a1 * w1, 18 bits (SignMag: ones' complement)
);
  logic [31:0] o;     // {top product, bottom product}
  logic        n0, n1;  // SignMag: product signs
  logic        s0, s1;  // weight signs

  logic nzw0;   // P0Reg: weight 0's magnitude is not 0
  if (WReg != 0) begin : g_ws
    logic s0_q, s1_q, nzw0_q;
    always_ff @(posedge clk_i) begin
      if (w_ld_i) begin
        s0_q   <= w0_i[8];
        s1_q   <= w1_i[8];
        nzw0_q <= w0_nz_i;
      end
    end
    assign s0   = s0_q;
    assign s1   = s1_q;
    assign nzw0 = nzw0_q;
  end else begin : g_nows
    assign s0   = w0_i[8];
    assign s1   = w1_i[8];
    assign nzw0 = 1'b1;
  end

  // P0Reg: the product's sign, 0 if a magnitude is 0 (a sign bit is only set with a
  // non-zero magnitude: (sa ^ sw) & nza & nzw = (sa & nzw) ^ (sw & nza))
  if (P0Reg != 0) begin : g_n0exact
    assign n0 = (a0_i[8] && nzw0) ^ (s0 && a0_nz_i);
  end else begin : g_n0
    /* verilator lint_off UNUSEDSIGNAL */
    logic unused_nzw0;
    /* verilator lint_on UNUSEDSIGNAL */
    assign unused_nzw0 = nzw0;
    assign n0 = (SignMag != 0) && (a0_i[8] ^ s0);
  end
  assign n1 = (SignMag != 0) && (a1_i[8] ^ s1);

`ifdef SYNTHESIS
  `define SYSTOLE_MUL9X2_SB_MAC16
`endif
`ifdef SYSTOLE_ICE40_CELLS
  `define SYSTOLE_MUL9X2_SB_MAC16
`endif
`ifdef SYSTOLE_MUL9X2_SB_MAC16
  // SignMag = 0: outputs straight from the multipliers (OUTPUT_SELECT 2); SignMag = 1: from
  // the unregistered adder/subtractor (OUTPUT_SELECT 0) with the product as its lower input
  // (LOWERINPUT 1) and C / D as its upper input (UPPERINPUT 1)
  localparam logic [1:0] OutSel = (SignMag != 0) ? 2'b00 : 2'b10;
  localparam logic [1:0] LowIn  = (SignMag != 0) ? 2'b01 : 2'b00;
  localparam logic       UpIn   = (SignMag != 0);
  localparam logic       BReg   = (WReg != 0);
  localparam logic [1:0] BotSel = (P0Reg != 0) ? 2'b01 : OutSel;   // 1: the output register
  localparam logic [1:0] BotCy  = (P0Reg != 0) ? 2'b01 : 2'b00;    // 1: carry-in 1
  logic [15:0] d_in;   // upper input of the bottom adder/subtractor
  assign d_in = (P0Reg != 0) ? {{15{!n0}}, 1'b1} : {16{n0}};

  SB_MAC16 #(
    .NEG_TRIGGER              (1'b0),
    .C_REG                    (1'b0),
    .A_REG                    (AReg != 0),
    .B_REG                    (BReg),
    .D_REG                    (1'b0),
    .TOP_8x8_MULT_REG         (1'b0),
    .BOT_8x8_MULT_REG         (1'b0),
    .PIPELINE_16x16_MULT_REG1 (1'b0),
    .PIPELINE_16x16_MULT_REG2 (1'b0),
    .TOPOUTPUT_SELECT         (OutSel),
    .TOPADDSUB_LOWERINPUT     (LowIn),
    .TOPADDSUB_UPPERINPUT     (UpIn),
    .TOPADDSUB_CARRYSELECT    (2'b00),
    .BOTOUTPUT_SELECT         (BotSel),
    .BOTADDSUB_LOWERINPUT     (LowIn),
    .BOTADDSUB_UPPERINPUT     (UpIn),
    .BOTADDSUB_CARRYSELECT    (BotCy),
    .MODE_8x8                 (1'b1),
    .A_SIGNED                 (1'b0),
    .B_SIGNED                 (1'b0)
  ) u_mac (
    .CLK        ((WReg != 0) ? clk_i : 1'b0),
    .CE         (WReg != 0),
    .C          ({16{n1}}),
    .A          ({a1_i[7:0], a0_i[7:0]}),
    .B          ({w1_i[7:0], w0_i[7:0]}),
    .D          (d_in),
    .AHOLD      (1'b0),
    .BHOLD      ((WReg != 0) && !w_ld_i),
    .CHOLD      (1'b0),
    .DHOLD      (1'b0),
    .IRSTTOP    (1'b0),
    .IRSTBOT    (1'b0),
    .ORSTTOP    (1'b0),
    .ORSTBOT    (1'b0),
    .OLOADTOP   (1'b0),
    .OLOADBOT   (1'b0),
    .ADDSUBTOP  (n1),
    .ADDSUBBOT  (n0),
    .OHOLDTOP   (1'b0),
    .OHOLDBOT   (1'b0),
    .CI         (1'b0),
    .ACCUMCI    (1'b0),
    .SIGNEXTIN  (1'b0),
    .O          (o),
    .CO         (),
    .ACCUMCO    (),
    .SIGNEXTOUT ()
  );
`else
  logic [7:0] m0, m1;   // weight magnitudes multiplied: B, or the B register
  if (WReg != 0) begin : g_breg
    logic [15:0] b_q;
    always_ff @(posedge clk_i) begin
      if (w_ld_i) b_q <= {w1_i[7:0], w0_i[7:0]};
    end
    assign {m1, m0} = b_q;
  end else begin : g_nobreg
    assign m0 = w0_i[7:0];
    assign m1 = w1_i[7:0];
  end
  logic [7:0] am0, am1;   // activation magnitudes multiplied: A, or the A register
  if (AReg != 0) begin : g_areg
    logic [15:0] a_q;
    always_ff @(posedge clk_i) a_q <= {a1_i[7:0], a0_i[7:0]};
    assign {am1, am0} = a_q;
  end else begin : g_noareg
    assign am0 = a0_i[7:0];
    assign am1 = a1_i[7:0];
  end
  logic [15:0] o_bot;   // the bottom product, before the output register
  // P0Reg: two's complement (0 - X), else ones' complement (X ^ {16{n0}})
  assign o_bot = (P0Reg != 0) ? (n0 ? 16'd0 - 16'(am0) * 16'(m0) : 16'(am0) * 16'(m0))
                              : (16'(am0) * 16'(m0)) ^ {16{n0}};
  if (P0Reg != 0) begin : g_oreg
    logic [15:0] o_bot_q;   // the DSP's bottom output register
    always_ff @(posedge clk_i) o_bot_q <= o_bot;
    assign o = {(16'(am1) * 16'(m1)) ^ {16{n1}}, o_bot_q};
  end else begin : g_nooreg
    assign o = {(16'(am1) * 16'(m1)) ^ {16{n1}}, o_bot};
  end
`endif

  if (SignMag != 0) begin : g_signmag
    logic p0_neg;   // sign of p0_o: n0, or n0 of the previous cycle (P0Reg)
    if (P0Reg != 0) begin : g_nreg
      logic n0_q;
      always_ff @(posedge clk_i) n0_q <= n0;
      assign p0_neg = n0_q;
    end else begin : g_nnoreg
      assign p0_neg = n0;
    end
    assign p0_o = {p0_neg, p0_neg, o[15:0]};
    assign p1_o = {n1, n1, o[31:16]};
  end else begin : g_twos
    // sign terms: ua*uw - 256*(sa*uw + sw*ua) + 65536*sa*sw, modulo 2^18
    logic [9:0] c0, c1;
    assign c0   = {2'b00, a0_i[8] ? w0_i[7:0] : 8'd0} + {2'b00, w0_i[8] ? a0_i[7:0] : 8'd0} -
                  {1'b0, a0_i[8] && w0_i[8], 8'd0};
    assign c1   = {2'b00, a1_i[8] ? w1_i[7:0] : 8'd0} + {2'b00, w1_i[8] ? a1_i[7:0] : 8'd0} -
                  {1'b0, a1_i[8] && w1_i[8], 8'd0};
    assign p0_o = {2'b00, o[15:0]} - {c0, 8'd0};
    assign p1_o = {2'b00, o[31:16]} - {c1, 8'd0};
  end
  initial begin
    if ((P0Reg != 0 || AReg != 0) && WReg == 0)
      $fatal(1, "systole_mul9x2: P0Reg and AReg need WReg");
    if (P0Reg != 0 && AReg != 0)
      $fatal(1, "systole_mul9x2: P0Reg and AReg together are not supported");
  end
endmodule
