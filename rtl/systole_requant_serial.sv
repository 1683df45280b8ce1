// Serial ST output stage: the arithmetic of systole_requant for the Cols lanes of one
// accumulator line, one lane after the other, with one iterative multiplier (MulBits bits
// of the multiplier per cycle, shift-add in logic: no DSP). For small FPGA builds
// (systole_st parameter SerialRequant); bit-exact with systole_requant.
//
// start_i (one cycle) starts a line: acc_line_i and qp_line_i must then hold until done_o
// (systole_st reads them from the RAM output registers, which hold while no new read is
// issued), and bias_en_i, raw_i, out_zp_i, act_min_i, act_max_i likewise. done_o (one
// cycle, the cycle after the last lane) marks res_o valid; busy_o is 1 from the cycle after
// start_i up to and including the done_o cycle; res_o holds until the next start. Lane n
// of res_o is raw_i ? x : sign-extended y, as res_o of systole_requant.
//
// Per lane: SETUP x = acc + bias, shift split, xs = x << left (or, raw: the result x; next
// lane); MUL 32 / MulBits steps of {hi, lo} += xs * digit, shifted right by MulBits (the
// multiplier taken as unsigned); FIX hi -= xs if mult < 0 (the signed correction); FIN the
// rounding, RoundingDivideByPOT, zero point and clamp. Requantised lanes take
// 3 + 32 / MulBits cycles, raw lanes one cycle.
//
// Arithmetic identities used (docs/st.md): SRDHM(xs, mult) = (xs*mult + 2^30) >>> 31 for
// every product (the TFLite nudge 1 - 2^30 followed by truncation toward zero equals the
// floor of ab + 2^30 for ab < 0), except INT32_MIN * INT32_MIN (saturates to INT32_MAX);
// RDBP(h, right) = (h + 2^(right-1) - (h < 0)) >>> right for right > 0, in 33 bits. One
// 33-bit left shifter serves both shifts (the right shift through bit reversal).
module systole_requant_serial #(
  parameter int Cols    = 8,  // lanes per line
  parameter int MulBits = 4   // multiplier bits per cycle: 1, 2, 4 or 8
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               start_i,
  input  logic [Cols*32-1:0] acc_line_i,
  input  logic [Cols*128-1:0] qp_line_i,   // per lane {reserved, shift, mult, bias}
  input  logic               bias_en_i,
  input  logic               raw_i,
  input  logic [7:0]         out_zp_i,
  input  logic [7:0]         act_min_i,
  input  logic [7:0]         act_max_i,
  output logic               busy_o,
  output logic               done_o,
  output logic [Cols*32-1:0] res_o
);
  localparam int LnW   = (Cols > 1) ? $clog2(Cols) : 1;
  localparam int Steps = 32 / MulBits;
  localparam int StW   = $clog2(Steps + 1);
  localparam int HW    = 33 + MulBits;  // signed running high part

  typedef enum logic [2:0] {
    SIdle  = 3'd0,
    SSetup = 3'd1,
    SMul   = 3'd2,
    SFix   = 3'd3,
    SFin   = 3'd4
  } state_e;

  state_e              state_q, state_d;
  logic [LnW-1:0]      lane_q, lane_d;
  logic [StW-1:0]      step_q, step_d;
  logic [31:0]         xs_q, xs_d, mq_q, mq_d;
  logic [4:0]          right_q, right_d;
  logic                sat_q, sat_d, m31_q, m31_d;
  logic signed [HW-1:0] hi_q, hi_d;
  logic [31:0]         lo_q, lo_d;
  logic [Cols*32-1:0]  res_q, res_d;
  logic                done_q, done_d;      // res_q complete: the cycle after the last lane

  // ---- the lane's operands ----
  /* verilator lint_off UNUSEDSIGNAL */
  logic [127:0] qp;   // the reserved word is not used
  /* verilator lint_on UNUSEDSIGNAL */
  logic [31:0]  acc, bias, mult, shift, x;
  logic [4:0]   left, right;

  always_comb begin
    acc   = acc_line_i[32*lane_q +: 32];
    qp    = qp_line_i[128*lane_q +: 128];
    bias  = qp[31:0];
    mult  = qp[63:32];
    shift = qp[95:64];
    x     = acc + (bias_en_i ? bias : 32'd0);
    left  = 5'd0;
    right = 5'd0;
    if (!shift[31]) left = (shift > 32'd31) ? 5'd31 : shift[4:0];
    else right = (shift < 32'hFFFF_FFE1) ? 5'd31 : 5'(32'd0 - shift);
  end

  // ---- the shared shifter: x << left in SETUP, the rounding right shift in FIN ----
  function automatic logic [32:0] rev33(input logic [32:0] v);
    for (int i = 0; i < 33; i++) rev33[i] = v[32 - i];
  endfunction

  logic [32:0] sh_in, sh_out, v33;
  logic [4:0]  sh_amt;
  logic        v_neg;
  logic [31:0] h;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [33:0] ab_hi;   // ab[63:30] + 1: bits [32:1] are h
  /* verilator lint_on UNUSEDSIGNAL */

  always_comb begin
    // FIN operand: h = SRDHM, v = h + 2^(right-1) - (h < 0) in 33 bits (right > 0)
    ab_hi = {hi_q[31:0], lo_q[31:30]} + 34'd1;
    h     = sat_q ? 32'h7FFF_FFFF : ab_hi[32:1];
    v33   = {h[31], h} + ((right_q == 5'd0) ? 33'd0
                                            : ((33'd1 << (right_q - 5'd1)) - 33'(h[31])));
    v_neg = v33[32];
    if (state_q == SFin) begin
      sh_in  = rev33(v33 ^ {33{v_neg}});
      sh_amt = right_q;
    end else begin
      sh_in  = {1'b0, x};
      sh_amt = left;
    end
    sh_out = sh_in << sh_amt;
  end

  // ---- one multiplier step: {hi, lo} = ({hi, lo} + (xs * digit << 32)) >> MulBits ----
  logic signed [HW-1:0] pp, hsum;
  always_comb begin
    pp = '0;
    for (int j = 0; j < MulBits; j++) begin
      if (mq_q[j]) pp = pp + (HW'($signed(xs_q)) <<< j);
    end
    hsum = hi_q + pp;
  end

  // ---- FIN: zero point and clamp of r = v >>> right ----
  logic [32:0]        r33;
  logic signed [32:0] y, lo_c, hi_c, yl;
  /* verilator lint_off UNUSEDSIGNAL */
  logic signed [32:0] yc;   // clamped to int8 range: only [7:0] carries information
  /* verilator lint_on UNUSEDSIGNAL */
  always_comb begin
    r33  = rev33(sh_out) ^ {33{v_neg}};
    y    = $signed(r33) + 33'($signed(out_zp_i));
    lo_c = 33'($signed(act_min_i));
    hi_c = 33'($signed(act_max_i));
    yl   = (y < lo_c) ? lo_c : y;
    yc   = (yl > hi_c) ? hi_c : yl;
  end

  logic lane_last;
  assign lane_last = (lane_q == LnW'(Cols - 1));

  always_comb begin
    state_d = state_q;
    lane_d  = lane_q;
    step_d  = step_q;
    xs_d    = xs_q;
    mq_d    = mq_q;
    right_d = right_q;
    sat_d   = sat_q;
    m31_d   = m31_q;
    hi_d    = hi_q;
    lo_d    = lo_q;
    res_d   = res_q;
    done_d  = 1'b0;
    case (state_q)
      SIdle: begin
        if (start_i) begin
          state_d = SSetup;
          lane_d  = '0;
        end
      end
      SSetup: begin
        if (raw_i) begin
          res_d[32*lane_q +: 32] = x;
          lane_d = lane_q + 1'b1;
          if (lane_last) begin
            state_d = SIdle;
            done_d  = 1'b1;
          end
        end else begin
          xs_d    = sh_out[31:0];
          mq_d    = mult;
          m31_d   = mult[31];
          right_d = right;
          sat_d   = (sh_out[31:0] == 32'h8000_0000) && (mult == 32'h8000_0000);
          hi_d    = '0;
          lo_d    = '0;
          step_d  = '0;
          state_d = SMul;
        end
      end
      SMul: begin
        lo_d   = {hsum[MulBits-1:0], lo_q[31:MulBits]};
        hi_d   = hsum >>> MulBits;
        mq_d   = mq_q >> MulBits;
        step_d = step_q + 1'b1;
        if (step_q == StW'(Steps - 1)) state_d = SFix;
      end
      SFix: begin
        if (m31_q) hi_d = hi_q - HW'($signed(xs_q));
        state_d = SFin;
      end
      SFin: begin
        res_d[32*lane_q +: 32] = {{24{yc[7]}}, yc[7:0]};
        lane_d  = lane_q + 1'b1;
        state_d = SSetup;
        if (lane_last) begin
          state_d = SIdle;
          done_d  = 1'b1;
        end
      end
      default: state_d = SIdle;
    endcase
  end

  assign busy_o = (state_q != SIdle) || done_q;
  assign done_o = done_q;
  assign res_o  = res_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= SIdle;
      done_q  <= 1'b0;
      lane_q  <= '0;
      step_q  <= '0;
    end else begin
      state_q <= state_d;
      done_q  <= done_d;
      lane_q  <= lane_d;
      step_q  <= step_d;
    end
  end

  // data path registers: no reset (only used under the control state)
  always_ff @(posedge clk_i) begin
    xs_q    <= xs_d;
    mq_q    <= mq_d;
    right_q <= right_d;
    sat_q   <= sat_d;
    m31_q   <= m31_d;
    hi_q    <= hi_d;
    lo_q    <= lo_d;
    res_q   <= res_d;
  end

  initial begin
    if (MulBits != 1 && MulBits != 2 && MulBits != 4 && MulBits != 8)
      $fatal(1, "systole_requant_serial: MulBits must be 1, 2, 4 or 8");
    if (Cols < 1 || Cols > 64)
      $fatal(1, "systole_requant_serial: Cols must be in 1..64");
  end
endmodule
