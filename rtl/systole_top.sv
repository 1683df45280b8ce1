// Systole accelerator top: CSRs, command processor, LD/EX/ST engines, on-chip memories.
//
// See docs/architecture.md for the block diagram, parameters, command encoding and errors.
// External interfaces: an AXI4-Lite slave for the CSRs, an AXI4 master for main memory
// (DMA and command fetch), and a level interrupt.
module systole_top #(
  parameter int Rows          = 8,      // PE rows: K per cycle, scratchpad line bytes
  parameter int Cols          = 8,      // PE columns: N per cycle, accumulator line int32s
  parameter int SpadBytes     = 65536,  // scratchpad bytes
  parameter int AccBytes      = 16384,  // accumulator bytes
  parameter int QParamLines   = 64,     // quantisation parameter table lines
  parameter int AxiDataWidth  = 64,     // AXI data bits: 32, 64 or 128
  parameter int AxiAddrWidth  = 32,     // AXI address bits (only 32 is supported)
  parameter int AxiIdWidth    = 2,      // AXI ID bits
  parameter int ReadsInFlight = 64,     // DMA load rows in flight
  parameter int WritesInFlight = 16,    // DMA store bursts awaiting their write response
  parameter int StoreRows     = 4,      // finished store rows buffered before the AXI writer
  parameter int QueueDepth    = 8,      // commands per queue (power of two; 0: no queues)
  parameter int FetchDepth    = 4,      // ring slots fetched ahead of dispatch (power of two)
  // Area options for small FPGA builds (docs/architecture.md, "Parameters"); the defaults
  // are the full chip.
  parameter int HasSoftmax    = 1,      // 1: softmax unit on square arrays; 0: no unit
  parameter int PerfFull      = 1,      // 0: only CYCLES, BUSY_CYCLES, DMA_*_BYTES, COMMANDS count
  parameter int UseIce40Dsp   = 0,      // 1: PE products on iCE40 SB_MAC16s, two per DSP, and
                                        //    the core's iCE40 area variants (docs/ex.md)
  parameter int SpadReadPorts = 2,      // 1: one scratchpad copy, EX weight/activation reads
                                        //    share its read port
  parameter int AccReadPorts  = 2,      // 1: one accumulator copy, ST reads when EX does not
  parameter int SerialRequant = 0,      // 1: one serial output-stage lane (no multipliers)
  parameter int LdSerial      = 0,      // 1: serial LD, one byte per cycle, two rows in flight
  // 1: the byte-serial ST engine (one channel at a time, one byte per write); follows
  // SerialRequant unless set
  parameter int SerialStore   = SerialRequant,
  parameter int CsrRam        = (PerfFull == 0) ? 1 : 0, // 1: CSR counters and read-back in one
                                        //    block RAM, multi-cycle CSR accesses
  // the bits of RING_BASE, WIN_BASE (DmaAddrMask) and WIN_SIZE (DmaSizeMask) that exist (the
  // others read 0): all by default; a system whose DMA memory is small keeps fewer (the
  // board: bit 31 and 16:0, its 64 KiB main memory at 0x8000_0000), which saves their
  // flip-flops and the window checks' logic on them
  parameter logic [31:0] DmaAddrMask = 32'hFFFF_FFFF,
  parameter logic [31:0] DmaSizeMask = 32'hFFFF_FFFF,
  // command ring slot index bits, 12..16: RING_SIZE/RING_TAIL keep this many (the others read
  // 0), so rings of at most 2^RingBits - 1 slots (the board: 12, its 64 KiB memory holds at
  // most 2048 slots); fewer saves the ring pointers' flip-flops and compares
  parameter int RingBits      = 16
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,

  // AXI4-Lite CSR slave
  input  logic [11:0]             s_axil_awaddr_i,
  input  logic                    s_axil_awvalid_i,
  output logic                    s_axil_awready_o,
  input  logic [31:0]             s_axil_wdata_i,
  input  logic [3:0]              s_axil_wstrb_i,
  input  logic                    s_axil_wvalid_i,
  output logic                    s_axil_wready_o,
  output logic [1:0]              s_axil_bresp_o,
  output logic                    s_axil_bvalid_o,
  input  logic                    s_axil_bready_i,
  input  logic [11:0]             s_axil_araddr_i,
  input  logic                    s_axil_arvalid_i,
  output logic                    s_axil_arready_o,
  output logic [31:0]             s_axil_rdata_o,
  output logic [1:0]              s_axil_rresp_o,
  output logic                    s_axil_rvalid_o,
  input  logic                    s_axil_rready_i,

  // AXI4 master to main memory (INCR bursts only)
  output logic [AxiIdWidth-1:0]   m_axi_awid_o,
  output logic [AxiAddrWidth-1:0] m_axi_awaddr_o,
  output logic [7:0]              m_axi_awlen_o,
  output logic [2:0]              m_axi_awsize_o,
  output logic [1:0]              m_axi_awburst_o,
  output logic                    m_axi_awvalid_o,
  input  logic                    m_axi_awready_i,
  output logic [AxiDataWidth-1:0] m_axi_wdata_o,
  output logic [AxiDataWidth/8-1:0] m_axi_wstrb_o,
  output logic                    m_axi_wlast_o,
  output logic                    m_axi_wvalid_o,
  input  logic                    m_axi_wready_i,
  // All writes use ID 0, so the B channel's ID carries no information.
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic [AxiIdWidth-1:0]   m_axi_bid_i,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [1:0]              m_axi_bresp_i,
  input  logic                    m_axi_bvalid_i,
  output logic                    m_axi_bready_o,
  output logic [AxiIdWidth-1:0]   m_axi_arid_o,
  output logic [AxiAddrWidth-1:0] m_axi_araddr_o,
  output logic [7:0]              m_axi_arlen_o,
  output logic [2:0]              m_axi_arsize_o,
  output logic [1:0]              m_axi_arburst_o,
  output logic                    m_axi_arvalid_o,
  input  logic                    m_axi_arready_i,
  input  logic [AxiIdWidth-1:0]   m_axi_rid_i,
  input  logic [AxiDataWidth-1:0] m_axi_rdata_i,
  input  logic [1:0]              m_axi_rresp_i,
  input  logic                    m_axi_rlast_i,
  input  logic                    m_axi_rvalid_i,
  output logic                    m_axi_rready_o,

  output logic                    irq_o,
  output logic                    idle_o     // STATUS.IDLE, for simulators and SoC glue
);
  localparam int SpadLines = SpadBytes / Rows;
  localparam int AccLines  = AccBytes / (4 * Cols);
  localparam int SpadAw    = (SpadLines > 1) ? $clog2(SpadLines) : 1;
  localparam int AccAw     = (AccLines > 1) ? $clog2(AccLines) : 1;
  localparam int QpAw      = (QParamLines > 1) ? $clog2(QParamLines) : 1;
  localparam int BusBytes  = AxiDataWidth / 8;
  localparam int SpadW     = Rows * 8;
  localparam int AccW      = Cols * 32;
  localparam int QpW       = Cols * 128;

  // ---------------------------------------------------------------------------------------
  // Soft reset sequencing: halt everything, wait for outstanding AXI traffic, then pulse the
  // core reset for one cycle.
  // ---------------------------------------------------------------------------------------
  logic soft_reset_req;       // CSR pulse
  logic resetting_q, resetting_d;
  logic core_rst_nq, core_rst_nd;
  logic ld_busy, ex_busy, st_busy, cp_busy;
  logic quiet;

  assign quiet = !ld_busy && !ex_busy && !st_busy && !cp_busy;

  // Sequence: request -> (resetting, halted) wait until quiet -> one cycle of core reset,
  // during which the CSR block also resets its soft-reset fields (RING_TAIL) -> resetting
  // ends the cycle after, so halt covers the whole pulse and nothing is fetched against the
  // old tail while the units are held in reset.
  always_comb begin
    resetting_d = resetting_q;
    core_rst_nd = 1'b1;
    if (soft_reset_req) resetting_d = 1'b1;
    if (resetting_q && quiet && core_rst_nq) core_rst_nd = 1'b0;
    if (resetting_q && !core_rst_nq) resetting_d = 1'b0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      resetting_q <= 1'b0;
      core_rst_nq <= 1'b0;
    end else begin
      resetting_q <= resetting_d;
      core_rst_nq <= core_rst_nd;
    end
  end

  // ---------------------------------------------------------------------------------------
  // CSRs
  // ---------------------------------------------------------------------------------------
  logic [31:0] ring_base, win_base, win_size;
  logic [15:0] ring_size, ring_tail, ring_head;
  logic        irq_en_idle, irq_en_error, irq_en_cmd;
  logic        irq_st_idle, irq_st_error, irq_st_cmd;
  logic        irq_set_idle, irq_set_error, irq_set_cmd;
  logic        perf_clear;
  logic        cp_idle, cp_error;
  logic [7:0]  cp_err_code;
  logic [15:0] cp_err_idx;
  // performance events
  logic        ev_compute, ev_ld_dep, ev_ex_dep, ev_st_dep, ev_ex_wload, ev_rd_mem, ev_wr_mem;
  logic        ev_fetch, ev_queue, ev_cmd;

  localparam logic [15:0] MacsPerRow = 16'(Rows * Cols);
  localparam logic [4:0]  BusInc     = 5'(BusBytes);

  // The counters PerfFull = 0 leaves out do not exist inside systole_csr (they read 0); their
  // events are still connected.
  systole_csr #(
    .CfgArrayRows        (16'(Rows)),
    .CfgArrayCols        (16'(Cols)),
    .CfgSpadBytes        (32'(SpadBytes)),
    .CfgAccBytes         (32'(AccBytes)),
    .CfgBusDataBits      (16'(AxiDataWidth)),
    .CfgBusAddrBits      (8'(AxiAddrWidth)),
    .CfgMiscQparamLines  (16'(QParamLines)),
    .CfgMiscQueueDepth   (8'(QueueDepth)),
    .CfgMiscCmdBytes     (8'd32),
    .CfgFeaturesSoftmax  (HasSoftmax != 0 && Rows == Cols),  // as systole_ex's unit
    .CfgFeaturesPerfFull (PerfFull != 0),
    .PerfFull            (PerfFull),
    .DmaAddrMask         (DmaAddrMask),
    .DmaSizeMask         (DmaSizeMask),
    .RingMask            (32'((64'd1 << RingBits) - 64'd1)),
    .CsrRam              (CsrRam)
  ) u_csr (
    .clk_i                   (clk_i),
    .rst_ni                  (rst_ni),
    .soft_rst_i              (!core_rst_nq),
    .s_awaddr_i              (s_axil_awaddr_i),
    .s_awvalid_i             (s_axil_awvalid_i),
    .s_awready_o             (s_axil_awready_o),
    .s_wdata_i               (s_axil_wdata_i),
    .s_wstrb_i               (s_axil_wstrb_i),
    .s_wvalid_i              (s_axil_wvalid_i),
    .s_wready_o              (s_axil_wready_o),
    .s_bresp_o               (s_axil_bresp_o),
    .s_bvalid_o              (s_axil_bvalid_o),
    .s_bready_i              (s_axil_bready_i),
    .s_araddr_i              (s_axil_araddr_i),
    .s_arvalid_i             (s_axil_arvalid_i),
    .s_arready_o             (s_axil_arready_o),
    .s_rdata_o               (s_axil_rdata_o),
    .s_rresp_o               (s_axil_rresp_o),
    .s_rvalid_o              (s_axil_rvalid_o),
    .s_rready_i              (s_axil_rready_i),
    .ctrl_soft_reset_o       (soft_reset_req),
    .status_idle_i           (idle_o),
    .status_error_i          (cp_error),
    .status_resetting_i      (resetting_q),
    .status_err_code_i       (cp_err_code),
    .err_cmd_index_i         (cp_err_idx),
    .ring_base_addr_o        (ring_base),
    .ring_size_slots_o       (ring_size),
    .ring_head_index_i       (ring_head),
    .ring_tail_index_o       (ring_tail),
    .irq_enable_idle_o       (irq_en_idle),
    .irq_enable_error_o      (irq_en_error),
    .irq_enable_cmd_o        (irq_en_cmd),
    .irq_status_idle_set_i   (irq_set_idle),
    .irq_status_idle_o       (irq_st_idle),
    .irq_status_error_set_i  (irq_set_error),
    .irq_status_error_o      (irq_st_error),
    .irq_status_cmd_set_i    (irq_set_cmd),
    .irq_status_cmd_o        (irq_st_cmd),
    .win_base_addr_o         (win_base),
    .win_size_bytes_o        (win_size),
    .perf_ctrl_clear_o       (perf_clear),
    .counters_clear_i        (perf_clear),
    .cycles_inc_i            (1'b1),
    .busy_cycles_inc_i       (!cp_idle),
    .compute_cycles_inc_i    (ev_compute),
    .macs_inc_i              (ev_compute ? MacsPerRow : 16'd0),
    .dma_rd_bytes_inc_i      ((m_axi_rvalid_i && m_axi_rready_o) ? BusInc : 5'd0),
    .dma_wr_bytes_inc_i      ((m_axi_wvalid_o && m_axi_wready_i) ? BusInc : 5'd0),
    .stall_ld_dep_inc_i      (ev_ld_dep),
    .stall_ex_dep_inc_i      (ev_ex_dep),
    .stall_st_dep_inc_i      (ev_st_dep),
    .stall_ex_wload_inc_i    (ev_ex_wload),
    .stall_rd_mem_inc_i      (ev_rd_mem),
    .stall_wr_mem_inc_i      (ev_wr_mem),
    .stall_fetch_inc_i       (ev_fetch),
    .stall_queue_full_inc_i  (ev_queue),
    .commands_inc_i          (ev_cmd)
  );

  assign idle_o = cp_idle && !resetting_q;
  assign irq_o = (irq_st_idle && irq_en_idle) || (irq_st_error && irq_en_error) ||
                 (irq_st_cmd && irq_en_cmd);

  // ---------------------------------------------------------------------------------------
  // Command processor
  // ---------------------------------------------------------------------------------------
  logic         ld_cmd_valid, ld_cmd_ready, ex_cmd_valid, ex_cmd_ready, st_cmd_valid, st_cmd_ready;
  logic [255:0] ld_cmd, ex_cmd, st_cmd;
  logic [15:0]  ld_cmd_idx, ex_cmd_idx, st_cmd_idx;
  logic         tok_ld2ex_avail, tok_ex2ld_avail, tok_ex2st_avail, tok_st2ex_avail;
  logic         tok_ld2ex_take, tok_ex2ld_take, tok_ex2st_take, tok_st2ex_take;
  logic         tok_ld2ex_give, tok_ex2ld_give, tok_ex2st_give, tok_st2ex_give;
  logic         ld_err, ex_err, st_err;
  logic [7:0]   ld_err_code, ex_err_code, st_err_code;
  logic [15:0]  ld_err_idx, ex_err_idx, st_err_idx;
  logic         halt;

  // fetch read port (ID 1) and load read port (ID 0)
  logic                    f_ar_valid, f_ar_ready, f_r_valid, f_r_ready, f_r_last;
  logic [31:0]             f_ar_addr;
  logic [7:0]              f_ar_len;
  logic [AxiDataWidth-1:0] f_r_data;
  logic [1:0]              f_r_resp;
  logic                    l_ar_valid, l_ar_ready, l_r_valid, l_r_ready, l_r_last;
  logic [31:0]             l_ar_addr;
  logic [7:0]              l_ar_len;
  logic [AxiDataWidth-1:0] l_r_data;
  logic [1:0]              l_r_resp;

  // w3 of a command is only used by the softmax unit
  systole_cmdproc #(
    .QueueDepth   (QueueDepth),
    .AxiDataWidth (AxiDataWidth),
    .FetchDepth   (FetchDepth),
    .CmdWords     ((HasSoftmax != 0 && Rows == Cols) ? 4 : 3),
    .ArHold       ((UseIce40Dsp != 0) ? 1 : 0),  // iCE40 builds: read mux without AR register
    .DmaAddrMask  (DmaAddrMask),
    .RingBits     (RingBits)
  ) u_cmdproc (
    .clk_i             (clk_i),
    .rst_ni            (core_rst_nq),
    .ring_base_i       (ring_base),
    .ring_size_i       (ring_size),
    .ring_tail_i       (ring_tail),
    .ring_head_o       (ring_head),
    .win_base_i        (win_base),
    .win_size_i        (win_size),
    .ar_valid_o        (f_ar_valid),
    .ar_ready_i        (f_ar_ready),
    .ar_addr_o         (f_ar_addr),
    .ar_len_o          (f_ar_len),
    .r_valid_i         (f_r_valid),
    .r_ready_o         (f_r_ready),
    .r_data_i          (f_r_data),
    .r_resp_i          (f_r_resp),
    .r_last_i          (f_r_last),
    .ld_cmd_valid_o    (ld_cmd_valid),
    .ld_cmd_ready_i    (ld_cmd_ready),
    .ld_cmd_o          (ld_cmd),
    .ld_cmd_idx_o      (ld_cmd_idx),
    .ex_cmd_valid_o    (ex_cmd_valid),
    .ex_cmd_ready_i    (ex_cmd_ready),
    .ex_cmd_o          (ex_cmd),
    .ex_cmd_idx_o      (ex_cmd_idx),
    .st_cmd_valid_o    (st_cmd_valid),
    .st_cmd_ready_i    (st_cmd_ready),
    .st_cmd_o          (st_cmd),
    .st_cmd_idx_o      (st_cmd_idx),
    .tok_ld2ex_avail_o (tok_ld2ex_avail),
    .tok_ld2ex_take_i  (tok_ld2ex_take),
    .tok_ld2ex_give_i  (tok_ld2ex_give),
    .tok_ex2ld_avail_o (tok_ex2ld_avail),
    .tok_ex2ld_take_i  (tok_ex2ld_take),
    .tok_ex2ld_give_i  (tok_ex2ld_give),
    .tok_ex2st_avail_o (tok_ex2st_avail),
    .tok_ex2st_take_i  (tok_ex2st_take),
    .tok_ex2st_give_i  (tok_ex2st_give),
    .tok_st2ex_avail_o (tok_st2ex_avail),
    .tok_st2ex_take_i  (tok_st2ex_take),
    .tok_st2ex_give_i  (tok_st2ex_give),
    .ld_err_i          (ld_err),
    .ld_err_code_i     (ld_err_code),
    .ld_err_idx_i      (ld_err_idx),
    .ex_err_i          (ex_err),
    .ex_err_code_i     (ex_err_code),
    .ex_err_idx_i      (ex_err_idx),
    .st_err_i          (st_err),
    .st_err_code_i     (st_err_code),
    .st_err_idx_i      (st_err_idx),
    .ld_busy_i         (ld_busy),
    .ex_busy_i         (ex_busy),
    .st_busy_i         (st_busy),
    .soft_halt_i       (resetting_q),
    .halt_o            (halt),
    .busy_o            (cp_busy),
    .idle_o            (cp_idle),
    .error_o           (cp_error),
    .err_code_o        (cp_err_code),
    .err_idx_o         (cp_err_idx),
    .irq_idle_set_o    (irq_set_idle),
    .irq_error_set_o   (irq_set_error),
    .irq_cmd_set_o     (irq_set_cmd),
    .stall_fetch_o     (ev_fetch),
    .stall_queue_o     (ev_queue),
    .cmd_dispatched_o  (ev_cmd)
  );

  systole_axi_rd_mux #(
    .AxiDataWidth (AxiDataWidth),
    .AxiAddrWidth (AxiAddrWidth),
    .AxiIdWidth   (AxiIdWidth),
    .ArReg        ((UseIce40Dsp != 0) ? 0 : 1)
  ) u_rd_mux (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .a_ar_valid_i (l_ar_valid),
    .a_ar_ready_o (l_ar_ready),
    .a_ar_addr_i  (l_ar_addr),
    .a_ar_len_i   (l_ar_len),
    .a_r_valid_o  (l_r_valid),
    .a_r_ready_i  (l_r_ready),
    .a_r_data_o   (l_r_data),
    .a_r_resp_o   (l_r_resp),
    .a_r_last_o   (l_r_last),
    .b_ar_valid_i (f_ar_valid),
    .b_ar_ready_o (f_ar_ready),
    .b_ar_addr_i  (f_ar_addr),
    .b_ar_len_i   (f_ar_len),
    .b_r_valid_o  (f_r_valid),
    .b_r_ready_i  (f_r_ready),
    .b_r_data_o   (f_r_data),
    .b_r_resp_o   (f_r_resp),
    .b_r_last_o   (f_r_last),
    .m_arid_o     (m_axi_arid_o),
    .m_araddr_o   (m_axi_araddr_o),
    .m_arlen_o    (m_axi_arlen_o),
    .m_arsize_o   (m_axi_arsize_o),
    .m_arburst_o  (m_axi_arburst_o),
    .m_arvalid_o  (m_axi_arvalid_o),
    .m_arready_i  (m_axi_arready_i),
    .m_rid_i      (m_axi_rid_i),
    .m_rdata_i    (m_axi_rdata_i),
    .m_rresp_i    (m_axi_rresp_i),
    .m_rlast_i    (m_axi_rlast_i),
    .m_rvalid_i   (m_axi_rvalid_i),
    .m_rready_o   (m_axi_rready_o)
  );

  // ---------------------------------------------------------------------------------------
  // On-chip memories
  // ---------------------------------------------------------------------------------------
  // iCE40 builds (UseIce40Dsp): no logic emulates an old-data read of a line written in the
  // same cycle around the block RAMs (the EX engine forwards its own last write, any other
  // such read is a race that the dependency tokens exclude; not with the softmax unit, which
  // is not checked for it), and a one-line qparam table keeps no read register and no
  // reserved word (bytes 12..15 of each channel record, which no engine reads).
  localparam int LeanRam  = (UseIce40Dsp != 0 && !(HasSoftmax != 0 && Rows == Cols)) ? 1 : 0;
  localparam int QpNoReg  = (LeanRam != 0 && QParamLines == 1) ? 1 : 0;
  // iCE40 builds with one accumulator copy and no softmax unit: one accumulator memory per
  // column (the same block RAMs), which the EX engine writes and reads column by column as
  // the array presents the columns (no output de-skew registers in the array)
  localparam int AccCols  = (LeanRam != 0 && AccReadPorts == 1) ? 1 : 0;
  // Line addresses are 16 bits everywhere (the command fields); the engines range-check
  // them against the memory depth before use, so the RAMs take only the low bits.
  /* verilator lint_off UNUSEDSIGNAL */
  // scratchpad: written by LD, read by EX (activations on port A, weights on port B)
  // scratchpad write port: the softmax unit (in EX, full lines) has priority, LD waits
  logic              spad_we, ld_spad_we, ex_spad_we;
  logic [15:0]       spad_waddr, ld_spad_waddr, ex_spad_waddr;
  logic [SpadW-1:0]  spad_wdata, ld_spad_wdata, ex_spad_wdata;
  logic [Rows-1:0]   spad_wmask, ld_spad_wmask;

  assign spad_we    = ex_spad_we || ld_spad_we;
  assign spad_waddr = ex_spad_we ? ex_spad_waddr : ld_spad_waddr;
  assign spad_wdata = ex_spad_we ? ex_spad_wdata : ld_spad_wdata;
  assign spad_wmask = ex_spad_we ? {Rows{1'b1}} : ld_spad_wmask;
  logic              spad_a_re, spad_b_re;
  logic [15:0]       spad_a_raddr, spad_b_raddr;
  logic [SpadW-1:0]  spad_a_rdata, spad_b_rdata;

  if (SpadReadPorts == 2) begin : g_spad2
    systole_ram #(.Width(SpadW), .Depth(SpadLines), .RdwUndef(LeanRam)) u_spad_a (
      .clk_i   (clk_i),
      .we_i    (spad_we),
      .waddr_i (spad_waddr[SpadAw-1:0]),
      .wdata_i (spad_wdata),
      .wmask_i (spad_wmask),
      .re_i    (spad_a_re),
      .raddr_i (spad_a_raddr[SpadAw-1:0]),
      .rdata_o (spad_a_rdata)
    );
    systole_ram #(.Width(SpadW), .Depth(SpadLines), .RdwUndef(LeanRam)) u_spad_b (
      .clk_i   (clk_i),
      .we_i    (spad_we),
      .waddr_i (spad_waddr[SpadAw-1:0]),
      .wdata_i (spad_wdata),
      .wmask_i (spad_wmask),
      .re_i    (spad_b_re),
      .raddr_i (spad_b_raddr[SpadAw-1:0]),
      .rdata_o (spad_b_rdata)
    );
  end else begin : g_spad1
    // one copy: EX never reads activations and weights in the same cycle (SpadOneRead)
    logic [15:0] spad_raddr;
    assign spad_raddr = spad_b_re ? spad_b_raddr : spad_a_raddr;
    systole_ram #(.Width(SpadW), .Depth(SpadLines), .RdwUndef(LeanRam)) u_spad (
      .clk_i   (clk_i),
      .we_i    (spad_we),
      .waddr_i (spad_waddr[SpadAw-1:0]),
      .wdata_i (spad_wdata),
      .wmask_i (spad_wmask),
      .re_i    (spad_a_re || spad_b_re),
      .raddr_i (spad_raddr[SpadAw-1:0]),
      .rdata_o (spad_a_rdata)
    );
    assign spad_b_rdata = spad_a_rdata;
  end

  // accumulator: EX writes full lines (priority), LD writes masked lines; EX and ST read
  logic              ex_acc_we, ld_acc_we, acc_we;
  logic [15:0]       ex_acc_waddr, ld_acc_waddr, acc_waddr;
  logic [AccW-1:0]   ex_acc_wdata, ld_acc_wdata, acc_wdata;
  logic [Cols*4-1:0] ld_acc_wmask, acc_wmask;
  logic              ex_acc_re, st_acc_re;
  logic [15:0]       ex_acc_raddr, st_acc_raddr;
  logic [AccW-1:0]   ex_acc_rdata, st_acc_rdata;

  assign acc_we    = ex_acc_we || ld_acc_we;
  assign acc_waddr = ex_acc_we ? ex_acc_waddr : ld_acc_waddr;
  assign acc_wdata = ex_acc_we ? ex_acc_wdata : ld_acc_wdata;
  assign acc_wmask = ex_acc_we ? {(Cols*4){1'b1}} : ld_acc_wmask;

  logic              st_acc_rgnt;
  logic [Cols-1:0]    ex_acc_col_re, ex_acc_col_we;
  logic [Cols*16-1:0] ex_acc_col_raddr, ex_acc_col_waddr;
  if (AccCols != 0) begin : g_acc_cols
    // LD writes whole lines when EX writes no column, ST reads whole lines when EX reads no
    // column; each takes the data the cycle after its own read. So the data, address and
    // mask of a column come from EX whenever EX writes any column (acc_wdata, acc_wmask
    // above), its read address from EX whenever EX reads any.
    for (genvar c = 0; c < Cols; c++) begin : g_col
      logic [15:0] waddr, raddr;
      assign waddr = ex_acc_we ? ex_acc_col_waddr[c*16 +: 16] : ld_acc_waddr;
      assign raddr = ex_acc_re ? ex_acc_col_raddr[c*16 +: 16] : st_acc_raddr;
      systole_ram #(.Width(32), .Depth(AccLines), .RdwUndef(LeanRam)) u_acc (
        .clk_i   (clk_i),
        .we_i    (ex_acc_we ? ex_acc_col_we[c] : ld_acc_we),
        .waddr_i (waddr[AccAw-1:0]),
        .wdata_i (acc_wdata[c*32 +: 32]),
        .wmask_i (acc_wmask[c*4 +: 4]),
        .re_i    (ex_acc_col_re[c] || st_acc_re),
        .raddr_i (raddr[AccAw-1:0]),
        .rdata_o (ex_acc_rdata[c*32 +: 32])
      );
    end
    assign st_acc_rdata = ex_acc_rdata;
    assign st_acc_rgnt  = !ex_acc_re;
  end else if (AccReadPorts == 2) begin : g_acc2
    systole_ram #(.Width(AccW), .Depth(AccLines), .RdwUndef(LeanRam)) u_acc_ex (
      .clk_i   (clk_i),
      .we_i    (acc_we),
      .waddr_i (acc_waddr[AccAw-1:0]),
      .wdata_i (acc_wdata),
      .wmask_i (acc_wmask),
      .re_i    (ex_acc_re),
      .raddr_i (ex_acc_raddr[AccAw-1:0]),
      .rdata_o (ex_acc_rdata)
    );
    systole_ram #(.Width(AccW), .Depth(AccLines), .RdwUndef(LeanRam)) u_acc_st (
      .clk_i   (clk_i),
      .we_i    (acc_we),
      .waddr_i (acc_waddr[AccAw-1:0]),
      .wdata_i (acc_wdata),
      .wmask_i (acc_wmask),
      .re_i    (st_acc_re),
      .raddr_i (st_acc_raddr[AccAw-1:0]),
      .rdata_o (st_acc_rdata)
    );
    assign st_acc_rgnt = 1'b1;
  end else begin : g_acc1
    // one copy: EX (matmul read-modify-write, softmax) reads first, ST only in the other
    // cycles; each takes the data the cycle after its own read
    logic [15:0] acc_raddr;
    assign acc_raddr   = ex_acc_re ? ex_acc_raddr : st_acc_raddr;
    assign st_acc_rgnt = !ex_acc_re;
    systole_ram #(.Width(AccW), .Depth(AccLines), .RdwUndef(LeanRam)) u_acc (
      .clk_i   (clk_i),
      .we_i    (acc_we),
      .waddr_i (acc_waddr[AccAw-1:0]),
      .wdata_i (acc_wdata),
      .wmask_i (acc_wmask),
      .re_i    (ex_acc_re || st_acc_re),
      .raddr_i (acc_raddr[AccAw-1:0]),
      .rdata_o (ex_acc_rdata)
    );
    assign st_acc_rdata = ex_acc_rdata;
  end

  // quantisation parameter table: written by LD, read by ST
  logic               qp_we, qp_re;
  logic [15:0]        qp_waddr, qp_raddr;
  logic [QpW-1:0]     qp_wdata, qp_rdata;
  logic [Cols*16-1:0] qp_wmask;
  /* verilator lint_on UNUSEDSIGNAL */

  // Serial LD and ST (the board): a block RAM of 32-bit words {line, channel, field}, which
  // the serial ST reads one field at a time (QpWords); the serial LD writes one byte per
  // cycle (a one-hot byte mask, the byte on every lane), whose word and byte lane follow
  // from the mask. Bytes 12..15 of a record (reserved, never read) are not written.
  localparam int QpChW   = (Cols > 1) ? $clog2(Cols) : 1;          // ST's channel bits
  localparam int QpLnW   = (QParamLines > 1) ? $clog2(QParamLines) : 0;
  localparam int QpWords = (SerialStore != 0 && LdSerial != 0 && QpLnW + QpChW + 2 <= 16) ? 1 : 0;

  if (QpWords != 0) begin : g_qp_words
    localparam int QwAw = QpLnW + QpChW + 2;
    logic [QpChW+3:0] qw_byte;       // byte of the line written (the mask is one-hot)
    logic [3:0]       qw_mask;       // its lane in the word
    logic [QwAw-1:0]  qw_waddr;
    logic [31:0]      qw_rdata;
    always_comb begin
      qw_byte = '0;
      qw_mask = '0;
      for (int b = 0; b < Cols * 16; b++) begin
        if (b % 16 < 12 && qp_wmask[b]) begin
          qw_byte = qw_byte | (QpChW + 4)'(b);
          qw_mask[b % 4] = 1'b1;
        end
      end
    end
    if (QpLnW > 0) begin : g_line
      assign qw_waddr = {qp_waddr[QpLnW-1:0], qw_byte[QpChW+3:2]};
    end else begin : g_noline
      assign qw_waddr = qw_byte[QpChW+3:2];
    end
    systole_ram #(.Width(32), .Depth(1 << QwAw), .RdwUndef(1), .BlockRam(1)) u_qparam (
      .clk_i   (clk_i),
      .we_i    (qp_we),
      .waddr_i (qw_waddr),
      .wdata_i (qp_wdata[31:0]),
      .wmask_i (qw_mask),
      .re_i    (qp_re),
      .raddr_i (qp_raddr[QwAw-1:0]),
      .rdata_o (qw_rdata)
    );
    assign qp_rdata = QpW'(qw_rdata);
  end else begin : g_qp_lines
    logic [QpW-1:0]     qp_line;
    logic [Cols*16-1:0] qp_keep;       // bytes stored
    logic [QpW-1:0]     qp_keep_bits;

    assign qp_keep      = (QpNoReg != 0) ? {Cols{16'h0fff}} : '1;
    assign qp_keep_bits = (QpNoReg != 0) ? {Cols{{32'd0}, {96{1'b1}}}} : '1;
    assign qp_rdata     = qp_line & qp_keep_bits;

    systole_ram #(.Width(QpW), .Depth(QParamLines), .NoReadReg(QpNoReg)) u_qparam (
      .clk_i   (clk_i),
      .we_i    (qp_we),
      .waddr_i (qp_waddr[QpAw-1:0]),
      .wdata_i (qp_wdata),
      .wmask_i (qp_wmask & qp_keep),
      .re_i    (qp_re),
      .raddr_i (qp_raddr[QpAw-1:0]),
      .rdata_o (qp_line)
    );
  end

  // ---------------------------------------------------------------------------------------
  // Engines
  // ---------------------------------------------------------------------------------------
  systole_ld #(
    .Rows          (Rows),
    .Cols          (Cols),
    .SpadLines     (SpadLines),
    .AccLines      (AccLines),
    .QParamLines   (QParamLines),
    .AxiDataWidth  (AxiDataWidth),
    .ReadsInFlight (ReadsInFlight),
    .LdSerial      (LdSerial),
    .DmaAddrMask   (DmaAddrMask)
  ) u_ld (
    .clk_i             (clk_i),
    .rst_ni            (core_rst_nq),
    .cmd_valid_i       (ld_cmd_valid),
    .cmd_ready_o       (ld_cmd_ready),
    .cmd_i             (ld_cmd),
    .cmd_idx_i         (ld_cmd_idx),
    .tok_ex2ld_avail_i (tok_ex2ld_avail),
    .tok_ex2ld_take_o  (tok_ex2ld_take),
    .tok_ld2ex_give_o  (tok_ld2ex_give),
    .halt_i            (halt),
    .busy_o            (ld_busy),
    .err_o             (ld_err),
    .err_code_o        (ld_err_code),
    .err_idx_o         (ld_err_idx),
    .win_base_i        (win_base),
    .win_size_i        (win_size),
    .ar_valid_o        (l_ar_valid),
    .ar_ready_i        (l_ar_ready),
    .ar_addr_o         (l_ar_addr),
    .ar_len_o          (l_ar_len),
    .r_valid_i         (l_r_valid),
    .r_ready_o         (l_r_ready),
    .r_data_i          (l_r_data),
    .r_resp_i          (l_r_resp),
    .r_last_i          (l_r_last),
    .spad_we_o         (ld_spad_we),
    .spad_wready_i     (!ex_spad_we),
    .spad_waddr_o      (ld_spad_waddr),
    .spad_wdata_o      (ld_spad_wdata),
    .spad_wmask_o      (ld_spad_wmask),
    .acc_we_o          (ld_acc_we),
    .acc_wready_i      (!ex_acc_we),
    .acc_waddr_o       (ld_acc_waddr),
    .acc_wdata_o       (ld_acc_wdata),
    .acc_wmask_o       (ld_acc_wmask),
    .qp_we_o           (qp_we),
    .qp_waddr_o        (qp_waddr),
    .qp_wdata_o        (qp_wdata),
    .qp_wmask_o        (qp_wmask),
    .stall_dep_o       (ev_ld_dep),
    .stall_mem_o       (ev_rd_mem)
  );

  systole_ex #(
    .Rows        (Rows),
    .Cols        (Cols),
    .SpadLines   (SpadLines),
    .AccLines    (AccLines),
    .HasSoftmax  (HasSoftmax),
    .UseIce40Dsp (UseIce40Dsp),
    .SpadOneRead ((SpadReadPorts == 1) ? 1 : 0),
    .AccCols     (AccCols)
  ) u_ex (
    .clk_i             (clk_i),
    .rst_ni            (core_rst_nq),
    .cmd_valid_i       (ex_cmd_valid),
    .cmd_ready_o       (ex_cmd_ready),
    .cmd_i             (ex_cmd),
    .cmd_idx_i         (ex_cmd_idx),
    .tok_ld2ex_avail_i (tok_ld2ex_avail),
    .tok_ld2ex_take_o  (tok_ld2ex_take),
    .tok_st2ex_avail_i (tok_st2ex_avail),
    .tok_st2ex_take_o  (tok_st2ex_take),
    .tok_ex2ld_give_o  (tok_ex2ld_give),
    .tok_ex2st_give_o  (tok_ex2st_give),
    .halt_i            (halt),
    .busy_o            (ex_busy),
    .err_o             (ex_err),
    .err_code_o        (ex_err_code),
    .err_idx_o         (ex_err_idx),
    .spad_a_re_o       (spad_a_re),
    .spad_a_raddr_o    (spad_a_raddr),
    .spad_a_rdata_i    (spad_a_rdata),
    .spad_w_re_o       (spad_b_re),
    .spad_w_raddr_o    (spad_b_raddr),
    .spad_w_rdata_i    (spad_b_rdata),
    .acc_re_o          (ex_acc_re),
    .acc_raddr_o       (ex_acc_raddr),
    .acc_rdata_i       (ex_acc_rdata),
    .acc_we_o          (ex_acc_we),
    .acc_waddr_o       (ex_acc_waddr),
    .acc_wdata_o       (ex_acc_wdata),
    .acc_col_re_o      (ex_acc_col_re),
    .acc_col_raddr_o   (ex_acc_col_raddr),
    .acc_col_we_o      (ex_acc_col_we),
    .acc_col_waddr_o   (ex_acc_col_waddr),
    .spad_we_o         (ex_spad_we),
    .spad_waddr_o      (ex_spad_waddr),
    .spad_wdata_o      (ex_spad_wdata),
    .compute_o         (ev_compute),
    .stall_dep_o       (ev_ex_dep),
    .stall_wload_o     (ev_ex_wload)
  );

  systole_st #(
    .Rows         (Rows),
    .Cols         (Cols),
    .AccLines     (AccLines),
    .QParamLines   (QParamLines),
    .AxiDataWidth  (AxiDataWidth),
    .SerialRequant (SerialRequant),
    .AccShared     ((AccReadPorts == 1) ? 1 : 0),
    .RowDepth      (StoreRows),
    .TrkDepth      (WritesInFlight),
    .SerialStore   (SerialStore),
    .QpWords       (QpWords),
    .DmaAddrMask   (DmaAddrMask)
  ) u_st (
    .clk_i             (clk_i),
    .rst_ni            (core_rst_nq),
    .cmd_valid_i       (st_cmd_valid),
    .cmd_ready_o       (st_cmd_ready),
    .cmd_i             (st_cmd),
    .cmd_idx_i         (st_cmd_idx),
    .tok_ex2st_avail_i (tok_ex2st_avail),
    .tok_ex2st_take_o  (tok_ex2st_take),
    .tok_st2ex_give_o  (tok_st2ex_give),
    .halt_i            (halt),
    .busy_o            (st_busy),
    .err_o             (st_err),
    .err_code_o        (st_err_code),
    .err_idx_o         (st_err_idx),
    .win_base_i        (win_base),
    .win_size_i        (win_size),
    .acc_re_o          (st_acc_re),
    .acc_rgnt_i        (st_acc_rgnt),
    .acc_raddr_o       (st_acc_raddr),
    .acc_rdata_i       (st_acc_rdata),
    .qp_re_o           (qp_re),
    .qp_raddr_o        (qp_raddr),
    .qp_rdata_i        (qp_rdata),
    .aw_valid_o        (m_axi_awvalid_o),
    .aw_ready_i        (m_axi_awready_i),
    .aw_addr_o         (m_axi_awaddr_o),
    .aw_len_o          (m_axi_awlen_o),
    .w_valid_o         (m_axi_wvalid_o),
    .w_ready_i         (m_axi_wready_i),
    .w_data_o          (m_axi_wdata_o),
    .w_strb_o          (m_axi_wstrb_o),
    .w_last_o          (m_axi_wlast_o),
    .b_valid_i         (m_axi_bvalid_i),
    .b_ready_o         (m_axi_bready_o),
    .b_resp_i          (m_axi_bresp_i),
    .stall_dep_o       (ev_st_dep),
    .stall_mem_o       (ev_wr_mem)
  );

  assign m_axi_awid_o    = '0;
  assign m_axi_awsize_o  = 3'($clog2(BusBytes));
  assign m_axi_awburst_o = 2'b01;  // INCR

  // ---------------------------------------------------------------------------------------
  // Elaboration checks
  // ---------------------------------------------------------------------------------------
  initial begin
    if (Rows < 2 || Rows > 64 || Cols < 2 || Cols > 64)
      $fatal(1, "systole_top: Rows and Cols must be in 2..64");
    if (SpadBytes % Rows != 0 || SpadLines < 2 * Cols || SpadLines > 65536)
      $fatal(1, "systole_top: SpadBytes must be a multiple of Rows with 2*Cols..65536 lines");
    if (AccBytes % (4 * Cols) != 0 || AccLines < 2 || AccLines > 65536)
      $fatal(1, "systole_top: AccBytes must be a multiple of 4*Cols with 2..65536 lines");
    if (QParamLines < 1 || QParamLines > 65536)
      $fatal(1, "systole_top: QParamLines must be in 1..65536");
    if (AxiDataWidth != 32 && AxiDataWidth != 64 && AxiDataWidth != 128)
      $fatal(1, "systole_top: AxiDataWidth must be 32, 64 or 128");
    if (AxiAddrWidth != 32)
      $fatal(1, "systole_top: AxiAddrWidth must be 32");
    if (AxiIdWidth < 1)
      $fatal(1, "systole_top: AxiIdWidth must be at least 1");
    if (QueueDepth < 0 || QueueDepth > 128 || (QueueDepth & (QueueDepth - 1)) != 0)
      $fatal(1, "systole_top: QueueDepth must be 0 or a power of two in 1..128");
    if (WritesInFlight < 2 || WritesInFlight > 256 || (WritesInFlight & (WritesInFlight - 1)) != 0)
      $fatal(1, "systole_top: WritesInFlight must be a power of two in 2..256");
    if (StoreRows < 1 || StoreRows > 64 || (StoreRows & (StoreRows - 1)) != 0)
      $fatal(1, "systole_top: StoreRows must be a power of two in 1..64");
    if (SpadReadPorts != 1 && SpadReadPorts != 2)
      $fatal(1, "systole_top: SpadReadPorts must be 1 or 2");
    if (AccReadPorts != 1 && AccReadPorts != 2)
      $fatal(1, "systole_top: AccReadPorts must be 1 or 2");
    if (FetchDepth < 1 || FetchDepth > 128 || (FetchDepth & (FetchDepth - 1)) != 0)
      $fatal(1, "systole_top: FetchDepth must be a power of two in 1..128");
  end
endmodule
