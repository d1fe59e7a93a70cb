// PD-Swap static region: all non-attention work of a BitNet b1.58 layer (docs/static-region.md).
//
// Commands from the AXI-Lite block (sr_csr) run as lists of operations (sr_pkg::op_of). Every
// operation streams rows from one on-chip buffer through a chain of blocks into another buffer:
//   NQ    buffer -> rmsnorm -> act_quant -> pack -> XBUF (+ AMAX)
//   Norm  HBUF -> rmsnorm -> OBUF                                   (final norm)
//   Tlmm  XBUF -> tlmm -> { GBUF | rope/requant8 -> Q/K/VBUF | + HBUF -> HBUF | swiglu(GBUF, .) -> FBUF }
//   DmaIn DDR -> HBUF (embeddings) or a memory (weights, gains, RoPE tables, layer descriptors)
//   Store OBUF/HBUF -> DDR
//   Att   per head: job + Q/K/V rows -> RP, O rows <- RP into OBUF
// The static DMA master (one AXI4 port) is muxed onto HP0 by the top level.
module static_region #(
  parameter int unsigned D           = 64,
  parameter int unsigned F           = 128,
  parameter int unsigned N_HEADS     = 4,
  parameter int unsigned HEAD_DIM    = 16,
  parameter int unsigned N_LAYERS    = 2,
  parameter int unsigned MAX_ROWS    = 256,
  parameter int unsigned MAX_CTX     = 256,
  parameter int unsigned TLMM_G      = 5,
  parameter int unsigned TLMM_LANES  = 32,
  parameter int unsigned TLMM_ROWS   = 1,
  parameter int unsigned WDEPTH      = 4096,
  parameter int unsigned G_WORDS     = 1024,
  parameter int unsigned DMA_BURST   = 16,
  parameter int unsigned DMA_OUTSTD  = 8
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  // AXI-Lite control
  input  logic [7:0]       s_axil_awaddr_i,
  input  logic [2:0]       s_axil_awprot_i,
  input  logic             s_axil_awvalid_i,
  output logic             s_axil_awready_o,
  input  logic [31:0]      s_axil_wdata_i,
  input  logic [3:0]       s_axil_wstrb_i,
  input  logic             s_axil_wvalid_i,
  output logic             s_axil_wready_o,
  output logic [1:0]       s_axil_bresp_o,
  output logic             s_axil_bvalid_o,
  input  logic             s_axil_bready_i,
  input  logic [7:0]       s_axil_araddr_i,
  input  logic [2:0]       s_axil_arprot_i,
  input  logic             s_axil_arvalid_i,
  output logic             s_axil_arready_o,
  output logic [31:0]      s_axil_rdata_o,
  output logic [1:0]       s_axil_rresp_o,
  output logic             s_axil_rvalid_o,
  input  logic             s_axil_rready_i,
  // static DMA master (AXI4, 128-bit)
  output logic [3:0]       m_axi_awid_o,
  output logic [39:0]      m_axi_awaddr_o,
  output logic [7:0]       m_axi_awlen_o,
  output logic [2:0]       m_axi_awsize_o,
  output logic [1:0]       m_axi_awburst_o,
  output logic             m_axi_awvalid_o,
  input  logic             m_axi_awready_i,
  output logic [127:0]     m_axi_wdata_o,
  output logic [15:0]      m_axi_wstrb_o,
  output logic             m_axi_wlast_o,
  output logic             m_axi_wvalid_o,
  input  logic             m_axi_wready_i,
  input  logic [3:0]       m_axi_bid_i,
  input  logic [1:0]       m_axi_bresp_i,
  input  logic             m_axi_bvalid_i,
  output logic             m_axi_bready_o,
  output logic [3:0]       m_axi_arid_o,
  output logic [39:0]      m_axi_araddr_o,
  output logic [7:0]       m_axi_arlen_o,
  output logic [2:0]       m_axi_arsize_o,
  output logic [1:0]       m_axi_arburst_o,
  output logic             m_axi_arvalid_o,
  input  logic             m_axi_arready_i,
  input  logic [3:0]       m_axi_rid_i,
  input  logic [127:0]     m_axi_rdata_i,
  input  logic [1:0]       m_axi_rresp_i,
  input  logic             m_axi_rlast_i,
  input  logic             m_axi_rvalid_i,
  output logic             m_axi_rready_o,
  output logic             dma_active_o,      // the static DMA owns HP0 (a DMA command runs)
  // RP boundary (static side; the HP ports go to DDR directly)
  output rp_pkg::rp_in_t   rp_o,
  input  rp_pkg::rp_out_t  rp_i,
  input  logic             rp_decoupled_i,    // RP decoupled (reconfiguring, empty or failed)
  input  logic             rp_swap_pending_i, // a swap waits for the RM: start no new job
  // status
  output logic             busy_o,
  output logic             done_o,
  output logic [3:0]       cmd_o
);
  import sr_pkg::*;

  // ------------------------------------------------------------------ geometry
  localparam int unsigned HWd  = D / 4;                        // Q.16 row of D (words)
  localparam int unsigned FWd  = F / 4;                        // Q.16 row of F
  localparam int unsigned QWd  = D / 16;                       // int8 row of D
  localparam int unsigned XWd  = (D > F ? D : F) / 16;         // int8 row of max(D, F)
  localparam int unsigned DHQ  = HEAD_DIM / 16;                // int8 head slice (words)
  localparam int unsigned DHO  = HEAD_DIM / 4;                 // Q.16 head slice (words)
  localparam int unsigned MaxWords = MAX_ROWS * (FWd > HWd ? FWd : HWd);
  localparam int unsigned AW   = $clog2(MaxWords + 1);         // common buffer address width
  localparam int unsigned RW   = 16;
  localparam int unsigned DescWords = N_LAYERS * 8;            // 8 x 128-bit words per layer
  localparam int unsigned DescAW = $clog2(DescWords);
  localparam int unsigned GAW  = $clog2(G_WORDS);
  localparam int unsigned RopeDepth = MAX_CTX * HEAD_DIM / 2 / 4;
  localparam int unsigned RAW  = $clog2(RopeDepth);
  localparam int unsigned PW   = $clog2(MAX_CTX);

  if (D % 16 != 0 || F % 16 != 0 || HEAD_DIM % 16 != 0 || N_HEADS * HEAD_DIM != D) begin : g_bad_dims
    $fatal(1, "static_region: D=%0d F=%0d N_HEADS=%0d HEAD_DIM=%0d (need D, F, HEAD_DIM multiples of 16 and N_HEADS*HEAD_DIM == D)",
           D, F, N_HEADS, HEAD_DIM);
  end
  if (MAX_ROWS < 1 || MAX_ROWS > MAX_CTX || MAX_CTX > 65535) begin : g_bad_rows
    $fatal(1, "static_region: MAX_ROWS=%0d MAX_CTX=%0d (need 1 <= MAX_ROWS <= MAX_CTX <= 65535)",
           MAX_ROWS, MAX_CTX);
  end
  if (N_LAYERS < 1 || N_LAYERS > 255) begin : g_bad_layers
    $fatal(1, "static_region: N_LAYERS=%0d outside [1, 255]", N_LAYERS);
  end

  // ------------------------------------------------------------------ CSR
  logic        csr_start;
  logic [3:0]  csr_cmd;
  logic [15:0] csr_rows, csr_pos0;
  logic [7:0]  csr_layer;
  logic [39:0] csr_ddr, csr_kv;
  logic [31:0] csr_len, csr_dst, csr_gfinal, csr_eps_d, csr_eps_f;
  logic [1:0]  csr_phase;
  logic        csr_cnt_clr;
  logic        seq_busy, seq_done, seq_err;
  logic [7:0]  seq_err_code;
  logic [31:0] rp_busy_sum_q, rp_act_sum_q, rp_rd_sum_q, rp_wr_sum_q;
  logic [3:0]  rp_err_code_q;
  logic [47:0] tlmm_cnt_busy, tlmm_cnt_lookup;

  sr_csr #(
    .D(D), .F(F), .N_HEADS(N_HEADS), .HEAD_DIM(HEAD_DIM), .N_LAYERS(N_LAYERS),
    .MAX_ROWS(MAX_ROWS), .MAX_CTX(MAX_CTX)
  ) u_csr (
    .clk_i, .rst_ni,
    .s_axil_awaddr_i, .s_axil_awprot_i, .s_axil_awvalid_i, .s_axil_awready_o,
    .s_axil_wdata_i, .s_axil_wstrb_i, .s_axil_wvalid_i, .s_axil_wready_o,
    .s_axil_bresp_o, .s_axil_bvalid_o, .s_axil_bready_i,
    .s_axil_araddr_i, .s_axil_arprot_i, .s_axil_arvalid_i, .s_axil_arready_o,
    .s_axil_rdata_o, .s_axil_rresp_o, .s_axil_rvalid_o, .s_axil_rready_i,
    .start_o(csr_start), .cmd_o(csr_cmd), .rows_o(csr_rows), .pos0_o(csr_pos0),
    .layer_o(csr_layer), .ddr_addr_o(csr_ddr), .len_o(csr_len), .dst_o(csr_dst),
    .kv_base_o(csr_kv), .gbase_final_o(csr_gfinal), .eps_d_o(csr_eps_d), .eps_f_o(csr_eps_f),
    .phase_o(csr_phase), .cnt_clr_o(csr_cnt_clr),
    .busy_i(seq_busy), .done_i(seq_done), .err_i(seq_err), .err_code_i(seq_err_code),
    .tlmm_busy_i(tlmm_cnt_busy[31:0]), .tlmm_lookups_i(tlmm_cnt_lookup[31:0]),
    .rp_busy_i(rp_busy_sum_q), .rp_active_i(rp_act_sum_q), .rp_rd_beats_i(rp_rd_sum_q),
    .rp_wr_beats_i(rp_wr_sum_q),
    .rp_status_i({rp_err_code_q, 3'd0, rp_decoupled_i, rp_i.rm_id})
  );

  // ------------------------------------------------------------------ layer descriptors
  logic [127:0] desc_mem [DescWords];
  logic [31:0]  desc_q [32];      // the current command's layer descriptor

  // ------------------------------------------------------------------ sequencer state
  typedef enum logic [2:0] {SIdle, SDesc, SOpStart, SOpRun, SOpEnd, SDone} seq_e;
  seq_e        state_q;
  logic [3:0]  cmd_q;
  logic [2:0]  op_idx_q;
  logic [3:0]  desc_idx_q;
  op_t         op;
  logic [15:0] rows_q, pos0_q;
  logic [7:0]  layer_q;
  logic        err_q;
  logic [7:0]  err_code_q;
  logic        op_start;       // one-cycle pulse: configure + start the op's engines
  logic        op_finished;    // the op's completion condition
  logic        op_err;
  logic [7:0]  op_err_code;
  logic        start_accepted; // the TLMM/DMA took the op's configuration
  logic        att_arm;        // start the O writer (and the feeder) for the current head
  logic        blk_err;        // a block flagged an error (checked at the end of every op)
  logic [7:0]  blk_err_code;
  logic        seq_abort;      // a command failed: drop every buffer transfer and the feeder

  assign op = op_of(cmd_q, op_idx_q);

  // per-op derived configuration
  logic [15:0] n_out, k_in;
  logic [31:0] wbase, wscale;
  logic [4:0]  frac;
  logic [31:0] gbase, eps;
  assign n_out  = (op.mat == 3'd4 || op.mat == 3'd5) ? 16'(F) : 16'(D);
  assign k_in   = (op.mat == 3'd6) ? 16'(F) : 16'(D);
  assign wbase  = desc_q[5'(op.mat)];
  assign wscale = desc_q[5'(7 + 32'(op.mat))];
  assign frac   = (op.frac_sel == 2'd0) ? desc_q[18][4:0] :
                  (op.frac_sel == 2'd1) ? desc_q[18][12:8] : desc_q[18][20:16];
  assign gbase  = (op.gsel == 3'd4) ? csr_gfinal : desc_q[14 + 32'(op.gsel)];
  assign eps    = op.wide ? csr_eps_f : csr_eps_d;

  // ------------------------------------------------------------------ buffers
  // one RAM, reader and writer per buffer; ports muxed per op below
  localparam int unsigned NBuf = 8;
  localparam int unsigned BufRowWords [NBuf] = '{HWd, XWd, QWd, QWd, QWd, HWd, FWd, FWd};

  logic [NBuf-1:0]        rd_start, wr_start;
  logic [AW-1:0]          rd_base [NBuf], rd_beats [NBuf], rd_stride [NBuf];
  logic [AW-1:0]          wr_base [NBuf], wr_beats [NBuf], wr_stride [NBuf];
  logic [RW-1:0]          rd_rows [NBuf], wr_rows [NBuf];
  logic [NBuf-1:0]        wr_use_tuser;
  logic [NBuf-1:0]        rd_busy, wr_busy, wr_done, wr_err;
  logic [NBuf-1:0]        ram_re_rd, ram_we;
  logic [AW-1:0]          ram_raddr_rd [NBuf], ram_waddr [NBuf];
  logic [127:0]           ram_wdata [NBuf], ram_rdata [NBuf];
  logic [NBuf-1:0]        ram_re;
  logic [AW-1:0]          ram_raddr [NBuf];
  // reader streams (producers) and writer streams (consumers)
  logic [127:0]           rd_tdata [NBuf];
  logic [NBuf-1:0]        rd_tvalid, rd_tready, rd_tlast;
  logic [RW-1:0]          rd_tuser [NBuf];
  logic [127:0]           wr_tdata [NBuf];
  logic [NBuf-1:0]        wr_tvalid, wr_tready, wr_tlast;
  logic [RW-1:0]          wr_tuser [NBuf];
  // the Q/K/V feeder shares the Q/K/V RAM read ports (ATT only)
  logic                   feed_re;
  logic [1:0]             feed_sel;
  logic [AW-1:0]          feed_raddr;

  for (genvar b = 0; b < NBuf; b++) begin : g_buf
    localparam int unsigned Depth = MAX_ROWS * BufRowWords[b];
    localparam int unsigned BAW   = $clog2(Depth);

    sr_ram #(.W(128), .DEPTH(Depth)) u_ram (
      .clk_i,
      .we_i(ram_we[b]), .waddr_i(ram_waddr[b][BAW-1:0]), .wdata_i(ram_wdata[b]),
      .re_i(ram_re[b]), .raddr_i(ram_raddr[b][BAW-1:0]), .rdata_o(ram_rdata[b])
    );

    sr_rd_stream #(.W(128), .AW(AW), .RW(RW)) u_rd (
      .clk_i, .rst_ni, .start_i(rd_start[b]), .abort_i(seq_abort), .base_i(rd_base[b]),
      .rows_i(rd_rows[b]),
      .beats_i(rd_beats[b]), .stride_i(rd_stride[b]), .busy_o(rd_busy[b]),
      .re_o(ram_re_rd[b]), .raddr_o(ram_raddr_rd[b]), .rdata_i(ram_rdata[b]),
      .m_axis_tdata_o(rd_tdata[b]), .m_axis_tvalid_o(rd_tvalid[b]),
      .m_axis_tready_i(rd_tready[b]), .m_axis_tlast_o(rd_tlast[b]),
      .m_axis_tuser_o(rd_tuser[b])
    );

    sr_wr_stream #(.W(128), .AW(AW), .RW(RW)) u_wr (
      .clk_i, .rst_ni, .start_i(wr_start[b]), .abort_i(seq_abort), .base_i(wr_base[b]),
      .rows_i(wr_rows[b]),
      .beats_i(wr_beats[b]), .stride_i(wr_stride[b]), .use_tuser_i(wr_use_tuser[b]),
      .busy_o(wr_busy[b]), .done_o(wr_done[b]), .err_o(wr_err[b]),
      .we_o(ram_we[b]), .waddr_o(ram_waddr[b]), .wdata_o(ram_wdata[b]),
      .s_axis_tdata_i(wr_tdata[b]), .s_axis_tvalid_i(wr_tvalid[b]),
      .s_axis_tready_o(wr_tready[b]), .s_axis_tlast_i(wr_tlast[b]),
      .s_axis_tuser_i(wr_tuser[b])
    );

    if (b == BufQ || b == BufK || b == BufV) begin : g_feed_port
      assign ram_re[b]    = ram_re_rd[b] || (feed_re && feed_sel == 2'(b - 2));
      assign ram_raddr[b] = (feed_re && feed_sel == 2'(b - 2)) ? feed_raddr : ram_raddr_rd[b];
    end else begin : g_rd_port
      assign ram_re[b]    = ram_re_rd[b];
      assign ram_raddr[b] = ram_raddr_rd[b];
    end
  end

  // per-row amax of XBUF (written with each quantised row, read by the TLMM feed)
  logic [31:0]   amax_mem [MAX_ROWS];
  logic [RW-1:0] amax_row_q;

  // ------------------------------------------------------------------ blocks
  // rmsnorm
  logic [127:0] norm_i_tdata, norm_o_tdata;
  logic         norm_i_tvalid, norm_i_tready, norm_i_tlast;
  logic         norm_o_tvalid, norm_o_tready, norm_o_tlast;
  logic         g_we;
  logic [GAW-1:0] g_waddr;
  logic         norm_busy, norm_err_ovf, norm_err_gain;

  rmsnorm #(.LANES(4), .D_MAX(D > F ? D : F), .G_WORDS(G_WORDS)) u_norm (
    .clk_i, .rst_ni,
    .s_axis_tdata_i(norm_i_tdata), .s_axis_tvalid_i(norm_i_tvalid),
    .s_axis_tready_o(norm_i_tready), .s_axis_tlast_i(norm_i_tlast),
    .s_axis_tuser_i({eps, gbase[GAW-1:0]}),
    .m_axis_tdata_o(norm_o_tdata), .m_axis_tvalid_o(norm_o_tvalid),
    .m_axis_tready_i(norm_o_tready), .m_axis_tlast_o(norm_o_tlast),
    .g_we_i(g_we), .g_waddr_i(g_waddr), .g_wdata_i(dma_rd_tdata),
    .busy_o(norm_busy), .err_overflow_o(norm_err_ovf), .err_gain_o(norm_err_gain)
  );

  // act_quant + packer
  logic [31:0]  q_o_tdata, q_o_tuser;
  logic         q_o_tvalid, q_o_tready, q_o_tlast, quant_busy, quant_err;
  logic [127:0] pk_tdata;
  logic [31:0]  pk_tuser;
  logic         pk_tvalid, pk_tready, pk_tlast, pk_err;
  logic         quant_i_tvalid, quant_i_tready;

  act_quant #(.LANES(4), .D_MAX(D > F ? D : F)) u_quant (
    .clk_i, .rst_ni,
    .s_axis_tdata_i(norm_o_tdata), .s_axis_tvalid_i(quant_i_tvalid),
    .s_axis_tready_o(quant_i_tready), .s_axis_tlast_i(norm_o_tlast),
    .m_axis_tdata_o(q_o_tdata), .m_axis_tvalid_o(q_o_tvalid), .m_axis_tready_i(q_o_tready),
    .m_axis_tlast_o(q_o_tlast), .m_axis_tuser_o(q_o_tuser),
    .busy_o(quant_busy), .err_overflow_o(quant_err)
  );

  sr_pack4 u_pack (
    .clk_i, .rst_ni,
    .s_axis_tdata_i(q_o_tdata), .s_axis_tvalid_i(q_o_tvalid), .s_axis_tready_o(q_o_tready),
    .s_axis_tlast_i(q_o_tlast), .s_axis_tuser_i(q_o_tuser),
    .m_axis_tdata_o(pk_tdata), .m_axis_tvalid_o(pk_tvalid), .m_axis_tready_i(pk_tready),
    .m_axis_tlast_o(pk_tlast), .m_axis_tuser_o(pk_tuser), .err_o(pk_err)
  );

  // tlmm
  logic [127:0] tl_o_tdata;
  logic         tl_o_tvalid, tl_o_tready, tl_o_tlast;
  logic         tl_i_tvalid, tl_i_tready;
  logic         tl_cfg_valid, tl_cfg_ready, tl_busy, tl_done, tl_err_cfg, tl_err_len;
  logic         w_we;
  logic [$clog2(WDEPTH)-1:0] w_waddr;
  logic [47:0]  tl_cnt_stall_in, tl_cnt_stall_out;

  tlmm #(
    .G(TLMM_G), .LANES(TLMM_LANES), .ROWS(TLMM_ROWS), .IN_LANES(16),
    .N_MAX(D > F ? D : F), .K_MAX(D > F ? D : F), .WDEPTH(WDEPTH)
  ) u_tlmm (
    .clk_i, .rst_ni,
    .wmem_we_i(w_we), .wmem_addr_i(w_waddr), .wmem_wdata_i(dma_rd_tdata),
    .cfg_valid_i(tl_cfg_valid), .cfg_ready_o(tl_cfg_ready),
    .cfg_n_i(n_out), .cfg_k_i(k_in), .cfg_m_i(rows_q), .cfg_wbase_i(wbase),
    .cfg_wmul_i(wscale[15:0]), .cfg_wshift_i(wscale[21:16]),
    .s_axis_tdata_i(rd_tdata[BufX]), .s_axis_tvalid_i(tl_i_tvalid),
    .s_axis_tready_o(tl_i_tready), .s_axis_tlast_i(rd_tlast[BufX]),
    .s_axis_tuser_i(amax_mem[rd_tuser[BufX][$clog2(MAX_ROWS)-1:0]]),
    .m_axis_tdata_o(tl_o_tdata), .m_axis_tvalid_o(tl_o_tvalid),
    .m_axis_tready_i(tl_o_tready), .m_axis_tlast_o(tl_o_tlast),
    .busy_o(tl_busy), .done_o(tl_done), .err_cfg_o(tl_err_cfg), .err_len_o(tl_err_len),
    .cnt_clr_i(csr_cnt_clr), .cnt_busy_o(tlmm_cnt_busy), .cnt_lookup_o(tlmm_cnt_lookup),
    .cnt_stall_in_o(tl_cnt_stall_in), .cnt_stall_out_o(tl_cnt_stall_out)
  );

  // rope + requant8 (also V with rotation off)
  logic [127:0] rope_o_tdata;
  logic         rope_i_tvalid, rope_i_tready, rope_o_tvalid, rope_o_tready, rope_o_tlast;
  logic [PW+5:0] rope_o_tuser;
  logic         t_we;
  logic [RAW-1:0] t_waddr;
  logic         rope_busy, rope_err_ovf, rope_err_cfg;
  logic [15:0]  rope_row_q;
  logic [15:0]  rope_pos;
  assign rope_pos = pos0_q + rope_row_q;

  rope #(.LANES(4), .OUT_LANES(16), .HEAD_DIM(HEAD_DIM), .MAX_CTX(MAX_CTX), .D_MAX(D)) u_rope (
    .clk_i, .rst_ni,
    .s_axis_tdata_i(tl_o_tdata), .s_axis_tvalid_i(rope_i_tvalid),
    .s_axis_tready_o(rope_i_tready), .s_axis_tlast_i(tl_o_tlast),
    .s_axis_tuser_i({op.rot, frac, rope_pos[PW-1:0]}),
    .m_axis_tdata_o(rope_o_tdata), .m_axis_tvalid_o(rope_o_tvalid),
    .m_axis_tready_i(rope_o_tready), .m_axis_tlast_o(rope_o_tlast),
    .m_axis_tuser_o(rope_o_tuser),
    .t_we_i(t_we), .t_waddr_i(t_waddr), .t_wdata_i(dma_rd_tdata),
    .busy_o(rope_busy), .err_overflow_o(rope_err_ovf), .err_cfg_o(rope_err_cfg)
  );

  // residual add: h (HBUF reader) + x (tlmm)
  logic [127:0] res_o_tdata;
  logic         res_h_tvalid, res_h_tready, res_x_tvalid, res_x_tready;
  logic         res_o_tvalid, res_o_tready, res_o_tlast, res_err;

  residual_add #(.LANES(4)) u_res (
    .clk_i, .rst_ni,
    .s_axis_h_tdata_i(rd_tdata[BufH]), .s_axis_h_tvalid_i(res_h_tvalid),
    .s_axis_h_tready_o(res_h_tready), .s_axis_h_tlast_i(rd_tlast[BufH]),
    .s_axis_x_tdata_i(tl_o_tdata), .s_axis_x_tvalid_i(res_x_tvalid),
    .s_axis_x_tready_o(res_x_tready), .s_axis_x_tlast_i(tl_o_tlast),
    .m_axis_tdata_o(res_o_tdata), .m_axis_tvalid_o(res_o_tvalid),
    .m_axis_tready_i(res_o_tready), .m_axis_tlast_o(res_o_tlast), .err_last_o(res_err)
  );

  // swiglu: gate (GBUF reader) and up (tlmm)
  logic [127:0] swi_o_tdata;
  logic         swi_g_tvalid, swi_g_tready, swi_u_tvalid, swi_u_tready;
  logic         swi_o_tvalid, swi_o_tready, swi_o_tlast, swi_err;

  swiglu #(.LANES(4)) u_swiglu (
    .clk_i, .rst_ni,
    .s_axis_gate_tdata_i(rd_tdata[BufG]), .s_axis_gate_tvalid_i(swi_g_tvalid),
    .s_axis_gate_tready_o(swi_g_tready), .s_axis_gate_tlast_i(rd_tlast[BufG]),
    .s_axis_up_tdata_i(tl_o_tdata), .s_axis_up_tvalid_i(swi_u_tvalid),
    .s_axis_up_tready_o(swi_u_tready), .s_axis_up_tlast_i(tl_o_tlast),
    .m_axis_tdata_o(swi_o_tdata), .m_axis_tvalid_o(swi_o_tvalid),
    .m_axis_tready_i(swi_o_tready), .m_axis_tlast_o(swi_o_tlast), .err_last_o(swi_err)
  );

  // ------------------------------------------------------------------ DMA
  logic         dma_rd_cmd_valid, dma_rd_cmd_ready, dma_wr_cmd_valid, dma_wr_cmd_ready;
  logic [39:0]  dma_cmd_addr;
  logic [31:0]  dma_cmd_len;
  logic         dma_rd_sts_valid, dma_wr_sts_valid;
  logic [2:0]   dma_rd_sts_code, dma_wr_sts_code;
  logic [127:0] dma_rd_tdata;
  logic         dma_rd_tvalid, dma_rd_tready, dma_rd_tlast, dma_rd_tuser;
  logic [127:0] dma_wr_tdata;
  logic         dma_wr_tvalid, dma_wr_tready;
  logic         dma_rd_busy, dma_rd_err, dma_wr_busy, dma_wr_err;
  logic [31:0]  dma_cnt [6];
  logic [3:0]   dma_awcache, dma_arcache;   // HP ports: cache/prot attributes not modelled
  logic [2:0]   dma_awprot, dma_arprot;

  axi_dma #(
    .ADDR_W(40), .ID_W(4), .MAX_BURST(DMA_BURST), .MAX_OUTSTANDING(DMA_OUTSTD)
  ) u_dma (
    .clk_i, .rst_ni, .clear_i(csr_cnt_clr),
    .rd_cmd_valid_i(dma_rd_cmd_valid), .rd_cmd_ready_o(dma_rd_cmd_ready),
    .rd_cmd_addr_i(dma_cmd_addr), .rd_cmd_len_i(dma_cmd_len),
    .rd_sts_valid_o(dma_rd_sts_valid), .rd_sts_ready_i(1'b1), .rd_sts_code_o(dma_rd_sts_code),
    .m_axis_tdata_o(dma_rd_tdata), .m_axis_tvalid_o(dma_rd_tvalid),
    .m_axis_tready_i(dma_rd_tready), .m_axis_tlast_o(dma_rd_tlast),
    .m_axis_tuser_o(dma_rd_tuser),
    .wr_cmd_valid_i(dma_wr_cmd_valid), .wr_cmd_ready_o(dma_wr_cmd_ready),
    .wr_cmd_addr_i(dma_cmd_addr), .wr_cmd_len_i(dma_cmd_len),
    .wr_sts_valid_o(dma_wr_sts_valid), .wr_sts_ready_i(1'b1), .wr_sts_code_o(dma_wr_sts_code),
    .s_axis_tdata_i(dma_wr_tdata), .s_axis_tvalid_i(dma_wr_tvalid),
    .s_axis_tready_o(dma_wr_tready),
    .m_axi_awid_o, .m_axi_awaddr_o, .m_axi_awlen_o, .m_axi_awsize_o, .m_axi_awburst_o,
    .m_axi_awcache_o(dma_awcache), .m_axi_awprot_o(dma_awprot), .m_axi_awvalid_o, .m_axi_awready_i,
    .m_axi_wdata_o, .m_axi_wstrb_o, .m_axi_wlast_o, .m_axi_wvalid_o, .m_axi_wready_i,
    .m_axi_bid_i, .m_axi_bresp_i, .m_axi_bvalid_i, .m_axi_bready_o,
    .m_axi_arid_o, .m_axi_araddr_o, .m_axi_arlen_o, .m_axi_arsize_o, .m_axi_arburst_o,
    .m_axi_arcache_o(dma_arcache), .m_axi_arprot_o(dma_arprot), .m_axi_arvalid_o, .m_axi_arready_i,
    .m_axi_rid_i, .m_axi_rdata_i, .m_axi_rresp_i, .m_axi_rlast_i, .m_axi_rvalid_i,
    .m_axi_rready_o,
    .rd_busy_o(dma_rd_busy), .rd_err_o(dma_rd_err), .rd_cnt_busy_o(dma_cnt[0]),
    .rd_cnt_beats_o(dma_cnt[1]), .rd_cnt_stall_o(dma_cnt[2]),
    .wr_busy_o(dma_wr_busy), .wr_err_o(dma_wr_err), .wr_cnt_busy_o(dma_cnt[3]),
    .wr_cnt_beats_o(dma_cnt[4]), .wr_cnt_stall_o(dma_cnt[5])
  );

  // EMBED: the DMA stream carries ROWS rows of D/4 beats; mark each row's last beat
  logic [AW-1:0] emb_beat_q;
  logic          emb_last;
  assign emb_last = (32'(emb_beat_q) == HWd - 1);
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) emb_beat_q <= '0;
    else if (op_start) emb_beat_q <= '0;
    else if (op.kind == OpDmaIn && op.tgt == TgtH && dma_rd_tvalid && dma_rd_tready) begin
      emb_beat_q <= emb_last ? '0 : emb_beat_q + 1'b1;
    end
  end

  // memory-load address counter (LOAD_W/G/R/D): one 128-bit word per DMA beat
  logic [31:0] ld_addr_q;
  logic        ld_fire;
  assign ld_fire = dma_rd_tvalid && dma_rd_tready && op.kind == OpDmaIn && op.tgt != TgtH;
  assign w_we    = ld_fire && op.tgt == TgtW;
  assign g_we    = ld_fire && op.tgt == TgtG;
  assign t_we    = ld_fire && op.tgt == TgtR;
  assign w_waddr = ld_addr_q[$clog2(WDEPTH)-1:0];
  assign g_waddr = ld_addr_q[GAW-1:0];
  assign t_waddr = ld_addr_q[RAW-1:0];

  // ------------------------------------------------------------------ attention dispatch
  logic [7:0]   head_q;
  logic         job_sent_q, rp_done_seen_q;
  logic         feed_active_q;
  logic [15:0]  feed_row_q;
  logic [1:0]   feed_tensor_q;
  logic [AW-1:0] feed_beat_q;
  // feeder pipeline: RAM read issued -> data next cycle -> 2-entry FIFO (as sr_rd_stream)
  logic         fd_pend_q, fd_last_q;
  logic [1:0]   fd_tag_q;
  logic [130:0] fd_fifo_q [2];
  logic [1:0]   fd_cnt_q;
  logic         fd_rp_q, fd_wp_q;
  logic         fd_pop, fd_issue;
  logic [39:0]  kv_region;

  assign fd_pop   = rp_o.qkv_tvalid && rp_i.qkv_tready;
  assign fd_issue = feed_active_q && (32'(fd_cnt_q) + 32'(fd_pend_q) - 32'(fd_pop) < 2);
  assign feed_re  = fd_issue;
  assign feed_sel = feed_tensor_q;
  assign feed_raddr = AW'(32'(feed_row_q) * QWd + 32'(head_q) * DHQ) + feed_beat_q;
  assign kv_region  = 40'(MAX_CTX * HEAD_DIM);
  // K region of (layer, head) starts at ((layer * N_HEADS + head) * 2) * MAX_CTX * HEAD_DIM
  logic [39:0]  kv_k_off;
  assign kv_k_off = (40'(layer_q) * 40'(N_HEADS) + 40'(head_q)) * 40'd2 * kv_region;

  // ------------------------------------------------------------------ stream crossbar
  logic x_cnt_tlast;   // XBUF row written (for AMAX)
  always_comb begin
    // defaults: nothing connected
    rd_tready     = '0;
    wr_tvalid     = '0;
    wr_tlast      = '0;
    for (int unsigned b = 0; b < NBuf; b++) begin
      wr_tdata[b] = '0;
      wr_tuser[b] = '0;
    end
    norm_i_tdata  = rd_tdata[BufH];
    norm_i_tvalid = 1'b0;
    norm_i_tlast  = 1'b0;
    norm_o_tready = 1'b0;
    quant_i_tvalid = 1'b0;
    pk_tready     = 1'b0;
    tl_i_tvalid   = 1'b0;
    tl_o_tready   = 1'b0;
    rope_i_tvalid = 1'b0;
    rope_o_tready = 1'b0;
    res_h_tvalid  = 1'b0;
    res_x_tvalid  = 1'b0;
    res_o_tready  = 1'b0;
    swi_g_tvalid  = 1'b0;
    swi_u_tvalid  = 1'b0;
    swi_o_tready  = 1'b0;
    dma_rd_tready = 1'b0;
    dma_wr_tdata  = rd_tdata[op.src];
    dma_wr_tvalid = 1'b0;
    x_cnt_tlast   = 1'b0;
    unique case (op.kind)
      OpNQ, OpNorm: begin
        norm_i_tdata          = rd_tdata[op.src];
        norm_i_tvalid         = rd_tvalid[op.src];
        norm_i_tlast          = rd_tlast[op.src];
        rd_tready[op.src]     = norm_i_tready;
        if (op.kind == OpNQ) begin
          quant_i_tvalid      = norm_o_tvalid;
          norm_o_tready       = quant_i_tready;
          wr_tdata[BufX]      = pk_tdata;
          wr_tvalid[BufX]     = pk_tvalid;
          wr_tlast[BufX]      = pk_tlast;
          pk_tready           = wr_tready[BufX];
          x_cnt_tlast         = pk_tvalid && wr_tready[BufX] && pk_tlast;
        end else begin
          wr_tdata[op.dst]    = norm_o_tdata;
          wr_tvalid[op.dst]   = norm_o_tvalid;
          wr_tlast[op.dst]    = norm_o_tlast;
          norm_o_tready       = wr_tready[op.dst];
        end
      end
      OpTlmm: begin
        tl_i_tvalid           = rd_tvalid[BufX];
        rd_tready[BufX]       = tl_i_tready;
        unique case (op.post)
          PostNone: begin
            wr_tdata[op.dst]  = tl_o_tdata;
            wr_tvalid[op.dst] = tl_o_tvalid;
            wr_tlast[op.dst]  = tl_o_tlast;
            tl_o_tready       = wr_tready[op.dst];
          end
          PostRope: begin
            rope_i_tvalid     = tl_o_tvalid;
            tl_o_tready       = rope_i_tready;
            wr_tdata[op.dst]  = rope_o_tdata;
            wr_tvalid[op.dst] = rope_o_tvalid;
            wr_tlast[op.dst]  = rope_o_tlast;
            rope_o_tready     = wr_tready[op.dst];
          end
          PostRes: begin
            res_h_tvalid      = rd_tvalid[BufH];
            rd_tready[BufH]   = res_h_tready;
            res_x_tvalid      = tl_o_tvalid;
            tl_o_tready       = res_x_tready;
            wr_tdata[BufH]    = res_o_tdata;
            wr_tvalid[BufH]   = res_o_tvalid;
            wr_tlast[BufH]    = res_o_tlast;
            res_o_tready      = wr_tready[BufH];
          end
          default: begin      // PostSwiglu
            swi_g_tvalid      = rd_tvalid[BufG];
            rd_tready[BufG]   = swi_g_tready;
            swi_u_tvalid      = tl_o_tvalid;
            tl_o_tready       = swi_u_tready;
            wr_tdata[BufF]    = swi_o_tdata;
            wr_tvalid[BufF]   = swi_o_tvalid;
            wr_tlast[BufF]    = swi_o_tlast;
            swi_o_tready      = wr_tready[BufF];
          end
        endcase
      end
      OpDmaIn: begin
        if (op.tgt == TgtH) begin
          wr_tdata[BufH]      = dma_rd_tdata;
          wr_tvalid[BufH]     = dma_rd_tvalid;
          wr_tlast[BufH]      = emb_last;  // D/4 beats per row (the DMA only marks the command end)
          dma_rd_tready       = wr_tready[BufH];
        end else begin
          dma_rd_tready       = 1'b1;
        end
      end
      OpStore: begin
        dma_wr_tdata          = rd_tdata[op.src];
        dma_wr_tvalid         = rd_tvalid[op.src];
        rd_tready[op.src]     = dma_wr_tready;
      end
      OpAtt: begin
        wr_tdata[BufO]        = rp_i.o_tdata;
        wr_tvalid[BufO]       = rp_i.o_tvalid;
        wr_tlast[BufO]        = rp_i.o_tlast;
        wr_tuser[BufO]        = rp_i.o_tuser;
      end
      default: ;
    endcase
  end

  // RP side of the boundary (the RP wrapper / top add shutdown and the HP ports)
  always_comb begin
    rp_o              = '0;
    rp_o.job.phase    = csr_phase;
    rp_o.job.layer    = layer_q;
    rp_o.job.head     = head_q;
    rp_o.job.q_len    = rows_q;
    rp_o.job.pos0     = pos0_q;
    rp_o.job.k_base   = csr_kv + kv_k_off;
    rp_o.job.v_base   = csr_kv + kv_k_off + kv_region;
    rp_o.job.c_mul    = desc_q[19];
    rp_o.job.fv       = desc_q[18][20:16];
    rp_o.job_valid    = (state_q == SOpRun) && op.kind == OpAtt && !job_sent_q && !rp_decoupled_i &&
                        !rp_swap_pending_i;
    rp_o.qkv_tdata    = fd_fifo_q[fd_rp_q][127:0];
    rp_o.qkv_tuser    = fd_fifo_q[fd_rp_q][129:128];
    rp_o.qkv_tlast    = fd_fifo_q[fd_rp_q][130];
    rp_o.qkv_tvalid   = (fd_cnt_q != '0);
    rp_o.o_tready     = (op.kind == OpAtt) && wr_tready[BufO];
  end

  // ------------------------------------------------------------------ op start: engine configuration
  always_comb begin
    rd_start     = '0;
    wr_start     = '0;
    wr_use_tuser = '0;
    for (int unsigned b = 0; b < NBuf; b++) begin
      rd_base[b]   = '0;
      rd_rows[b]   = rows_q;
      rd_beats[b]  = AW'(BufRowWords[b]);
      rd_stride[b] = AW'(BufRowWords[b]);
      wr_base[b]   = '0;
      wr_rows[b]   = rows_q;
      wr_beats[b]  = AW'(BufRowWords[b]);
      wr_stride[b] = AW'(BufRowWords[b]);
    end
    tl_cfg_valid     = 1'b0;
    dma_rd_cmd_valid = 1'b0;
    dma_wr_cmd_valid = 1'b0;
    dma_cmd_addr     = csr_ddr;
    dma_cmd_len      = csr_len;
    if (op_start) begin
      unique case (op.kind)
        OpNQ: begin
          rd_start[op.src] = 1'b1;
          rd_beats[op.src] = AW'(op.wide ? FWd : HWd);
          wr_start[BufX]   = 1'b1;
          wr_beats[BufX]   = AW'(op.wide ? F / 16 : D / 16);
        end
        OpNorm: begin
          rd_start[op.src] = 1'b1;
          wr_start[op.dst] = 1'b1;
        end
        OpTlmm: begin
          tl_cfg_valid    = 1'b1;
          rd_start[BufX]  = 1'b1;
          rd_beats[BufX]  = AW'(32'(k_in) / 16);
          wr_start[op.dst] = 1'b1;
          if (op.post == PostRes)    rd_start[BufH] = 1'b1;
          if (op.post == PostSwiglu) rd_start[BufG] = 1'b1;
        end
        OpDmaIn: begin
          dma_rd_cmd_valid = 1'b1;
          if (op.tgt == TgtH) begin
            dma_cmd_len    = 32'(rows_q) * (D * 4);
            wr_start[BufH] = 1'b1;
          end
        end
        OpStore: begin
          rd_start[op.src] = 1'b1;
          dma_wr_cmd_valid = 1'b1;
          dma_cmd_len      = 32'(rows_q) * (D * 4);
        end
        default: ;
      endcase
    end
    // per-head O writer (re-armed for every head by the dispatcher)
    if (op.kind == OpAtt) begin
      wr_base[BufO]      = AW'(32'(head_q) * DHO);
      wr_beats[BufO]     = AW'(DHO);
      wr_use_tuser[BufO] = 1'b1;
      wr_start[BufO]     = att_arm;
    end
  end

  // ------------------------------------------------------------------ op completion
  logic        dma_sts_seen_q, dma_sts_err_q;
  logic [2:0]  dma_sts_code_q;
  logic        att_head_done;
  assign att_arm       = (state_q == SOpRun) && op.kind == OpAtt && rp_o.job_valid && rp_i.job_ready;
  assign att_head_done = job_sent_q && rp_done_seen_q && !wr_busy[BufO] && !feed_active_q &&
                         (fd_cnt_q == '0) && !fd_pend_q;

  always_comb begin
    op_finished = 1'b0;
    unique case (op.kind)
      OpNQ:    op_finished = !wr_busy[BufX] && !rd_busy[op.src];
      OpNorm:  op_finished = !wr_busy[op.dst] && !rd_busy[op.src];
      OpTlmm:  op_finished = !wr_busy[op.dst] && !tl_busy && !rd_busy[BufX];
      OpDmaIn: op_finished = dma_sts_seen_q && (op.tgt != TgtH || !wr_busy[BufH]);
      OpStore: op_finished = dma_sts_seen_q && !rd_busy[op.src];
      OpAtt:   op_finished = att_head_done && (32'(head_q) == N_HEADS - 1);
      default: op_finished = 1'b1;
    endcase
  end

  // ------------------------------------------------------------------ sequencer
  logic cmd_ok, rows_ok, layer_ok;
  assign cmd_ok   = (csr_cmd >= CmdLoadW) && (csr_cmd <= CmdStoreH);
  assign rows_ok  = (csr_rows != '0) && (32'(csr_rows) <= MAX_ROWS) &&
                    (32'(csr_pos0) + 32'(csr_rows) <= MAX_CTX);
  assign layer_ok = 32'(csr_layer) < N_LAYERS;

  logic needs_rows, needs_desc;
  assign needs_rows = csr_cmd >= CmdEmbed;
  assign needs_desc = (csr_cmd == CmdPre) || (csr_cmd == CmdAtt) || (csr_cmd == CmdPost);

  always_comb begin
    op_err      = 1'b0;
    op_err_code = '0;
    if (state_q == SOpRun) begin
      if ((op.kind == OpDmaIn || op.kind == OpStore) && dma_sts_seen_q && dma_sts_err_q) begin
        op_err      = 1'b1;
        op_err_code = (dma_sts_code_q >= 3'd4) ? ErrDmaCmd : ErrDmaResp;
      end
      if (op.kind == OpAtt) begin
        // no RM (or a swap waits): refuse the job; decoupled under a running job (controller
        // timeout): give up on it; the RM finished with an error (e.g. it refused the job
        // without reading its rows): stop feeding it
        if ((!job_sent_q && (rp_decoupled_i || rp_swap_pending_i ||
                             rp_i.rm_id == rp_pkg::RmIdNone)) ||
            (job_sent_q && !rp_done_seen_q && rp_decoupled_i)) begin
          op_err      = 1'b1;
          op_err_code = ErrRpAbsent;
        end else if (job_sent_q && rp_i.done && rp_i.err) begin
          op_err      = 1'b1;
          op_err_code = ErrRp;
        end
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q        <= SIdle;
      cmd_q          <= '0;
      op_idx_q       <= '0;
      desc_idx_q     <= '0;
      desc_q         <= '{default: '0};
      rows_q         <= '0;
      pos0_q         <= '0;
      layer_q        <= '0;
      err_q          <= 1'b0;
      err_code_q     <= '0;
      ld_addr_q      <= '0;
      dma_sts_seen_q <= 1'b0;
      dma_sts_err_q  <= 1'b0;
      dma_sts_code_q <= '0;
      head_q         <= '0;
      job_sent_q     <= 1'b0;
      rp_done_seen_q <= 1'b0;
      rp_busy_sum_q  <= '0;
      rp_act_sum_q   <= '0;
      rp_rd_sum_q    <= '0;
      rp_wr_sum_q    <= '0;
      rp_err_code_q  <= '0;
      amax_row_q     <= '0;
      rope_row_q     <= '0;
    end else begin
      err_q <= 1'b0;
      // AMAX rows follow the XBUF writer; RoPE positions follow the rope input rows
      if (op_start) begin
        amax_row_q <= '0;
        rope_row_q <= '0;
      end else begin
        if (x_cnt_tlast) begin
          amax_mem[amax_row_q[$clog2(MAX_ROWS)-1:0]] <= pk_tuser;
          amax_row_q <= amax_row_q + 1'b1;
        end
        if (rope_i_tvalid && rope_i_tready && tl_o_tlast) rope_row_q <= rope_row_q + 1'b1;
      end
      // memory loads from the DMA stream
      if (ld_fire) begin
        ld_addr_q <= ld_addr_q + 1;
        if (op.tgt == TgtD && ld_addr_q < 32'(DescWords)) desc_mem[ld_addr_q[DescAW-1:0]] <= dma_rd_tdata;
      end
      // DMA status of the current op
      if ((dma_rd_sts_valid && op.kind == OpDmaIn) || (dma_wr_sts_valid && op.kind == OpStore)) begin
        dma_sts_seen_q <= 1'b1;
        dma_sts_code_q <= op.kind == OpDmaIn ? dma_rd_sts_code : dma_wr_sts_code;
        dma_sts_err_q  <= (op.kind == OpDmaIn ? dma_rd_sts_code : dma_wr_sts_code) != 3'd0;
      end

      unique case (state_q)
        SIdle: if (csr_start) begin
          cmd_q    <= csr_cmd;
          op_idx_q <= '0;
          rows_q   <= csr_rows;
          pos0_q   <= csr_pos0;
          layer_q  <= csr_layer;
          if (!cmd_ok) begin
            err_q <= 1'b1; err_code_q <= ErrBadCmd; state_q <= SDone;
          end else if (needs_rows && !rows_ok) begin
            err_q <= 1'b1; err_code_q <= ErrBadRows; state_q <= SDone;
          end else if (needs_desc && !layer_ok) begin
            err_q <= 1'b1; err_code_q <= ErrLayer; state_q <= SDone;
          end else if (needs_desc) begin
            desc_idx_q <= '0;
            state_q    <= SDesc;
          end else begin
            state_q    <= SOpStart;
          end
          if (csr_cmd == CmdAtt) begin
            rp_busy_sum_q <= '0;
            rp_act_sum_q  <= '0;
            rp_rd_sum_q   <= '0;
            rp_wr_sum_q   <= '0;
            rp_err_code_q <= '0;
          end
        end
        SDesc: begin
          for (int unsigned w = 0; w < 4; w++) begin
            desc_q[4 * 32'(desc_idx_q[2:0]) + w] <=
              desc_mem[32'(layer_q) * 8 + 32'(desc_idx_q[2:0])][w*32 +: 32];
          end
          desc_idx_q <= desc_idx_q + 1'b1;
          if (desc_idx_q == 4'd7) state_q <= SOpStart;
        end
        SOpStart: begin
          // op_start is combinational in this state; wait for the TLMM/DMA to take the config
          ld_addr_q      <= csr_dst;
          dma_sts_seen_q <= 1'b0;
          dma_sts_err_q  <= 1'b0;
          head_q         <= '0;
          job_sent_q     <= 1'b0;
          rp_done_seen_q <= 1'b0;
          if (start_accepted) state_q <= SOpRun;
        end
        SOpRun: begin
          if (op.kind == OpAtt) begin
            if (rp_o.job_valid && rp_i.job_ready) job_sent_q <= 1'b1;
            if (job_sent_q && rp_i.done) begin
              rp_done_seen_q <= 1'b1;
              rp_busy_sum_q  <= rp_busy_sum_q + rp_i.stats.busy_cycles;
              rp_act_sum_q   <= rp_act_sum_q + rp_i.stats.active_cycles;
              rp_rd_sum_q    <= rp_rd_sum_q + rp_i.stats.rd_beats_hp0 + rp_i.stats.rd_beats_hp1
                                + rp_i.stats.rd_beats_hp2 + rp_i.stats.rd_beats_hp3;
              rp_wr_sum_q    <= rp_wr_sum_q + rp_i.stats.wr_beats_hp0 + rp_i.stats.wr_beats_hp1
                                + rp_i.stats.wr_beats_hp2 + rp_i.stats.wr_beats_hp3;
              if (rp_i.err) rp_err_code_q <= rp_i.err_code;
            end
            if (att_head_done && 32'(head_q) != N_HEADS - 1) begin
              head_q         <= head_q + 1'b1;
              job_sent_q     <= 1'b0;
              rp_done_seen_q <= 1'b0;
            end
          end
          if (op_err) begin
            err_q      <= 1'b1;
            err_code_q <= op_err_code;
            state_q    <= SDone;
          end else if (op_finished) begin
            state_q <= SOpEnd;
          end
        end
        SOpEnd: begin
          if (blk_err) begin
            err_q      <= 1'b1;
            err_code_q <= blk_err_code;
            state_q    <= SDone;
          end else if (op.last) begin
            state_q <= SDone;
          end else begin
            op_idx_q <= op_idx_q + 1'b1;
            state_q  <= SOpStart;
          end
        end
        SDone: state_q <= SIdle;
        default: state_q <= SIdle;
      endcase
    end
  end

  // TLMM and DMA configurations are handshakes: the op starts in the cycle they are taken
  always_comb begin
    start_accepted = 1'b1;
    if (op.kind == OpTlmm)  start_accepted = tl_cfg_ready;
    if (op.kind == OpDmaIn) start_accepted = dma_rd_cmd_ready;
    if (op.kind == OpStore) start_accepted = dma_wr_cmd_ready;
  end
  assign op_start  = (state_q == SOpStart) && start_accepted;
  assign seq_abort = (state_q == SDone) && err_q;   // err_q pulses in the SDone cycle of a failure

  // errors that the blocks flag (sticky in the blocks; checked at the end of every op)
  // The blocks' error flags are sticky; an op fails only on flags that rose during it.
  logic [NBuf-1:0] wr_err_seen_q;
  logic [3:0]      frame_vec, frame_base_q;
  logic [6:0]      cfg_vec, cfg_base_q;
  assign frame_vec = {pk_err, res_err, swi_err, 1'b0};
  assign cfg_vec   = {tl_err_cfg, tl_err_len, norm_err_ovf, norm_err_gain, quant_err,
                      rope_err_ovf, rope_err_cfg};
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wr_err_seen_q <= '0;
      frame_base_q  <= '0;
      cfg_base_q    <= '0;
    end else if (op_start) begin
      wr_err_seen_q <= '0;
      frame_base_q  <= frame_vec;
      cfg_base_q    <= cfg_vec;
    end else begin
      wr_err_seen_q <= wr_err_seen_q | wr_err;
    end
  end
  always_comb begin
    blk_err      = 1'b0;
    blk_err_code = '0;
    if (wr_err_seen_q != '0 || (frame_vec & ~frame_base_q) != '0) begin
      blk_err = 1'b1; blk_err_code = ErrFraming;
    end
    if ((cfg_vec & ~cfg_base_q) != '0) begin
      blk_err = 1'b1; blk_err_code = ErrBlock;
    end
    if (op.kind == OpAtt && rp_err_code_q != '0) begin
      blk_err = 1'b1; blk_err_code = ErrRp;
    end
  end

  // ------------------------------------------------------------------ Q/K/V feeder
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      feed_active_q <= 1'b0;
      feed_row_q    <= '0;
      feed_tensor_q <= '0;
      feed_beat_q   <= '0;
      fd_pend_q     <= 1'b0;
      fd_last_q     <= 1'b0;
      fd_tag_q      <= '0;
      fd_fifo_q     <= '{default: '0};
      fd_cnt_q      <= '0;
      fd_rp_q       <= 1'b0;
      fd_wp_q       <= 1'b0;
    end else if (seq_abort) begin
      feed_active_q <= 1'b0;
      fd_pend_q     <= 1'b0;
      fd_cnt_q      <= '0;
      fd_rp_q       <= 1'b0;
      fd_wp_q       <= 1'b0;
    end else begin
      if (att_arm) begin
        feed_active_q <= 1'b1;
        feed_row_q    <= '0;
        feed_tensor_q <= 2'd0;
        feed_beat_q   <= '0;
      end else if (fd_issue) begin
        if (32'(feed_beat_q) == DHQ - 1) begin
          feed_beat_q <= '0;
          if (feed_tensor_q == 2'd2) begin
            feed_tensor_q <= 2'd0;
            feed_row_q    <= feed_row_q + 1'b1;
            if (feed_row_q == rows_q - 1'b1) feed_active_q <= 1'b0;
          end else begin
            feed_tensor_q <= feed_tensor_q + 1'b1;
          end
        end else begin
          feed_beat_q <= feed_beat_q + 1'b1;
        end
      end
      fd_pend_q <= fd_issue;
      fd_last_q <= fd_issue && (32'(feed_beat_q) == DHQ - 1);
      fd_tag_q  <= feed_tensor_q;
      if (fd_pend_q) begin
        fd_fifo_q[fd_wp_q] <= {fd_last_q, fd_tag_q, fd_tag_q == 2'd0 ? ram_rdata[BufQ] :
                                                    fd_tag_q == 2'd1 ? ram_rdata[BufK] : ram_rdata[BufV]};
        fd_wp_q <= !fd_wp_q;
      end
      if (fd_pop) fd_rp_q <= !fd_rp_q;
      fd_cnt_q <= fd_cnt_q + 2'(fd_pend_q) - 2'(fd_pop);
    end
  end

  // ------------------------------------------------------------------ outputs
  assign seq_busy     = (state_q != SIdle);
  assign seq_done     = (state_q == SDone);
  assign seq_err      = err_q;
  assign seq_err_code = err_code_q;
  assign busy_o       = seq_busy;
  assign done_o       = seq_done;
  assign cmd_o        = cmd_q;
  assign dma_active_o = (state_q != SIdle) && (op.kind == OpDmaIn || op.kind == OpStore);

  logic unused;
  assign unused = ^{dma_rd_tlast, dma_rd_tuser, dma_rd_busy, dma_rd_err, dma_wr_busy,
                    dma_wr_err, dma_cnt[0], dma_cnt[1], dma_cnt[2], dma_cnt[3], dma_cnt[4],
                    dma_cnt[5], tl_done, tl_cnt_stall_in, tl_cnt_stall_out, norm_busy,
                    quant_busy, rope_busy, rope_o_tuser, rd_tuser[BufH], rd_tuser[BufQ],
                    rd_tuser[BufK], rd_tuser[BufV], rd_tuser[BufO], rd_tuser[BufG],
                    rd_tuser[BufF], wr_tuser[BufH], rp_i, desc_idx_q[3], fd_last_q,
                    tlmm_cnt_busy[47:32], tlmm_cnt_lookup[47:32], wscale[31:22], gbase,
                    wr_done, rope_pos, dma_awcache, dma_arcache, dma_awprot, dma_arprot};
endmodule
