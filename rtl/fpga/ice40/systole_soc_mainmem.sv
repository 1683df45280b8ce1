// SoC main memory for the iCE40 UltraPlus: the same module, ports and AXI behaviour as
// rtl/soc/systole_soc_mainmem.sv, built on ONE single-port 32-bit RAM so that Yosys maps it
// to SPRAM (synth_ice40 -spram; 64 KiB = two SB_SPRAM256KA). The board's file list
// (rtl/fpga/icebreaker/files.f) uses this file instead of the generic one.
//
// Why a variant: the generic main memory is one AxiDataWidth-wide RAM with a write port and a
// read port. SPRAM has one port, 16 bits wide; a 64-bit line would take all four blocks of
// the UP5K and leave none for the firmware RAM. Here each AXI beat is split into
// AxiDataWidth/32 word accesses, one per cycle, in lane order (a 64-bit beat every two
// cycles at best), and the core, the AXI reads and the AXI writes share the one port.
//
// Per cycle the port goes to: a core access (a write completes in its cycle, a read the next
// cycle, as in the generic module), else to the AXI write or read side, alternating when
// both wait. A read (core or AXI) is only issued while the R output is free or being taken:
// R data is {RAM output, earlier lanes held in a register}, and the RAM output holds while
// no read is issued (writes leave it unchanged, as SPRAM does).
//
// AXI: one read burst and one write burst at a time; INCR and FIXED bursts of any size up to
// the bus width (a beat is its whole line, with WSTRB); WRAP and beats outside
// [MainBase, MainBase + MainBytes) get SLVERR (read data undefined, write dropped); a write
// burst's B is SLVERR if any of its beats was; W is taken with its last lane's write; a
// lane whose strobes are all 0 is skipped (no access) but still takes its cycle.
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
  input  logic                      s_wlast_i,     // AWLEN counts the beats; checked below
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
  localparam int Lanes    = AxiDataWidth / 32;           // 32-bit words per line
  localparam int Lw       = $clog2(Lanes);
  localparam int Words    = MainBytes / 4;
  localparam int Wa       = $clog2(Words);                // word address bits
  localparam logic [32:0] MainEnd = {1'b0, MainBase} + 33'(MainBytes);
  localparam logic [1:0]  BurstFixed = 2'b00;
  localparam logic [1:0]  BurstWrap  = 2'b10;
  localparam logic [1:0]  RespOkay   = 2'b00;
  localparam logic [1:0]  RespSlverr = 2'b10;
  localparam logic [Lw-1:0] LastLane = {Lw{1'b1}};       // Lanes is a power of two

  function automatic logic in_main(input logic [31:0] addr);
    in_main = ({1'b0, addr} >= {1'b0, MainBase}) && ({1'b0, addr} < MainEnd);
  endfunction

  function automatic logic [31:0] next_addr(input logic [31:0] addr, input logic [2:0] size,
                                            input logic [1:0] burst);
    next_addr = (burst == BurstFixed) ? addr : addr + (32'd1 << size);
  endfunction

  // ---------------------------------------------------------------------------------------
  // The RAM: one port, 32-bit words
  // ---------------------------------------------------------------------------------------
  logic          ram_req;
  logic [3:0]    ram_we;
  logic [Wa-1:0] ram_addr;
  logic [31:0]   ram_wdata, ram_rdata;

  systole_soc_ram #(
    .Words    (Words),
    .InitFile ("")
  ) u_ram (
    .clk_i   (clk_i),
    .req_i   (ram_req),
    .we_i    (ram_we),
    .addr_i  (ram_addr),
    .wdata_i (ram_wdata),
    .rdata_o (ram_rdata)
  );

  // ---------------------------------------------------------------------------------------
  // State
  // ---------------------------------------------------------------------------------------
  logic                  c_rd_q;        // a core read was issued last cycle
  logic                  pri_rd_q;      // AXI side that goes first when both wait: 1 = read
  // read burst
  logic                  rd_act_q;
  logic [31:0]           rd_addr_q;
  logic [7:0]            rd_left_q;     // beats after the current one
  logic [2:0]            rd_size_q;
  logic [1:0]            rd_burst_q;
  logic [AxiIdWidth-1:0] rd_id_q;
  logic [Lw-1:0]         rd_lane_q;     // next lane to read of the current beat
  logic                  rd_pend_q;     // an AXI lane read was issued last cycle ...
  logic [Lw-1:0]         rd_pend_lane_q;//   ... of this lane
  logic [AxiDataWidth-33:0] r_lo_q;     // lanes 0 .. Lanes-2 of the beat being read
  logic                  r_valid_q, r_last_q;
  logic [1:0]            r_resp_q;
  logic [AxiIdWidth-1:0] r_id_q;
  // write burst
  logic                  wr_act_q;
  logic [31:0]           wr_addr_q;
  logic [7:0]            wr_left_q;
  logic [2:0]            wr_size_q;
  logic [1:0]            wr_burst_q;
  logic [AxiIdWidth-1:0] wr_id_q;
  logic [Lw-1:0]         wr_lane_q;
  logic                  wr_err_q;
  logic                  b_valid_q;
  logic [1:0]            b_resp_q;
  logic [AxiIdWidth-1:0] b_id_q;

  // ---------------------------------------------------------------------------------------
  // Port arbitration
  // ---------------------------------------------------------------------------------------
  logic c_write, out_free, c_rd_go, c_wr_go, c_go;
  logic ax_w_req, ax_r_req, ax_w_go, ax_r_go;
  logic r_ok, w_ok, w_lane_on;
  logic [3:0] w_lane_strb;

  assign c_write  = (c_wstrb_i != 4'b0000);
  assign out_free = !r_valid_q || s_rready_i;
  assign c_wr_go  = c_valid_i && c_write;
  assign c_rd_go  = c_valid_i && !c_write && !c_rd_q && out_free;
  assign c_go     = c_wr_go || c_rd_go;

  assign ax_w_req = wr_act_q && s_wvalid_i;
  assign ax_r_req = rd_act_q && out_free;
  assign ax_w_go  = ax_w_req && !c_go && (!ax_r_req || !pri_rd_q);
  assign ax_r_go  = ax_r_req && !c_go && (!ax_w_req || pri_rd_q);

  assign r_ok        = in_main(rd_addr_q) && rd_burst_q != BurstWrap;
  assign w_ok        = in_main(wr_addr_q) && wr_burst_q != BurstWrap;
  assign w_lane_strb = s_wstrb_i[4 * wr_lane_q +: 4];
  assign w_lane_on   = w_ok && (w_lane_strb != 4'b0000);

  always_comb begin
    ram_req   = 1'b0;
    ram_we    = 4'b0000;
    ram_addr  = c_addr_i[2 +: Wa];
    ram_wdata = c_wdata_i;
    if (c_go) begin
      ram_req = 1'b1;
      ram_we  = c_wstrb_i;
    end else if (ax_w_go) begin
      ram_req   = w_lane_on;
      ram_we    = w_lane_strb;
      ram_addr  = {wr_addr_q[Wa+1:Lw+2], wr_lane_q};  // word of the lane
      ram_wdata = s_wdata_i[32 * wr_lane_q +: 32];
    end else if (ax_r_go) begin
      ram_req  = r_ok;
      ram_addr = {rd_addr_q[Wa+1:Lw+2], rd_lane_q};
    end
  end

  // ---------------------------------------------------------------------------------------
  // Outputs
  // ---------------------------------------------------------------------------------------
  logic rd_beat_end, rd_burst_end, wr_beat_end;
  assign rd_beat_end  = ax_r_go && rd_lane_q == LastLane;
  assign rd_burst_end = rd_beat_end && rd_left_q == 8'd0;
  assign wr_beat_end  = ax_w_go && wr_lane_q == LastLane;

  assign c_ready_o   = c_wr_go || c_rd_q;
  assign c_rdata_o   = ram_rdata;
  assign s_arready_o = !rd_act_q || rd_burst_end;
  assign s_rvalid_o  = r_valid_q;
  assign s_rdata_o   = {ram_rdata, r_lo_q};
  assign s_rresp_o   = r_resp_q;
  assign s_rlast_o   = r_last_q;
  assign s_rid_o     = r_id_q;
  assign s_awready_o = !wr_act_q && !b_valid_q;
  assign s_wready_o  = wr_beat_end;
  assign s_bvalid_o  = b_valid_q;
  assign s_bresp_o   = b_resp_q;
  assign s_bid_o     = b_id_q;

  // ---------------------------------------------------------------------------------------
  // Registers
  // ---------------------------------------------------------------------------------------
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      c_rd_q         <= 1'b0;
      pri_rd_q       <= 1'b0;
      rd_act_q       <= 1'b0;
      rd_addr_q      <= '0;
      rd_left_q      <= '0;
      rd_size_q      <= '0;
      rd_burst_q     <= '0;
      rd_id_q        <= '0;
      rd_lane_q      <= '0;
      rd_pend_q      <= 1'b0;
      rd_pend_lane_q <= '0;
      r_lo_q         <= '0;
      r_valid_q      <= 1'b0;
      r_last_q       <= 1'b0;
      r_resp_q       <= '0;
      r_id_q         <= '0;
      wr_act_q       <= 1'b0;
      wr_addr_q      <= '0;
      wr_left_q      <= '0;
      wr_size_q      <= '0;
      wr_burst_q     <= '0;
      wr_id_q        <= '0;
      wr_lane_q      <= '0;
      wr_err_q       <= 1'b0;
      b_valid_q      <= 1'b0;
      b_resp_q       <= '0;
      b_id_q         <= '0;
    end else begin
      c_rd_q <= c_rd_go;
      if (ax_r_go) pri_rd_q <= 1'b0;
      else if (ax_w_go) pri_rd_q <= 1'b1;

      // ---- read side ----
      rd_pend_q      <= ax_r_go;
      rd_pend_lane_q <= rd_lane_q;
      if (rd_pend_q && rd_pend_lane_q != LastLane)
        r_lo_q[32 * rd_pend_lane_q +: 32] <= ram_rdata;
      if (s_rready_i) r_valid_q <= 1'b0;
      if (ax_r_go) begin
        rd_lane_q <= rd_lane_q + 1'b1;
        if (rd_lane_q == LastLane) begin
          rd_lane_q <= '0;
          rd_addr_q <= next_addr(rd_addr_q, rd_size_q, rd_burst_q);
          rd_left_q <= rd_left_q - 8'd1;
          rd_act_q  <= (rd_left_q != 8'd0);
          r_valid_q <= 1'b1;
          r_last_q  <= (rd_left_q == 8'd0);
          r_resp_q  <= r_ok ? RespOkay : RespSlverr;
          r_id_q    <= rd_id_q;
        end
      end
      if (s_arvalid_i && s_arready_o) begin
        rd_act_q   <= 1'b1;
        rd_addr_q  <= s_araddr_i;
        rd_left_q  <= s_arlen_i;
        rd_size_q  <= s_arsize_i;
        rd_burst_q <= s_arburst_i;
        rd_id_q    <= s_arid_i;
        rd_lane_q  <= '0;
      end

      // ---- write side ----
      if (s_bready_i) b_valid_q <= 1'b0;
      if (s_awvalid_i && s_awready_o) begin
        wr_act_q   <= 1'b1;
        wr_addr_q  <= s_awaddr_i;
        wr_left_q  <= s_awlen_i;
        wr_size_q  <= s_awsize_i;
        wr_burst_q <= s_awburst_i;
        wr_id_q    <= s_awid_i;
        wr_lane_q  <= '0;
        wr_err_q   <= 1'b0;
      end
      if (ax_w_go) begin
        wr_lane_q <= wr_lane_q + 1'b1;
        if (wr_lane_q == LastLane) begin
          wr_lane_q <= '0;
          wr_addr_q <= next_addr(wr_addr_q, wr_size_q, wr_burst_q);
          wr_left_q <= wr_left_q - 8'd1;
          wr_err_q  <= wr_err_q || !w_ok;
          if (wr_left_q == 8'd0) begin
            wr_act_q  <= 1'b0;
            b_valid_q <= 1'b1;
            b_resp_q  <= (wr_err_q || !w_ok) ? RespSlverr : RespOkay;
            b_id_q    <= wr_id_q;
          end
        end
      end
    end
  end

  initial begin
    if (AxiDataWidth < 64 || (AxiDataWidth & (AxiDataWidth - 1)) != 0)
      $fatal(1, "systole_soc_mainmem: AxiDataWidth must be a power of two >= 64");
    if (MainBytes < 2 * BusBytes || MainBytes % BusBytes != 0)
      $fatal(1, "systole_soc_mainmem: MainBytes must be a multiple of the bus width (>= 2 lines)");
    if ((MainBase & ((32'd1 << Wa + 2) - 32'd1)) != 32'd0)
      $fatal(1, "systole_soc_mainmem: MainBase must be aligned to the memory size");
  end

`ifndef SYNTHESIS
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      assert (!(wr_beat_end && s_wlast_i != (wr_left_q == 8'd0)))
        else $error("systole_soc_mainmem: WLAST does not match AWLEN");
      assert (!(c_valid_i && !in_main(c_addr_i)))
        else $error("systole_soc_mainmem: core access outside main memory");
      assert (!(c_go && (ax_w_go || ax_r_go)))
        else $error("systole_soc_mainmem (iCE40): two accesses granted");
    end
  end
`endif
endmodule
