// Small synchronous FIFO for the DMA engines: first-word-fall-through read port, full/empty
// decoded from registered state only (no combinational path from push/pop to the flags).
// A push while full or a pop while empty is ignored (callers never do either).
module axi_dma_fifo #(
  parameter int unsigned WIDTH = 8,
  parameter int unsigned DEPTH = 2
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             push_i,
  input  logic [WIDTH-1:0] wdata_i,
  input  logic             pop_i,
  output logic [WIDTH-1:0] rdata_o,
  output logic             full_o,
  output logic             empty_o
);
  if (WIDTH < 1 || DEPTH < 1 || DEPTH > 4096) begin : g_bad_param
    $fatal(1, "axi_dma_fifo: WIDTH=%0d DEPTH=%0d outside [1,-] x [1,4096]", WIDTH, DEPTH);
  end

  localparam int unsigned PtrW = (DEPTH > 1) ? $clog2(DEPTH) : 1;
  localparam int unsigned CntW = $clog2(DEPTH + 1);

  logic [WIDTH-1:0] mem_q [DEPTH];
  logic [PtrW-1:0]  wptr_q, rptr_q;
  logic [CntW-1:0]  cnt_q;
  logic             do_push, do_pop;

  assign full_o  = (cnt_q == CntW'(DEPTH));
  assign empty_o = (cnt_q == '0);
  assign do_push = push_i && !full_o;
  assign do_pop  = pop_i && !empty_o;
  assign rdata_o = mem_q[rptr_q];

  localparam logic [PtrW-1:0] LastPtr = PtrW'(DEPTH - 1);
  logic [PtrW-1:0] wptr_inc, rptr_inc;
  assign wptr_inc = (wptr_q == LastPtr) ? '0 : wptr_q + 1'b1;
  assign rptr_inc = (rptr_q == LastPtr) ? '0 : rptr_q + 1'b1;

  always_ff @(posedge clk_i) begin
    if (do_push) mem_q[wptr_q] <= wdata_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wptr_q <= '0;
      rptr_q <= '0;
      cnt_q  <= '0;
    end else begin
      if (do_push) wptr_q <= wptr_inc;
      if (do_pop)  rptr_q <= rptr_inc;
      if (do_push && !do_pop)      cnt_q <= cnt_q + 1'b1;
      else if (do_pop && !do_push) cnt_q <= cnt_q - 1'b1;
    end
  end
endmodule
