// Systole LD engine: executes LOAD (opcode 0x01) commands, a 2-D strided DMA read from main
// memory into the scratchpad, the accumulator or the qparam table (see docs/ld.md and the
// LOAD section of docs/architecture.md).
//
// Structure:
// * Issue side: takes a command, checks its fields, waits for the ex2ld token if asked, then
//   walks the rows. For every row it checks the destination line and (for rows that are not
//   padding) the DMA window, pushes one metadata entry into a FIFO of ReadsInFlight entries
//   and, for a data row, loads the AR stage with one burst (two if the row crosses a 4 KiB
//   boundary). One row per cycle while the FIFO and the AR stage have room.
// * Write side: takes the FIFO head. A data row consumes its R beats into a line buffer
//   (each beat rotated once by the row's byte offset and merged into at most two bus-wide
//   slots); a padded row fills the buffer with the pad byte. When the row is complete the
//   write stage is loaded and the byte-masked line write happens the next cycle (one row per
//   cycle for one-beat rows). The ld2ex token of a SIG_NEXT command is given with the write
//   of its last row (or, for ROWS=0, in order behind the rows of earlier commands).
// LdSerial = 1 replaces all of this by a small engine for FPGA builds (g_serial below).
module systole_ld #(
  parameter int Rows          = 8,     // PE rows: scratchpad line bytes
  parameter int Cols          = 8,     // PE columns: acc line = 4*Cols bytes, qparam = 16*Cols
  parameter int SpadLines     = 8192,  // scratchpad lines (1..65536)
  parameter int AccLines      = 512,   // accumulator lines (1..65536)
  parameter int QParamLines   = 64,    // qparam table lines (1..65536)
  parameter int AxiDataWidth  = 64,    // AXI read data bits (power of two, 32..1024)
  parameter int ReadsInFlight = 64,    // rows between AR issue and line write (power of two >= 2)
  parameter int LdSerial      = 0,     // 1: small serial engine, one row and one byte at a time
  // the DMA address bits that exist (WIN_BASE keeps only these; see "Mask space" at
  // g_serial): all ones = full 32-bit window arithmetic. Used by the serial engine only.
  parameter logic [31:0] DmaAddrMask = 32'hFFFF_FFFF
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  // command queue
  input  logic                    cmd_valid_i,
  output logic                    cmd_ready_o,
  input  logic [255:0]            cmd_i,
  input  logic [15:0]             cmd_idx_i,
  // dependency tokens
  input  logic                    tok_ex2ld_avail_i,
  output logic                    tok_ex2ld_take_o,
  output logic                    tok_ld2ex_give_o,
  // control and errors
  input  logic                    halt_i,
  output logic                    busy_o,
  output logic                    err_o,
  output logic [7:0]              err_code_o,
  output logic [15:0]             err_idx_o,
  // DMA window
  input  logic [31:0]             win_base_i,
  input  logic [31:0]             win_size_i,
  // AXI read address (ID, size and burst type are added by the read mux)
  output logic                    ar_valid_o,
  input  logic                    ar_ready_i,
  output logic [31:0]             ar_addr_o,
  output logic [7:0]              ar_len_o,
  // AXI read data
  input  logic                    r_valid_i,
  output logic                    r_ready_o,
  input  logic [AxiDataWidth-1:0] r_data_i,
  input  logic [1:0]              r_resp_i,
  input  logic                    r_last_i,
  // scratchpad write port (shared with the EX softmax unit, which has priority)
  output logic                    spad_we_o,
  input  logic                    spad_wready_i,
  output logic [15:0]             spad_waddr_o,
  output logic [Rows*8-1:0]       spad_wdata_o,
  output logic [Rows-1:0]         spad_wmask_o,
  // accumulator write port (shared with EX, which has priority)
  output logic                    acc_we_o,
  input  logic                    acc_wready_i,
  output logic [15:0]             acc_waddr_o,
  output logic [Cols*32-1:0]      acc_wdata_o,
  output logic [Cols*4-1:0]       acc_wmask_o,
  // qparam table write port
  output logic                    qp_we_o,
  output logic [15:0]             qp_waddr_o,
  output logic [Cols*128-1:0]     qp_wdata_o,
  output logic [Cols*16-1:0]      qp_wmask_o,
  // performance events
  output logic                    stall_dep_o,
  output logic                    stall_mem_o
);
  // ---------------------------------------------------------------------------------------
  // Constants
  // ---------------------------------------------------------------------------------------
  localparam int BusBytes = AxiDataWidth / 8;
  localparam int LgBB     = $clog2(BusBytes);
  localparam int SpadLB   = Rows;                                 // line bytes per target
  localparam int AccLB    = 4 * Cols;
  localparam int QpLB     = 16 * Cols;
  localparam int MaxLB    = (SpadLB > QpLB) ? SpadLB : QpLB;
  localparam int MaxBeats = (MaxLB + 2 * BusBytes - 2) / BusBytes; // beats of the widest row
  localparam int NW       = $clog2(MaxLB + 1);                    // ROW_BYTES bits after checks

  // DmaAddrMask's low run of ones (bits MkL-1:0) and top run (bits 31:MkHs), for g_serial
  localparam int MkL  = systole_mask_pkg::mask_lo(DmaAddrMask);
  localparam int MkHs = systole_mask_pkg::mask_hs(DmaAddrMask);

  localparam logic [7:0] ErrIllegalField = 8'd2;
  localparam logic [7:0] ErrSpadRange    = 8'd3;
  localparam logic [7:0] ErrAccRange     = 8'd4;
  localparam logic [7:0] ErrQpRange      = 8'd5;
  localparam logic [7:0] ErrDmaWindow    = 8'd6;
  localparam logic [7:0] ErrAxiRd        = 8'd7;

  localparam logic [1:0] TgtSpad = 2'd0;
  localparam logic [1:0] TgtAcc  = 2'd1;
  localparam logic [1:0] TgtQp   = 2'd2;

  // ---------------------------------------------------------------------------------------
  // Command fields
  // ---------------------------------------------------------------------------------------
  logic        c_wait, c_sig;
  logic [1:0]  c_tgt;
  logic [15:0] c_rows, c_n, c_line, c_dstride, c_pb, c_pa;
  logic [31:0] c_src, c_sstride;
  logic [7:0]  c_off, c_pad;

  assign c_wait    = cmd_i[9];
  assign c_sig     = cmd_i[11];
  assign c_tgt     = cmd_i[13:12];
  assign c_rows    = cmd_i[31:16];
  assign c_src     = cmd_i[63:32];
  assign c_sstride = cmd_i[95:64];
  assign c_n       = cmd_i[111:96];
  assign c_line    = cmd_i[127:112];
  assign c_dstride = cmd_i[143:128];
  assign c_off     = cmd_i[151:144];
  assign c_pad     = cmd_i[159:152];
  assign c_pb      = cmd_i[175:160];
  assign c_pa      = cmd_i[191:176];

  // opcode, WAIT_PREV/SIG_PREV (rejected by cmdproc), FLAGS[3:2] and w3 are not used here;
  // r_last_i is redundant because beats are counted per row.
  logic unused_cmd;
  assign unused_cmd = ^{cmd_i[255:192], cmd_i[15:14], cmd_i[10], cmd_i[8:0], r_last_i};

  if (LdSerial != 0) begin : g_serial
    // =====================================================================================
    // Serial engine (LdSerial = 1, for small FPGA builds): one byte per cycle, at most two
    // rows in flight, no line buffer, no metadata FIFO and no copy of the command.
    //
    // * The command stays at the head of the LD queue while it runs (cmd_i and cmd_idx_i are
    //   the queue's head, stable until popped, also while halt_i masks cmd_valid_i); it is
    //   popped (cmd_ready_o) with the write of its last byte. A faulting command is never
    //   popped, so err_idx_o is simply cmd_idx_i.
    // * Accept: while idle the issue registers are loaded from cmd_i every cycle, so taking
    //   a command only moves the state; the next cycle (ZCheck) checks the fields and
    //   PAD_BEFORE + PAD_AFTER <= ROWS.
    // * Issue side, per row: the DMA window check is a three-stage pipeline behind the row
    //   address (nd_q, s_q, wbad_q), so a row waits three cycles after its address is set;
    //   then one cycle of decisions (destination line, window) that also loads the AR
    //   stage (one burst, two across a 4 KiB boundary); then (ZHand) the row waits until
    //   its bursts have left the AR stage and the write side is free, and is handed over:
    //   the issue registers move to the next row. So the next row's read is on its way
    //   while a row is written. An issue-side error is reported once the write side is
    //   empty (the rows before it are written).
    // * Write side, ROW_BYTES cycles per row: memory byte SRC + i*SRC_STRIDE + j is taken
    //   from its lane of the R beat, which is held (r_ready_o only on the beat's last lane
    //   of the row), and written to line byte DST_OFF + j with a one-byte mask; a padded row
    //   writes the pad byte the same way. The targets take the byte replicated over the
    //   whole line. Lane, line byte and bytes left are counters of their own, and the
    //   target is a register, so the outputs to the AXI bus and the write ports are one or
    //   two LUTs from flops (on the board they feed the main memory and the DMA counters).
    // Area notes (iCE40): a comparison or subtraction of two registers costs an inverter
    // LUT per bit on top of its carry chain, so the row counters are kept inverted and the
    // window check is written as sums; registers that are always set before use have no
    // reset (a constant load is then a synchronous set/reset of the flop, not a LUT).
    // =====================================================================================
    localparam int MaxLines = (SpadLines > AccLines) ?
                              ((SpadLines > QParamLines) ? SpadLines : QParamLines) :
                              ((AccLines > QParamLines) ? AccLines : QParamLines);
    // destination line register: wide enough for MaxLines itself; larger values only set
    // the sticky lovf_q (a line number never decreases within a command)
    localparam int LW = (MaxLines >= 65536) ? 16 : $clog2(MaxLines + 1);
    localparam int DW = (MaxLB > 1) ? $clog2(MaxLB) : 1;   // byte index inside a line
    localparam int PW = (DW > LgBB) ? DW : LgBB;            // a row fits in a 2^PW block

    // Mask space (DmaAddrMask not all ones, of the form {ones from bit Hs up, zeros, ones
    // in bits L-1:0} with L >= 12 and L >= PW, e.g. the board's 32'h8001_FFFF: L = 17,
    // Hs = 31). WIN_BASE then lies in the mask space (the addresses whose bits outside the
    // mask are 0), and the engine works on the W = L + 32 - Hs mask bits only (addr_q and
    // the window pipeline are W bits wide): a row address with a bit outside the mask (or
    // past 2^32) is outside the window, and so is a row whose last byte leaves the mask
    // space (a carry out of bit L-1); the window is taken in the mask space's own
    // numbering (the mask bits, packed) and ends at its top. For a window with base + size
    // inside the mask space this is exactly the 32-bit check. The "outside" flag (aovf_q)
    // is sticky, as the 2^32 overflow always was: once a row's address (padded or not)
    // leaves the mask space, every later data row of the command is outside the window.
    // A mask of another form keeps the full 32-bit arithmetic (Narrow = 0).
    localparam bit Narrow = (DmaAddrMask != 32'hFFFF_FFFF) && (MkL >= 12) && (MkL >= PW) &&
                            (MkHs < 32) && (MkHs > MkL) &&
                            ((DmaAddrMask & ~((32'hFFFF_FFFF << MkHs) | ((32'd1 << MkL) - 32'd1))) == 32'd0);
    localparam logic [31:0] CM = Narrow ? DmaAddrMask : 32'hFFFF_FFFF;  // bits kept
    localparam int W  = Narrow ? MkL + 32 - MkHs : 32;   // address bits kept
    localparam int EL = Narrow ? MkL : 32;               // a row must not carry out of bit EL-1
    // the mask bits of SRC and WIN_BASE, packed (W bits); the AR address unpacked (below)
    logic [W-1:0]  src_p, base_p, ar_p;
    logic [31:0]   ar_u;
    for (genvar k = 0; k < 32; k++) begin : g_pack
      if (CM[k]) begin : g_bit
        assign src_p[systole_mask_pkg::mask_below(CM, k)]  = c_src[k];
        assign base_p[systole_mask_pkg::mask_below(CM, k)] = win_base_i[k];
        assign ar_u[k] = ar_p[systole_mask_pkg::mask_below(CM, k)];
      end else begin : g_gap
        logic unused_base;            // WIN_BASE has no bits here (the CSR keeps them 0)
        assign unused_base = win_base_i[k];
        assign ar_u[k] = 1'b0;
      end
    end

    localparam logic [2:0] ZIdle  = 3'd0;  // waiting for a command
    localparam logic [2:0] ZCheck = 3'd1;  // second accept check
    localparam logic [2:0] ZWait  = 3'd2;  // waiting for an ex2ld token (WAIT_NEXT)
    localparam logic [2:0] ZRow   = 3'd3;  // checks of the issue row (once the window
                                           // pipeline is valid), AR stage load
    localparam logic [2:0] ZHand  = 3'd4;  // issue row issued, waiting for the write side

    logic [2:0]    st_q, st_d;
    logic          ar_valid_q, ar_valid_d, ar2_q, ar2_d;  // AR stage; ar2: second burst
    logic          err_q, err_d;
    logic [2:0]    err_code_q, err_code_d;
    // data path, set when a command is accepted (no reset)
    logic [15:0]   nrow_q, nrow_d;        // ~i for row i
    logic [15:0]   nrem_q, nrem_d;        // ~(ROWS - i): rows left, inverted
    logic [W-1:0]  addr_q, addr_d;        // SRC + i*SRC_STRIDE (its mask bits)
    logic          aovf_q, aovf_d;        // ... has passed 2^32 (or left the mask space)
    logic [LW-1:0] line_q, line_d;        // DST_LINE + i*DST_STRIDE
    logic          lovf_q, lovf_d;        // ... does not fit in LW bits (out of range)
    logic          tsp_q, tac_q;          // target: scratchpad, accumulator (else qparam)
    logic [W:0]    nd_q;                  // window pipeline: base + ~addr_q, with carry
    logic [W:0]    s_q;                   // ... then size + nd_q + 1
    logic          wbad_q;                // ... then: the row at addr_q is not in the window
    logic [1:0]    wv_q, wv_d;            // cycles since addr_q was set (saturates at 3)
    logic [16:0]   psum_q;                // PAD_BEFORE + PAD_AFTER of the head command

    // ---- checks --------------------------------------------------------------------------
    // Comparisons use the narrowest operands the accept checks allow: after them ROW_BYTES
    // n is 1..MaxLB, so m = n - 1 fits in PW bits.
    logic          n_big, off_big, off_end_bad, cmd_bad, pad_ovf, line_bad;
    logic          row_pad, row_last, win_bad, line_hi, s_small, over32;
    logic          rows_done;             // ROWS = 0 (in ZRow only the first row can be
                                          // the end: the last row's hand goes to ZIdle)
    logic          line_bad_s, line_bad_a, line_bad_q;
    logic [2:0]    range_err;
    logic [NW:0]   off_end;
    logic [16:0]   pad_sum, pb_sum, pa_sum;
    logic [17:0]   ovf_sum;
    logic [PW-1:0] m;                     // ROW_BYTES - 1
    logic [PW:0]   e;                     // row's last byte, relative to its 2^PW block
    logic [W-1:0]  naddr;
    logic [W:0]    nd, s, addr_next;
    logic          next_out;              // addr_next has passed 2^32 or left the mask space
    logic          size_big;              // WIN_SIZE reaches past the top of the mask space
    logic          unused_sums;          // only the carries of these sums are used
    logic [LW:0]   line_next;

    // x >= c and x > c for a constant c, as a shift and an equality when c is a power of two
    // (Yosys would map the comparison to a carry chain)
    function automatic logic ge_c(input logic [31:0] x, input int c);
      if ((c & (c - 1)) == 0) ge_c = (x >> $clog2(c)) != 32'd0;
      else                    ge_c = (x >= 32'(c));
    endfunction
    function automatic logic gt_c(input logic [31:0] x, input int c);
      if ((c & (c - 1)) == 0) gt_c = ((x >> $clog2(c)) != 32'd0) && (x != 32'(c));
      else                    gt_c = (x > 32'(c));
    endfunction

    assign n_big   = (c_n == 16'd0) || ((32'(c_n) >> NW) != 32'd0);
    assign off_big = (32'(c_off) >> NW) != 32'd0;
    assign off_end = (NW+1)'(c_off[NW-1:0]) + (NW+1)'(c_n[NW-1:0]);
    always_comb begin
      case (c_tgt)
        TgtSpad: off_end_bad = gt_c(32'(off_end), SpadLB);
        TgtAcc:  off_end_bad = gt_c(32'(off_end), AccLB);
        default: off_end_bad = gt_c(32'(off_end), QpLB);
      endcase
    end
    // the row's line check from the registered target (the command's fields are not on
    // the path to the issue decisions)
    assign line_bad_s = ge_c(32'(line_q), SpadLines);
    assign line_bad_a = ge_c(32'(line_q), AccLines);
    assign line_bad_q = ge_c(32'(line_q), QParamLines);
    assign line_bad   = lovf_q || (tsp_q ? line_bad_s : tac_q ? line_bad_a : line_bad_q);
    assign range_err  = tsp_q ? 3'(ErrSpadRange) : tac_q ? 3'(ErrAccRange) : 3'(ErrQpRange);
    assign cmd_bad = (c_tgt == 2'd3) || n_big || off_big || off_end_bad;

    // Rows, with nrow = ~i and nrem = ~(ROWS - i):
    //   i < PAD_BEFORE               <=>  nrow + PAD_BEFORE carries out of 16 bits
    //   ROWS - i <= PAD_AFTER        <=>  nrem + PAD_AFTER + 1 carries out
    //   PAD_BEFORE + PAD_AFTER > ROWS <=>  (PAD_BEFORE + PAD_AFTER) + {1, nrem} carries out
    //                                      of 17 bits (ZCheck, while nrem = ~ROWS; the
    //                                      first sum is registered, psum_q, all ones for a
    //                                      command with a bad field: then always a carry)
    assign pb_sum    = 17'(nrow_q) + 17'(c_pb);
    assign pa_sum    = 17'(nrem_q) + 17'(c_pa) + 17'd1;
    assign pad_sum   = 17'(c_pb) + 17'(c_pa);
    assign ovf_sum   = 18'(psum_q) + 18'({1'b1, nrem_q});
    assign pad_ovf   = ovf_sum[17];
    assign row_pad   = pb_sum[16] || pa_sum[16];
    assign row_last  = (nrem_q == 16'hfffe);
    assign unused_sums = ^{pb_sum[15:0], pa_sum[15:0], ovf_sum[16:0], addr_next[W]};

    // DMA window for the row [a, a+n): with nd = base + ~a = ~(a - base) (carry: a < base)
    // and s = size + nd + 1 = size - (a - base) (no carry: a - base > size), the row is
    // inside iff a >= base and s >= n, i.e. s > m; its last byte a + m stays below 2^32
    // unless it passes from the top 2^PW block. A chain is about all the board clock
    // allows in a cycle: nd and s are registered (nd_q, s_q: their flops share the cells
    // of the sums), then the verdict (wbad_q); all follow addr_q, which is stable while a
    // row waits.
    assign m         = PW'(c_n[NW-1:0] - NW'(1));
    assign e         = (PW+1)'(addr_q[PW-1:0]) + (PW+1)'(m);
    assign naddr     = ~addr_q;
    // (mask space: the same on the packed mask bits; the base has no other bits, a size
    // past the top of the mask space leaves only a >= base, and over32 becomes the carry
    // out of the low run of mask bits)
    assign nd        = (W+1)'(base_p) + (W+1)'(naddr);
    assign s         = (W+1)'(win_size_i[W-1:0]) + (W+1)'(nd_q[W-1:0]) + (W+1)'(1);
    assign size_big  = (33'(win_size_i) >> W) != 33'd0;   // (0 when W = 32)
    assign s_small   = ((s_q[W-1:0] >> PW) == W'(0)) && (PW'(s_q) <= m);
    assign over32    = e[PW] && ((EL'(addr_q) | EL'((1 << PW) - 1)) == {EL{1'b1}});
    assign win_bad   = aovf_q || nd_q[W] || (!size_big && (!s_q[W] || s_small)) || over32;
    if (Narrow) begin : g_narrow
      // SRC_STRIDE's bits between the two runs of mask bits (Hs-1:L) land in the gap: the
      // sum stays in the mask space iff they and the carry into them give 0 there (all
      // zeros and no carry, or all ones and a carry, which then goes on into bit Hs)
      logic [MkL:0]     lo;
      logic [32-MkHs:0] hi;
      logic             gap_z, gap_1, gap_c;
      assign lo     = (MkL+1)'(addr_q[MkL-1:0]) + (MkL+1)'(c_sstride[MkL-1:0]);
      assign gap_z  = (c_sstride[MkHs-1:MkL] == '0);
      assign gap_1  = (&c_sstride[MkHs-1:MkL]);
      assign gap_c  = lo[MkL] && gap_1;
      assign hi     = (32-MkHs+1)'(addr_q[W-1:MkL]) + (32-MkHs+1)'(c_sstride[31:MkHs]) +
                      (32-MkHs+1)'(gap_c);
      assign addr_next = {hi, lo[MkL-1:0]};
      assign next_out  = hi[32-MkHs] || !((gap_z && !lo[MkL]) || gap_c);
    end else begin : g_wide
      assign addr_next = 33'(addr_q) + 33'(c_sstride);
      assign next_out  = addr_next[32];
    end
    assign line_next = (LW+1)'(line_q) + (LW+1)'(c_dstride[LW-1:0]);
    assign line_hi   = (32'(c_dstride) >> LW) != 32'd0;

    // ---- AR stage: the row's burst(s), from the row's address held in addr_q ------------
    // A row crosses a 4 KiB boundary only from the last 2^PW block of its page; its first
    // burst then runs to the page end and the second one from the next page to the row's
    // last byte (at e - 2^PW in that page).
    logic          page_cross;
    logic          pc_q;                  // the AR stage's row crosses a 4 KiB boundary
    logic [PW:0]   len_q;                 // the AR stage's first burst length
    logic [PW:0]   last_lo;               // last byte relative to the row's first beat
    logic [PW-1:0] len_to_end, len_second;
    logic [PW:0]   len_row;

    assign page_cross = e[PW] && ((addr_q[11:0] | 12'((1 << PW) - 1)) == 12'hfff);
    assign last_lo    = (PW+1)'(addr_q[LgBB-1:0]) + (PW+1)'(m);
    assign len_to_end = (~addr_q[PW-1:0]) >> LgBB;
    assign len_second = e[PW-1:0] >> LgBB;
    assign len_row    = last_lo >> LgBB;

    assign ar_valid_o = ar_valid_q;
    // (mask space: a row whose second page would carry out of the low run of mask bits
    // is outside the window, never issued)
    assign ar_p       = {addr_q[W-1:12] + (W-12)'(ar2_q), ar2_q ? 12'h000 : addr_q[11:0]};
    assign ar_addr_o  = ar_u & ~32'(BusBytes - 1);
    // (the second burst's length is not loaded at the handshake: the AR handshake, which
    // depends on the other bus masters, then reaches only the AR stage's valid flops)
    assign ar_len_o   = ar2_q ? 8'(len_second) : 8'(len_q);

    // ---- write side: the row handed over by the issue side, one byte per cycle ----------
    logic             w_valid_q, w_valid_d;   // a row is being written
    logic [LW-1:0]    w_line_q;               // its destination line
    logic             w_pad_q, w_last_q;      // padded row; last row of the command
    logic [DW-1:0]    dst_q;                  // line byte written this cycle
    logic [LgBB-1:0]  lane_q;                 // its lane in the R beat
    logic [NW-1:0]    left_q;                 // bytes of the row after this one
    logic             byte_last;              // this is the row's last byte (left_q == 0)
    logic             rr_q, rr_d;             // r_ready_o but for the port: a data row's
                                              // byte on the beat's last lane or the row's last
    logic [DW-1:0]    dst_d;
    logic [LgBB-1:0]  lane_d;
    logic [NW-1:0]    left_d;
    logic             byte_last_d, w_pad_d;
    logic [7:0]       byte_v;
    logic             port_rdy, have, bad_beat, step, w_end, wr, wr_err_now;
    logic [MaxLB-1:0] onehot;

    assign byte_v     = w_pad_q ? c_pad : r_data_i[{lane_q, 3'b000} +: 8];
    // the write waits while its target's port is taken by a higher-priority writer
    assign port_rdy   = tsp_q ? spad_wready_i : tac_q ? acc_wready_i : 1'b1;
    assign have       = w_pad_q || r_valid_i;
    assign bad_beat   = !w_pad_q && r_valid_i && (r_resp_i != 2'b00);
    assign step       = w_valid_q && have && port_rdy;
    assign w_end      = step && byte_last;        // the row's last byte
    // after an error the bytes of the rows still in flight are taken but not written
    assign wr         = w_valid_q && have && !bad_beat && !err_q;
    assign wr_err_now = w_valid_q && bad_beat && !err_q;
    assign r_ready_o  = rr_q && port_rdy;

    for (genvar b = 0; b < MaxLB; b++) begin : g_onehot
      assign onehot[b] = (dst_q == DW'(b));
    end

    assign spad_we_o    = wr && tsp_q;
    assign acc_we_o     = wr && tac_q;
    assign qp_we_o      = wr && !tsp_q && !tac_q;
    assign spad_waddr_o = 16'(w_line_q);
    assign acc_waddr_o  = 16'(w_line_q);
    assign qp_waddr_o   = 16'(w_line_q);
    assign spad_wdata_o = {SpadLB{byte_v}};
    assign acc_wdata_o  = {AccLB{byte_v}};
    assign qp_wdata_o   = {QpLB{byte_v}};
    assign spad_wmask_o = onehot[SpadLB-1:0];
    assign acc_wmask_o  = onehot[AccLB-1:0];
    assign qp_wmask_o   = onehot[QpLB-1:0];

    // ---- control -------------------------------------------------------------------------
    logic       hand, iss_err, iss_done, wr_done;
    logic [2:0] iss_code;

    // hand the issued row to the write side (the issue registers then move to the next
    // row, so the row's bursts must have left the AR stage: a cycle after the handshake,
    // so that the AR handshake, which depends on the other bus masters, does not reach
    // the enables of the issue registers)
    assign hand    = (st_q == ZHand) && !ar_valid_q && (!w_valid_q || w_end);
    // the write side finished the command's last row
    assign wr_done = w_end && w_last_q && !err_q && !wr_err_now;

    always_comb begin
      st_d       = st_q;
      nrow_d     = nrow_q;
      nrem_d     = nrem_q;
      addr_d     = addr_q;
      aovf_d     = aovf_q;
      line_d     = line_q;
      lovf_d     = lovf_q;
      ar_valid_d = ar_valid_q;
      ar2_d      = ar2_q;
      w_valid_d  = w_valid_q && !w_end;
      // the window pipeline is valid three cycles after addr_q was last set
      wv_d       = (wv_q == 2'd3) ? 2'd3 : wv_q + 2'd1;
      tok_ex2ld_take_o = 1'b0;
      iss_err    = 1'b0;
      iss_code   = 3'(ErrIllegalField);
      iss_done   = 1'b0;

      // a handshake moves to the second burst of a split row or empties the stage
      if (ar_valid_q && ar_ready_i) begin
        if (pc_q && !ar2_q) begin
          ar2_d = 1'b1;
        end else begin
          ar_valid_d = 1'b0;
          ar2_d      = 1'b0;
        end
      end

      case (st_q)
        ZIdle: begin
          // the issue registers follow the head of the queue (the AR stage is empty here;
          // the previous command's last row may still be written, from the write-side
          // registers: it is popped then)
          nrow_d = '1;
          nrem_d = ~c_rows;
          addr_d = src_p;
          aovf_d = (c_src & ~CM) != 32'd0;
          line_d = LW'(c_line);
          lovf_d = (32'(c_line) >> LW) != 32'd0;
          wv_d   = 2'd0;
          if (cmd_valid_i && !err_q && !halt_i && !w_valid_q) st_d = ZCheck;
        end

        ZCheck: begin
          if (pad_ovf) begin      // (or cmd_bad, folded into psum_q)
            iss_err = 1'b1;
            st_d    = ZIdle;
          end else begin
            st_d = c_wait ? ZWait : ZRow;
          end
        end

        ZWait: begin
          if (halt_i || err_q) begin
            st_d = ZIdle;
          end else if (tok_ex2ld_avail_i) begin
            tok_ex2ld_take_o = 1'b1;
            st_d             = ZRow;
          end
        end

        ZRow: begin
          if (halt_i || err_q) begin
            st_d = ZIdle;     // abandon the command: no further row, no token
          end else if (rows_done) begin   // only for ROWS = 0
            iss_done = 1'b1;
            st_d     = ZIdle;
          end else if (wv_q != 2'd3) begin
            // the window pipeline is not valid yet for this row
          end else if (line_bad || (!row_pad && wbad_q)) begin
            // reported once the rows before it are written
            if (!w_valid_q) begin
              iss_err  = 1'b1;
              iss_code = line_bad ? range_err : 3'(ErrDmaWindow);
              st_d     = ZIdle;
            end
          end else begin
            if (!row_pad) ar_valid_d = 1'b1;
            st_d = ZHand;
          end
        end

        default: begin  // ZHand: the row is issued; it is written even after a halt or an error
          if (hand) begin
            nrow_d = nrow_q - 16'd1;
            nrem_d = nrem_q + 16'd1;
            addr_d = addr_next[W-1:0];
            aovf_d = aovf_q || next_out;
            line_d = line_next[LW-1:0];
            lovf_d = lovf_q || line_next[LW] || line_hi;
            wv_d   = 2'd0;
            st_d   = row_last ? ZIdle : ZRow;
          end
        end
      endcase

      if (hand) w_valid_d = 1'b1;

      // write-side counters
      lane_d      = lane_q;
      dst_d       = dst_q;
      left_d      = left_q;
      byte_last_d = byte_last;
      w_pad_d     = w_pad_q;
      if (hand) begin
        lane_d      = addr_q[LgBB-1:0];
        dst_d       = DW'(c_off);
        left_d      = NW'(m);
        byte_last_d = (m == '0);
        w_pad_d     = row_pad;
      end else if (step) begin
        lane_d      = lane_q + LgBB'(1);
        dst_d       = dst_q + DW'(1);
        left_d      = left_q - NW'(1);
        byte_last_d = (left_q == NW'(1));
      end
      rr_d = w_valid_d && !w_pad_d && ((lane_d == LgBB'(BusBytes - 1)) || byte_last_d);

      err_d      = err_q;
      err_code_d = err_code_q;
      if (!err_q && (wr_err_now || iss_err)) begin
        err_d      = 1'b1;
        err_code_d = wr_err_now ? 3'(ErrAxiRd) : iss_code;
      end
    end

    // the command is popped, and its SIG_NEXT token given, when its last row is written
    // (ROWS = 0: at once)
    assign cmd_ready_o      = wr_done || iss_done;
    assign tok_ld2ex_give_o = (wr_done || iss_done) && c_sig;
    assign err_o       = err_q;
    assign err_code_o  = 8'(err_code_q);
    assign err_idx_o   = cmd_idx_i;
    assign busy_o      = (st_q != ZIdle) || w_valid_q;
    assign stall_dep_o = (st_q == ZWait) && !tok_ex2ld_avail_i && !halt_i && !err_q;
    assign stall_mem_o = w_valid_q && !w_pad_q && !r_valid_i;

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        st_q       <= ZIdle;
        ar_valid_q <= 1'b0;
        ar2_q      <= 1'b0;
        w_valid_q  <= 1'b0;
        rr_q       <= 1'b0;
        err_q      <= 1'b0;
        err_code_q <= '0;
      end else begin
        st_q       <= st_d;
        ar_valid_q <= ar_valid_d;
        ar2_q      <= ar2_d;
        w_valid_q  <= w_valid_d;
        rr_q       <= rr_d;
        err_q      <= err_d;
        err_code_q <= err_code_d;
      end
    end

    always_ff @(posedge clk_i) begin
      nrow_q <= nrow_d;
      nrem_q <= nrem_d;
      addr_q <= addr_d;
      aovf_q <= aovf_d;
      line_q <= line_d;
      lovf_q <= lovf_d;
      wv_q   <= wv_d;
      nd_q   <= nd;
      s_q    <= s;
      wbad_q <= win_bad;
      // a command that fails the field checks gets an all-ones sum, which the ZCheck
      // test PAD_BEFORE + PAD_AFTER > ROWS always flags (both are ILLEGAL_FIELD): the field
      // checks (a carry chain and a comparison over cmd_i) then end at the flops' synchronous
      // set, one cycle ahead, instead of feeding the error and state enables in ZCheck
      psum_q <= cmd_bad ? '1 : pad_sum;
      // the target of the command at the head of the queue (also the one being written:
      // a command is popped with its last byte)
      if (st_q == ZIdle) begin
        tsp_q     <= (c_tgt == TgtSpad);
        tac_q     <= (c_tgt == TgtAcc);
        rows_done <= (c_rows == 16'd0);
      end
      // the AR stage's row (loaded in ZRow; the stage is empty there)
      if (st_q == ZRow) begin
        pc_q  <= page_cross;
        len_q <= page_cross ? (PW+1)'(len_to_end) : len_row;
      end
      lane_q    <= lane_d;
      dst_q     <= dst_d;
      left_q    <= left_d;
      byte_last <= byte_last_d;
      w_pad_q   <= w_pad_d;
      if (hand) begin
        w_line_q <= line_q;
        w_last_q <= row_last;
      end
    end

`ifndef SYNTHESIS
    always_ff @(posedge clk_i) begin
      if (rst_ni) begin
        assert (!(r_valid_i && !(w_valid_q && !w_pad_q) && !ar_valid_q && st_q != ZHand))
          else $error("systole_ld: R beat with no row outstanding");
      end
    end
`endif
  end else begin : g_full
    localparam int BW       = AxiDataWidth;                         // bits per bus word
    localparam int Slots    = (MaxLB + BusBytes - 1) / BusBytes;    // bus words per line buffer
    localparam int BufB     = Slots * BusBytes;                     // line buffer bytes
    localparam int BeatW    = $clog2(MaxBeats + 1);

    // issue FSM
    localparam logic [1:0] SIdle  = 2'd0;  // waiting for a command
    localparam logic [1:0] SWait  = 2'd1;  // waiting for an ex2ld token (WAIT_NEXT)
    localparam logic [1:0] SRows  = 2'd2;  // issuing rows

    // metadata entry kinds
    localparam logic [1:0] KData  = 2'd0;  // read row: consumes beats, then writes
    localparam logic [1:0] KPad   = 2'd1;  // padded row: writes the pad byte
    localparam logic [1:0] KToken = 2'd2;  // ROWS=0 command with SIG_NEXT: only gives the token

    // metadata entry layout (LSB first)
    localparam int MIdx   = 0;             // cmd_idx of the command (16)
    localparam int MPad   = MIdx + 16;     // pad byte (8)
    localparam int MN     = MPad + 8;      // ROW_BYTES (NW)
    localparam int MOff   = MN + NW;       // DST_OFF (8)
    localparam int MFirst = MOff + 8;      // row start address modulo BusBytes (LgBB)
    localparam int MBeats = MFirst + LgBB; // R beats of the row (BeatW)
    localparam int MLine  = MBeats + BeatW;// destination line (16)
    localparam int MTgt   = MLine + 16;    // target (2)
    localparam int MSig   = MTgt + 2;      // give ld2ex after this entry (1)
    localparam int MKind  = MSig + 1;      // entry kind (2)
    localparam int MetaW  = MKind + 2;

    // ---------------------------------------------------------------------------------------
    // State
    // ---------------------------------------------------------------------------------------
    logic [1:0]  state_q, state_d;
    logic        sig_q, sig_d;
    logic [1:0]  tgt_q, tgt_d;
    logic [15:0] rows_q, rows_d, n_q, n_d, dstride_q, dstride_d, pb_q, pb_d, pa_q, pa_d;
    logic [15:0] idx_q, idx_d, row_q, row_d;
    logic [31:0] addr_q, addr_d, sstride_q, sstride_d, line_q, line_d;
    logic        aovf_q, aovf_d;          // SRC + row*SRC_STRIDE has passed 2^32
    logic [7:0]  off_q, off_d, pad_q, pad_d;

    logic        err_q, err_d;
    logic [7:0]  err_code_q, err_code_d;
    logic [15:0] err_idx_q, err_idx_d;

    // AR stage: a row's burst(s); once loaded it is issued completely
    logic        ar_valid_q, ar_valid_d, ar2_q, ar2_d;
    logic [31:0] ar_addr_q, ar_addr_d;
    logic [7:0]  ar_len_q, ar_len_d, ar2_len_q, ar2_len_d;

    // write side
    logic [BeatW-1:0] beat_q, beat_d;     // beats of the head row taken so far
    logic        stg_valid_q, stg_valid_d; // write stage holds a write and/or a give
    logic        stg_we_q, stg_we_d, stg_give_q, stg_give_d;
    logic [1:0]  stg_tgt_q, stg_tgt_d;
    logic [15:0] stg_line_q, stg_line_d;
    logic [BufB-1:0] stg_mask_q;          // wide data path, see the line buffer below

    // metadata FIFO
    logic             mf_push, mf_ready, mf_valid, mf_pop;
    logic [MetaW-1:0] mf_wdata, mf_rdata;
    logic [$clog2(ReadsInFlight):0] unused_mf_count;

    // ---------------------------------------------------------------------------------------
    // Issue side
    // ---------------------------------------------------------------------------------------
    logic [16:0] line_bytes;     // of the incoming command's target
    logic [31:0] tgt_lines;      // lines of the current target
    logic [7:0]  range_err;      // error code for a line past the end
    logic        cmd_illegal;
    logic [15:0] pad_end;        // first padded row after the read rows
    logic        row_pad, row_last, line_bad, win_bad;
    logic [33:0] row_end, win_end;
    logic [32:0] addr_next;
    logic [12:0] page_end;       // row end within its 4 KiB page (13 bits)
    logic        page_cross;          // row crosses a 4 KiB boundary
    logic [16:0] beats_total;
    logic [12:0] beats_first;    // beats up to the 4 KiB boundary
    logic        ar_free;
    logic        wr_err_now;     // write side raises an error this cycle
    logic        iss_push, iss_err;
    logic [1:0]  iss_kind;
    logic [7:0]  iss_err_code;

    always_comb begin
      case (tgt_q)
        TgtSpad: begin tgt_lines = 32'(SpadLines);   range_err = ErrSpadRange; end
        TgtAcc:  begin tgt_lines = 32'(AccLines);    range_err = ErrAccRange;  end
        default: begin tgt_lines = 32'(QParamLines); range_err = ErrQpRange;   end
      endcase
      case (c_tgt)
        TgtSpad: line_bytes = 17'(SpadLB);
        TgtAcc:  line_bytes = 17'(AccLB);
        default: line_bytes = 17'(QpLB);
      endcase
    end

    // command-level checks, on the incoming command
    assign cmd_illegal = (c_tgt == 2'd3) || (c_n == 16'd0) ||
                         (17'(c_off) + 17'(c_n) > line_bytes) ||
                         (17'(c_pb) + 17'(c_pa) > 17'(c_rows));
    assign pad_end     = rows_q - pa_q;
    assign row_pad     = (row_q < pb_q) || (row_q >= pad_end);
    assign row_last    = (row_q == rows_q - 16'd1);
    assign line_bad    = (line_q >= tgt_lines);
    assign row_end     = 34'(addr_q) + 34'(n_q);
    assign win_end     = 34'(win_base_i) + 34'(win_size_i);
    assign win_bad     = aovf_q || (addr_q < win_base_i) || (row_end > win_end) ||
                         (row_end > 34'h1_0000_0000);
    assign addr_next   = 33'(addr_q) + 33'(sstride_q);
    assign page_end    = 13'(addr_q[11:0]) + 13'(n_q);
    assign page_cross  = (page_end > 13'h1000);
    assign beats_total = (17'(addr_q[LgBB-1:0]) + 17'(n_q) + 17'(BusBytes - 1)) >> LgBB;
    assign beats_first = 13'(1 << (12 - LgBB)) - 13'(addr_q[11:LgBB]);
    assign ar_free     = !ar_valid_q || (ar_ready_i && !ar2_q);

    assign mf_wdata = {iss_kind, sig_q && (row_last || (iss_kind == KToken)), tgt_q, line_q[15:0], BeatW'(beats_total),
                       addr_q[LgBB-1:0], off_q, NW'(n_q), pad_q, idx_q};

    always_comb begin
      state_d   = state_q;
      sig_d     = sig_q;
      tgt_d     = tgt_q;
      rows_d    = rows_q;
      n_d       = n_q;
      dstride_d = dstride_q;
      pb_d      = pb_q;
      pa_d      = pa_q;
      idx_d     = idx_q;
      row_d     = row_q;
      addr_d    = addr_q;
      aovf_d    = aovf_q;
      sstride_d = sstride_q;
      line_d    = line_q;
      off_d     = off_q;
      pad_d     = pad_q;

      ar_valid_d = ar_valid_q;
      ar2_d      = ar2_q;
      ar_addr_d  = ar_addr_q;
      ar_len_d   = ar_len_q;
      ar2_len_d  = ar2_len_q;

      cmd_ready_o      = (state_q == SIdle) && !err_q && !halt_i;
      tok_ex2ld_take_o = 1'b0;
      iss_push         = 1'b0;
      iss_kind         = KData;
      iss_err          = 1'b0;
      iss_err_code     = ErrIllegalField;

      // AR stage: a handshake moves to the second burst of a split row or empties the stage
      if (ar_valid_q && ar_ready_i) begin
        if (ar2_q) begin
          ar2_d     = 1'b0;
          ar_addr_d = {ar_addr_q[31:12] + 20'd1, 12'h000};
          ar_len_d  = ar2_len_q;
        end else begin
          ar_valid_d = 1'b0;
        end
      end

      case (state_q)
        SIdle: begin
          if (cmd_valid_i && cmd_ready_o && cmd_illegal) begin
            iss_err      = 1'b1;
            iss_err_code = ErrIllegalField;
          end else if (cmd_valid_i && cmd_ready_o) begin
            state_d   = c_wait ? SWait : SRows;
            sig_d     = c_sig;
            tgt_d     = c_tgt;
            rows_d    = c_rows;
            n_d       = c_n;
            dstride_d = c_dstride;
            pb_d      = c_pb;
            pa_d      = c_pa;
            idx_d     = cmd_idx_i;
            row_d     = 16'd0;
            addr_d    = c_src;
            aovf_d    = 1'b0;
            sstride_d = c_sstride;
            line_d    = 32'(c_line);
            off_d     = c_off;
            pad_d     = c_pad;
          end
        end

        SWait: begin
          if (halt_i || err_q) begin
            state_d = SIdle;
          end else if (tok_ex2ld_avail_i) begin
            tok_ex2ld_take_o = 1'b1;
            state_d          = SRows;
          end
        end

        SRows: begin
          if (halt_i || err_q) begin
            // abandon the command: no further row is issued, nothing is given for it
            state_d = SIdle;
          end else if (rows_q == 16'd0) begin
            if (!sig_q) begin
              state_d = SIdle;
            end else if (mf_ready && !wr_err_now) begin
              iss_push = 1'b1;
              iss_kind = KToken;
              state_d  = SIdle;
            end
          end else if (line_bad) begin
            iss_err      = 1'b1;
            iss_err_code = range_err;
            state_d      = SIdle;
          end else if (!row_pad && win_bad) begin
            iss_err      = 1'b1;
            iss_err_code = ErrDmaWindow;
            state_d      = SIdle;
          end else if (mf_ready && !wr_err_now && (row_pad || ar_free)) begin
            iss_push = 1'b1;
            iss_kind = row_pad ? KPad : KData;
            if (!row_pad) begin
              ar_valid_d = 1'b1;
              ar_addr_d  = {addr_q[31:LgBB], LgBB'(0)};
              ar2_d      = page_cross;
              ar_len_d   = page_cross ? 8'(beats_first - 13'd1) : 8'(beats_total - 17'd1);
              ar2_len_d  = 8'(beats_total - 17'(beats_first) - 17'd1);
            end
            row_d  = row_q + 16'd1;
            addr_d = addr_next[31:0];
            aovf_d = aovf_q || addr_next[32];
            line_d = line_q + 32'(dstride_q);
            if (row_last) state_d = SIdle;
          end
        end

        default: state_d = SIdle;
      endcase
    end

    assign mf_push     = iss_push;
    assign ar_valid_o  = ar_valid_q;
    assign ar_addr_o   = ar_addr_q;
    assign ar_len_o    = ar_len_q;
    assign stall_dep_o = (state_q == SWait) && !tok_ex2ld_avail_i && !halt_i && !err_q;

    // ---------------------------------------------------------------------------------------
    // Metadata FIFO: one entry per row (or per token-only command) between issue and write
    // ---------------------------------------------------------------------------------------
    systole_fifo #(
      .Width (MetaW),
      .Depth (ReadsInFlight)
    ) u_meta_fifo (
      .clk_i   (clk_i),
      .rst_ni  (rst_ni),
      .valid_i (mf_push),
      .ready_o (mf_ready),
      .wdata_i (mf_wdata),
      .valid_o (mf_valid),
      .ready_i (mf_pop),
      .rdata_o (mf_rdata),
      .count_o (unused_mf_count)
    );

    // ---------------------------------------------------------------------------------------
    // Write side
    // ---------------------------------------------------------------------------------------
    logic [1:0]       h_kind, h_tgt;
    logic             h_sig;
    logic [15:0]      h_line, h_idx;
    logic [BeatW-1:0] h_beats;
    logic [LgBB-1:0]  h_first;
    logic [7:0]       h_off, h_pad;
    logic [NW-1:0]    h_n;

    assign h_idx   = mf_rdata[MIdx +: 16];
    assign h_pad   = mf_rdata[MPad +: 8];
    assign h_n     = mf_rdata[MN +: NW];
    assign h_off   = mf_rdata[MOff +: 8];
    assign h_first = mf_rdata[MFirst +: LgBB];
    assign h_beats = mf_rdata[MBeats +: BeatW];
    assign h_line  = mf_rdata[MLine +: 16];
    assign h_tgt   = mf_rdata[MTgt +: 2];
    assign h_sig   = mf_rdata[MSig];
    assign h_kind  = mf_rdata[MKind +: 2];

    logic stg_fire;    // the staged write (if any) happens this cycle
    logic adv_ok;      // the write stage can take a new row this cycle
    logic beat_take, beat_last, beat_bad, row_done, row_we, row_give, fill_pad, beat_wr;

    // a staged write waits while its target's port is taken by a higher-priority writer
    assign stg_fire  = stg_valid_q && (!(stg_we_q && (stg_tgt_q == TgtAcc)) || acc_wready_i) &&
                       (!(stg_we_q && (stg_tgt_q == TgtSpad)) || spad_wready_i);
    assign adv_ok    = !stg_valid_q || stg_fire;
    assign r_ready_o = mf_valid && (h_kind == KData) && adv_ok;
    assign beat_take = r_valid_i && r_ready_o;
    assign beat_last = (beat_q == h_beats - BeatW'(1));
    assign beat_bad  = (r_resp_i != 2'b00);
    assign wr_err_now = beat_take && beat_bad && !err_q;
    assign beat_wr   = beat_take && !err_q;  // beats are discarded after an error

    always_comb begin
      beat_d      = beat_q;
      mf_pop      = 1'b0;
      row_done    = 1'b0;
      row_we      = 1'b0;
      row_give    = 1'b0;
      fill_pad    = 1'b0;
      if (mf_valid && adv_ok) begin
        case (h_kind)
          KData: begin
            if (beat_take) begin
              if (beat_last) begin
                beat_d   = '0;
                mf_pop   = 1'b1;
                row_done = 1'b1;
                row_we   = !err_q && !beat_bad;
                row_give = !err_q && !beat_bad && h_sig;
              end else begin
                beat_d = beat_q + BeatW'(1);
              end
            end
          end
          KPad: begin
            mf_pop   = 1'b1;
            row_done = 1'b1;
            row_we   = !err_q;
            row_give = !err_q && h_sig;
            fill_pad = !err_q;
          end
          default: begin  // KToken
            mf_pop   = 1'b1;
            row_done = 1'b1;
            row_give = !err_q && h_sig;
          end
        endcase
      end

      stg_valid_d = stg_valid_q && !stg_fire;
      stg_we_d    = stg_we_q;
      stg_give_d  = stg_give_q;
      stg_tgt_d   = stg_tgt_q;
      stg_line_d  = stg_line_q;
      if (row_done && (row_we || row_give)) begin
        stg_valid_d = 1'b1;
        stg_we_d    = row_we;
        stg_give_d  = row_give;
        stg_tgt_d   = h_tgt;
        stg_line_d  = h_line;
      end
    end

    assign stall_mem_o = mf_valid && (h_kind == KData) && !r_valid_i;

    // Beat placement. Row byte j sits at bus byte (first + j) of the row's beats and goes to
    // line byte (off + j), so beat k, byte p lands on line byte D + k*BusBytes + p with
    // D = off - first. With D' = D + BusBytes >= 0: the beat is rotated left by D' mod BusBytes
    // lanes once, its upper lanes (>= rot) go to slot D'/BusBytes + k - 1 and its lower lanes to
    // the next slot. Bytes that fall outside the row are masked off by the line write.
    logic [15:0]     wd_dp, wd_slot;    // D' and the (slot + 1) of the beat's upper lanes
    logic [LgBB-1:0] wd_rot;
    logic [BW-1:0]   rot_word, hi_bits;
    logic [BufB*8-1:0] buf_flat;

    assign wd_dp    = 16'(h_off) + 16'(BusBytes) - 16'(h_first);
    assign wd_rot   = wd_dp[LgBB-1:0];
    assign wd_slot  = (wd_dp >> LgBB) + 16'(beat_q);
    assign rot_word = (r_data_i << {wd_rot, 3'b000}) |
                      (r_data_i >> (32'(BW) - 32'({wd_rot, 3'b000})));

    for (genvar l = 0; l < BusBytes; l++) begin : g_lane
      assign hi_bits[l*8 +: 8] = {8{32'(l) >= 32'(wd_rot)}};
    end

    // Line buffer, one bus word per slot. Wide data path: no reset (the contents only matter
    // under the byte mask of a staged write) and written only on a taken beat or padded row.
    for (genvar s = 0; s < Slots; s++) begin : g_slot
      logic [BW-1:0] word_q;
      always_ff @(posedge clk_i) begin
        if (fill_pad) begin
          word_q <= {BusBytes{h_pad}};
        end else if (beat_wr && (wd_slot == 16'(s + 1))) begin
          word_q <= (word_q & ~hi_bits) | (rot_word & hi_bits);
        end else if (beat_wr && (wd_slot == 16'(s))) begin
          word_q <= (word_q & hi_bits) | (rot_word & ~hi_bits);
        end
      end
      assign buf_flat[s*BW +: BW] = word_q;
    end

    // Byte mask of the staged write: bytes [off, off+n). Wide data path, computed only when a
    // row completes, no reset (only used under stg_we_q).
    always_ff @(posedge clk_i) begin
      if (row_done && row_we) begin
        stg_mask_q <= BufB'((((BufB+1)'(1) << (32'(h_off) + 32'(h_n))) - (BufB+1)'(1)) &
                            ~(((BufB+1)'(1) << h_off) - (BufB+1)'(1)));
      end
    end

    assign spad_we_o    = stg_valid_q && stg_we_q && (stg_tgt_q == TgtSpad);
    assign acc_we_o     = stg_valid_q && stg_we_q && (stg_tgt_q == TgtAcc);
    assign qp_we_o      = stg_valid_q && stg_we_q && (stg_tgt_q == TgtQp);
    assign spad_waddr_o = stg_line_q;
    assign acc_waddr_o  = stg_line_q;
    assign qp_waddr_o   = stg_line_q;
    assign spad_wdata_o = buf_flat[SpadLB*8-1:0];
    assign acc_wdata_o  = buf_flat[AccLB*8-1:0];
    assign qp_wdata_o   = buf_flat[QpLB*8-1:0];
    assign spad_wmask_o = stg_mask_q[SpadLB-1:0];
    assign acc_wmask_o  = stg_mask_q[AccLB-1:0];
    assign qp_wmask_o   = stg_mask_q[QpLB-1:0];

    assign tok_ld2ex_give_o = stg_fire && stg_give_q && !err_q;

    // ---------------------------------------------------------------------------------------
    // Errors (first one wins; a write-side error belongs to an earlier row than an issue-side
    // error raised in the same cycle)
    // ---------------------------------------------------------------------------------------
    always_comb begin
      err_d      = err_q;
      err_code_d = err_code_q;
      err_idx_d  = err_idx_q;
      if (!err_q) begin
        if (wr_err_now) begin
          err_d      = 1'b1;
          err_code_d = ErrAxiRd;
          err_idx_d  = h_idx;
        end else if (iss_err) begin
          err_d      = 1'b1;
          err_code_d = iss_err_code;
          err_idx_d  = (state_q == SIdle) ? cmd_idx_i : idx_q;
        end
      end
    end

    assign err_o      = err_q;
    assign err_code_o = err_code_q;
    assign err_idx_o  = err_idx_q;
    assign busy_o     = (state_q != SIdle) || mf_valid || ar_valid_q || stg_valid_q;

    // ---------------------------------------------------------------------------------------
    // Registers
    // ---------------------------------------------------------------------------------------
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        state_q     <= SIdle;
        sig_q       <= 1'b0;
        tgt_q       <= 2'd0;
        rows_q      <= '0;
        n_q         <= '0;
        dstride_q   <= '0;
        pb_q        <= '0;
        pa_q        <= '0;
        idx_q       <= '0;
        row_q       <= '0;
        addr_q      <= '0;
        aovf_q      <= 1'b0;
        sstride_q   <= '0;
        line_q      <= '0;
        off_q       <= '0;
        pad_q       <= '0;
        err_q       <= 1'b0;
        err_code_q  <= '0;
        err_idx_q   <= '0;
        ar_valid_q  <= 1'b0;
        ar2_q       <= 1'b0;
        ar_addr_q   <= '0;
        ar_len_q    <= '0;
        ar2_len_q   <= '0;
        beat_q      <= '0;
        stg_valid_q <= 1'b0;
        stg_we_q    <= 1'b0;
        stg_give_q  <= 1'b0;
        stg_tgt_q   <= 2'd0;
        stg_line_q  <= '0;
      end else begin
        state_q     <= state_d;
        sig_q       <= sig_d;
        tgt_q       <= tgt_d;
        rows_q      <= rows_d;
        n_q         <= n_d;
        dstride_q   <= dstride_d;
        pb_q        <= pb_d;
        pa_q        <= pa_d;
        idx_q       <= idx_d;
        row_q       <= row_d;
        addr_q      <= addr_d;
        aovf_q      <= aovf_d;
        sstride_q   <= sstride_d;
        line_q      <= line_d;
        off_q       <= off_d;
        pad_q       <= pad_d;
        err_q       <= err_d;
        err_code_q  <= err_code_d;
        err_idx_q   <= err_idx_d;
        ar_valid_q  <= ar_valid_d;
        ar2_q       <= ar2_d;
        ar_addr_q   <= ar_addr_d;
        ar_len_q    <= ar_len_d;
        ar2_len_q   <= ar2_len_d;
        beat_q      <= beat_d;
        stg_valid_q <= stg_valid_d;
        stg_we_q    <= stg_we_d;
        stg_give_q  <= stg_give_d;
        stg_tgt_q   <= stg_tgt_d;
        stg_line_q  <= stg_line_d;
      end
    end

`ifndef SYNTHESIS
    always_ff @(posedge clk_i) begin
      if (rst_ni) begin
        assert (!(r_valid_i && !mf_valid))
          else $error("systole_ld: R beat with no row outstanding");
        assert (!(mf_valid && h_kind == KData && h_beats == '0))
          else $error("systole_ld: data row with zero beats");
        assert (!(ar_valid_q && !mf_valid))
          else $error("systole_ld: AR pending with no metadata entry");
      end
    end
`endif
  end

  // ---------------------------------------------------------------------------------------
  // Parameter checks
  // ---------------------------------------------------------------------------------------
  initial begin
    if (Rows < 1 || Cols < 1)
      $fatal(1, "systole_ld: Rows and Cols must be at least 1");
    if (MaxLB > 4096)
      $fatal(1, "systole_ld: line bytes (Rows, 16*Cols) must be at most 4096");
    if (AxiDataWidth < 32 || AxiDataWidth > 1024 || (AxiDataWidth & (AxiDataWidth - 1)) != 0)
      $fatal(1, "systole_ld: AxiDataWidth must be a power of two in 32..1024");
    if (MaxBeats > 256)
      $fatal(1, "systole_ld: a row must fit in 256 beats");
    if (SpadLines < 1 || SpadLines > 65536 || AccLines < 1 || AccLines > 65536 ||
        QParamLines < 1 || QParamLines > 65536)
      $fatal(1, "systole_ld: SpadLines, AccLines and QParamLines must be in 1..65536");
    if (ReadsInFlight < 2 || (ReadsInFlight & (ReadsInFlight - 1)) != 0)
      $fatal(1, "systole_ld: ReadsInFlight must be a power of two >= 2");
  end
endmodule
