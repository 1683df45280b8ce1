// Synchronous FIFO, first-word fall-through.
//
// rdata_o is valid whenever valid_o is 1; a pop (valid_o && ready_i) takes it. A push
// (valid_i && ready_o) is accepted while not full. count_o is the number of entries held.
// Depth 1 is a single register: it takes a push only while empty (no push in the cycle of
// the pop that empties it).
module systole_fifo #(
  parameter int Width = 32,  // bits per entry
  parameter int Depth = 4    // entries, a power of two (1 allowed)
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  input  logic                     valid_i,
  output logic                     ready_o,
  input  logic [Width-1:0]         wdata_i,
  output logic                     valid_o,
  input  logic                     ready_i,
  output logic [Width-1:0]         rdata_o,
  output logic [$clog2(Depth):0]   count_o
);
  logic push, pop;

  if (Depth == 1) begin : g_reg
    logic             full_q;
    logic [Width-1:0] data_q;

    assign ready_o = !full_q;
    assign valid_o = full_q;
    assign rdata_o = data_q;
    assign count_o = full_q;
    assign push    = valid_i && ready_o;
    assign pop     = valid_o && ready_i;

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) full_q <= 1'b0;
      else         full_q <= push || (full_q && !pop);
    end

    always_ff @(posedge clk_i) begin
      if (push) data_q <= wdata_i;
    end
  end else begin : g_ram
    localparam int Aw = $clog2(Depth);

    logic [Width-1:0] mem_q [Depth];
    logic [Aw-1:0]    wptr_q, wptr_d, rptr_q, rptr_d;
    logic [Aw:0]      count_q, count_d;

    assign ready_o = (count_q != (Aw+1)'(Depth));
    assign valid_o = (count_q != '0);
    assign rdata_o = mem_q[rptr_q];
    assign count_o = count_q;
    assign push    = valid_i && ready_o;
    assign pop     = valid_o && ready_i;

    always_comb begin
      wptr_d  = push ? wptr_q + 1'b1 : wptr_q;
      rptr_d  = pop ? rptr_q + 1'b1 : rptr_q;
      count_d = count_q + (Aw+1)'(push) - (Aw+1)'(pop);
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        wptr_q  <= '0;
        rptr_q  <= '0;
        count_q <= '0;
      end else begin
        wptr_q  <= wptr_d;
        rptr_q  <= rptr_d;
        count_q <= count_d;
      end
    end

    always_ff @(posedge clk_i) begin
      if (push) mem_q[wptr_q] <= wdata_i;
    end
  end

  initial begin
    if (Depth < 1 || (Depth & (Depth - 1)) != 0)
      $fatal(1, "systole_fifo: Depth must be a power of two");
  end
endmodule
