// Port-less cocotb toplevel for the prefill-then-decode test of rm_decode: the two real RMs in
// the RP wrapper's slots (rtl/rp/rm_shell.sv, KIND 2 = rm_prefill, KIND 3 = rm_decode) behind
// one RP boundary and one HP memory. `sel_decode` (written by cocotb while both RMs are idle)
// gives the boundary to one RM; the other sees the isolated inputs of the decoupling rules.
// The boundary nets carry the names of tb_rm_decode.sv, so the same cocotb helpers drive both.
module tb_rm_decode_pd #(
  parameter int unsigned HEAD_DIM = 16,
  parameter int unsigned MAX_CTX  = 256,
  parameter int unsigned PORT_MAP = 0       // fixed: rm_shell builds rm_decode with its defaults
);
  localparam int unsigned AW = rp_pkg::AxiAddrW;
  localparam int unsigned IW = rp_pkg::AxiIdW;

  logic clk_i;
  logic rst_ni;
  logic sel_decode;

  rp_pkg::rp_in_t  in_ext, in_pf, in_dec;
  rp_pkg::rp_out_t out_pf, out_dec, out_sel;

  rm_shell #(.KIND(2), .HEAD_DIM(HEAD_DIM), .MAX_CTX(MAX_CTX)) pf (
    .clk_i, .rst_ni, .in_i(in_pf), .out_o(out_pf));
  rm_shell #(.KIND(3), .HEAD_DIM(HEAD_DIM), .MAX_CTX(MAX_CTX)) dut (
    .clk_i, .rst_ni, .in_i(in_dec), .out_o(out_dec));

  rp_pkg::rp_out_t out_safe;
  rp_pkg::rp_in_t  in_iso;
  rp_safe u_safe (.out_safe_o(out_safe), .in_iso_o(in_iso));
  assign in_pf   = sel_decode ? in_iso : in_ext;
  assign in_dec  = sel_decode ? in_ext : in_iso;
  assign out_sel = sel_decode ? out_dec : out_pf;

  // ---------------------------------------------------------------- job, status, statistics
  logic [1:0]  job_phase;
  logic [7:0]  job_layer;
  logic [7:0]  job_head;
  logic [15:0] job_q_len;
  logic [15:0] job_pos0;
  logic [AW-1:0] job_k_base;
  logic [AW-1:0] job_v_base;
  logic [31:0] job_c_mul;
  logic [4:0]  job_fv;
  logic        job_valid_i, job_ready_o, busy_o, done_o, err_o, shutdown_req_i, shutdown_ack_o;
  logic [rp_pkg::ErrW-1:0] err_code_o;
  logic [7:0]  rm_id_o;
  logic [31:0] stat_busy_cycles, stat_active_cycles;
  logic [31:0] stat_rd_beats [4];
  logic [31:0] stat_wr_beats [4];

  assign in_ext.job.phase  = job_phase;
  assign in_ext.job.layer  = job_layer;
  assign in_ext.job.head   = job_head;
  assign in_ext.job.q_len  = job_q_len;
  assign in_ext.job.pos0   = job_pos0;
  assign in_ext.job.k_base = job_k_base;
  assign in_ext.job.v_base = job_v_base;
  assign in_ext.job.c_mul  = job_c_mul;
  assign in_ext.job.fv     = job_fv;
  assign in_ext.job_valid    = job_valid_i;
  assign in_ext.shutdown_req = shutdown_req_i;
  assign job_ready_o        = out_sel.job_ready;
  assign busy_o             = out_sel.busy;
  assign done_o             = out_sel.done;
  assign err_o              = out_sel.err;
  assign err_code_o         = out_sel.err_code;
  assign rm_id_o            = out_sel.rm_id;
  assign shutdown_ack_o     = out_sel.shutdown_ack;
  assign stat_busy_cycles   = out_sel.stats.busy_cycles;
  assign stat_active_cycles = out_sel.stats.active_cycles;
  assign stat_rd_beats[0]   = out_sel.stats.rd_beats_hp0;
  assign stat_rd_beats[1]   = out_sel.stats.rd_beats_hp1;
  assign stat_rd_beats[2]   = out_sel.stats.rd_beats_hp2;
  assign stat_rd_beats[3]   = out_sel.stats.rd_beats_hp3;
  assign stat_wr_beats[0]   = out_sel.stats.wr_beats_hp0;
  assign stat_wr_beats[1]   = out_sel.stats.wr_beats_hp1;
  assign stat_wr_beats[2]   = out_sel.stats.wr_beats_hp2;
  assign stat_wr_beats[3]   = out_sel.stats.wr_beats_hp3;

  // ---------------------------------------------------------------- qkv in, O out
  logic [127:0]               s_qkv_tdata_i;
  logic [1:0]                 s_qkv_tuser_i;
  logic                       s_qkv_tlast_i, s_qkv_tvalid_i, s_qkv_tready_o;
  logic [127:0]               m_o_tdata_o;
  logic [rp_pkg::RowIdxW-1:0] m_o_tuser_o;
  logic                       m_o_tlast_o, m_o_tvalid_o, m_o_tready_i;
  assign in_ext.qkv_tdata  = s_qkv_tdata_i;
  assign in_ext.qkv_tuser  = s_qkv_tuser_i;
  assign in_ext.qkv_tlast  = s_qkv_tlast_i;
  assign in_ext.qkv_tvalid = s_qkv_tvalid_i;
  assign in_ext.o_tready   = m_o_tready_i;
  assign s_qkv_tready_o = out_sel.qkv_tready;
  assign m_o_tdata_o    = out_sel.o_tdata;
  assign m_o_tuser_o    = out_sel.o_tuser;
  assign m_o_tlast_o    = out_sel.o_tlast;
  assign m_o_tvalid_o   = out_sel.o_tvalid;

  // ---------------------------------------------------------------- per-port AXI nets
