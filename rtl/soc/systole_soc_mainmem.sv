// SoC main memory: one AxiDataWidth-wide RAM shared by the core (native bus, one 32-bit
// lane of a line) and the accelerator's DMA (AXI4 slave).
//
// The RAM (systole_ram) has one write port and one synchronous read port, so an AXI read
// burst and an AXI write burst proceed at the same time, one beat per cycle each. The core
// has priority on the port it needs: a core write completes in its cycle (the AXI W
// channel waits one cycle), a core read is issued as soon as the R output is free and
// completes the next cycle.
//
// AXI: one read burst and one write burst at a time (AR is accepted while the last beat of
// the previous read burst is issued; AW once the previous write's B is taken; a write
// burst ends after AWLEN+1 beats, WLAST is only checked by an assertion). INCR and
// FIXED bursts of any size up to the bus width; WRAP is answered with SLVERR. Each beat
// outside [MainBase, MainBase + MainBytes) gets SLVERR (read data undefined, write
// dropped); a write burst's B is SLVERR if any of its beats was. Responses come back in
// order, with the request's ID.
module systole_soc_mainmem #(
  parameter int          AxiDataWidth = 64,             // line and AXI data bits
  parameter int          AxiIdWidth   = 2,              // AXI ID bits
  parameter int          MainBytes    = 1 << 20,        // bytes, a multiple of the line
  parameter logic [31:0] MainBase     = 32'h8000_0000   // base address, size-aligned
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  // core port: word access inside main memory (the SoC decoder checks the range),
  // fields held until c_ready_o
  input  logic                      c_valid_i,
  input  logic [31:0]               c_addr_i,
  input  logic [3:0]                c_wstrb_i,
  input  logic [31:0]               c_wdata_i,
  output logic                      c_ready_o,
  output logic [31:0]               c_rdata_o,
  // AXI4 slave
  input  logic [AxiIdWidth-1:0]     s_awid_i,
  input  logic [31:0]               s_awaddr_i,
  input  logic [7:0]                s_awlen_i,
  input  logic [2:0]                s_awsize_i,
  input  logic [1:0]                s_awburst_i,
  input  logic                      s_awvalid_i,
  output logic                      s_awready_o,
  input  logic [AxiDataWidth-1:0]   s_wdata_i,
  input  logic [AxiDataWidth/8-1:0] s_wstrb_i,
  input  logic                      s_wlast_i,
  input  logic                      s_wvalid_i,
  output logic                      s_wready_o,
  output logic [AxiIdWidth-1:0]     s_bid_o,
  output logic [1:0]                s_bresp_o,
  output logic                      s_bvalid_o,
  input  logic                      s_bready_i,
  input  logic [AxiIdWidth-1:0]     s_arid_i,
  input  logic [31:0]               s_araddr_i,
  input  logic [7:0]                s_arlen_i,
  input  logic [2:0]                s_arsize_i,
  input  logic [1:0]                s_arburst_i,
  input  logic                      s_arvalid_i,
  output logic                      s_arready_o,
  output logic [AxiIdWidth-1:0]     s_rid_o,
  output logic [AxiDataWidth-1:0]   s_rdata_o,
  output logic [1:0]                s_rresp_o,
  output logic                      s_rlast_o,
  output logic                      s_rvalid_o,
  input  logic                      s_rready_i
);
  localparam int BusBytes = AxiDataWidth / 8;
  localparam int Lines    = MainBytes / BusBytes;
  localparam int Ob       = $clog2(BusBytes);            // byte-offset bits of a line
  localparam int Aw       = $clog2(Lines > 1 ? Lines : 2);
  localparam int Lanes    = BusBytes / 4;                // 32-bit core lanes per line
  localparam int Lw       = (Lanes > 1) ? $clog2(Lanes) : 1;  // (one lane: c_lane is 0)
  localparam logic [32:0] MainEnd = {1'b0, MainBase} + 33'(MainBytes);
  localparam logic [1:0]  BurstFixed = 2'b00;
  localparam logic [1:0]  BurstWrap  = 2'b10;
  localparam logic [1:0]  RespOkay   = 2'b00;
  localparam logic [1:0]  RespSlverr = 2'b10;

  function automatic logic in_main(input logic [31:0] addr);
    in_main = ({1'b0, addr} >= {1'b0, MainBase}) && ({1'b0, addr} < MainEnd);
  endfunction

  // next beat address of a burst
  function automatic logic [31:0] next_addr(input logic [31:0] addr, input logic [2:0] size,
                                            input logic [1:0] burst);
    next_addr = (burst == BurstFixed) ? addr : addr + (32'd1 << size);
  endfunction

  // ---------------------------------------------------------------------------------------
  // The RAM
  // ---------------------------------------------------------------------------------------
  logic                      ram_re, ram_we;
  logic [Aw-1:0]             ram_raddr, ram_waddr;
  logic [AxiDataWidth-1:0]   ram_wdata, ram_rdata;
  logic [BusBytes-1:0]       ram_wmask;

  systole_ram #(
    .Width (AxiDataWidth),
    .Depth (Lines)
  ) u_ram (
    .clk_i   (clk_i),
    .we_i    (ram_we),
    .waddr_i (ram_waddr),
    .wdata_i (ram_wdata),
    .wmask_i (ram_wmask),
    .re_i    (ram_re),
    .raddr_i (ram_raddr),
    .rdata_o (ram_rdata)
  );

  // ---------------------------------------------------------------------------------------
  // Core port
  // ---------------------------------------------------------------------------------------
  logic          c_write, c_rd_go, c_wr_go;
  logic          c_rd_q;    // a core read was issued last cycle: its data is on ram_rdata
  logic [Aw-1:0] c_line;
  logic [Lw-1:0] c_lane;

  assign c_write   = (c_wstrb_i != 4'b0000);
  assign c_line    = c_addr_i[Ob +: Aw];
  if (Lanes > 1) begin : g_lanes
    assign c_lane = c_addr_i[2 +: Lw];
  end else begin : g_lane1
    assign c_lane = '0;
  end
  assign c_wr_go   = c_valid_i && c_write;
  assign c_ready_o = c_write || c_rd_q;
  assign c_rdata_o = ram_rdata[32 * c_lane +: 32];

  // ---------------------------------------------------------------------------------------
  // AXI read: burst state, issue into the RAM, R output (data straight from the RAM, whose
  // output holds while no read is issued)
  // ---------------------------------------------------------------------------------------
  logic                  rd_act_q, rd_act_d;
  logic [31:0]           rd_addr_q, rd_addr_d;
  logic [7:0]            rd_left_q, rd_left_d;    // beats after the next one
  logic [2:0]            rd_size_q, rd_size_d;
  logic [1:0]            rd_burst_q, rd_burst_d;
  logic [AxiIdWidth-1:0] rd_id_q, rd_id_d;
  logic                  r_valid_q, r_valid_d;
  logic                  r_last_q, r_last_d;
  logic [1:0]            r_resp_q, r_resp_d;
  logic [AxiIdWidth-1:0] r_id_q, r_id_d;
  logic                  out_free, ax_rd_go, c_rd_req;

  assign out_free    = !r_valid_q || s_rready_i;
  assign c_rd_req    = c_valid_i && !c_write && !c_rd_q;
  assign c_rd_go     = c_rd_req && out_free;
  assign ax_rd_go    = rd_act_q && out_free && !c_rd_req;
  assign s_arready_o = !rd_act_q || (ax_rd_go && rd_left_q == 8'd0);
  assign ram_re      = c_rd_go || ax_rd_go;
  assign ram_raddr   = c_rd_go ? c_line : rd_addr_q[Ob +: Aw];

  always_comb begin
    rd_act_d   = rd_act_q;
    rd_addr_d  = rd_addr_q;
    rd_left_d  = rd_left_q;
    rd_size_d  = rd_size_q;
    rd_burst_d = rd_burst_q;
    rd_id_d    = rd_id_q;
    r_valid_d  = r_valid_q && !s_rready_i;
    r_last_d   = r_last_q;
    r_resp_d   = r_resp_q;
    r_id_d     = r_id_q;
    if (ax_rd_go) begin
      rd_addr_d = next_addr(rd_addr_q, rd_size_q, rd_burst_q);
      rd_left_d = rd_left_q - 8'd1;
      rd_act_d  = (rd_left_q != 8'd0);
      r_valid_d = 1'b1;
      r_last_d  = (rd_left_q == 8'd0);
      r_resp_d  = (in_main(rd_addr_q) && rd_burst_q != BurstWrap) ? RespOkay : RespSlverr;
      r_id_d    = rd_id_q;
    end
    if (s_arvalid_i && s_arready_o) begin
      rd_act_d   = 1'b1;
      rd_addr_d  = s_araddr_i;
      rd_left_d  = s_arlen_i;
      rd_size_d  = s_arsize_i;
      rd_burst_d = s_arburst_i;
      rd_id_d    = s_arid_i;
    end
  end

  assign s_rvalid_o = r_valid_q;
  assign s_rdata_o  = ram_rdata;
  assign s_rresp_o  = r_resp_q;
  assign s_rlast_o  = r_last_q;
  assign s_rid_o    = r_id_q;

  // ---------------------------------------------------------------------------------------
  // AXI write: burst state, W beats into the RAM (after core writes), one B
  // ---------------------------------------------------------------------------------------
  logic                  wr_act_q, wr_act_d;
  logic [31:0]           wr_addr_q, wr_addr_d;
  logic [7:0]            wr_left_q, wr_left_d;    // beats after the next one
  logic [2:0]            wr_size_q, wr_size_d;
  logic [1:0]            wr_burst_q, wr_burst_d;
  logic [AxiIdWidth-1:0] wr_id_q, wr_id_d;
  logic                  wr_err_q, wr_err_d;      // a beat of this burst got SLVERR
  logic                  b_valid_q, b_valid_d;
  logic [1:0]            b_resp_q, b_resp_d;
  logic [AxiIdWidth-1:0] b_id_q, b_id_d;
  logic                  w_go, w_ok;

  assign s_awready_o = !wr_act_q && !b_valid_q;
  assign s_wready_o  = wr_act_q && !c_wr_go;
  assign w_go        = s_wvalid_i && s_wready_o;
  assign w_ok        = in_main(wr_addr_q) && wr_burst_q != BurstWrap;

  always_comb begin
    wr_act_d   = wr_act_q;
    wr_addr_d  = wr_addr_q;
    wr_left_d  = wr_left_q;
    wr_size_d  = wr_size_q;
    wr_burst_d = wr_burst_q;
    wr_id_d    = wr_id_q;
    wr_err_d   = wr_err_q;
    b_valid_d  = b_valid_q && !s_bready_i;
    b_resp_d   = b_resp_q;
    b_id_d     = b_id_q;
    if (s_awvalid_i && s_awready_o) begin
      wr_act_d   = 1'b1;
      wr_addr_d  = s_awaddr_i;
      wr_left_d  = s_awlen_i;
      wr_size_d  = s_awsize_i;
      wr_burst_d = s_awburst_i;
      wr_id_d    = s_awid_i;
      wr_err_d   = 1'b0;
    end
    if (w_go) begin
      wr_addr_d = next_addr(wr_addr_q, wr_size_q, wr_burst_q);
      wr_left_d = wr_left_q - 8'd1;
      wr_err_d  = wr_err_q || !w_ok;
      if (wr_left_q == 8'd0) begin  // the last beat (AWLEN counts; WLAST is checked below)
        wr_act_d  = 1'b0;
        b_valid_d = 1'b1;
        b_resp_d  = (wr_err_q || !w_ok) ? RespSlverr : RespOkay;
        b_id_d    = wr_id_q;
      end
    end
  end

  assign s_bvalid_o = b_valid_q;
  assign s_bresp_o  = b_resp_q;
  assign s_bid_o    = b_id_q;

  // RAM write port: a core write, else an in-range W beat
  always_comb begin
    ram_we    = c_wr_go || (w_go && w_ok);
    ram_waddr = c_wr_go ? c_line : wr_addr_q[Ob +: Aw];
    ram_wdata = c_wr_go ? {Lanes{c_wdata_i}} : s_wdata_i;
    ram_wmask = c_wr_go ? BusBytes'(BusBytes'(c_wstrb_i) << (4 * c_lane)) : s_wstrb_i;
  end

  // ---------------------------------------------------------------------------------------
  // Registers
  // ---------------------------------------------------------------------------------------
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      c_rd_q     <= 1'b0;
      rd_act_q   <= 1'b0;
      rd_addr_q  <= '0;
      rd_left_q  <= '0;
      rd_size_q  <= '0;
      rd_burst_q <= '0;
      rd_id_q    <= '0;
      r_valid_q  <= 1'b0;
      r_last_q   <= 1'b0;
      r_resp_q   <= '0;
      r_id_q     <= '0;
      wr_act_q   <= 1'b0;
      wr_addr_q  <= '0;
      wr_left_q  <= '0;
      wr_size_q  <= '0;
      wr_burst_q <= '0;
      wr_id_q    <= '0;
      wr_err_q   <= 1'b0;
      b_valid_q  <= 1'b0;
      b_resp_q   <= '0;
      b_id_q     <= '0;
    end else begin
      c_rd_q     <= c_rd_go;
      rd_act_q   <= rd_act_d;
      rd_addr_q  <= rd_addr_d;
      rd_left_q  <= rd_left_d;
      rd_size_q  <= rd_size_d;
      rd_burst_q <= rd_burst_d;
      rd_id_q    <= rd_id_d;
      r_valid_q  <= r_valid_d;
      r_last_q   <= r_last_d;
      r_resp_q   <= r_resp_d;
      r_id_q     <= r_id_d;
      wr_act_q   <= wr_act_d;
      wr_addr_q  <= wr_addr_d;
      wr_left_q  <= wr_left_d;
      wr_size_q  <= wr_size_d;
      wr_burst_q <= wr_burst_d;
      wr_id_q    <= wr_id_d;
      wr_err_q   <= wr_err_d;
      b_valid_q  <= b_valid_d;
      b_resp_q   <= b_resp_d;
      b_id_q     <= b_id_d;
    end
  end

  initial begin
    if (AxiDataWidth < 32 || (AxiDataWidth & (AxiDataWidth - 1)) != 0)
      $fatal(1, "systole_soc_mainmem: AxiDataWidth must be a power of two >= 32");
    if (MainBytes < 2 * BusBytes || MainBytes % BusBytes != 0)
      $fatal(1, "systole_soc_mainmem: MainBytes must be a multiple of the bus width (>= 2 lines)");
    if ((MainBase & ((32'd1 << (Ob + Aw)) - 32'd1)) != 32'd0)
      $fatal(1, "systole_soc_mainmem: MainBase must be aligned to the memory size");
  end

`ifndef SYNTHESIS
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      assert (!(c_rd_go && ax_rd_go)) else $error("systole_soc_mainmem: two reads issued");
      assert (!(w_go && s_wlast_i != (wr_left_q == 8'd0)))
        else $error("systole_soc_mainmem: WLAST does not match AWLEN");
      assert (!(c_valid_i && !in_main(c_addr_i)))
        else $error("systole_soc_mainmem: core access outside main memory");
    end
  end
`endif
endmodule
