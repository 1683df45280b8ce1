// Differential testbench for the LD engine: the serial engine (LdSerial = 1) and a
// reference engine (by default the pipelined one in the same file, LdSerial = 0; with
// +define+REF_MOD=... +define+REF_SERIAL=1 any other build, e.g. an earlier serial engine
// renamed) run the same random jobs of up to six LOADs (every target, illegal fields,
// padding, strides 0 ... 2^32-16, rows at the edges of the window, of 4 KiB pages and of
// the address space, destination lines near and past the end, WAIT_NEXT/SIG_NEXT,
// injected read errors) against an in-order AXI read model with random latency and
// valid/ready gaps and randomly busy write ports. A job passes when both engines report
// the same error (code and command; the pipelined engine may report a later row's
// issue-side error before an earlier row's read error) and, without an error, give and
// take the same tokens, pop the same commands and leave the three targets identical. With
// REF_SERIAL = 1 all of it is compared after errors too (two serial engines write the
// same rows and report the same first error). With +define+DUT_MASK=... (tests/ld/run.sh
// with MASK=...) the engine under test gets that DmaAddrMask and the reference does not:
// the windows then lie inside the mask space (base + size at most its top), padded rows
// before the first data row stay inside it (the engine's "outside" flag is sticky), and
// one job in eight starts with a clean command whose rows leave the mask space, which
// must give DMA_WINDOW for command 0. Run by tests/ld/run.sh.
`ifndef REF_MOD
`define REF_MOD systole_ld
`endif
`ifndef REF_SERIAL
`define REF_SERIAL 0
`endif
`ifndef DUT_MASK
`define DUT_MASK 32'hFFFF_FFFF
`endif

module ld_harness #(
  parameter int Serial = 1,   // 1: the engine under test; 0: the reference
  parameter int NCmd   = 6,
  parameter logic [31:0] DutMask = 32'hFFFF_FFFF   // DmaAddrMask of the engine under test
) (
  input  logic         clk,
  input  logic         rst_n,
  input  logic [NCmd-1:0][255:0] cmds,
  input  int           ncmds,
  input  logic [31:0]  win_base,
  input  logic [31:0]  win_size,
  input  logic [31:0]  bad_lo,       // R beats with an address in [bad_lo, bad_hi): SLVERR
  input  logic [31:0]  bad_hi,
  output logic         done,
  output logic         err,
  output logic [7:0]   err_code,
  output logic [15:0]  err_idx,
  output int           gives,
  output int           takes,
  output int           pops
);
  localparam int Rows = 4, Cols = 4, SpadLines = 512, AccLines = 256, QpLines = 1;
`ifdef TB_BW
  localparam int BW = `TB_BW;   // AXI data bits (tests/*/run.sh: BW=32 for the board's)
`else
  localparam int BW = 64;
