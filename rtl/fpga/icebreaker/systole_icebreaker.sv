// iCEBreaker (iCE40UP5K-SG48) board top of the Systole SoC.
//
//   CLK (12 MHz) -> SB_PLL40_PAD -> clk (ClkHz, 30 MHz by default; scripts/fpga.sh sets the
//   dividers from icepll) -> reset: PLL lock, button, 15 cycles -> SoC.
//
// At every reset the core starts in the SoC's boot ROM (block RAM initialised by the
// bitstream from BootRomFile, built from firmware/boot/boot.S by scripts/fpga.sh), whose
// program copies the firmware image from the configuration flash (offset FlashOffset, 1 MiB)
// into the SoC's RAM and main memory through the SoC's SPI master page, then jumps to it at
// 0; the firmware talks on the FTDI UART (TX, pin 9, 115200 8N1). LEDs (active low):
//   green  blinks about once a second while booting and running; steady: exit code 0 (PASS)
//   red    steady: the firmware exited with a non-zero code (FAIL), or there is no firmware
//          image in the flash (bad magic: the boot program says so on the UART and exits
//          with code 0xB0070BAD; nothing runs)
// The button (BTN_N) resets the SoC and reloads and reruns the firmware.
// (The hardware flash loader, rtl/fpga/systole_flash_loader.sv until s12, did this job
// through the SoC's loader port; the board was 145 logic cells larger with it.)
//
// The same module is simulated by `make fpga-sim` with the iCE40 cells' models (Yosys
// cells_sim.v) and a model of the PLL that passes the 12 MHz clock through.
module systole_icebreaker #(
  // accelerator: the small configuration for the UP5K (docs/architecture.md, "Parameters";
  // docs/fpga.md); the same configuration as the SoC model's 4x4 config (sim/soc/soc.mk).
  parameter int Rows          = 4,
  parameter int Cols          = 4,
  parameter int SpadBytes     = 2048,
  parameter int AccBytes      = 4096,
  parameter int QParamLines   = 1,
  parameter int QueueDepth    = 0,
  parameter int ReadsInFlight = 4,
  // the chip's area options: the smallest accelerator (docs/architecture.md, "Parameters")
  parameter int FetchDepth    = 1,
  parameter int WritesInFlight = 4,
  parameter int StoreRows     = 1,
  parameter int HasSoftmax    = 0,
  parameter int PerfFull      = 0,
  parameter int SerialRequant = 1,
  parameter int UseIce40Dsp   = 1,
  parameter int SpadReadPorts = 1,
  parameter int AccReadPorts  = 1,
  parameter int LdSerial      = 1,
  parameter int SerialStore   = 1,
  // memories: firmware RAM and main memory, each in SPRAM (64 KiB = 2 blocks)
  parameter int RamBytes      = 65536,
  parameter int MainBytes     = 65536,
  // PLL: 12 MHz * (DIVF + 1) / ((DIVR + 1) * 2^DIVQ); icepll -i 12 -o <MHz>
  parameter int          ClkHz      = 30_000_000,
  parameter logic [3:0]  PllDivr    = 4'd0,
  parameter logic [6:0]  PllDivf    = 7'd79,
  parameter logic [2:0]  PllDivq    = 3'd5,
  parameter logic [2:0]  PllFilter  = 3'd1,
  parameter int          Baud       = 115200,
  parameter logic [23:0] FlashOffset = 24'h10_0000,  // (built into the boot program)
  // the boot program's $readmemh image (scripts/fpga.sh bootrom; "" leaves the ROM empty)
  parameter              BootRomFile = ""
) (
  input  logic CLK,
  input  logic BTN_N,
  output logic TX,
  output logic LEDR_N,
  output logic LEDG_N,
  output logic FLASH_SCK,
  output logic FLASH_SSB,
  output logic FLASH_IO0,
  input  logic FLASH_IO1,
  output logic FLASH_IO2,
  output logic FLASH_IO3
);
  // ---- clock ----------------------------------------------------------------------------
  logic clk, pll_lock;

  SB_PLL40_PAD #(
    .FEEDBACK_PATH("SIMPLE"),
    .DIVR         (PllDivr),
    .DIVF         (PllDivf),
    .DIVQ         (PllDivq),
    .FILTER_RANGE (PllFilter)
  ) u_pll (
    .PACKAGEPIN     (CLK),
    .PLLOUTCORE     (),
    .PLLOUTGLOBAL   (clk),
    .EXTFEEDBACK    (1'b0),
    .DYNAMICDELAY   (8'h00),
    .LOCK           (pll_lock),
    .BYPASS         (1'b0),
    .RESETB         (1'b1),
    .LATCHINPUTVALUE(1'b0),
    .SDO            (),
    .SDI            (1'b0),
    .SCLK           (1'b0)
  );

  // ---- reset: PLL locked and button released, synchronised, then 15 more cycles --------
  // (iCE40 flip-flops start at 0 after configuration, so the design starts in reset.)
  logic [1:0] lock_sync_q, btn_sync_q;
  logic [3:0] rst_cnt_q;
  logic       rst_n;

  always_ff @(posedge clk) begin
    lock_sync_q <= {lock_sync_q[0], pll_lock};
    btn_sync_q  <= {btn_sync_q[0], BTN_N};
    if (!lock_sync_q[1] || !btn_sync_q[1]) rst_cnt_q <= 4'd0;
    else if (!rst_n) rst_cnt_q <= rst_cnt_q + 4'd1;
  end
  assign rst_n = &rst_cnt_q;

  // ---- configuration flash: the SoC's SPI master (the boot program reads the image) ------
  // (FlashOffset is the boot program's: scripts/fpga.sh bootrom assembles it in)
  logic unused_offset;
  assign unused_offset = &{1'b0, FlashOffset};
  assign FLASH_IO2 = 1'b1;                     // /WP
  assign FLASH_IO3 = 1'b1;                     // /HOLD

  // ---- the SoC ---------------------------------------------------------------------------
  // (read by the fpga-sim harness: the boot program's error exit, BootErrCode)
  logic        exit_valid /* verilator public_flat_rd */;
  logic [31:0] exit_code /* verilator public_flat_rd */;

  systole_soc #(
    .Rows         (Rows),
    .Cols         (Cols),
    .SpadBytes    (SpadBytes),
    .AccBytes     (AccBytes),
    .QParamLines  (QParamLines),
    .QueueDepth   (QueueDepth),
    .ReadsInFlight(ReadsInFlight),
    .AxiDataWidth (32),                        // = the 4x4 scratchpad line (no lane logic)
    .RamBytes     (RamBytes),
    .MainBytes    (MainBytes),
    .RamInitFile  (""),
    .ClkHz        (ClkHz),
    .UartDiv      ((ClkHz + Baud / 2) / Baud),
    .UartDivFixed (1),                         // the firmware keeps the baud rate
    .FastMul      (0),
    .LdReg        (0),                         // (no loader: BootRom)
    .HasTimer     (0),                         // no machine timer: the firmware polls
    .TimerCmpRead (0),                         // (docs/soc.md; the two below then unused)
    .TimerHiBits  (16),
    .ExitReg      (0),                         // EXIT straight from the bus (see below)
    .BusLate      (1),                         // memory enables off the address decode
    .FastShift    (0),           // the core as RV32I + Zicsr, shifts 1 bit per cycle, no
    .TimeCsr      (0),           // time CSRs: the smallest (docs/soc.md); the firmware is
    .HasM         (0),           // built for rv32i (scripts/fpga.mk)
    .LtLate       (1),           // blt/bge: the next state off a flop, not the carry chain
    .FetchDepth   (FetchDepth),
    .WritesInFlight(WritesInFlight),
    .StoreRows    (StoreRows),
    .HasSoftmax   (HasSoftmax),
    .PerfFull     (PerfFull),
    // the accelerator's RING_BASE/WIN_BASE keep bit 31 and 16:0, WIN_SIZE 16:0: enough for
    // the 64 KiB main memory at 0x8000_0000, the only memory its DMA reaches (docs/fpga.md)
    .DmaAddrMask  (32'h8001_FFFF),
    .DmaSizeMask  (32'h0001_FFFF),
    .RingBits     (12),                        // rings up to 4095 slots (RING_SIZE 11:0)
    .SerialRequant(SerialRequant),
    .UseIce40Dsp  (UseIce40Dsp),
    .SpadReadPorts(SpadReadPorts),
    .AccReadPorts (AccReadPorts),
    .LdSerial     (LdSerial),
    .SerialStore  (SerialStore),
    .BootRom      (1),                         // boot ROM + SPI master: no loader port
    .BootRomBytes (1024),
    .BootRomFile  (BootRomFile)
  ) u_soc (
    .clk_i            (clk),
    .rst_ni           (rst_n),
    .uart_tx_o        (TX),
    .uart_byte_valid_o(),
    .uart_byte_o      (),
    .exit_valid_o     (exit_valid),
    .exit_code_o      (exit_code),
    .boot_hold_i      (1'b0),
    .ld_we_i          (1'b0),
    .ld_addr_i        (32'd0),
    .ld_wdata_i       (32'd0),
    .spi_cs_no        (FLASH_SSB),
    .spi_sck_o        (FLASH_SCK),
    .spi_mosi_o       (FLASH_IO0),
    .spi_miso_i       (FLASH_IO1),
    .acc_irq_o        (),
    .acc_idle_o       ()
  );

  // ---- status LEDs -----------------------------------------------------------------------
  // exit_q / fail_q are read by the fpga-sim harness (verilator public).
  logic        exit_q /* verilator public_flat_rd */;
  logic        fail_q /* verilator public_flat_rd */;
  logic [24:0] beat_q;

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      exit_q     <= 1'b0;
      fail_q     <= 1'b0;
      beat_q     <= '0;
    end else begin
      beat_q     <= beat_q + 25'd1;
      if (exit_valid && !exit_q) begin
        exit_q <= 1'b1;
        fail_q <= (exit_code != 32'd0);
      end
    end
  end

  logic green, red;
  assign green  = exit_q ? !fail_q : beat_q[24];
  assign red    = exit_q && fail_q;
  assign LEDG_N = !green;
  assign LEDR_N = !red;
endmodule
