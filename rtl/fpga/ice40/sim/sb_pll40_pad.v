// Simulation model of the iCE40 PLL with a pad input (SB_PLL40_PAD), for `make fpga-sim`.
//
// Yosys's cells_sim.v declares the PLLs as black boxes without behaviour, so this model
// stands in for it: the output clock is the reference clock itself and LOCK rises after 16
// reference cycles. Everything in the design counts clock cycles (the UART divider, the
// flash loader's wait, the firmware's timer), so a simulation at the reference rate runs the
// same cycle sequence as the board at the PLL's rate; only the wall-clock scale differs.
// Synthesis never reads this file (synth_ice40 has its own SB_PLL40_PAD cell).
module SB_PLL40_PAD (
  input        PACKAGEPIN,
  output       PLLOUTCORE,
  output       PLLOUTGLOBAL,
  input        EXTFEEDBACK,
  input  [7:0] DYNAMICDELAY,
  output       LOCK,
  input        BYPASS,
  input        RESETB,
  input        LATCHINPUTVALUE,
  output       SDO,
  input        SDI,
  input        SCLK
);
  parameter FEEDBACK_PATH = "SIMPLE";
  parameter DELAY_ADJUSTMENT_MODE_FEEDBACK = "FIXED";
  parameter DELAY_ADJUSTMENT_MODE_RELATIVE = "FIXED";
  parameter SHIFTREG_DIV_MODE = 1'b0;
  parameter FDA_FEEDBACK = 4'b0000;
  parameter FDA_RELATIVE = 4'b0000;
  parameter PLLOUT_SELECT = "GENCLK";
  parameter DIVR = 4'b0000;
  parameter DIVF = 7'b0000000;
  parameter DIVQ = 3'b000;
  parameter FILTER_RANGE = 3'b000;
  parameter ENABLE_ICEGATE = 1'b0;
  parameter TEST_MODE = 1'b0;
  parameter EXTERNAL_DIVIDE_FACTOR = 1;

  reg [4:0] lock_cnt = 5'd0;
  always @(posedge PACKAGEPIN or negedge RESETB) begin
    if (!RESETB) lock_cnt <= 5'd0;
    else if (!lock_cnt[4]) lock_cnt <= lock_cnt + 5'd1;
  end

  assign PLLOUTCORE   = PACKAGEPIN;
  assign PLLOUTGLOBAL = PACKAGEPIN;
  assign LOCK         = lock_cnt[4];
  assign SDO          = 1'b0;
endmodule
