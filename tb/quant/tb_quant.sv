// Port-less cocotb toplevel for act_quant (Verilator 5.006 loses cocotb writes to top ports).
module tb_quant #(
  parameter int unsigned LANES = 4,
  parameter int unsigned D_MAX = 256
);
  logic                 clk_i;
  logic                 rst_ni;
  logic [LANES*32-1:0]  s_axis_tdata_i;
  logic                 s_axis_tvalid_i;
  logic                 s_axis_tready_o;
  logic                 s_axis_tlast_i;
  logic [LANES*8-1:0]   m_axis_tdata_o;
  logic                 m_axis_tvalid_o;
  logic                 m_axis_tready_i;
  logic                 m_axis_tlast_o;
  logic [31:0]          m_axis_tuser_o;
  logic                 busy_o;
  logic                 err_overflow_o;

  act_quant #(.LANES(LANES), .D_MAX(D_MAX)) dut (.*);
endmodule
