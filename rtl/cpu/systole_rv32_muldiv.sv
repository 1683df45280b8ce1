// Iterative multiplier and divider of the systole_rv32 core (RV32 M extension).
//
// One bit per cycle, one shared 34-bit adder, no DSPs. start_i (one cycle) begins an
// operation; op_i, a_i and b_i must hold until done_o, which is high for one cycle 33 cycles
// later with result_o valid in that cycle only (32 steps, then one fix-up step). The core
// guarantees this: funct3, rs1 and rs2 do not change until the instruction completes.
//
// Registers: hi (33 bits), lo (32 bits); y is b extended as the instruction says.
// Multiply (funct3 0-3): right-shifting shift-add with the multiplier a in lo and the
//   multiplicand y; each step adds y (or nothing) to hi and shifts {hi, lo} right. When a
//   is signed (mulh, mulhsu) its bit 31 weighs -2^31, so the last step subtracts. The
//   product ends in {hi, lo}; the fix-up step passes hi through the adder.
// Divide (funct3 4-7): restoring division of |a| (in lo, becoming the quotient) by |b|,
//   the remainder in hi; the adder adds y when b is negative instead of negating it. The
//   fix-up step negates the quotient or the remainder if needed. The corner cases come out
//   of the algorithm as RISC-V specifies them: x/0 gives an all-ones quotient, which is
//   never negated, and remainder x; INT_MIN/-1 gives quotient 2^31 = INT_MIN, remainder 0.
module systole_rv32_muldiv (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        start_i,
  input  logic [2:0]  op_i,      // funct3 of the M instruction
  input  logic [31:0] a_i,       // rs1
  input  logic [31:0] b_i,       // rs2
  output logic        done_o,
  output logic [31:0] result_o
);
  localparam logic [1:0] StIdle = 2'd0;
  localparam logic [1:0] StStep = 2'd1;
  localparam logic [1:0] StFix  = 2'd2;

  logic [1:0]  state_q, state_d;
  logic [4:0]  count_q, count_d;
  logic [32:0] hi_q, hi_d;     // multiply: upper partial product; divide: remainder
  logic [31:0] lo_q, lo_d;     // multiply: multiplier / low product; divide: quotient
  logic [32:0] y;              // b, sign- or zero-extended (b_i holds: no register)
  logic [2:0]  op;             // op_i, which holds
  logic        flag;           // multiply: a is signed and negative; divide: b negative
  logic        negq;           // divide: negate the quotient
  logic        negr;           // divide: negate the remainder (a signed and negative)

  logic        is_div, step, fix;
  logic [33:0] add_x, add_y, add_sum;
  logic        add_sub;

  assign op     = op_i;
  // b is signed for div, rem and mulh
  assign y      = {((op[2] && !op[0]) || op == 3'd1) && b_i[31], b_i};
  assign is_div = op[2];
  // a is signed for div, rem, mulh and mulhsu (and mul, where it makes no difference)
  assign flag   = is_div ? y[32] : (op[1:0] != 2'd3) && a_i[31];
  assign negr   = is_div && !op[0] && a_i[31];
  assign negq   = is_div && !op[0] && (a_i[31] ^ b_i[31]) && (b_i != 32'd0);
  assign step   = (state_q == StStep);
  assign fix    = (state_q == StFix);

  // The shared adder: add_x + add_y, or add_x - add_y when add_sub.
  //   multiply step: {hi} + (lo[0] ? y : 0), a subtraction in the last step if flag
  //   multiply fix:  {hi} + 0
  //   divide step:   {hi, lo[31]} - |b|  (y added when b is negative)
  //   divide fix:    0 +/- quotient or remainder
  always_comb begin
    if (!is_div)    add_x = {hi_q[32], hi_q};
    else if (step)  add_x = {1'b0, hi_q[31:0], lo_q[31]};
    else            add_x = '0;
    if (step && (is_div || lo_q[0])) add_y = {y[32], y};
    else if (fix && is_div)          add_y = {2'b00, op[1] ? hi_q[31:0] : lo_q};
    else                             add_y = '0;
    if (is_div) add_sub = step ? !flag : (op[1] ? negr : negq);
    else        add_sub = step && flag && (count_q == 5'd31);
  end

  assign add_sum = add_x + (add_y ^ {34{add_sub}}) + {33'd0, add_sub};

  always_comb begin
    state_d = state_q;
    count_d = count_q;
    hi_d    = hi_q;
    lo_d    = lo_q;
    unique case (state_q)
      StStep: begin
        count_d = count_q + 5'd1;
        if (count_q == 5'd31) state_d = StFix;
        if (!is_div) begin
          hi_d = add_sum[33:1];
          lo_d = {add_sum[0], lo_q[31:1]};
        end else if (!add_sum[33]) begin
          // the shifted remainder was >= |b|: keep the difference, quotient bit 1
          hi_d = add_sum[32:0];
          lo_d = {lo_q[30:0], 1'b1};
        end else begin
          hi_d = add_x[32:0];
          lo_d = {lo_q[30:0], 1'b0};
        end
      end
      StFix: state_d = StIdle;
      default: begin
        if (start_i) begin
          state_d = StStep;
          count_d = '0;
          hi_d    = '0;
          lo_d    = negr ? 32'd0 - a_i : a_i;  // divide: |a|
        end
      end
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= StIdle;
      count_q <= '0;
      hi_q    <= '0;
      lo_q    <= '0;
    end else begin
      state_q <= state_d;
      count_q <= count_d;
      hi_q    <= hi_d;
      lo_q    <= lo_d;
    end
  end

  assign done_o   = fix;
  // mul wants the low product bits, everything else the fix-up adder's output
  assign result_o = (!is_div && op[1:0] == 2'd0) ? lo_q : add_sum[31:0];
endmodule
