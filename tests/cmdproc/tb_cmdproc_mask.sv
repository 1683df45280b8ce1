// Differential test of the command processor's mask-space fetch (tests/cmdproc/run.sh):
// the board's configuration (QueueDepth = 0, FetchDepth = 1, CmdWords = 3, ArHold = 1)
// with DmaAddrMask = 32'h8001_FFFF against the same with the full 32-bit arithmetic, both
// driven by the same random inputs, every output compared every cycle. Ring and window
// lie inside the mask space (either run of mask bits, window end at most the run's top),
// where the two must agree exactly: slots past the top of the low run (a carry out of
// bit 16, or slot numbers from 4096 up) must give the same DMA_WINDOW error.
`timescale 1ns/1ps
module tb_cmdproc_mask;
  localparam logic [31:0] Mask = 32'h8001_FFFF;
`ifdef TB_BW
  localparam int BW = `TB_BW;   // AXI data bits (tests/*/run.sh: BW=32 for the board's)
`else
  localparam int BW = 64;
`endif
  localparam int Beats = 256 / BW;   // beats of a 32-byte command slot
  logic clk = 1'b0, rst_n = 1'b0;
  always #5 clk = ~clk;

  logic [31:0] ring_base, win_base, win_size;
  logic [15:0] ring_size, ring_tail;
  logic        ar_ready, r_valid, r_last;
  logic [BW-1:0] r_data;
  logic [1:0]  r_resp;
  logic        ld_rdy, ex_rdy, st_rdy;
  logic [11:0] tok;
  logic        ld_busy, ex_busy, st_busy, soft_halt;

  // every output of an instance, concatenated
  localparam int OW = 16 + 1 + 32 + 8 + 1 + 3 * (1 + 256 + 16) + 4 + 4 + 8 + 16 + 3 + 3;
  logic [OW-1:0] o_dut, o_ref;
  logic [31:0]   a_dut, a_ref;
  logic          v_dut, v_ref;

  `define CMDPROC_INST(NAME, MASKV, OUT, AADDR, AVALID) \
    logic [255:0] NAME``_ldc, NAME``_exc, NAME``_stc; \
    logic [15:0]  NAME``_ldi, NAME``_exi, NAME``_sti, NAME``_head, NAME``_eidx; \
    logic         NAME``_ldv, NAME``_exv, NAME``_stv, NAME``_rr; \
    logic [7:0]   NAME``_len, NAME``_ecode; \
    logic [3:0]   NAME``_av; \
    logic [3:0]   NAME``_st; \
    logic [2:0]   NAME``_irq, NAME``_pf; \
    systole_cmdproc #(.QueueDepth(0), .AxiDataWidth(BW), .FetchDepth(1), .CmdWords(3), \
                      .ArHold(1), .DmaAddrMask(MASKV)) NAME ( \
      .clk_i(clk), .rst_ni(rst_n), .ring_base_i(ring_base), .ring_size_i(ring_size), \
      .ring_tail_i(ring_tail), .ring_head_o(NAME``_head), .win_base_i(win_base), \
      .win_size_i(win_size), .ar_valid_o(AVALID), .ar_ready_i(ar_ready), .ar_addr_o(AADDR), \
      .ar_len_o(NAME``_len), .r_valid_i(r_valid), .r_ready_o(NAME``_rr), .r_data_i(r_data), \
      .r_resp_i(r_resp), .r_last_i(r_last), \
      .ld_cmd_valid_o(NAME``_ldv), .ld_cmd_ready_i(ld_rdy), .ld_cmd_o(NAME``_ldc), .ld_cmd_idx_o(NAME``_ldi), \
      .ex_cmd_valid_o(NAME``_exv), .ex_cmd_ready_i(ex_rdy), .ex_cmd_o(NAME``_exc), .ex_cmd_idx_o(NAME``_exi), \
      .st_cmd_valid_o(NAME``_stv), .st_cmd_ready_i(st_rdy), .st_cmd_o(NAME``_stc), .st_cmd_idx_o(NAME``_sti), \
      .tok_ld2ex_avail_o(NAME``_av[0]), .tok_ld2ex_take_i(tok[0]), .tok_ld2ex_give_i(tok[1]), \
      .tok_ex2ld_avail_o(NAME``_av[1]), .tok_ex2ld_take_i(tok[2]), .tok_ex2ld_give_i(tok[3]), \
      .tok_ex2st_avail_o(NAME``_av[2]), .tok_ex2st_take_i(tok[4]), .tok_ex2st_give_i(tok[5]), \
      .tok_st2ex_avail_o(NAME``_av[3]), .tok_st2ex_take_i(tok[6]), .tok_st2ex_give_i(tok[7]), \
      .ld_err_i(1'b0), .ld_err_code_i(8'd0), .ld_err_idx_i(16'd0), \
      .ex_err_i(1'b0), .ex_err_code_i(8'd0), .ex_err_idx_i(16'd0), \
      .st_err_i(1'b0), .st_err_code_i(8'd0), .st_err_idx_i(16'd0), \
      .ld_busy_i(ld_busy), .ex_busy_i(ex_busy), .st_busy_i(st_busy), .soft_halt_i(soft_halt), \
      .halt_o(NAME``_st[0]), .busy_o(NAME``_st[1]), .idle_o(NAME``_st[2]), .error_o(NAME``_st[3]), \
      .err_code_o(NAME``_ecode), .err_idx_o(NAME``_eidx), .irq_idle_set_o(NAME``_irq[0]), \
      .irq_error_set_o(NAME``_irq[1]), .irq_cmd_set_o(NAME``_irq[2]), .stall_fetch_o(NAME``_pf[0]), \
      .stall_queue_o(NAME``_pf[1]), .cmd_dispatched_o(NAME``_pf[2])); \
    assign OUT = {NAME``_head, AVALID, AVALID ? AADDR : 32'd0, NAME``_len, NAME``_rr, \
                  NAME``_ldv, NAME``_ldc, NAME``_ldi, NAME``_exv, NAME``_exc, NAME``_exi, \
                  NAME``_stv, NAME``_stc, NAME``_sti, NAME``_av, NAME``_st, NAME``_ecode, \
                  NAME``_eidx, NAME``_irq, NAME``_pf};

  `CMDPROC_INST(u_dut, Mask, o_dut, a_dut, v_dut)
  `CMDPROC_INST(u_ref, 32'hFFFF_FFFF, o_ref, a_ref, v_ref)

  // read data: a random command per slot (opcodes mostly valid), beats after the AR
  int unsigned pend, beat;
  int unsigned n_fetch, n_err, n_mismatch, n_outms;
  int unsigned jobs;

  // an address range [b, b+s) inside one run of the mask space, 32-byte aligned mostly
  task automatic pick_in(output logic [31:0] b, output logic [31:0] s, input bit near_top);
    logic [31:0] hi = ($urandom_range(0, 1) != 0) ? 32'h8000_0000 : 32'h0;
    logic [31:0] lo, sz;
    lo = near_top ? 32'h0002_0000 - 32'($urandom_range(1, 64)) * 32 : 32'($urandom_range(0, 32'h1_FFFF));
    if ($urandom_range(0, 3) != 0) lo = lo & ~32'h1F;
    sz = 32'($urandom_range(0, 32'h2_0000 - lo));
    b = hi | lo;
    s = sz;
  endtask

  int n_ar = 0, n_win = 0, n_mm = 0;
  // compared at the clock edge (inputs change after the falling edge)
  always @(posedge clk) begin
    if (rst_n && v_ref && ar_ready) n_ar = n_ar + 1;
    if (rst_n && o_dut != o_ref) begin
      n_mm = n_mm + 1;
      if (n_mm < 10)
        $display("MISMATCH: ring %h win %h+%h size %0d tail %0d: dut ar %b %h err %b/%h/%h, ref ar %b %h err %b/%h/%h",
                 ring_base, win_base, win_size, ring_size, ring_tail,
                 v_dut, a_dut, u_dut_st[3], u_dut_ecode, u_dut_eidx,
                 v_ref, a_ref, u_ref_st[3], u_ref_ecode, u_ref_eidx);
    end
  end

  initial begin
    if (!$value$plusargs("jobs=%d", jobs)) jobs = 400;
    n_fetch = 0; n_err = 0; n_mismatch = 0; n_outms = 0;
    {ring_base, win_base, win_size, ring_size, ring_tail} = '0;
    {ar_ready, r_valid, r_last, r_data, r_resp, ld_rdy, ex_rdy, st_rdy, tok} = '0;
    {ld_busy, ex_busy, st_busy, soft_halt} = '0;
    pend = 0; beat = 0;
    for (int j = 0; j < int'(jobs); j++) begin
      logic [31:0] rb, rs, wb, ws;
      bit near = ($urandom_range(0, 2) == 0);
      rst_n = 1'b0;
      pend = 0; beat = 0; r_valid = 1'b0; r_last = 1'b0;
      @(negedge clk);
      // the ring: inside the window mostly, sometimes anywhere in the mask space
      pick_in(wb, ws, near);
      if ($urandom_range(0, 3) != 0 && ws >= 32) begin
        rb = (wb + 32'($urandom_range(0, ws - 32))) & ~32'h1F;
      end else begin
        pick_in(rb, rs, near);
        if ($urandom_range(0, 7) != 0) rb = rb & ~32'h1F;
      end
      // a window of a whole run (a slot past its top would wrap into it if not caught)
      if ($urandom_range(0, 7) == 0) begin
        wb = ($urandom_range(0, 1) != 0) ? 32'h8000_0000 : 32'h0;
        ws = 32'h2_0000;
        rb = wb | ((32'h2_0000 - 32'($urandom_range(1, 4)) * 32));
      end
      ring_base = rb; win_base = wb; win_size = ws;
      ring_size = 16'($urandom_range(1, 8)) << ($urandom_range(0, 1) != 0 ? 0 : 12);
      if ($urandom_range(0, 9) == 0) ring_size = 16'($urandom_range(0, 65535));
      ring_tail = 16'd0;
      @(negedge clk);
      rst_n = 1'b1;
      @(negedge clk);
      @(negedge clk);
      ring_tail = (ring_size > 1) ? 16'($urandom_range(1, ring_size - 1)) : 16'd0;
      if ($urandom_range(0, 15) == 0) ring_tail = 16'($urandom_range(0, 65535));
      for (int c = 0; c < 300; c++) begin
        ar_ready = ($urandom_range(0, 3) != 0);
        ld_rdy = ($urandom_range(0, 1) != 0);
        ex_rdy = ($urandom_range(0, 1) != 0);
        st_rdy = ($urandom_range(0, 1) != 0);
        tok = 12'd0;   // no token traffic (an overflow would end every job early)
        {ld_busy, ex_busy, st_busy} = 3'($urandom_range(0, 7)) & 3'($urandom_range(0, 7));
        // R beats of the one slot in flight (Beats beats of BW bits)
        r_valid = 1'b0; r_last = 1'b0;
        if (pend != 0 && $urandom_range(0, 2) != 0) begin
          r_valid = 1'b1;
          // mostly clean commands with no other fields (NOP, FENCE, LOAD, MATMUL, STORE,
          // IRQ), now and then garbage (an illegal command ends the job)
          r_data = '0;
          if (beat == 0) begin
            case ($urandom_range(0, 7))
              0, 1, 2: r_data[7:0] = 8'h07;
              3:       r_data[7:0] = 8'h05;
              4:       r_data[7:0] = 8'h01;
              5:       r_data[7:0] = 8'h03;
              6:       r_data[7:0] = 8'h02;
              default: r_data[7:0] = 8'h06;
            endcase
          end
          if ($urandom_range(0, 299) == 0) r_data = BW'({$urandom, $urandom});
          r_resp = ($urandom_range(0, 199) == 0) ? 2'b10 : 2'b00;
          r_last = (beat == Beats - 1);
        end
        #1;
        if (v_ref && ar_ready) begin
          n_fetch++;
          if ((a_ref & ~Mask) != 0) n_outms++;   // never: such a slot is outside the window
        end
        @(posedge clk);
        if (v_ref && ar_ready) begin pend++; end
        if (r_valid) begin
          if (r_last) begin beat = 0; pend--; end else beat++;
        end
        @(negedge clk);
        // more work now and then
        if ($urandom_range(0, 31) == 0 && ring_size != 0)
          ring_tail = 16'((32'(ring_tail) + $urandom_range(1, 3)) % ring_size);
      end
      if (u_ref_st[3]) n_err++;
      if (u_ref_st[3] && u_ref_ecode == 8'd6) n_win++;
      if (j < 0) $display("job %0d: ring %h win %h+%h size %0d tail %0d head %0d err %b code %h idx %0d", j, ring_base, win_base, win_size, ring_size, ring_tail, u_ref_head, u_ref_st[3], u_ref_ecode, u_ref_eidx);
    end
    $display("cmdproc mask test: %0d jobs, %0d slots fetched, %0d jobs ended in an error (%0d DMA_WINDOW), %0d fetches outside the mask space, %0d mismatching cycles",
             jobs, n_ar, n_err, n_win, n_outms, n_mm);
    if (n_mm != 0 || n_outms != 0) $fatal(1, "FAIL");
    $display("PASS");
    $finish;
  end
endmodule