`endif

  logic cmd_valid, cmd_ready, take, give, busy, halt;
  logic [15:0] cmd_idx;
  logic ar_valid, ar_ready, r_valid, r_ready, r_last;
  logic [31:0] ar_addr;
  logic [7:0]  ar_len;
  logic [BW-1:0] r_data;
  logic [1:0]  r_resp;
  logic spad_we, spad_wready, acc_we, acc_wready, qp_we;
  logic [15:0] spad_waddr, acc_waddr, qp_waddr;
  logic [Rows*8-1:0] spad_wdata;  logic [Rows-1:0]    spad_wmask;
  logic [Cols*32-1:0] acc_wdata;  logic [Cols*4-1:0]  acc_wmask;
  logic [Cols*128-1:0] qp_wdata;  logic [Cols*16-1:0] qp_wmask;
  logic tok_avail, stall_dep, stall_mem;

  int k;  // queue head
  assign cmd_valid = (k < ncmds) && !halt;
  assign cmd_idx   = 16'(k + 100);
  assign halt      = err;             // cmdproc halts on an error

  if (Serial != 0) begin : g_dut
    systole_ld #(.Rows(Rows), .Cols(Cols), .SpadLines(SpadLines), .AccLines(AccLines),
                 .QParamLines(QpLines), .AxiDataWidth(BW), .ReadsInFlight(4), .LdSerial(1),
                 .DmaAddrMask(DutMask)) u (
      .clk_i(clk), .rst_ni(rst_n), .cmd_valid_i(cmd_valid), .cmd_ready_o(cmd_ready),
      .cmd_i(cmds[(k < ncmds) ? k : 0]), .cmd_idx_i(cmd_idx), .tok_ex2ld_avail_i(tok_avail),
      .tok_ex2ld_take_o(take), .tok_ld2ex_give_o(give), .halt_i(halt), .busy_o(busy),
      .err_o(err), .err_code_o(err_code), .err_idx_o(err_idx), .win_base_i(win_base),
      .win_size_i(win_size), .ar_valid_o(ar_valid), .ar_ready_i(ar_ready),
      .ar_addr_o(ar_addr), .ar_len_o(ar_len), .r_valid_i(r_valid), .r_ready_o(r_ready),
      .r_data_i(r_data), .r_resp_i(r_resp), .r_last_i(r_last), .spad_we_o(spad_we),
      .spad_wready_i(spad_wready), .spad_waddr_o(spad_waddr), .spad_wdata_o(spad_wdata),
      .spad_wmask_o(spad_wmask), .acc_we_o(acc_we), .acc_wready_i(acc_wready),
      .acc_waddr_o(acc_waddr), .acc_wdata_o(acc_wdata), .acc_wmask_o(acc_wmask),
      .qp_we_o(qp_we), .qp_waddr_o(qp_waddr), .qp_wdata_o(qp_wdata), .qp_wmask_o(qp_wmask),
      .stall_dep_o(stall_dep), .stall_mem_o(stall_mem));
  end else begin : g_ref
    `REF_MOD #(.Rows(Rows), .Cols(Cols), .SpadLines(SpadLines), .AccLines(AccLines),
               .QParamLines(QpLines), .AxiDataWidth(BW), .ReadsInFlight(4),
               .LdSerial(`REF_SERIAL)) u (
      .clk_i(clk), .rst_ni(rst_n), .cmd_valid_i(cmd_valid), .cmd_ready_o(cmd_ready),
      .cmd_i(cmds[(k < ncmds) ? k : 0]), .cmd_idx_i(cmd_idx), .tok_ex2ld_avail_i(tok_avail),
      .tok_ex2ld_take_o(take), .tok_ld2ex_give_o(give), .halt_i(halt), .busy_o(busy),
      .err_o(err), .err_code_o(err_code), .err_idx_o(err_idx), .win_base_i(win_base),
      .win_size_i(win_size), .ar_valid_o(ar_valid), .ar_ready_i(ar_ready),
      .ar_addr_o(ar_addr), .ar_len_o(ar_len), .r_valid_i(r_valid), .r_ready_o(r_ready),
      .r_data_i(r_data), .r_resp_i(r_resp), .r_last_i(r_last), .spad_we_o(spad_we),
      .spad_wready_i(spad_wready), .spad_waddr_o(spad_waddr), .spad_wdata_o(spad_wdata),
      .spad_wmask_o(spad_wmask), .acc_we_o(acc_we), .acc_wready_i(acc_wready),
      .acc_waddr_o(acc_waddr), .acc_wdata_o(acc_wdata), .acc_wmask_o(acc_wmask),
      .qp_we_o(qp_we), .qp_waddr_o(qp_waddr), .qp_wdata_o(qp_wdata), .qp_wmask_o(qp_wmask),
      .stall_dep_o(stall_dep), .stall_mem_o(stall_mem));
  end

  // ---- memory: byte A holds mbyte(A); in-order bursts with random latency and gaps ----
  function automatic logic [7:0] mbyte(input logic [31:0] a);
    logic [31:0] h;
    h = a * 32'h9e37_79b1;
    return h[23:16] ^ a[7:0];
  endfunction

  logic [31:0] q_addr [$];
  logic [7:0]  q_len  [$];
  int          q_time [$];
  int          now, beat;

  // a beat of the head burst, registered with its valid (it stays until taken)
  task automatic load_beat(input int bt);
    logic [31:0] a;
    a = q_addr[0] + 32'(bt * (BW / 8));
    for (int i = 0; i < BW / 8; i++) r_data[i*8 +: 8] <= mbyte(a + 32'(i));
    r_resp <= (a >= bad_lo && a < bad_hi) ? 2'b10 : 2'b00;
    r_last <= (bt == int'(q_len[0]));
  endtask

  // ---- targets ----------------------------------------------------------------------
  logic [7:0] spad [SpadLines][Rows];
  logic [7:0] acc  [AccLines][Cols*4];
  logic [7:0] qp   [QpLines][Cols*16];

  always @(posedge clk) begin
    if (!rst_n) begin
      k <= 0; gives <= 0; takes <= 0; pops <= 0; now <= 0; beat <= 0;
      q_addr.delete(); q_len.delete(); q_time.delete();
      r_valid <= 1'b0; r_last <= 1'b0; r_resp <= 2'b00; r_data <= '0; ar_ready <= 1'b0; spad_wready <= 1'b1; acc_wready <= 1'b1;
      tok_avail <= 1'b0;
      for (int l = 0; l < SpadLines; l++) for (int b = 0; b < Rows; b++) spad[l][b] = 8'h00;
      for (int l = 0; l < AccLines; l++) for (int b = 0; b < Cols*4; b++) acc[l][b] = 8'h00;
      for (int l = 0; l < QpLines; l++) for (int b = 0; b < Cols*16; b++) qp[l][b] = 8'h00;
    end else begin
      now <= now + 1;
      if (cmd_valid && cmd_ready) begin k <= k + 1; pops <= pops + 1; end
      if (give) gives <= gives + 1;
      if (take) begin
        takes <= takes + 1;
        assert (tok_avail) else $fatal(1, "token taken while not available");
      end
      tok_avail   <= ($urandom % 4) != 0;
      ar_ready    <= ($urandom % 3) != 0;
      spad_wready <= ($urandom % 5) != 0;
      acc_wready  <= ($urandom % 5) != 0;
      if (ar_valid && ar_ready) begin
        q_addr.push_back(ar_addr);
        q_len.push_back(ar_len);
        q_time.push_back(now + int'($urandom % 9));
        assert ((ar_addr & 32'(BW / 8 - 1)) == 32'd0) else $fatal(1, "unaligned AR");
        assert ((ar_addr & 32'hfff) + (32'(ar_len) + 1) * 32'(BW / 8) <= 32'h1000)
          else $fatal(1, "AR burst crosses 4 KiB: %h len %0d", ar_addr, ar_len);
      end
      // R: a beat stays valid until taken
      if (r_valid && r_ready) begin
        if (r_last) begin
          void'(q_addr.pop_front()); void'(q_len.pop_front()); void'(q_time.pop_front());
          beat <= 0;
          if (q_addr.size() != 0 && now >= q_time[0] && ($urandom % 4) != 0) begin
            r_valid <= 1'b1;
            load_beat(0);
          end else begin
            r_valid <= 1'b0;
          end
        end else begin
          beat <= beat + 1;
          r_valid <= ($urandom % 3) != 0;
          load_beat(beat + 1);
        end
      end else if (!r_valid) begin
        if (q_addr.size() != 0 && now >= q_time[0] && ($urandom % 4) != 0) begin
          r_valid <= 1'b1;
          load_beat(beat);
        end
      end
      if (spad_we && spad_wready) begin
        assert (spad_waddr < SpadLines) else $fatal(1, "spad line out of range");
        for (int b = 0; b < Rows; b++) if (spad_wmask[b]) spad[spad_waddr][b] = spad_wdata[b*8 +: 8];
      end
      if (acc_we && acc_wready) begin
        assert (acc_waddr < AccLines) else $fatal(1, "acc line out of range");
        for (int b = 0; b < Cols*4; b++) if (acc_wmask[b]) acc[acc_waddr][b] = acc_wdata[b*8 +: 8];
      end
      if (qp_we) begin
        assert (qp_waddr < QpLines) else $fatal(1, "qp line out of range");
        for (int b = 0; b < Cols*16; b++) if (qp_wmask[b]) qp[qp_waddr][b] = qp_wdata[b*8 +: 8];
      end
    end
  end

  // done: every command popped or an error, the engine idle, no read outstanding
  int quiet;
  always_ff @(posedge clk) begin
    if (!rst_n) quiet <= 0;
    else if (((k >= ncmds) || err) && !busy && q_addr.size() == 0 && !ar_valid) quiet <= quiet + 1;
    else quiet <= 0;
  end
  assign done = quiet > 8;
  logic err_q1;
  always @(posedge clk) begin
    err_q1 <= err;
    if (err && !err_q1 && $test$plusargs("verbose"))
      $display("  [%0d] serial %0d: error %0d at k %0d cmd %h", now, Serial, err_code, k, cmds[(k < ncmds) ? k : 0][191:0]);
  end

  logic unused;
  assign unused = ^{stall_dep, stall_mem};
endmodule

module tb_ld_diff;
  localparam int NCmd = 6;
  logic clk = 1'b0, rst_n = 1'b0;
  logic [NCmd-1:0][255:0] cmds;
  int ncmds;
  logic [31:0] win_base, win_size, bad_lo, bad_hi;
  logic done_a, done_b, err_a, err_b;
  logic [7:0] code_a, code_b;
  logic [15:0] idx_a, idx_b;
  int gives_a, gives_b, takes_a, takes_b, pops_a, pops_b;

  localparam logic [31:0] Mask = `DUT_MASK;
  localparam bit Masked = (Mask != 32'hFFFF_FFFF);
  // the mask's low run of ones (bits ML-1:0): the mask space is runs of 2^ML bytes
  function automatic int low_ones();
    int l = 0;
    while (l < 32 && Mask[l]) l++;
    return l;
  endfunction
  localparam int ML = low_ones();

  ld_harness #(.Serial(1), .NCmd(NCmd), .DutMask(Mask)) h_a (.clk, .rst_n, .cmds, .ncmds, .win_base,
    .win_size, .bad_lo, .bad_hi, .done(done_a), .err(err_a), .err_code(code_a),
    .err_idx(idx_a), .gives(gives_a), .takes(takes_a), .pops(pops_a));
  ld_harness #(.Serial(0), .NCmd(NCmd)) h_b (.clk, .rst_n, .cmds, .ncmds, .win_base,
    .win_size, .bad_lo, .bad_hi, .done(done_b), .err(err_b), .err_code(code_b),
    .err_idx(idx_b), .gives(gives_b), .takes(takes_b), .pops(pops_b));

  always #5 clk = ~clk;

  function automatic logic [31:0] rnd(input int lo, input int hi);
    return 32'(lo + int'($urandom % 32'(hi - lo + 1)));
  endfunction

  function automatic logic [255:0] gen_cmd(input logic [31:0] wb, input logic [31:0] ws,
                                            input logic clean);
    logic [255:0] c;
    logic [1:0] tgt;
    int lb, lines, n, rows, pb, pa;
    logic [31:0] src, ss;
    c = '0;
    tgt = ($urandom % 20 == 0 && !clean) ? 2'd3 : 2'(rnd(0, 2));
    lb    = (tgt == 0) ? 4 : (tgt == 1) ? 16 : 64;
    lines = (tgt == 0) ? 512 : (tgt == 1) ? 256 : 1;
    rows  = ($urandom % 8 == 0) ? int'(rnd(0, 20)) : int'(rnd(0, 5));
    n     = ($urandom % 15 == 0 && !clean) ? int'(rnd(0, 70)) : int'(rnd(1, lb));
    c[7:0]     = 8'h01;
    c[9]       = ($urandom % 4 == 0);
    c[11]      = ($urandom % 2 == 0);
    c[13:12]   = tgt;
    c[31:16]   = 16'(rows);
    // source: around the window's start or end, a 4 KiB boundary, or anywhere
    case (clean ? 9 : $urandom % 10)
      0: src = wb + rnd(0, 40) - 32'd20;
      1: src = wb + ws + rnd(0, 80) - 32'd70;
      2: src = (wb & ~32'hfff) + 32'h1000 - rnd(0, 70);
      3: src = $urandom;
      default: src = wb + ((ws > 32'd600) ? rnd(0, 300) : 32'd0);
    endcase
    case (clean ? 11 - 11 * int'($urandom % 8 == 0) : $urandom % 12)
      0: ss = 32'd0;
      1: ss = rnd(1, 80);
      2: ss = 32'h1000 - rnd(0, 8);
      3: ss = 32'h8000_0000;
      4: ss = 32'hffff_fff0 + rnd(0, 15);
      default: ss = rnd(1, 20);
    endcase
    c[63:32]   = src;
    c[95:64]   = ss;
    c[111:96]  = 16'(n);
    c[127:112] = clean ? 16'((lines > 40) ? rnd(0, lines - 41) : 0) :
                 ($urandom % 10 == 0) ? 16'(lines - int'(rnd(0, 6))) :
                 ($urandom % 12 == 0) ? 16'hfff0 + 16'(rnd(0, 15)) : 16'(rnd(0, lines - 1));
    c[143:128] = clean ? 16'((lines > 40) ? rnd(0, 1) : 0) : ($urandom % 10 == 0) ? 16'(rnd(0, 65535)) : 16'(rnd(0, 3));
    c[151:144] = ($urandom % 15 == 0 && !clean) ? 8'(rnd(0, 255)) :
                 (n <= lb) ? 8'(rnd(0, lb - n)) : 8'd0;
    c[159:152] = 8'($urandom);
    pb = ($urandom % 3 == 0) ? int'(rnd(0, rows)) : 0;
    pa = ($urandom % 3 == 0) ? int'(rnd(0, rows - pb)) : 0;
    if ($urandom % 12 == 0 && !clean) pa = pa + 1;
    if (Masked && pb > 0 && pb < rows) begin
      for (int i = 0; i < pb; i++) begin
        logic [63:0] a;
        a = 64'(src) + 64'(i) * 64'(ss);
        if (a[63:32] != 32'd0 || (a[31:0] & ~Mask) != 32'd0) pb = 0;
      end
    end
    c[175:160] = 16'(pb);
    c[191:176] = 16'(pa);
    return c;
  endfunction

  int jobs, fails, errs, t, outs;
  logic clean, verbose, outside;
  int by_code [8];
  initial begin
    jobs = 1000;
    if ($value$plusargs("jobs=%d", jobs)) ;
    verbose = $test$plusargs("verbose");
    fails = 0; errs = 0; outs = 0;
    for (int i = 0; i < 8; i++) by_code[i] = 0;
    for (int j = 0; j < jobs; j++) begin
      case ($urandom % 4)
        0: begin win_base = 32'hffff_ff00 - rnd(0, 64); win_size = rnd(64, 1024); end  // past 2^32
        1: begin win_base = 32'h0; win_size = 32'hffff_ffff; end
        2: begin win_base = $urandom & ~32'h3; win_size = rnd(1, 5000); end
        default: begin win_base = 32'h1000 * rnd(1, 100) - rnd(0, 100); win_size = rnd(100, 9000); end
      endcase
      ncmds = int'(rnd(1, NCmd));
      clean = ($urandom % 2 == 0);
      if (clean && win_size < 32'd2000) win_size = 32'd2000 + rnd(0, 100);
      outside = 1'b0;
      if (Masked) begin
        // a window inside one run of the mask space: a random choice of the upper mask
        // bits, then base + size at most the run's end (often exactly there)
        logic [31:0] run, lo;
        run = $urandom & Mask & ~((32'd1 << ML) - 32'd1);
        lo  = ($urandom % 4 == 0) ? 32'd0 : ($urandom % (32'd1 << ML)) & ~32'd3;
        if (clean && lo > (32'd1 << ML) - 32'd2200) lo = (32'd1 << ML) - 32'd2200;
        win_base = run | lo;
        case ($urandom % 3)
          0:       win_size = (32'd1 << ML) - lo;
          1:       win_size = rnd(1, 5000);
          default: win_size = rnd(100, 9000);
        endcase
        if (clean && win_size < 32'd2000) win_size = 32'd2000 + rnd(0, 100);
        if (win_size > (32'd1 << ML) - lo) win_size = (32'd1 << ML) - lo;
        outside = ($urandom % 8 == 0);
      end
      for (int i = 0; i < NCmd; i++) cmds[i] = gen_cmd(win_base, win_size, clean);
      if (outside) begin
        // command 0: clean, no padding, row 0 or row 1 outside the mask space
        cmds[0] = gen_cmd(win_base, win_size, 1'b1);
        cmds[0][175:160] = 16'd0;
        cmds[0][191:176] = 16'd0;
        if ($urandom % 2 == 0) begin
          cmds[0][31:16] = 16'(rnd(1, 4));
          cmds[0][63:32] = win_base | (32'd1 << ML);    // a bit outside the mask
        end else begin
          cmds[0][31:16] = 16'(rnd(2, 4));
          cmds[0][63:32] = win_base;
          cmds[0][95:64] = 32'd1 << ML;                 // row 1 leaves the mask space
        end
      end
      if ($urandom % 4 == 0 && !outside) begin
        bad_lo = cmds[0][63:32] + rnd(0, 64) - 32'd16;
        bad_hi = bad_lo + rnd(1, 16);
      end else begin
        bad_lo = 32'd0; bad_hi = 32'd0;
      end
      rst_n = 1'b0;
      repeat (3) @(posedge clk);
      rst_n = 1'b1;
      t = 0;
      while (!(done_a && done_b) && t < 20000) begin @(posedge clk); t++; end
      if (t >= 20000) begin
        $display("job %0d: timeout (a done %0d, b done %0d)", j, done_a, done_b);
        fails++;
      end else begin
        logic same;
        // (the pipelined engine pops a command when it takes it: after an error, pops
        // and tokens are compared only between two serial engines)
        same = (err_a == err_b) && (!err_a || (code_a == code_b && idx_a == idx_b));
        // the pipelined engine runs ahead: it may report a later row's issue-side error
        // (field, range, window) before an earlier row's read error returns
        if (`REF_SERIAL == 0 && err_a && err_b && code_a == 8'd7 && code_b != 8'd7 &&
            idx_b >= idx_a)
          same = 1'b1;
        if (!err_a || `REF_SERIAL != 0)
          same = same && (gives_a == gives_b) && (takes_a == takes_b) && (pops_a == pops_b);
        if (!err_a || `REF_SERIAL != 0) begin
          for (int l = 0; l < 512; l++) for (int b = 0; b < 4; b++)
            if (h_a.spad[l][b] != h_b.spad[l][b]) same = 1'b0;
          for (int l = 0; l < 256; l++) for (int b = 0; b < 16; b++)
            if (h_a.acc[l][b] != h_b.acc[l][b]) same = 1'b0;
          for (int b = 0; b < 64; b++) if (h_a.qp[0][b] != h_b.qp[0][b]) same = 1'b0;
        end
        if (outside) begin
          outs++;
          if (!(err_a && code_a == 8'd6 && idx_a == 16'd100)) begin
            same = 1'b0;
            $display("job %0d: row outside the mask space without DMA_WINDOW on command 0", j);
          end
        end
        if (err_a) begin errs++; by_code[code_a[2:0]]++; end
        if (!same || (err_a && verbose)) begin
          if (!same) fails++;
          $display("job %0d: %s err %0d/%0d code %0d/%0d idx %0d/%0d gives %0d/%0d takes %0d/%0d pops %0d/%0d",
                   j, same ? "error" : "MISMATCH", err_a, err_b, code_a, code_b, idx_a, idx_b, gives_a, gives_b,
                   takes_a, takes_b, pops_a, pops_b);
          $display("  window %h + %h, bad [%h, %h)", win_base, win_size, bad_lo, bad_hi);
          for (int i = 0; i < ncmds; i++) $display("  cmd %0d: %h", i, cmds[i][191:0]);
        end
      end
    end
    $display("tb_ld_diff: %0d jobs, %0d with an error (field %0d, range %0d/%0d/%0d, window %0d, read %0d), %0d failed",
             jobs, errs, by_code[2], by_code[3], by_code[4], by_code[5], by_code[6], by_code[7], fails);
    if (Masked) $display("tb_ld_diff: DmaAddrMask %h, %0d jobs leaving the mask space", Mask, outs);
    if (fails != 0) $fatal(1, "tb_ld_diff: FAIL");
    $finish;
  end
endmodule
