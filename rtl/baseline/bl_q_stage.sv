// Static baseline (docs/baseline.md): the Q path of TeLLMe's uniform port map. The Q rows the
// static side sends are written to a DDR staging area over HP0 and read back over HP0 before the
// attention engine gets them; the K and V rows wait in a FIFO meanwhile, so the engine sees the
// usual token order (Q, K, V per token) with a DDR round trip on every Q row.
//
//   s_qkv (static side) --Q rows--> axi_dma (W, HP0) --> DDR [base + t*HEAD_DIM]
//                       --K/V rows-> K/V FIFO (KV_FIFO_DEPTH beats) ----------------.
//   DDR --> axi_dma (R, HP0, after the row's B response) --Q row--> merge: Q, K, V --> m_qkv
//
// * A job starts with start_i (q_len_i tokens, rows 0 .. q_len-1 of the staging area); the input
//   is framed by counting (HEAD_DIM/16 beats per row, Q/K/V per token, exactly 3*q_len rows are
//   taken). A beat whose tuser or tlast disagrees with that framing sets serr_o (RmErrStream);
//   the engine always gets well-framed rows (tags and tlast regenerated).
// * One write command per Q row, issued at most one token ahead of the input (its AW goes out
//   while the previous token's K/V rows stream, so the Q beats follow without a bubble). A row
//   is durable once its write status is back; read-back commands cover all durable rows not yet
//   read, at most RD_BATCH rows each.
// * Any non-OK DMA status (SLVERR/DECERR on the staging area) sets axi_err_o (RmErrAxi); the
//   rows still flow (erroneous read beats carry zero data). Both flags stick until start_i.
module bl_q_stage #(
  parameter int unsigned HEAD_DIM        = 16,
  parameter int unsigned KV_FIFO_DEPTH   = 128,   // K/V beats buffered during a Q round trip
  parameter int unsigned MAX_OUTSTANDING = 8,     // HP0 bursts in flight per direction
  parameter int unsigned RD_BATCH        = 16     // rows per read-back command at most
) (
  input  logic                          clk_i,
  input  logic                          rst_ni,
  // job
  input  logic                          start_i,
  input  logic [rp_pkg::PosW-1:0]       q_len_i,
  input  logic [rp_pkg::AxiAddrW-1:0]   base_i,
  output logic                          serr_o,
  output logic                          axi_err_o,
  output logic                          idle_o,
  // Q/K/V rows from the static side
  input  logic [127:0]                  s_qkv_tdata_i,
  input  logic [1:0]                    s_qkv_tuser_i,
  input  logic                          s_qkv_tlast_i,
  input  logic                          s_qkv_tvalid_i,
  output logic                          s_qkv_tready_o,
  // Q/K/V rows to the engine
  output logic [127:0]                  m_qkv_tdata_o,
  output logic [1:0]                    m_qkv_tuser_o,
  output logic                          m_qkv_tlast_o,
  output logic                          m_qkv_tvalid_o,
  input  logic                          m_qkv_tready_i,
  // AXI4 master (HP0)
  output logic [rp_pkg::AxiIdW-1:0]     m_axi_awid_o,
  output logic [rp_pkg::AxiAddrW-1:0]   m_axi_awaddr_o,
  output logic [7:0]                    m_axi_awlen_o,
  output logic [2:0]                    m_axi_awsize_o,
  output logic [1:0]                    m_axi_awburst_o,
  output logic                          m_axi_awvalid_o,
  input  logic                          m_axi_awready_i,
  output logic [127:0]                  m_axi_wdata_o,
  output logic [15:0]                   m_axi_wstrb_o,
  output logic                          m_axi_wlast_o,
  output logic                          m_axi_wvalid_o,
  input  logic                          m_axi_wready_i,
  input  logic [rp_pkg::AxiIdW-1:0]     m_axi_bid_i,
  input  logic [1:0]                    m_axi_bresp_i,
  input  logic                          m_axi_bvalid_i,
  output logic                          m_axi_bready_o,
  output logic [rp_pkg::AxiIdW-1:0]     m_axi_arid_o,
  output logic [rp_pkg::AxiAddrW-1:0]   m_axi_araddr_o,
  output logic [7:0]                    m_axi_arlen_o,
  output logic [2:0]                    m_axi_arsize_o,
  output logic [1:0]                    m_axi_arburst_o,
  output logic                          m_axi_arvalid_o,
  input  logic                          m_axi_arready_i,
  input  logic [rp_pkg::AxiIdW-1:0]     m_axi_rid_i,
  input  logic [127:0]                  m_axi_rdata_i,
  input  logic [1:0]                    m_axi_rresp_i,
  input  logic                          m_axi_rlast_i,
  input  logic                          m_axi_rvalid_i,
  output logic                          m_axi_rready_o
);
  localparam int unsigned AW    = rp_pkg::AxiAddrW;
  localparam int unsigned IW    = rp_pkg::AxiIdW;
  localparam int unsigned PW    = rp_pkg::PosW + 1;
  localparam int unsigned DC    = HEAD_DIM / 16;
  localparam int unsigned DCW   = (DC > 1) ? $clog2(DC) : 1;
  localparam logic [DCW-1:0] LastBeat = DCW'(DC - 1);

  if (HEAD_DIM < 16 || HEAD_DIM > 256 || HEAD_DIM % 16 != 0) begin : g_bad_dim
    $fatal(1, "bl_q_stage: HEAD_DIM=%0d must be a multiple of 16 in [16, 256]", HEAD_DIM);
  end
  if (KV_FIFO_DEPTH < 2 || KV_FIFO_DEPTH > 4096) begin : g_bad_fifo
    $fatal(1, "bl_q_stage: KV_FIFO_DEPTH=%0d outside [2, 4096] beats", KV_FIFO_DEPTH);
  end
  if (RD_BATCH < 1 || RD_BATCH * HEAD_DIM > 65536) begin : g_bad_batch
    $fatal(1, "bl_q_stage: RD_BATCH=%0d rows of %0d bytes must be 1..64 KiB", RD_BATCH, HEAD_DIM);
  end

  // ------------------------------------------------------------------ counters
  logic [PW-1:0]  qlen_q;      // tokens of the job
  logic [PW-1:0]  in_tok_q;    // input: token being received
  logic [1:0]     in_row_q;    // input: 0 Q, 1 K, 2 V
  logic [DCW-1:0] in_beat_q;
  logic [PW-1:0]  wcmd_q;      // Q write commands issued
  logic [PW-1:0]  dur_q;       // Q rows durable (write status back)
  logic [PW-1:0]  rdi_q;       // Q rows whose read-back was issued
  logic [PW-1:0]  m_tok_q;     // to the engine: token being sent
  logic [1:0]     m_row_q;
  logic [DCW-1:0] m_beat_q;
  logic           serr_q, aerr_q;

  // ------------------------------------------------------------------ DMA (HP0)
  logic           wc_valid, wc_ready, ws_valid, w_tvalid, w_tready;
  logic           rc_valid, rc_ready, rs_valid, r_tvalid, r_tready, r_tlast, r_tuser;
  logic [2:0]     ws_code, rs_code;
  logic [127:0]   r_tdata;
  logic [AW-1:0]  wc_addr, rc_addr;
  logic [31:0]    rc_len;
  logic           rd_busy, wr_busy;
  logic [PW-1:0]  rd_avail, rd_n;

  assign wc_valid = (wcmd_q < qlen_q) && (wcmd_q <= in_tok_q + 1'b1);
  assign wc_addr  = base_i + AW'(wcmd_q) * AW'(HEAD_DIM);
  assign rd_avail = dur_q - rdi_q;
  assign rd_n     = (rd_avail > PW'(RD_BATCH)) ? PW'(RD_BATCH) : rd_avail;
  assign rc_valid = (rd_avail != '0);
  assign rc_addr  = base_i + AW'(rdi_q) * AW'(HEAD_DIM);
  assign rc_len   = 32'(rd_n) * 32'(HEAD_DIM);

  /* verilator lint_off PINCONNECTEMPTY */
  axi_dma #(
    .ADDR_W(AW), .ID_W(IW), .RD_ID(0), .WR_ID(0), .LEN_W(32), .MAX_LEN(RD_BATCH * HEAD_DIM),
    .MAX_BURST(16), .MAX_OUTSTANDING(MAX_OUTSTANDING), .CNT_W(8)
  ) u_dma (
    .clk_i,
    .rst_ni,
    .clear_i         (start_i),
    .rd_cmd_valid_i  (rc_valid),
    .rd_cmd_ready_o  (rc_ready),
    .rd_cmd_addr_i   (rc_addr),
    .rd_cmd_len_i    (rc_len),
    .rd_sts_valid_o  (rs_valid),
    .rd_sts_ready_i  (1'b1),
    .rd_sts_code_o   (rs_code),
    .m_axis_tdata_o  (r_tdata),
    .m_axis_tvalid_o (r_tvalid),
    .m_axis_tready_i (r_tready),
    .m_axis_tlast_o  (r_tlast),
    .m_axis_tuser_o  (r_tuser),
    .wr_cmd_valid_i  (wc_valid),
    .wr_cmd_ready_o  (wc_ready),
    .wr_cmd_addr_i   (wc_addr),
    .wr_cmd_len_i    (32'(HEAD_DIM)),
    .wr_sts_valid_o  (ws_valid),
    .wr_sts_ready_i  (1'b1),
    .wr_sts_code_o   (ws_code),
    .s_axis_tdata_i  (s_qkv_tdata_i),
    .s_axis_tvalid_i (w_tvalid),
    .s_axis_tready_o (w_tready),
    .m_axi_awid_o, .m_axi_awaddr_o, .m_axi_awlen_o, .m_axi_awsize_o, .m_axi_awburst_o,
    .m_axi_awcache_o (),
    .m_axi_awprot_o  (),
    .m_axi_awvalid_o, .m_axi_awready_i,
    .m_axi_wdata_o, .m_axi_wstrb_o, .m_axi_wlast_o, .m_axi_wvalid_o, .m_axi_wready_i,
    .m_axi_bid_i, .m_axi_bresp_i, .m_axi_bvalid_i, .m_axi_bready_o,
    .m_axi_arid_o, .m_axi_araddr_o, .m_axi_arlen_o, .m_axi_arsize_o, .m_axi_arburst_o,
    .m_axi_arcache_o (),
    .m_axi_arprot_o  (),
    .m_axi_arvalid_o, .m_axi_arready_i,
    .m_axi_rid_i, .m_axi_rdata_i, .m_axi_rresp_i, .m_axi_rlast_i, .m_axi_rvalid_i,
    .m_axi_rready_o,
    .rd_busy_o       (rd_busy),
    .rd_err_o        (),
    .rd_cnt_busy_o   (),
    .rd_cnt_beats_o  (),
    .rd_cnt_stall_o  (),
    .wr_busy_o       (wr_busy),
    .wr_err_o        (),
    .wr_cnt_busy_o   (),
    .wr_cnt_beats_o  (),
    .wr_cnt_stall_o  ()
  );
  /* verilator lint_on PINCONNECTEMPTY */

  // ------------------------------------------------------------------ input side
  logic           in_act, in_q, in_fire, in_last, kvf_full, kvf_empty, kvf_push, kvf_pop;
  logic [127:0]   kvf_rdata;
  assign in_act   = (in_tok_q < qlen_q);
  assign in_q     = (in_row_q == rp_pkg::TensorQ);
  assign in_last  = (in_beat_q == LastBeat);
  assign w_tvalid = s_qkv_tvalid_i && in_act && in_q && (wcmd_q > in_tok_q);
  assign s_qkv_tready_o = in_act && (in_q ? ((wcmd_q > in_tok_q) && w_tready) : !kvf_full);
  assign in_fire  = s_qkv_tvalid_i && s_qkv_tready_o;
  assign kvf_push = in_fire && !in_q;

  axi_dma_fifo #(.WIDTH(128), .DEPTH(KV_FIFO_DEPTH)) u_kvf (
    .clk_i,
    .rst_ni,
    .push_i  (kvf_push),
    .wdata_i (s_qkv_tdata_i),
    .pop_i   (kvf_pop),
    .rdata_o (kvf_rdata),
    .full_o  (kvf_full),
    .empty_o (kvf_empty)
  );

  // ------------------------------------------------------------------ engine side
  logic m_act, m_q, m_fire;
  assign m_act          = (m_tok_q < qlen_q);
  assign m_q            = (m_row_q == rp_pkg::TensorQ);
  assign m_qkv_tvalid_o = m_act && (m_q ? r_tvalid : !kvf_empty);
  assign m_qkv_tdata_o  = m_q ? r_tdata : kvf_rdata;
  assign m_qkv_tuser_o  = m_row_q;
  assign m_qkv_tlast_o  = (m_beat_q == LastBeat);
  assign m_fire         = m_qkv_tvalid_o && m_qkv_tready_i;
  assign r_tready       = m_act && m_q && m_qkv_tready_i;
  assign kvf_pop        = m_fire && !m_q;

  // ------------------------------------------------------------------ state
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      qlen_q    <= '0;
      in_tok_q  <= '0;
      in_row_q  <= '0;
      in_beat_q <= '0;
      wcmd_q    <= '0;
      dur_q     <= '0;
      rdi_q     <= '0;
      m_tok_q   <= '0;
      m_row_q   <= '0;
      m_beat_q  <= '0;
      serr_q    <= 1'b0;
      aerr_q    <= 1'b0;
    end else if (start_i) begin
      qlen_q    <= PW'(q_len_i);
      in_tok_q  <= '0;
      in_row_q  <= '0;
      in_beat_q <= '0;
      wcmd_q    <= '0;
      dur_q     <= '0;
      rdi_q     <= '0;
      m_tok_q   <= '0;
      m_row_q   <= '0;
      m_beat_q  <= '0;
      serr_q    <= 1'b0;
      aerr_q    <= 1'b0;
    end else begin
      if (in_fire) begin
        if (s_qkv_tuser_i != in_row_q || s_qkv_tlast_i != in_last) serr_q <= 1'b1;
        in_beat_q <= in_last ? '0 : in_beat_q + 1'b1;
        if (in_last) begin
          in_row_q <= (in_row_q == rp_pkg::TensorV) ? rp_pkg::TensorQ : in_row_q + 2'd1;
          if (in_row_q == rp_pkg::TensorV) in_tok_q <= in_tok_q + 1'b1;
        end
      end
      if (wc_valid && wc_ready) wcmd_q <= wcmd_q + 1'b1;
      if (ws_valid) dur_q <= dur_q + 1'b1;
      if (rc_valid && rc_ready) rdi_q <= rdi_q + rd_n;
      if ((ws_valid && ws_code != 3'd0) || (rs_valid && rs_code != 3'd0)) aerr_q <= 1'b1;
      if (m_fire) begin
        m_beat_q <= m_qkv_tlast_o ? '0 : m_beat_q + 1'b1;
        if (m_qkv_tlast_o) begin
          m_row_q <= (m_row_q == rp_pkg::TensorV) ? rp_pkg::TensorQ : m_row_q + 2'd1;
          if (m_row_q == rp_pkg::TensorV) m_tok_q <= m_tok_q + 1'b1;
        end
      end
    end
  end

  assign serr_o    = serr_q;
  assign axi_err_o = aerr_q;
  assign idle_o    = !in_act && !m_act && !rd_busy && !wr_busy;

  // read beats are counted here (tlast marks a command's end, tuser an error beat: the status
  // reports it too)
  logic unused;
  assign unused = ^{r_tlast, r_tuser};
endmodule
