// SoC UART: 8N1 transmitter with a programmable bit time.
//
// Registers (word offsets of the 4 KiB page; other offsets read 0, writes ignored):
//   +0 TXDATA (W)  bits [7:0] start a transmission. A write while the transmitter is busy
//                  is reported on byte_valid_o but not sent on the line: poll STATUS.
//   +4 STATUS (R)  bit 0: transmitter busy
//   +8 DIV (R/W)   bits [15:0]: clock cycles per bit (0 counts as 1); reset value UartDiv.
//                  A write during a transmission restarts the current bit's time. With
//                  DivFixed (the board) DIV reads UartDiv and ignores writes.
// byte_valid_o/byte_o show every TXDATA write for one cycle, so simulators can print the
// byte without decoding the serial line.
//
// The bit timer counts up from 1 and a bit ends when the count equals DIV (or DIV is 0 or
// 1, a flag kept with DIV): one LUT per bit for the counter (its restart at 1 is the
// flip-flops' synchronous set/reset), an equality of two registers for the end. The shift
// register holds ones when idle, so the line is its bit 0.
module systole_soc_uart #(
  parameter int UartDiv  = 434, // reset value of DIV (e.g. 50 MHz / 115200 baud)
  // 1: DIV is the constant UartDiv (reads it, writes ignored): no DIV register, and the bit
  // timer has only the bits UartDiv needs (the board: its firmware keeps the reset baud rate)
  parameter int DivFixed = 0
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
  localparam int CntW = (DivFixed != 0) ? $clog2(UartDiv + 1) : 16;
  logic [15:0] div_q;
  logic        div_le1_q;         // DIV is 0 or 1: every cycle ends a bit
  logic [CntW-1:0] cnt_q;         // cycles into the current bit, from 1
  logic [3:0]  bits_q;            // bit times left (start, 8 data, stop); 0 = idle
  logic [8:0]  shift_q;           // bit 0 is on the line; ones shift in (the stop bit)
  logic        bv_q;
  logic [7:0]  byte_q;
  logic        wr_tx, wr_div, wr_div_q, busy, bit_end, page_lo;

  assign page_lo = (addr_i[11:4] == 8'd0);
  assign busy    = (bits_q != 4'd0);
  assign wr_tx   = req_i && we_i && page_lo && addr_i[3:2] == 2'd0;
  assign wr_div  = req_i && we_i && page_lo && addr_i[3:2] == 2'd2;
  assign bit_end = busy && (cnt_q == CntW'(div_q) || div_le1_q);

  if (DivFixed != 0) begin : g_div_fixed
    assign div_q     = 16'(UartDiv);
    assign div_le1_q = (UartDiv <= 1);
    assign wr_div_q  = 1'b0;
    logic unused;
    assign unused = wr_div | (|wdata_i[15:8]);  // (only DIV takes the upper bits)
  end else begin : g_div_reg
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        div_q     <= 16'(UartDiv);
        div_le1_q <= (UartDiv <= 1);
        wr_div_q  <= 1'b0;
      end else begin
        wr_div_q <= wr_div;
        if (wr_div) begin
          div_q     <= wdata_i;
          div_le1_q <= (wdata_i[15:1] == 15'd0);
        end
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      bits_q  <= '0;
      shift_q <= '1;
      bv_q    <= 1'b0;
      byte_q  <= '0;
    end else begin
      bv_q     <= wr_tx;
      if (wr_tx) byte_q <= wdata_i[7:0];
      if (bit_end) begin
        bits_q  <= bits_q - 4'd1;
        shift_q <= {1'b1, shift_q[8:1]};
      end else if (wr_tx && !busy) begin
        bits_q  <= 4'd10;
        shift_q <= {wdata_i[7:0], 1'b0};
      end
    end
  end

  // the bit timer: no reset (it restarts at 1 while idle, after each bit and the cycle after
  // a DIV write, so that the count never passes the new DIV; the restart is registered so
  // that the bus decode does not drive the counter's synchronous reset)
  always_ff @(posedge clk_i) begin
    if (!busy || bit_end || wr_div_q) cnt_q <= CntW'(1);
    else                            cnt_q <= cnt_q + CntW'(1);
  end

  always_comb begin
    rdata_o = '0;
    if (page_lo && addr_i[3:2] == 2'd1) rdata_o[0] = busy;
    if (page_lo && addr_i[3:2] == 2'd2) rdata_o[15:0] = div_q;
  end

  assign tx_o         = shift_q[0];
  assign byte_valid_o = bv_q;
  assign byte_o       = byte_q;

  initial begin
    if (UartDiv < 1 || UartDiv > 65535) $fatal(1, "systole_soc_uart: UartDiv must be in 1..65535");
  end
endmodule
