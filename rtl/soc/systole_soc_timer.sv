// SoC timer: the RISC-V machine timer (MTIME, MTIMECMP).
//
// Registers (word offsets of the 4 KiB page, word access; other offsets read 0):
//   +0/+4 MTIME lo/hi (R/W)     counts clock cycles from reset; a write replaces the
//                               half written (and that half's increment and carry)
//   +8/+C MTIMECMP lo/hi (R/W)  reset all ones
// A write of MTIMECMP takes effect at the end of its request cycle, a write of MTIME at the
// end of the cycle after (it is registered: the bus decode stays off the counters' carry
// chains). That cycle takes the data from wdata_i: the SoC answers the request in the cycle
// after req_i, and the bus holds a request's fields until its answer. (Cycles here count
// from the cycle of req_i, which the SoC raises the cycle after the core's request.) irq_o = MTIME >=
// MTIMECMP, registered and pipelined: counting from the write's request cycle r, irq_o
// reflects it from cycle r + 2 (MTIMECMP hi), r + 3 (MTIMECMP lo, MTIME hi) or r + 4
// (MTIME lo).
//
// MTIME is two 32-bit counters: the low half's carry into the high half is registered, so
// the high half counts it one cycle later (a read of the high half can lag its low half by
// one cycle, which the hi/lo/hi read loop tolerates). Each counter is one LUT per bit: the
// written half also goes through the adder (B = all ones, its carries then do not matter),
// so the carry cells' inputs match one LUT that adds and selects the write. MTIMECMP is
// kept inverted, so a comparison is the carry out of x + ~y + carry-in: carry cells only,
// no LUTs. The low halves are compared first and the result registered (ge_lo_q); the high
// halves' comparison takes it as its carry in. That pairs the high half of one cycle with
// the low half of the cycle before, which is exactly MTIME of the cycle before (the high
// half lags by the same cycle), so the interrupt never glitches at 2^32 boundaries.
module systole_soc_timer #(
  parameter int CmpRead = 1,  // 0: MTIMECMP reads 0 (the board: saves the read multiplexer)
  // bits of MTIME's high half (32: a 64-bit MTIME). Fewer (the board: 16, a 48-bit MTIME
  // that wraps after 2^48 cycles, 108 days at 30 MHz) save counter, compare and MTIMECMP
  // bits: MTIME hi reads its upper bits as 0, a MTIMECMP hi with any of them set is never
  // reached (the usual all-ones "off" still works); needs CmpRead = 0.
  parameter int HiBits  = 32
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        req_i,
  input  logic        we_i,
  input  logic [11:2] addr_i,
  input  logic [31:0] wdata_i,
  output logic [31:0] rdata_o,
  output logic        irq_o,
  output logic [63:0] mtime_o
);
  logic [31:0]       lo_q;          // MTIME
  logic [HiBits-1:0] hi_q;
  logic        c_q;                 // the low half wrapped last cycle
  logic [31:0]       cmpn_lo_q;     // ~MTIMECMP
  logic [HiBits-1:0] cmpn_hi_q;
  logic              cmp_big_q;     // MTIMECMP hi has bits above HiBits set: never
  logic        ge_lo_q;             // last cycle: MTIME lo >= MTIMECMP lo
  logic        irq_q;
  logic        wr_lo, wr_hi;        // the registered write of MTIME
  logic [32:0] lo_inc;
  logic [HiBits-1:0] hi_inc;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [32:0] ge_lo;               // [32]: the comparisons (the sums are not used)
  logic [HiBits:0] ge_hi;
  /* verilator lint_on UNUSEDSIGNAL */

  // the word offset (offsets 0-3 of the page, all others read 0)
  logic       page_lo;
  logic [3:0] wr;
  logic [1:0] wr_q;
  assign page_lo = (addr_i[11:4] == 8'd0);
  assign wr      = (req_i && we_i && page_lo) ? (4'b0001 << addr_i[3:2]) : 4'b0000;
  assign wr_lo   = wr_q[0];
  assign wr_hi   = wr_q[1];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) wr_q <= '0;
    else         wr_q <= wr[1:0];
  end

  assign lo_inc = {1'b0, lo_q} + {1'b0, {32{wr_lo}}} + 33'd1;
  assign hi_inc = hi_q + {HiBits{wr_hi}} + HiBits'(c_q);
  assign ge_lo  = {1'b0, lo_q} + {1'b0, cmpn_lo_q} + 33'd1;
  assign ge_hi  = {1'b0, hi_q} + {1'b0, cmpn_hi_q} + (HiBits + 1)'(ge_lo_q);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      lo_q     <= '0;
      hi_q     <= '0;
      c_q      <= 1'b0;
      cmpn_lo_q <= '0;
      cmpn_hi_q <= '0;
      cmp_big_q <= (HiBits < 32);
      ge_lo_q  <= 1'b0;
      irq_q    <= 1'b0;
    end else begin
      lo_q <= wr_lo ? wdata_i : lo_inc[31:0];
      hi_q <= wr_hi ? wdata_i[HiBits-1:0] : hi_inc;
      c_q  <= lo_inc[32] && !wr_lo;
      if (wr[2]) cmpn_lo_q <= ~wdata_i;
      if (wr[3]) begin
        cmpn_hi_q <= ~wdata_i[HiBits-1:0];
        cmp_big_q <= (HiBits < 32) && ((wdata_i >> HiBits) != 32'd0);
      end
      ge_lo_q <= ge_lo[32];
      irq_q   <= ge_hi[HiBits] && !cmp_big_q;
    end
  end

  logic [31:0] cmpn_hi32;
  assign cmpn_hi32 = 32'(cmpn_hi_q);

  always_comb begin
    logic [3:0] s;
    s = page_lo ? (4'b0001 << addr_i[3:2]) : 4'b0000;
    rdata_o = ({32{s[0]}} & lo_q) | ({32{s[1]}} & 32'(hi_q));
    if (CmpRead != 0)
      rdata_o = rdata_o | ({32{s[2]}} & ~cmpn_lo_q) | ({32{s[3]}} & ~cmpn_hi32);
  end

  assign irq_o   = irq_q;
  assign mtime_o = {32'(hi_q), lo_q};

  initial begin
    if (HiBits < 1 || HiBits > 32 || (HiBits < 32 && CmpRead != 0))
      $fatal(1, "systole_soc_timer: HiBits must be 1..32, below 32 only with CmpRead = 0");
  end
endmodule
