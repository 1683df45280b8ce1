// Two signed 9x9 products for a pair of PEs, with one iCE40 SB_MAC16 in its dual 8x8 mode
// (systole_array parameter UseIce40Dsp).
//
// The operands are a - a_zp and w - w_zp (int8 minus int8, -255..255), nine bits. Written
// as v = u - 256*s with u = v[7:0] (unsigned) and s = v[8], the product is
//   a * w = ua*uw - 256*(sa*uw + sw*ua) + 65536*sa*sw     (exact in 18 bits)
// so the DSP computes the two unsigned 8x8 products ua*uw (MODE_8x8, A and B unsigned, no
// registers, outputs straight from the multipliers) and a little logic adds the sign terms.
//
// Synthesis (SYNTHESIS defined, as scripts/synth.sh does) instantiates the SB_MAC16
// primitive; Verilator and other simulators use the behavioural model of exactly this
// configuration below (the two 16-bit products of the 8x8 mode, as Yosys's
// ice40/cells_sim.v computes them: O[31:16] = A[15:8] * B[15:8], O[15:0] = A[7:0] * B[7:0]).
module systole_mul9x2 (
  input  logic [8:0]  a0_i,
  input  logic [8:0]  w0_i,
  input  logic [8:0]  a1_i,
  input  logic [8:0]  w1_i,
  output logic [17:0] p0_o,   // a0 * w0, signed 18 bits
  output logic [17:0] p1_o    // a1 * w1, signed 18 bits
);
  logic [31:0] o;   // {ua1*uw1, ua0*uw0}

`ifdef SYNTHESIS
  SB_MAC16 #(
    .NEG_TRIGGER              (1'b0),
    .C_REG                    (1'b0),
    .A_REG                    (1'b0),
    .B_REG                    (1'b0),
    .D_REG                    (1'b0),
    .TOP_8x8_MULT_REG         (1'b0),
    .BOT_8x8_MULT_REG         (1'b0),
    .PIPELINE_16x16_MULT_REG1 (1'b0),
    .PIPELINE_16x16_MULT_REG2 (1'b0),
    .TOPOUTPUT_SELECT         (2'b10),  // O[31:16] = the upper 8x8 product
    .TOPADDSUB_LOWERINPUT     (2'b00),
    .TOPADDSUB_UPPERINPUT     (1'b0),
    .TOPADDSUB_CARRYSELECT    (2'b00),
    .BOTOUTPUT_SELECT         (2'b10),  // O[15:0] = the lower 8x8 product
    .BOTADDSUB_LOWERINPUT     (2'b00),
    .BOTADDSUB_UPPERINPUT     (1'b0),
    .BOTADDSUB_CARRYSELECT    (2'b00),
    .MODE_8x8                 (1'b1),
    .A_SIGNED                 (1'b0),
    .B_SIGNED                 (1'b0)
  ) u_mac (
    .CLK        (1'b0),
    .CE         (1'b0),
    .C          (16'd0),
    .A          ({a1_i[7:0], a0_i[7:0]}),
    .B          ({w1_i[7:0], w0_i[7:0]}),
    .D          (16'd0),
    .AHOLD      (1'b0),
    .BHOLD      (1'b0),
    .CHOLD      (1'b0),
    .DHOLD      (1'b0),
    .IRSTTOP    (1'b0),
    .IRSTBOT    (1'b0),
    .ORSTTOP    (1'b0),
    .ORSTBOT    (1'b0),
    .OLOADTOP   (1'b0),
    .OLOADBOT   (1'b0),
    .ADDSUBTOP  (1'b0),
    .ADDSUBBOT  (1'b0),
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
  assign o = {16'(a1_i[7:0]) * 16'(w1_i[7:0]), 16'(a0_i[7:0]) * 16'(w0_i[7:0])};
`endif

  // sign terms: ua*uw - 256*(sa*uw + sw*ua) + 65536*sa*sw, modulo 2^18
  logic [9:0] c0, c1;
  assign c0   = {2'b00, a0_i[8] ? w0_i[7:0] : 8'd0} + {2'b00, w0_i[8] ? a0_i[7:0] : 8'd0} -
                {1'b0, a0_i[8] && w0_i[8], 8'd0};
  assign c1   = {2'b00, a1_i[8] ? w1_i[7:0] : 8'd0} + {2'b00, w1_i[8] ? a1_i[7:0] : 8'd0} -
                {1'b0, a1_i[8] && w1_i[8], 8'd0};
  assign p0_o = {2'b00, o[15:0]} - {c0, 8'd0};
  assign p1_o = {2'b00, o[31:16]} - {c1, 8'd0};
endmodule
