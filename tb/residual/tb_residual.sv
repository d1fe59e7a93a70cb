// Port-less cocotb toplevel for residual_add (Verilator 5.006 loses cocotb writes to top ports).
module tb_residual #(
  parameter int unsigned LANES = 4
);
  logic                clk_i;
  logic                rst_ni;
  logic [LANES*32-1:0] s_axis_h_tdata_i;
  logic                s_axis_h_tvalid_i;
  logic                s_axis_h_tready_o;
  logic                s_axis_h_tlast_i;
  logic [LANES*32-1:0] s_axis_x_tdata_i;
  logic                s_axis_x_tvalid_i;
  logic                s_axis_x_tready_o;
  logic                s_axis_x_tlast_i;
  logic [LANES*32-1:0] m_axis_tdata_o;
  logic                m_axis_tvalid_o;
  logic                m_axis_tready_i;
  logic                m_axis_tlast_o;
  logic                err_last_o;

  residual_add #(.LANES(LANES)) dut (.*);
endmodule
