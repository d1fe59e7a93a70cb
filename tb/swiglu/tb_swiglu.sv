// Port-less cocotb toplevel for swiglu (Verilator 5.006 loses cocotb writes to top ports).
module tb_swiglu #(
  parameter int unsigned LANES = 4
);
  logic                clk_i;
  logic                rst_ni;
  logic [LANES*32-1:0] s_axis_gate_tdata_i;
  logic                s_axis_gate_tvalid_i;
  logic                s_axis_gate_tready_o;
  logic                s_axis_gate_tlast_i;
  logic [LANES*32-1:0] s_axis_up_tdata_i;
  logic                s_axis_up_tvalid_i;
  logic                s_axis_up_tready_o;
  logic                s_axis_up_tlast_i;
  logic [LANES*32-1:0] m_axis_tdata_o;
  logic                m_axis_tvalid_o;
  logic                m_axis_tready_i;
  logic                m_axis_tlast_o;
  logic                err_last_o;

  swiglu #(.LANES(LANES)) dut (.*);
endmodule
