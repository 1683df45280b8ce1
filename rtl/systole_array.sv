// Weight-stationary systolic array of Rows x Cols systole_pe, with input skew and output
// de-skew, so that the array looks like a plain pipeline of fixed latency:
//
//   out_o[c*32 +: 32] (at cycle t + Latency) = sum_r a_i[r*9 +: 9] (at cycle t) * w[r][c][tag]
//
// where tag = a_tag_i at cycle t and w[r][c][b] is buffer b of PE[r][c] (9-bit signed operands:
// the EX engine subtracts the zero points before the array; products summed in int32 with
// wrap-around). A vector enters every cycle; there are no valid bits
// (feed zeros when idle; outputs of cycles without an input vector are meaningless).
//
// Data flow: row r of the input vector is delayed by r cycles and enters PE[r][0];
// activations (and their tags) move right one PE per cycle; partial sums enter each column at
// row 0 as 0 and move down one PE per cycle; the bottom of column c is delayed by Cols-1-c
// cycles. Latency = Rows + Cols - 1.
//
// Weight loading: per row a horizontal shift chain of the buffer selected by w_buf_i. When
// w_shift_i is 1, PE[r][0].w[w_buf_i] <= w_line_i[r*9 +: 9] and
// PE[r][c].w[w_buf_i] <= PE[r][c-1].w[w_buf_i]. After Cols shifts the first line pushed
// sits in column Cols-1: push the line of column Cols-1 first and that of column 0 last.
// The caller must ensure that no activation tagged w_buf_i is inside the array while that
// buffer shifts (see systole_ex).
//
// Lean = 1 (iCE40 area variant, needs UseIce40Dsp): the operands are in sign-magnitude form
// {s, m[7:0]} (value s ? -m : m, see systole_mul9x2 SignMag), every PE has ONE weight and
// there are no tags (a_tag_i, w_buf_i are not used): when w_shift_i is 1 the weights of
// column w_col_i are written, PE[r][w_col_i].w <= w_line_i[r*9 +: 9] (no shift chain). The
// weights live in the DSPs: PEs (r, r+1) of a column share one (systole_mul9x2 WReg). The
// caller must ensure that no activation is inside the array while a column is written.
// Lean also broadcasts the activations along a row: PE[r][c] takes row r's (skewed) input
// directly instead of PE[r][c-1]'s activation register, so every column sees a vector in
// the same cycle, no output de-skew is needed and Latency = Rows (the activation registers
// of the PEs and the de-skew registers, FF-only logic cells on iCE40, are gone; the skew
// registers drive the DSPs of all columns). The first row has no adder and no partial-sum
// register: its products come exact and registered from the DSPs (systole_mul9x2 P0Reg).
// See docs/ex.md.
module systole_array #(
  parameter int Rows = 8,  // PE rows: 9-bit elements per input vector (reduction dimension)
  parameter int Cols = 8,  // PE columns: int32 results per output vector
  // Cycles from an input vector on a_i to its result on out_o. Not a free choice: it is
  // Rows + Cols - 1 (Lean: Rows); instantiators pass the value they rely on and elaboration
  // fails if it is wrong.
  parameter int Latency = Rows + Cols - 1,
  // 1: the products of each pair of PEs in a row come from one iCE40 SB_MAC16 in its dual
  // 8x8 mode (systole_mul9x2); 0: every PE multiplies in logic / whatever DSP the tool picks
  parameter int UseIce40Dsp = 0,
  // 1: one weight per PE written by column, sign-magnitude operands, activations broadcast
  // along each row (Latency = Rows)
  parameter int Lean = 0,
  // 0: no output de-skew: column c of out_o presents the result of the vector given
  // Rows + c cycles before (Cols-1-c cycles earlier than Latency), for a caller that writes
  // the accumulator column by column (Lean: no de-skew in any case)
  parameter int Deskew = 1
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  // input vector: 9-bit signed element r for row r, and the weight buffer it multiplies with
  input  logic [Rows*9-1:0]  a_i,
  input  logic               a_tag_i,
  // Lean: row 0's magnitude in a_i is not 0 (timing, see systole_mul9x2 a0_nz_i); else unused
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic               a0_nz_i,
  // Lean: row 0's magnitude in w_line_i is not 0 (likewise, for the weight); else unused
  input  logic               w0_nz_i,
  /* verilator lint_on UNUSEDSIGNAL */
  // weight shift chain
  input  logic               w_shift_i,
  input  logic               w_buf_i,
  input  logic [Rows*9-1:0]  w_line_i,
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic [$clog2(Cols)-1:0] w_col_i,   // Lean: column written (else unused)
  /* verilator lint_on UNUSEDSIGNAL */
  // result vector of the input vector presented Latency cycles ago: int32 c for column c
  output logic [Cols*32-1:0] out_o
);
  // Partial sums: a column sum of Rows products of 9-bit operands (|a|, |w| <= 256) is
  // below Rows * 2^16 in magnitude, so PsumW bits hold it exactly (no int32 wrap-around
  // can happen inside the array); the result is sign-extended to 32 bits at the bottom.
  // Lean: a product's magnitude is at most 255 * 255 < 2^16, so clog2(Rows) + 17 bits hold the
  // column sum (one bit less than the general bound).
  localparam int PsumW = $clog2(Rows) + ((Lean != 0) ? 17 : 18);

  // Lean: the write enable of each column's weights
  logic [Cols-1:0] w_we;
  for (genvar c = 0; c < Cols; c++) begin : g_we
    assign w_we[c] = (Lean != 0) ? (w_shift_i && 32'(w_col_i) == c) : w_shift_i;
  end

  // Lean: the skew stage of delay 2 in a block RAM (a chain of bus flip-flops is one iCE40
  // logic cell per bit): every cycle the input is written at wp and the address written the
  // cycle before is read (data out through the RAM's read register: 2 cycles). It holds the
  // sign of row 2 (row 2's magnitude, delay 1, feeds the DSP's A register from a flip-flop)
  // and the whole element of rows 3 and later (further stages in flip-flops). Contents are
  // not reset: the array's outputs of cycles without a row are not used.
  if (Lean != 0 && Rows >= 3) begin : g_skram
    localparam int SkN = 1 + 9 * (Rows - 3);
    localparam int SkW = ((SkN + 7) / 8) * 8;
    logic           sk_wp_q;
    logic [SkW-1:0] sk_wdata;
    /* verilator lint_off UNUSEDSIGNAL */
    logic [SkW-1:0] sk_rdata;   // the padding bits are not used
    /* verilator lint_on UNUSEDSIGNAL */
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) sk_wp_q <= 1'b0;
      else         sk_wp_q <= !sk_wp_q;
    end
    always_comb begin
      sk_wdata    = '0;
      sk_wdata[0] = a_i[2*9 + 8];
      for (int r = 3; r < Rows; r++) sk_wdata[1 + (r-3)*9 +: 9] = a_i[r*9 +: 9];
    end
    systole_ram #(.Width(SkW), .Depth(2), .BlockRam(1)) u_skew (
      .clk_i   (clk_i),
      .we_i    (1'b1),
      .waddr_i (sk_wp_q),
      .wdata_i (sk_wdata),
      .wmask_i ('1),
      .re_i    (1'b1),
      .raddr_i (!sk_wp_q),
      .rdata_o (sk_rdata)
    );
  end

  // Each PE's outputs are local to its generate block; a PE reads its left and upper
  // neighbours' outputs by name (keeps every net a separate variable, which Verilator
  // simulates much faster than slices of one wide vector).
  for (genvar r = 0; r < Rows; r++) begin : g_row
    logic [8:0] a_row;  // row input after the skew
    logic       t_row;

    // ---- input skew: row r delayed by r cycles (tag travels with the data) ----
    if (r == 0) begin : g_noskew
      assign a_row = a_i[8:0];
      assign t_row = a_tag_i;
    end else if (Lean != 0 && r >= 2) begin : g_skew_ram
      // st[k*9 +: 9]: the input delayed k+1 cycles (bits nobody reads are removed); stage 1
      // from the RAM (g_skram), later stages in flip-flops
      /* verilator lint_off UNUSEDSIGNAL */
      logic [r*9-1:0] st;
      /* verilator lint_on UNUSEDSIGNAL */
      if (r == 2) begin : g_r2
        logic [8:0] st0_q;
        always_ff @(posedge clk_i or negedge rst_ni) begin
          if (!rst_ni) st0_q <= '0;
          else         st0_q <= a_i[r*9 +: 9];
        end
        assign st[8:0]  = st0_q;
        assign st[17:9] = {g_skram.sk_rdata[0], 8'd0};   // only the sign is used
      end else begin : g_rn
        logic [(r-2)*9-1:0] sq_q, sq_d;
        assign st[8:0]  = '0;   // not used (stage 0 is inside the RAM)
        assign st[17:9] = g_skram.sk_rdata[1 + (r-3)*9 +: 9];
        always_comb begin
          sq_d[8:0] = st[17:9];
          for (int i = 1; i < r - 2; i++) sq_d[i*9 +: 9] = sq_q[(i-1)*9 +: 9];
        end
        always_ff @(posedge clk_i or negedge rst_ni) begin
          if (!rst_ni) sq_q <= '0;
          else         sq_q <= sq_d;
        end
        assign st[r*9-1:18] = sq_q;
      end
      assign a_row = st[(r-1)*9 +: 9];
      assign t_row = 1'b0;
    end else begin : g_skew
      logic [r*10-1:0] skew_q, skew_d;
      always_comb begin
        skew_d[9:0] = {(Lean == 0) && a_tag_i, a_i[r*9 +: 9]};
        for (int i = 1; i < r; i++) skew_d[i*10 +: 10] = skew_q[(i-1)*10 +: 10];
      end
      always_ff @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) skew_q <= '0;
        else         skew_q <= skew_d;
      end
      assign a_row = skew_q[(r-1)*10 +: 9];
      assign t_row = skew_q[(r-1)*10 + 9];
    end

    // Lean: the row's input to its DSPs. From row 2 on (DSP pairs after the first) the
    // magnitude is taken one skew stage early and the DSP's own A input register (AReg)
    // supplies the last cycle of delay; the sign bit, used in logic, keeps its full skew.
    /* verilator lint_off UNUSEDSIGNAL */
    logic [8:0] a_mul;
    /* verilator lint_on UNUSEDSIGNAL */
    if (Lean != 0 && r >= 2) begin : g_amul_early
      assign a_mul = {a_row[8], g_skew_ram.st[(r-2)*9 +: 8]};
    end else begin : g_amul
      assign a_mul = a_row;
    end

    // Lean: row r's partial sums add r+1 products, clog2(r+1) + 17 bits (PsumW in the last row)
    localparam int PW = (Lean != 0) ? $clog2(r + 1) + 17 : PsumW;

    for (genvar c = 0; c < Cols; c++) begin : g_col
      logic [8:0]  a_in, a_o, w_in, w_o, mul_a, mul_w;
      logic        t_in, t_o;
      logic [PW-1:0] p_in, p_o;
      logic [17:0] prod;

      if (c == 0) begin : g_west
        assign a_in = a_row;
        assign t_in = t_row;
        assign w_in = w_line_i[r*9 +: 9];
      end else begin : g_inner
        // Lean: the row's input itself (broadcast); else the left neighbour's register
        assign a_in = (Lean != 0) ? a_row : g_col[c-1].a_o;
        assign t_in = g_col[c-1].t_o;
        // Lean: every column takes the line (written by column); else the shift chain
        assign w_in = (Lean != 0) ? w_line_i[r*9 +: 9] : g_col[c-1].w_o;
      end
      if (r == 0) begin : g_north
        assign p_in = '0;
      end else begin : g_below
        assign p_in = PW'($signed(g_row[r-1].g_col[c].p_o));
      end
      if (c == Cols - 1 || Lean != 0) begin : g_east
        // the east edge of each row goes nowhere (Lean: no PE's activation register is
        // used, so synthesis removes them)
        /* verilator lint_off UNUSEDSIGNAL */
        logic [18:0] unused_east;
        /* verilator lint_on UNUSEDSIGNAL */
        assign unused_east = {a_o, t_o, w_o};
      end

      if (Lean != 0) begin : g_dspv
        // Lean: PE pairs (r, r+1) of a column share a DSP, which also holds their weights
        // (both come from the column's scratchpad line, written in the same cycle);
        // instantiated at the even row; an odd last row uses a DSP alone
        /* verilator lint_off UNUSEDSIGNAL */
        logic [17:0] unused_mul;    // the PE holds no weight; the DSP takes the row's a_mul
        /* verilator lint_on UNUSEDSIGNAL */
        assign unused_mul = {mul_a, mul_w};
        // the first row's products are registered in the DSP (its partial-sum register);
        // later pairs register their activation magnitudes in the DSP (see a_mul)
        if (r % 2 == 0 && r + 1 < Rows) begin : g_pair
          systole_mul9x2 #(.SignMag(1), .WReg(1), .P0Reg((r == 0) ? 1 : 0),
                           .AReg((r >= 2) ? 1 : 0)) u_mul (
            .clk_i  (clk_i),
            .w_ld_i (w_we[c]),
            .a0_i   (a_mul),
            .a0_nz_i ((r == 0) ? a0_nz_i : 1'b0),
            .w0_nz_i ((r == 0) ? w0_nz_i : 1'b0),
            .w0_i   (w_line_i[r*9 +: 9]),
            .a1_i   (g_row[r+1].a_mul),
            .w1_i   (w_line_i[(r+1)*9 +: 9]),
            .p0_o   (prod),
            .p1_o   (g_row[r+1].g_col[c].prod)
          );
        end else if (r % 2 == 0) begin : g_single
          /* verilator lint_off UNUSEDSIGNAL */
          logic [17:0] unused_p1;
          /* verilator lint_on UNUSEDSIGNAL */
          systole_mul9x2 #(.SignMag(1), .WReg(1), .AReg((r >= 2) ? 1 : 0)) u_mul (
            .clk_i  (clk_i),
            .w_ld_i (w_we[c]),
            .a0_i   (a_mul),
            .a0_nz_i (1'b0),
            .w0_nz_i (1'b0),
            .w0_i   (w_line_i[r*9 +: 9]),
            .a1_i   (9'd0),
            .w1_i   (9'd0),
            .p0_o   (prod),
            .p1_o   (unused_p1)
          );
        end
      end else if (UseIce40Dsp != 0) begin : g_dsp
        // PE pairs (c, c+1) share a DSP, instantiated at the even PE; an odd last column
        // uses a DSP alone
        if (c % 2 == 0 && c + 1 < Cols) begin : g_pair
          systole_mul9x2 u_mul (
            .clk_i  (1'b0),
            .w_ld_i (1'b0),
            .a0_i (mul_a),
            .a0_nz_i (1'b0),
            .w0_nz_i (1'b0),
            .w0_i (mul_w),
            .a1_i (g_col[c+1].mul_a),
            .w1_i (g_col[c+1].mul_w),
            .p0_o (prod),
            .p1_o (g_col[c+1].prod)
          );
        end else if (c % 2 == 0) begin : g_single
          /* verilator lint_off UNUSEDSIGNAL */
          logic [17:0] unused_p1;
          /* verilator lint_on UNUSEDSIGNAL */
          systole_mul9x2 u_mul (
            .clk_i  (1'b0),
            .w_ld_i (1'b0),
            .a0_i (mul_a),
            .a0_nz_i (1'b0),
            .w0_nz_i (1'b0),
            .w0_i (mul_w),
            .a1_i (9'd0),
            .w1_i (9'd0),
            .p0_o (prod),
            .p1_o (unused_p1)
          );
        end
      end else begin : g_nodsp
        assign prod = '0;
        logic [17:0] unused_mul;
        assign unused_mul = {mul_a, mul_w};
      end

      if (Lean != 0 && r == 0) begin : g_pe0
        // Lean, first row: no adder (the partial sum coming in is 0) and no register: the
        // product, exact and registered in the DSP (systole_mul9x2 P0Reg), is the partial sum
        assign p_o     = PW'(prod);
        assign mul_a   = a_in;
        assign mul_w   = '0;
        assign a_o     = '0;
        assign t_o     = 1'b0;
        assign w_o     = '0;
        /* verilator lint_off UNUSEDSIGNAL */
        logic [PW+10:0] unused_pe0;
        /* verilator lint_on UNUSEDSIGNAL */
        assign unused_pe0 = {t_in, w_in, p_in, prod[17]};
      end else begin : g_pe
      systole_pe #(
        .PsumW  (PW),
        .ExtMul (UseIce40Dsp),
        .Lean   (Lean)
      ) u_pe (
        .clk_i     (clk_i),
        .rst_ni    (rst_ni),
        .a_i       (a_in),
        .a_tag_i   (t_in),
        .a_o       (a_o),
        .a_tag_o   (t_o),
        .psum_i    (p_in),
        .psum_o    (p_o),
        .w_shift_i (w_we[c]),
        .w_buf_i   (w_buf_i),
        .w_i       (w_in),
        .w_o       (w_o),
        .mul_a_o   (mul_a),
        .mul_w_o   (mul_w),
        .prod_i    (prod)
      );
      end
    end
  end

  // ---- output de-skew: column c delayed by Cols-1-c cycles ----
  for (genvar c = 0; c < Cols; c++) begin : g_out
    if (c == Cols - 1 || Deskew == 0 || Lean != 0) begin : g_nodeskew
      assign out_o[c*32 +: 32] = 32'($signed(g_row[Rows-1].g_col[c].p_o));
    end else begin : g_deskew
      localparam int D = Cols - 1 - c;
      logic [D*PsumW-1:0] dly_q, dly_d;
      always_comb begin
        dly_d[PsumW-1:0] = g_row[Rows-1].g_col[c].p_o;
        for (int i = 1; i < D; i++) dly_d[i*PsumW +: PsumW] = dly_q[(i-1)*PsumW +: PsumW];
      end
      always_ff @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) dly_q <= '0;
        else         dly_q <= dly_d;
      end
      assign out_o[c*32 +: 32] = 32'($signed(dly_q[(D-1)*PsumW +: PsumW]));
    end
  end

  initial begin
    if (Rows < 2 || Rows > 64 || Cols < 2 || Cols > 64)
      $fatal(1, "systole_array: Rows and Cols must be in 2..64");
    if (Latency != ((Lean != 0) ? Rows : Rows + Cols - 1))
      $fatal(1, "systole_array: Latency is Rows + Cols - 1 (Lean: Rows), the instantiator expects otherwise");
    if (Lean != 0 && UseIce40Dsp == 0)
      $fatal(1, "systole_array: Lean needs UseIce40Dsp");
  end
endmodule
