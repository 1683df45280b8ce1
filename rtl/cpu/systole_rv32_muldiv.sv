// Iterative multiplier and divider of the systole_rv32 core (RV32 M extension), and with
// Shifts != 0 its iterative shifter (sll/srl/sra: one bit per cycle, or with Shifts = 2
// four bits per cycle, then single bits).
//
// One bit per cycle, one shared 34-bit adder, no DSPs. start_i (one cycle) begins an
// operation; shift_i, arith_i, op_i, a_i, b_i and shamt_i must hold until done_o, which is
// high for one cycle with result_o valid in that cycle only (straight from the registers).
// The core guarantees this: the instruction and rs1/rs2 do not change until it completes.
// Cycles from start_i to done_o:
//   multiply                       33 (32 steps, then the result cycle)
//   divide, remainder              33, plus one for a negative signed dividend (negated
//                                  first) and one when the quotient or remainder is negated
//   shift by n (Shifts = 1)        n + 1 (n steps, then the result cycle)
//   shift by n (Shifts = 2)        n / 4 + n % 4 + 1 (steps of four bits, then of one bit,
//                                  then the result cycle)
//
// Registers: hi (33 bits), lo (32 bits), a 5-bit step counter (counting down to 0 in the
// last step; for a shift, the bits left to shift minus one); the operation and the operand
// signs, latched at the start; the adder's
// operand selects and add/subtract for each cycle, registered with the state (so that the
// carry chain starts from flip-flops). y is b extended as the instruction says.
// Multiply (funct3 0-3): right-shifting shift-add with the multiplier a in lo and the
//   multiplicand y; each step adds y (or nothing) to hi and shifts {hi, lo} right. When a
//   is signed (mulh, mulhsu) its bit 31 weighs -2^31, so the last step subtracts. The
//   product ends in {hi[31:0], lo}.
// Divide (funct3 4-7): restoring division of |a| (in lo, becoming the quotient) by |b|,
//   the remainder in hi; the adder adds y when b is negative instead of negating it. A
//   negative signed dividend is negated in lo by the adder first; a fix-up step negates
//   the quotient (lo) or the remainder (hi) if needed. The corner cases come out of the
//   algorithm as RISC-V specifies them: x/0 gives an all-ones quotient, which is never
//   negated, and remainder x; INT_MIN/-1 gives quotient 2^31 = INT_MIN, remainder 0.
// Shift (shift_i; op_i 1 = sll, 5 = srl/sra with arith_i): lo = a, then steps of one bit
//   (left, or right with a zero or sign fill; with Shifts = 2 steps of four bits while at
//   least four are left); the result is lo.
module systole_rv32_muldiv #(
  parameter int Shifts = 0   // 0: shift_i is ignored; 1: shifts, 1 bit/cycle; 2: 4 bits/cycle
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        start_i,
  input  logic        wait_i,    // the core waits for the result (else an operation is dropped)
  input  logic        shift_i,   // the operation is a shift (Shifts != 0)
  input  logic        arith_i,   // sra
  input  logic [2:0]  op_i,      // funct3 of the instruction
  input  logic [31:0] a_i,       // rs1
  input  logic [31:0] b_i,       // rs2
  input  logic [4:0]  shamt_i,   // shift amount
  output logic        done_o,
  output logic [31:0] result_o
);
  localparam logic [2:0] StIdle = 3'd0;
  localparam logic [2:0] StNeg  = 3'd1;  // divide: lo = -lo (|a|)
  localparam logic [2:0] StStep = 3'd2;
  localparam logic [2:0] StFix  = 3'd3;  // divide: negate the quotient (lo) or remainder (hi)
  localparam logic [2:0] StDone = 3'd4;  // result_o from the registers

  logic [2:0]  state_q, state_d;
  logic [4:0]  count_q, count_d;
  logic        last_q, last_d;   // count_q == 0: the last step
  logic [32:0] hi_q, hi_d;       // multiply: upper partial product; divide: remainder
  logic [31:0] lo_q, lo_d;       // multiply: multiplier / low product; divide: quotient; shift

  // the operation, decoded from the inputs at the start and latched
  logic s_shift, s_div, s_ysgn, s_flag, s_negq, s_negr, s_hisel;
  logic shift_q, right_q;        // a shift; ... to the right (srl, sra)
  logic div_q;                   // a divide (else, unless a shift, a multiply)
  logic ysgn_q;                  // y[32]: b is signed (div, rem, mulh) and negative
  logic flag_q;                  // multiply: a signed and negative; divide: b negative
  logic negq_q, negr_q;          // divide: negate the quotient / the remainder
  logic hisel_q;                 // the result is hi (mulh[s][u], rem[u]), else lo
  logic shift, div, flag;        // the operation of this cycle's next-value logic

  // the adder's operands and operation, one cycle ahead
  logic        sub_q, sub_d;     // subtract
  logic        xmul_q, xmul_d;   // add_x = hi (multiply step)
  logic        xdiv_q, xdiv_d;   // add_x = {hi, lo[31]} (divide step)
  logic        ysel_q, ysel_d;   // add_y = y (divide step, multiply step with lo[0] set)
  logic        vhi_q, vhi_d;     // add_y = hi (negating the remainder)
  logic        vlo_q, vlo_d;     // add_y = lo (negating the dividend or the quotient)
  logic [33:0] add_x, add_y, add_sum;

  assign s_shift = (Shifts != 0) && shift_i;
  assign s_div   = !s_shift && op_i[2];
  // b is signed for div, rem and mulh; a for div, rem, mulh and mulhsu (and mul, where it
  // makes no difference)
  assign s_ysgn  = ((op_i[2] && !op_i[0]) || op_i == 3'd1) && b_i[31];
  assign s_flag  = s_div ? s_ysgn : (op_i[1:0] != 2'd3) && a_i[31];
  assign s_negr  = s_div && !op_i[0] && a_i[31];
  assign s_negq  = s_div && !op_i[0] && (a_i[31] ^ b_i[31]) && (b_i != 32'd0);
  assign s_hisel = !s_shift && op_i[1:0] != 2'd0 && (!op_i[2] || op_i[1]);

  // in the start cycle the decoded inputs, later the latched values
  assign shift = start_i ? s_shift : shift_q;
  assign div   = start_i ? s_div   : div_q;
  assign flag  = start_i ? s_flag  : flag_q;

  // The shared adder: add_x + add_y, or add_x - add_y when sub_q.
  //   multiply step: {hi} + (lo[0] ? y : 0), a subtraction in the last step if flag
  //   divide step:   {hi, lo[31]} - |b|  (y added when b is negative)
  //   divide neg:    0 - lo (the dividend);  fix: 0 - lo (quotient) or 0 - hi (remainder)
  always_comb begin
    add_x = ({34{xmul_q}} & {hi_q[32], hi_q}) | ({34{xdiv_q}} & {1'b0, hi_q[31:0], lo_q[31]});
    add_y = ({34{ysel_q}} & {ysgn_q, ysgn_q, b_i}) | ({34{vhi_q}} & {2'b00, hi_q[31:0]}) |
            ({34{vlo_q}} & {2'b00, lo_q});
  end

  assign add_sum = add_x + (add_y ^ {34{sub_q}}) + {33'd0, sub_q};

  // The next hi and lo, with selects registered with the state (one-hot, from the cycle
  // before) so that the adder's sum passes one LUT, plus the divide step's restore decision
  // (the adder's last carry) in the last one. hi and lo never hold: where their value does
  // not matter (idle, the result cycle, hi in a shift) they load 0 and a, which is what the
  // start needs.
  //   hmul: hi = sum[33:1] (multiply step)   hdiv: hi = sum[32:0] (divide step, fix-up)
  //   lsum: lo = sum (negations)             lmul/lsr: lo >> 1 (multiply step / right shift)
  //   lsl:  lo << 1 (left shift, divide step)   else lo = a
  //   lsr4/lsl4: lo >> 4 / lo << 4 (shift steps of four bits; sh4: either)
  logic        hmul_q, hdiv_q, lsum_q, lmul_q, lsr_q, lsl_q, lsr4_q, lsl4_q, sh4_q;
  logic        hmul_d, hdiv_d, lsum_d, lmul_d, lsr_d, lsl_d, lsr4_d, lsl4_d, sh4_d;
  // (the muxes after the adder are the core's kept one-LUT helpers, systole_rv32.sv)
  logic [32:0] hi_t;
  logic [31:0] lo_t, lo_o;   // lo_o: lo_t but for the sum
  logic        divstep;
  always_comb begin
    logic [31:0] rsh, lsh, rsh4, lsh4;
    rsh  = {lmul_q ? add_sum[0] : (arith_i && lo_q[31]), lo_q[31:1]};
    lsh  = {lo_q[30:0], 1'b0};
    rsh4 = {{4{arith_i && lo_q[31]}}, lo_q[31:4]};
    lsh4 = {lo_q[27:0], 4'b0000};
    // (the selects are one-hot: an AND-OR)
    lo_o = ({32{lmul_q || lsr_q}} & rsh) | ({32{lsl_q}} & lsh) | ({32{lsr4_q}} & rsh4) |
           ({32{lsl4_q}} & lsh4) | ({32{!(lmul_q || lsr_q || lsl_q || sh4_q)}} & a_i);
  end
  assign divstep = (state_q == StStep) && div_q;
  systole_rv32_ao2 #(.W(33)) u_hi_t (
    .sa_i(hmul_q), .a_i(add_sum[33:1]), .sb_i(hdiv_q), .b_i(add_sum[32:0]), .y_o(hi_t)
  );
  systole_rv32_mux2s #(.W(33)) u_hi_d (
    .s1_i(divstep), .s2_i(add_sum[33]), .a_i(add_x[32:0]), .b_i(hi_t), .y_o(hi_d)
  );
  systole_rv32_mux #(.W(32)) u_lo_t (.s_i(lsum_q), .a_i(add_sum[31:0]), .b_i(lo_o), .y_o(lo_t));
  // a divide step's quotient bit: 1 unless the subtraction borrowed (lo_t[0] is 0 then)
  systole_rv32_mux2s #(.W(1)) u_lo_d0 (
    .s1_i(divstep), .s2_i(add_sum[33]), .a_i(1'b0), .b_i(lo_t[0] || divstep), .y_o(lo_d[0])
  );
  assign lo_d[31:1] = lo_t[31:1];

  always_comb begin
    state_d = state_q;
    count_d = count_q;
    unique case (state_q)
      StNeg:  state_d = StStep;
      StStep: begin
        count_d = count_q - (sh4_q ? 5'd4 : 5'd1);
        if (last_q) state_d = (hisel_q ? negr_q : negq_q) ? StFix : StDone;
      end
      StFix:  state_d = StDone;
      StDone: state_d = StIdle;
      default: ;  // idle
    endcase
    // The start, always from idle, where hi and lo have already loaded 0 and a (so the start
    // does not fan out to them). An operation the core does not wait for (it started one
    // for an illegal instruction, which traps) is dropped.
    if (start_i) begin
      count_d = s_shift ? shamt_i - 5'd1 : 5'd31;
      state_d = s_shift ? ((shamt_i == 5'd0) ? StDone : StStep) : (s_negr ? StNeg : StStep);
    end else if (!wait_i) begin
      state_d = StIdle;
    end
    // next cycle's adder operation: divide steps subtract |b| (add a negative b), negation
    // steps subtract; a multiply subtracts in its last step when a is negative and signed
    // a shift moves four bits while at least four are left (count_d >= 3); its step is the
    // last when none are left after it
    sh4_d  = (Shifts == 2) && (state_d == StStep) && shift && count_d >= 5'd3;
    last_d = (count_d == 5'd0) || ((Shifts == 2) && shift && count_d == 5'd3);
    if (div) sub_d = (state_d != StStep) || !flag;
    else     sub_d = (state_d == StStep) && flag && last_d;
    hmul_d = (state_d == StStep) && !div;
    hdiv_d = ((state_d == StStep) && div) || (state_d == StFix);
    lsum_d = (state_d == StNeg) || (state_d == StFix);
    lmul_d = (state_d == StStep) && !div && !shift;
    lsr_d  = (state_d == StStep) && shift && !sh4_d && (start_i ? op_i[2] : right_q);
    lsl_d  = (state_d == StStep) && (div || (shift && !sh4_d && !(start_i ? op_i[2] : right_q)));
    lsr4_d = sh4_d && (start_i ? op_i[2] : right_q);
    lsl4_d = sh4_d && !(start_i ? op_i[2] : right_q);
    xmul_d = (state_d == StStep) && !div && !shift;
    xdiv_d = (state_d == StStep) && div;
    // (the next lo[0] of a multiply: a[0] at the start, then lo[1])
    ysel_d = (state_d == StStep) && !shift && (div || (start_i ? a_i[0] : lo_q[1]));
    vhi_d  = (state_d == StFix) && hisel_q;
    vlo_d  = (state_d == StNeg) || ((state_d == StFix) && !hisel_q);
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= StIdle;
      count_q <= '0;
      last_q  <= 1'b0;
      hi_q    <= '0;
      lo_q    <= '0;
      shift_q <= 1'b0;
      right_q <= 1'b0;
      div_q   <= 1'b0;
      ysgn_q  <= 1'b0;
      flag_q  <= 1'b0;
      negq_q  <= 1'b0;
      negr_q  <= 1'b0;
      hisel_q <= 1'b0;
      sub_q   <= 1'b0;
      hmul_q  <= 1'b0;
      hdiv_q  <= 1'b0;
      lsum_q  <= 1'b0;
      lmul_q  <= 1'b0;
      lsr_q   <= 1'b0;
      lsl_q   <= 1'b0;
      lsr4_q  <= 1'b0;
      lsl4_q  <= 1'b0;
      sh4_q   <= 1'b0;
      xmul_q  <= 1'b0;
      xdiv_q  <= 1'b0;
      ysel_q  <= 1'b0;
      vhi_q   <= 1'b0;
      vlo_q   <= 1'b0;
    end else begin
      state_q <= state_d;
      count_q <= count_d;
      last_q  <= last_d;
      hi_q    <= hi_d;
      lo_q    <= lo_d;
      if (start_i) begin
        shift_q <= s_shift;
        right_q <= op_i[2];
        div_q   <= s_div;
        ysgn_q  <= s_ysgn;
        flag_q  <= s_flag;
        negq_q  <= s_negq;
        negr_q  <= s_negr;
        hisel_q <= s_hisel;
      end
      sub_q   <= sub_d;
      hmul_q  <= hmul_d;
      hdiv_q  <= hdiv_d;
      lsum_q  <= lsum_d;
      lmul_q  <= lmul_d;
      lsr_q   <= lsr_d;
      lsl_q   <= lsl_d;
      lsr4_q  <= lsr4_d;
      lsl4_q  <= lsl4_d;
      sh4_q   <= sh4_d;
      xmul_q  <= xmul_d;
      xdiv_q  <= xdiv_d;
      ysel_q  <= ysel_d;
      vhi_q   <= vhi_d;
      vlo_q   <= vlo_d;
    end
  end

  assign done_o   = (state_q == StDone);
  assign result_o = hisel_q ? hi_q[31:0] : lo_q;
endmodule

// The iterative shifter alone, for a core without the M extension (systole_rv32 HasM = 0,
// FastShift 0 or 2): the shift part of systole_rv32_muldiv, with its timing (shift by n:
// start_i, then n steps of one bit, or with Step4 = 1 n / 4 steps of four bits and n % 4
// of one, then the result cycle with done_o), in a fraction of its size: lo (32 bits), a
// 5-bit count of the bits left and a busy flag. The direction (right_i) and the fill
// (arith_i) are not latched: the core holds its instruction until done_o. A start always
// restarts (an operation for an illegal instruction, which traps, is left unfinished;
// done_o matters only while the core waits).
/* verilator lint_off DECLFILENAME */
module systole_rv32_shift #(
  parameter int Step4 = 0    // 1: four bits per cycle while at least four are left
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        start_i,
  input  logic        right_i,   // srl, sra (else sll)
  input  logic        arith_i,   // sra
  input  logic [31:0] a_i,       // rs1
  input  logic [4:0]  shamt_i,   // shift amount
  output logic        done_o,
  output logic [31:0] result_o
);
  logic        busy_q;
  logic [4:0]  count_q;          // bits left to shift
  logic [31:0] lo_q, lo_d;
  logic        step4;            // this step moves four bits
  logic        zero;             // no bits left: the result cycle

  assign zero  = (count_q == 5'd0);
  assign step4 = (Step4 != 0) && (count_q[4:2] != 3'd0);

  // lo loads a until a shift runs (so the start cycle loads it); the result cycle's next
  // value does not matter
  always_comb begin
    logic fill;
    fill = arith_i && lo_q[31];
    if (!busy_q)      lo_d = a_i;
    else if (right_i) lo_d = step4 ? {{4{fill}}, lo_q[31:4]} : {fill, lo_q[31:1]};
    else              lo_d = step4 ? {lo_q[27:0], 4'b0000} : {lo_q[30:0], 1'b0};
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q  <= 1'b0;
      count_q <= '0;
      lo_q    <= '0;
    end else begin
      lo_q <= lo_d;
      if (start_i) begin
        busy_q  <= 1'b1;
        count_q <= shamt_i;
      end else if (busy_q) begin
        busy_q  <= !zero;
        count_q <= count_q - (step4 ? 5'd4 : 5'd1);
      end
    end
  end

  assign done_o   = busy_q && zero;
  assign result_o = lo_q;
endmodule
/* verilator lint_on DECLFILENAME */
