// Port-less cocotb toplevel for the SV HP/DDR model (tb/common/sv/hp_ddr_model.sv) alone: an SV
// clock and reset (sv_clk_gen), four axi_tgen traffic generators on m_axi_hp0..3 and the model
// instantiated as `dut`. cocotb only writes job/config registers and waits on Timer.
`include "hp_tb_macros.svh"

module tb_svmem #(
  parameter int unsigned ADDR_W     = 32,
  parameter int unsigned ID_W       = 4,
  parameter int unsigned MEM_BYTES  = 1048576,
  parameter int unsigned MAX_OUT    = 16,
  parameter int unsigned N_ERR      = 4,
  parameter int unsigned W_BUF      = 2,
  parameter int unsigned FIFO_BEATS = 64,
  parameter int unsigned PERIOD_PS  = 4000
);
  logic clk_i;
  logic rst_ni;
  logic mem_busy;

  `HP_TB_PORT(m_axi_hp0)
  `HP_TB_PORT(m_axi_hp1)
  `HP_TB_PORT(m_axi_hp2)
  `HP_TB_PORT(m_axi_hp3)
  `HP_TB_TGEN_REGS

  sv_clk_gen #(.PERIOD_PS(PERIOD_PS)) u_clk (.clk_o(clk_i), .rst_no(rst_ni));

  `HP_TB_TGEN(0)
  `HP_TB_TGEN(1)
  `HP_TB_TGEN(2)
  `HP_TB_TGEN(3)

  `HP_TB_MODEL(dut)
endmodule
