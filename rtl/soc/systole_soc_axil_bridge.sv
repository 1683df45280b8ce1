// Native bus to AXI4-Lite master: the core's accesses to the Systole CSR window.
//
// One transaction at a time. A request (req_i, fields held until ready_o, as the native
// bus guarantees) raises AW+W for a write (wstrb_i != 0) or AR for a read in the next
// cycle; the request completes (ready_o) in the cycle the B or R response arrives, with
// err_o for SLVERR/DECERR (err_o is low without ready_o). Address and data come straight
// from the held request fields.
module systole_soc_axil_bridge (
  input  logic        clk_i,
  input  logic        rst_ni,
  // native bus side
  input  logic        req_i,
  input  logic [11:0] addr_i,
  input  logic [3:0]  wstrb_i,
  input  logic [31:0] wdata_i,
  output logic        ready_o,
  output logic [31:0] rdata_o,
  output logic        err_o,
  // AXI4-Lite master
  output logic [11:0] m_awaddr_o,
  output logic        m_awvalid_o,
  input  logic        m_awready_i,
  output logic [31:0] m_wdata_o,
  output logic [3:0]  m_wstrb_o,
  output logic        m_wvalid_o,
  input  logic        m_wready_i,
  input  logic [1:0]  m_bresp_i,
  input  logic        m_bvalid_i,
  output logic        m_bready_o,
  output logic [11:0] m_araddr_o,
  output logic        m_arvalid_o,
  input  logic        m_arready_i,
  input  logic [31:0] m_rdata_i,
  input  logic [1:0]  m_rresp_i,
  input  logic        m_rvalid_i,
  output logic        m_rready_o
);
  logic busy_q, busy_d;  // a transaction is out
  logic aw_q, aw_d, w_q, w_d, ar_q, ar_d;  // channels still to hand over
  logic done;

  assign done = busy_q && (m_bvalid_i || m_rvalid_i);

  always_comb begin
    busy_d = busy_q;
    aw_d   = aw_q && !m_awready_i;
    w_d    = w_q && !m_wready_i;
    ar_d   = ar_q && !m_arready_i;
    if (!busy_q && req_i) begin
      busy_d = 1'b1;
      aw_d   = (wstrb_i != 4'b0000);
      w_d    = (wstrb_i != 4'b0000);
      ar_d   = (wstrb_i == 4'b0000);
    end
    if (done) busy_d = 1'b0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      aw_q   <= 1'b0;
      w_q    <= 1'b0;
      ar_q   <= 1'b0;
    end else begin
      busy_q <= busy_d;
      aw_q   <= aw_d;
      w_q    <= w_d;
      ar_q   <= ar_d;
    end
  end

  assign m_awaddr_o  = addr_i;
  assign m_awvalid_o = aw_q;
  assign m_wdata_o   = wdata_i;
  assign m_wstrb_o   = wstrb_i;
  assign m_wvalid_o  = w_q;
  assign m_bready_o  = busy_q;
  assign m_araddr_o  = addr_i;
  assign m_arvalid_o = ar_q;
  assign m_rready_o  = busy_q;

  assign ready_o = done;
  assign rdata_o = m_rdata_i;
  // (err_o is 0 unless ready_o, so that the SoC may OR it with other responses)
  assign err_o   = done && (m_bvalid_i ? (m_bresp_i != 2'b00) : (m_rresp_i != 2'b00));
endmodule
