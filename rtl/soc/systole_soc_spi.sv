// Minimal SPI master of the SoC (BootRom = 1, the board): the boot ROM's program reads the
// firmware image from the configuration flash with it (firmware/boot/boot.S).
//
// Registers (word offsets; the page decodes only address bit 2, so they repeat through it):
//   +0 DATA (R/W)  W: bits [7:0] are shifted out MSB first while 8 bits are shifted in
//                  R: the last byte received (bits [7:0], zero above)
//   +4 CS   (W)    bit 0: 1 selects the device (CS low); reads as DATA
// Every access waits while a byte is being shifted (busy_o holds the bus's answer), so a
// write never cuts a transfer and a read returns the complete byte: the software needs no
// polling ("sw DATA; lw DATA" is one byte both ways).
//
// SPI mode 0 at clk_i / 2, as the board's former hardware flash loader had it:
// MOSI changes with SCK falling (the first bit when DATA is written, SCK low), the device
// samples it on SCK rising; MISO is sampled at the end of the SCK high phase. SCK stays low
// between bytes; a transfer takes 16 cycles.
module systole_soc_spi (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        req_i,      // an access (taken when !busy_o)
  input  logic        we_i,
  input  logic        addr_i,     // word offset bit 0: 0 DATA, 1 CS
  input  logic [7:0]  wdata_i,
  output logic [31:0] rdata_o,
  output logic        busy_o,
  output logic        spi_cs_no,
  output logic        spi_sck_o,
  output logic        spi_mosi_o,
  input  logic        spi_miso_i
);
  logic [7:0] sr_q;     // bits out of [7], MISO bits into [0]
  logic [2:0] bit_q;
  logic       busy_q, sck_q, cs_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sr_q   <= '0;
      bit_q  <= '0;
      busy_q <= 1'b0;
      sck_q  <= 1'b0;
      cs_q   <= 1'b0;
    end else if (busy_q) begin
      sck_q <= !sck_q;
      if (sck_q) begin                     // end of the high phase: sample, next bit
        sr_q   <= {sr_q[6:0], spi_miso_i};
        bit_q  <= bit_q + 3'd1;
        busy_q <= (bit_q != 3'd7);
      end
    end else if (req_i && we_i) begin
      if (!addr_i) begin
        sr_q   <= wdata_i;
        busy_q <= 1'b1;
      end else begin
        cs_q   <= wdata_i[0];
      end
    end
  end

  assign rdata_o    = {24'd0, sr_q};
  assign busy_o     = busy_q;
  assign spi_cs_no  = !cs_q;
  assign spi_sck_o  = sck_q;
  assign spi_mosi_o = sr_q[7];
endmodule
