// Softmax unit: executes the data path of SOFTMAX commands (opcode 0x08) for the EX engine.
//
// Per query row m (docs/architecture.md, 0x08 SOFTMAX, and docs/softmax.md):
//   pass 1  reads the row's JT accumulator lines (one line = Cols scores per cycle) and keeps
//           the maximum mx of the valid keys;
//   pass 2  reads them again, computes e_j = EXP2_LUT[fr >> 8] >> ip of
//           y_j = MultiplyByQuantizedMultiplier(max(s_j - mx, -2^31), MULT, SHIFT) for every
//           lane and adds them into sum;
//   divide  r = floor(2^32 / sum), restoring division, one quotient bit per cycle (17 cycles);
//   pass 3  reads them a third time, recomputes e_j and writes p_j - 128 with
//           p_j = min(255, (e_j * 255 * r + 2^31) >> 32) as one full scratchpad line per key
//           group (Rows == Cols keys), and with TO_ACC the sign-extended bytes over the scores.
// Key j is valid iff j < N_KEYS and (!CAUSAL or j <= Q_POS + m); invalid lanes give e = 0,
// so padding bytes of the last group and masked keys are written as -128.
//
// Chunked rows (MODE != 0): the row statistics are accumulator line STATS_LINE + m
// (element 0 max, 1 / 2 low / high word of a 64-bit sum, others written 0). Per row:
//   MAX   [read stats unless FIRST; FIRST: max = -2^31, sum = 0], pass 1, write stats;
//   SUM   read stats, pass 2 with the stored max (sum += in 64 bits), write stats;
//   PROB  read stats, divide (sum > 2^32 gives r = 0), pass 3.
// Causal validity uses global indices: KEY_BASE + j <= {Q_POS_HI, Q_POS} + m (no wrap); the
// unit keeps lim = min(N_KEYS, max(0, Q + m + 1 - KEY_BASE)) so lanes compare j < lim.
// MODE 0 latches KEY_BASE = Q_POS_HI = 0 and never touches a stats line (unchanged).
// Cycles per row of a chunk: MAX FIRST JT + 2, MAX JT + 3, SUM JT + 3, PROB JT + 21.
//
// Timing: a read is issued every cycle of a pass; its data is used the cycle after (the EX
// accumulator read port), pass-3 writes come one cycle later again. A row takes
// 3*JT + 20 cycles; rows run one after another (the next row's first read follows the last
// write, so any overlap of lines between rows behaves as sequential execution).
//
// The caller (systole_ex) loads the command with cmd_load_i (fields latched), raises start_i
// once every earlier accumulator write is done, and sees done_o (one cycle, in the cycle of
// the last write) when every line has been written. abort_i stops the unit at once (no
// further read or write). The per-lane data path sits in always_comb blocks gated by the
// data-valid bit, so Verilator spends nothing on it when no SOFTMAX runs.
module systole_softmax #(
  parameter int Rows = 8,  // scratchpad line bytes; must equal Cols
  parameter int Cols = 8   // accumulator line int32 count (keys per line)
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  // command: latched on cmd_load_i, run on start_i
  input  logic               cmd_load_i,
  input  logic [255:0]       cmd_i,
  input  logic               start_i,
  input  logic               abort_i,
  output logic               busy_o,
  output logic               done_o,
  // accumulator read (data the cycle after re) and full-line write (TO_ACC)
  output logic               acc_re_o,
  output logic [15:0]        acc_raddr_o,
  input  logic [Cols*32-1:0] acc_rdata_i,
  output logic               acc_we_o,
  output logic [15:0]        acc_waddr_o,
  output logic [Cols*32-1:0] acc_wdata_o,
  // scratchpad full-line write (priority over the LD engine)
  output logic               spad_we_o,
  output logic [15:0]        spad_waddr_o,
  output logic [Rows*8-1:0]  spad_wdata_o
);
  // EXP2_LUT[k] = round(2^16 * 2^(-k/256)), k = 0..255 (entry k at bits [k*17 +: 17]).
  // Generated with: python3 -c "import math; print([math.floor(65536*2**(-k/256)+0.5)
  // for k in range(256)])" (no entry is within 0.004 of a rounding tie).
  localparam logic [256*17-1:0] Exp2Lut = {
    17'd32857, 17'd32946, 17'd33035, 17'd33125, 17'd33215, 17'd33305, 17'd33395, 17'd33486,
    17'd33576, 17'd33667, 17'd33759, 17'd33850, 17'd33942, 17'd34034, 17'd34126, 17'd34219,
    17'd34312, 17'd34405, 17'd34498, 17'd34591, 17'd34685, 17'd34779, 17'd34874, 17'd34968,
    17'd35063, 17'd35158, 17'd35253, 17'd35349, 17'd35445, 17'd35541, 17'd35637, 17'd35734,
    17'd35831, 17'd35928, 17'd36025, 17'd36123, 17'd36221, 17'd36319, 17'd36417, 17'd36516,
    17'd36615, 17'd36715, 17'd36814, 17'd36914, 17'd37014, 17'd37114, 17'd37215, 17'd37316,
    17'd37417, 17'd37518, 17'd37620, 17'd37722, 17'd37824, 17'd37927, 17'd38030, 17'd38133,
    17'd38236, 17'd38340, 17'd38444, 17'd38548, 17'd38653, 17'd38757, 17'd38863, 17'd38968,
    17'd39074, 17'd39180, 17'd39286, 17'd39392, 17'd39499, 17'd39606, 17'd39714, 17'd39821,
    17'd39929, 17'd40037, 17'd40146, 17'd40255, 17'd40364, 17'd40473, 17'd40583, 17'd40693,
    17'd40804, 17'd40914, 17'd41025, 17'd41136, 17'd41248, 17'd41360, 17'd41472, 17'd41584,
    17'd41697, 17'd41810, 17'd41923, 17'd42037, 17'd42151, 17'd42265, 17'd42380, 17'd42495,
    17'd42610, 17'd42726, 17'd42841, 17'd42958, 17'd43074, 17'd43191, 17'd43308, 17'd43425,
    17'd43543, 17'd43661, 17'd43780, 17'd43898, 17'd44017, 17'd44137, 17'd44256, 17'd44376,
    17'd44497, 17'd44617, 17'd44738, 17'd44859, 17'd44981, 17'd45103, 17'd45225, 17'd45348,
    17'd45471, 17'd45594, 17'd45718, 17'd45842, 17'd45966, 17'd46091, 17'd46216, 17'd46341,
    17'd46467, 17'd46593, 17'd46719, 17'd46846, 17'd46973, 17'd47100, 17'd47228, 17'd47356,
    17'd47484, 17'd47613, 17'd47742, 17'd47871, 17'd48001, 17'd48131, 17'd48262, 17'd48393,
    17'd48524, 17'd48655, 17'd48787, 17'd48920, 17'd49052, 17'd49185, 17'd49319, 17'd49452,
    17'd49586, 17'd49721, 17'd49856, 17'd49991, 17'd50126, 17'd50262, 17'd50399, 17'd50535,
    17'd50672, 17'd50810, 17'd50947, 17'd51085, 17'd51224, 17'd51363, 17'd51502, 17'd51642,
    17'd51782, 17'd51922, 17'd52063, 17'd52204, 17'd52346, 17'd52488, 17'd52630, 17'd52773,
    17'd52916, 17'd53059, 17'd53203, 17'd53347, 17'd53492, 17'd53637, 17'd53782, 17'd53928,
    17'd54074, 17'd54221, 17'd54368, 17'd54515, 17'd54663, 17'd54811, 17'd54960, 17'd55109,
    17'd55258, 17'd55408, 17'd55558, 17'd55709, 17'd55860, 17'd56012, 17'd56163, 17'd56316,
    17'd56468, 17'd56622, 17'd56775, 17'd56929, 17'd57083, 17'd57238, 17'd57393, 17'd57549,
    17'd57705, 17'd57861, 17'd58018, 17'd58176, 17'd58333, 17'd58491, 17'd58650, 17'd58809,
    17'd58968, 17'd59128, 17'd59289, 17'd59449, 17'd59611, 17'd59772, 17'd59934, 17'd60097,
    17'd60260, 17'd60423, 17'd60587, 17'd60751, 17'd60916, 17'd61081, 17'd61247, 17'd61413,
    17'd61579, 17'd61746, 17'd61914, 17'd62081, 17'd62250, 17'd62419, 17'd62588, 17'd62757,
    17'd62928, 17'd63098, 17'd63269, 17'd63441, 17'd63613, 17'd63785, 17'd63958, 17'd64132,
    17'd64306, 17'd64480, 17'd64655, 17'd64830, 17'd65006, 17'd65182, 17'd65359, 17'd65536
  };

  localparam int LaneW = 17;  // e_j in 0 .. 65536

  // MODE (w2[41:40])
  localparam logic [1:0] ModeFull = 2'd0;
  localparam logic [1:0] ModeMax  = 2'd1;
  localparam logic [1:0] ModeSum  = 2'd2;
  localparam logic [1:0] ModeProb = 2'd3;

  // ---------------------------------------------------------------------------------------
  // MultiplyByQuantizedMultiplier (TFLite, as systole_requant) and the exp2 of one lane
  // ---------------------------------------------------------------------------------------
  function automatic logic [31:0] mbqm(input logic [31:0] x, input logic [31:0] mult,
                                        input logic [7:0] shift);
    logic [4:0]         left, right;
    logic signed [31:0] xs, ms, hs;
    logic signed [63:0] ab, abn, abr;
    logic [31:0]        h, mask, rem, thr;
    left  = shift[7] ? 5'd0 : ((shift > 8'd31) ? 5'd31 : shift[4:0]);
    right = !shift[7] ? 5'd0 : ((shift < 8'he1) ? 5'd31 : 5'(8'd0 - shift));
    xs    = $signed(x << left);
    ms    = $signed(mult);
    ab    = xs * ms;  // 64-bit signed product (context width)
    abn   = ab + (ab[63] ? -64'sd1073741823 : 64'sd1073741824);
    abr   = abn[63] ? (abn + 64'sd2147483647) : abn;  // make >>> truncate toward zero
    if (xs == 32'sh8000_0000 && ms == 32'sh8000_0000) h = 32'h7FFF_FFFF;
    else h = 32'(abr >>> 31);
    mask = (32'd1 << right) - 32'd1;
    rem  = h & mask;
    thr  = (mask >> 1) + {31'd0, h[31]};
    hs   = $signed(h);
    mbqm = 32'(hs >>> right) + ((rem > thr) ? 32'd1 : 32'd0);
  endfunction

  // e = EXP2_LUT[fr >> 8] >> ip for y = mbqm(max(s - mx, -2^31)); -y is taken as an
  // unsigned 32-bit value, so a positive y (only when SHIFT > 0 wraps x << left) gives 0.
  // Invalid keys (valid = 0) give 0.
  function automatic logic [LaneW-1:0] lane_exp(input logic valid, input logic [31:0] s,
                                                input logic [31:0] mx, input logic [31:0] mult,
                                                input logic [7:0] shift);
    logic [32:0] d;
    logic [31:0] dc, y;
    logic [23:0] ny_hi;  // (-y) >> 8: {ip, fr >> 8}
    logic [LaneW-1:0] lut;
    d     = {s[31], s} - {mx[31], mx};
    dc    = (d[32] && !d[31]) ? 32'h8000_0000 : d[31:0];  // below -2^31: clamp
    y     = mbqm(dc, mult, shift);
    ny_hi = 24'((32'd0 - y) >> 8);
    lut   = Exp2Lut[32'(ny_hi[7:0]) * LaneW +: LaneW];
    lane_exp = (!valid || ny_hi[23:8] >= 16'd17) ? '0 : (lut >> ny_hi[12:8]);
  endfunction

  // Probability byte p - 128 with p = min(255, (e * k + 2^31) >> 32), k = 255 * r.
  function automatic logic [7:0] lane_byte(input logic [LaneW-1:0] e, input logic [24:0] k);
    logic [9:0] pq;
    pq = 10'((42'(e) * 42'(k) + 42'h0_8000_0000) >> 32);
    lane_byte = ((pq > 10'd255) ? 8'd255 : pq[7:0]) ^ 8'h80;
  endfunction

  // ---------------------------------------------------------------------------------------
  // Command fields (docs/architecture.md, SOFTMAX), latched on cmd_load_i
  // ---------------------------------------------------------------------------------------
  logic        f_causal_q, f_to_acc_q;
  logic [15:0] f_rows_q, f_acc_line_q, f_acc_ts_q, f_n_keys_q, f_spad_line_q, f_spad_ts_q;
  logic [15:0] f_q_pos_q;
  logic [31:0] f_mult_q;
  logic [7:0]  f_shift_q;
  // chunked rows (MODE != 0); KEY_BASE and Q_POS_HI are latched as 0 in MODE 0
  logic [1:0]  f_mode_q;
  logic        f_first_q;
  logic [15:0] f_stats_q, f_q_pos_hi_q;
  logic [31:0] f_key_base_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      f_causal_q    <= 1'b0;
      f_to_acc_q    <= 1'b0;
      f_rows_q      <= '0;
      f_acc_line_q  <= '0;
      f_acc_ts_q    <= '0;
      f_n_keys_q    <= '0;
      f_spad_line_q <= '0;
      f_spad_ts_q   <= '0;
      f_q_pos_q     <= '0;
      f_mult_q      <= '0;
      f_shift_q     <= '0;
      f_mode_q      <= '0;
      f_first_q     <= 1'b0;
      f_stats_q     <= '0;
      f_q_pos_hi_q  <= '0;
      f_key_base_q  <= '0;
    end else if (cmd_load_i) begin  // enable flop: fields change only when a command loads
      f_causal_q    <= cmd_i[12];
      f_to_acc_q    <= cmd_i[13];
      f_rows_q      <= cmd_i[31:16];
      f_acc_line_q  <= cmd_i[47:32];
      f_acc_ts_q    <= cmd_i[63:48];
      f_n_keys_q    <= cmd_i[79:64];
      f_spad_line_q <= cmd_i[95:80];
      f_spad_ts_q   <= cmd_i[111:96];
      f_q_pos_q     <= cmd_i[127:112];
      f_mult_q      <= cmd_i[159:128];
      f_shift_q     <= cmd_i[167:160];
      f_mode_q      <= cmd_i[169:168];
      f_first_q     <= cmd_i[170];
      f_stats_q     <= cmd_i[191:176];
      f_key_base_q  <= (cmd_i[169:168] == ModeFull) ? 32'd0 : cmd_i[223:192];
      f_q_pos_hi_q  <= (cmd_i[169:168] == ModeFull) ? 16'd0 : cmd_i[239:224];
    end
  end

  logic unused_cmd;
  assign unused_cmd = ^{cmd_i[255:240], cmd_i[175:171], cmd_i[15:14], cmd_i[11:0]};

  // ---------------------------------------------------------------------------------------
  // Control FSM
  // ---------------------------------------------------------------------------------------
  typedef enum logic [2:0] {
    StIdle  = 3'd0,
    StRead  = 3'd1,  // a pass reads one line per cycle
    StSum   = 3'd2,  // the last pass-2 line is being added
    StDiv   = 3'd3,  // r = floor(2^32 / sum), one bit per cycle
    StWrite = 3'd4,  // the last pass-3 line is being computed / written
    StStRd  = 3'd5,  // chunked: read the row's statistics line
    StStWr  = 3'd6   // chunked MAX / SUM: write the row's statistics line
  } state_e;

  state_e      state_q, state_d;
  logic [1:0]  pass_q, pass_d;           // 1, 2, 3 while reading
  logic [15:0] rows_left_q, rows_left_d; // query rows left, this one included
  logic [15:0] row_acc_q, row_acc_d;     // accumulator line of tile 0 of this row
  logic [15:0] row_spad_q, row_spad_d;   // scratchpad line of group 0 of this row
  logic [32:0] q_end_q, q_end_d;         // {Q_POS_HI, Q_POS} + m + 1 (global keys below
                                         // are causal-valid)
  logic [15:0] row_st_q, row_st_d;       // statistics line of this row (chunked modes)
  logic        st_dv_q, st_dv_d;         // the statistics line read last cycle arrives now
  logic [15:0] rd_line_q, rd_line_d;     // next accumulator line to read
  logic [15:0] rd_spad_q, rd_spad_d;     // its scratchpad line (pass 3)
  logic [16:0] rd_j_q, rd_j_d;           // key index of its lane 0
  logic [31:0] mx_q, mx_d;
  logic [63:0] sum_q, sum_d;             // 64 bits for chunked rows (MODE 0: <= 2^31)
  logic [32:0] div_rem_q, div_rem_d;
  logic [16:0] div_quo_q, div_quo_d;
  logic [4:0]  div_bit_q, div_bit_d;
  logic [24:0] k_q, k_d;                 // 255 * r

  // data stage: the line read last cycle is on acc_rdata_i now
  logic        dv_q, dv_d;
  logic [1:0]  dv_pass_q, dv_pass_d;
  logic [16:0] dv_j_q, dv_j_d;
  logic [15:0] dv_acc_q, dv_acc_d, dv_spad_q, dv_spad_d;
  logic        dv_last_q, dv_last_d;

  // write stage (pass 3)
  logic              wr_valid_q, wr_valid_d, wr_last_q, wr_last_d;
  logic [15:0]       wr_acc_q, wr_acc_d, wr_spad_q, wr_spad_d;
  logic [Rows*8-1:0] wr_bytes_q, wr_bytes_d;

  logic [16:0] lim;       // keys j < lim are valid in this row
  logic        next_row;  // the row's last write is now: start the next row
  logic [95:0] st_rdata;  // elements 0..2 of the line read (Cols >= 4 in chunked modes)
  assign st_rdata = 96'(acc_rdata_i);
  state_e      row_first_st;  // first state of a row: MODE 0 and MAX FIRST read the scores
  assign row_first_st = (f_mode_q == ModeFull || (f_mode_q == ModeMax && f_first_q)) ?
                        StRead : StStRd;
  logic        rd_last;   // the line read now is the row's last
  logic        rd_go;
  logic [48:0] div_sub;   // sum << bit (sum <= 2^32 here)
  logic        div_big;   // sum > 2^32: r = 0
  logic        div_ge;
  logic [33:0] q_rel;     // causal end relative to KEY_BASE

  always_comb begin
    lim   = {1'b0, f_n_keys_q};
    q_rel = {1'b0, q_end_q} - {2'b0, f_key_base_q};
    if (f_causal_q) begin
      if (q_rel[33]) lim = '0;  // every key of the chunk lies after the query
      else if (q_rel < 34'(lim)) lim = q_rel[16:0];
    end
  end

  assign rd_last   = (rd_j_q + 17'(Cols) >= {1'b0, f_n_keys_q});
  assign rd_go     = (state_q == StRead) && !abort_i;
  assign div_big   = (|sum_q[63:33]) || (sum_q[32] && (|sum_q[31:0]));
  assign div_sub   = {16'd0, sum_q[32:0]} << div_bit_q;
  assign div_ge    = !div_big && ({16'd0, div_rem_q} >= div_sub);

  // ---- data path of one line (gated: evaluated only when a line arrives) ----
  logic [31:0]       line_max;
  logic [31:0]       line_sum;
  logic [Rows*8-1:0] line_bytes;

  always_comb begin
    line_max   = mx_q;
    line_sum   = '0;
    line_bytes = '0;
    if (dv_q) begin
      for (int c = 0; c < Cols; c++) begin
        if (dv_pass_q == 2'd1) begin
          if ((dv_j_q + 17'(c) < lim) &&
              ($signed(acc_rdata_i[c*32 +: 32]) > $signed(line_max))) begin
            line_max = acc_rdata_i[c*32 +: 32];
          end
        end else if (dv_pass_q == 2'd2) begin
          line_sum = line_sum + 32'(lane_exp(dv_j_q + 17'(c) < lim, acc_rdata_i[c*32 +: 32],
                                             mx_q, f_mult_q, f_shift_q));
        end else begin
          line_bytes[c*8 +: 8] = lane_byte(lane_exp(dv_j_q + 17'(c) < lim,
                                                    acc_rdata_i[c*32 +: 32], mx_q, f_mult_q,
                                                    f_shift_q), k_q);
        end
      end
    end
  end

  always_comb begin
    state_d     = state_q;
    pass_d      = pass_q;
    rows_left_d = rows_left_q;
    row_acc_d   = row_acc_q;
    row_spad_d  = row_spad_q;
    q_end_d     = q_end_q;
    row_st_d    = row_st_q;
    st_dv_d     = 1'b0;
    rd_line_d   = rd_line_q;
    rd_spad_d   = rd_spad_q;
    rd_j_d      = rd_j_q;
    mx_d        = mx_q;
    sum_d       = sum_q;
    div_rem_d   = div_rem_q;
    div_quo_d   = div_quo_q;
    div_bit_d   = div_bit_q;
    k_d         = k_q;
    done_o      = 1'b0;
    next_row    = 1'b0;

    // data stage
    dv_d      = rd_go;
    dv_pass_d = pass_q;
    dv_j_d    = rd_j_q;
    dv_acc_d  = rd_line_q;
    dv_spad_d = rd_spad_q;
    dv_last_d = rd_last;
    if (dv_q && dv_pass_q == 2'd1) mx_d  = line_max;
    if (dv_q && dv_pass_q == 2'd2) sum_d = sum_q + 64'(line_sum);
    // chunked: the statistics line read last cycle (no line data arrives in this cycle)
    if (st_dv_q) begin
      mx_d  = st_rdata[31:0];
      sum_d = st_rdata[95:32];
    end

    // write stage
    wr_valid_d = dv_q && (dv_pass_q == 2'd3) && !abort_i;
    wr_last_d  = dv_last_q;
    wr_acc_d   = dv_acc_q;
    wr_spad_d  = dv_spad_q;
    wr_bytes_d = (dv_q && dv_pass_q == 2'd3) ? line_bytes : wr_bytes_q;

    case (state_q)
      StIdle: begin
        if (start_i) begin
          state_d     = row_first_st;
          pass_d      = 2'd1;
          rows_left_d = f_rows_q;
          row_acc_d   = f_acc_line_q;
          row_spad_d  = f_spad_line_q;
          row_st_d    = f_stats_q;
          q_end_d     = 33'({f_q_pos_hi_q, f_q_pos_q}) + 33'd1;
          rd_line_d   = f_acc_line_q;
          rd_spad_d   = f_spad_line_q;
          rd_j_d      = '0;
          mx_d        = 32'h8000_0000;
          sum_d       = '0;
        end
      end
      StRead: begin
        rd_line_d = rd_line_q + f_acc_ts_q;
        rd_spad_d = rd_spad_q + f_spad_ts_q;
        rd_j_d    = rd_j_q + 17'(Cols);
        if (rd_last) begin
          rd_line_d = row_acc_q;
          rd_spad_d = row_spad_q;
          rd_j_d    = '0;
          if (pass_q == 2'd1) begin
            if (f_mode_q == ModeMax) state_d = StSum;  // then the statistics write
            else pass_d = 2'd2;
          end else if (pass_q == 2'd2) begin
            state_d = StSum;
          end else begin
            state_d = StWrite;
          end
        end
      end
      StSum: begin
        // the last pass-2 (MAX: pass-1) line is processed this cycle (PROB: the statistics
        // arrive); MODE 0 / PROB: the divider starts on the full sum, MAX / SUM: write stats
        if (f_mode_q == ModeMax || f_mode_q == ModeSum) begin
          state_d = StStWr;
        end else begin
          state_d = StDiv;
        end
        div_rem_d = 33'h1_0000_0000;
        div_quo_d = '0;
        div_bit_d = 5'd16;
      end
      StStRd: begin
        // the statistics read is issued this cycle; its data is latched next cycle
        st_dv_d = !abort_i;
        if (f_mode_q == ModeProb) begin
          state_d = StSum;
        end else begin
          state_d = StRead;
          pass_d  = (f_mode_q == ModeMax) ? 2'd1 : 2'd2;
        end
      end
      StStWr: begin
        // the statistics line is written this cycle (done_o with the last row's write)
        if (rows_left_q == 16'd1) begin
          state_d = StIdle;
          done_o  = 1'b1;
        end else begin
          next_row = 1'b1;
        end
      end
      StDiv: begin
        if (div_ge) begin
          div_rem_d = div_rem_q - div_sub[32:0];
          div_quo_d = div_quo_q | (17'd1 << div_bit_q);
        end
        div_bit_d = div_bit_q - 5'd1;
        if (div_bit_q == 5'd0) begin
          k_d     = (25'(div_quo_d) << 8) - 25'(div_quo_d);
          state_d = StRead;
          pass_d  = 2'd3;
        end
      end
      StWrite: begin
        if (wr_valid_q && wr_last_q) begin
          if (rows_left_q == 16'd1) begin
            state_d = StIdle;
            done_o  = 1'b1;
          end else begin
            next_row = 1'b1;
          end
        end
      end
      default: state_d = StIdle;
    endcase

    if (next_row) begin
      state_d     = row_first_st;
      pass_d      = 2'd1;
      rows_left_d = rows_left_q - 16'd1;
      row_acc_d   = row_acc_q + 16'd1;
      row_spad_d  = row_spad_q + 16'd1;
      row_st_d    = row_st_q + 16'd1;
      q_end_d     = q_end_q + 33'd1;
      rd_line_d   = row_acc_q + 16'd1;
      rd_spad_d   = row_spad_q + 16'd1;
      rd_j_d      = '0;
      mx_d        = 32'h8000_0000;
      sum_d       = '0;
    end

    if (abort_i) begin
      state_d    = StIdle;
      dv_d       = 1'b0;
      st_dv_d    = 1'b0;
      wr_valid_d = 1'b0;
      done_o     = 1'b0;
    end
  end

  logic st_rd, st_wr;
  assign st_rd        = (state_q == StStRd) && !abort_i;
  assign st_wr        = (state_q == StStWr) && !abort_i;
  assign acc_re_o     = rd_go || st_rd;
  assign acc_raddr_o  = st_rd ? row_st_q : rd_line_q;
  assign spad_we_o    = wr_valid_q;
  assign spad_waddr_o = wr_spad_q;
  assign spad_wdata_o = wr_bytes_q;
  // TO_ACC probabilities (MODE 0 / PROB) or the statistics line (MAX / SUM: element 0 the
  // max, 1 / 2 the low / high sum word, the others 0); never in the same cycle
  assign acc_we_o     = (wr_valid_q && f_to_acc_q) || st_wr;
  assign acc_waddr_o  = st_wr ? row_st_q : wr_acc_q;
  for (genvar c = 0; c < Cols; c++) begin : g_acc_w
    logic [31:0] st_el;
    if (c == 0) begin : g_max
      assign st_el = mx_q;
    end else if (c == 1) begin : g_lo
      assign st_el = sum_q[31:0];
    end else if (c == 2) begin : g_hi
      assign st_el = sum_q[63:32];
    end else begin : g_zero
      assign st_el = '0;
    end
    assign acc_wdata_o[c*32 +: 32] = st_wr ? st_el :
                                     {{24{wr_bytes_q[c*8 + 7]}}, wr_bytes_q[c*8 +: 8]};
  end
  assign busy_o = (state_q != StIdle) || dv_q || wr_valid_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= StIdle;
      pass_q      <= 2'd1;
      rows_left_q <= '0;
      row_acc_q   <= '0;
      row_spad_q  <= '0;
      q_end_q     <= '0;
      row_st_q    <= '0;
      st_dv_q     <= 1'b0;
      rd_line_q   <= '0;
      rd_spad_q   <= '0;
      rd_j_q      <= '0;
      mx_q        <= '0;
      sum_q       <= '0;
      div_rem_q   <= '0;
      div_quo_q   <= '0;
      div_bit_q   <= '0;
      k_q         <= '0;
      dv_q        <= 1'b0;
      dv_pass_q   <= 2'd1;
      dv_j_q      <= '0;
      dv_acc_q    <= '0;
      dv_spad_q   <= '0;
      dv_last_q   <= 1'b0;
      wr_valid_q  <= 1'b0;
      wr_last_q   <= 1'b0;
      wr_acc_q    <= '0;
      wr_spad_q   <= '0;
      wr_bytes_q  <= '0;
    end else begin
      state_q     <= state_d;
      pass_q      <= pass_d;
      rows_left_q <= rows_left_d;
      row_acc_q   <= row_acc_d;
      row_spad_q  <= row_spad_d;
      q_end_q     <= q_end_d;
      row_st_q    <= row_st_d;
      st_dv_q     <= st_dv_d;
      rd_line_q   <= rd_line_d;
      rd_spad_q   <= rd_spad_d;
      rd_j_q      <= rd_j_d;
      mx_q        <= mx_d;
      sum_q       <= sum_d;
      div_rem_q   <= div_rem_d;
      div_quo_q   <= div_quo_d;
      div_bit_q   <= div_bit_d;
      k_q         <= k_d;
      dv_q        <= dv_d;
      dv_pass_q   <= dv_pass_d;
      dv_j_q      <= dv_j_d;
      dv_acc_q    <= dv_acc_d;
      dv_spad_q   <= dv_spad_d;
      dv_last_q   <= dv_last_d;
      wr_valid_q  <= wr_valid_d;
      wr_last_q   <= wr_last_d;
      wr_acc_q    <= wr_acc_d;
      wr_spad_q   <= wr_spad_d;
      wr_bytes_q  <= wr_bytes_d;
    end
  end

  initial begin
    if (Rows != Cols)
      $fatal(1, "systole_softmax: only square arrays (Rows == Cols) have a softmax unit");
    if (Cols < 2 || Cols > 64)
      $fatal(1, "systole_softmax: Cols must be in 2..64");
  end

`ifndef SYNTHESIS
`ifndef YOSYS
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
    end else begin
      assert (!(start_i && state_q != StIdle))
        else $error("systole_softmax: start while a command is running");
      assert (!(state_q == StDiv && f_mode_q == ModeFull && sum_q < 64'h0001_0000))
        else $error("systole_softmax: sum below 2^16 (the maximum must contribute 65536)");
    end
  end
`endif
`endif
endmodule
