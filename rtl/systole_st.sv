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
//
// SerialStore = 1 builds a different engine for the smallest builds instead (g_small below):
// one channel at a time through a shift-and-add output stage, one byte per AXI write.
module systole_st #(
  // Array rows: not used by the ST engine (kept so every engine has the same parameters).
  /* verilator lint_off UNUSEDPARAM */
  parameter int Rows         = 8,
  /* verilator lint_on UNUSEDPARAM */
  parameter int Cols         = 8,    // channels per accumulator line (int32 each), 1..64
  parameter int AccLines     = 512,  // accumulator lines (ACC_RANGE bound), 1..65536
  parameter int QParamLines  = 64,   // qparam table lines (QPARAM_RANGE bound), 1..65536
  parameter int AxiDataWidth = 64,   // AXI write data bits, 32, 64 or 128
  // 0: Cols parallel output-stage lanes (one row per cycle); 1: one serial lane with an
  // iterative multiplier (systole_requant_serial), for small FPGA builds
  parameter int SerialRequant = 0,
  // 1: the accumulator read port is shared with EX (acc_rgnt_i = 0 while EX reads): the
  // serial output stage then keeps its own copy of the line
  parameter int AccShared = 0,
  parameter int RowDepth  = 4,   // row FIFO entries (finished rows waiting for AXI), power of 2
  parameter int TrkDepth  = 16,  // write bursts outstanding (awaiting B), power of 2, >= 2
  // 1: the serial engine for the smallest builds: one channel at a time with a shift-and-add
  // output stage, one byte per AXI write (SerialRequant, AccShared and RowDepth unused)
  parameter int SerialStore = 0,
  // 1 (SerialStore only): the qparam table is a memory of 32-bit words, one per record
  // field, read one word at a time: qp_raddr_o = {QP_LINE, channel, field} (field 0 bias,
  // 1 multiplier, 2 shift), the word on qp_rdata_i[31:0] (systole_top: block RAM)
  parameter int QpWords = 0,
  // the DMA address bits that exist (WIN_BASE keeps only these; see "Mask space" at g_small):
  // all ones = full 32-bit address arithmetic. Used by the serial engine only.
  parameter logic [31:0] DmaAddrMask = 32'hFFFF_FFFF
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

  localparam logic [7:0]  OpStore  = 8'h02;
  localparam logic [7:0]  OpConfig = 8'h04;

  localparam logic [7:0]  ErrIllegalOpcode = 8'd1;
  localparam logic [7:0]  ErrIllegalField  = 8'd2;
  localparam logic [7:0]  ErrAccRange      = 8'd4;
  localparam logic [7:0]  ErrQParamRange   = 8'd5;
  localparam logic [7:0]  ErrDmaWindow     = 8'd6;
  localparam logic [7:0]  ErrAxiWrError    = 8'd8;

  // DmaAddrMask's low run of ones (bits MkL-1:0) and top run (bits 31:MkHs), for g_small
  localparam int MkL  = systole_mask_pkg::mask_lo(DmaAddrMask);
  localparam int MkHs = systole_mask_pkg::mask_hs(DmaAddrMask);

  if (SerialStore == 0) begin : g_full
    localparam int RowBytes  = 4 * Cols;                                   // widest row (raw)
    localparam int LenW      = $clog2(RowBytes + 1);
    localparam int BufBeats  = (RowBytes + BusBytes - 1 + BusBytes - 1) / BusBytes;
    localparam int BufW      = BufBeats * AxiDataWidth;
    localparam int RowCntW   = $clog2(RowDepth) + 1;
    localparam int TrkCntW   = $clog2(TrkDepth) + 1;

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

  end else begin : g_small
    // -------------------------------------------------------------------------------------
    // SerialStore = 1: one channel at a time, one byte per AXI write (docs/st.md, "Serial
    // engine"). The command stays at the head of the ST queue until its last write response
    // (its fields are read from cmd_i throughout, so none are copied); one row at a time is
    // window-checked bit-serially; each channel is read from the accumulator, requantised
    // with a shift-and-add multiplier and written as single-beat bursts, one byte each.
    // -------------------------------------------------------------------------------------
    localparam int LnW  = (Cols > 1) ? $clog2(Cols) : 1;
    localparam int LenW = $clog2(4 * Cols + 1);     // row bytes, up to 4·Cols (raw)
    localparam int OutW = $clog2(TrkDepth + 1);
    // the multiplier's running sum, signed: |g| < 2^32 at every step (the operand is at most
    // 2^31 in magnitude and g is halved before each add), and the later steps only shrink it
    localparam int GW   = 33;

    // The codes of SCmd, SAxi, SEnd1 and SEnd2 carry the destination adder's operand select in
    // their low bits (b_op) and the accumulator line's in bit 1 (a_op).
    typedef enum logic [4:0] {
      SIdle  = 5'd0,    // waiting for a command
      SCmd   = 5'd1,    // token, field checks, CONFIG, qparam read, address set-up
      SRow   = 5'd2,    // next row: accumulator line range check
      SWin   = 5'd3,    // window check of the row, one address bit per cycle
      SChan  = 5'd4,    // accumulator read of the row's line for the next channel
      SLoad  = 5'd5,    // x = acc + bias of the channel
      SMul   = 5'd6,    // one multiplier step per cycle
      SPost  = 5'd7,    // the rounding right shift, one bit per cycle
      SZp    = 5'd8,    // zero point (right shift 0)
      SCmpLo = 5'd9,    // y < act_min?
      SCmpHi = 5'd10,   // y > act_max?
      SBeat  = 5'd11,   // start the byte's AW and W
      SAxi   = 5'd12,   // AW and W of the byte in progress
      SShift = 5'd13,   // raw: the next byte of x into the low bits
      SEnd1  = 5'd14,   // row done: address back to the row start
      SEnd2  = 5'd15,   // next row's address, line and count
      SDone  = 5'd16,   // all write responses back: pop the command, give the token
      SDead  = 5'd17,   // an error: wait for reset
      SShf   = 5'd18,   // QpWords: the channel's shift arrives, the multiplier is read
      SWinE  = 5'd19,   // the window check's last bit and verdict
      SPop   = 5'd20    // pop the command, give the token (from flip-flops: pop_q)
    } state_e;

    state_e         state_q, state_d;
    logic [4:0]     c_q, c_d;           // step counter (window bit, multiplier step, shift)
    logic [LnW-1:0] lane_q, lane_d;     // channel of the row
    logic [1:0]     bc_q, bc_d;         // raw: byte of the channel
    logic           c1_q, c1_d, c2_q, c2_d, gt_q, gt_d;   // window check carries, compare
    logic           st_q, st_d;         // sticky: a one shifted out by the rounding shift
    logic [1:0]     os_q, os_d;         // the byte written: 0: y, 1: act_min, 2: act_max, 3: x
    logic           aw_q, aw_d, w_q, w_d;                 // AW, W of the byte pending
    logic           bf_q, be_q;         // a write response accepted; ... not OKAY
    logic           busy_q, scmd_q, pop_q, pop_sig_q;   // busy_o; state_q is SCmd, SPop
    logic           pop_nx;
    logic [OutW-1:0] out_q, out_d;      // writes awaiting B
    logic           err_q, err_d;
    logic [3:0]     err_code_q, err_code_d;
    // CONFIG ST_OUTPUT's values as a ring {~act_max, ~act_min, out_zp}, which turns by a
    // byte in each of the three cycles before the output stage adds them (out_zp, ~act_min,
    // ~act_max in consecutive cycles: see k_q), so the adder's constant is always the low
    // byte and no byte mux is needed; the three turns bring it back between channels
    logic [23:0]    cfg_q;
    logic           cfg_we;
    logic           stop;

    // command fields, read from the queue head while the command runs
    logic [7:0]  f_op;
    logic        f_wait, f_sig, f_raw, f_bias;
    logic [15:0] f_rows, f_chan, f_src, f_sstride, f_qp;
    logic [31:0] f_dst, f_dstride;
    logic [LenW-1:0] f_len;             // row bytes
    /* verilator lint_off UNUSEDSIGNAL */
    logic unused_cmd;      // reserved command bits and the CONFIG value's top byte
    /* verilator lint_on UNUSEDSIGNAL */

    assign f_op      = cmd_i[7:0];
    assign f_wait    = cmd_i[8];
    assign f_sig     = cmd_i[10];
    assign f_raw     = cmd_i[12];
    assign f_bias    = cmd_i[13];
    assign f_rows    = cmd_i[31:16];     // ROWS (STORE), KEY (CONFIG)
    assign f_dst     = cmd_i[63:32];
    assign f_dstride = cmd_i[95:64];     // DST_STRIDE (STORE), VALUE0 (CONFIG)
    assign f_chan    = cmd_i[111:96];
    assign f_src     = cmd_i[127:112];
    assign f_sstride = cmd_i[143:128];
    assign f_qp      = cmd_i[159:144];
    assign f_len     = f_raw ? LenW'({f_chan[LenW-3:0], 2'b00}) : f_chan[LenW-1:0];
    assign unused_cmd = ^{cmd_i[255:160], cmd_i[15:14], cmd_i[11], cmd_i[9], f_op[7:3], f_op[1:0],
                          f_dstride[31:24]};

    assign stop        = halt_i || err_q || be_q;   // (be_q: as err_q a cycle early)

    // The field checks of SCmd, registered: the command is at the queue head in the cycle
    // before SCmd too (SIdle saw cmd_valid_i), and stays there (so the comparators end at
    // flip-flops rather than in the state logic).
    logic k_cfg_q, k_chan_q, k_qp_q;    // CONFIG min > max; bad CHANNELS; bad QP_LINE
    always_ff @(posedge clk_i) begin
      k_cfg_q  <= $signed(f_dstride[15:8]) > $signed(f_dstride[23:16]);
      k_chan_q <= f_chan == 16'd0 || |(f_chan >> (LnW + 1)) ||
                  f_chan[LnW:0] > (LnW + 1)'(Cols);
      k_qp_q   <= ((QParamLines & (QParamLines - 1)) == 0)
                  ? |(f_qp >> $clog2(QParamLines)) : (32'(f_qp) >= QParamLines);
    end

    // ---- address (byte address of the next write, the row's start between rows) ----
    // One adder per register, its second operand chosen by a small mux: the destination
    // moves by one per byte written, back by the row length at the row end and on by
    // DST_STRIDE; the accumulator line moves by SRC_STRIDE. Both are cleared while idle, so
    // the command's start values are added rather than loaded.
    // Mask space (DmaAddrMask not all ones, of the form {ones from bit Hs up, zeros, ones in
    // bits L-1:0} with L >= 12 and L > LenW, e.g. the board's 32'h8001_FFFF: L = 17, Hs =
    // 31), as in the serial LD engine (docs/ld.md): the destination address is kept on the
    // W = L + 32 - Hs mask bits only (base_q, packed), and the window check runs over those
    // W bits. A destination with a bit outside the mask (or past 2^32) sets the sticky
    // bovf_q (DST, or DST + i·DST_STRIDE: the stride's bits in the gap must cancel), a row
    // whose last byte carries out of the low run of mask bits is outside the window (w_x),
    // and the window is taken on the packed mask bits and ends at the top of the mask
    // space. For a window with base + size inside the mask space this is exactly the 32-bit
    // check. A mask of another form keeps the 32-bit arithmetic (Narrow = 0).
    localparam bit Narrow = (DmaAddrMask != 32'hFFFF_FFFF) && (MkL >= 12) && (MkL > LenW) &&
                            (MkHs < 32) && (MkHs > MkL) &&
                            ((DmaAddrMask & ~((32'hFFFF_FFFF << MkHs) | ((32'd1 << MkL) - 32'd1))) == 32'd0);
    localparam logic [31:0] CM = Narrow ? DmaAddrMask : 32'hFFFF_FFFF;  // bits kept
    localparam int W  = Narrow ? MkL + 32 - MkHs : 32;   // address bits kept
    logic [W-1:0] base_q;
    logic         bovf_q;       // DST + i·DST_STRIDE has passed 2^32 or left the mask space
    // The accumulator line needs only as many bits as the RAM address when AccLines is a
    // power of two: a sticky flag records that the line has reached 2^AccW (it only grows).
    localparam bit AccPow2 = (AccLines & (AccLines - 1)) == 0;
    localparam int AccW    = !AccPow2 ? 16 : ((AccLines > 1) ? $clog2(AccLines) : 1);
    logic [AccW-1:0] acc_q;
    logic            aovf_q;    // SRC_LINE + i·SRC_STRIDE >= 2^AccW (sticky)
    logic [15:0] rows_q;        // rows started (cleared while idle)
    logic [1:0]  b_op;          // 0: +1, 1: +DST, 2: -len, 3: +DST_STRIDE
    logic        b_en, a_en, a_op, r_dec;
    logic [W-1:0] b_opnd;
    logic [W:0]   b_sum;
    logic         b_out;        // b_sum has passed 2^32 or left the mask space
    logic [31:0]  dst_u, dstride_u, base_u;   // unpacked views (mask space: the mask bits)
    logic [W-1:0] dst_p, dstride_p, wbase_p;   // packed mask bits
    for (genvar k = 0; k < 32; k++) begin : g_pack
      if (CM[k]) begin : g_bit
        assign dst_p[systole_mask_pkg::mask_below(CM, k)]     = f_dst[k];
        assign dstride_p[systole_mask_pkg::mask_below(CM, k)] = f_dstride[k];
        assign wbase_p[systole_mask_pkg::mask_below(CM, k)]   = win_base_i[k];
        assign base_u[k] = base_q[systole_mask_pkg::mask_below(CM, k)];
      end else begin : g_gap
        logic unused_base;            // WIN_BASE has no bits here (the CSR keeps them 0)
        assign unused_base = win_base_i[k];
        assign base_u[k] = 1'b0;
      end
    end
    assign dst_u     = f_dst;
    assign dstride_u = f_dstride;
    logic [15:0] a_opnd;
    logic [AccW:0] a_sum;
    logic        acc_bad;

    always_comb begin
      case (b_op)
        2'd0:    b_opnd = W'(0);
        2'd1:    b_opnd = dst_p;
        2'd2:    b_opnd = ~(W'(f_len));
        default: b_opnd = dstride_p;
      endcase
      a_opnd  = a_op ? f_sstride : f_src;
      a_sum   = {1'b0, acc_q} + {1'b0, a_opnd[AccW-1:0]};
      // (power-of-two bounds as a test of the high bits: no comparator)
      acc_bad = aovf_q || (AccPow2 ? |(acc_q >> $clog2(AccLines)) : (32'(acc_q) >= AccLines));
    end

    if (Narrow) begin : g_narrow
      // DST's or DST_STRIDE's bits between the two runs of mask bits (Hs-1:L) land in the
      // gap: the sum stays in the mask space iff they and the carry into them give 0 there
      // (all zeros and no carry, or all ones and a carry, which goes on into bit Hs). The
      // other operands (+1, -len) move within a checked row (its end may touch 2^L, undone
      // by the -len): their carry goes straight from bit L-1 to bit Hs.
      logic [MkL:0]       lo;
      logic [32-MkHs:0]   hi;
      logic               gap_z, gap_1, gap_c, hci;
      logic unused_u;                   // (the unpacked views: only the gap bits are used)
      assign lo     = (MkL+1)'(base_q[MkL-1:0]) + (MkL+1)'(b_opnd[MkL-1:0]) +
                      (MkL+1)'(!b_op[0]);
      // (DST: base_q is 0, no carry; only DST_STRIDE's gap may be all ones)
      assign gap_z  = b_op[1] ? (dstride_u[MkHs-1:MkL] == '0) : (dst_u[MkHs-1:MkL] == '0);
      assign gap_1  = (&dstride_u[MkHs-1:MkL]);
      assign gap_c  = lo[MkL] && gap_1;
      assign hci    = b_op[0] ? gap_c : lo[MkL];
      assign hi     = (32-MkHs+1)'(base_q[W-1:MkL]) + (32-MkHs+1)'(b_opnd[W-1:MkL]) +
                      (32-MkHs+1)'(hci);
      assign b_sum  = {hi, lo[MkL-1:0]};
      assign b_out  = hi[32-MkHs] || !((gap_z && !lo[MkL]) || gap_c);
      assign unused_u = ^{dst_u[MkL-1:0], dst_u[31:MkHs], dstride_u[MkL-1:0],
                          dstride_u[31:MkHs], b_sum[W]};
    end else begin : g_wide
      logic unused_u;
      assign b_sum    = {1'b0, base_q} + {1'b0, b_opnd} + {32'd0, !b_op[0]};
      assign b_out    = b_sum[32];
      assign unused_u = ^{dst_u, dstride_u};
    end

    assign acc_raddr_o = 16'(acc_q);

    // The operand selects are state bits (see the state codes): a clean two-input select
    // keeps each operand mux in one LUT per bit.
    assign b_op = state_q[1:0];
    assign a_op = state_q[1];

    // ---- serial window check of [base, base + len): base >= win_base and
    //      (base - win_base) + len <= win_size, LSB first. Bit c_q of each operand is
    //      selected into flip-flops (the 32:1 muxes end there) and taken by the carries in
    //      the next cycle: SRow selects bit 0, SWin takes bit c_q - 1 and selects bit c_q
    //      (1..W-1), SWinE takes bit W-1 and gives the verdict. ----
    // (mask space: over the W packed bits; a size past the top of the mask space (w_big)
    // leaves only base >= win_base, and w_x flags a row carrying out of bit L-1)
    logic        w_b, w_nw, w_s, w_l, w_t, w_v, w_x, w_big;
    logic [31:0] w_len, w_base, w_wbase;   // (zero-extended: bits W.. are never selected)
    logic [4:0]  w_i;
    assign w_len   = 32'(f_len);
    assign w_base  = 32'(base_q);
    assign w_wbase = 32'(wbase_p);
    assign w_i     = (state_q == SRow) ? 5'd0 : c_q;
    always_ff @(posedge clk_i) begin
      w_b   <= w_base[w_i];
      w_nw  <= !w_wbase[w_i];
      w_s   <= win_size_i[w_i];
      w_l   <= w_len[w_i];
    end
    if (Narrow) begin : g_wx
      // base_q is the row's start from SRow to SWinE (registered: off the verdict's path)
      logic [LenW:0] w_e;
      assign w_e = (LenW+1)'(base_q[LenW-1:0]) + (LenW+1)'(f_len);
      always_ff @(posedge clk_i) begin
        w_x   <= (w_e > (LenW+1)'(1 << LenW)) && (&base_q[MkL-1:LenW]);
        w_big <= (33'(win_size_i) >> W) != 33'd0;
      end
    end else begin : g_wx32
      assign w_x   = 1'b0;
      assign w_big = 1'b0;
    end
    always_comb begin
      w_t   = w_b ^ w_nw ^ c1_q;            // base - win_base
      w_v   = w_t ^ w_l ^ c2_q;             // + len
    end

    // ---- the channel's operands: lane lane_q of the accumulator and qparam lines (as
    //      arrays, so that the lane select is a plain mux without index arithmetic) ----
    localparam int NL = 1 << LnW;
    logic [31:0] l_acc  [NL];
    logic [31:0] a_acc, a_bias, a_mult;
    logic [6:0]  a_shf;           // {shift < 0, shift in -32..31, shift[4:0]}
    /* verilator lint_off UNUSEDSIGNAL */
    logic unused_qp;   // reserved words of the qparam records
    /* verilator lint_on UNUSEDSIGNAL */
    always_comb begin
      for (int n = 0; n < NL; n++) begin
        l_acc[n] = '0;
        if (n < Cols) l_acc[n] = acc_rdata_i[32*n +: 32];
      end
      a_acc = l_acc[lane_q];
    end

    if (QpWords == 0) begin : g_qp_line
      // the line read at SCmd, held by the RAM
      logic [31:0] l_bias [NL];
      logic [31:0] l_mult [NL];
      logic [6:0]  l_shf  [NL];
      assign qp_raddr_o = f_qp;
      always_comb begin
        unused_qp = 1'b0;
        for (int n = 0; n < NL; n++) begin
          l_bias[n] = '0;
          l_mult[n] = '0;
          l_shf[n]  = '0;
          if (n < Cols) begin
            l_bias[n] = qp_rdata_i[128*n +: 32];
            l_mult[n] = qp_rdata_i[128*n + 32 +: 32];
            // the shift's range is decoded per lane, so that only 7 bits pass the lane mux
            l_shf[n]  = {qp_rdata_i[128*n + 95],
                         qp_rdata_i[128*n + 69 +: 26] == {26{qp_rdata_i[128*n + 95]}},
                         qp_rdata_i[128*n + 64 +: 5]};
            unused_qp = unused_qp ^ (^qp_rdata_i[128*n + 96 +: 32]);
          end
        end
        a_bias = l_bias[lane_q];
        a_mult = l_mult[lane_q];
        a_shf  = l_shf[lane_q];
      end
    end else begin : g_qp_words
      // one 32-bit word per read: SChan reads the channel's bias (with the accumulator
      // line), SLoad its shift, SShf its multiplier, which the RAM then holds through the
      // multiplier steps (QP_LINE was range-checked at SCmd, so its low bits suffice)
      localparam int QlW = (QParamLines > 1) ? $clog2(QParamLines) : 0;
      logic [1:0] qp_fld;          // 0: bias, 1: multiplier, 2: shift
      // (state bits: SChan 0, SLoad 2, SShf 1; the address matters only while qp_re_o)
      assign qp_fld = {state_q[0], state_q[4]};
      if (QlW > 0) begin : g_line
        assign qp_raddr_o = 16'({f_qp[QlW-1:0], lane_q, qp_fld});
      end else begin : g_noline
        assign qp_raddr_o = 16'({lane_q, qp_fld});
      end
      assign unused_qp = ^{f_qp, qp_rdata_i[Cols*128-1:32]};
      assign a_bias    = qp_rdata_i[31:0];
      assign a_mult    = qp_rdata_i[31:0];
      assign a_shf     = {qp_rdata_i[31], qp_rdata_i[5 +: 26] == {26{qp_rdata_i[31]}},
                          qp_rdata_i[4:0]};
    end

    // shift split: the multiplier starts at step left = clamp(shift, 0, 31) (the steps below
    // it would only add zeros: x << left as the multiplier), and the rounding shift runs
    // from step 32 - right to 31
    logic       sh_pos, sh_inr, c_mul0_30, c_mul0_31;
    logic [4:0] c_mul0, c_post0;
    always_comb begin
      sh_pos  = !a_shf[6];
      sh_inr  = a_shf[5];
      c_mul0  = !sh_pos ? 5'd0 : (sh_inr ? a_shf[4:0] : 5'd31);
      c_post0 = (sh_inr && a_shf[4:0] != 5'd0) ? a_shf[4:0] : 5'd1;
      c_mul0_30 = sh_pos && sh_inr && a_shf[4:0] == 5'd30;       // c_mul0 == 30
      c_mul0_31 = sh_pos && (!sh_inr || a_shf[4:0] == 5'd31);    // c_mul0 == 31
    end
    // the split as the multiplier steps end (QpWords: kept from SShf, the RAM then holds the
    // multiplier)
    logic       m_pos, m_post31;
    logic [4:0] m_post0;
    if (QpWords != 0) begin : g_sh_reg
      logic       sh_pos_q, sh_p31_q;
      logic [4:0] sh_post0_q;
      always_ff @(posedge clk_i) begin
        if (state_q == SShf) begin
          sh_pos_q   <= sh_pos;
          sh_post0_q <= c_post0;
          sh_p31_q   <= (c_post0 == 5'd31);
        end
      end
      assign m_pos   = sh_pos_q;
      assign m_post0 = sh_post0_q;
      assign m_post31 = sh_p31_q;
    end else begin : g_sh_direct
      assign m_pos   = sh_pos;
      assign m_post0 = c_post0;
      assign m_post31 = (c_post0 == 5'd31);
    end

    // ---- x: the channel's accumulator value plus bias, consumed LSB first by the
    //      multiplier (raw: written a byte at a time) ----
    logic [31:0] x_q, x_d;

    // ---- g: the multiplier's running sum, then the rounding shift, zero point and clamp.
    // g = (g >>> 1 or g) + operand + carry-in; the operand is the multiplier (x bit set;
    // negated at the sign step), the zero point, or ~act_min / ~act_max for the clamp. ----
    logic [GW-1:0] g_q, g_d, g_in, g_op, g_sum;
    logic          g_ci;
    // The adder's controls are flip-flops set in the cycle before (from the next state), so
    // that the operand muxes are one LUT level from a register: gc_shr: g >>> 1 (SMul,
    // SPost); gc_ld: g_in is the accumulator value (QpWords SLoad); gc_me: the multiplier
    // is added (SMul with x bit 0 set, QpWords SLoad with BIAS); gc_neg: ... negated (the
    // sign step); gc_ci, gc_cie (the first step's): carry-in 1 (SRDHM rounding at step 30,
    // the sign step's +1, SCmpLo);
    // gc_rnd: the rounding increment from g (SPost's last step); k_q: the constant operand
    // (out_zp, ~act_min, ~act_max), 0 in every other state.
    logic          gc_shr_q, gc_ld_q, gc_me_q, gc_neg_q, gc_ci_q, gc_cie_q, gc_rnd_q;
    logic          gc_shr_d, gc_ld_d, gc_me_d, gc_neg_d, gc_ci_d, gc_cie_d, gc_rnd_d;
    logic [7:0]    k_q;
    logic          gk_d;

    always_comb begin
      g_op  = GW'($signed(k_q)) | (gc_me_q ? (GW'($signed(a_mult)) ^ {GW{gc_neg_q}}) : '0);
      // (QpWords: SLoad adds the bias, the RAM word on the multiplier's operand input, to
      // the accumulator value on this one, so that x needs no adder of its own)
      // (g_in: below)
      // SPost's last step: + the last bit shifted out if h >= 0 or any earlier one was set
      g_ci  = gc_ci_q || gc_cie_q || (gc_rnd_q && g_q[0] && (!g_q[GW-1] || st_q));
      g_sum = g_in + g_op + GW'(g_ci);
    end

    if (QpWords != 0 && NL == 4) begin : g_in_chain
      // g_in, the accumulator lane or g >>> 1 or g, as a chain of three 4-input muxes per
      // bit (one LUT4 each; the keep attributes stop the synthesis from merging them into
      // its usual four): c1 = g, g >>> 1 or a constant lane bit; c2 = c1 or lane 0/1 chosen
      // by c1; g_in = c2 or lane 2/3 chosen by c2. The selects are flip-flops set with the
      // other controls (gc_ld: a lane is loaded, gi_a: its bit 0, else the shift; gi_c:
      // lane 0/1; gi_d: lane 2/3). The accumulator's path is two LUTs, as with a plain mux.
      logic gi_a_q, gi_c_q, gi_d_q;
      /* verilator lint_off UNUSEDSIGNAL */
      logic unused_shr;                 // (gc_shr: in gi_a here)
      /* verilator lint_on UNUSEDSIGNAL */
      assign unused_shr = gc_shr_q;
      (* keep *) logic [GW-2:0] gi_c1, gi_c2;
      always_ff @(posedge clk_i) begin
        gi_a_q <= gc_ld_d ? lane_q[0] : gc_shr_d;
        gi_c_q <= gc_ld_d && !lane_q[1];
        gi_d_q <= gc_ld_d && lane_q[1];
      end
      for (genvar i = 0; i < GW - 1; i++) begin : g_bit
        assign gi_c1[i] = gc_ld_q ? gi_a_q : (gi_a_q ? g_q[i+1] : g_q[i]);
        assign gi_c2[i] = gi_c_q ? (gi_c1[i] ? l_acc[1][i] : l_acc[0][i]) : gi_c1[i];
        assign g_in[i]  = gi_d_q ? (gi_c2[i] ? l_acc[3][i] : l_acc[2][i]) : gi_c2[i];
      end
      // (the sign: 0 for a lane, g's sign when held or shifted)
      assign g_in[GW-1] = !gc_ld_q && g_q[GW-1];
    end else begin : g_in_mux
      assign g_in = (QpWords != 0 && gc_ld_q) ? GW'(a_acc) :
                    gc_shr_q ? {g_q[GW-1], g_q[GW-1:1]} : g_q;
    end

    // the clamp's comparisons: the sign of g_sum in SCmpLo, then SCmpHi
    logic sgn_q;
    always_ff @(posedge clk_i) begin
      if (state_q == SCmpLo || state_q == SCmpHi) sgn_q <= g_sum[GW-1];
    end

    // the byte written: raw x a byte at a time, else y clamped
    logic [7:0] o_byte;
    always_comb begin
      case (os_q)
        2'd0:    o_byte = g_q[7:0];
        2'd1:    o_byte = ~cfg_q[15:8];    // act_min (the ring is at rest here)
        2'd2:    o_byte = ~cfg_q[23:16];   // act_max
        default: o_byte = x_q[7:0];
      endcase
    end

    // The last channel and the last row, compared a cycle ahead (for a shallow state_d):
    // lane_q does not change in the cycle before SAxi (SBeat, SAxi), nor rows_q in the cycle
    // before SRow (SCmd, SEnd2, SRow while halted).
    logic lane_last, rows_done;
    always_ff @(posedge clk_i) begin
      lane_last <= ((LnW + 1)'(lane_q) + 1'b1 == f_chan[LnW:0]);   // CHANNELS <= Cols
      rows_done <= (rows_q == f_rows);
    end

    // ---- control ----
    always_comb begin
      state_d    = state_q;
      c_d        = c_q + 5'd1;
      lane_d     = lane_q;
      bc_d       = bc_q;
      c1_d       = c1_q;
      c2_d       = c2_q;
      gt_d       = gt_q;
      st_d       = st_q;
      os_d       = os_q;
      aw_d       = aw_q && !aw_ready_i;
      w_d        = w_q && !w_ready_i;
      out_d      = out_q - OutW'(bf_q);
      err_d      = err_q;
      err_code_d = err_code_q;
      x_d        = x_q;
      g_d        = g_q;
      b_en       = 1'b0;
      a_en       = 1'b0;
      r_dec      = 1'b0;
      cfg_we     = 1'b0;

      cmd_ready_o      = 1'b0;
      tok_ex2st_take_o = 1'b0;
      tok_st2ex_give_o = 1'b0;
      stall_dep_o      = 1'b0;
      acc_re_o         = 1'b0;
      qp_re_o          = 1'b0;

      case (state_q)
        SIdle: begin
          if (cmd_valid_i && !stop) state_d = SCmd;
        end

        SCmd: begin
          stall_dep_o = f_wait && !tok_ex2st_avail_i;
          if (!stop && (!f_wait || tok_ex2st_avail_i)) begin
            // (tok_ex2st_take_o: below, from scmd_q)
            state_d = SDead;
            // Only STORE and CONFIG with key ST_OUTPUT reach the ST queue (the command
            // processor rejects other opcodes and routes other keys elsewhere), so opcode
            // bit 2 tells the two apart.
            if (f_op[2]) begin
              if (k_cfg_q) begin
                err_code_d = ErrIllegalField[3:0];
              end else begin
                cfg_we  = 1'b1;
                state_d = SDone;
              end
            end else if (k_chan_q) begin
              err_code_d = ErrIllegalField[3:0];
            end else if (k_qp_q) begin
              err_code_d = ErrQParamRange[3:0];
            end else begin
              // (ROWS = 0: SRow finds no row left, only the tokens are handled)
              qp_re_o = 1'b1;
              b_en    = 1'b1;
              a_en    = 1'b1;
              state_d = SRow;
            end
            if (state_d == SDead) err_d = 1'b1;
          end
        end

        SRow: begin
          lane_d = '0;
          c1_d   = 1'b1;
          c2_d   = 1'b0;
          gt_d   = 1'b0;
          if (!stop) begin
            r_dec = 1'b1;
            if (rows_done) begin
              state_d = SDone;          // all rows written
            end else if (acc_bad) begin
              err_d      = 1'b1;
              err_code_d = ErrAccRange[3:0];
              state_d    = SDead;
            end else begin
              state_d = SWin;
            end
          end
        end

        SWin, SWinE: begin
          // (the bits selected in the previous cycle)
          c1_d = (w_b & w_nw) | (c1_q & (w_b | w_nw));
          c2_d = (w_t & w_l) | (c2_q & (w_t | w_l));
          gt_d = (w_v != w_s) ? w_v : gt_q;
          if (state_q == SWin) begin
            if (c_q == 5'(W - 1)) state_d = SWinE;
          end else begin
            // borrow (base < win_base), past 2^32, past the window end, or DST overflowed
            if (!c1_d || (!w_big && (c2_d || gt_d)) || w_x || bovf_q) begin
              err_d      = 1'b1;
              err_code_d = ErrDmaWindow[3:0];
              state_d    = SDead;
            end else begin
              state_d = SChan;
            end
          end
        end

        SChan: begin
          // the line is read again for every channel: with a shared read port EX may have
          // replaced the RAM output since
          qp_re_o = (QpWords != 0);   // the channel's bias
          if (!stop && acc_rgnt_i) begin
            acc_re_o = 1'b1;
            state_d  = SLoad;
          end
        end

        SLoad: begin
          // (QpWords: g = acc + bias, copied into x at SShf, so that the adder's sum ends at
          // g's flip-flops)
          if (QpWords != 0) g_d = g_sum;
          else begin
            x_d = f_bias ? a_acc + a_bias : a_acc;
            g_d = '0;
          end
          os_d    = {f_raw, f_raw};
          st_d    = 1'b0;
          bc_d    = 2'd0;
          if (QpWords == 0) c_d = c_mul0;   // (QpWords: at SShf)
          qp_re_o = (QpWords != 0);   // the channel's shift
          state_d = (QpWords != 0) ? SShf : (f_raw ? SBeat : SMul);
        end

        SShf: begin
          x_d     = g_q[31:0];
          g_d     = '0;
          c_d     = c_mul0;
          qp_re_o = 1'b1;             // the channel's multiplier
          state_d = f_raw ? SBeat : SMul;
        end

        SMul: begin
          // step c: g = (g >>> 1) + x[c - left] * mult, with the sign bit's weight negative
          // at step 31, and the SRDHM rounding 2^30 as the carry-in of step 30 (gc_*)
          g_d     = g_sum;
          x_d     = x_q >> 1;
          if (c_q == 5'd31) begin
            c_d     = m_post0;
            state_d = m_pos ? SZp : SPost;
          end
        end

        SPost: begin
          // g = h >>> right, rounding half away from zero: + the last bit shifted out if
          // h >= 0 or any earlier one was set; the zero point is added in the same step
          // (gc_rnd, k_q)
          st_d  = st_q || g_q[0];
          if (c_q == 5'd31) state_d = SCmpLo;
          g_d = g_sum;
        end

        SZp: begin
          g_d     = g_sum;              // + out_zp
          state_d = SCmpLo;
        end

        SCmpLo: begin
          // sign of y - act_min (g is not written): + ~act_min + 1, into sgn_q
          state_d = SCmpHi;
        end

        SCmpHi: begin
          // sign of y - act_max - 1: + ~act_max, into sgn_q (the adder's sign ends at that
          // flip-flop, and os is set from it a cycle later)
          os_d    = {1'b0, sgn_q};      // y < act_min
          state_d = SBeat;
        end

        SBeat: begin
          // y > act_max (y < act_min and y > act_max exclude each other; sgn_q holds here)
          if (!f_raw && !sgn_q) os_d = 2'd2;
          // (the byte counts as outstanding from here: out_q is not a function of aw_ready)
          if (!stop && 32'(out_q) < TrkDepth) begin
            aw_d    = 1'b1;
            w_d     = 1'b1;
            out_d   = out_q + 1'b1 - OutW'(bf_q);
            state_d = SAxi;
          end
        end

        SAxi: begin
          // (the handshakes are seen a cycle late, through aw_q and w_q: the AXI readies
          // only reach those two flip-flops)
          if (!aw_q && !w_q) begin
            b_en = 1'b1;            // next byte
            bc_d = bc_q + 2'd1;
            if (f_raw && bc_q != 2'd3) begin
              c_d     = 5'd24;
              state_d = SShift;
            end else if (!lane_last) begin
              lane_d  = lane_q + 1'b1;
              state_d = SChan;
            end else begin
              state_d = SEnd1;
            end
          end
        end

        SShift: begin
          x_d = x_q >> 1;
          if (c_q == 5'd31) state_d = SBeat;
        end

        SEnd1: begin
          b_en    = 1'b1;
          state_d = SEnd2;
        end

        SEnd2: begin
          b_en    = 1'b1;
          a_en    = 1'b1;
          state_d = SRow;
        end

        SDone: begin
          if (!stop && out_q == '0) state_d = SPop;
        end

        SPop: begin
          // (cmd_ready_o, tok_st2ex_give_o: below, from pop_q)
          if (!stop) state_d = SIdle;
        end

        default: ;  // SDead
      endcase

      // a write response other than OKAY (registered in be_q): the command is still at
      // the queue head (out_q counts the response until the cycle after it)
      if (!err_q && be_q) begin
        err_d      = 1'b1;
        err_code_d = ErrAxiWrError[3:0];
        state_d    = SDead;
      end

      // the queue and token outputs from flip-flops set with the state (short paths into
      // the command processor); the same conditions as the SCmd and SPop cases above
      tok_ex2st_take_o = scmd_q && f_wait && tok_ex2st_avail_i && !stop;
      cmd_ready_o      = pop_q && !stop;
      tok_st2ex_give_o = pop_sig_q && !stop;

    end

    // The adder's controls for the next cycle (see g above), from the current state and the
    // step counter rather than from state_d/c_d, whose logic is deeper (the transitions of
    // SMul .. SCmpHi do not wait; an error's jump to SDead may leave them set, harmless as
    // SDead writes neither g nor os). m_ent: the next cycle is the first multiplier step,
    // at step c_mul0, with x bit m_ent_x.
    logic m_ent, m_ent_x, m_go, c29, c30, c31;
    always_comb begin
      m_ent    = (state_q == ((QpWords != 0) ? SShf : SLoad)) && !f_raw;
      m_ent_x  = (QpWords != 0) ? g_q[0] : x_d[0];
      m_go     = (QpWords != 0) && state_q == SChan && !stop && acc_rgnt_i;   // -> SLoad
      c29      = (c_q == 5'd29);
      c30      = (c_q == 5'd30);
      c31      = (c_q == 5'd31);
      gc_shr_d = m_ent || (state_q == SMul && (!c31 || !m_pos)) || (state_q == SPost && !c31);
      gc_ld_d  = m_go;
      gc_me_d  = (m_ent && m_ent_x) || (state_q == SMul && !c31 && x_q[1]) || (m_go && f_bias);
      gc_neg_d = (m_ent && c_mul0_31) || (state_q == SMul && c30);
      gc_cie_d = m_ent && (c_mul0_30 || (c_mul0_31 && m_ent_x));   // (from the RAM word)
      gc_ci_d  = (state_q == SMul && (c29 || (c30 && x_q[1]))) ||
                 (state_q == SPost && c31) || state_q == SZp;          // -> SCmpLo
      gc_rnd_d = (state_q == SMul && c31 && !m_pos && m_post31) || (state_q == SPost && c30);
      // k: out_zp (-> SZp, or SPost's last step), then ~act_min (-> SCmpLo), then ~act_max
      // (-> SCmpHi): always three consecutive cycles, each taking the ring's low byte
      gk_d     = (state_q == SMul && c31 && m_pos) || gc_rnd_d ||
                 (state_q == SPost && c31) || state_q == SZp || state_q == SCmpLo;
    end

    // the write response, registered (b_valid_i only reaches these two flip-flops)
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        bf_q <= 1'b0;
        be_q <= 1'b0;
      end else begin
        bf_q <= b_valid_i && b_ready_o;
        be_q <= b_valid_i && b_ready_o && b_resp_i != 2'b00;
      end
    end

    // (out_q also counts a response accepted in the previous cycle: b_ready_o may be 1 with
    // none outstanding, which AXI allows)
    assign b_ready_o  = (out_q != '0);
    assign aw_valid_o = aw_q;
    assign aw_addr_o  = base_u & ~32'(BusBytes - 1);
    assign aw_len_o   = 8'd0;
    assign w_valid_o  = w_q;
    assign w_data_o   = {BusBytes{o_byte}};
    assign w_strb_o   = BusBytes'(1) << base_q[OffW-1:0];
    assign w_last_o   = 1'b1;

    assign err_o      = err_q;
    assign err_code_o = {4'd0, err_code_q};
    assign err_idx_o  = cmd_idx_i;

    // busy_o is registered (a cycle late: it rises only while the command is at the queue
    // head, which keeps the command processor from idling, and falls a cycle late)
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        busy_q    <= 1'b0;
        scmd_q    <= 1'b0;
        pop_q     <= 1'b0;
        pop_sig_q <= 1'b0;
      end else begin
        busy_q    <= aw_q || w_q || (out_q != '0) ||
                     (!stop && state_q != SIdle && state_q != SDead);
        // (state_d == SCmd, SPop, from state_q: shallower; be_q sends every state to SDead)
        scmd_q    <= !be_q && ((state_q == SIdle && cmd_valid_i && !stop) ||
                               (state_q == SCmd && (stop || (f_wait && !tok_ex2st_avail_i))));
        pop_q     <= pop_nx;
        pop_sig_q <= pop_nx && f_sig;
      end
    end
    assign busy_o = busy_q;
    assign pop_nx = !be_q && ((state_q == SDone && !stop && out_q == '0) ||
                              (state_q == SPop && stop));
    assign stall_mem_o = (aw_q && !aw_ready_i) || (w_q && !w_ready_i) ||
                         (state_q == SDone && out_q != '0) ||
                         (state_q == SBeat && !stop && 32'(out_q) >= TrkDepth);

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        state_q    <= SIdle;
        lane_q     <= '0;
        bc_q       <= 2'd0;
        c1_q       <= 1'b0;
        c2_q       <= 1'b0;
        gt_q       <= 1'b0;
        st_q       <= 1'b0;
        os_q       <= 2'd0;
        aw_q       <= 1'b0;
        w_q        <= 1'b0;
        out_q      <= '0;
        err_q      <= 1'b0;
        err_code_q <= 4'd0;
        cfg_q      <= {~8'h7F, ~8'h80, 8'h00};   // act_max 127, act_min -128, out_zp 0
      end else begin
        state_q    <= state_d;
        lane_q     <= lane_d;
        bc_q       <= bc_d;
        c1_q       <= c1_d;
        c2_q       <= c2_d;
        gt_q       <= gt_d;
        st_q       <= st_d;
        os_q       <= os_d;
        aw_q       <= aw_d;
        w_q        <= w_d;
        out_q      <= out_d;
        err_q      <= err_d;
        err_code_q <= err_code_d;
        if (cfg_we) cfg_q <= {~f_dstride[23:16], ~f_dstride[15:8], f_dstride[7:0]};
        else if (gk_d) cfg_q <= {cfg_q[7:0], cfg_q[23:8]};
      end
    end

    // Address registers: cleared while idle (no asynchronous reset, so that the clear and
    // the enable map onto one flip-flop type); the data path registers need no reset.
    always_ff @(posedge clk_i) begin
      if (state_q == SIdle) begin
        base_q <= '0;
        bovf_q <= 1'b0;
        acc_q  <= '0;
        rows_q <= 16'd0;
        aovf_q <= 1'b0;
      end else begin
        if (b_en) base_q <= b_sum[W-1:0];
        // (DST: Narrow only, base_q is 0 then and b_out tests DST's bits outside the mask)
        if (b_en && (Narrow ? b_op[0] : (b_op == 2'd3))) bovf_q <= bovf_q || b_out;
        if (a_en) acc_q <= a_sum[AccW-1:0];
        if (a_en) aovf_q <= aovf_q || a_sum[AccW] || |(a_opnd >> AccW);
        if (r_dec) rows_q <= rows_q + 16'd1;
      end
      c_q <= (state_q == SRow) ? 5'd1 : c_d;   // (SWin starts at bit 1)
      x_q <= x_d;
      g_q <= g_d;
      gc_shr_q <= gc_shr_d;
      gc_ld_q  <= gc_ld_d;
      gc_me_q  <= gc_me_d;
      gc_neg_q <= gc_neg_d;
      gc_ci_q  <= gc_ci_d;
      gc_cie_q <= gc_cie_d;
      gc_rnd_q <= gc_rnd_d;
      k_q      <= gk_d ? cfg_q[7:0] : 8'd0;
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
    if (AxiDataWidth != 32 && AxiDataWidth != 64 && AxiDataWidth != 128)
      $fatal(1, "systole_st: AxiDataWidth must be 32, 64 or 128");
    if (RowDepth < 1 || (RowDepth & (RowDepth - 1)) != 0)
      $fatal(1, "systole_st: RowDepth must be a power of two");
    if (TrkDepth < 2 || (TrkDepth & (TrkDepth - 1)) != 0)
      $fatal(1, "systole_st: TrkDepth must be a power of two >= 2");
  end
endmodule
