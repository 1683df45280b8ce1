// Command processor: ring fetch, decode, in-order dispatch to the LD/EX/ST queues,
// dependency-token counters, FENCE/IRQ, error collection and idle detection.
//
// Fetch reads whole 32-byte ring slots (RING_BASE + slot*32) through its own AXI read port,
// up to FetchDepth slots ahead of dispatch, so command-fetch latency is hidden behind
// execution. Dispatch takes the oldest fetched command, checks its opcode and dependency
// bits, and pushes it into its queue; RING_HEAD counts dispatched slots. FENCE and IRQ wait
// until every queue is empty and every engine idle. The first error (own or an engine's)
// is latched; from then on halt_o stops every engine from starting new work.
//
// QueueDepth = 0: no engine queues. An engine takes its command straight from the head of
// the fetch queue (every engine latches the fields it needs when it takes a command), so
// dispatch waits until the target engine is ready. That cannot deadlock: an engine only
// waits for tokens given by earlier commands in ring order, all dispatched before.
// For timing, QueueDepth = 0 also keeps RING_HEAD + 1 and the token flags (count != 0) in
// flops, and with FetchDepth = 1 the fetch-window and ring checks are registered: a fetch
// request comes one cycle after a dispatch (one cycle more per command), and comes from
// flops through two LUT levels.
// CmdWords = 3: only w0..w2 of a command are kept (w3 is used by the softmax unit only).
// ArHold = 1: a fetch request, once presented, is held until accepted even if the command
// processor halts meanwhile (for a read multiplexer without AR register); it counts as busy.
module systole_cmdproc #(
  parameter int QueueDepth   = 8,   // commands per engine queue (power of two, 0: no queues)
  parameter int AxiDataWidth = 64,  // read data bits (32, 64 or 128)
  parameter int FetchDepth   = 4,   // slots fetched ahead of dispatch (power of two, 1 allowed)
  parameter int CmdWords     = 4,   // command words kept and passed on (3: w3 is dropped)
  parameter int ArHold       = 0,   // 1: hold a presented fetch request until accepted
  // the DMA address bits that exist (RING_BASE and WIN_BASE keep only these; see "Mask
  // space" at the fetch): all ones = full 32-bit fetch address and window arithmetic
  parameter logic [31:0] DmaAddrMask = 32'hFFFF_FFFF,
  // ring slot index bits (12..16): RING_SIZE and RING_TAIL keep RingBits bits (the CSR block's
  // RingMask), so RING_HEAD and the slot pointers never need more: their upper flip-flops are
  // held at 0 (and removed by synthesis) and the compares on them shrink. The board: 12.
  parameter int RingBits = 16
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  // ring and window configuration (CSRs)
  input  logic [31:0]             ring_base_i,
  input  logic [15:0]             ring_size_i,
  input  logic [15:0]             ring_tail_i,
  output logic [15:0]             ring_head_o,
  input  logic [31:0]             win_base_i,
  input  logic [31:0]             win_size_i,
  // AXI read port (command fetch)
  output logic                    ar_valid_o,
  input  logic                    ar_ready_i,
  output logic [31:0]             ar_addr_o,
  output logic [7:0]              ar_len_o,
  input  logic                    r_valid_i,
  output logic                    r_ready_o,
  input  logic [AxiDataWidth-1:0] r_data_i,
  input  logic [1:0]              r_resp_i,
  input  logic                    r_last_i,
  // engine queues
  output logic                    ld_cmd_valid_o,
  input  logic                    ld_cmd_ready_i,
  output logic [255:0]            ld_cmd_o,
  output logic [15:0]             ld_cmd_idx_o,
  output logic                    ex_cmd_valid_o,
  input  logic                    ex_cmd_ready_i,
  output logic [255:0]            ex_cmd_o,
  output logic [15:0]             ex_cmd_idx_o,
  output logic                    st_cmd_valid_o,
  input  logic                    st_cmd_ready_i,
  output logic [255:0]            st_cmd_o,
  output logic [15:0]             st_cmd_idx_o,
  // dependency tokens
  output logic                    tok_ld2ex_avail_o,
  input  logic                    tok_ld2ex_take_i,
  input  logic                    tok_ld2ex_give_i,
  output logic                    tok_ex2ld_avail_o,
  input  logic                    tok_ex2ld_take_i,
  input  logic                    tok_ex2ld_give_i,
  output logic                    tok_ex2st_avail_o,
  input  logic                    tok_ex2st_take_i,
  input  logic                    tok_ex2st_give_i,
  output logic                    tok_st2ex_avail_o,
  input  logic                    tok_st2ex_take_i,
  input  logic                    tok_st2ex_give_i,
  // engine errors and activity
  input  logic                    ld_err_i,
  input  logic [7:0]              ld_err_code_i,
  input  logic [15:0]             ld_err_idx_i,
  input  logic                    ex_err_i,
  input  logic [7:0]              ex_err_code_i,
  input  logic [15:0]             ex_err_idx_i,
  input  logic                    st_err_i,
  input  logic [7:0]              st_err_code_i,
  input  logic [15:0]             st_err_idx_i,
  input  logic                    ld_busy_i,
  input  logic                    ex_busy_i,
  input  logic                    st_busy_i,
  input  logic                    soft_halt_i,     // soft reset pending: stop like an error
  // status
  output logic                    halt_o,
  output logic                    busy_o,          // fetch reads outstanding
  output logic                    idle_o,
  output logic                    error_o,
  output logic [7:0]              err_code_o,
  output logic [15:0]             err_idx_o,
  output logic                    irq_idle_set_o,
  output logic                    irq_error_set_o,
  output logic                    irq_cmd_set_o,
  // performance events
  output logic                    stall_fetch_o,
  output logic                    stall_queue_o,
  output logic                    cmd_dispatched_o
);
  localparam int BusBytes    = AxiDataWidth / 8;
  localparam int BeatsPerCmd = 32 / BusBytes;
  localparam int FdW         = $clog2(FetchDepth) + 1;
  localparam int CmdBits     = CmdWords * 64;

  // opcodes and error codes (docs/architecture.md)
  localparam logic [7:0] OpLoad   = 8'h01;
  localparam logic [7:0] OpStore  = 8'h02;
  localparam logic [7:0] OpMatmul = 8'h03;
  localparam logic [7:0] OpConfig = 8'h04;
  localparam logic [7:0] OpFence  = 8'h05;
  localparam logic [7:0] OpIrq    = 8'h06;
  localparam logic [7:0] OpNop    = 8'h07;
  localparam logic [7:0] OpSoftmax = 8'h08;
  // CONFIG keys: ST_OUTPUT goes to the ST queue, EX_ZP to the EX queue
  localparam logic [15:0] CfgStOutput = 16'd1;
  localparam logic [15:0] CfgExZp     = 16'd2;

  localparam logic [7:0] ErrIllegalOpcode = 8'd1;
  localparam logic [7:0] ErrIllegalField  = 8'd2;
  localparam logic [7:0] ErrDmaWindow     = 8'd6;
  localparam logic [7:0] ErrAxiRd         = 8'd7;
  localparam logic [7:0] ErrTokenOverflow = 8'd9;
  localparam logic [7:0] ErrRingConfig    = 8'd10;
  localparam logic [15:0] IdxUnknown      = 16'hffff;
  localparam logic [15:0] RingPtrMask     = 16'((32'd1 << RingBits) - 32'd1);  // slot bits kept

  // ---------------------------------------------------------------------------------------
  // Error state
  // ---------------------------------------------------------------------------------------
  logic        error_q, error_d;
  logic [7:0]  err_code_q, err_code_d;
  logic [15:0] err_idx_q, err_idx_d;
  // own error sources (combinational, this cycle)
  logic        own_err;
  logic [7:0]  own_err_code;
  logic [15:0] own_err_idx;

  assign halt_o = error_q || soft_halt_i;

  always_comb begin
    error_d    = error_q;
    err_code_d = err_code_q;
    err_idx_d  = err_idx_q;
    // Nothing is latched while a soft reset holds the chip: it is about to be cleared.
    if (!error_q && !soft_halt_i) begin
      if (own_err) begin
        error_d = 1'b1; err_code_d = own_err_code; err_idx_d = own_err_idx;
      end else if (ld_err_i) begin
        error_d = 1'b1; err_code_d = ld_err_code_i; err_idx_d = ld_err_idx_i;
      end else if (ex_err_i) begin
        error_d = 1'b1; err_code_d = ex_err_code_i; err_idx_d = ex_err_idx_i;
      end else if (st_err_i) begin
        error_d = 1'b1; err_code_d = st_err_code_i; err_idx_d = st_err_idx_i;
      end
    end
  end

  assign error_o         = error_q;
  assign err_code_o      = err_code_q;
  assign err_idx_o       = err_idx_q;
  assign irq_error_set_o = error_d && !error_q;

  // ---------------------------------------------------------------------------------------
  // Fetch
  // ---------------------------------------------------------------------------------------
  logic [15:0]        fetch_ptr;                  // next slot to request
  logic [15:0]        req_ptr;                    // fetch_ptr where a request can be made
  logic [15:0]        rx_ptr;                     // slot of the command being received
  logic [FdW-1:0]     inflight_q, inflight_d;     // commands requested, not fully received
  logic [$clog2(BeatsPerCmd > 1 ? BeatsPerCmd : 2)-1:0] beat_q, beat_d;
  logic [CmdBits-1:0] cmd_buf_q, cmd_buf_d;
  logic               rx_bad_q, rx_bad_d;         // a beat of this command had an error

  logic               fq_push, fq_valid, fq_pop;
  logic [CmdBits-1:0] fq_cmd;
  logic [15:0]        fq_idx;
  logic [FdW-1:0]     fq_count;

  logic [15:0]        head_q, head_d, head_inc;   // RING_HEAD: next slot to dispatch
  logic               ring_has_work, ring_bad, ar_win_ok, want_fetch;
  logic               idle_work;                  // ring_has_work where idle_d looks at it
  logic               cfg_err;                    // RING_CONFIG error (ring_has_work && ring_bad)
  logic               can_dispatch;               // the command at the head is dispatched
  logic               win_in;                     // the slot req_ptr lies in the window
  logic               r_fire, cmd_done_rx;

  assign ring_has_work = (fetch_ptr != ring_tail_i);
  assign ring_bad      = (ring_size_i == 16'd0) || (ring_tail_i >= ring_size_i) ||
                         (ring_base_i[4:0] != 5'd0);
  // The window check of a slot [a, a+32) (a = RING_BASE + slot*32, 32-byte aligned whenever
  // it counts: a misaligned base is RING_CONFIG and fetches nothing) in units of 32 bytes:
  // a >= WIN_BASE iff a/32 >= ceil(WIN_BASE/32), and a + 32 <= WIN_BASE + WIN_SIZE iff
  // a/32 < floor((WIN_BASE + WIN_SIZE)/32); a/32 must stay below 2^27.
  //
  // Mask space (DmaAddrMask not all ones, of the form {ones from bit Hs up, zeros, ones in
  // bits L-1:0} with 12 <= L < Hs < 32, e.g. the board's 32'h8001_FFFF: L = 17, Hs = 31;
  // docs/architecture.md "DMA address masks"): RING_BASE and WIN_BASE have no bits in the
  // gap, so the slot address RING_BASE + slot*32 only leaves the mask space by a carry out
  // of bit L-1 (or slot bits from bit L-5 up), and the fetch works on the W = L + 32 - Hs
  // mask bits only: the slot address and the window are taken in the mask space's own
  // numbering (the mask bits, packed; the window ends at its top), and a slot address
  // outside the mask space is outside the window (the fetch's DMA_WINDOW error, as today
  // for a slot past 2^32). For a ring and a window inside the mask space (WIN_BASE +
  // WIN_SIZE at most its top) this is exactly the 32-bit check. Any other mask keeps the
  // full arithmetic (Narrow = 0).
  localparam int MkL  = systole_mask_pkg::mask_lo(DmaAddrMask);
  localparam int MkHs = systole_mask_pkg::mask_hs(DmaAddrMask);
  localparam bit Narrow = (DmaAddrMask != 32'hFFFF_FFFF) && (MkL >= 12) && (MkL < 21) &&
                          (MkHs < 32) && (MkHs > MkL) &&
                          ((DmaAddrMask & ~((32'hFFFF_FFFF << MkHs) | ((32'd1 << MkL) - 32'd1))) == 32'd0);
  if (Narrow) begin : g_slot_mask
    localparam int LS = MkL - 5;              // low run of mask bits, in slots (< 16)
    localparam int W  = MkL + 32 - MkHs;      // mask bits
    logic [LS:0]   lo_sum;                    // RING_BASE[L-1:5] + slot, with carry
    logic [W-6:0]  sp;                        // slot address / 32, packed
    logic [W-1:0]  base_p;                    // WIN_BASE, packed
    logic          out_ms, size_big;
    /* verilator lint_off UNUSEDSIGNAL */
    logic [W:0]    end_p;                     // WIN_BASE + WIN_SIZE, packed (bits W..5 used)
    logic [W-5:0]  lo_diff, hi_diff;          // only the sign bits are used
    logic          unused_gap;                // RING_BASE/WIN_BASE have no gap bits
    /* verilator lint_on UNUSEDSIGNAL */
    assign lo_sum   = (LS+1)'(ring_base_i[MkL-1:5]) + (LS+1)'(req_ptr[LS-1:0]);
    assign out_ms   = lo_sum[LS] || (req_ptr[15:LS] != '0);
    assign sp       = {ring_base_i[31:MkHs], lo_sum[LS-1:0]};
    assign base_p   = {win_base_i[31:MkHs], win_base_i[MkL-1:0]};
    assign end_p    = (W+1)'(base_p) + (W+1)'(win_size_i[W-1:0]);
    assign size_big = (33'(win_size_i) >> W) != 33'd0;   // the window ends at the top
    assign lo_diff  = {1'b0, sp} - {1'b0, base_p[W-1:5]} - (W-4)'(base_p[4:0] != 5'd0);
    assign hi_diff  = {1'b0, sp} - end_p[W:5];
    assign win_in   = !out_ms && !lo_diff[W-5] && (hi_diff[W-5] || size_big);
    assign ar_addr_o = {ring_base_i[31:MkHs], (MkHs-MkL)'(0), lo_sum[LS-1:0], 5'd0};
    assign unused_gap = ^{ring_base_i[MkHs-1:MkL], ring_base_i[4:0], win_base_i[MkHs-1:MkL]};
  end else begin : g_slot_full
    logic [27:0]   slot32;                    // slot address / 32 (33 bits in all)
    /* verilator lint_off UNUSEDSIGNAL */
    logic [32:0]   win_end;                   // only bits 32..5 are compared
    logic [28:0]   lo_diff, hi_diff;          // only the sign bits are used
    /* verilator lint_on UNUSEDSIGNAL */
    assign slot32    = {1'b0, ring_base_i[31:5]} + {12'd0, req_ptr};
    assign win_end   = {1'b0, win_base_i} + {1'b0, win_size_i};
    assign lo_diff   = {1'b0, slot32} - {2'b00, win_base_i[31:5]} - 29'(win_base_i[4:0] != 5'd0);
    assign hi_diff   = {1'b0, slot32} - {1'b0, win_end[32:5]};
    assign win_in    = !lo_diff[28] && hi_diff[28] && !slot32[27];
    assign ar_addr_o = {slot32[26:0], 5'd0};
  end
  if (QueueDepth == 0 && FetchDepth == 1) begin : g_win_q
    // Board configuration (timing): the window check (three carry chains over CSR values
    // and RING_HEAD) is registered, so it does not feed the fetch request and the read
    // arbiter in the same cycle. It is one cycle old: a dispatch (the only change of
    // req_ptr = RING_HEAD) holds the next request back for one cycle (win_old_q). The CSR
    // inputs are flops written by AXI-Lite, one write per cycle: RING_TAIL (the only way to
    // new work) is written at least a cycle after the ring and window registers, so their
    // new values are in win_ok_q when a request can follow.
    // The ring checks are registered too (ring_bad: RING_TAIL >= RING_SIZE is a carry chain;
    // work: RING_HEAD != RING_TAIL), both from the values of the cycle before, so the fetch
    // request (ar_valid_o, into the read multiplexer and the bus) comes from flops through
    // two LUT levels. Together they see a RING_TAIL write one cycle late, as if it had been
    // written a cycle later. A request needs nothing requested or held (fetch_ptr = req_ptr
    // = RING_HEAD) and no dispatch in the cycle before (win_old_q), so RING_HEAD is the one
    // work_q was computed with. The RING_CONFIG error is raised from the same one-cycle-old
    // check (ring_has_work && ring_bad; it reports the fetch pointer of its own cycle).
    logic win_ok_q, win_old_q, work_q, ring_bad_q, cfg_err_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        win_ok_q   <= 1'b0;
        win_old_q  <= 1'b1;
        work_q     <= 1'b0;
        ring_bad_q <= 1'b0;
        cfg_err_q  <= 1'b0;
      end else begin
        win_ok_q   <= win_in;
        win_old_q  <= can_dispatch;
        work_q     <= (head_q != ring_tail_i);
        ring_bad_q <= ring_bad;
        cfg_err_q  <= ring_has_work && ring_bad;
      end
    end
    assign ar_win_ok  = win_ok_q;
    assign cfg_err    = cfg_err_q;
    // Idle looks at the ring only with nothing requested, received or held, where the
    // fetch pointer is RING_HEAD (drop_q aside: a dropped slot means an error, which idle
    // does not look past, or a soft reset's halt, during which a slot dropped at RING_HEAD
    // keeps the chip busy until the reset clears it). So RING_HEAD != RING_TAIL, the compare
    // work_q takes, without the RING_HEAD + 1 wrap compare and the fetch pointer multiplexer
    // in front of idle, the IRQ and the busy counter.
    assign idle_work  = (head_q != ring_tail_i);
    assign want_fetch = work_q && !halt_o && !ring_bad_q && !win_old_q &&
                        ((32'(inflight_q) + 32'(fq_count)) < FetchDepth);
  end else begin : g_win
    assign ar_win_ok  = win_in;
    assign cfg_err    = ring_has_work && ring_bad;
    assign idle_work  = ring_has_work;
    assign want_fetch = ring_has_work && !halt_o && !ring_bad &&
                        ((32'(inflight_q) + 32'(fq_count)) < FetchDepth);
  end

  logic ar_hold_q;   // ArHold: the request shown last cycle was not accepted
  assign ar_valid_o = (want_fetch && ar_win_ok) || (ArHold != 0 && ar_hold_q);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) ar_hold_q <= 1'b0;
    else         ar_hold_q <= ar_valid_o && !ar_ready_i;
  end
  assign ar_len_o   = 8'(BeatsPerCmd - 1);
  assign r_ready_o  = 1'b1;  // the fetch queue always has room for what was requested
  assign r_fire     = r_valid_i;
  assign cmd_done_rx = r_fire && r_last_i;

  always_comb begin
    inflight_d  = inflight_q;
    beat_d      = beat_q;
    rx_bad_d    = rx_bad_q;
    if (ar_valid_o && ar_ready_i) inflight_d = inflight_d + 1'b1;
    if (r_fire) begin
      beat_d    = beat_q + 1'b1;
      if (r_resp_i != 2'b00) rx_bad_d = 1'b1;
      if (r_last_i) begin
        beat_d     = '0;
        rx_bad_d   = 1'b0;
        inflight_d = inflight_d - 1'b1;
      end
    end
  end

  // receive buffer: all four words shift in (the whole slot); CmdWords = 3: each beat's
  // kept words are written in place, w3 is not stored. Written per 32-bit half word so
  // that a 32-bit bus (a half word per beat) works the same way as 64 and 128.
  if (CmdWords == 4) begin : g_rx_shift
    assign cmd_buf_d = r_fire ? {r_data_i, cmd_buf_q[255:AxiDataWidth]} : cmd_buf_q;
  end else begin : g_rx_words
    always_comb begin
      cmd_buf_d = cmd_buf_q;
      for (int k = 0; k < 2 * CmdWords; k++) begin
        if (r_fire && 32'(beat_q) == (k * 32) / AxiDataWidth)
          cmd_buf_d[k*32 +: 32] = r_data_i[(k * 32) % AxiDataWidth +: 32];
      end
    end
  end

  // a fully received, error-free command enters the fetch queue (unless halted)
  assign fq_push = cmd_done_rx && !halt_o && !rx_bad_q && (r_resp_i == 2'b00);

  if (FetchDepth == 1) begin : g_fq1
    // One slot in flight: nothing is requested while a received command waits, so the
    // receive buffer itself holds it until dispatch (no copy). The slot requested, received
    // or held is always the one at RING_HEAD, so no pointer of its own is kept: the fetch
    // pointer is RING_HEAD, or the slot after it while one is requested or held, or after a
    // received slot was dropped (a read error or halt, which holds until the core reset).
    logic fq_valid_q, drop_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        fq_valid_q <= 1'b0;
        drop_q     <= 1'b0;
      end else begin
        fq_valid_q <= fq_push || (fq_valid_q && !fq_pop);
        drop_q     <= drop_q || (cmd_done_rx && !fq_push);
      end
    end
    assign fetch_ptr = (inflight_q != '0 || fq_valid_q || drop_q) ? head_inc : head_q;
    assign req_ptr   = head_q;   // a request is only made when nothing is requested or held
    assign rx_ptr    = head_q;
    assign fq_valid  = fq_valid_q;
    assign fq_idx    = head_q;
    assign fq_cmd    = cmd_buf_q;
    assign fq_count  = fq_valid_q;
  end else begin : g_fq
    logic [15:0] fetch_ptr_q, fetch_ptr_d, rx_ptr_q, rx_ptr_d;
    always_comb begin
      fetch_ptr_d = fetch_ptr_q;
      rx_ptr_d    = rx_ptr_q;
      if (ar_valid_o && ar_ready_i)
        fetch_ptr_d = (fetch_ptr_q + 16'd1 == ring_size_i) ? 16'd0 : fetch_ptr_q + 16'd1;
      if (cmd_done_rx)
        rx_ptr_d = (rx_ptr_q + 16'd1 == ring_size_i) ? 16'd0 : rx_ptr_q + 16'd1;
    end
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        fetch_ptr_q <= 16'd0;
        rx_ptr_q    <= 16'd0;
      end else begin
        fetch_ptr_q <= fetch_ptr_d & RingPtrMask;
        rx_ptr_q    <= rx_ptr_d & RingPtrMask;
      end
    end
    assign fetch_ptr = fetch_ptr_q;
    assign req_ptr   = fetch_ptr_q;
    assign rx_ptr    = rx_ptr_q;

    systole_fifo #(
      .Width (CmdBits + 16),
      .Depth (FetchDepth)
    ) u_fetch_q (
      .clk_i   (clk_i),
      .rst_ni  (rst_ni),
      .valid_i (fq_push),
      .ready_o (),
      .wdata_i ({rx_ptr_q, cmd_buf_d}),
      .valid_o (fq_valid),
      .ready_i (fq_pop),
      .rdata_o ({fq_idx, fq_cmd}),
      .count_o (fq_count)
    );
  end

  // ---------------------------------------------------------------------------------------
  // Decode and dispatch
  // ---------------------------------------------------------------------------------------
  logic [7:0]  opcode;
  logic [3:0]  deps;
  logic [15:0] cfg_key;
  logic        to_ld, to_ex, to_st, is_sync, is_irq, bad_op, bad_deps;
  logic        ld_q_ready, ex_q_ready, st_q_ready;
  logic        ld_q_valid, ex_q_valid, st_q_valid;
  logic        all_quiet, dispatch_ok;

  assign opcode  = fq_cmd[7:0];
  assign deps    = fq_cmd[11:8];
  assign cfg_key = fq_cmd[31:16];

  // CONFIG key bits 15..2 all zero (both keys that exist are below 4)
  logic key_hz;
  if (QueueDepth == 0 && FetchDepth == 1 && CmdWords == 3) begin : g_key_q
    // Board configuration (timing): registered from the receive buffer every cycle, so the
    // 14-bit zero test is off the path from the buffer through the decode to the dispatch,
    // the engines' start and the errors. It is valid whenever fq_valid is: w0 is written in
    // place with the first beat of a slot (CmdWords = 3), at least a cycle before the last
    // (BeatsPerCmd >= 2), and the buffer does not change while it holds the command.
    logic key_hz_q;
    always_ff @(posedge clk_i) key_hz_q <= (cfg_key[15:2] == 14'd0);
    assign key_hz = key_hz_q;
  end else begin : g_key
    assign key_hz = (cfg_key[15:2] == 14'd0);
  end

  always_comb begin
    to_ld = 1'b0; to_ex = 1'b0; to_st = 1'b0; is_sync = 1'b0;
    is_irq = 1'b0; bad_op = 1'b0; bad_deps = 1'b0;
    case (opcode)
      OpLoad:   begin to_ld = 1'b1; bad_deps = deps[0] || deps[2]; end
      OpStore:  begin to_st = 1'b1; bad_deps = deps[1] || deps[3]; end
      OpMatmul: begin to_ex = 1'b1; end
      OpConfig: begin
        to_st    = key_hz && (cfg_key[1:0] == CfgStOutput[1:0]);
        to_ex    = key_hz && (cfg_key[1:0] == CfgExZp[1:0]);
        bad_deps = (deps != 4'd0) || !(to_st || to_ex);
      end
      OpSoftmax: begin to_ex = 1'b1; end
      OpFence:  begin is_sync = 1'b1; bad_deps = (deps != 4'd0); end
      OpIrq:    begin is_sync = 1'b1; is_irq = 1'b1; bad_deps = (deps != 4'd0); end
      OpNop:    begin bad_deps = (deps != 4'd0); end
      default:  bad_op = 1'b1;
    endcase
  end

  assign all_quiet = !ld_q_valid && !ex_q_valid && !st_q_valid &&
                     !ld_busy_i && !ex_busy_i && !st_busy_i;

  assign dispatch_ok  = fq_valid && !halt_o && !bad_op && !bad_deps;
  assign can_dispatch = dispatch_ok &&
                        (!to_ld || ld_q_ready) && (!to_ex || ex_q_ready) &&
                        (!to_st || st_q_ready) && (!is_sync || all_quiet);
  assign fq_pop = can_dispatch;

  always_comb begin
    head_d = head_q;
    if (can_dispatch) head_d = head_inc;
  end

  if (QueueDepth == 0) begin : g_head_p1
    // Board configuration (timing): head_q + 1 kept in flops (loaded with head_inc + 1 when
    // head_q takes head_inc), so head_inc is an equality compare and a mux, without the
    // 16-bit carry chain in front of ring_has_work, idle and the fetch request.
    logic [15:0] head_p1_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni)           head_p1_q <= 16'd1;
      else if (can_dispatch) head_p1_q <= (head_inc + 16'd1) & RingPtrMask;
    end
    assign head_inc = (head_p1_q == ring_size_i) ? 16'd0 : head_p1_q;
  end else begin : g_head_add
    assign head_inc = (head_q + 16'd1 == ring_size_i) ? 16'd0 : head_q + 16'd1;
  end

  assign ring_head_o      = head_q;
  assign cmd_dispatched_o = can_dispatch;
  assign irq_cmd_set_o    = can_dispatch && is_irq;
  assign stall_queue_o    = fq_valid && !halt_o && !can_dispatch;
  assign stall_fetch_o    = !fq_valid && !halt_o && (ring_has_work || inflight_q != '0);

  if (QueueDepth == 0) begin : g_noq
    // no queues: the engine takes the command at the head of the fetch queue (its valid
    // does not depend on any ready: a command goes to one engine only)
    assign ld_q_ready = ld_cmd_ready_i;
    assign ex_q_ready = ex_cmd_ready_i;
    assign st_q_ready = st_cmd_ready_i;
    assign ld_q_valid = 1'b0;
    assign ex_q_valid = 1'b0;
    assign st_q_valid = 1'b0;
    assign ld_cmd_valid_o = dispatch_ok && to_ld;
    assign ex_cmd_valid_o = dispatch_ok && to_ex;
    assign st_cmd_valid_o = dispatch_ok && to_st;
    assign ld_cmd_o       = 256'(fq_cmd);
    assign ex_cmd_o       = 256'(fq_cmd);
    assign st_cmd_o       = 256'(fq_cmd);
    assign ld_cmd_idx_o   = fq_idx;
    assign ex_cmd_idx_o   = fq_idx;
    assign st_cmd_idx_o   = fq_idx;
  end else begin : g_q
    logic [CmdBits-1:0] ld_cmd, ex_cmd, st_cmd;

    systole_fifo #(.Width(CmdBits + 16), .Depth(QueueDepth)) u_ld_q (
      .clk_i   (clk_i),
      .rst_ni  (rst_ni),
      .valid_i (can_dispatch && to_ld),
      .ready_o (ld_q_ready),
      .wdata_i ({fq_idx, fq_cmd}),
      .valid_o (ld_q_valid),
      .ready_i (ld_cmd_ready_i),
      .rdata_o ({ld_cmd_idx_o, ld_cmd}),
      .count_o ()
    );
    systole_fifo #(.Width(CmdBits + 16), .Depth(QueueDepth)) u_ex_q (
      .clk_i   (clk_i),
      .rst_ni  (rst_ni),
      .valid_i (can_dispatch && to_ex),
      .ready_o (ex_q_ready),
      .wdata_i ({fq_idx, fq_cmd}),
      .valid_o (ex_q_valid),
      .ready_i (ex_cmd_ready_i),
      .rdata_o ({ex_cmd_idx_o, ex_cmd}),
      .count_o ()
    );
    systole_fifo #(.Width(CmdBits + 16), .Depth(QueueDepth)) u_st_q (
      .clk_i   (clk_i),
      .rst_ni  (rst_ni),
      .valid_i (can_dispatch && to_st),
      .ready_o (st_q_ready),
      .wdata_i ({fq_idx, fq_cmd}),
      .valid_o (st_q_valid),
      .ready_i (st_cmd_ready_i),
      .rdata_o ({st_cmd_idx_o, st_cmd}),
      .count_o ()
    );

    // engines see nothing new once halted
    assign ld_cmd_valid_o = ld_q_valid && !halt_o;
    assign ex_cmd_valid_o = ex_q_valid && !halt_o;
    assign st_cmd_valid_o = st_q_valid && !halt_o;
    assign ld_cmd_o       = 256'(ld_cmd);
    assign ex_cmd_o       = 256'(ex_cmd);
    assign st_cmd_o       = 256'(st_cmd);
  end

  // ---------------------------------------------------------------------------------------
  // Own errors: ring configuration, fetch window, fetch read error, decode, token overflow
  // ---------------------------------------------------------------------------------------
  logic [7:0] tok_ld2ex_q, tok_ld2ex_d, tok_ex2ld_q, tok_ex2ld_d;
  logic [7:0] tok_ex2st_q, tok_ex2st_d, tok_st2ex_q, tok_st2ex_d;
  logic       tok_ovf;
  // TOKEN_OVERFLOW as an own error: this cycle's overflow (tok_late), or, in the board
  // configuration, last cycle's (tok_early, below)
  logic       tok_early, tok_late;

  if (QueueDepth == 0) begin : g_tok_ovf_q
    // Board configuration (timing): the overflow is latched a cycle late, from a flop, so
    // the token gives and takes (late signals of the engines' start and finish logic) reach
    // only the counters, the availability flags and this flop, not the error registers.
    // It then comes before every other error source, as if it had been latched in its own
    // cycle: only an engine error of that same cycle is reported instead (and an engine
    // may take one more step before the halt). The overflowing counter keeps 255 (below).
    logic tok_ovf_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) tok_ovf_q <= 1'b0;
      else         tok_ovf_q <= tok_ovf;
    end
    assign tok_early = tok_ovf_q;
    assign tok_late  = 1'b0;
  end else begin : g_tok_ovf
    assign tok_early = 1'b0;
    assign tok_late  = tok_ovf;
  end

  always_comb begin
    own_err      = 1'b0;
    own_err_code = 8'd0;
    own_err_idx  = 16'd0;
    if (tok_early) begin
      own_err = 1'b1; own_err_code = ErrTokenOverflow; own_err_idx = IdxUnknown;
    end else if (cfg_err) begin
      own_err = 1'b1; own_err_code = ErrRingConfig; own_err_idx = fetch_ptr;
    end else if (fq_valid && bad_op) begin
      own_err = 1'b1; own_err_code = ErrIllegalOpcode; own_err_idx = fq_idx;
    end else if (fq_valid && bad_deps) begin
      own_err = 1'b1; own_err_code = ErrIllegalField; own_err_idx = fq_idx;
    end else if (r_fire && r_resp_i != 2'b00) begin
      own_err = 1'b1; own_err_code = ErrAxiRd; own_err_idx = rx_ptr;
    end else if (want_fetch && !ar_win_ok) begin
      own_err = 1'b1; own_err_code = ErrDmaWindow; own_err_idx = req_ptr;
    end else if (tok_late) begin
      own_err = 1'b1; own_err_code = ErrTokenOverflow; own_err_idx = IdxUnknown;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Dependency tokens
  // ---------------------------------------------------------------------------------------
  // count + give - take: the step is +1 or -1 (all ones) when exactly one of give and take
  // is set, else the count is kept (a flop enable, so the adder's operand is just take)
  function automatic logic [7:0] tok_step(input logic [7:0] q, input logic give, input logic take);
    tok_step = (give ^ take) ? q + {{7{take}}, 1'b1} : q;
  endfunction

  // this counter overflows: 255 and a give without a take
  function automatic logic tok_ovf1(input logic [7:0] q, input logic give, input logic take);
    tok_ovf1 = (q == 8'hff) && give && !take;
  endfunction

  logic [3:0] ovf1;   // per counter: st2ex, ex2st, ex2ld, ld2ex (bit 0)

  always_comb begin
    tok_ld2ex_d = tok_step(tok_ld2ex_q, tok_ld2ex_give_i, tok_ld2ex_take_i);
    tok_ex2ld_d = tok_step(tok_ex2ld_q, tok_ex2ld_give_i, tok_ex2ld_take_i);
    tok_ex2st_d = tok_step(tok_ex2st_q, tok_ex2st_give_i, tok_ex2st_take_i);
    tok_st2ex_d = tok_step(tok_st2ex_q, tok_st2ex_give_i, tok_st2ex_take_i);
    ovf1 = {tok_ovf1(tok_st2ex_q, tok_st2ex_give_i, tok_st2ex_take_i),
            tok_ovf1(tok_ex2st_q, tok_ex2st_give_i, tok_ex2st_take_i),
            tok_ovf1(tok_ex2ld_q, tok_ex2ld_give_i, tok_ex2ld_take_i),
            tok_ovf1(tok_ld2ex_q, tok_ld2ex_give_i, tok_ld2ex_take_i)};
    tok_ovf = |ovf1;
    if (QueueDepth == 0) begin
      // Board configuration: only the overflowing counter keeps its count (it saturates at
      // 255), so no counter's next value or availability depends on the other counters'
      // gives and takes. The error halts every engine, and the counts are not visible (the
      // soft reset that follows clears them): this cannot be told apart from keeping all.
      if (ovf1[0]) tok_ld2ex_d = tok_ld2ex_q;
      if (ovf1[1]) tok_ex2ld_d = tok_ex2ld_q;
      if (ovf1[2]) tok_ex2st_d = tok_ex2st_q;
      if (ovf1[3]) tok_st2ex_d = tok_st2ex_q;
    end else if (tok_ovf) begin
      tok_ld2ex_d = tok_ld2ex_q;
      tok_ex2ld_d = tok_ex2ld_q;
      tok_ex2st_d = tok_ex2st_q;
      tok_st2ex_d = tok_st2ex_q;
    end
  end

  if (QueueDepth == 0) begin : g_avail_q
    // Board configuration (timing): count != 0 kept in flops, so a token's availability
    // reaches the engines' start logic (and through it the memory read enables and the
    // dispatch) straight from a flop instead of an 8-bit zero test. The same values:
    // next count != 0 is a give without a take, or a nonzero count that a take without a
    // give does not bring to zero; an overflowing counter keeps 255 (above).
    function automatic logic avail_next(input logic [7:0] q, input logic give, input logic take);
      avail_next = (q != 8'd0) ? !(take && !give && q == 8'd1) : give;
    endfunction
    logic [3:0] avail_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) avail_q <= 4'd0;
      else avail_q <= {avail_next(tok_st2ex_q, tok_st2ex_give_i, tok_st2ex_take_i),
                       avail_next(tok_ex2st_q, tok_ex2st_give_i, tok_ex2st_take_i),
                       avail_next(tok_ex2ld_q, tok_ex2ld_give_i, tok_ex2ld_take_i),
                       avail_next(tok_ld2ex_q, tok_ld2ex_give_i, tok_ld2ex_take_i)};
    end
    assign tok_ld2ex_avail_o = avail_q[0];
    assign tok_ex2ld_avail_o = avail_q[1];
    assign tok_ex2st_avail_o = avail_q[2];
    assign tok_st2ex_avail_o = avail_q[3];
  end else begin : g_avail
    assign tok_ld2ex_avail_o = (tok_ld2ex_q != 8'd0);
    assign tok_ex2ld_avail_o = (tok_ex2ld_q != 8'd0);
    assign tok_ex2st_avail_o = (tok_ex2st_q != 8'd0);
    assign tok_st2ex_avail_o = (tok_st2ex_q != 8'd0);
  end

  // ---------------------------------------------------------------------------------------
  // Idle and activity
  // ---------------------------------------------------------------------------------------
  logic idle_q, idle_d;

  assign busy_o = (inflight_q != '0) || (ArHold != 0 && ar_hold_q);
  // Idle: nothing in flight anywhere, and either nothing left to do or stopped on an error.
  // An engine error not yet latched here keeps the chip busy for that cycle, so STATUS
  // never shows idle-without-error for a job that failed.
  assign idle_d = !busy_o && !ld_busy_i && !ex_busy_i && !st_busy_i &&
                  (error_q || (!idle_work && !fq_valid && !ld_q_valid && !ex_q_valid &&
                               !st_q_valid && !ld_err_i && !ex_err_i && !st_err_i));
  assign idle_o         = idle_d;
  assign irq_idle_set_o = idle_d && !idle_q;

  // ---------------------------------------------------------------------------------------
  // Registers
  // ---------------------------------------------------------------------------------------
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      error_q     <= 1'b0;
      err_code_q  <= 8'd0;
      err_idx_q   <= 16'd0;
      inflight_q  <= '0;
      beat_q      <= '0;
      cmd_buf_q   <= '0;
      rx_bad_q    <= 1'b0;
      head_q      <= 16'd0;
      tok_ld2ex_q <= 8'd0;
      tok_ex2ld_q <= 8'd0;
      tok_ex2st_q <= 8'd0;
      tok_st2ex_q <= 8'd0;
      idle_q      <= 1'b1;
    end else begin
      error_q     <= error_d;
      err_code_q  <= err_code_d;
      err_idx_q   <= err_idx_d;
      inflight_q  <= inflight_d;
      beat_q      <= beat_d;
      cmd_buf_q   <= cmd_buf_d;
      rx_bad_q    <= rx_bad_d;
      head_q      <= head_d & RingPtrMask;
      tok_ld2ex_q <= tok_ld2ex_d;
      tok_ex2ld_q <= tok_ex2ld_d;
      tok_ex2st_q <= tok_ex2st_d;
      tok_st2ex_q <= tok_st2ex_d;
      idle_q      <= idle_d;
    end
  end

  initial begin
    if (RingBits < 12 || RingBits > 16)
      $fatal(1, "systole_cmdproc: RingBits must be 12..16");
    if (AxiDataWidth != 32 && AxiDataWidth != 64 && AxiDataWidth != 128)
      $fatal(1, "systole_cmdproc: AxiDataWidth must be 32, 64 or 128");
    if (FetchDepth < 1 || (FetchDepth & (FetchDepth - 1)) != 0)
      $fatal(1, "systole_cmdproc: FetchDepth must be a power of two");
    if (QueueDepth < 0 || (QueueDepth & (QueueDepth - 1)) != 0)
      $fatal(1, "systole_cmdproc: QueueDepth must be 0 or a power of two");
    if (CmdWords != 3 && CmdWords != 4)
      $fatal(1, "systole_cmdproc: CmdWords must be 3 or 4");
    if (QueueDepth == 0 && FetchDepth == 1 && CmdWords == 3 && BeatsPerCmd < 2)
      $fatal(1, "systole_cmdproc: the registered CONFIG key test needs two beats per command");
  end
endmodule
