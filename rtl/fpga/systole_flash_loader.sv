// Boot loader in hardware: copies the firmware image from a SPI flash into the SoC's memories
// through the SoC's loader port (boot_hold_o / ld_*), then lets the core run.
//
// The iCE40's bitstream can initialise block RAM (EBR, 15 KiB on the UP5K) but not the
// single-port RAMs (SPRAM) that hold the firmware, and the firmware (the driver) is several
// times larger than all EBR. So the image lives in the configuration flash beside the
// bitstream (docs/fpga.md) and this block loads it at every reset. It needs no code: one SPI
// READ command streams the whole image.
//
// Image format at FlashOffset, 32-bit little-endian words:
//   magic 0x54535953 ("SYST")
//   { byte address, word count N, N words } ...   segments, loaded in order
//   { any, 0 }                                    end
// A wrong magic stops with error_o set and the core held: nothing runs from a blank or
// foreign flash.
//
// SPI mode 0 at clk_i / 2: MOSI changes with SCK falling, the flash samples it on SCK rising;
// MISO is sampled at the end of the SCK high phase. Commands: 0xAB (release from deep
// power-down: icepack's bitstreams end by sending the flash to deep power-down unless packed
// with -s; harmless if the flash is awake), a wait of WakeCycles, then 0x03 (READ) with the
// 24-bit FlashOffset, one bit per two clocks until the end marker.
module systole_flash_loader #(
  parameter logic [23:0] FlashOffset = 24'h10_0000,  // image offset in the flash (1 MiB)
  parameter int          WakeCycles  = 256,          // >= 3 us (tRES1) at the clock used
  // address bits [CountBits-1:2] count from word to word, the bits above are only loaded:
  // 32 for any image; fewer (the board: 18) save adder bits, and then a segment must not
  // cross a 2^CountBits-byte boundary (the board's memories are 64 KiB each)
  parameter int          CountBits   = 32,
  // address bits kept (the others read 0, their flip-flops go away): all for any image;
  // the board keeps bit 31 and the counted bits 17:2 (32'h8003_FFFC; segments are word
  // aligned), enough to tell its RAM (0x0000_0000) from its main memory (0x8000_0000): a
  // segment elsewhere would alias into one of them (the board's images hold only those
  // two, scripts/fpga.sh image)
  parameter logic [31:0] AddrMask    = 32'hFFFF_FFFF
) (
  input  logic        clk_i,
  input  logic        rst_ni,

  output logic        spi_cs_no,
  output logic        spi_sck_o,
  output logic        spi_mosi_o,
  input  logic        spi_miso_i,

  output logic        boot_hold_o,   // core held in reset while loading (and after an error)
  output logic        ld_we_o,       // one 32-bit word write
  output logic [31:0] ld_addr_o,
  output logic [31:0] ld_wdata_o,
  output logic        done_o,        // image loaded, core released
  output logic        error_o        // no image (bad magic)
);
  localparam logic [31:0] Magic = 32'h5453_5953;
  localparam int WakeW = $clog2(WakeCycles + 1);

  typedef enum logic [2:0] {
    S_WAKE,     // shifting 0xAB
    S_WAIT,     // CS high, waiting tRES1
    S_CMD,      // shifting 0x03 + address
    S_MAGIC,    // reading the magic word
    S_ADDR,     // reading a segment address
    S_COUNT,    // reading a segment length
    S_DATA,     // reading segment words
    S_DONE
  } state_e;

  state_e      state_q;
  logic [31:0] sr_q;          // shift register: command bits out of [31], MISO bits into [0]
  logic [4:0]  bit_q;         // bit within the current 32-bit word
  logic        sck_q;
  logic        cs_nq;
  logic        err_q;
  logic [WakeW-1:0] wait_q;
  logic [31:0] addr_q;
  logic [15:0] count_q;
  logic        we_q;
  logic [31:0] word;          // the bytes as they arrive, little-endian

  // bytes arrive in flash order b0 b1 b2 b3, each MSB first: sr = {b0, b1, b2, b3}
  assign word = {sr_q[7:0], sr_q[15:8], sr_q[23:16], sr_q[31:24]};

  // sr_q and the next MISO bit: the word that completes with this sample
  logic [31:0] sr_next;
  assign sr_next = {sr_q[30:0], spi_miso_i};
  logic [31:0] word_next;
  assign word_next = {sr_next[7:0], sr_next[15:8], sr_next[23:16], sr_next[31:24]};

  logic shifting;
  assign shifting = (state_q != S_WAIT) && (state_q != S_DONE) && !err_q;

  // A word completes with the sample of its 32nd bit. A sample (the end of the SCK high
  // phase) always follows a cycle with SCK low, CS low and shifting, in which state_q and
  // bit_q already have the values of the sample cycle: so the sample's word events are
  // registered one cycle ahead (wd_q, ld_addr_q, ld_count_q, dec_count_q), and the counters'
  // adders start from flip-flops. The address and the word count are loaded from words and
  // counted (+4 after each write, -1 after each data word): the loaded register also goes
  // through the adder (B = all ones, its carries then do not matter), so each bit is one LUT
  // that adds and selects the load.
  logic        pre_word;       // the next cycle samples the last bit of a word
  logic        wd_q;           // this cycle samples the last bit of a word
  logic        ld_addr_q, ld_count_q, dec_count_q;  // ... of a segment address, count, data
  logic [4:0]  bit_inc;
  logic [CountBits-1:2] addr_inc;
  logic [15:0] count_dec;
  assign pre_word  = shifting && !cs_nq && !sck_q && bit_q == 5'd31;
  assign bit_inc   = bit_q + 5'd1;
  assign addr_inc  = addr_q[CountBits-1:2] + {(CountBits - 2){ld_addr_q}} +
                     (CountBits - 2)'(we_q);
  assign count_dec = count_q + {16{ld_count_q || dec_count_q}};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= S_WAKE;
      sr_q    <= {8'hAB, 24'h0};
      bit_q   <= '0;
      sck_q   <= 1'b0;
      cs_nq   <= 1'b1;
      err_q   <= 1'b0;
      wait_q  <= '0;
      addr_q  <= '0;
      count_q <= '0;
      we_q    <= 1'b0;
      wd_q        <= 1'b0;
      ld_addr_q   <= 1'b0;
      ld_count_q  <= 1'b0;
      dec_count_q <= 1'b0;
    end else begin
      we_q        <= 1'b0;
      wd_q        <= pre_word;
      ld_addr_q   <= pre_word && state_q == S_ADDR;
      ld_count_q  <= pre_word && state_q == S_COUNT;
      dec_count_q <= pre_word && state_q == S_DATA;
      if (shifting && cs_nq) begin
        cs_nq <= 1'b0;                       // one clock of CS low before the first SCK
      end else if (shifting) begin
        sck_q <= !sck_q;
        if (sck_q) begin                     // end of the high phase: sample, next bit
          sr_q  <= sr_next;
          bit_q <= bit_inc;
          if (wd_q) begin                    // a whole word has gone out / come in
            case (state_q)
              S_WAKE: begin
                state_q <= S_WAIT;
                cs_nq   <= 1'b1;
                sr_q    <= {8'h03, FlashOffset};
              end
              S_CMD:   state_q <= S_MAGIC;
              S_MAGIC: begin
                if (word_next == Magic) state_q <= S_ADDR;
                else begin
                  err_q <= 1'b1;
                  cs_nq <= 1'b1;
                end
              end
              S_ADDR: state_q <= S_COUNT;  // (addr_q below)
              S_COUNT: begin                     // (count_q below)
                if (word_next[15:0] == 16'd0) begin
                  state_q <= S_DONE;
                  cs_nq   <= 1'b1;
                end else begin
                  state_q <= S_DATA;
                end
              end
              S_DATA: begin
                we_q <= 1'b1;
                if (count_q == 16'd1) state_q <= S_ADDR;
              end
              default: ;
            endcase
          end
        end
      end else if (state_q == S_WAIT) begin
        wait_q <= wait_q + 1'b1;
        if (wait_q == WakeW'(WakeCycles)) state_q <= S_CMD;
      end
      // the address: loaded from its word, then + 4 after each write; the count: loaded,
      // then - 1 after each data word
      if (ld_addr_q) addr_q <= word_next;
      else           addr_q[CountBits-1:2] <= addr_inc;
      count_q <= ld_count_q ? word_next[15:0] : count_dec;
    end
  end

  // Write data: the word just completed (sr_q holds it the cycle after the last sample).
  assign ld_we_o     = we_q;
  assign ld_addr_o   = addr_q & AddrMask;
  assign ld_wdata_o  = word;

  assign spi_cs_no   = cs_nq;
  assign spi_sck_o   = sck_q;
  assign spi_mosi_o  = sr_q[31];
  assign boot_hold_o = (state_q != S_DONE);
  assign done_o      = (state_q == S_DONE);
  assign error_o     = err_q;
endmodule
