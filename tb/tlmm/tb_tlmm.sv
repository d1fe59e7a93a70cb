// Port-less cocotb toplevel for tlmm (Verilator 5.006 loses cocotb writes to top ports).
module tb_tlmm #(
  parameter int unsigned G        = 5,
  parameter int unsigned LANES    = 32,
  parameter int unsigned ROWS     = 1,
  parameter int unsigned IN_LANES = 16,
  parameter int unsigned N_MAX    = 512,
  parameter int unsigned K_MAX    = 512,
  parameter int unsigned WDEPTH   = 4096,
  parameter int unsigned HALF     = 1
);
  localparam int unsigned CNT_W = 48;

  logic                      clk_i;
  logic                      rst_ni;
  logic                      wmem_we_i;
  logic [$clog2(WDEPTH)-1:0] wmem_addr_i;
  logic [127:0]              wmem_wdata_i;
  logic                      cfg_valid_i;
  logic                      cfg_ready_o;
  logic [15:0]               cfg_n_i;
  logic [15:0]               cfg_k_i;
  logic [15:0]               cfg_m_i;
  logic [31:0]               cfg_wbase_i;
  logic [15:0]               cfg_wmul_i;
  logic [5:0]                cfg_wshift_i;
  logic [IN_LANES*8-1:0]     s_axis_tdata_i;
  logic                      s_axis_tvalid_i;
  logic                      s_axis_tready_o;
  logic                      s_axis_tlast_i;
  logic [31:0]               s_axis_tuser_i;
  logic [127:0]              m_axis_tdata_o;
  logic                      m_axis_tvalid_o;
  logic                      m_axis_tready_i;
  logic                      m_axis_tlast_o;
  logic                      busy_o;
  logic                      done_o;
  logic                      err_cfg_o;
  logic                      err_len_o;
  logic                      cnt_clr_i;
  logic [CNT_W-1:0]          cnt_busy_o;
  logic [CNT_W-1:0]          cnt_lookup_o;
  logic [CNT_W-1:0]          cnt_stall_in_o;
  logic [CNT_W-1:0]          cnt_stall_out_o;

  tlmm #(
    .G(G), .LANES(LANES), .ROWS(ROWS), .IN_LANES(IN_LANES), .N_MAX(N_MAX), .K_MAX(K_MAX),
    .WDEPTH(WDEPTH), .HALF(HALF != 0), .CNT_W(CNT_W)
  ) dut (.*);
endmodule
