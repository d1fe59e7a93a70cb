// Port-less cocotb toplevel for the HP memory model (tb/common/axi_mem.py): four AXI4 master
// interfaces m_axi_hp0..3 as plain `logic` nets, no DUT. cocotbext-axi AxiMasters drive the
// master side, HpMemory the slave side. Names follow the RTL master convention m_axi_<sig>_o/_i.
module tb_axi_mem #(
  parameter int unsigned ADDR_W = 32,
  parameter int unsigned ID_W   = 4
);
  logic clk_i;
  logic rst_ni;

`define TB_AXI_MEM_PORT(p) \
  logic [ID_W-1:0]   p``_awid_o;    \
  logic [ADDR_W-1:0] p``_awaddr_o;  \
  logic [7:0]        p``_awlen_o;   \
  logic [2:0]        p``_awsize_o;  \
  logic [1:0]        p``_awburst_o; \
  logic              p``_awvalid_o; \
  logic              p``_awready_i; \
  logic [127:0]      p``_wdata_o;   \
  logic [15:0]       p``_wstrb_o;   \
  logic              p``_wlast_o;   \
  logic              p``_wvalid_o;  \
  logic              p``_wready_i;  \
  logic [ID_W-1:0]   p``_bid_i;     \
  logic [1:0]        p``_bresp_i;   \
  logic              p``_bvalid_i;  \
  logic              p``_bready_o;  \
  logic [ID_W-1:0]   p``_arid_o;    \
  logic [ADDR_W-1:0] p``_araddr_o;  \
  logic [7:0]        p``_arlen_o;   \
  logic [2:0]        p``_arsize_o;  \
  logic [1:0]        p``_arburst_o; \
  logic              p``_arvalid_o; \
  logic              p``_arready_i; \
  logic [ID_W-1:0]   p``_rid_i;     \
  logic [127:0]      p``_rdata_i;   \
  logic [1:0]        p``_rresp_i;   \
  logic              p``_rlast_i;   \
  logic              p``_rvalid_i;  \
  logic              p``_rready_o;

  `TB_AXI_MEM_PORT(m_axi_hp0)
  `TB_AXI_MEM_PORT(m_axi_hp1)
  `TB_AXI_MEM_PORT(m_axi_hp2)
  `TB_AXI_MEM_PORT(m_axi_hp3)

`undef TB_AXI_MEM_PORT
endmodule
