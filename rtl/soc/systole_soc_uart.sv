// SoC UART: 8N1 transmitter with a programmable bit time.
//
// Registers (word offsets of the 4 KiB page; other offsets read 0, writes ignored):
//   +0 TXDATA (W)  bits [7:0] start a transmission. A write while the transmitter is busy
//                  is reported on byte_valid_o but not sent on the line: poll STATUS.
//   +4 STATUS (R)  bit 0: transmitter busy
//   +8 DIV (R/W)   bits [15:0]: clock cycles per bit (0 counts as 1); reset value UartDiv
// byte_valid_o/byte_o show every TXDATA write for one cycle, so simulators can print the
// byte without decoding the serial line.
module systole_soc_uart #(
  parameter int UartDiv = 434  // reset value of DIV (e.g. 50 MHz / 115200 baud)
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  // register access, completes in the cycle of req_i
  input  logic        req_i,
  input  logic        we_i,
  input  logic [11:2] addr_i,
  input  logic [15:0] wdata_i,
  output logic [31:0] rdata_o,
  // serial line and the simulator's byte tap
  output logic        tx_o,
  output logic        byte_valid_o,
  output logic [7:0]  byte_o
);
  logic [15:0] div_q, div_d;
  logic [15:0] cnt_q, cnt_d;      // cycles left in the current bit
  logic [3:0]  bits_q, bits_d;    // bit times left (start, 8 data, stop); 0 = idle
  logic [8:0]  shift_q, shift_d;  // bit 0 is on the line; ones shift in (the stop bit)
  logic        bv_q, bv_d;
  logic [7:0]  byte_q, byte_d;
  logic        wr_tx, busy;
  logic [15:0] reload;

  assign busy   = (bits_q != 4'd0);
  assign wr_tx  = req_i && we_i && (addr_i == 10'd0);
  assign reload = (div_q == 16'd0) ? 16'd0 : div_q - 16'd1;

  always_comb begin
    div_d   = div_q;
    cnt_d   = cnt_q;
    bits_d  = bits_q;
    shift_d = shift_q;
    bv_d    = wr_tx;
    byte_d  = wr_tx ? wdata_i[7:0] : byte_q;
    if (req_i && we_i && addr_i == 10'd2) div_d = wdata_i[15:0];
    if (busy) begin
      if (cnt_q == 16'd0) begin
        cnt_d   = reload;
        bits_d  = bits_q - 4'd1;
        shift_d = {1'b1, shift_q[8:1]};
      end else begin
        cnt_d = cnt_q - 16'd1;
      end
    end else if (wr_tx) begin
      cnt_d   = reload;
      bits_d  = 4'd10;
      shift_d = {wdata_i[7:0], 1'b0};
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      div_q   <= 16'(UartDiv);
      cnt_q   <= '0;
      bits_q  <= '0;
      shift_q <= '1;
      bv_q    <= 1'b0;
      byte_q  <= '0;
    end else begin
      div_q   <= div_d;
      cnt_q   <= cnt_d;
      bits_q  <= bits_d;
      shift_q <= shift_d;
      bv_q    <= bv_d;
      byte_q  <= byte_d;
    end
  end

  always_comb begin
    unique case (addr_i)
      10'd1:   rdata_o = {31'd0, busy};
      10'd2:   rdata_o = {16'd0, div_q};
      default: rdata_o = '0;
    endcase
  end

  assign tx_o         = busy ? shift_q[0] : 1'b1;
  assign byte_valid_o = bv_q;
  assign byte_o       = byte_q;

  initial begin
    if (UartDiv < 1 || UartDiv > 65535) $fatal(1, "systole_soc_uart: UartDiv must be in 1..65535");
  end
endmodule
