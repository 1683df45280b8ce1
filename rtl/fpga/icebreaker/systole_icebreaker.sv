// iCEBreaker (iCE40UP5K-SG48) board top of the Systole SoC.
//
//   CLK (12 MHz) -> SB_PLL40_PAD -> clk (ClkHz, 30 MHz by default; scripts/fpga.sh sets the
//   dividers from icepll) -> reset: PLL lock, button, 15 cycles -> flash loader -> SoC.
//
// At every reset the flash loader (rtl/fpga/systole_flash_loader.sv) copies the firmware
// image from the configuration flash (offset 1 MiB) into the SoC's RAM through its loader
// port while the core is held; then the firmware runs and talks on the FTDI UART (TX, pin 9,
// 115200 8N1). LEDs (active low):
//   green  blinks about once a second while the firmware runs; steady: exit code 0 (PASS)
//   red    steady: the firmware exited with a non-zero code (FAIL);
//          fast blink: no firmware image in the flash (bad magic), nothing runs
// The button (BTN_N) resets the SoC and reloads and reruns the firmware.
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
  parameter logic [23:0] FlashOffset = 24'h10_0000
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

  // ---- firmware loader: configuration flash -> SoC memories ------------------------------
  logic        boot_hold, ld_we, boot_err;
  logic        boot_done /* verilator public_flat_rd */;
  logic [31:0] ld_addr, ld_wdata;

  systole_flash_loader #(
    .FlashOffset(FlashOffset),
    .WakeCycles (ClkHz / 250_000),             // 4 us: tRES1 of the flash is 3 us
    .CountBits  (18),                          // segments within 256 KiB (64 KiB memories)
    .AddrMask   (32'h8003_FFFC)                // RAM or main memory: bit 31 tells them apart
  ) u_loader (
    .clk_i      (clk),
    .rst_ni     (rst_n),
    .spi_cs_no  (FLASH_SSB),
    .spi_sck_o  (FLASH_SCK),
    .spi_mosi_o (FLASH_IO0),
    .spi_miso_i (FLASH_IO1),
    .boot_hold_o(boot_hold),
    .ld_we_o    (ld_we),
    .ld_addr_o  (ld_addr),
    .ld_wdata_o (ld_wdata),
    .done_o     (boot_done),
    .error_o    (boot_err)
  );
  assign FLASH_IO2 = 1'b1;                     // /WP
  assign FLASH_IO3 = 1'b1;                     // /HOLD

  // ---- the SoC ---------------------------------------------------------------------------
  logic        exit_valid;
  logic [31:0] exit_code;

  systole_soc #(
    .Rows         (Rows),
    .Cols         (Cols),
    .SpadBytes    (SpadBytes),
    .AccBytes     (AccBytes),
    .QParamLines  (QParamLines),
    .QueueDepth   (QueueDepth),
    .ReadsInFlight(ReadsInFlight),
    .AxiDataWidth (64),
    .RamBytes     (RamBytes),
    .MainBytes    (MainBytes),
    .RamInitFile  (""),
    .ClkHz        (ClkHz),
    .UartDiv      ((ClkHz + Baud / 2) / Baud),
    .UartDivFixed (1),                         // the firmware keeps the baud rate
    .FastMul      (0),
    .LdReg        (0),                         // the loader's outputs are flip-flops
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
    .SerialRequant(SerialRequant),
    .UseIce40Dsp  (UseIce40Dsp),
    .SpadReadPorts(SpadReadPorts),
    .AccReadPorts (AccReadPorts),
    .LdSerial     (LdSerial),
    .SerialStore  (SerialStore)
  ) u_soc (
    .clk_i            (clk),
    .rst_ni           (rst_n),
    .uart_tx_o        (TX),
    .uart_byte_valid_o(),
    .uart_byte_o      (),
    .exit_valid_o     (exit_valid),
    .exit_code_o      (exit_code),
    .boot_hold_i      (boot_hold),
    .ld_we_i          (ld_we),
    .ld_addr_i        (ld_addr),
    .ld_wdata_i       (ld_wdata),
    .acc_irq_o        (),
    .acc_idle_o       ()
  );

  // ---- status LEDs -----------------------------------------------------------------------
  // exit_q / fail_q / boot_err are read by the fpga-sim harness (verilator public).
  logic        exit_q /* verilator public_flat_rd */;
  logic        fail_q /* verilator public_flat_rd */;
  logic        boot_err_q /* verilator public_flat_rd */;
  logic [24:0] beat_q;

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      exit_q     <= 1'b0;
      fail_q     <= 1'b0;
      boot_err_q <= 1'b0;
      beat_q     <= '0;
    end else begin
      beat_q     <= beat_q + 25'd1;
      boot_err_q <= boot_err;
      if (exit_valid && !exit_q) begin
        exit_q <= 1'b1;
        fail_q <= (exit_code != 32'd0);
      end
    end
  end

  logic green, red;
  assign green  = exit_q ? !fail_q : (boot_done && beat_q[24]);
  assign red    = exit_q ? fail_q  : (boot_err_q && beat_q[21]);
  assign LEDG_N = !green;
  assign LEDR_N = !red;
endmodule