`define TB_RMD_PD_PORT(p, n) \
  logic [IW-1:0]  p``_awid_o;    assign p``_awid_o    = out_sel.axi.awid[n*IW +: IW];     \
  logic [AW-1:0]  p``_awaddr_o;  assign p``_awaddr_o  = out_sel.axi.awaddr[n*AW +: AW];   \
  logic [7:0]     p``_awlen_o;   assign p``_awlen_o   = out_sel.axi.awlen[n*8 +: 8];      \
  logic [2:0]     p``_awsize_o;  assign p``_awsize_o  = out_sel.axi.awsize[n*3 +: 3];     \
  logic [1:0]     p``_awburst_o; assign p``_awburst_o = out_sel.axi.awburst[n*2 +: 2];    \
  logic           p``_awvalid_o; assign p``_awvalid_o = out_sel.axi.awvalid[n];           \
  logic           p``_awready_i; assign in_ext.axi.awready[n] = p``_awready_i;            \
  logic [127:0]   p``_wdata_o;   assign p``_wdata_o   = out_sel.axi.wdata[n*128 +: 128];  \
  logic [15:0]    p``_wstrb_o;   assign p``_wstrb_o   = out_sel.axi.wstrb[n*16 +: 16];    \
  logic           p``_wlast_o;   assign p``_wlast_o   = out_sel.axi.wlast[n];             \
  logic           p``_wvalid_o;  assign p``_wvalid_o  = out_sel.axi.wvalid[n];            \
  logic           p``_wready_i;  assign in_ext.axi.wready[n] = p``_wready_i;              \
  logic [IW-1:0]  p``_bid_i;     assign in_ext.axi.bid[n*IW +: IW] = p``_bid_i;           \
  logic [1:0]     p``_bresp_i;   assign in_ext.axi.bresp[n*2 +: 2] = p``_bresp_i;         \
  logic           p``_bvalid_i;  assign in_ext.axi.bvalid[n] = p``_bvalid_i;              \
  logic           p``_bready_o;  assign p``_bready_o  = out_sel.axi.bready[n];            \
  logic [IW-1:0]  p``_arid_o;    assign p``_arid_o    = out_sel.axi.arid[n*IW +: IW];     \
  logic [AW-1:0]  p``_araddr_o;  assign p``_araddr_o  = out_sel.axi.araddr[n*AW +: AW];   \
  logic [7:0]     p``_arlen_o;   assign p``_arlen_o   = out_sel.axi.arlen[n*8 +: 8];      \
  logic [2:0]     p``_arsize_o;  assign p``_arsize_o  = out_sel.axi.arsize[n*3 +: 3];     \
  logic [1:0]     p``_arburst_o; assign p``_arburst_o = out_sel.axi.arburst[n*2 +: 2];    \
  logic           p``_arvalid_o; assign p``_arvalid_o = out_sel.axi.arvalid[n];           \
  logic           p``_arready_i; assign in_ext.axi.arready[n] = p``_arready_i;            \
  logic [IW-1:0]  p``_rid_i;     assign in_ext.axi.rid[n*IW +: IW] = p``_rid_i;           \
  logic [127:0]   p``_rdata_i;   assign in_ext.axi.rdata[n*128 +: 128] = p``_rdata_i;     \
  logic [1:0]     p``_rresp_i;   assign in_ext.axi.rresp[n*2 +: 2] = p``_rresp_i;         \
  logic           p``_rlast_i;   assign in_ext.axi.rlast[n] = p``_rlast_i;                \
  logic           p``_rvalid_i;  assign in_ext.axi.rvalid[n] = p``_rvalid_i;              \
  logic           p``_rready_o;  assign p``_rready_o  = out_sel.axi.rready[n];

  `TB_RMD_PD_PORT(m_axi_hp0, 0)
  `TB_RMD_PD_PORT(m_axi_hp1, 1)
  `TB_RMD_PD_PORT(m_axi_hp2, 2)
  `TB_RMD_PD_PORT(m_axi_hp3, 3)
`undef TB_RMD_PD_PORT
endmodule
