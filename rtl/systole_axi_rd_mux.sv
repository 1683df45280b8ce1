// AXI4 read-channel multiplexer: two read masters onto one AXI4 master port.
//
// Master A (the DMA load engine) issues with ID 0, master B (command fetch) with ID 1; B has
// priority on AR. The AR channel is registered, so a request presented to the port never
// changes while it waits for arready. R beats are routed back by the low bit of RID.
// Bursts are INCR with the full bus width.
//
// ArReg = 0 (small FPGA builds): no AR register; the port shows the selected master's
// request directly and, once it waits for arready, keeps that master selected until the
// handshake. Both masters must then hold a presented request (valid, address, length)
// until it is accepted, as AXI masters do.
module systole_axi_rd_mux #(
  parameter int AxiDataWidth = 64,  // data bits
  parameter int AxiAddrWidth = 32,  // address bits (the masters use 32)
  parameter int AxiIdWidth   = 2,   // ID bits, >= 1
  parameter int ArReg        = 1    // 1: registered AR channel; 0: a lock bit only
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  // master A (ID 0)
  input  logic                    a_ar_valid_i,
  output logic                    a_ar_ready_o,
  input  logic [31:0]             a_ar_addr_i,
  input  logic [7:0]              a_ar_len_i,
  output logic                    a_r_valid_o,
  input  logic                    a_r_ready_i,
  output logic [AxiDataWidth-1:0] a_r_data_o,
  output logic [1:0]              a_r_resp_o,
  output logic                    a_r_last_o,
  // master B (ID 1)
  input  logic                    b_ar_valid_i,
  output logic                    b_ar_ready_o,
  input  logic [31:0]             b_ar_addr_i,
  input  logic [7:0]              b_ar_len_i,
  output logic                    b_r_valid_o,
  input  logic                    b_r_ready_i,
  output logic [AxiDataWidth-1:0] b_r_data_o,
  output logic [1:0]              b_r_resp_o,
  output logic                    b_r_last_o,
  // AXI4 master port
  output logic [AxiIdWidth-1:0]   m_arid_o,
  output logic [AxiAddrWidth-1:0] m_araddr_o,
  output logic [7:0]              m_arlen_o,
  output logic [2:0]              m_arsize_o,
  output logic [1:0]              m_arburst_o,
  output logic                    m_arvalid_o,
  input  logic                    m_arready_i,
  // Only bit 0 of RID routes the beat; the upper bits are ours and always 0.
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic [AxiIdWidth-1:0]   m_rid_i,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [AxiDataWidth-1:0] m_rdata_i,
  input  logic [1:0]              m_rresp_i,
  input  logic                    m_rlast_i,
  input  logic                    m_rvalid_i,
  output logic                    m_rready_o
);
  logic        ar_valid, ar_id;
  logic [31:0] ar_addr;
  logic [7:0]  ar_len;

  if (ArReg != 0) begin : g_reg
    logic        ar_valid_q, ar_valid_d;
    logic        ar_id_q, ar_id_d;
    logic [31:0] ar_addr_q, ar_addr_d;
    logic [7:0]  ar_len_q, ar_len_d;
    logic        slot_free;

    assign slot_free    = !ar_valid_q || m_arready_i;
    assign b_ar_ready_o = slot_free;
    assign a_ar_ready_o = slot_free && !b_ar_valid_i;

    always_comb begin
      ar_valid_d = ar_valid_q;
      ar_id_d    = ar_id_q;
      ar_addr_d  = ar_addr_q;
      ar_len_d   = ar_len_q;
      if (slot_free) begin
        ar_valid_d = a_ar_valid_i || b_ar_valid_i;
        ar_id_d    = b_ar_valid_i;
        ar_addr_d  = b_ar_valid_i ? b_ar_addr_i : a_ar_addr_i;
        ar_len_d   = b_ar_valid_i ? b_ar_len_i : a_ar_len_i;
      end
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        ar_valid_q <= 1'b0;
        ar_id_q    <= 1'b0;
        ar_addr_q  <= '0;
        ar_len_q   <= '0;
      end else begin
        ar_valid_q <= ar_valid_d;
        ar_id_q    <= ar_id_d;
        ar_addr_q  <= ar_addr_d;
        ar_len_q   <= ar_len_d;
      end
    end

    assign ar_valid = ar_valid_q;
    assign ar_id    = ar_id_q;
    assign ar_addr  = ar_addr_q;
    assign ar_len   = ar_len_q;
  end else begin : g_lock
    // lock_q: the request shown last cycle was not accepted, sel_q still names its master
    logic lock_q, sel_q;

    assign ar_id    = lock_q ? sel_q : b_ar_valid_i;
    assign ar_valid = ar_id ? b_ar_valid_i : a_ar_valid_i;
    assign ar_addr  = ar_id ? b_ar_addr_i : a_ar_addr_i;
    assign ar_len   = ar_id ? b_ar_len_i : a_ar_len_i;
    assign b_ar_ready_o = m_arready_i && ar_id;
    assign a_ar_ready_o = m_arready_i && !ar_id;

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        lock_q <= 1'b0;
        sel_q  <= 1'b0;
      end else begin
        lock_q <= ar_valid && !m_arready_i;
        sel_q  <= ar_id;
      end
    end
  end

  assign m_arvalid_o = ar_valid;
  assign m_arid_o    = AxiIdWidth'(ar_id);
  assign m_araddr_o  = AxiAddrWidth'(ar_addr);
  assign m_arlen_o   = ar_len;
  assign m_arsize_o  = 3'($clog2(AxiDataWidth / 8));
  assign m_arburst_o = 2'b01;

  // R routing
  assign a_r_valid_o = m_rvalid_i && !m_rid_i[0];
  assign b_r_valid_o = m_rvalid_i && m_rid_i[0];
  assign m_rready_o  = m_rid_i[0] ? b_r_ready_i : a_r_ready_i;
  assign a_r_data_o  = m_rdata_i;
  assign b_r_data_o  = m_rdata_i;
  assign a_r_resp_o  = m_rresp_i;
  assign b_r_resp_o  = m_rresp_i;
  assign a_r_last_o  = m_rlast_i;
  assign b_r_last_o  = m_rlast_i;

  initial begin
    if (AxiIdWidth < 1) $fatal(1, "systole_axi_rd_mux: AxiIdWidth must be >= 1");
    if (AxiAddrWidth < 32) $fatal(1, "systole_axi_rd_mux: AxiAddrWidth must be >= 32");
  end
endmodule
