// Port-less cocotb toplevel for baseline_attn, the static baseline's co-resident attention
// (Verilator 5.006 loses cocotb writes to top-level ports). The DUT keeps the flat RP port list;
// the wrapper splits it into per-port nets m_axi_hp0..3_* (the names tb/common/busmap.py binds
// HpMemory to), the job descriptor into its fields and the statistics into named counters.
module tb_baseline_attn #(
  parameter int unsigned HEAD_DIM      = 16,
  parameter int unsigned MAX_CTX       = 256,
  parameter int unsigned STAGE_BASE    = 32'h0010_0000,   // Q/O staging area (bytes)
  parameter int unsigned PF_Q_TILE     = 32,
  parameter int unsigned PF_KV_BLOCK   = 32,
  parameter int unsigned KV_FIFO_DEPTH = 128
);
  localparam int unsigned AW = rp_pkg::AxiAddrW;
  localparam int unsigned IW = rp_pkg::AxiIdW;

  logic                          clk_i;
  logic                          rst_ni;
  rp_pkg::job_t                  job_i;
  logic                          job_valid_i;
  logic                          job_ready_o;
  logic                          busy_o;
  logic                          done_o;
  logic                          err_o;
  logic [rp_pkg::ErrW-1:0]       err_code_o;
  rp_pkg::rm_stats_t             stats_o;
  logic [7:0]                    rm_id_o;
  logic                          shutdown_req_i;
  logic                          shutdown_ack_o;
  logic [127:0]                  s_qkv_tdata_i;
  logic [1:0]                    s_qkv_tuser_i;
  logic                          s_qkv_tlast_i;
  logic                          s_qkv_tvalid_i;
  logic                          s_qkv_tready_o;
  logic [127:0]                  m_o_tdata_o;
  logic [rp_pkg::RowIdxW-1:0]    m_o_tuser_o;
  logic                          m_o_tlast_o;
  logic                          m_o_tvalid_o;
  logic                          m_o_tready_i;
  logic [4*IW-1:0]               m_axi_awid_o;
  logic [4*AW-1:0]               m_axi_awaddr_o;
  logic [4*8-1:0]                m_axi_awlen_o;
  logic [4*3-1:0]                m_axi_awsize_o;
  logic [4*2-1:0]                m_axi_awburst_o;
  logic [3:0]                    m_axi_awvalid_o;
  logic [3:0]                    m_axi_awready_i;
  logic [4*128-1:0]              m_axi_wdata_o;
  logic [4*16-1:0]               m_axi_wstrb_o;
  logic [3:0]                    m_axi_wlast_o;
  logic [3:0]                    m_axi_wvalid_o;
  logic [3:0]                    m_axi_wready_i;
  logic [4*IW-1:0]               m_axi_bid_i;
  logic [4*2-1:0]                m_axi_bresp_i;
  logic [3:0]                    m_axi_bvalid_i;
  logic [3:0]                    m_axi_bready_o;
  logic [4*IW-1:0]               m_axi_arid_o;
  logic [4*AW-1:0]               m_axi_araddr_o;
  logic [4*8-1:0]                m_axi_arlen_o;
  logic [4*3-1:0]                m_axi_arsize_o;
  logic [4*2-1:0]                m_axi_arburst_o;
  logic [3:0]                    m_axi_arvalid_o;
  logic [3:0]                    m_axi_arready_i;
  logic [4*IW-1:0]               m_axi_rid_i;
  logic [4*128-1:0]              m_axi_rdata_i;
  logic [4*2-1:0]                m_axi_rresp_i;
  logic [3:0]                    m_axi_rlast_i;
  logic [3:0]                    m_axi_rvalid_i;
  logic [3:0]                    m_axi_rready_o;

  baseline_attn #(
    .HEAD_DIM(HEAD_DIM), .MAX_CTX(MAX_CTX), .STAGE_BASE(40'(STAGE_BASE)),
    .PF_Q_TILE(PF_Q_TILE), .PF_KV_BLOCK(PF_KV_BLOCK), .KV_FIFO_DEPTH(KV_FIFO_DEPTH)
  ) dut (.*);

  // ---------------------------------------------------------------- job descriptor fields
  logic [1:0]  job_phase;
  logic [7:0]  job_layer;
  logic [7:0]  job_head;
  logic [15:0] job_q_len;
  logic [15:0] job_pos0;
  logic [AW-1:0] job_k_base;
  logic [AW-1:0] job_v_base;
  logic [31:0] job_c_mul;
  logic [4:0]  job_fv;
  always_comb begin
    job_i.phase  = job_phase;
    job_i.layer  = job_layer;
    job_i.head   = job_head;
    job_i.q_len  = job_q_len;
    job_i.pos0   = job_pos0;
    job_i.k_base = job_k_base;
    job_i.v_base = job_v_base;
    job_i.c_mul  = job_c_mul;
    job_i.fv     = job_fv;
  end

  // ---------------------------------------------------------------- statistics
  logic [31:0] stat_busy_cycles, stat_active_cycles;
  logic [31:0] stat_rd_beats [4];
  logic [31:0] stat_wr_beats [4];
  assign stat_busy_cycles   = stats_o.busy_cycles;
  assign stat_active_cycles = stats_o.active_cycles;
  assign stat_rd_beats[0]   = stats_o.rd_beats_hp0;
  assign stat_rd_beats[1]   = stats_o.rd_beats_hp1;
  assign stat_rd_beats[2]   = stats_o.rd_beats_hp2;
  assign stat_rd_beats[3]   = stats_o.rd_beats_hp3;
  assign stat_wr_beats[0]   = stats_o.wr_beats_hp0;
  assign stat_wr_beats[1]   = stats_o.wr_beats_hp1;
  assign stat_wr_beats[2]   = stats_o.wr_beats_hp2;
  assign stat_wr_beats[3]   = stats_o.wr_beats_hp3;

  // ---------------------------------------------------------------- per-port AXI nets
