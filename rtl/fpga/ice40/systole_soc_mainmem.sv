// SoC main memory for the iCE40 UltraPlus: the same module, ports and AXI protocol as
// rtl/soc/systole_soc_mainmem.sv, built on ONE single-port 32-bit RAM so that Yosys maps it
// to SPRAM (synth_ice40 -spram; 64 KiB = two SB_SPRAM256KA). The board's file list
// (rtl/fpga/icebreaker/files.f) uses this file instead of the generic one.
//
// Why a variant: the generic main memory is one AxiDataWidth-wide RAM with a write port and a
// read port. SPRAM has one port, 16 bits wide; a 64-bit line would take all four blocks of
// the UP5K and leave none for the firmware RAM. Here each AXI beat is split into
// AxiDataWidth/32 word accesses, one per cycle, in lane order (a 64-bit beat every two
// cycles at best), and the core and the AXI bursts share the one port. A 32-bit bus (the
// board's, AxiDataWidth = 32) is one lane: a beat is one word access, and the lane
// counter, the lane muxes and the held-lanes register do not exist.
//
// Small before fast (the UP5K is full): ONE AXI burst at a time, read or write (AW and AR
// alternate when both wait), with one set of burst registers and one address incrementer;
// a new burst is accepted once the last one's R beat or B response has been taken.
//
// Timing (the board's 30 MHz): no input reaches an output combinationally. Every ready and
// valid is a flip-flop, and the burst's accesses are decided a cycle ahead: AWREADY/ARREADY
// rise the cycle after the valid was seen (a valid stays up until its ready), a lane access
// is issued the cycle after it was decided (go_q), WREADY is a flip-flop raised with the
// beat's last lane. The RAM's inputs are the burst's registers or the core's fields,
// selected by go_q. The price: a burst starts a cycle later and a beat takes three cycles
// (two lanes and one to see the next beat or the R output free), where two would do.
//
// Per cycle the port goes to the burst if it decided so last cycle (go_q), else to a core
// access (a core waiting makes the burst leave the next cycle free). A core write is done
// in its cycle and answered the next (c_wack_q), a core read issued in its cycle and
// answered the next, as in the generic module. A read (core or AXI) is only issued while
// no R beat waits: R data is {RAM output, earlier lanes held in a register}, and the RAM
// output holds while no read is issued (writes leave it unchanged, as SPRAM does).
//
// AXI: INCR and FIXED bursts of any size up to the bus width (a beat is its whole line,
// with WSTRB); WRAP bursts and beats outside [MainBase, MainBase + MainBytes) get SLVERR
// (read data undefined, write dropped); a write burst's B is SLVERR if any of its beats
// was; W is taken with its last lane's write; a lane whose strobes are all 0 writes
// nothing (a harmless read) but still takes its cycle. The range is checked on the burst's
// first address and then on the address bits inside the memory (a burst that leaves the
// memory stays out):
// unlike the generic module, an INCR burst that starts below MainBase and runs into the
// memory (it crosses a 4 KiB boundary, which AXI forbids) gets SLVERR for all its beats.
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
  localparam int Lw       = (Lanes > 1) ? $clog2(Lanes) : 1;  // lane bits (unused if 1 lane)
  localparam int Words    = MainBytes / 4;
  localparam int Wa       = $clog2(Words);                // word address bits
  localparam int Ab       = Wa + 2;                       // byte address bits in the memory
  localparam bit MainPow2 = (MainBytes & (MainBytes - 1)) == 0;
  localparam logic [32:0] MainEnd = {1'b0, MainBase} + 33'(MainBytes);
  localparam logic [1:0]  BurstFixed = 2'b00;
  localparam logic [1:0]  BurstWrap  = 2'b10;
  localparam logic [1:0]  RespOkay   = 2'b00;
  localparam logic [1:0]  RespSlverr = 2'b10;

  function automatic logic in_main(input logic [31:0] addr);
    if (MainPow2) in_main = ((addr ^ MainBase) >> Ab) == 32'd0;
    else          in_main = ({1'b0, addr} >= {1'b0, MainBase}) && ({1'b0, addr} < MainEnd);
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
  logic                  c_wack_q;      // a core write was done last cycle (its ready)
  logic                  c_rd_q;        // a core read was issued last cycle (its ready)
  logic                  pri_rd_q;      // which of AR and AW goes first when both wait
  logic                  aw_acc_q;      // AW is taken this cycle (its valid was seen last cycle)
  logic                  ar_acc_q;      // AR is taken this cycle
  logic                  go_q;          // the port is the burst's this cycle (its next lane)
  logic                  wready_q;      // ... a write beat's last lane: W is taken
  // the burst
  logic                  act_q;         // a burst is under way
  logic                  wr_q;          // ... a write burst
  logic [Ab-1:0]         addr_q;        // its beat's address inside the memory
  logic                  ok_q;          // the address is inside the memory (and not WRAP)
  logic [7:0]            left_q;        // beats after the current one
  logic [2:0]            size_q;
  logic                  fixed_q;
  logic [AxiIdWidth-1:0] id_q;          // also the ID of its R beats and B response
  logic                  err_q;         // a write beat was out of range
  logic                  r_valid_q, r_last_q, r_err_q;
  logic                  b_valid_q;

  // ---------------------------------------------------------------------------------------
  // Port arbitration
  // ---------------------------------------------------------------------------------------
  // No input reaches an output combinationally: every ready and valid is a flip-flop, and
  // the burst's use of the port (go_q) is decided a cycle ahead from flip-flops and inputs.
  // The core takes the port in any cycle the burst does not own: a write is done in its
  // cycle and answered the next (c_wack_q), a read issued in its cycle (if no R beat waits
  // in the RAM output) and answered the next. The loader's one-cycle writes (boot_hold, no
  // burst under way, far apart) therefore land in their own cycle, as before.
  logic c_write, c_new, c_wr_go, c_rd_go, c_wait, beat_ok;
  logic [3:0]    w_lane_strb;
  logic [31:0]   w_lane_data;
  logic [Wa-1:0] lane_word;      // RAM word of the burst's current lane
  logic          lane_last;      // lane_q is the beat's last lane

  assign c_write = (c_wstrb_i != 4'b0000);
  assign c_new   = c_valid_i && !c_wack_q && !c_rd_q;    // a request not yet answered
  assign c_wr_go = c_new && c_write && !go_q;
  assign c_rd_go = c_new && !c_write && !go_q && !r_valid_q;
  assign c_wait  = c_new && !c_wr_go && !c_rd_go;

  assign beat_ok     = ok_q && (MainPow2 || 33'(addr_q) < 33'(MainBytes));

  // RAM inputs: the select is the flip-flop go_q. A write lane whose strobes are all 0, or
  // an out-of-range read lane, is a harmless read (no R beat waits during a write burst;
  // an out-of-range beat's data is undefined); an out-of-range write lane writes nothing.
  always_comb begin
    if (go_q) begin
      ram_req   = 1'b1;
      ram_we    = (wr_q && beat_ok) ? w_lane_strb : 4'b0000;
      ram_addr  = lane_word;
      ram_wdata = w_lane_data;
    end else begin
      ram_req   = c_wr_go || c_rd_go;
      ram_we    = c_wr_go ? c_wstrb_i : 4'b0000;
      ram_addr  = c_addr_i[2 +: Wa];
      ram_wdata = c_wdata_i;
    end
  end

  // Next cycle's decisions. A lane read next cycle needs the R output empty by then (its
  // data replaces the RAM output, which holds the waiting beat's last lane); a lane write
  // next cycle needs this cycle's W beat still there (valid, and not taken this cycle). A
  // new burst is taken once the last one has answered; AW and AR alternate when both wait.
  logic beat_end, last_go, acc_now, act_nx, wr_nx, r_busy_nx, go_d, wready_d, idle_nx;
  logic aw_acc_d, ar_acc_d;
  logic lane_nx_last;            // next cycle's lane is the beat's last

  assign beat_end  = go_q && lane_last;
  assign last_go   = beat_end && left_q == 8'd0;
  assign acc_now   = aw_acc_q || ar_acc_q;
  assign act_nx    = acc_now || (act_q && !last_go);
  assign wr_nx     = acc_now ? aw_acc_q : wr_q;
  assign r_busy_nx = (r_valid_q && !s_rready_i) || (beat_end && !wr_q);
  assign go_d      = act_nx && !c_wait && (wr_nx ? (s_wvalid_i && !wready_q) : !r_busy_nx);
  // (= go_d && wr_nx && ..., written without the R side: R's ready stays off this flop)
  assign wready_d  = act_nx && !c_wait && wr_nx && s_wvalid_i && !wready_q &&
                     lane_nx_last;
  assign idle_nx   = !act_q && !acc_now && (!r_valid_q || s_rready_i) &&
                     (!b_valid_q || s_bready_i);
  assign aw_acc_d  = idle_nx && s_awvalid_i && (!s_arvalid_i || !pri_rd_q);
  assign ar_acc_d  = idle_nx && s_arvalid_i && (!s_awvalid_i || pri_rd_q);

  // ---------------------------------------------------------------------------------------
  // Outputs (all flip-flops, the R data's last lane the RAM output)
  // ---------------------------------------------------------------------------------------
  logic [7:0]  step;
  logic [Ab:0] addr_inc;                // + the beat size; [Ab]: it left the memory
  assign step     = fixed_q ? 8'd0 : 8'd1 << size_q;
  assign addr_inc = {1'b0, addr_q} + (Ab + 1)'(step);

  assign c_ready_o   = c_wack_q || c_rd_q;
  assign c_rdata_o   = ram_rdata;
  assign s_arready_o = ar_acc_q;
  assign s_rvalid_o  = r_valid_q;
  assign s_rresp_o   = r_err_q ? RespSlverr : RespOkay;
  assign s_rlast_o   = r_last_q;
  assign s_rid_o     = id_q;
  assign s_awready_o = aw_acc_q;
  assign s_wready_o  = wready_q;
  assign s_bvalid_o  = b_valid_q;
  assign s_bresp_o   = err_q ? RespSlverr : RespOkay;
  assign s_bid_o     = id_q;

  // ---------------------------------------------------------------------------------------
  // Lanes: a beat of Lanes > 1 words is split into word accesses in lane order; the R beat
  // is {RAM output (last lane), earlier lanes held in r_lo_q}. One lane: none of this.
  // ---------------------------------------------------------------------------------------
  if (Lanes > 1) begin : g_lanes
    localparam logic [Lw-1:0] LastLane = {Lw{1'b1}};  // Lanes is a power of two
    logic [Lw-1:0]            lane_q;          // next lane of the current beat
    logic                     rd_pend_q;       // an AXI lane read was issued last cycle ...
    logic [Lw-1:0]            rd_pend_lane_q;  //   ... of this lane
    logic [AxiDataWidth-33:0] r_lo_q;          // lanes 0 .. Lanes-2 of the beat being read
    logic [Lw-1:0]            lane_nx;

    assign w_lane_strb  = s_wstrb_i[4 * lane_q +: 4];
    assign w_lane_data  = s_wdata_i[32 * lane_q +: 32];
    assign lane_word    = {addr_q[Ab-1:Lw+2], lane_q};
    assign lane_last    = lane_q == LastLane;
    assign lane_nx      = acc_now ? '0 : lane_q + Lw'(go_q);
    assign lane_nx_last = lane_nx == LastLane;
    assign s_rdata_o    = {ram_rdata, r_lo_q};

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        lane_q         <= '0;
        rd_pend_q      <= 1'b0;
        rd_pend_lane_q <= '0;
        r_lo_q         <= '0;
      end else begin
        lane_q         <= lane_nx;
        rd_pend_q      <= go_q && !wr_q;
        rd_pend_lane_q <= lane_q;
        if (rd_pend_q && rd_pend_lane_q != LastLane)
          r_lo_q[32 * rd_pend_lane_q +: 32] <= ram_rdata;
      end
    end
  end else begin : g_lane1
    assign w_lane_strb  = s_wstrb_i;
    assign w_lane_data  = s_wdata_i;
    assign lane_word    = addr_q[Ab-1:2];
    assign lane_last    = 1'b1;
    assign lane_nx_last = 1'b1;
    assign s_rdata_o    = ram_rdata;
  end

  // ---------------------------------------------------------------------------------------
  // Registers
  // ---------------------------------------------------------------------------------------
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      c_wack_q       <= 1'b0;
      c_rd_q         <= 1'b0;
      pri_rd_q       <= 1'b0;
      aw_acc_q       <= 1'b0;
      ar_acc_q       <= 1'b0;
      go_q           <= 1'b0;
      wready_q       <= 1'b0;
      act_q          <= 1'b0;
      wr_q           <= 1'b0;
      addr_q         <= '0;
      ok_q           <= 1'b0;
      left_q         <= '0;
      size_q         <= '0;
      fixed_q        <= 1'b0;
      id_q           <= '0;
      err_q          <= 1'b0;
      r_valid_q      <= 1'b0;
      r_last_q       <= 1'b0;
      r_err_q        <= 1'b0;
      b_valid_q      <= 1'b0;
    end else begin
      c_wack_q <= c_wr_go;
      c_rd_q   <= c_rd_go;
      aw_acc_q <= aw_acc_d;
      ar_acc_q <= ar_acc_d;
      go_q     <= go_d;
      wready_q <= wready_d;
      if (ar_acc_q) pri_rd_q <= 1'b0;
      else if (aw_acc_q) pri_rd_q <= 1'b1;

      if (s_rready_i) r_valid_q <= 1'b0;
      if (s_bready_i) b_valid_q <= 1'b0;

      if (go_q) begin
        if (beat_end) begin
          addr_q <= addr_inc[Ab-1:0];
          ok_q   <= ok_q && !addr_inc[Ab];
          left_q <= left_q - 8'd1;
          if (wr_q) begin
            err_q <= err_q || !beat_ok;
            if (left_q == 8'd0) b_valid_q <= 1'b1;
          end else begin
            r_valid_q <= 1'b1;
            r_last_q  <= (left_q == 8'd0);
            r_err_q   <= !beat_ok;
          end
          if (left_q == 8'd0) act_q <= 1'b0;
        end
      end

      // AXI: a valid stays up until its ready, so the valid seen last cycle is still here
      if (acc_now) begin
        act_q   <= 1'b1;
        wr_q    <= aw_acc_q;
        addr_q  <= aw_acc_q ? s_awaddr_i[Ab-1:0] : s_araddr_i[Ab-1:0];
        ok_q    <= aw_acc_q ? in_main(s_awaddr_i) && s_awburst_i != BurstWrap
                            : in_main(s_araddr_i) && s_arburst_i != BurstWrap;
        left_q  <= aw_acc_q ? s_awlen_i : s_arlen_i;
        size_q  <= aw_acc_q ? s_awsize_i : s_arsize_i;
        fixed_q <= aw_acc_q ? s_awburst_i == BurstFixed : s_arburst_i == BurstFixed;
        id_q    <= aw_acc_q ? s_awid_i : s_arid_i;
        err_q   <= 1'b0;
      end
    end
  end

  initial begin
    if (AxiDataWidth < 32 || (AxiDataWidth & (AxiDataWidth - 1)) != 0)
      $fatal(1, "systole_soc_mainmem: AxiDataWidth must be a power of two >= 32");
    if (MainBytes < 2 * BusBytes || MainBytes % BusBytes != 0)
      $fatal(1, "systole_soc_mainmem: MainBytes must be a multiple of the bus width (>= 2 lines)");
    if ((MainBase & ((32'd1 << Ab) - 32'd1)) != 32'd0)
      $fatal(1, "systole_soc_mainmem: MainBase must be aligned to the memory size");
  end

`ifndef SYNTHESIS
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      assert (!(wready_q && s_wlast_i != (left_q == 8'd0)))
        else $error("systole_soc_mainmem: WLAST does not match AWLEN");
      assert (!(wready_q && !s_wvalid_i) && !(aw_acc_q && !s_awvalid_i) &&
              !(ar_acc_q && !s_arvalid_i))
        else $error("systole_soc_mainmem: an AXI valid dropped before its ready");
      assert (!(c_valid_i && !in_main(c_addr_i)))
        else $error("systole_soc_mainmem: core access outside main memory");
    end
  end
`endif
endmodule
