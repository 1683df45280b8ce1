// ST engine: executes STORE (0x02) and CONFIG ST_OUTPUT (0x04, key 1) in queue order.
//
// A STORE reads accumulator rows, runs them through the output stage (systole_requant, one
// lane per channel) and writes them to main memory as AXI4 INCR bursts. See docs/st.md.
//
// Pipeline (one row per cycle at best):
//   FE  front end: accepts a command, takes the WAIT_PREV token, checks fields, reads the
//       qparam line once, then issues one accumulator read per row (range and window
//       checks here). Errors become an error marker that travels in order with the rows.
//   S1  accumulator data arrives (sync RAM); the output stage runs; the row is packed
//       byte-aligned to its destination bus lane and pushed into the row FIFO.
//   WR  the FIFO head row: AW (one or two bursts, split at 4 KiB) and W beats, issued only
//       when the whole row is in the FIFO, always finished once started.
//   B   a FIFO of outstanding bursts ("last burst of command", give flag, cmd index)
//       matches write responses; SIG_PREV gives st2ex on the command's last response.
//
// The qparam RAM output register holds the line read at command start (systole_ram holds
// its read data while re is low), so no extra copy of the Cols*128-bit line is kept.
module systole_st #(
  // Array rows: not used by the ST engine (kept so every engine has the same parameters).
  /* verilator lint_off UNUSEDPARAM */
  parameter int Rows         = 8,
  /* verilator lint_on UNUSEDPARAM */
  parameter int Cols         = 8,    // channels per accumulator line (int32 each), 1..64
  parameter int AccLines     = 512,  // accumulator lines (ACC_RANGE bound), 1..65536
  parameter int QParamLines  = 64,   // qparam table lines (QPARAM_RANGE bound), 1..65536
  parameter int AxiDataWidth = 64,   // AXI write data bits, 64 or 128
  // 0: Cols parallel output-stage lanes (one row per cycle); 1: one serial lane with an
  // iterative multiplier (systole_requant_serial), for small FPGA builds
  parameter int SerialRequant = 0,
  // 1: the accumulator read port is shared with EX (acc_rgnt_i = 0 while EX reads): the
  // serial output stage then keeps its own copy of the line
  parameter int AccShared = 0,
  parameter int RowDepth  = 4,   // row FIFO entries (finished rows waiting for AXI), power of 2
  parameter int TrkDepth  = 16   // write bursts outstanding (awaiting B), power of 2, >= 2
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  // command queue
  input  logic                      cmd_valid_i,
  output logic                      cmd_ready_o,
  input  logic [255:0]              cmd_i,
  input  logic [15:0]               cmd_idx_i,
  // dependency tokens
  input  logic                      tok_ex2st_avail_i,
  output logic                      tok_ex2st_take_o,
  output logic                      tok_st2ex_give_o,
  // control and errors
  input  logic                      halt_i,
  output logic                      busy_o,
  output logic                      err_o,
  output logic [7:0]                err_code_o,
  output logic [15:0]               err_idx_o,
  // DMA window
  input  logic [31:0]               win_base_i,
  input  logic [31:0]               win_size_i,
  // accumulator read port (data the cycle after re)
  output logic                      acc_re_o,
  input  logic                      acc_rgnt_i,   // acc_re_o may be 1 (shared port free)
  output logic [15:0]               acc_raddr_o,
  input  logic [Cols*32-1:0]        acc_rdata_i,
  // qparam read port (data the cycle after re, held while re is low)
  output logic                      qp_re_o,
  output logic [15:0]               qp_raddr_o,
  input  logic [Cols*128-1:0]       qp_rdata_i,
  // AXI4 write address / data / response (ID, size and burst type are added by the top)
  output logic                      aw_valid_o,
  input  logic                      aw_ready_i,
  output logic [31:0]               aw_addr_o,
  output logic [7:0]                aw_len_o,
  output logic                      w_valid_o,
  input  logic                      w_ready_i,
  output logic [AxiDataWidth-1:0]   w_data_o,
  output logic [AxiDataWidth/8-1:0] w_strb_o,
  output logic                      w_last_o,
  input  logic                      b_valid_i,
  output logic                      b_ready_o,
  input  logic [1:0]                b_resp_i,
  // performance events
  output logic                      stall_dep_o,
  output logic                      stall_mem_o
);
  // ---------------------------------------------------------------------------------------
  // Constants
  // ---------------------------------------------------------------------------------------
  localparam int BusBytes  = AxiDataWidth / 8;
  localparam int OffW      = $clog2(BusBytes);
  localparam int RowBytes  = 4 * Cols;                                   // widest row (raw)
  localparam int LenW      = $clog2(RowBytes + 1);
  localparam int BufBeats  = (RowBytes + BusBytes - 1 + BusBytes - 1) / BusBytes;
  localparam int BufW      = BufBeats * AxiDataWidth;
  localparam int RowCntW   = $clog2(RowDepth) + 1;
  localparam int TrkCntW   = $clog2(TrkDepth) + 1;

  localparam logic [7:0]  OpStore  = 8'h02;
  localparam logic [7:0]  OpConfig = 8'h04;

  localparam logic [7:0]  ErrIllegalOpcode = 8'd1;
  localparam logic [7:0]  ErrIllegalField  = 8'd2;
  localparam logic [7:0]  ErrAccRange      = 8'd4;
  localparam logic [7:0]  ErrQParamRange   = 8'd5;
  localparam logic [7:0]  ErrDmaWindow     = 8'd6;
  localparam logic [7:0]  ErrAxiWrError    = 8'd8;

  // row FIFO entry kinds
  localparam logic [1:0]  KindRow   = 2'd0;   // a finished row to write
  localparam logic [1:0]  KindToken = 2'd1;   // a SIG_PREV of a command without rows
  localparam logic [1:0]  KindErr   = 2'd2;   // an error detected by the front end

  // row FIFO entry layout: {data, give, last, cross, n1, nb, len, off, addr, idx, code, kind}
  localparam int MetaW    = 2 + 4 + 16 + 32 + OffW + LenW + 8 + 8 + 1 + 1 + 1;
  localparam int RowEntW  = MetaW + BufW;
  // outstanding burst record: {idx, give, last, nob}
  localparam int TrkEntW  = 16 + 3;

  // ---------------------------------------------------------------------------------------
  // Front end
  // ---------------------------------------------------------------------------------------
  localparam logic [1:0] FeIdle = 2'd0;   // waiting for a command
  localparam logic [1:0] FeWait = 2'd1;   // token wait, field checks, qparam read
  localparam logic [1:0] FeRows = 2'd2;   // one accumulator read per row
  localparam logic [1:0] FeDead = 2'd3;   // an error marker is on its way; wait for reset

  logic [1:0]  fe_q, fe_d;
  logic [7:0]  c_op_q, c_op_d;
  logic        c_raw_q, c_raw_d, c_bias_q, c_bias_d, c_wait_q, c_wait_d, c_sig_q, c_sig_d;
  logic [15:0] c_rows_q, c_rows_d;         // rows still to issue (ROWS at accept)
  logic [31:0] c_dst_q, c_dst_d;           // destination of the next row
  logic        c_ovf_q, c_ovf_d;           // DST + i*DST_STRIDE has passed 2^32
  logic [31:0] c_dstride_q, c_dstride_d;
  logic [15:0] c_chan_q, c_chan_d;         // CHANNELS
  logic [31:0] c_acc_q, c_acc_d;           // accumulator line of the next row (no wrap)
  logic [15:0] c_sstride_q, c_sstride_d;
  logic [15:0] c_qp_q, c_qp_d;             // QP_LINE (STORE) / KEY (CONFIG)
  logic [23:0] c_val_q, c_val_d;           // VALUE0[23:0] (CONFIG)
  logic [15:0] c_idx_q, c_idx_d;

  logic [7:0]  cfg_zp_q, cfg_zp_d, cfg_min_q, cfg_min_d, cfg_max_q, cfg_max_d;

  // stage S1 (accumulator data arrives next cycle)
  logic             s1_vld_q, s1_vld_d;
  logic [1:0]       s1_kind_q, s1_kind_d;
  logic [3:0]       s1_code_q, s1_code_d;
  logic [15:0]      s1_idx_q, s1_idx_d;
  logic [31:0]      s1_addr_q, s1_addr_d;
  logic [OffW-1:0]  s1_off_q, s1_off_d;
  logic [LenW-1:0]  s1_len_q, s1_len_d;
  logic [7:0]       s1_nb_q, s1_nb_d, s1_n1_q, s1_n1_d;
  logic             s1_cross_q, s1_cross_d, s1_last_q, s1_last_d, s1_give_q, s1_give_d;
  logic             s1_raw_q, s1_raw_d, s1_bias_q, s1_bias_d;

  logic             stop;                  // halt or own error: start nothing new
  logic             err_q, err_d;
  logic [7:0]       err_code_q, err_code_d;
  logic [15:0]      err_idx_q, err_idx_d;

  logic [RowCntW-1:0] row_cnt;
  logic               credit;              // room in the row FIFO for one more S1 entry

  // row geometry of the row the front end is about to issue
  logic [LenW-1:0]  row_len;
  logic [32:0]      row_end, win_end;
  logic             win_ok;
  logic [31:0]      row_aligned;
  logic [OffW-1:0]  row_off;
  logic [7:0]       row_nb, row_n1;
  logic [12:0]      row_to_bnd;
  logic             row_cross;
  logic [32:0]      dst_next;

  logic cmd_hs;
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_cmd;      // reserved command bits, see below
  /* verilator lint_on UNUSEDSIGNAL */

  logic sr_idle;  // serial output stage: free for the next row (always 1 when parallel)
  logic sr_act;   // serial output stage: a row is being requantised (always 0 when parallel)

  assign stop        = halt_i || err_q;
  assign credit      = ((32'(row_cnt) + 32'(s1_vld_q)) < 32'(RowDepth)) && sr_idle;
  assign cmd_ready_o = (fe_q == FeIdle) && !stop;
  assign cmd_hs      = cmd_valid_i && cmd_ready_o;

  // fields of cmd_i this engine ignores: w0 WAIT_NEXT/SIG_NEXT (rejected by the command
  // processor for ST), FLAGS[15:14], w2[63:32] and w3 (reserved)
  assign unused_cmd = ^{cmd_i[255:160], cmd_i[15:14], cmd_i[11], cmd_i[9]};

  always_comb begin
    row_len     = c_raw_q ? LenW'({c_chan_q[LenW-3:0], 2'b00}) : c_chan_q[LenW-1:0];
    row_end     = {1'b0, c_dst_q} + 33'(row_len);
    win_end     = {1'b0, win_base_i} + {1'b0, win_size_i};
    win_ok      = !c_ovf_q && (c_dst_q >= win_base_i) && (row_end <= win_end);
    row_off     = c_dst_q[OffW-1:0];
    row_aligned = {c_dst_q[31:OffW], {OffW{1'b0}}};
    row_nb      = 8'((32'(row_off) + 32'(row_len) + 32'(BusBytes - 1)) >> OffW);
    row_to_bnd  = 13'((13'h1000 - {1'b0, row_aligned[11:0]}) >> OffW);
    row_cross   = {5'd0, row_nb} > row_to_bnd;
    row_n1      = row_cross ? row_to_bnd[7:0] : row_nb;
    dst_next    = {1'b0, c_dst_q} + {1'b0, c_dstride_q};
  end

  always_comb begin
    fe_d        = fe_q;
    c_op_d      = c_op_q;
    c_raw_d     = c_raw_q;
    c_bias_d    = c_bias_q;
    c_wait_d    = c_wait_q;
    c_sig_d     = c_sig_q;
    c_rows_d    = c_rows_q;
    c_dst_d     = c_dst_q;
    c_ovf_d     = c_ovf_q;
    c_dstride_d = c_dstride_q;
    c_chan_d    = c_chan_q;
    c_acc_d     = c_acc_q;
    c_sstride_d = c_sstride_q;
    c_qp_d      = c_qp_q;
    c_val_d     = c_val_q;
    c_idx_d     = c_idx_q;
    cfg_zp_d    = cfg_zp_q;
    cfg_min_d   = cfg_min_q;
    cfg_max_d   = cfg_max_q;

    s1_vld_d   = 1'b0;
    s1_kind_d  = KindRow;
    s1_code_d  = 4'd0;
    s1_idx_d   = c_idx_q;
    s1_addr_d  = row_aligned;
    s1_off_d   = row_off;
    s1_len_d   = row_len;
    s1_nb_d    = row_nb;
    s1_n1_d    = row_n1;
    s1_cross_d = row_cross;
    s1_last_d  = (c_rows_q == 16'd1);
    s1_give_d  = c_sig_q;
    s1_raw_d   = c_raw_q;
    s1_bias_d  = c_bias_q;

    tok_ex2st_take_o = 1'b0;
    stall_dep_o      = 1'b0;
    acc_re_o         = 1'b0;
    qp_re_o          = 1'b0;

    case (fe_q)
      FeIdle: begin
        if (cmd_hs) begin
          c_op_d      = cmd_i[7:0];
          c_wait_d    = cmd_i[8];
          c_sig_d     = cmd_i[10];
          c_raw_d     = cmd_i[12];
          c_bias_d    = cmd_i[13];
          c_rows_d    = cmd_i[31:16];
          c_dst_d     = cmd_i[63:32];
          c_ovf_d     = 1'b0;
          c_dstride_d = cmd_i[95:64];
          c_chan_d    = cmd_i[111:96];
          c_acc_d     = {16'd0, cmd_i[127:112]};
          c_sstride_d = cmd_i[143:128];
          c_qp_d      = (cmd_i[7:0] == OpConfig) ? cmd_i[31:16] : cmd_i[159:144];
          c_val_d     = cmd_i[87:64];
          c_idx_d     = cmd_idx_i;
          fe_d        = FeWait;
        end
      end

      FeWait: begin
        stall_dep_o = c_wait_q && !tok_ex2st_avail_i;
        if (!stop && credit && (!c_wait_q || tok_ex2st_avail_i)) begin
          tok_ex2st_take_o = c_wait_q;
          fe_d = FeIdle;
          if (c_op_q == OpConfig) begin
            if (c_qp_q != 16'd1 || $signed(c_val_q[15:8]) > $signed(c_val_q[23:16])) begin
              s1_vld_d  = 1'b1;
              s1_kind_d = KindErr;
              s1_code_d = ErrIllegalField[3:0];
              fe_d      = FeDead;
            end else begin
              cfg_zp_d  = c_val_q[7:0];
              cfg_min_d = c_val_q[15:8];
              cfg_max_d = c_val_q[23:16];
            end
          end else if (c_op_q == OpStore) begin
            if (c_chan_q == 16'd0 || c_chan_q > 16'(Cols)) begin
              s1_vld_d  = 1'b1;
              s1_kind_d = KindErr;
              s1_code_d = ErrIllegalField[3:0];
              fe_d      = FeDead;
            end else if (32'(c_qp_q) >= 32'(QParamLines)) begin
              s1_vld_d  = 1'b1;
              s1_kind_d = KindErr;
              s1_code_d = ErrQParamRange[3:0];
              fe_d      = FeDead;
            end else if (c_rows_q == 16'd0) begin
              // nothing to write: only the token, in order behind earlier bursts
              s1_vld_d  = c_sig_q;
              s1_kind_d = KindToken;
            end else begin
              qp_re_o = 1'b1;
              fe_d    = FeRows;
            end
          end else begin
            s1_vld_d  = 1'b1;
            s1_kind_d = KindErr;
            s1_code_d = ErrIllegalOpcode[3:0];
            fe_d      = FeDead;
          end
        end
      end

      FeRows: begin
        if (!stop && credit && acc_rgnt_i) begin
          s1_vld_d = 1'b1;
          if (c_acc_q >= 32'(AccLines)) begin
            s1_kind_d = KindErr;
            s1_code_d = ErrAccRange[3:0];
            fe_d      = FeDead;
          end else if (!win_ok) begin
            s1_kind_d = KindErr;
            s1_code_d = ErrDmaWindow[3:0];
            fe_d      = FeDead;
          end else begin
            acc_re_o    = 1'b1;
            c_rows_d    = c_rows_q - 16'd1;
            c_dst_d     = dst_next[31:0];
            c_ovf_d     = c_ovf_q || dst_next[32];
            c_acc_d     = c_acc_q + {16'd0, c_sstride_q};
            if (c_rows_q == 16'd1) fe_d = FeIdle;
          end
        end
      end

      default: ;  // FeDead: an error marker is on its way; wait for reset
    endcase
  end

  assign acc_raddr_o = c_acc_q[15:0];
  assign qp_raddr_o  = c_qp_q;

  // ---------------------------------------------------------------------------------------
  // S1: output stage and packing into the row FIFO
  // ---------------------------------------------------------------------------------------
  logic [RowBytes*8-1:0] lane_res;   // raw: int32 per channel; else int8 in the low bytes
  logic [Cols*32-1:0]    lane_res32;
  logic [Cols*8-1:0]     lane_q;
  logic [BufW-1:0]       s1_buf;
  logic [RowEntW-1:0]    s1_entry;

  logic s1_push;   // the S1 entry goes into the row FIFO now

  if (SerialRequant == 0) begin : g_par
    for (genvar n = 0; n < Cols; n++) begin : g_lane
      /* verilator lint_off UNUSEDSIGNAL */
      logic [31:0] unused_raw;   // res_o already carries x in raw mode
      /* verilator lint_on UNUSEDSIGNAL */
      systole_requant u_requant (
        .en_i      (s1_vld_q),
        .acc_i     (acc_rdata_i[32*n +: 32]),
        .bias_i    (qp_rdata_i[128*n +: 32]),
        .bias_en_i (s1_bias_q),
        .raw_i     (s1_raw_q),
        .mult_i    (qp_rdata_i[128*n + 32 +: 32]),
        .shift_i   (qp_rdata_i[128*n + 64 +: 32]),
        .out_zp_i  (cfg_zp_q),
        .act_min_i (cfg_min_q),
        .act_max_i (cfg_max_q),
        .raw_o     (unused_raw),
        .res_o     (lane_res32[32*n +: 32]),
        .q_o       (lane_q[8*n +: 8])
      );
    end
    assign sr_idle = 1'b1;
    assign sr_act  = 1'b0;
    assign s1_push = s1_vld_q;
  end else begin : g_ser
    // A row in S1 starts the serial stage; the accumulator and qparam RAM outputs hold
    // (the front end issues no read until sr_idle), and the row is pushed when it is done.
    // Marker entries (token, error) are pushed from S1 at once, as in the parallel form.
    logic sr_start, sr_busy, sr_done;
    assign sr_start = s1_vld_q && (s1_kind_q == KindRow);
    assign sr_idle  = !sr_busy && !sr_start;
    assign sr_act   = sr_busy;
    assign s1_push  = (s1_vld_q && (s1_kind_q != KindRow)) || sr_done;

    logic [Cols*32-1:0] sr_acc;
    if (AccShared != 0) begin : g_copy
      // EX may read the shared port while the row is requantised: keep the line
      logic [Cols*32-1:0] acc_q;
      always_ff @(posedge clk_i) begin
        if (sr_start) acc_q <= acc_rdata_i;
      end
      assign sr_acc = acc_q;
    end else begin : g_direct
      assign sr_acc = acc_rdata_i;
    end

    systole_requant_serial #(
      .Cols    (Cols),
      .MulBits (4)
    ) u_requant (
      .clk_i      (clk_i),
      .rst_ni     (rst_ni),
      .start_i    (sr_start),
      .acc_line_i (sr_acc),
      .qp_line_i  (qp_rdata_i),
      .bias_en_i  (s1_bias_q),
      .raw_i      (s1_raw_q),
      .out_zp_i   (cfg_zp_q),
      .act_min_i  (cfg_min_q),
      .act_max_i  (cfg_max_q),
      .busy_o     (sr_busy),
      .done_o     (sr_done),
      .res_o      (lane_res32)
    );
    for (genvar n = 0; n < Cols; n++) begin : g_q
      assign lane_q[8*n +: 8] = lane_res32[32*n +: 8];
    end
  end

  // reserved words of each qparam record
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_qp;
  /* verilator lint_on UNUSEDSIGNAL */
  always_comb begin
    unused_qp = 1'b0;
    for (int n = 0; n < Cols; n++) unused_qp = unused_qp ^ (^qp_rdata_i[128*n + 96 +: 32]);
  end

  // Packed only when S1 holds an entry (the FIFO takes s1_entry only then): operand
  // isolation, which also lets Verilator skip the wide shift on idle cycles.
  always_comb begin
    lane_res = '0;
    s1_buf   = '0;
    s1_entry = '0;
    if (s1_push) begin
      lane_res = s1_raw_q ? lane_res32 : (RowBytes*8)'(lane_q);
      s1_buf   = BufW'(lane_res) << {s1_off_q, 3'b000};
      s1_entry = {s1_buf, s1_give_q, s1_last_q, s1_cross_q, s1_n1_q, s1_nb_q, s1_len_q,
                  s1_off_q, s1_addr_q, s1_idx_q, s1_code_q, s1_kind_q};
    end
  end

  // ---------------------------------------------------------------------------------------
  // Row FIFO
  // ---------------------------------------------------------------------------------------
  logic               row_valid, row_pop;
  /* verilator lint_off UNUSEDSIGNAL */
  logic               row_fifo_ready, trk_fifo_ready;  // FIFO space is reserved up front
  /* verilator lint_on UNUSEDSIGNAL */
  logic [RowEntW-1:0] row_ent;

  systole_fifo #(
    .Width (RowEntW),
    .Depth (RowDepth)
  ) u_row_fifo (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .valid_i (s1_push),
    .ready_o (row_fifo_ready),  // always 1 on a push: the front end reserves space (credit)
    .wdata_i (s1_entry),
    .valid_o (row_valid),
    .ready_i (row_pop),
    .rdata_o (row_ent),
    .count_o (row_cnt)
  );

  logic [1:0]      h_kind;
  logic [3:0]      h_code;
  logic [15:0]     h_idx;
  logic [31:0]     h_addr;
  logic [OffW-1:0] h_off;
  logic [LenW-1:0] h_len;
  logic [7:0]      h_nb, h_n1;
  logic            h_cross, h_last, h_give;
  logic [BufW-1:0] h_buf;

  assign {h_buf, h_give, h_last, h_cross, h_n1, h_nb, h_len, h_off, h_addr, h_idx, h_code,
          h_kind} = row_ent;

  // ---------------------------------------------------------------------------------------
  // Writer: AW and W of the head row
  // ---------------------------------------------------------------------------------------
  logic             wr_act_q, wr_act_d;      // a row's AW/W are in progress
  logic [1:0]       aw_cnt_q, aw_cnt_d;      // bursts of the row whose AW was accepted
  logic [7:0]       w_beat_q, w_beat_d;      // beats of the row accepted
  logic             wr_start, wr_act, aw_hs, w_hs, row_done;
  logic [1:0]       nbursts, aw_cnt_n;
  logic [7:0]       w_beat_n;
  logic             tok_start, err_marker;

  logic               trk_push, trk_pop, trk_valid;
  logic [TrkEntW-1:0] trk_wdata, trk_rdata;
  logic [TrkCntW-1:0] trk_cnt;
  logic               trk_nob, trk_last, trk_give;
  logic [15:0]        trk_idx;
  logic               trk_room2, trk_room1;
  logic               b_hs, b_err;

  assign trk_room2 = trk_cnt <= TrkCntW'(TrkDepth - 2);
  assign trk_room1 = trk_cnt <= TrkCntW'(TrkDepth - 1);

  always_comb begin
    nbursts    = h_cross ? 2'd2 : 2'd1;
    wr_start   = !wr_act_q && row_valid && (h_kind == KindRow) && !stop && trk_room2;
    wr_act     = wr_act_q || wr_start;
    tok_start  = !wr_act_q && row_valid && (h_kind == KindToken) && !stop && trk_room1;
    err_marker = !wr_act_q && row_valid && (h_kind == KindErr);

    aw_valid_o = wr_act && (aw_cnt_q < nbursts);
    aw_addr_o  = (aw_cnt_q == 2'd0) ? h_addr : h_addr + (32'(h_n1) << OffW);
    aw_len_o   = ((aw_cnt_q == 2'd0) ? h_n1 : (h_nb - h_n1)) - 8'd1;

    w_valid_o  = wr_act && (w_beat_q < h_nb);
    w_data_o   = h_buf[32'(w_beat_q) * AxiDataWidth +: AxiDataWidth];
    w_last_o   = (w_beat_q == h_nb - 8'd1) || (h_cross && (w_beat_q == h_n1 - 8'd1));
    for (int j = 0; j < BusBytes; j++) begin
      w_strb_o[j] = ((16'(w_beat_q) << OffW) + 16'(j) >= 16'(h_off)) &&
                    ((16'(w_beat_q) << OffW) + 16'(j) <  16'(h_off) + 16'(h_len));
    end

    // outstanding-burst record, pushed on an AW handshake or a token start
    trk_wdata  = {h_idx, h_give, tok_start || (h_last && (aw_cnt_q == nbursts - 2'd1)),
                  tok_start};
  end

  // Handshake-dependent part, kept apart from the block above so that only these few lines
  // depend on the AW/W ready inputs (Verilator re-evaluates input-dependent logic on every
  // model evaluation).
  always_comb begin
    aw_hs      = aw_valid_o && aw_ready_i;
    w_hs       = w_valid_o && w_ready_i;

    aw_cnt_n   = aw_cnt_q + {1'b0, aw_hs};
    w_beat_n   = w_beat_q + {7'd0, w_hs};
    row_done   = wr_act && (aw_cnt_n == nbursts) && (w_beat_n == h_nb);

    wr_act_d   = wr_act && !row_done;
    aw_cnt_d   = row_done ? 2'd0 : aw_cnt_n;
    w_beat_d   = row_done ? 8'd0 : w_beat_n;
    row_pop    = row_done || tok_start || err_marker;
    trk_push   = aw_hs || tok_start;   // outstanding-burst record
  end

  systole_fifo #(
    .Width (TrkEntW),
    .Depth (TrkDepth)
  ) u_trk_fifo (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .valid_i (trk_push),
    .ready_o (trk_fifo_ready),  // always 1 on a push: room is checked before a row starts
    .wdata_i (trk_wdata),
    .valid_o (trk_valid),
    .ready_i (trk_pop),
    .rdata_o (trk_rdata),
    .count_o (trk_cnt)
  );

  assign {trk_idx, trk_give, trk_last, trk_nob} = trk_rdata;

  assign b_ready_o = trk_valid && !trk_nob;

  always_comb begin
    b_hs      = b_valid_i && b_ready_o;
    b_err     = b_hs && (b_resp_i != 2'b00);
    trk_pop   = trk_valid && (trk_nob || b_valid_i);
    tok_st2ex_give_o = trk_pop && trk_last && trk_give && !err_q && !b_err;
  end

  // ---------------------------------------------------------------------------------------
  // Errors (first one wins, held until reset)
  // ---------------------------------------------------------------------------------------
  always_comb begin
    err_d      = err_q;
    err_code_d = err_code_q;
    err_idx_d  = err_idx_q;
    if (!err_q) begin
      if (b_err) begin
        err_d      = 1'b1;
        err_code_d = ErrAxiWrError;
        err_idx_d  = trk_idx;
      end else if (err_marker) begin
        err_d      = 1'b1;
        err_code_d = {4'd0, h_code};
        err_idx_d  = h_idx;
      end
    end
  end

  assign err_o      = err_q;
  assign err_code_o = err_code_q;
  assign err_idx_o  = err_idx_q;

  // busy: outstanding AXI always counts; queued work only while not stopped (a halted or
  // failed engine pauses between rows, so busy falls once its AXI traffic has drained)
  assign busy_o = wr_act_q || trk_valid ||
                  (!stop && ((fe_q != FeIdle && fe_q != FeDead) || s1_vld_q || sr_act ||
                             row_valid));

  assign stall_mem_o = (wr_act && ((aw_valid_o && !aw_ready_i) || (w_valid_o && !w_ready_i))) ||
                       (!wr_act_q && row_valid && h_kind != KindErr && !stop &&
                        !(wr_start || tok_start)) ||
                       (trk_valid && !wr_act_q && !row_valid && !s1_vld_q && !sr_act &&
                        fe_q == FeIdle && !cmd_valid_i);

  // ---------------------------------------------------------------------------------------
  // Registers
  // ---------------------------------------------------------------------------------------
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      fe_q        <= FeIdle;
      c_op_q      <= 8'd0;
      c_raw_q     <= 1'b0;
      c_bias_q    <= 1'b0;
      c_wait_q    <= 1'b0;
      c_sig_q     <= 1'b0;
      c_rows_q    <= 16'd0;
      c_dst_q     <= 32'd0;
      c_ovf_q     <= 1'b0;
      c_dstride_q <= 32'd0;
      c_chan_q    <= 16'd0;
      c_acc_q     <= 32'd0;
      c_sstride_q <= 16'd0;
      c_qp_q      <= 16'd0;
      c_val_q     <= 24'd0;
      c_idx_q     <= 16'd0;
      cfg_zp_q    <= 8'h00;
      cfg_min_q   <= 8'h80;   // -128
      cfg_max_q   <= 8'h7F;   //  127
      s1_vld_q    <= 1'b0;
      wr_act_q    <= 1'b0;
      aw_cnt_q    <= 2'd0;
      w_beat_q    <= 8'd0;
      err_q       <= 1'b0;
      err_code_q  <= 8'd0;
      err_idx_q   <= 16'd0;
    end else begin
      fe_q        <= fe_d;
      c_op_q      <= c_op_d;
      c_raw_q     <= c_raw_d;
      c_bias_q    <= c_bias_d;
      c_wait_q    <= c_wait_d;
      c_sig_q     <= c_sig_d;
      c_rows_q    <= c_rows_d;
      c_dst_q     <= c_dst_d;
      c_ovf_q     <= c_ovf_d;
      c_dstride_q <= c_dstride_d;
      c_chan_q    <= c_chan_d;
      c_acc_q     <= c_acc_d;
      c_sstride_q <= c_sstride_d;
      c_qp_q      <= c_qp_d;
      c_val_q     <= c_val_d;
      c_idx_q     <= c_idx_d;
      cfg_zp_q    <= cfg_zp_d;
      cfg_min_q   <= cfg_min_d;
      cfg_max_q   <= cfg_max_d;
      s1_vld_q    <= s1_vld_d;
      wr_act_q    <= wr_act_d;
      aw_cnt_q    <= aw_cnt_d;
      w_beat_q    <= w_beat_d;
      err_q       <= err_d;
      err_code_q  <= err_code_d;
      err_idx_q   <= err_idx_d;
    end
  end

  // S1 row geometry. With the serial output stage it is loaded only when the front end
  // issues, so it holds while the row is being requantised.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_kind_q   <= KindRow;
      s1_code_q   <= 4'd0;
      s1_idx_q    <= 16'd0;
      s1_addr_q   <= 32'd0;
      s1_off_q    <= '0;
      s1_len_q    <= '0;
      s1_nb_q     <= 8'd0;
      s1_n1_q     <= 8'd0;
      s1_cross_q  <= 1'b0;
      s1_last_q   <= 1'b0;
      s1_give_q   <= 1'b0;
      s1_raw_q    <= 1'b0;
      s1_bias_q   <= 1'b0;
    end else if (SerialRequant == 0 || s1_vld_d) begin
      s1_kind_q   <= s1_kind_d;
      s1_code_q   <= s1_code_d;
      s1_idx_q    <= s1_idx_d;
      s1_addr_q   <= s1_addr_d;
      s1_off_q    <= s1_off_d;
      s1_len_q    <= s1_len_d;
      s1_nb_q     <= s1_nb_d;
      s1_n1_q     <= s1_n1_d;
      s1_cross_q  <= s1_cross_d;
      s1_last_q   <= s1_last_d;
      s1_give_q   <= s1_give_d;
      s1_raw_q    <= s1_raw_d;
      s1_bias_q   <= s1_bias_d;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Elaboration checks
  // ---------------------------------------------------------------------------------------
  initial begin
    if (Cols < 1 || Cols > 64)
      $fatal(1, "systole_st: Cols must be in 1..64");
    if (AccLines < 1 || AccLines > 65536)
      $fatal(1, "systole_st: AccLines must be in 1..65536");
    if (QParamLines < 1 || QParamLines > 65536)
      $fatal(1, "systole_st: QParamLines must be in 1..65536");
    if (AxiDataWidth != 64 && AxiDataWidth != 128)
      $fatal(1, "systole_st: AxiDataWidth must be 64 or 128");
    if (RowDepth < 1 || (RowDepth & (RowDepth - 1)) != 0)
      $fatal(1, "systole_st: RowDepth must be a power of two");
    if (TrkDepth < 2 || (TrkDepth & (TrkDepth - 1)) != 0)
      $fatal(1, "systole_st: TrkDepth must be a power of two >= 2");
  end
endmodule
