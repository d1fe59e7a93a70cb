// Port-less cocotb toplevel for axi_dma (Verilator 5.006 loses cocotb writes to top ports).
module tb_dma #(
  parameter int unsigned ADDR_W          = 40,
  parameter int unsigned ID_W            = 4,
  parameter int unsigned LEN_W           = 32,
  parameter int unsigned MAX_LEN         = 65536,
  parameter int unsigned MAX_BURST       = 16,
  parameter int unsigned MAX_OUTSTANDING = 8
);
  localparam int unsigned CNT_W = 32;

  logic              clk_i;
  logic              rst_ni;
  logic              clear_i;
  logic              rd_cmd_valid_i;
  logic              rd_cmd_ready_o;
  logic [ADDR_W-1:0] rd_cmd_addr_i;
  logic [LEN_W-1:0]  rd_cmd_len_i;
  logic              rd_sts_valid_o;
  logic              rd_sts_ready_i;
  logic [2:0]        rd_sts_code_o;
  logic [127:0]      m_axis_tdata_o;
  logic              m_axis_tvalid_o;
  logic              m_axis_tready_i;
  logic              m_axis_tlast_o;
  logic              m_axis_tuser_o;
  logic              wr_cmd_valid_i;
  logic              wr_cmd_ready_o;
  logic [ADDR_W-1:0] wr_cmd_addr_i;
  logic [LEN_W-1:0]  wr_cmd_len_i;
  logic              wr_sts_valid_o;
  logic              wr_sts_ready_i;
  logic [2:0]        wr_sts_code_o;
  logic [127:0]      s_axis_tdata_i;
  logic              s_axis_tvalid_i;
  logic              s_axis_tready_o;
  logic [ID_W-1:0]   m_axi_awid_o;
  logic [ADDR_W-1:0] m_axi_awaddr_o;
  logic [7:0]        m_axi_awlen_o;
  logic [2:0]        m_axi_awsize_o;
  logic [1:0]        m_axi_awburst_o;
  logic [3:0]        m_axi_awcache_o;
  logic [2:0]        m_axi_awprot_o;
  logic              m_axi_awvalid_o;
  logic              m_axi_awready_i;
  logic [127:0]      m_axi_wdata_o;
  logic [15:0]       m_axi_wstrb_o;
  logic              m_axi_wlast_o;
  logic              m_axi_wvalid_o;
  logic              m_axi_wready_i;
  logic [ID_W-1:0]   m_axi_bid_i;
  logic [1:0]        m_axi_bresp_i;
  logic              m_axi_bvalid_i;
  logic              m_axi_bready_o;
  logic [ID_W-1:0]   m_axi_arid_o;
  logic [ADDR_W-1:0] m_axi_araddr_o;
  logic [7:0]        m_axi_arlen_o;
  logic [2:0]        m_axi_arsize_o;
  logic [1:0]        m_axi_arburst_o;
  logic [3:0]        m_axi_arcache_o;
  logic [2:0]        m_axi_arprot_o;
  logic              m_axi_arvalid_o;
  logic              m_axi_arready_i;
  logic [ID_W-1:0]   m_axi_rid_i;
  logic [127:0]      m_axi_rdata_i;
  logic [1:0]        m_axi_rresp_i;
  logic              m_axi_rlast_i;
  logic              m_axi_rvalid_i;
  logic              m_axi_rready_o;
  logic              rd_busy_o;
  logic              rd_err_o;
  logic [CNT_W-1:0]  rd_cnt_busy_o;
  logic [CNT_W-1:0]  rd_cnt_beats_o;
  logic [CNT_W-1:0]  rd_cnt_stall_o;
  logic              wr_busy_o;
  logic              wr_err_o;
  logic [CNT_W-1:0]  wr_cnt_busy_o;
  logic [CNT_W-1:0]  wr_cnt_beats_o;
  logic [CNT_W-1:0]  wr_cnt_stall_o;

  axi_dma #(
    .ADDR_W(ADDR_W), .ID_W(ID_W), .LEN_W(LEN_W), .MAX_LEN(MAX_LEN), .MAX_BURST(MAX_BURST),
    .MAX_OUTSTANDING(MAX_OUTSTANDING), .CNT_W(CNT_W)
  ) dut (.*);
endmodule
