// Port-less cocotb toplevel for static_region. The RP side is broken out into plain nets so the
// testbench can play the attention RM (a cocotb model computing the golden attention) until the
// end-to-end top puts the real RMs behind the boundary.
module tb_static_region #(
  parameter int unsigned D        = 64,
  parameter int unsigned F        = 128,
  parameter int unsigned N_HEADS  = 4,
  parameter int unsigned HEAD_DIM = 16,
  parameter int unsigned N_LAYERS = 2,
  parameter int unsigned MAX_ROWS = 64,
  parameter int unsigned MAX_CTX  = 256,
  parameter int unsigned WDEPTH   = 2048,
  parameter int unsigned G_WORDS  = 256
);
  logic clk_i, rst_ni;
  // AXI-Lite
  logic [7:0]  s_axil_awaddr_i, s_axil_araddr_i;
  logic [2:0]  s_axil_awprot_i, s_axil_arprot_i;
  logic        s_axil_awvalid_i, s_axil_awready_o, s_axil_wvalid_i, s_axil_wready_o;
  logic [31:0] s_axil_wdata_i, s_axil_rdata_o;
  logic [3:0]  s_axil_wstrb_i;
  logic [1:0]  s_axil_bresp_o, s_axil_rresp_o;
  logic        s_axil_bvalid_o, s_axil_bready_i, s_axil_arvalid_i, s_axil_arready_o;
  logic        s_axil_rvalid_o, s_axil_rready_i;
  // static DMA master
  logic [3:0]   m_axi_awid_o, m_axi_bid_i, m_axi_arid_o, m_axi_rid_i;
  logic [39:0]  m_axi_awaddr_o, m_axi_araddr_o;
  logic [7:0]   m_axi_awlen_o, m_axi_arlen_o;
  logic [2:0]   m_axi_awsize_o, m_axi_arsize_o;
  logic [1:0]   m_axi_awburst_o, m_axi_arburst_o, m_axi_bresp_i, m_axi_rresp_i;
  logic         m_axi_awvalid_o, m_axi_awready_i, m_axi_wlast_o, m_axi_wvalid_o, m_axi_wready_i;
  logic [127:0] m_axi_wdata_o, m_axi_rdata_i;
  logic [15:0]  m_axi_wstrb_o;
  logic         m_axi_bvalid_i, m_axi_bready_o, m_axi_arvalid_o, m_axi_arready_i;
  logic         m_axi_rlast_i, m_axi_rvalid_i, m_axi_rready_o;
  logic         dma_active_o, busy_o, done_o;
  logic [3:0]   cmd_o;
  // RP boundary
  rp_pkg::rp_in_t  rp_o;
  rp_pkg::rp_out_t rp_i;
  logic            rp_decoupled_i;
  logic            rp_swap_pending_i;
  // broken-out RP nets for the cocotb RM model
  logic [1:0]   job_phase;
  logic [7:0]   job_layer, job_head;
  logic [15:0]  job_q_len, job_pos0;
  logic [39:0]  job_k_base, job_v_base;
  logic [31:0]  job_c_mul;
  logic [4:0]   job_fv;
  logic         job_valid, job_ready, rm_done, rm_busy, rm_err;
  logic [3:0]   rm_err_code;
  logic [7:0]   rm_id;
  logic [127:0] qkv_tdata, o_tdata;
  logic [1:0]   qkv_tuser;
  logic         qkv_tlast, qkv_tvalid, qkv_tready;
  logic [15:0]  o_tuser;
  logic         o_tlast, o_tvalid, o_tready;

  static_region #(
    .D(D), .F(F), .N_HEADS(N_HEADS), .HEAD_DIM(HEAD_DIM), .N_LAYERS(N_LAYERS),
    .MAX_ROWS(MAX_ROWS), .MAX_CTX(MAX_CTX), .WDEPTH(WDEPTH), .G_WORDS(G_WORDS)
  ) dut (.*);

  assign job_phase  = rp_o.job.phase;
  assign job_layer  = rp_o.job.layer;
  assign job_head   = rp_o.job.head;
  assign job_q_len  = rp_o.job.q_len;
  assign job_pos0   = rp_o.job.pos0;
  assign job_k_base = rp_o.job.k_base;
  assign job_v_base = rp_o.job.v_base;
  assign job_c_mul  = rp_o.job.c_mul;
  assign job_fv     = rp_o.job.fv;
  assign job_valid  = rp_o.job_valid;
  assign qkv_tdata  = rp_o.qkv_tdata;
  assign qkv_tuser  = rp_o.qkv_tuser;
  assign qkv_tlast  = rp_o.qkv_tlast;
  assign qkv_tvalid = rp_o.qkv_tvalid;
  assign o_tready   = rp_o.o_tready;

  rp_pkg::rp_out_t out_safe;
  rp_pkg::rp_in_t  in_iso;
  rp_safe u_safe (.out_safe_o(out_safe), .in_iso_o(in_iso));
  always_comb begin
    rp_i              = out_safe;
    rp_i.job_ready    = job_ready;
    rp_i.busy         = rm_busy;
    rp_i.done         = rm_done;
    rp_i.err          = rm_err;
    rp_i.err_code     = rm_err_code;
    rp_i.rm_id        = rm_id;
    rp_i.shutdown_ack = 1'b0;
    rp_i.qkv_tready   = qkv_tready;
    rp_i.o_tdata      = o_tdata;
    rp_i.o_tuser      = o_tuser;
    rp_i.o_tlast      = o_tlast;
    rp_i.o_tvalid     = o_tvalid;
  end
endmodule
