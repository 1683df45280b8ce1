// EX engine: executes MATMUL commands (opcode 0x03) on the systolic array, CONFIG EX_ZP
// (0x04 key 2) and, on square arrays, SOFTMAX (0x08) with its softmax unit.
//
//   acc[ACC_LINE + m*ACC_STRIDE][n] (+)= sum_{r<Rows} (spad[A_LINE + m*A_STRIDE][r] - a_zp) *
//                                                     (spad[W_LINE + n][r] - w_zp)
//
// Zero points: CONFIG EX_ZP is applied when it is popped (in queue order, after the previous
// command has left stage 1). w_zp is subtracted from the weight bytes as they shift into the
// array, i.e. it belongs to the tile loaded by a LOAD_W command (a LOAD_W = 0 command reuses
// the tile with the w_zp it was loaded with); a_zp travels with each command into stage 2
// and is subtracted from the activation bytes as they enter the array. Operands are 9-bit.
//
// SOFTMAX (systole_softmax): stage 1 pops it (range checks), takes its WAIT tokens, waits
// until stage 2 and the result delay line are empty (every earlier accumulator write done),
// starts the unit and holds the command until the unit is done, so no later command starts
// before every scratchpad / accumulator line is written. SIG_PREV and SIG_NEXT are given in
// the cycle of the last write. The unit uses the accumulator read-modify-write port and the
// accumulator write port of the engine and a scratchpad write port of its own. Chunked
// modes (MODE != 0) also read / write their statistics lines through them; pop checks:
// Cols < 4 -> ILLEGAL_FIELD, STATS_LINE + ROWS - 1 -> ACC_RANGE, SPAD_LINE only for MODE 0
// and PROB (MAX / SUM write no probabilities).
//
// Two pipelined stages so that the next weight tile loads while the current one streams:
//
// * Stage 1 (weight stage) pops a command, checks every line it will touch (errors
//   ILLEGAL_FIELD, SPAD_RANGE, ACC_RANGE), takes its WAIT tokens and, if LOAD_W, shifts the
//   tile into the weight buffer the array is not streaming with (b = !cur_buf): it waits
//   until no activation tagged b can still be inside the array (per-buffer drain counter)
//   and then reads lines W_LINE+Cols-1 down to W_LINE, one per cycle, into the shift chain.
//   It then hands the command and its buffer tag to stage 2.
// * Stage 2 (stream stage) reads ROWS activation lines, one per cycle, and injects each into
//   the array the cycle after with the command's tag. Per row it pushes {write, accumulate,
//   acc line, SIG_NEXT give} into a delay line; Latency cycles after injection the result
//   vector arrives and is written to the accumulator (read-modify-write when ACCUMULATE,
//   the read issued one cycle before, with forwarding of the previous cycle's write).
//
// Token gives happen in command order: SIG_PREV in the cycle stage 2 issues the command's
// last activation read (ROWS = 0: the cycle stage 2 takes the command), SIG_NEXT in the
// cycle of the command's last accumulator write (ROWS = 0: a write-less delay-line entry, so
// after every accumulator write of earlier commands).
//
// On an error (own, held in err_o until reset) or while halt_i is 1 nothing new starts: no
// command is popped, commands held in either stage are dropped (so that busy_o can fall and
// a soft reset can complete), no row is read; rows already inside the array are finished.
// Line addresses and strides are held in the bits below the memory depth only: the range
// checks guarantee that every line a command touches is below it.
//
// UseIce40Dsp = 1 also selects the iCE40 area variant (Lean, docs/ex.md): one weight buffer
// (a LOAD_W command loads only once no row of an earlier command is in the array; no tags),
// weights written by column, operands converted to sign-magnitude before the array, and the
// MATMUL range check done serially in stage 1 (max(log2 lines) + 1 cycles after the pop,
// before the tokens are taken or anything is read).
// See docs/ex.md for timing and ports.
module systole_ex #(
  parameter int Rows      = 8,     // PE rows = scratchpad line bytes (K per cycle)
  parameter int Cols      = 8,     // PE columns = accumulator line int32 count (N per cycle)
  parameter int SpadLines = 8192,  // scratchpad lines (lines >= SpadLines are SPAD_RANGE)
  parameter int AccLines  = 512,   // accumulator lines (lines >= AccLines are ACC_RANGE)
  parameter int HasSoftmax = 1,    // 0: no softmax unit even on a square array
  parameter int UseIce40Dsp = 0,   // 1: PE products on iCE40 SB_MAC16s, two per DSP
  // 1: the activation and weight reads share one scratchpad read port (spad_a_* and
  // spad_w_* go to the same RAM port; a weight-line read has priority, the activation
  // stream pauses in that cycle)
  parameter int SpadOneRead = 0,
  // 1 (Lean, no softmax unit): the accumulator is written and read column by column, each
  // column as soon as the array presents it (no output de-skew): acc_col_* below, one
  // accumulator memory per column in systole_top
  parameter int AccCols = 0
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  // command queue
  input  logic               cmd_valid_i,
  output logic               cmd_ready_o,
  input  logic [255:0]       cmd_i,
  input  logic [15:0]        cmd_idx_i,
  // dependency tokens
  input  logic               tok_ld2ex_avail_i,
  output logic               tok_ld2ex_take_o,
  input  logic               tok_st2ex_avail_i,
  output logic               tok_st2ex_take_o,
  output logic               tok_ex2ld_give_o,
  output logic               tok_ex2st_give_o,
  // control and errors
  input  logic               halt_i,
  output logic               busy_o,
  output logic               err_o,
  output logic [7:0]         err_code_o,
  output logic [15:0]        err_idx_o,
  // scratchpad read port A: activations
  output logic               spad_a_re_o,
  output logic [15:0]        spad_a_raddr_o,
  input  logic [Rows*8-1:0]  spad_a_rdata_i,
  // scratchpad read port B: weights
  output logic               spad_w_re_o,
  output logic [15:0]        spad_w_raddr_o,
  input  logic [Rows*8-1:0]  spad_w_rdata_i,
  // accumulator read (for read-modify-write) and full-line write (priority over LD)
  output logic               acc_re_o,
  output logic [15:0]        acc_raddr_o,
  input  logic [Cols*32-1:0] acc_rdata_i,
  output logic               acc_we_o,
  output logic [15:0]        acc_waddr_o,
  output logic [Cols*32-1:0] acc_wdata_o,
  // per column (AccCols; otherwise every column repeats the line signals above): column c
  // of acc_wdata_o goes to line acc_col_waddr_o[c] when acc_col_we_o[c]; acc_rdata_i
  // column c is read with acc_col_re_o[c]. acc_we_o / acc_re_o are then the OR of them.
  output logic [Cols-1:0]    acc_col_re_o,
  output logic [Cols*16-1:0] acc_col_raddr_o,
  output logic [Cols-1:0]    acc_col_we_o,
  output logic [Cols*16-1:0] acc_col_waddr_o,
  // scratchpad full-line write of the softmax unit (priority over the LD engine)
  output logic               spad_we_o,
  output logic [15:0]        spad_waddr_o,
  output logic [Rows*8-1:0]  spad_wdata_o,
  // performance events
  output logic               compute_o,      // a valid activation row enters the array
  output logic               stall_dep_o,    // stage 1 waits for a dependency token
  output logic               stall_wload_o   // the array idles while a weight tile loads
);
  localparam bit Lean       = (UseIce40Dsp != 0);
  // Array latency: input vector on the array's a_i to its result on out_o (Lean: the
  // activations are broadcast along each row, every column's result comes after Rows)
  localparam int Latency = Lean ? Rows : Rows + Cols - 1;

  // Drain time of a weight buffer, counted from the *read* of the last activation row tagged
  // with it (it enters the array the cycle after). That row meets the last PE at
  // read + 1 + Latency - 1; the first weight shift of a new load comes one cycle after its
  // first read, so the load may start at read + Latency - 2 at the earliest. Latency gives
  // two cycles of margin and still lets a LOAD_W command of ROWS >= Rows + 2*Cols - 1
  // follow its predecessor with no bubble.
  localparam int DrainCycles = Latency;
  localparam int DrainW      = $clog2(DrainCycles + 1);
  localparam int WcntW       = $clog2(Cols);

  localparam logic [7:0] ErrIllegalField = 8'd2;
  localparam logic [7:0] ErrSpadRange    = 8'd3;
  localparam logic [7:0] ErrAccRange     = 8'd4;

  localparam logic [7:0] OpConfig  = 8'h04;  // only key 2 (EX_ZP) reaches this queue
  localparam logic [7:0] OpSoftmax = 8'h08;
  // The softmax unit exists on square arrays only (one accumulator line = one scratchpad
  // line of keys), and only if HasSoftmax; CFG_FEATURES.SOFTMAX reports the same condition.
  localparam bit SmUnit     = (HasSoftmax != 0) && (Rows == Cols);
  localparam bit ColsPow2   = ((Cols & (Cols - 1)) == 0);
  // line address bits (a line that passed its range check is below the depth)
  localparam int SpadLw = (SpadLines > 1) ? $clog2(SpadLines) : 1;
  localparam int AccLw  = (AccLines > 1) ? $clog2(AccLines) : 1;
  // Lean: serial range check, one bit of ROWS-1 per cycle
  localparam int MaxLw  = (SpadLw > AccLw) ? SpadLw : AccLw;
  localparam int CkW    = $clog2(MaxLw + 1);
  localparam bit SpadPow2 = ((SpadLines & (SpadLines - 1)) == 0);
  localparam bit AccPow2  = ((AccLines & (AccLines - 1)) == 0);

  // x >= SpadLines / AccLines: for a power of two only the bits at and above its log2 count
  // (no comparator)
  function automatic logic ge_spad(input logic [33:0] x);
    if (SpadPow2) ge_spad = (x >> SpadLw) != 34'd0;
    else          ge_spad = x >= 34'(SpadLines);
  endfunction
  function automatic logic ge_acc(input logic [33:0] x);
    if (AccPow2) ge_acc = (x >> AccLw) != 34'd0;
    else         ge_acc = x >= 34'(AccLines);
  endfunction
  // x > k for a constant k, bit by bit from the least significant bit (LUTs only; Yosys
  // would give a comparison a carry chain)
  function automatic logic gt_k(input logic [15:0] x, input int k);
    logic g;
    g = 1'b0;
    for (int i = 0; i < 16; i++) g = ((k >> i) & 1) != 0 ? (x[i] && g) : (x[i] || g);
    gt_k = (k > 65535) ? 1'b0 : (g || (k < 0));
  endfunction

  // ---------------------------------------------------------------------------------------
  // Command fields (docs/architecture.md, MATMUL)
  // ---------------------------------------------------------------------------------------
  logic        c_wait_prev, c_wait_next, c_sig_prev, c_sig_next, c_accum, c_load_w;
  logic [15:0] c_rows, c_a_line, c_a_stride, c_acc_line, c_acc_stride, c_w_line;

  assign c_wait_prev  = cmd_i[8];
  assign c_wait_next  = cmd_i[9];
  assign c_sig_prev   = cmd_i[10];
  assign c_sig_next   = cmd_i[11];
  assign c_accum      = cmd_i[12];
  assign c_load_w     = cmd_i[13];
  assign c_rows       = cmd_i[31:16];
  assign c_a_line     = cmd_i[47:32];
  assign c_a_stride   = cmd_i[63:48];
  assign c_acc_line   = cmd_i[79:64];
  assign c_acc_stride = cmd_i[95:80];
  assign c_w_line     = cmd_i[111:96];

  logic [7:0] c_opcode;
  logic       c_is_cfg, c_is_sm, c_is_mm;
  assign c_opcode = cmd_i[7:0];
  assign c_is_cfg = (c_opcode == OpConfig);
  assign c_is_sm  = (c_opcode == OpSoftmax);
  assign c_is_mm  = !c_is_cfg && !c_is_sm;  // the queue carries MATMUL, CONFIG, SOFTMAX

  // SOFTMAX fields used by the range check (the unit latches the whole command)
  logic [15:0] c_sm_n_keys, c_sm_spad_line, c_sm_spad_ts;
  assign c_sm_n_keys    = cmd_i[79:64];
  assign c_sm_spad_line = cmd_i[95:80];
  assign c_sm_spad_ts   = cmd_i[111:96];
  // chunked rows: MODE w2[41:40] (0 whole row, 1 MAX, 2 SUM, 3 PROB), STATS_LINE w2[63:48]
  logic [1:0]  c_sm_mode;
  logic [15:0] c_sm_stats;
  assign c_sm_mode      = cmd_i[169:168];
  assign c_sm_stats     = cmd_i[191:176];

  // bits 14..15 and words 2, 3 are only used by the softmax unit
  logic unused_cmd;
  assign unused_cmd = ^{cmd_i[255:112], cmd_i[15:14]};

  // ---------------------------------------------------------------------------------------
  // State
  // ---------------------------------------------------------------------------------------
  // error
  logic        err_q, err_d;
  logic        stop;  // start nothing, drop held commands
  assign stop = err_q || halt_i;

  // weight buffers
  logic cur_buf_q, cur_buf_d;      // buffer holding the latest loaded tile
  logic w_loaded_q, w_loaded_d;    // a tile has been (or is being) loaded since reset
  // Lean: a LOAD_W command's serial check passed last cycle (w_loaded is set a cycle after
  // the check's last step, off the path through its two adders; the next command is popped
  // several cycles later: the tokens, the Cols weight reads and the hand-over come first)
  logic ck_ok_q;
  logic [DrainW-1:0] drain0_q, drain0_d, drain1_q, drain1_d;
  logic w_rd_q, w_rd_d;            // a weight line read last cycle: shift it in now
  logic w_rd_buf_q, w_rd_buf_d;    // ... into this buffer
  logic [7:0] w_rd_zp_q, w_rd_zp_d; // ... minus this weight zero point
  logic [$clog2(Cols)-1:0] w_rd_col_q, w_rd_col_d;  // Lean: ... into this column

  // zero points (CONFIG EX_ZP), applied at pop
  logic [7:0] a_zp_q, a_zp_d, w_zp_q, w_zp_d;

  // softmax command in stage 1
  logic s1_sm_q, s1_sm_d;          // stage 1 holds a SOFTMAX
  logic s1_sm_run_q, s1_sm_run_d;  // ... and the unit runs it

  // stage 1
  logic              s1_valid_q, s1_valid_d;
  logic [7:0]        s1_chk_q, s1_chk_d;         // error code found by the range check
  logic              s1_need_prev_q, s1_need_prev_d, s1_need_next_q, s1_need_next_d;
  logic              s1_wload_q, s1_wload_d;     // weight tile still to load
  logic              s1_loading_q, s1_loading_d; // weight line reads under way
  logic [WcntW-1:0]  s1_wcnt_q, s1_wcnt_d;       // weight lines left to read - 1
  logic [SpadLw-1:0] s1_waddr_q, s1_waddr_d;     // next weight line to read
  logic [15:0]       s1_rows_q, s1_rows_d;
  logic [SpadLw-1:0] s1_a_line_q, s1_a_line_d, s1_a_stride_q, s1_a_stride_d;
  logic [AccLw-1:0]  s1_acc_line_q, s1_acc_line_d, s1_acc_stride_q, s1_acc_stride_d;
  // Lean: serial range check of (ROWS-1)*stride (Horner, most significant bit first)
  logic              s1_ck_q, s1_ck_d;           // check under way
  logic [CkW-1:0]    s1_ckcnt_q, s1_ckcnt_d;     // bits of ROWS-1 left
  logic [MaxLw-1:0]  s1_n_q, s1_n_d;             // ROWS-1, shifted left one bit per cycle
  logic [SpadLw+1:0] s1_pa_q, s1_pa_d;           // (ROWS-1)*A_STRIDE, the bits so far
  logic [AccLw+1:0]  s1_pc_q, s1_pc_d;           // (ROWS-1)*ACC_STRIDE, the bits so far
  logic              s1_bad_a_q, s1_bad_a_d, s1_bad_c_q, s1_bad_c_d;  // known out of range
  logic [15:0]       s1_idx_q, s1_idx_d;
  logic              s1_accum_q, s1_accum_d, s1_sig_prev_q, s1_sig_prev_d;
  logic              s1_sig_next_q, s1_sig_next_d;

  // stage 2
  logic        s2_valid_q, s2_valid_d;
  logic        s2_tag_q, s2_tag_d;
  logic [15:0] s2_rows_q, s2_rows_d;             // rows left to read (0: ROWS = 0 command)
  logic [SpadLw-1:0] s2_a_line_q, s2_a_line_d, s2_a_stride_q, s2_a_stride_d;
  logic [AccLw-1:0]  s2_acc_line_q, s2_acc_line_d, s2_acc_stride_q, s2_acc_stride_d;
  logic        s2_accum_q, s2_accum_d, s2_sig_prev_q, s2_sig_prev_d, s2_sig_next_q, s2_sig_next_d;
  logic [7:0]  s2_a_zp_q, s2_a_zp_d;             // activation zero point of the command
  // Lean: the command in stage 2 accumulates with ACC_STRIDE = 0 (in the line bits), i.e.
  // each row accumulates into the line the row before it wrote (see acc_haz)
  logic        s2_azs_q, s2_azs_d;

  // Fields of the command in stage 1. Lean: a command is popped only when stage 2 is empty
  // (or finishing), so its fields go straight into the stage 2 registers and stage 1 has
  // no copy of them (they are read there: serial check, SOFTMAX token flags).
  logic [15:0]       f_rows;
  logic [SpadLw-1:0] f_a_line, f_a_stride;
  logic [AccLw-1:0]  f_acc_line, f_acc_stride;
  logic              f_accum, f_sig_prev, f_sig_next;
  assign f_rows       = Lean ? s2_rows_q       : s1_rows_q;
  assign f_a_line     = Lean ? s2_a_line_q     : s1_a_line_q;
  assign f_a_stride   = Lean ? s2_a_stride_q   : s1_a_stride_q;
  assign f_acc_line   = Lean ? s2_acc_line_q   : s1_acc_line_q;
  assign f_acc_stride = Lean ? s2_acc_stride_q : s1_acc_stride_q;
  assign f_accum      = Lean ? s2_accum_q      : s1_accum_q;
  assign f_sig_prev   = Lean ? s2_sig_prev_q   : s1_sig_prev_q;
  assign f_sig_next   = Lean ? s2_sig_next_q   : s1_sig_next_q;

  // injection (activation read last cycle) and result delay line; entry k is the row whose
  // activation was read k+1 cycles ago. Entry Latency-1 issues the accumulator read, entry
  // Latency (its result is on the array output now) writes.
  localparam int DlLen = Latency + 1;
  logic                inj_valid_q, inj_valid_d, inj_tag_q, inj_tag_d;
  logic [7:0]          inj_zp_q, inj_zp_d;
  logic [DlLen-1:0]    dl_we_q, dl_we_d, dl_accum_q, dl_accum_d, dl_give_q, dl_give_d;
  logic [DlLen*AccLw-1:0] dl_line_q, dl_line_d;

  // accumulator write forwarding
  logic               fwd_we_q, fwd_we_d;
  logic [AccLw-1:0]   fwd_line_q, fwd_line_d;
  logic [Cols*32-1:0] fwd_data_q, fwd_data_d;

  // Range check of the command at the queue head (used when it is popped). Exact: the last
  // row's line is base + (ROWS-1)*stride in 33 bits; rows in between lie below it. Lean: the
  // MATMUL span is checked serially in stage 1 instead (below); here only what needs no
  // product: a factor at or above the depth makes the command out of range unless the
  // other factor is 0, and so does a base at or above it.
  logic [15:0] rows_m1;
  logic        a_bad, acc_bad;
  logic        a_big, acc_big;           // Lean: out of range without the product
  logic [7:0]  chk_code;
  logic [15:0] sm_jt_m1;                 // key tiles - 1
  logic [31:0] sm_acc_span, sm_spad_span;
  logic [32:0] sm_acc_last, sm_spad_last;
  logic [16:0] sm_stats_last;            // chunked: last statistics line

  always_comb begin
    rows_m1  = c_rows - 16'd1;
    // (used only for ROWS > 0: ROWS-1 >= depth <=> ROWS > depth, ROWS-1 != 0 <=> ROWS != 1,
    // without the 16-bit decrement)
    a_big    = ge_spad(34'(c_a_line)) || (gt_k(c_rows, SpadLines) && c_a_stride != 16'd0) ||
               (ge_spad(34'(c_a_stride)) && c_rows != 16'd1);
    acc_big  = ge_acc(34'(c_acc_line)) || (gt_k(c_rows, AccLines) && c_acc_stride != 16'd0) ||
               (ge_acc(34'(c_acc_stride)) && c_rows != 16'd1);
    if (Lean) begin
      a_bad   = 1'b0;   // checked in stage 1
      acc_bad = 1'b0;
    end else begin
      a_bad   = (33'(c_a_line) + 33'(32'(rows_m1) * 32'(c_a_stride))) >= 33'(SpadLines);
      acc_bad = (33'(c_acc_line) + 33'(32'(rows_m1) * 32'(c_acc_stride))) >= 33'(AccLines);
    end
    // SOFTMAX: last line of the last row's last key tile
    sm_jt_m1     = ColsPow2 ? ((c_sm_n_keys - 16'd1) >> $clog2(Cols))
                            : ((c_sm_n_keys - 16'd1) / 16'(Cols));
    sm_acc_span  = 32'(sm_jt_m1) * 32'(c_a_stride);     // ACC_TSTRIDE
    sm_spad_span = 32'(sm_jt_m1) * 32'(c_sm_spad_ts);
    sm_acc_last  = 33'(c_a_line) + 33'(rows_m1) + 33'(sm_acc_span);  // ACC_LINE = A_LINE bits
    sm_spad_last = 33'(c_sm_spad_line) + 33'(rows_m1) + 33'(sm_spad_span);
    sm_stats_last = 17'(c_sm_stats) + 17'(rows_m1);
    chk_code = 8'd0;
    if (c_is_cfg) begin
      chk_code = 8'd0;
    end else if (c_is_sm) begin
      if (!SmUnit || c_rows == 16'd0 || c_sm_n_keys == 16'd0 || c_sm_n_keys > 16'd32768 ||
          (c_sm_mode != 2'd0 && Cols < 4)) begin
        chk_code = ErrIllegalField;
      end else if ((c_sm_mode == 2'd0 || c_sm_mode == 2'd3) &&  // MAX / SUM write no probabilities
                   sm_spad_last >= 33'(SpadLines)) begin
        chk_code = ErrSpadRange;
      end else if (sm_acc_last >= 33'(AccLines) ||
                   (c_sm_mode != 2'd0 && sm_stats_last >= 17'(AccLines))) begin
        chk_code = ErrAccRange;
      end
    end else if (!c_load_w && !w_loaded_q) begin
      chk_code = ErrIllegalField;
    end else if ((c_load_w && gt_k(c_w_line, SpadLines - Cols)) ||   // W_LINE + Cols - 1 >= SpadLines
                 (c_rows != 16'd0 && a_bad)) begin
      chk_code = ErrSpadRange;
    end else if (c_rows != 16'd0 && acc_bad) begin
      chk_code = ErrAccRange;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Stage 1 / stage 2 control
  // ---------------------------------------------------------------------------------------
  logic s1_active, s1_toks_ok, s1_can_start, s1_load_go, s1_load_last, s1_done;
  logic s2_take, s2_finish, s2_fin_pop, s2_read, s1_err;
  logic pop;
  logic sm_start, sm_done, sm_busy, s1_sm_fin;
  logic b_busy;                    // the buffer a new tile would go to is still in use
  logic push_we, push_give;
  logic ck_go, ck_last;            // Lean: a serial range check step, its last one
  logic [SpadLw+1:0] ck_pa, ck_end_a;  // Lean: next partial products, + base
  logic [AccLw+1:0]  ck_pc, ck_end_c;
  logic ck_bad_a, ck_bad_c;        // Lean: result of the last step
  logic acc_haz;                   // Lean: the next row would read a line being written

  always_comb begin
    // stage 1
    s1_active  = s1_valid_q && !stop && (s1_chk_q == 8'd0) && !s1_ck_q;
    s1_err     = s1_valid_q && !err_q && (s1_chk_q != 8'd0) && !s1_ck_q;
    s1_toks_ok = (!s1_need_prev_q || tok_ld2ex_avail_i) && (!s1_need_next_q || tok_st2ex_avail_i);
    if (Lean) begin
      // one buffer: every row of earlier commands must have left the array
      b_busy   = (drain0_q != '0) || s2_valid_q;
    end else begin
      b_busy   = (cur_buf_q ? (drain0_q != '0) : (drain1_q != '0)) ||
                 (s2_valid_q && (s2_tag_q != cur_buf_q));
    end
    s1_can_start = s1_active && s1_toks_ok && s1_wload_q && (s1_loading_q || !b_busy);
    s1_load_go   = s1_can_start;
    s1_load_last = s1_load_go && (s1_wcnt_q == '0);
    s1_done      = s1_active && s1_toks_ok && !s1_sm_q && (!s1_wload_q || s1_load_last);
    // SOFTMAX: starts once every earlier row is written (stage 2 and delay line empty)
    sm_start     = s1_active && s1_toks_ok && s1_sm_q && !s1_sm_run_q && !s2_valid_q &&
                   !inj_valid_q && (dl_we_q == '0) && (dl_give_q == '0);
    s1_sm_fin    = s1_active && s1_sm_q && s1_sm_run_q && sm_done;

    // stage 2; Lean: a row that accumulates into the line the row read in the previous
    // cycle waits a cycle, so that its accumulator read comes after that row's write (no
    // forwarding)
    // (dl_line_q[0] == s2_acc_line_q, the last read's line against this one's: with a row
    // read last cycle by the same command, equal iff the command accumulates with stride 0,
    // registered at its pop, s2_azs_q; a command's first read comes two cycles or more after
    // the previous command's last one: its pop, then the take, then the read. The
    // comparison is off the path from the flops through the read and finish decisions
    // to the pop and the token counters.)
    acc_haz   = Lean && dl_we_q[0] && s2_azs_q;
    // (Lean: stage 1 and stage 2 never hold commands at the same time, see cmd_ready_o, so a
    // weight line read never meets a stage 2 read)
    s2_read   = s2_valid_q && !stop && (s2_rows_q != 16'd0) &&
                !(SpadOneRead != 0 && !Lean && s1_load_go) && !acc_haz;
    s2_finish = s2_valid_q && !stop && ((s2_rows_q == 16'd0) || (s2_rows_q == 16'd1 && s2_read));
    s2_take   = s1_done && (!s2_valid_q || s2_finish);
    // Lean: s2_finish for a pop, which needs stage 1 empty or finishing a SOFTMAX: then no
    // weight line is read (s1_load_go = 0), so the read does not wait for the shared port
    // and the result is s2_finish; written without s1_load_go so that the command ready
    // (and the dispatch, the counters behind it) does not depend on the token flags
    s2_fin_pop = s2_valid_q && !stop && ((s2_rows_q == 16'd0) || (s2_rows_q == 16'd1 && !acc_haz));

    // Lean: stage 1 has no copy of the fields (see f_rows): pop only into an empty stage 1
    // while stage 2 is empty or finishing
    // (a CONFIG only into an empty stage 2, so that a_zp_q stays valid until the last row's
    // conversion, the cycle after its read: Lean has no copy of the zero points per command)
    if (Lean) cmd_ready_o = !stop && (!s1_valid_q || s1_sm_fin) &&
                            (!s2_valid_q || (s2_fin_pop && !c_is_cfg));
    else      cmd_ready_o = !stop && (!s1_valid_q || s2_take || s1_sm_fin);
    pop         = cmd_valid_i && cmd_ready_o;

    // Lean: serial range check, one bit of ROWS-1 per cycle (most significant first):
    // p = 2p + bit*stride, flagged out of range as soon as p reaches the depth (it can only
    // grow); after the last bit base + p is compared. Factors and bases at or above the
    // depth were flagged at the pop (a_big, acc_big), so p < depth before each step and
    // 2p + stride < 3 * depth fits in Lw + 2 bits.
    ck_go    = s1_valid_q && s1_ck_q && !stop;
    ck_last  = ck_go && (s1_ckcnt_q == CkW'(1));
    ck_pa    = {s1_pa_q[SpadLw:0], 1'b0} + (s1_n_q[MaxLw-1] ? (SpadLw+2)'(f_a_stride) : '0);
    ck_pc    = {s1_pc_q[AccLw:0], 1'b0} + (s1_n_q[MaxLw-1] ? (AccLw+2)'(f_acc_stride) : '0);
    // (p < 3 * depth and base < depth: Lw + 2 bits hold their sum)
    ck_end_a = ck_pa + (SpadLw+2)'(f_a_line);
    ck_end_c = ck_pc + (AccLw+2)'(f_acc_line);
    ck_bad_a = s1_bad_a_q || ge_spad(34'(ck_end_a));
    ck_bad_c = s1_bad_c_q || ge_acc(34'(ck_end_c));
  end

  // tokens and events
  assign tok_ld2ex_take_o = s1_active && s1_need_prev_q && tok_ld2ex_avail_i;
  assign tok_st2ex_take_o = s1_active && s1_need_next_q && tok_st2ex_avail_i;
  assign stall_dep_o      = s1_active && !s1_toks_ok;
  assign stall_wload_o    = s1_active && s1_toks_ok && s1_wload_q && !s2_valid_q;
  assign tok_ex2ld_give_o = (s2_finish && s2_sig_prev_q) || (s1_sm_fin && f_sig_prev);
  assign tok_ex2st_give_o = dl_give_q[Latency] || (s1_sm_fin && f_sig_next);
  assign compute_o        = inj_valid_q;

  // memory reads
  assign spad_w_re_o    = s1_load_go;
  assign spad_w_raddr_o = 16'(s1_waddr_q);
  assign spad_a_re_o    = s2_read;
  assign spad_a_raddr_o = 16'(s2_a_line_q);

  always_comb begin
    // ---- errors ----
    err_d      = err_q;
    if (s1_err) begin
      err_d      = 1'b1;
    end

    // ---- weight buffers ----
    cur_buf_d  = s1_load_last ? !cur_buf_q : cur_buf_q;
    // set when a LOAD_W command passes its checks, so that a LOAD_W=0 command popped while
    // that tile is still loading is legal (it will use that tile); Lean: a command with
    // rows passes them at the end of its serial check, before the next one can be popped
    w_loaded_d = w_loaded_q ||
                 (pop && c_is_mm && c_load_w && (chk_code == 8'd0) && !(Lean && c_rows != 16'd0)) ||
                 ck_ok_q;
    w_rd_d     = s1_load_go;
    w_rd_buf_d = !cur_buf_q;
    w_rd_zp_d  = w_zp_q;
    // Lean reads the tile's lines upwards (W_LINE first: no adder), column Cols-1-wcnt
    w_rd_col_d = Lean ? WcntW'(Cols - 1) - s1_wcnt_q : s1_wcnt_q;

    // ---- zero points: a CONFIG is applied when popped, after every earlier command has
    // left stage 1 (its weights read, its a_zp copied into stage 2) ----
    a_zp_d = a_zp_q;
    w_zp_d = w_zp_q;
    if (pop && c_is_cfg) begin
      a_zp_d = cmd_i[71:64];
      w_zp_d = cmd_i[79:72];
    end
    drain0_d   = (drain0_q != '0) ? drain0_q - 1'b1 : drain0_q;
    drain1_d   = (drain1_q != '0) ? drain1_q - 1'b1 : drain1_q;
    if (s2_read && (Lean || !s2_tag_q)) drain0_d = DrainW'(DrainCycles);
    if (s2_read && !Lean && s2_tag_q)   drain1_d = DrainW'(DrainCycles);

    // ---- stage 1 ----
    s1_valid_d      = s1_valid_q;
    s1_chk_d        = s1_chk_q;
    s1_need_prev_d  = s1_need_prev_q && !tok_ld2ex_take_o;
    s1_need_next_d  = s1_need_next_q && !tok_st2ex_take_o;
    s1_wload_d      = s1_wload_q && !s1_load_last;
    s1_loading_d    = (s1_loading_q || s1_load_go) && !s1_load_last;
    s1_wcnt_d       = s1_load_go ? s1_wcnt_q - 1'b1 : s1_wcnt_q;
    s1_waddr_d      = !s1_load_go ? s1_waddr_q : Lean ? s1_waddr_q + 1'b1 : s1_waddr_q - 1'b1;
    s1_rows_d       = s1_rows_q;
    s1_a_line_d     = s1_a_line_q;
    s1_a_stride_d   = s1_a_stride_q;
    s1_acc_line_d   = s1_acc_line_q;
    s1_acc_stride_d = s1_acc_stride_q;
    s1_idx_d        = s1_idx_q;
    s1_accum_d      = s1_accum_q;
    s1_sig_prev_d   = s1_sig_prev_q;
    s1_sig_next_d   = s1_sig_next_q;
    s1_sm_d         = s1_sm_q;
    s1_sm_run_d     = s1_sm_run_q || sm_start;
    s1_ck_d         = s1_ck_q && !ck_last && !stop;
    s1_ckcnt_d      = ck_go ? s1_ckcnt_q - 1'b1 : s1_ckcnt_q;
    s1_n_d          = ck_go ? (s1_n_q << 1) : s1_n_q;
    s1_pa_d         = ck_go ? ck_pa : s1_pa_q;
    s1_pc_d         = ck_go ? ck_pc : s1_pc_q;
    s1_bad_a_d      = ck_go ? (s1_bad_a_q || ge_spad(34'(ck_pa))) : s1_bad_a_q;
    s1_bad_c_d      = ck_go ? (s1_bad_c_q || ge_acc(34'(ck_pc))) : s1_bad_c_q;
    if (ck_last && s1_chk_q == 8'd0) begin
      if (ck_bad_a)      s1_chk_d = ErrSpadRange;
      else if (ck_bad_c) s1_chk_d = ErrAccRange;
    end
    if (s2_take || s1_err || stop || s1_sm_fin) begin
      s1_valid_d  = 1'b0;
      s1_sm_d     = 1'b0;
      s1_sm_run_d = 1'b0;
    end
    if (pop && !c_is_cfg) begin
      s1_valid_d      = 1'b1;
      s1_sm_d         = c_is_sm;
      s1_sm_run_d     = 1'b0;
      s1_chk_d        = chk_code;
      s1_need_prev_d  = c_wait_prev;
      s1_need_next_d  = c_wait_next;
      s1_wload_d      = c_load_w && c_is_mm;
      s1_loading_d    = 1'b0;
      s1_wcnt_d       = WcntW'(Cols - 1);
      s1_waddr_d      = Lean ? SpadLw'(c_w_line) : SpadLw'(c_w_line + 16'(Cols - 1));
      s1_rows_d       = c_rows;
      s1_a_line_d     = SpadLw'(c_a_line);
      s1_a_stride_d   = SpadLw'(c_a_stride);
      s1_acc_line_d   = AccLw'(c_acc_line);
      s1_acc_stride_d = AccLw'(c_acc_stride);
      // Lean: the serial check of a MATMUL with rows that passed the other checks
      s1_ck_d         = Lean && c_is_mm && (c_rows != 16'd0) && (chk_code == 8'd0);
      s1_ckcnt_d      = CkW'(MaxLw);
      s1_n_d          = c_rows[MaxLw-1:0] - MaxLw'(1);   // ROWS-1
      s1_pa_d         = '0;
      s1_pc_d         = '0;
      s1_bad_a_d      = a_big;
      s1_bad_c_d      = acc_big;
      s1_idx_d        = cmd_idx_i;
      s1_accum_d      = c_accum;
      s1_sig_prev_d   = c_sig_prev;
      s1_sig_next_d   = c_sig_next;
    end

    // ---- stage 2 ----
    s2_valid_d      = s2_valid_q;
    s2_tag_d        = s2_tag_q;
    s2_rows_d       = s2_read ? s2_rows_q - 16'd1 : s2_rows_q;
    s2_a_line_d     = s2_read ? s2_a_line_q + s2_a_stride_q : s2_a_line_q;
    s2_a_stride_d   = s2_a_stride_q;
    s2_acc_line_d   = s2_read ? s2_acc_line_q + s2_acc_stride_q : s2_acc_line_q;
    s2_acc_stride_d = s2_acc_stride_q;
    s2_accum_d      = s2_accum_q;
    s2_sig_prev_d   = s2_sig_prev_q;
    s2_sig_next_d   = s2_sig_next_q;
    s2_a_zp_d       = s2_a_zp_q;
    s2_azs_d        = s2_azs_q;
    if (s2_finish || stop) s2_valid_d = 1'b0;
    if (s2_take) begin
      s2_valid_d      = 1'b1;
      s2_tag_d        = cur_buf_d;
      s2_rows_d       = f_rows;          // Lean: these are the stage 2 registers already
      s2_a_line_d     = f_a_line;
      s2_a_stride_d   = f_a_stride;
      s2_acc_line_d   = f_acc_line;
      s2_acc_stride_d = f_acc_stride;
      s2_accum_d      = f_accum;
      s2_sig_prev_d   = f_sig_prev;
      s2_sig_next_d   = f_sig_next;
      s2_a_zp_d       = a_zp_q;
    end
    if (Lean && pop && !c_is_cfg) begin
      // Lean: the popped command's fields (stage 2 is empty or finishing, s2_valid_d = 0)
      s2_rows_d       = c_rows;
      s2_a_line_d     = SpadLw'(c_a_line);
      s2_a_stride_d   = SpadLw'(c_a_stride);
      s2_acc_line_d   = AccLw'(c_acc_line);
      s2_acc_stride_d = AccLw'(c_acc_stride);
      s2_accum_d      = c_accum;
      s2_sig_prev_d   = c_sig_prev;
      s2_sig_next_d   = c_sig_next;
      s2_azs_d        = c_accum && (AccLw'(c_acc_stride) == '0);
    end

    // ---- injection and delay line ----
    inj_valid_d = s2_read;
    inj_tag_d   = s2_tag_q;
    inj_zp_d    = s2_a_zp_q;
    push_we     = s2_read;
    push_give   = s2_finish && s2_sig_next_q;
    dl_we_d     = {dl_we_q[DlLen-2:0], push_we};
    dl_accum_d  = {dl_accum_q[DlLen-2:0], s2_accum_q};
    dl_give_d   = {dl_give_q[DlLen-2:0], push_give};
    dl_line_d   = {dl_line_q[(DlLen-1)*AccLw-1:0], s2_acc_line_q};

    // ---- accumulator write forwarding ----
    fwd_we_d   = acc_we_o;
    fwd_line_d = AccLw'(acc_waddr_o);
    fwd_data_d = acc_wdata_o;
  end

  // ---------------------------------------------------------------------------------------
  // Array and accumulator read-modify-write
  // ---------------------------------------------------------------------------------------
  logic [Cols*32-1:0] arr_out, acc_old;
  logic [Rows*9-1:0]  arr_a, arr_w;
  // Lean: row 0's activation magnitude is not 0, i.e. its byte differs from the zero point
  // (the DSP pair of row 0 needs it for its exact product sign in the same cycle; the
  // equality is three LUT levels, the magnitude itself two carry chains)
  logic               arr_a0_nz;
  // Lean: row 0's weight magnitude is not 0 (likewise, for the DSPs' weight sign flip-flops;
  // the converter's two carry chains and an 8-bit zero test were the slowest path)
  logic               arr_w0_nz;

  // int8 byte minus int8 zero point (-255..255) in sign-magnitude form {sign, |d|} (Lean).
  // Written for iCE40 carry chains: d = x + ~z + 1 (the complement folds into the zero
  // point's multiplexer LUT) and |d| = (d ^ {8{sign}}) + sign (an incrementer whose XOR sits
  // in its LUTs), about 17 LUTs instead of 30 for d and 0 - d with a multiplexer.
  function automatic logic [8:0] sub_sm(input logic [7:0] x, input logic [7:0] z);
    logic [7:0] zn, m;
    logic [8:0] d;
    zn     = ~z;
    d      = {x[7], x} + {zn[7], zn} + 9'd1;
    m      = (d[7:0] ^ {8{d[8]}}) + {7'd0, d[8]};   // |d| <= 255: no carry out
    sub_sm = {d[8], m};
  endfunction

  if (Lean && SpadOneRead != 0) begin : g_cv_shared
    // Lean, one scratchpad read port: a weight line and an activation line never arrive in
    // the same cycle, so one converter serves both (with the zero point of what arrives).
    // Activations are not zeroed when no row enters: the array's outputs of such cycles
    // are not used.
    logic [7:0] cv_zp;
    /* verilator lint_off UNUSEDSIGNAL */
    logic [Rows*8-1:0] unused_w_rdata;   // the same RAM port as spad_a_rdata_i
    /* verilator lint_on UNUSEDSIGNAL */
    assign unused_w_rdata = spad_w_rdata_i;
    // The zero point registers themselves: a CONFIG is popped neither while stage 1 holds a
    // command (its weight reads) nor while stage 2 does (see cmd_ready_o), so they do not
    // change between a line's read and its conversion the cycle after.
    assign cv_zp = w_rd_q ? w_zp_q : a_zp_q;
    /* verilator lint_off UNUSEDSIGNAL */
    logic [15:0] unused_zp;   // the per-command copies (removed by synthesis)
    /* verilator lint_on UNUSEDSIGNAL */
    assign unused_zp = {inj_zp_q, w_rd_zp_q};
    always_comb begin
      for (int r = 0; r < Rows; r++) arr_a[r*9 +: 9] = sub_sm(spad_a_rdata_i[r*8 +: 8], cv_zp);
    end
    assign arr_a0_nz = (spad_a_rdata_i[7:0] != cv_zp);
    assign arr_w0_nz = arr_a0_nz;
    assign arr_w = arr_a;
  end else if (Lean) begin : g_cv_two
    /* verilator lint_off UNUSEDSIGNAL */
    logic [15:0] unused_zp;   // the per-command copies (removed by synthesis)
    /* verilator lint_on UNUSEDSIGNAL */
    assign unused_zp = {inj_zp_q, w_rd_zp_q};
    always_comb begin
      for (int r = 0; r < Rows; r++) begin
        arr_a[r*9 +: 9] = sub_sm(spad_a_rdata_i[r*8 +: 8], a_zp_q);   // as g_cv_shared
        arr_w[r*9 +: 9] = sub_sm(spad_w_rdata_i[r*8 +: 8], w_zp_q);
      end
    end
    assign arr_a0_nz = (spad_a_rdata_i[7:0] != a_zp_q);
    assign arr_w0_nz = (spad_w_rdata_i[7:0] != w_zp_q);
  end else begin : g_cv
    assign arr_a0_nz = 1'b0;   // not used (no Lean array)
    assign arr_w0_nz = 1'b0;
    // zero points subtracted at the array inputs: int8 - int8 as 9-bit signed
    always_comb begin
      for (int r = 0; r < Rows; r++) begin
        arr_a[r*9 +: 9] = inj_valid_q ? ({spad_a_rdata_i[r*8 + 7], spad_a_rdata_i[r*8 +: 8]} -
                                         {inj_zp_q[7], inj_zp_q}) : 9'd0;
        arr_w[r*9 +: 9] = {spad_w_rdata_i[r*8 + 7], spad_w_rdata_i[r*8 +: 8]} -
                          {w_rd_zp_q[7], w_rd_zp_q};
      end
    end
  end

  systole_array #(
    .Rows        (Rows),
    .Cols        (Cols),
    .Latency     (Latency),
    .UseIce40Dsp (UseIce40Dsp),
    .Lean        (Lean ? 1 : 0),
    .Deskew      ((AccCols != 0) ? 0 : 1)
  ) u_array (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .a_i       (arr_a),
    .a_tag_i   (inj_tag_q),
    .a0_nz_i   (arr_a0_nz),
    .w0_nz_i   (arr_w0_nz),
    .w_shift_i (w_rd_q),
    .w_buf_i   (w_rd_buf_q),
    .w_line_i  (arr_w),
    .w_col_i   (w_rd_col_q),
    .out_o     (arr_out)
  );

  // matmul read-modify-write; the softmax unit uses the same ports while it runs (stage 2
  // and the delay line are then empty, so they never compete)
  logic               mm_acc_re, mm_acc_we, sm_acc_re, sm_acc_we;
  logic [15:0]        mm_acc_raddr, mm_acc_waddr, sm_acc_raddr, sm_acc_waddr;
  logic [Cols*32-1:0] mm_acc_wdata, sm_acc_wdata;

  logic [Cols-1:0] col_accum;    // the column written now accumulates

  // the delay line's two taps: {accumulate, acc line} of entry Latency-1 (the accumulator
  // read) and of entry Latency (the write)
  logic [AccLw-1:0] dl_rd_line, dl_wr_line;
  logic             dl_rd_accum, dl_wr_accum;
  if (Lean) begin : g_dl_ram
    // Lean: the line and accumulate bits of the delay line live in two block RAMs (flip-flops
    // shifting a bus are one logic cell each on iCE40): every cycle entry 0's value is
    // written at wp, and each tap reads the address written k+1 cycles before its output
    // cycle (k = Latency-1, Latency), through the RAM's read register. Depth > Latency, so
    // no read meets the write of its cycle and no entry is overwritten before it is read.
    // The write and valid bits (dl_we_q, dl_give_q) stay in flip-flops: they are tested
    // as a whole (busy, SOFTMAX start). Contents are not reset: a tap is used only with its
    // write bit set, which is reset.
    localparam int DlAw = $clog2(DlLen + 1);
    localparam int DlW  = ((AccLw + 1 + 7) / 8) * 8;
    logic [DlAw-1:0] dl_wp_q, dl_rpr_q, dl_rpw_q;   // write, read-tap and write-tap pointers
    logic [DlW-1:0]  dl_wdata, dl_rdata_r, dl_rdata_w;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        dl_wp_q  <= '0;
        dl_rpr_q <= DlAw'(0) - DlAw'(Latency - 1);
        dl_rpw_q <= DlAw'(0) - DlAw'(Latency);
      end else begin
        dl_wp_q  <= dl_wp_q + 1'b1;
        dl_rpr_q <= dl_rpr_q + 1'b1;
        dl_rpw_q <= dl_rpw_q + 1'b1;
      end
    end
    assign dl_wdata = DlW'({s2_accum_q, s2_acc_line_q});
    systole_ram #(.Width(DlW), .Depth(1 << DlAw), .BlockRam(1)) u_dl_rd (
      .clk_i   (clk_i),
      .we_i    (1'b1),
      .waddr_i (dl_wp_q),
      .wdata_i (dl_wdata),
      .wmask_i ('1),
      .re_i    (1'b1),
      .raddr_i (dl_rpr_q),
      .rdata_o (dl_rdata_r)
    );
    systole_ram #(.Width(DlW), .Depth(1 << DlAw), .BlockRam(1)) u_dl_wr (
      .clk_i   (clk_i),
      .we_i    (1'b1),
      .waddr_i (dl_wp_q),
      .wdata_i (dl_wdata),
      .wmask_i ('1),
      .re_i    (1'b1),
      .raddr_i (dl_rpw_q),
      .rdata_o (dl_rdata_w)
    );
    assign {dl_rd_accum, dl_rd_line} = dl_rdata_r[AccLw:0];
    assign {dl_wr_accum, dl_wr_line} = dl_rdata_w[AccLw:0];
    /* verilator lint_off UNUSEDSIGNAL */
    logic unused_dl;   // the flip-flop copies (entry 0's line in an assertion; removed)
    /* verilator lint_on UNUSEDSIGNAL */
    assign unused_dl = ^{dl_line_q, dl_accum_q, dl_rdata_r, dl_rdata_w};
  end else begin : g_dl_ff
    assign dl_rd_line  = dl_line_q[(Latency-1)*AccLw +: AccLw];
    assign dl_wr_line  = dl_line_q[Latency*AccLw +: AccLw];
    assign dl_rd_accum = dl_accum_q[Latency-1];
    assign dl_wr_accum = dl_accum_q[Latency];
  end

  assign mm_acc_re    = dl_we_q[Latency-1] && dl_rd_accum;
  assign mm_acc_raddr = 16'(dl_rd_line);
  assign mm_acc_we    = dl_we_q[Latency];
  assign mm_acc_waddr = 16'(dl_wr_line);
  // the RAM returns the old line if it was written in the read cycle: forward that write
  // (Lean: never happens, see acc_haz)
  assign acc_old      = (!Lean && fwd_we_q && fwd_line_q == AccLw'(mm_acc_waddr)) ? fwd_data_q
                                                                                   : acc_rdata_i;

  always_comb begin
    mm_acc_wdata = arr_out;
    for (int c = 0; c < Cols; c++) begin
      if (col_accum[c]) mm_acc_wdata[c*32 +: 32] = acc_old[c*32 +: 32] + arr_out[c*32 +: 32];
    end
  end

  if (AccCols != 0) begin : g_acc_cols
    // Every column of a row leaves the Lean array (activations broadcast along the rows)
    // Latency = Rows cycles after the row entered, i.e. in delay-line entry Latency; its
    // accumulator read is one entry earlier. (With a systolic activation flow column c
    // would leave at Rows + c; that array is no longer built with AccCols.)
    for (genvar c = 0; c < Cols; c++) begin : g_col
      assign acc_col_we_o[c]           = dl_we_q[Latency];
      assign acc_col_waddr_o[c*16 +: 16] = 16'(dl_wr_line);
      assign acc_col_re_o[c]           = dl_we_q[Latency - 1] && dl_rd_accum;
      assign acc_col_raddr_o[c*16 +: 16] = 16'(dl_rd_line);
      assign col_accum[c]              = dl_wr_accum;
    end
    // no softmax unit here (AccCols needs none): the matmul ports only
    assign acc_re_o    = |acc_col_re_o;
    assign acc_raddr_o = mm_acc_raddr;   // not used
    assign acc_we_o    = |acc_col_we_o;
    assign acc_waddr_o = mm_acc_waddr;   // not used
    assign acc_wdata_o = mm_acc_wdata;
    /* verilator lint_off UNUSEDSIGNAL */
    logic unused_sm_acc;
    /* verilator lint_on UNUSEDSIGNAL */
    assign unused_sm_acc = ^{sm_acc_re, sm_acc_raddr, sm_acc_we, sm_acc_waddr, sm_acc_wdata, mm_acc_re, mm_acc_we};
  end else begin : g_acc_line
    assign col_accum   = {Cols{dl_wr_accum}};
    assign acc_re_o    = mm_acc_re || sm_acc_re;
    assign acc_raddr_o = sm_acc_re ? sm_acc_raddr : mm_acc_raddr;
    assign acc_we_o    = mm_acc_we || sm_acc_we;
    assign acc_waddr_o = sm_acc_we ? sm_acc_waddr : mm_acc_waddr;
    assign acc_wdata_o = sm_acc_we ? sm_acc_wdata : mm_acc_wdata;
    assign acc_col_re_o    = {Cols{acc_re_o}};
    assign acc_col_raddr_o = {Cols{acc_raddr_o}};
    assign acc_col_we_o    = {Cols{acc_we_o}};
    assign acc_col_waddr_o = {Cols{acc_waddr_o}};
  end

  // ---------------------------------------------------------------------------------------
  // Softmax unit (square arrays only)
  // ---------------------------------------------------------------------------------------
  if (SmUnit) begin : g_softmax
    systole_softmax #(
      .Rows (Rows),
      .Cols (Cols)
    ) u_softmax (
      .clk_i        (clk_i),
      .rst_ni       (rst_ni),
      .cmd_load_i   (pop && c_is_sm),
      .cmd_i        (cmd_i),
      .start_i      (sm_start),
      .abort_i      (stop),
      .busy_o       (sm_busy),
      .done_o       (sm_done),
      .acc_re_o     (sm_acc_re),
      .acc_raddr_o  (sm_acc_raddr),
      .acc_rdata_i  (acc_rdata_i),
      .acc_we_o     (sm_acc_we),
      .acc_waddr_o  (sm_acc_waddr),
      .acc_wdata_o  (sm_acc_wdata),
      .spad_we_o    (spad_we_o),
      .spad_waddr_o (spad_waddr_o),
      .spad_wdata_o (spad_wdata_o)
    );
  end else begin : g_no_softmax
    // every SOFTMAX is ILLEGAL_FIELD at pop, so nothing starts
    assign sm_busy      = 1'b0;
    assign sm_done      = 1'b0;
    assign sm_acc_re    = 1'b0;
    assign sm_acc_raddr = '0;
    assign sm_acc_we    = 1'b0;
    assign sm_acc_waddr = '0;
    assign sm_acc_wdata = '0;
    assign spad_we_o    = 1'b0;
    assign spad_waddr_o = '0;
    assign spad_wdata_o = '0;
  end

  assign err_o      = err_q;
  // the failing command's code and slot stay in stage 1: nothing is popped or checked once
  // err_q is set (stop), so they hold until reset
  assign err_code_o = s1_chk_q;
  assign err_idx_o  = s1_idx_q;
  assign busy_o     = s1_valid_q || s2_valid_q || w_rd_q || (|dl_we_q) || (|dl_give_q) || sm_busy;

  // ---------------------------------------------------------------------------------------
  // Registers
  // ---------------------------------------------------------------------------------------
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      err_q           <= 1'b0;
      cur_buf_q       <= 1'b0;
      w_loaded_q      <= 1'b0;
      ck_ok_q         <= 1'b0;
      drain0_q        <= '0;
      drain1_q        <= '0;
      w_rd_q          <= 1'b0;
      w_rd_buf_q      <= 1'b0;
      w_rd_zp_q       <= '0;
      w_rd_col_q      <= '0;
      s1_ck_q         <= 1'b0;
      s1_ckcnt_q      <= '0;
      s1_n_q          <= '0;
      s1_pa_q         <= '0;
      s1_pc_q         <= '0;
      s1_bad_a_q      <= 1'b0;
      s1_bad_c_q      <= 1'b0;
      a_zp_q          <= '0;
      w_zp_q          <= '0;
      s1_sm_q         <= 1'b0;
      s1_sm_run_q     <= 1'b0;
      s2_a_zp_q       <= '0;
      s2_azs_q        <= 1'b0;
      inj_zp_q        <= '0;
      s1_valid_q      <= 1'b0;
      s1_chk_q        <= '0;
      s1_need_prev_q  <= 1'b0;
      s1_need_next_q  <= 1'b0;
      s1_wload_q      <= 1'b0;
      s1_loading_q    <= 1'b0;
      s1_wcnt_q       <= '0;
      s1_waddr_q      <= '0;
      s1_rows_q       <= '0;
      s1_a_line_q     <= '0;
      s1_a_stride_q   <= '0;
      s1_acc_line_q   <= '0;
      s1_acc_stride_q <= '0;
      s1_idx_q        <= '0;
      s1_accum_q      <= 1'b0;
      s1_sig_prev_q   <= 1'b0;
      s1_sig_next_q   <= 1'b0;
      s2_valid_q      <= 1'b0;
      s2_tag_q        <= 1'b0;
      s2_rows_q       <= '0;
      s2_a_line_q     <= '0;
      s2_a_stride_q   <= '0;
      s2_acc_line_q   <= '0;
      s2_acc_stride_q <= '0;
      s2_accum_q      <= 1'b0;
      s2_sig_prev_q   <= 1'b0;
      s2_sig_next_q   <= 1'b0;
      inj_valid_q     <= 1'b0;
      inj_tag_q       <= 1'b0;
      dl_we_q         <= '0;
      dl_accum_q      <= '0;
      dl_give_q       <= '0;
      dl_line_q       <= '0;
      fwd_we_q        <= 1'b0;
      fwd_line_q      <= '0;
      fwd_data_q      <= '0;
    end else begin
      err_q           <= err_d;
      cur_buf_q       <= cur_buf_d;
      w_loaded_q      <= w_loaded_d;
      ck_ok_q         <= ck_last && s1_wload_q && (s1_chk_q == 8'd0) && !ck_bad_a && !ck_bad_c;
      drain0_q        <= drain0_d;
      drain1_q        <= drain1_d;
      w_rd_q          <= w_rd_d;
      w_rd_buf_q      <= w_rd_buf_d;
      w_rd_zp_q       <= w_rd_zp_d;
      w_rd_col_q      <= w_rd_col_d;
      s1_ck_q         <= s1_ck_d;
      s1_ckcnt_q      <= s1_ckcnt_d;
      s1_n_q          <= s1_n_d;
      s1_pa_q         <= s1_pa_d;
      s1_pc_q         <= s1_pc_d;
      s1_bad_a_q      <= s1_bad_a_d;
      s1_bad_c_q      <= s1_bad_c_d;
      a_zp_q          <= a_zp_d;
      w_zp_q          <= w_zp_d;
      s1_sm_q         <= s1_sm_d;
      s1_sm_run_q     <= s1_sm_run_d;
      s2_a_zp_q       <= s2_a_zp_d;
      s2_azs_q        <= s2_azs_d;
      inj_zp_q        <= inj_zp_d;
      s1_valid_q      <= s1_valid_d;
      s1_chk_q        <= s1_chk_d;
      s1_need_prev_q  <= s1_need_prev_d;
      s1_need_next_q  <= s1_need_next_d;
      s1_wload_q      <= s1_wload_d;
      s1_loading_q    <= s1_loading_d;
      s1_wcnt_q       <= s1_wcnt_d;
      s1_waddr_q      <= s1_waddr_d;
      s1_rows_q       <= s1_rows_d;
      s1_a_line_q     <= s1_a_line_d;
      s1_a_stride_q   <= s1_a_stride_d;
      s1_acc_line_q   <= s1_acc_line_d;
      s1_acc_stride_q <= s1_acc_stride_d;
      s1_idx_q        <= s1_idx_d;
      s1_accum_q      <= s1_accum_d;
      s1_sig_prev_q   <= s1_sig_prev_d;
      s1_sig_next_q   <= s1_sig_next_d;
      s2_valid_q      <= s2_valid_d;
      s2_tag_q        <= s2_tag_d;
      s2_rows_q       <= s2_rows_d;
      s2_a_line_q     <= s2_a_line_d;
      s2_a_stride_q   <= s2_a_stride_d;
      s2_acc_line_q   <= s2_acc_line_d;
      s2_acc_stride_q <= s2_acc_stride_d;
      s2_accum_q      <= s2_accum_d;
      s2_sig_prev_q   <= s2_sig_prev_d;
      s2_sig_next_q   <= s2_sig_next_d;
      inj_valid_q     <= inj_valid_d;
      inj_tag_q       <= inj_tag_d;
      dl_we_q         <= dl_we_d;
      dl_accum_q      <= dl_accum_d;
      dl_give_q       <= dl_give_d;
      dl_line_q       <= dl_line_d;
      fwd_we_q        <= fwd_we_d;
      fwd_line_q      <= fwd_line_d;
      fwd_data_q      <= fwd_data_d;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Elaboration checks and assertions
  // ---------------------------------------------------------------------------------------
  initial begin
    if (Rows < 2 || Rows > 64 || Cols < 2 || Cols > 64)
      $fatal(1, "systole_ex: Rows and Cols must be in 2..64");
    if (SpadLines < 2 * Cols || SpadLines > 65536)
      $fatal(1, "systole_ex: SpadLines must be in 2*Cols..65536");
    if (AccLines < 2 || AccLines > 65536)
      $fatal(1, "systole_ex: AccLines must be in 2..65536");
    if (AccCols != 0 && (!Lean || SmUnit))
      $fatal(1, "systole_ex: AccCols needs UseIce40Dsp and no softmax unit");
  end

`ifndef SYNTHESIS
`ifndef YOSYS
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
    end else begin
      assert (!(tok_ld2ex_take_o && !tok_ld2ex_avail_i))
        else $error("systole_ex: ld2ex token taken while none is available");
      assert (!(tok_st2ex_take_o && !tok_st2ex_avail_i))
        else $error("systole_ex: st2ex token taken while none is available");
      assert (!(w_rd_q && inj_valid_q && (inj_tag_q == w_rd_buf_q)))
        else $error("systole_ex: weight buffer shifts while an activation tagged with it enters");
      assert (!(s1_load_go && s2_read && (s2_tag_q == !cur_buf_q)))
        else $error("systole_ex: weight load into the buffer stage 2 is streaming with");
      assert (!(Lean && s1_valid_q && s2_valid_q))
        else $error("systole_ex: Lean stage 1 and stage 2 both hold a command");
      assert (!(Lean && s2_valid_q && (acc_haz != (s2_accum_q && dl_we_q[0] &&
                                                   (dl_line_q[AccLw-1:0] == s2_acc_line_q)))))
        else $error("systole_ex: registered accumulator hazard differs from the line compare");
      assert (!(sm_acc_we && mm_acc_we))
        else $error("systole_ex: softmax and matmul write the accumulator in the same cycle");
      assert (!(sm_acc_re && mm_acc_re))
        else $error("systole_ex: softmax and matmul read the accumulator in the same cycle");
    end
  end
`endif
`endif
endmodule
