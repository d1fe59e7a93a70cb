// Simple dual-port RAM: one write port, one read port with a registered (1-cycle) read.
// The static region's activation buffers (residual, int8 activations, Q/K/V, attention output,
// FFN intermediates) are instances of it; Vivado infers BRAM/URAM from this template.
module sr_ram #(
  parameter int unsigned W     = 128,
  parameter int unsigned DEPTH = 1024
) (
  input  logic                     clk_i,
  input  logic                     we_i,
  input  logic [$clog2(DEPTH)-1:0] waddr_i,
  input  logic [W-1:0]             wdata_i,
  input  logic                     re_i,
  input  logic [$clog2(DEPTH)-1:0] raddr_i,
  output logic [W-1:0]             rdata_o
);
  if (W < 1 || DEPTH < 2) begin : g_bad_param
    $fatal(1, "sr_ram: W=%0d DEPTH=%0d (need W >= 1, DEPTH >= 2)", W, DEPTH);
  end

  logic [W-1:0] mem_q [DEPTH];
  always_ff @(posedge clk_i) begin
    if (we_i) mem_q[waddr_i] <= wdata_i;
    if (re_i) rdata_o <= mem_q[raddr_i];
  end
endmodule
