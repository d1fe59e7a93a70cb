// Port-less cocotb toplevel for rmsnorm (Verilator 5.006 loses cocotb writes to top ports).
module tb_rmsnorm #(
  parameter int unsigned LANES   = 4,
  parameter int unsigned D_MAX   = 256,
  parameter int unsigned G_WORDS = 256
);
  localparam int unsigned GAW = $clog2(G_WORDS);

  logic                clk_i;
  logic                rst_ni;
  logic [LANES*32-1:0] s_axis_tdata_i;
  logic                s_axis_tvalid_i;
  logic                s_axis_tready_o;
  logic                s_axis_tlast_i;
  logic [GAW+31:0]     s_axis_tuser_i;
  logic [LANES*32-1:0] m_axis_tdata_o;
  logic                m_axis_tvalid_o;
  logic                m_axis_tready_i;
  logic                m_axis_tlast_o;
  logic                g_we_i;
  logic [GAW-1:0]      g_waddr_i;
  logic [LANES*32-1:0] g_wdata_i;
  logic                busy_o;
  logic                err_overflow_o;
  logic                err_gain_o;

  rmsnorm #(.LANES(LANES), .D_MAX(D_MAX), .G_WORDS(G_WORDS)) dut (.*);
endmodule
