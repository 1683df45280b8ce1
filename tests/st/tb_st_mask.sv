// Differential test of the serial ST engine's mask space (DmaAddrMask, docs/st.md): the
// engine with the board's mask against the full 32-bit one, on random STORE jobs whose
// window lies inside the mask space (rows in it, rows leaving it: DMA_WINDOW). Every write
// (address, strobe, byte) and the error code must agree. Built by tests/st/run.sh.
module tb_st_mask;
  localparam int Cols = 4;
  localparam logic [31:0] Mask = 32'h8001_FFFF;
`ifdef TB_BW
  localparam int BW = `TB_BW;   // AXI data bits (tests/*/run.sh: BW=32 for the board's)
`else
  localparam int BW = 64;
`endif
  logic clk = 0, rst_n = 0;
  always #1 clk = ~clk;

  logic [255:0] cmd;
  logic [31:0]  win_base, win_size;
  logic [Cols*32-1:0]  acc_line;
  logic [Cols*128-1:0] qp_line;
  logic go;

  // per DUT: 0 masked, 1 full
  logic        cmd_ready [2];
  logic        busy [2], err [2];
  logic [7:0]  err_code [2];
  logic        aw_valid [2], w_valid [2], b_ready [2];
  logic [31:0] aw_addr [2];
  logic [BW/8-1:0] w_strb [2];
  logic [BW-1:0]   w_data [2];
  logic        b_valid [2];
  logic        acc_re [2], qp_re [2];
  logic [15:0] acc_raddr [2], qp_raddr [2];
  logic        done [2];
  int          nw [2];
  logic [63:0] wlog [2][$];

  for (genvar d = 0; d < 2; d++) begin : g_dut
    logic [7:0]  b_pend;
    logic        dummy_unused;
    systole_st #(.Cols(Cols), .AccLines(64), .QParamLines(1), .AxiDataWidth(BW),
                 .SerialRequant(1), .TrkDepth(4), .SerialStore(1), .QpWords(0),
                 .DmaAddrMask(d == 0 ? Mask : 32'hFFFF_FFFF)) u_dut (
      .clk_i(clk), .rst_ni(rst_n),
      .cmd_valid_i(go && !done[d]), .cmd_ready_o(cmd_ready[d]), .cmd_i(cmd), .cmd_idx_i(16'd7),
      .tok_ex2st_avail_i(1'b1), .tok_ex2st_take_o(), .tok_st2ex_give_o(),
      .halt_i(1'b0), .busy_o(busy[d]), .err_o(err[d]), .err_code_o(err_code[d]), .err_idx_o(),
      .win_base_i(win_base), .win_size_i(win_size),
      .acc_re_o(acc_re[d]), .acc_rgnt_i(1'b1), .acc_raddr_o(acc_raddr[d]), .acc_rdata_i(acc_line),
      .qp_re_o(qp_re[d]), .qp_raddr_o(qp_raddr[d]), .qp_rdata_i(qp_line),
      .aw_valid_o(aw_valid[d]), .aw_ready_i(1'b1), .aw_addr_o(aw_addr[d]), .aw_len_o(),
      .w_valid_o(w_valid[d]), .w_ready_i(1'b1), .w_data_o(w_data[d]), .w_strb_o(w_strb[d]),
      .w_last_o(), .b_valid_i(b_valid[d]), .b_ready_o(b_ready[d]), .b_resp_i(2'b00),
      .stall_dep_o(), .stall_mem_o());
    // AW and W together (always ready), B one cycle later
    always_ff @(posedge clk) begin
      if (!rst_n) begin
        b_pend <= 0; b_valid[d] <= 0; done[d] <= 0;
      end else begin
        if (aw_valid[d]) begin
          if (!w_valid[d]) $fatal(1, "AW without W");
          wlog[d].push_back({aw_addr[d], 16'(w_strb[d]), 8'd0, w_data[d][8*$clog2(w_strb[d])+:8]});
        end
        b_pend <= b_pend + 8'(aw_valid[d]) - 8'(b_valid[d] && b_ready[d]);
        b_valid[d] <= (b_pend + 8'(aw_valid[d]) - 8'(b_valid[d] && b_ready[d])) != 0;
        if (go && cmd_ready[d]) done[d] <= 1;
        if (err[d]) done[d] <= 1;
      end
    end
  end

  function automatic logic [31:0] rnd_addr();   // inside the mask space
    logic [31:0] a;
    a = $urandom() & Mask;
    return a;
  endfunction

  initial begin
    int jobs, nerr, nout, nok;
    if (!$value$plusargs("jobs=%d", jobs)) jobs = 1000;
    nerr = 0; nout = 0; nok = 0;
    for (int j = 0; j < jobs; j++) begin
      logic [15:0] rows, chan, sstride;
      logic [31:0] dst, dstride, row;
      int mode;
      go = 0; rst_n = 0;
      for (int k = 0; k < Cols * 4; k++) acc_line[32*k +: 32] = $urandom();
      for (int k = 0; k < Cols * 4; k++) qp_line[32*k +: 32] = $urandom();
      for (int k = 0; k < Cols; k++) qp_line[128*k + 64 +: 32] = $urandom_range(0, 8) - 4;
      // window inside the mask space: in the low run or the high one
      win_size = $urandom_range(0, 3) == 0 ? $urandom() & 32'h1FFFF : $urandom_range(0, 256);
      win_base = rnd_addr();
      if (win_base[16:0] + win_size > 32'h20000) win_base[16:0] = 17'h20000 - 17'(win_size);
      rows = 16'($urandom_range(0, 4));
      chan = 16'($urandom_range(1, Cols));
      sstride = 16'($urandom_range(0, 2));
      mode = $urandom_range(0, 10);
      dst = win_base + $urandom_range(0, 64) - 8;
      if (mode == 0) dst = $urandom();                             // anywhere
      if (mode == 1) dst = win_base + win_size - $urandom_range(0, 20);   // near the end
      if (mode == 2) dst = {win_base[31], 14'($urandom()), 17'h1FFF0 + 17'($urandom_range(0, 15))};
      dstride = $urandom_range(0, 40);
      if (mode == 3) dstride = -$urandom_range(0, 40);
      if (mode == 4) dstride = $urandom();
      if (mode == 5) dstride = 32'h7FFE_0000 + $urandom_range(0, 64);
      if (mode == 6) begin win_base = 0; win_size = 32'h1FFFF; dst = 32'h1FFE0 + $urandom_range(0, 31); end
      // a window leaving the mask space (the packed window goes on into the high run): rows
      // crossing 0x20000 must be DMA_WINDOW in the masked engine; checked below
      if (mode == 10) begin
        win_base = 32'h1F000 + $urandom_range(0, 32'hF00); win_size = 32'h1FFFF;
        dst = 32'h1FFE0 + $urandom_range(0, 31);
      end
      if (mode == 7) begin
        win_base = 32'h8000_0000 + $urandom_range(0, 32'h1FFFF);
        win_size = 32'h8002_0000 - win_base;
        dst = win_base + $urandom_range(0, 64);
        if ($urandom_range(0, 1)) dst = 32'h8002_0000 - $urandom_range(0, 32);
      end
      cmd = '0;
      cmd[7:0] = 8'h02;
      cmd[12] = $urandom_range(0, 1);
      cmd[13] = $urandom_range(0, 1);
      cmd[31:16] = rows;
      cmd[63:32] = dst;
      cmd[95:64] = dstride;
      cmd[111:96] = chan;
      cmd[127:112] = 16'($urandom_range(0, 3));
      cmd[143:128] = sstride;
      cmd[159:144] = 0;
      wlog[0].delete(); wlog[1].delete();
      repeat (3) @(posedge clk);
      rst_n = 1;
      @(posedge clk);
      go = 1;
      for (int t = 0; !(done[0] && done[1]); t++) begin
        @(posedge clk);
        if (t > 20000) $fatal(1, "job %0d: timeout", j);
      end
      repeat (4) @(posedge clk);
      if (mode == 10) begin
        // masked: only writes inside the mask space, a prefix of the full engine's writes
        bit bad;
        bad = wlog[0].size() > wlog[1].size();
        for (int k = 0; k < wlog[0].size() && !bad; k++)
          bad = (wlog[0][k] != wlog[1][k]) || ((wlog[0][k][63:32] & ~Mask) != 0);
        if (!bad && wlog[0].size() < wlog[1].size() && !(err[0] && err_code[0] == 8'd6)) bad = 1;
        if (bad) begin
          $display("job %0d MISMATCH (leaving): dst %h writes %0d/%0d err %0d", j, dst,
                   wlog[0].size(), wlog[1].size(), err_code[0]);
          nerr++;
        end
        if (err[0] && err_code[0] == 8'd6) nout++; else nok++;
        continue;
      end
      if (err[0] !== err[1] || (err[0] && err_code[0] !== err_code[1]) || wlog[0] != wlog[1]) begin
        $display("job %0d MISMATCH: win %h+%h dst %h dstride %h rows %0d chan %0d raw %0d: err %0d/%0d code %0d/%0d writes %0d/%0d",
                 j, win_base, win_size, dst, dstride, rows, chan, cmd[12], err[0], err[1],
                 err_code[0], err_code[1], wlog[0].size(), wlog[1].size());
        for (int k = 0; k < wlog[0].size() || k < wlog[1].size(); k++)
          if (k < 8) $display("  %h %h", k < wlog[0].size() ? wlog[0][k] : 0, k < wlog[1].size() ? wlog[1][k] : 0);
        nerr++;
        if (nerr > 5) break;
      end
      if (err[0] && err_code[0] == 8'd6) nout++; else nok++;
    end
    $display("st mask diff: %0d jobs, %0d DMA_WINDOW, %0d other", jobs, nout, nok);
    $display("%0d passed, %0d failed", jobs - nerr, nerr);
    $finish;
  end
endmodule
