// One lane of the ST output stage: bias add, TFLite int8 requantisation, zero point, clamp.
//
// Purely combinational (latency 0); systole_st registers its inputs (the accumulator RAM
// output) and its outputs (the row FIFO). Arithmetic, bit for bit as TensorFlow Lite's
// reference MultiplyByQuantizedMultiplier (docs/architecture.md, "Output stage"):
//
//   x     = acc + (bias_en ? bias : 0)                       int32, wraps
//   left  = clamp(shift, 0, 31), right = clamp(-shift, 0, 31)
//   xs    = x << left                                        int32, wraps
//   h     = SRDHM(xs, mult): INT32_MAX if xs == mult == INT32_MIN, else
//           (xs*mult + (xs*mult >= 0 ? 2^30 : 1 - 2^30)) / 2^31, truncated toward zero
//   r     = RDBP(h, right): (h >>> right) + ((h & mask) > (mask >> 1) + (h < 0))
//   y     = clamp(r + out_zp, act_min, act_max)              wide, no overflow
//
// raw_i selects what res_o carries: x (raw int32 mode) or y sign-extended to 32 bits.
// q_o is always the int8 result y. en_i = 0 forces every output to 0 (operand isolation: the
// lane only computes when systole_st has a row in S1, and Verilator then skips the lane).
module systole_requant (
  input  logic        en_i,       // 1: compute; 0: all outputs 0
  input  logic [31:0] acc_i,      // int32 accumulator value
  input  logic [31:0] bias_i,     // int32 per-channel bias
  input  logic        bias_en_i,  // 1: add bias_i first
  input  logic        raw_i,      // 1: res_o = x (raw int32), 0: res_o = sign-extended y
  input  logic [31:0] mult_i,     // int32 quantised multiplier
  input  logic [31:0] shift_i,    // int32 shift (> 0 left, < 0 right)
  input  logic [7:0]  out_zp_i,   // int8 output zero point
  input  logic [7:0]  act_min_i,  // int8 lower clamp
  input  logic [7:0]  act_max_i,  // int8 upper clamp
  output logic [31:0] raw_o,      // x = acc + bias (int32 wrap)
  output logic [31:0] res_o,      // raw_i ? x : sign-extended q_o
  output logic [7:0]  q_o         // requantised, clamped int8
);
  localparam logic signed [63:0] NudgePos = 64'sd1073741824;    //  2^30
  localparam logic signed [63:0] NudgeNeg = -64'sd1073741823;   //  1 - 2^30
  localparam logic signed [63:0] TruncAdd = 64'sd2147483647;    //  2^31 - 1

  logic        [31:0] x;
  logic        [4:0]  left, right;
  logic signed [31:0] xs, mult_s;
  logic signed [63:0] ab, ab_n, ab_r;
  /* verilator lint_off UNUSEDSIGNAL */
  logic signed [63:0] ab_t;   // only [31:0] is the SRDHM result (the rest is sign)
  logic signed [32:0] yc;     // clamped to int8 range: only [7:0] carries information
  /* verilator lint_on UNUSEDSIGNAL */
  logic        [31:0] h;
  logic        [31:0] mask, rem, thr;
  logic signed [31:0] h_s;
  logic        [31:0] r;
  logic signed [32:0] y, lo, hi, yl;

  always_comb begin
    x      = 32'd0;
    left   = 5'd0;
    right  = 5'd0;
    xs     = '0;
    mult_s = '0;
    ab     = '0;
    ab_n   = '0;
    ab_r   = '0;
    ab_t   = '0;
    h      = 32'd0;
    mask   = 32'd0;
    rem    = 32'd0;
    thr    = 32'd0;
    h_s    = '0;
    r      = 32'd0;
    y      = '0;
    lo     = '0;
    hi     = '0;
    yl     = '0;
    yc     = '0;
    if (en_i) begin
      x = acc_i + (bias_en_i ? bias_i : 32'd0);

      // shift split: left = clamp(shift,0,31), right = clamp(-shift,0,31)
      if (!shift_i[31]) begin
        left = (shift_i > 32'd31) ? 5'd31 : shift_i[4:0];
      end else begin
        // shift < 0: -shift >= 32 iff shift <= -32 iff shift < 0xFFFFFFE1 (as unsigned)
        right = (shift_i < 32'hFFFF_FFE1) ? 5'd31 : 5'(32'd0 - shift_i);
      end

      // SaturatingRoundingDoublingHighMul
      xs     = $signed(x << left);
      mult_s = $signed(mult_i);
      ab     = xs * mult_s;                       // 64-bit signed product (context width)
      ab_n   = ab + (ab[63] ? NudgeNeg : NudgePos);
      ab_r   = ab_n[63] ? (ab_n + TruncAdd) : ab_n;  // make >>> truncate toward zero
      ab_t   = ab_r >>> 31;
      if (xs == 32'sh8000_0000 && mult_s == 32'sh8000_0000) h = 32'h7FFF_FFFF;
      else h = ab_t[31:0];

      // RoundingDivideByPOT
      mask = (32'd1 << right) - 32'd1;
      rem  = h & mask;
      thr  = (mask >> 1) + {31'd0, h[31]};
      h_s  = $signed(h);
      r    = 32'(h_s >>> right) + ((rem > thr) ? 32'd1 : 32'd0);

      // zero point and clamp in 33 bits (r + zp cannot overflow there)
      y  = $signed({r[31], r}) + 33'($signed(out_zp_i));
      lo = 33'($signed(act_min_i));
      hi = 33'($signed(act_max_i));
      yl = (y < lo) ? lo : y;
      yc = (yl > hi) ? hi : yl;
    end
  end

  assign raw_o = x;
  assign q_o   = yc[7:0];
  assign res_o = raw_i ? x : {{24{yc[7]}}, yc[7:0]};
endmodule
