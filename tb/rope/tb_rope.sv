// Port-less cocotb toplevel for rope (Verilator 5.006 loses cocotb writes to top ports).
module tb_rope #(
  parameter int unsigned LANES     = 4,
  parameter int unsigned OUT_LANES = 16,
  parameter int unsigned HEAD_DIM  = 16,
  parameter int unsigned MAX_CTX   = 256,
  parameter int unsigned D_MAX     = 128
);
  localparam int unsigned UserW = $clog2(MAX_CTX) + 6;
  localparam int unsigned TAW   = $clog2(MAX_CTX * HEAD_DIM / 2 / LANES);

  logic                    clk_i;
  logic                    rst_ni;
  logic [LANES*32-1:0]     s_axis_tdata_i;
  logic                    s_axis_tvalid_i;
  logic                    s_axis_tready_o;
  logic                    s_axis_tlast_i;
  logic [UserW-1:0]        s_axis_tuser_i;
  logic [OUT_LANES*8-1:0]  m_axis_tdata_o;
  logic                    m_axis_tvalid_o;
  logic                    m_axis_tready_i;
  logic                    m_axis_tlast_o;
  logic [UserW-1:0]        m_axis_tuser_o;
  logic                    t_we_i;
  logic [TAW-1:0]          t_waddr_i;
  logic [LANES*32-1:0]     t_wdata_i;
  logic                    busy_o;
  logic                    err_overflow_o;
  logic                    err_cfg_o;

  rope #(.LANES(LANES), .OUT_LANES(OUT_LANES), .HEAD_DIM(HEAD_DIM), .MAX_CTX(MAX_CTX),
         .D_MAX(D_MAX)) dut (.*);
endmodule