`define TB_BL_PORT(p, n) \
  logic [IW-1:0]  p``_awid_o;    assign p``_awid_o    = m_axi_awid_o[n*IW +: IW];     \
  logic [AW-1:0]  p``_awaddr_o;  assign p``_awaddr_o  = m_axi_awaddr_o[n*AW +: AW];   \
  logic [7:0]     p``_awlen_o;   assign p``_awlen_o   = m_axi_awlen_o[n*8 +: 8];      \
  logic [2:0]     p``_awsize_o;  assign p``_awsize_o  = m_axi_awsize_o[n*3 +: 3];     \
  logic [1:0]     p``_awburst_o; assign p``_awburst_o = m_axi_awburst_o[n*2 +: 2];    \
  logic           p``_awvalid_o; assign p``_awvalid_o = m_axi_awvalid_o[n];           \
  logic           p``_awready_i; assign m_axi_awready_i[n] = p``_awready_i;           \
  logic [127:0]   p``_wdata_o;   assign p``_wdata_o   = m_axi_wdata_o[n*128 +: 128];  \
  logic [15:0]    p``_wstrb_o;   assign p``_wstrb_o   = m_axi_wstrb_o[n*16 +: 16];    \
  logic           p``_wlast_o;   assign p``_wlast_o   = m_axi_wlast_o[n];             \
  logic           p``_wvalid_o;  assign p``_wvalid_o  = m_axi_wvalid_o[n];            \
  logic           p``_wready_i;  assign m_axi_wready_i[n] = p``_wready_i;             \
  logic [IW-1:0]  p``_bid_i;     assign m_axi_bid_i[n*IW +: IW] = p``_bid_i;          \
  logic [1:0]     p``_bresp_i;   assign m_axi_bresp_i[n*2 +: 2] = p``_bresp_i;        \
  logic           p``_bvalid_i;  assign m_axi_bvalid_i[n] = p``_bvalid_i;             \
  logic           p``_bready_o;  assign p``_bready_o  = m_axi_bready_o[n];            \
  logic [IW-1:0]  p``_arid_o;    assign p``_arid_o    = m_axi_arid_o[n*IW +: IW];     \
  logic [AW-1:0]  p``_araddr_o;  assign p``_araddr_o  = m_axi_araddr_o[n*AW +: AW];   \
  logic [7:0]     p``_arlen_o;   assign p``_arlen_o   = m_axi_arlen_o[n*8 +: 8];      \
  logic [2:0]     p``_arsize_o;  assign p``_arsize_o  = m_axi_arsize_o[n*3 +: 3];     \
  logic [1:0]     p``_arburst_o; assign p``_arburst_o = m_axi_arburst_o[n*2 +: 2];    \
  logic           p``_arvalid_o; assign p``_arvalid_o = m_axi_arvalid_o[n];           \
  logic           p``_arready_i; assign m_axi_arready_i[n] = p``_arready_i;           \
  logic [IW-1:0]  p``_rid_i;     assign m_axi_rid_i[n*IW +: IW] = p``_rid_i;          \
  logic [127:0]   p``_rdata_i;   assign m_axi_rdata_i[n*128 +: 128] = p``_rdata_i;    \
  logic [1:0]     p``_rresp_i;   assign m_axi_rresp_i[n*2 +: 2] = p``_rresp_i;        \
  logic           p``_rlast_i;   assign m_axi_rlast_i[n] = p``_rlast_i;               \
  logic           p``_rvalid_i;  assign m_axi_rvalid_i[n] = p``_rvalid_i;             \
  logic           p``_rready_o;  assign p``_rready_o  = m_axi_rready_o[n];

  `TB_BL_PORT(m_axi_hp0, 0)
  `TB_BL_PORT(m_axi_hp1, 1)
  `TB_BL_PORT(m_axi_hp2, 2)
  `TB_BL_PORT(m_axi_hp3, 3)
`undef TB_BL_PORT
endmodule
