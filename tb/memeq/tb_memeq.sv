// Port-less cocotb toplevel of the memory-model equivalence test: four axi_dma engines
// (rtl/dma), each driven by a dma_job, on m_axi_hp0..3. SV_MEM selects who serves the ports:
//   0: cocotb drives clk_i / rst_ni (cocotb Clock) and the slave side of every port
//      (tb/common/axi_mem.py HpMemory on cocotbext-axi); u_clk and u_mem stay idle
//   1: sv_clk_gen u_clk drives clk_i / rst_ni and hp_ddr_model u_mem serves the ports; cocotb
//      only writes job registers and polls with Timer
// u_clk / u_mem are instantiated outside generate blocks in both builds (cocotb on Verilator
// 5.006 cannot reach objects inside a generate scope by attribute).
`include "hp_tb_macros.svh"

module tb_memeq #(
  parameter int unsigned SV_MEM          = 0,
  parameter int unsigned ADDR_W          = 32,
  parameter int unsigned ID_W            = 4,
  parameter int unsigned MEM_BYTES       = 1048576,
  parameter int unsigned MAX_OUT         = 16,
  parameter int unsigned N_ERR           = 4,
  parameter int unsigned W_BUF           = 2,
  parameter int unsigned MAX_BURST       = 16,
  parameter int unsigned MAX_OUTSTANDING = 8,
  parameter int unsigned PERIOD_PS       = 4000
);
  if (SV_MEM > 1) begin : g_bad_param
    $fatal(1, "tb_memeq: SV_MEM=%0d must be 0 (cocotbext-axi model) or 1 (SV model)", SV_MEM);
  end

  logic clk_i;
  logic rst_ni;
  logic sv_clk;
  logic sv_rst_n;
  logic mem_busy;

  `HP_TB_PORT(m_axi_hp0)
  `HP_TB_PORT(m_axi_hp1)
  `HP_TB_PORT(m_axi_hp2)
  `HP_TB_PORT(m_axi_hp3)
  `HP_TB_SLAVE_NETS(sv_hp0)
  `HP_TB_SLAVE_NETS(sv_hp1)
  `HP_TB_SLAVE_NETS(sv_hp2)
  `HP_TB_SLAVE_NETS(sv_hp3)
  `HP_TB_DMA_REGS

  `HP_TB_DMA(0)
  `HP_TB_DMA(1)
  `HP_TB_DMA(2)
  `HP_TB_DMA(3)

  sv_clk_gen #(.PERIOD_PS(PERIOD_PS), .ENABLE(SV_MEM == 1)) u_clk (.clk_o(sv_clk), .rst_no(sv_rst_n));
  `HP_TB_MODEL_IO(u_mem, sv_clk, sv_rst_n, m_axi_hp, sv_hp)

  if (SV_MEM == 1) begin : g_sv
    assign clk_i  = sv_clk;
    assign rst_ni = sv_rst_n;
    `HP_TB_SLAVE_ASSIGN(sv_hp, 0)
    `HP_TB_SLAVE_ASSIGN(sv_hp, 1)
    `HP_TB_SLAVE_ASSIGN(sv_hp, 2)
    `HP_TB_SLAVE_ASSIGN(sv_hp, 3)
  end
endmodule
