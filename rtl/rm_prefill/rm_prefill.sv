// Prefill attention RM of PD-Swap (docs/rm_prefill.md): causal attention of one (layer, head)
// over a prompt chunk of q_len tokens at positions pos0.., bit-exact with
// bitnet_golden.ops_int.attention_int (block-wise online softmax, docs/numerics.md).
//
// Port list and job semantics: docs/rp-interface.md (identical for every RM).
//
//   qkv_in --> Q tile buffers (2 x Q_TILE rows)           --> QK array (PE_ROWS x PE_COLS dot16)
//          --> local K/V slots (3 x Q_TILE keys) ---------/        | scores
//          --> K/V write-out DMA (HP0: K, HP2: V) -> KV cache      v
//   KV cache --> read DMAs (K: HP0+HP1, V: HP2+HP3) --> history K/V slots (2 x KV_BLOCK keys)
//   stage B: logits t = (s * c_mul) >>> 24  ->  stage C: online softmax (m, l per row)
//   stage D: P.V array (PE_ROWS x PE_COLS x 16 dims) + rescale of acc  ->  pf_finish: inv_l, O rows
//
// Work order (pf_sched): per Q tile, history keys from DDR block-major (every row of the tile
// reuses each fetched block), then the on-chip keys row-group-major (a 16-row group finishes as
// soon as its own tokens are in, its O rows leave while the next groups compute).
//
// Counters (stats_o, per job): busy_cycles (accept .. done), active_cycles = cycles in which the
// QK array executes a MAC step of an issued (row step, sub-block) item, AXI R and W beats per HP
// port.
module rm_prefill #(
  parameter int unsigned HEAD_DIM        = 16,
  parameter int unsigned MAX_CTX         = 256,
  parameter int unsigned Q_TILE          = 32,
  parameter int unsigned KV_BLOCK        = 32,
  parameter int unsigned PE_ROWS         = 1,
  parameter int unsigned PE_COLS         = 16,
  parameter int unsigned MAX_BURST       = 16,
  parameter int unsigned MAX_OUTSTANDING = 8
) (
  input  logic                          clk_i,
  input  logic                          rst_ni,
  // job
  input  rp_pkg::job_t                  job_i,
  input  logic                          job_valid_i,
  output logic                          job_ready_o,
  output logic                          busy_o,
  output logic                          done_o,
  output logic                          err_o,
  output logic [rp_pkg::ErrW-1:0]       err_code_o,
  output rp_pkg::rm_stats_t             stats_o,
  output logic [7:0]                    rm_id_o,
  input  logic                          shutdown_req_i,
  output logic                          shutdown_ack_o,
  // Q/K/V rows in
  input  logic [127:0]                  s_qkv_tdata_i,
  input  logic [1:0]                    s_qkv_tuser_i,
  input  logic                          s_qkv_tlast_i,
  input  logic                          s_qkv_tvalid_i,
  output logic                          s_qkv_tready_o,
  // O rows out
  output logic [127:0]                  m_o_tdata_o,
  output logic [rp_pkg::RowIdxW-1:0]    m_o_tuser_o,
  output logic                          m_o_tlast_o,
  output logic                          m_o_tvalid_o,
  input  logic                          m_o_tready_i,
  // 4 x AXI4 HP masters (flattened)
  output logic [4*rp_pkg::AxiIdW-1:0]   m_axi_awid_o,
  output logic [4*rp_pkg::AxiAddrW-1:0] m_axi_awaddr_o,
  output logic [4*8-1:0]                m_axi_awlen_o,
  output logic [4*3-1:0]                m_axi_awsize_o,
  output logic [4*2-1:0]                m_axi_awburst_o,
  output logic [3:0]                    m_axi_awvalid_o,
  input  logic [3:0]                    m_axi_awready_i,
  output logic [4*128-1:0]              m_axi_wdata_o,
  output logic [4*16-1:0]               m_axi_wstrb_o,
  output logic [3:0]                    m_axi_wlast_o,
  output logic [3:0]                    m_axi_wvalid_o,
  input  logic [3:0]                    m_axi_wready_i,
  input  logic [4*rp_pkg::AxiIdW-1:0]   m_axi_bid_i,
  input  logic [4*2-1:0]                m_axi_bresp_i,
  input  logic [3:0]                    m_axi_bvalid_i,
  output logic [3:0]                    m_axi_bready_o,
  output logic [4*rp_pkg::AxiIdW-1:0]   m_axi_arid_o,
  output logic [4*rp_pkg::AxiAddrW-1:0] m_axi_araddr_o,
  output logic [4*8-1:0]                m_axi_arlen_o,
  output logic [4*3-1:0]                m_axi_arsize_o,
  output logic [4*2-1:0]                m_axi_arburst_o,
  output logic [3:0]                    m_axi_arvalid_o,
  input  logic [3:0]                    m_axi_arready_i,
  input  logic [4*rp_pkg::AxiIdW-1:0]   m_axi_rid_i,
  input  logic [4*128-1:0]              m_axi_rdata_i,
  input  logic [4*2-1:0]                m_axi_rresp_i,
  input  logic [3:0]                    m_axi_rlast_i,
  input  logic [3:0]                    m_axi_rvalid_i,
  output logic [3:0]                    m_axi_rready_o
);
  // ------------------------------------------------------------------ parameters
  localparam int unsigned DC     = HEAD_DIM / 16;           // 16-byte beats per int8 row
  localparam int unsigned DCW    = (DC > 1) ? $clog2(DC) : 1;    // beat index within a row
  localparam int unsigned KC     = 16 / PE_COLS;            // key chunks per 16-key sub-block
  localparam int unsigned KCW    = (KC > 1) ? $clog2(KC) : 1;
  localparam int unsigned POS_W  = rp_pkg::PosW + 1;
  localparam int unsigned ROW_W  = $clog2(Q_TILE);
  localparam int unsigned KEY_W  = $clog2((Q_TILE > KV_BLOCK) ? Q_TILE : KV_BLOCK);
  localparam int unsigned HKW    = $clog2(KV_BLOCK);          // key index in a history slot
  localparam int unsigned AW     = rp_pkg::AxiAddrW;
  localparam int unsigned IW     = rp_pkg::AxiIdW;
  localparam int unsigned TW     = attn_pkg::TW;
  localparam int unsigned PW     = attn_pkg::PW;
  localparam int unsigned LW     = attn_pkg::LW;
  localparam int unsigned AccW   = attn_pkg::AccW;
  localparam int unsigned PSW    = 30;                       // sum of 16 p*v products
  localparam int unsigned FIN_D  = (32 / PE_ROWS > 2) ? 32 / PE_ROWS : 2;
  localparam logic [POS_W-1:0] T   = POS_W'(Q_TILE);
  localparam logic [POS_W-1:0] S16 = POS_W'(16);

  if (HEAD_DIM < 16 || HEAD_DIM > 256 || HEAD_DIM % 16 != 0) begin : g_bad_dim
    $fatal(1, "rm_prefill: HEAD_DIM=%0d must be a multiple of 16 in [16, 256]", HEAD_DIM);
  end
  if (Q_TILE < 16 || Q_TILE > 1024 || Q_TILE % 16 != 0) begin : g_bad_tile
    $fatal(1, "rm_prefill: Q_TILE=%0d must be a multiple of 16 in [16, 1024]", Q_TILE);
  end
  if (KV_BLOCK < 16 || KV_BLOCK > 1024 || KV_BLOCK % 16 != 0) begin : g_bad_block
    $fatal(1, "rm_prefill: KV_BLOCK=%0d must be a multiple of 16 (the softmax block) in [16, 1024]",
           KV_BLOCK);
  end
  if (!(PE_ROWS inside {1, 2, 4, 8, 16}) || !(PE_COLS inside {1, 2, 4, 8, 16})) begin : g_bad_pe
    $fatal(1, "rm_prefill: PE_ROWS=%0d and PE_COLS=%0d must divide 16 (rows of a 16-row group, keys of a 16-key block)",
           PE_ROWS, PE_COLS);
  end
  if (MAX_CTX < 16 || MAX_CTX > 65535 || MAX_CTX < Q_TILE) begin : g_bad_ctx
    $fatal(1, "rm_prefill: MAX_CTX=%0d must be in [max(16, Q_TILE=%0d), 65535]", MAX_CTX, Q_TILE);
  end

  // ------------------------------------------------------------------ job control
  typedef enum logic [1:0] {JIdle, JRun, JDone} jstate_e;
  jstate_e           js_q;
  rp_pkg::job_t      job_q;
  logic [POS_W-1:0]  pos0_q, end_q, ts0_q;
  logic              err_q, done_q;
  logic [rp_pkg::ErrW-1:0] code_q;
  logic              start;               // a good job was accepted this cycle
  logic              job_fire;
  logic [POS_W-1:0]  j_end;
  logic              bad_phase, bad_len, bad_align;

  assign job_ready_o = (js_q == JIdle) && !shutdown_req_i;
  assign job_fire    = job_valid_i && job_ready_o;
  assign j_end       = POS_W'(job_i.pos0) + POS_W'(job_i.q_len);
  assign bad_phase   = (job_i.phase != rp_pkg::PhasePrefill);
  assign bad_len     = (job_i.q_len == '0) || (j_end > POS_W'(MAX_CTX));
  // misaligned base, or the rows [0, pos0 + q_len) of a region would end beyond 2^40
  logic [AW:0]       k_end, v_end;
  assign k_end       = {1'b0, job_i.k_base} + (AW + 1)'(j_end) * (AW + 1)'(HEAD_DIM);
  assign v_end       = {1'b0, job_i.v_base} + (AW + 1)'(j_end) * (AW + 1)'(HEAD_DIM);
  assign bad_align   = (job_i.k_base[3:0] != '0) || (job_i.v_base[3:0] != '0) ||
                       (k_end > (AW + 1)'(1) << AW) || (v_end > (AW + 1)'(1) << AW);
  assign start       = job_fire && !bad_phase && !bad_len && !bad_align;

  // error reporting: the first error of a job sticks
  logic              set_err;
  logic [rp_pkg::ErrW-1:0] set_code;

  // ------------------------------------------------------------------ memories
  logic [127:0]        q_mem  [2][Q_TILE][DC];
  logic [127:0]        kl_mem [3][Q_TILE][DC];
  logic [127:0]        vl_mem [3][Q_TILE][DC];
  logic [127:0]        kh_mem [2][KV_BLOCK][DC];
  logic [127:0]        vh_mem [2][KV_BLOCK][DC];
  logic [16*AccW-1:0]  acc_mem [2][Q_TILE][DC];
  logic [TW-1:0]       m_mem [2][Q_TILE];
  logic [LW-1:0]       l_mem [2][Q_TILE];

  // ------------------------------------------------------------------ input stream
  logic [POS_W-1:0] in_pos_q, in_ts_q, in_tr_q, drained_q;
  logic [1:0]       in_ten_q, in_kvs_q;
  logic [DCW-1:0]   in_dc_q;
  logic             in_qs_q;
  logic             in_act, in_tile_ok, in_fire, in_row_end;
  logic             kw_tready, vw_tready, kw_tvalid, vw_tvalid;
  logic [ROW_W-1:0] in_row;

  assign in_act     = (js_q == JRun) && (in_pos_q < end_q);
  assign in_tile_ok = (in_tr_q < drained_q + POS_W'(2));
  assign in_row     = ROW_W'(in_pos_q - in_ts_q);
  assign in_row_end = (32'(in_dc_q) == DC - 1);
  always_comb begin
    s_qkv_tready_o = in_act && in_tile_ok;
    if (in_ten_q == rp_pkg::TensorK && !kw_tready) s_qkv_tready_o = 1'b0;
    if (in_ten_q == rp_pkg::TensorV && !vw_tready) s_qkv_tready_o = 1'b0;
  end
  assign in_fire   = s_qkv_tvalid_i && s_qkv_tready_o;
  assign kw_tvalid = s_qkv_tvalid_i && in_act && in_tile_ok && (in_ten_q == rp_pkg::TensorK);
  assign vw_tvalid = s_qkv_tvalid_i && in_act && in_tile_ok && (in_ten_q == rp_pkg::TensorV);


  // ------------------------------------------------------------------ KV write-out commands
  // One write command per K and per V for every 16-token group of the job (k_base + p*HEAD_DIM),
  // issued at most one group ahead of the input so the data follows without a gap.
  logic [POS_W-1:0] wc_pos_q, wc_cnt_q, kws_cnt_q, vws_cnt_q, dur_cnt_q, dur_pos_q;
  logic             kwc_v_q, vwc_v_q, kwc_rdy, vwc_rdy, wc_issue;
  logic [AW-1:0]    kwc_addr_q, vwc_addr_q;
  logic [31:0]      wc_len_q;
  logic [POS_W-1:0] wc_next;
  logic             kws_v, vws_v;
  logic [2:0]       kws_code, vws_code;

  assign wc_next  = ((wc_pos_q & ~(S16 - 1'b1)) + S16 < end_q) ?
                    (wc_pos_q & ~(S16 - 1'b1)) + S16 : end_q;
  assign wc_issue = (js_q == JRun) && (wc_pos_q < end_q) && !kwc_v_q && !vwc_v_q &&
                    ((wc_pos_q & ~(S16 - 1'b1)) <= (in_pos_q & ~(S16 - 1'b1)) + S16);

  // ------------------------------------------------------------------ history / prologue fetch
  typedef enum logic [1:0] {FPro, FHist, FDone} fstate_e;
  localparam int unsigned DestW = 1 + 2 + KEY_W + KEY_W + 1;   // {local, slot, key, nkeys}
  fstate_e          f_q;
  logic [POS_W-1:0] f_ts_q, f_h_q, f_kb_q;
  logic             f_hs_q;
  logic [1:0]       h_inuse_q;
  logic [3:0]       h_mask_q [2];
  logic [3:0]       pro_mask_q;
  logic             pro_need_q;
  logic [3:0]       rc_v_q, rc_rdy;
  logic [AW-1:0]    rc_addr_q [4];
  logic [31:0]      rc_len_q [4];
  logic             f_issue, f_adv_tile, f_dur_ok;
  logic [POS_W-1:0] f_a, f_n, f_n0, f_n1, f_e;
  logic [3:0]       dq_full, dq_empty, dq_pop;
  logic [DestW-1:0] dq_wdata [4], dq_head [4];
  logic [1:0]       hist_filled;
  logic             pro_done;
  logic             rel_hist_v;
  logic             rel_hist_slot;

  always_comb begin
    f_a = f_kb_q;
    f_e = (f_kb_q + POS_W'(KV_BLOCK) < f_h_q) ? f_kb_q + POS_W'(KV_BLOCK) : f_h_q;
    if (f_q == FPro) begin
      f_a = ts0_q;
      f_e = pos0_q;
    end
    f_n  = f_e - f_a;
    f_n1 = f_n >> 1;
    f_n0 = f_n - f_n1;
  end
  assign f_dur_ok   = (f_e <= pos0_q) || (dur_pos_q >= f_e);
  assign f_adv_tile = (f_q == FHist) && (f_kb_q >= f_h_q);             // tile without (more) history
  assign f_issue    = (js_q == JRun) && (rc_v_q == '0) && (dq_full == '0) && f_dur_ok &&
                      ((f_q == FPro) || (f_q == FHist && !f_adv_tile && !h_inuse_q[f_hs_q]));

  for (genvar p = 0; p < 4; p++) begin : g_dq
    /* verilator lint_off UNUSEDSIGNAL */
    logic [POS_W-1:0] pn, pa;   // key counts and offsets fit the slot (KEY_W bits)
    /* verilator lint_on UNUSEDSIGNAL */
    assign pn = (p % 2 == 0) ? f_n0 : f_n1;
    assign pa = (p % 2 == 0) ? f_a : f_a + f_n0;
    assign dq_wdata[p] = (f_q == FPro) ?
        {1'b1, 2'd0, KEY_W'(pa - ts0_q), (KEY_W + 1)'(pn)} :
        {1'b0, 1'b0, f_hs_q, KEY_W'(pa - f_kb_q), (KEY_W + 1)'(pn)};
    axi_dma_fifo #(.WIDTH(DestW), .DEPTH(4)) u_dq (
      .clk_i,
      .rst_ni,
      .push_i  (f_issue),
      .wdata_i (dq_wdata[p]),
      .pop_i   (dq_pop[p]),
      .rdata_o (dq_head[p]),
      .full_o  (dq_full[p]),
      .empty_o (dq_empty[p])
    );
  end

  assign hist_filled[0] = h_inuse_q[0] && (h_mask_q[0] == 4'hf);
  assign hist_filled[1] = h_inuse_q[1] && (h_mask_q[1] == 4'hf);
  assign pro_done       = !pro_need_q || (pro_mask_q == 4'hf);

  // ------------------------------------------------------------------ DMA engines
  logic [3:0]       rd_tvalid, rd_tlast, rd_tuser, rd_tready, rd_sts_v, rd_busy;
  logic [127:0]     rd_tdata [4];
  logic [2:0]       rd_sts_code [4];
  logic [1:0]       wr_busy;
  logic [3:0]       unused_rd_err;
  logic [1:0]       unused_wr_err;
  logic [31:0]      unused_cnt [4][3];
  logic [31:0]      unused_wcnt [2][3];
  logic [3:0]       rx_we, rx_local;
  logic [1:0]       rx_slot [4];
  logic [KEY_W-1:0] rx_key [4];
  logic [DCW-1:0]   rx_dc [4];

  for (genvar p = 0; p < 4; p++) begin : g_hp
    if (p % 2 == 0) begin : g_rw
      // HP0 (K) / HP2 (V): history reads + KV-cache write-out
      logic             wc_v, wc_rdy, ws_v, w_tvalid, w_tready;
      logic [AW-1:0]    wc_addr;
      logic [2:0]       ws_code;
      assign wc_v     = (p == 0) ? kwc_v_q : vwc_v_q;
      assign wc_addr  = (p == 0) ? kwc_addr_q : vwc_addr_q;
      assign w_tvalid = (p == 0) ? kw_tvalid : vw_tvalid;
      if (p == 0) begin : g_k
        assign kwc_rdy   = wc_rdy;
        assign kws_v     = ws_v;
        assign kws_code  = ws_code;
        assign kw_tready = w_tready;
      end else begin : g_v
        assign vwc_rdy   = wc_rdy;
        assign vws_v     = ws_v;
        assign vws_code  = ws_code;
        assign vw_tready = w_tready;
      end
      /* verilator lint_off PINCONNECTEMPTY */
      axi_dma #(
        .ADDR_W(AW), .ID_W(IW), .RD_ID(0), .WR_ID(0), .LEN_W(32),
        .MAX_BURST(MAX_BURST), .MAX_OUTSTANDING(MAX_OUTSTANDING), .CNT_W(32)
      ) u_dma (
        .clk_i,
        .rst_ni,
        .clear_i         (start),
        .rd_cmd_valid_i  (rc_v_q[p]),
        .rd_cmd_ready_o  (rc_rdy[p]),
        .rd_cmd_addr_i   (rc_addr_q[p]),
        .rd_cmd_len_i    (rc_len_q[p]),
        .rd_sts_valid_o  (rd_sts_v[p]),
        .rd_sts_ready_i  (1'b1),
        .rd_sts_code_o   (rd_sts_code[p]),
        .m_axis_tdata_o  (rd_tdata[p]),
        .m_axis_tvalid_o (rd_tvalid[p]),
        .m_axis_tready_i (rd_tready[p]),
        .m_axis_tlast_o  (rd_tlast[p]),
        .m_axis_tuser_o  (rd_tuser[p]),
        .wr_cmd_valid_i  (wc_v),
        .wr_cmd_ready_o  (wc_rdy),
        .wr_cmd_addr_i   (wc_addr),
        .wr_cmd_len_i    (wc_len_q),
        .wr_sts_valid_o  (ws_v),
        .wr_sts_ready_i  (1'b1),
        .wr_sts_code_o   (ws_code),
        .s_axis_tdata_i  (s_qkv_tdata_i),
        .s_axis_tvalid_i (w_tvalid),
        .s_axis_tready_o (w_tready),
        .m_axi_awid_o    (m_axi_awid_o[p*IW +: IW]),
        .m_axi_awaddr_o  (m_axi_awaddr_o[p*AW +: AW]),
        .m_axi_awlen_o   (m_axi_awlen_o[p*8 +: 8]),
        .m_axi_awsize_o  (m_axi_awsize_o[p*3 +: 3]),
        .m_axi_awburst_o (m_axi_awburst_o[p*2 +: 2]),
        .m_axi_awcache_o (),
        .m_axi_awprot_o  (),
        .m_axi_awvalid_o (m_axi_awvalid_o[p]),
        .m_axi_awready_i (m_axi_awready_i[p]),
        .m_axi_wdata_o   (m_axi_wdata_o[p*128 +: 128]),
        .m_axi_wstrb_o   (m_axi_wstrb_o[p*16 +: 16]),
        .m_axi_wlast_o   (m_axi_wlast_o[p]),
        .m_axi_wvalid_o  (m_axi_wvalid_o[p]),
        .m_axi_wready_i  (m_axi_wready_i[p]),
        .m_axi_bid_i     (m_axi_bid_i[p*IW +: IW]),
        .m_axi_bresp_i   (m_axi_bresp_i[p*2 +: 2]),
        .m_axi_bvalid_i  (m_axi_bvalid_i[p]),
        .m_axi_bready_o  (m_axi_bready_o[p]),
        .m_axi_arid_o    (m_axi_arid_o[p*IW +: IW]),
        .m_axi_araddr_o  (m_axi_araddr_o[p*AW +: AW]),
        .m_axi_arlen_o   (m_axi_arlen_o[p*8 +: 8]),
        .m_axi_arsize_o  (m_axi_arsize_o[p*3 +: 3]),
        .m_axi_arburst_o (m_axi_arburst_o[p*2 +: 2]),
        .m_axi_arcache_o (),
        .m_axi_arprot_o  (),
        .m_axi_arvalid_o (m_axi_arvalid_o[p]),
        .m_axi_arready_i (m_axi_arready_i[p]),
        .m_axi_rid_i     (m_axi_rid_i[p*IW +: IW]),
        .m_axi_rdata_i   (m_axi_rdata_i[p*128 +: 128]),
        .m_axi_rresp_i   (m_axi_rresp_i[p*2 +: 2]),
        .m_axi_rlast_i   (m_axi_rlast_i[p]),
        .m_axi_rvalid_i  (m_axi_rvalid_i[p]),
        .m_axi_rready_o  (m_axi_rready_o[p]),
        .rd_busy_o       (rd_busy[p]),
        .rd_err_o        (unused_rd_err[p]),
        .rd_cnt_busy_o   (unused_cnt[p][0]),
        .rd_cnt_beats_o  (unused_cnt[p][1]),
        .rd_cnt_stall_o  (unused_cnt[p][2]),
        .wr_busy_o       (wr_busy[p/2]),
        .wr_err_o        (unused_wr_err[p/2]),
        .wr_cnt_busy_o   (unused_wcnt[p/2][0]),
        .wr_cnt_beats_o  (unused_wcnt[p/2][1]),
        .wr_cnt_stall_o  (unused_wcnt[p/2][2])
      );
      /* verilator lint_on PINCONNECTEMPTY */
    end else begin : g_ro
      // HP1 (K) / HP3 (V): history reads only; the write channels idle
      assign m_axi_awid_o[p*IW +: IW]    = '0;
      assign m_axi_awaddr_o[p*AW +: AW]  = '0;
      assign m_axi_awlen_o[p*8 +: 8]     = '0;
      assign m_axi_awsize_o[p*3 +: 3]    = '0;
      assign m_axi_awburst_o[p*2 +: 2]   = '0;
      assign m_axi_awvalid_o[p]          = 1'b0;
      assign m_axi_wdata_o[p*128 +: 128] = '0;
      assign m_axi_wstrb_o[p*16 +: 16]   = '0;
      assign m_axi_wlast_o[p]            = 1'b0;
      assign m_axi_wvalid_o[p]           = 1'b0;
      assign m_axi_bready_o[p]           = 1'b1;
      /* verilator lint_off PINCONNECTEMPTY */
      axi_dma_rd #(
        .ADDR_W(AW), .ID_W(IW), .AXI_ID(0), .LEN_W(32), .MAX_BURST(MAX_BURST),
        .MAX_OUTSTANDING(MAX_OUTSTANDING), .CNT_W(32)
      ) u_rd (
        .clk_i,
        .rst_ni,
        .clear_i         (start),
        .cmd_valid_i     (rc_v_q[p]),
        .cmd_ready_o     (rc_rdy[p]),
        .cmd_addr_i      (rc_addr_q[p]),
        .cmd_len_i       (rc_len_q[p]),
        .sts_valid_o     (rd_sts_v[p]),
        .sts_ready_i     (1'b1),
        .sts_code_o      (rd_sts_code[p]),
        .m_axis_tdata_o  (rd_tdata[p]),
        .m_axis_tvalid_o (rd_tvalid[p]),
        .m_axis_tready_i (rd_tready[p]),
        .m_axis_tlast_o  (rd_tlast[p]),
        .m_axis_tuser_o  (rd_tuser[p]),
        .m_axi_arid_o    (m_axi_arid_o[p*IW +: IW]),
        .m_axi_araddr_o  (m_axi_araddr_o[p*AW +: AW]),
        .m_axi_arlen_o   (m_axi_arlen_o[p*8 +: 8]),
        .m_axi_arsize_o  (m_axi_arsize_o[p*3 +: 3]),
        .m_axi_arburst_o (m_axi_arburst_o[p*2 +: 2]),
        .m_axi_arcache_o (),
        .m_axi_arprot_o  (),
        .m_axi_arvalid_o (m_axi_arvalid_o[p]),
        .m_axi_arready_i (m_axi_arready_i[p]),
        .m_axi_rid_i     (m_axi_rid_i[p*IW +: IW]),
        .m_axi_rlast_i   (m_axi_rlast_i[p]),
        .m_axi_rdata_i   (m_axi_rdata_i[p*128 +: 128]),
        .m_axi_rresp_i   (m_axi_rresp_i[p*2 +: 2]),
        .m_axi_rvalid_i  (m_axi_rvalid_i[p]),
        .m_axi_rready_o  (m_axi_rready_o[p]),
        .busy_o          (rd_busy[p]),
        .err_o           (unused_rd_err[p]),
        .cnt_busy_o      (unused_cnt[p][0]),
        .cnt_beats_o     (unused_cnt[p][1]),
        .cnt_stall_o     (unused_cnt[p][2])
      );
      /* verilator lint_on PINCONNECTEMPTY */
    end

    // ---------------------------------------------------------------- fetch receiver of port p
    // Beats of the head destination's keys fill K (HP0/1) or V (HP2/3) of a history slot or of
    // the first tile's local slot (prologue); zero-length destinations complete at once.
    logic             d_local;
    logic [1:0]       d_slot;
    logic [KEY_W-1:0] d_key;
    logic [KEY_W:0]   d_n;
    logic [KEY_W:0]   rx_key_q;
    logic [DCW-1:0]   rx_dc_q;
    logic             rx_beat, rx_last, rx_zero;
    assign {d_local, d_slot, d_key, d_n} = dq_head[p];
    assign rx_zero      = !dq_empty[p] && (d_n == '0);
    assign rd_tready[p] = !dq_empty[p] && (d_n != '0);
    assign rx_beat      = rd_tvalid[p] && rd_tready[p];
    assign rx_last      = rx_beat && (32'(rx_dc_q) == DC - 1) && (rx_key_q + 1'b1 == d_n);
    assign dq_pop[p]    = rx_last || rx_zero;

    assign rx_we[p]    = rx_beat;
    assign rx_local[p] = d_local;
    assign rx_slot[p]  = d_slot;
    assign rx_key[p]   = KEY_W'(d_key + KEY_W'(rx_key_q));
    assign rx_dc[p]    = rx_dc_q;

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        rx_key_q <= '0;
        rx_dc_q  <= '0;
      end else if (rx_beat) begin
        if (32'(rx_dc_q) == DC - 1) begin
          rx_dc_q  <= '0;
          rx_key_q <= rx_last ? '0 : rx_key_q + 1'b1;
        end else begin
          rx_dc_q <= rx_dc_q + 1'b1;
        end
      end
    end
  end

  // ------------------------------------------------------------------ schedule
  logic               sc_valid, sc_ready, sc_bank, sc_src_hist, sc_diag, sc_rel, sc_tfirst, sc_tlast;
  logic               sc_done;
  logic [ROW_W-1:0]   sc_row;
  logic [POS_W-1:0]   sc_rowpos, sc_kpos, sc_trows;
  logic [PE_ROWS-1:0] sc_lanes;
  logic [1:0]         sc_slot;
  logic [KEY_W-1:0]   sc_key;
  logic [POS_W-1:0]   bank_rows_q [2];
  logic [1:0]         bank_free;

  assign bank_free[0] = (bank_rows_q[0] == '0);
  assign bank_free[1] = (bank_rows_q[1] == '0);

  pf_sched #(
    .Q_TILE(Q_TILE), .KV_BLOCK(KV_BLOCK), .PE_ROWS(PE_ROWS), .POS_W(POS_W), .ROW_W(ROW_W),
    .KEY_W(KEY_W)
  ) u_sched (
    .clk_i,
    .rst_ni,
    .start_i       (start),
    .pos0_i        (POS_W'(job_i.pos0)),
    .end_i         (j_end),
    .arrived_i     (in_pos_q),
    .hist_filled_i (hist_filled),
    .pro_done_i    (pro_done),
    .bank_free_i   (bank_free),
    .valid_o       (sc_valid),
    .ready_i       (sc_ready),
    .bank_o        (sc_bank),
    .row_o         (sc_row),
    .rowpos_o      (sc_rowpos),
    .lanes_o       (sc_lanes),
    .src_hist_o    (sc_src_hist),
    .slot_o        (sc_slot),
    .key_o         (sc_key),
    .kpos_o        (sc_kpos),
    .diag_o        (sc_diag),
    .rel_hist_o    (sc_rel),
    .tile_first_o  (sc_tfirst),
    .tile_last_o   (sc_tlast),
    .tile_rows_o   (sc_trows),
    .done_o        (sc_done)
  );

  typedef struct packed {
    logic               bank;
    logic [ROW_W-1:0]   row;
    logic [POS_W-1:0]   rowpos;
    logic [PE_ROWS-1:0] lanes;
    logic               src_hist;
    logic [1:0]         slot;
    logic [KEY_W-1:0]   key;
    logic               first;
    logic               diag;
    logic               rel;
    logic               tlast;
    logic [3:0]         dlow;      // rowpos - kpos of lane 0 in a diagonal block (mask)
  } item_t;

  item_t sc_item;
  assign sc_item = '{bank: sc_bank, row: sc_row, rowpos: sc_rowpos, lanes: sc_lanes,
                     src_hist: sc_src_hist, slot: sc_slot, key: sc_key,
                     first: (sc_kpos == '0), diag: sc_diag, rel: sc_rel, tlast: sc_tlast,
                     dlow: 4'(sc_rowpos - sc_kpos)};

  // ------------------------------------------------------------------ pipeline control
  // A: QK array (KC x DC steps per item)  B: scores  C: softmax + m/l  D: P.V + acc (KC x DC steps)
  logic  a_v_q, b_v_q, c_v_q, d_v_q;
  item_t a_it_q, b_it_q, c_it_q, d_it_q;
  logic [KCW-1:0] a_kc_q, d_kc_q;
  logic [DCW-1:0] a_dc_q, d_dc_q;
  logic  a_last, a_go, a_acc, b_go, b_acc, c_go, c_acc, d_last, d_go, d_acc;
  logic  fin_ready;

  assign a_last = (32'(a_kc_q) == KC - 1) && (32'(a_dc_q) == DC - 1);
  assign d_last = (32'(d_kc_q) == KC - 1) && (32'(d_dc_q) == DC - 1);
  assign d_go   = d_v_q && (!(d_last && d_it_q.diag) || fin_ready);
  assign d_acc  = !d_v_q || (d_last && d_go);
  assign c_go   = c_v_q && d_acc;
  assign c_acc  = !c_v_q || c_go;
  assign b_go   = b_v_q && c_acc;
  assign b_acc  = !b_v_q || b_go;
  assign a_go   = a_v_q && (!a_last || b_acc);
  assign a_acc  = !a_v_q || (a_last && a_go);
  assign sc_ready = a_acc && (js_q == JRun);

  // ------------------------------------------------------------------ stage A: QK array
  logic signed [31:0] s_q    [PE_ROWS][16];
  logic signed [31:0] s_next [PE_ROWS][16];
  logic [127:0]       a_kbeat [PE_COLS];

  // s_next is only consumed in cycles with a_go (s_q, and b_s_q on the item's last step): the
  // array is evaluated only then (simulation speed; the netlist is the same).
  always_comb begin
    logic [KEY_W-1:0]   kidx;
    logic [127:0]       qb;
    logic signed [31:0] dot;
    kidx   = '0;
    qb     = '0;
    dot    = '0;
    s_next = s_q;
    for (int unsigned j = 0; j < PE_COLS; j++) a_kbeat[j] = '0;
    if (a_go) begin
      for (int unsigned j = 0; j < PE_COLS; j++) begin
        kidx = KEY_W'(a_it_q.key + KEY_W'(32'(a_kc_q) * PE_COLS + j));
        a_kbeat[j] = a_it_q.src_hist ? kh_mem[a_it_q.slot[0]][HKW'(kidx)][a_dc_q]
                                     : kl_mem[a_it_q.slot][ROW_W'(kidx)][a_dc_q];
      end
      for (int unsigned l = 0; l < PE_ROWS; l++) begin
        qb = q_mem[a_it_q.bank][ROW_W'(a_it_q.row + ROW_W'(l))][a_dc_q];
        for (int unsigned j = 0; j < PE_COLS; j++) begin
          dot = '0;
          for (int unsigned e = 0; e < 16; e++) begin
            dot = dot + 32'($signed(qb[e*8 +: 8]) * $signed(a_kbeat[j][e*8 +: 8]));
          end
          if (KC == 1) begin
            s_next[l][j] = ((a_dc_q == '0) ? 32'sd0 : s_q[l][j]) + dot;
          end else begin
            s_next[l][32'(a_kc_q) * PE_COLS + j] =
                ((a_dc_q == '0) ? 32'sd0 : s_q[l][32'(a_kc_q) * PE_COLS + j]) + dot;
          end
        end
      end
    end
  end

  // ------------------------------------------------------------------ stage B -> C: logits, mask
  logic signed [31:0] b_s_q [PE_ROWS][16];
  logic [16*TW-1:0]   c_t_q [PE_ROWS];
  logic [15:0]        c_vis_q [PE_ROWS];
  logic [16*TW-1:0]   b_t [PE_ROWS];
  logic [15:0]        b_vis [PE_ROWS];

  always_comb begin   // consumed only with b_go
    b_t   = '{default: '0};
    b_vis = '{default: '0};
    if (b_go) begin
      for (int unsigned l = 0; l < PE_ROWS; l++) begin
        for (int unsigned j = 0; j < 16; j++) begin
          b_t[l][j*TW +: TW] = attn_pkg::logit(b_s_q[l][j], job_q.c_mul);
          b_vis[l][j] = !b_it_q.diag || (5'(j) <= 5'(b_it_q.dlow) + 5'(l));
        end
      end
    end
  end

  // ------------------------------------------------------------------ stage C: online softmax
  logic [TW-1:0]      c_m_old [PE_ROWS], c_m_new [PE_ROWS];
  logic [LW-1:0]      c_l_old [PE_ROWS], c_l_new [PE_ROWS];
  logic [PW-1:0]      c_alpha [PE_ROWS];
  logic [16*PW-1:0]   c_p [PE_ROWS];

  for (genvar l = 0; l < PE_ROWS; l++) begin : g_sm
    logic [ROW_W-1:0] r;
    assign r          = ROW_W'(c_it_q.row + ROW_W'(l));
    assign c_m_old[l] = c_it_q.first ? attn_pkg::MInit : m_mem[c_it_q.bank][r];
    assign c_l_old[l] = c_it_q.first ? '0 : l_mem[c_it_q.bank][r];
    pf_softmax u_sm (
      .t_i     (c_t_q[l]),
      .vis_i   (c_vis_q[l]),
      .m_i     (c_m_old[l]),
      .l_i     (c_l_old[l]),
      .m_o     (c_m_new[l]),
      .l_o     (c_l_new[l]),
      .alpha_o (c_alpha[l]),
      .p_o     (c_p[l])
    );
  end

  // ------------------------------------------------------------------ stage D: P.V and acc
  logic [16*PW-1:0]       d_p_q [PE_ROWS];
  logic [PW-1:0]          d_alpha_q [PE_ROWS];
  logic [LW-1:0]          d_l_q [PE_ROWS];
  logic signed [PSW-1:0]  d_ps_q [PE_ROWS][16];
  logic signed [PSW-1:0]  d_tot [PE_ROWS][16];
  logic [16*AccW-1:0]     d_acc_new [PE_ROWS];
  logic [127:0]           d_vbeat [PE_COLS];

  // d_tot / d_acc_new are only consumed in cycles with d_go (d_ps_q, acc_mem)
  always_comb begin
    logic [KEY_W-1:0]      kidx;
    logic [16*AccW-1:0]    old;
    logic [PW-1:0]         pj [PE_COLS];
    logic signed [PSW-1:0] part;
    kidx      = '0;
    old       = '0;
    pj        = '{default: '0};
    part      = '0;
    d_tot     = '{default: '{default: '0}};
    d_acc_new = '{default: '0};
    for (int unsigned j = 0; j < PE_COLS; j++) d_vbeat[j] = '0;
    if (d_go) begin
      for (int unsigned j = 0; j < PE_COLS; j++) begin
        kidx = KEY_W'(d_it_q.key + KEY_W'(32'(d_kc_q) * PE_COLS + j));
        d_vbeat[j] = d_it_q.src_hist ? vh_mem[d_it_q.slot[0]][HKW'(kidx)][d_dc_q]
                                     : vl_mem[d_it_q.slot][ROW_W'(kidx)][d_dc_q];
      end
      for (int unsigned l = 0; l < PE_ROWS; l++) begin
        old = d_it_q.first ? '0 : acc_mem[d_it_q.bank][ROW_W'(d_it_q.row + ROW_W'(l))][d_dc_q];
        for (int unsigned j = 0; j < PE_COLS; j++) begin
          pj[j] = (KC == 1) ? d_p_q[l][j*PW +: PW] : d_p_q[l][(32'(d_kc_q) * PE_COLS + j) * PW +: PW];
        end
        for (int unsigned e = 0; e < 16; e++) begin
          part = '0;
          for (int unsigned j = 0; j < PE_COLS; j++) begin
            part = part + PSW'($signed({1'b0, pj[j]}) * $signed(d_vbeat[j][e*8 +: 8]));
          end
          d_tot[l][e] = ((d_kc_q == '0) ? PSW'(0) : d_ps_q[l][e]) + part;
          d_acc_new[l][e*AccW +: AccW] =
              attn_pkg::rescale_acc($signed(old[e*AccW +: AccW]), d_alpha_q[l]) + AccW'(d_tot[l][e]);
        end
      end
    end
  end

  // ------------------------------------------------------------------ finisher
  logic                 fa_bank;
  logic [ROW_W-1:0]     fa_row;
  logic [DCW-1:0]       fa_dc;
  logic                 row_done, row_done_bank, fin_busy;
  logic [PE_ROWS*LW-1:0] fin_l;

  always_comb begin
    for (int unsigned l = 0; l < PE_ROWS; l++) fin_l[l*LW +: LW] = d_l_q[l];
  end

  pf_finish #(
    .HEAD_DIM(HEAD_DIM), .PE_ROWS(PE_ROWS), .POS_W(POS_W), .ROW_W(ROW_W), .DEPTH(FIN_D)
  ) u_fin (
    .clk_i,
    .rst_ni,
    .pos0_i          (pos0_q),
    .fv_i            (job_q.fv),
    .push_valid_i    (d_v_q && d_last && d_it_q.diag),
    .push_ready_o    (fin_ready),
    .push_bank_i     (d_it_q.bank),
    .push_row_i      (d_it_q.row),
    .push_rowpos_i   (d_it_q.rowpos),
    .push_lanes_i    (d_it_q.lanes),
    .push_l_i        (fin_l),
    .acc_bank_o      (fa_bank),
    .acc_row_o       (fa_row),
    .acc_dc_o        (fa_dc),
    .acc_data_i      (acc_mem[fa_bank][fa_row][fa_dc]),
    .m_o_tdata_o,
    .m_o_tuser_o,
    .m_o_tlast_o,
    .m_o_tvalid_o,
    .m_o_tready_i,
    .row_done_o      (row_done),
    .row_done_bank_o (row_done_bank),
    .busy_o          (fin_busy)
  );

  // ------------------------------------------------------------------ pipeline registers, memories
  always_ff @(posedge clk_i) begin
    // Q/K/V rows from the stream
    if (in_fire) begin
      unique case (in_ten_q)
        rp_pkg::TensorQ: q_mem[in_qs_q][in_row][in_dc_q]   <= s_qkv_tdata_i;
        rp_pkg::TensorK: kl_mem[in_kvs_q][in_row][in_dc_q] <= s_qkv_tdata_i;
        default:         vl_mem[in_kvs_q][in_row][in_dc_q] <= s_qkv_tdata_i;
      endcase
    end
    // K (HP0/1) and V (HP2/3) beats fetched from the KV cache
    for (int unsigned p = 0; p < 4; p++) begin
      if (rx_we[p]) begin
        if (p < 2) begin
          if (rx_local[p]) kl_mem[rx_slot[p]][ROW_W'(rx_key[p])][rx_dc[p]] <= rd_tdata[p];
          else             kh_mem[rx_slot[p][0]][HKW'(rx_key[p])][rx_dc[p]] <= rd_tdata[p];
        end else begin
          if (rx_local[p]) vl_mem[rx_slot[p]][ROW_W'(rx_key[p])][rx_dc[p]] <= rd_tdata[p];
          else             vh_mem[rx_slot[p][0]][HKW'(rx_key[p])][rx_dc[p]] <= rd_tdata[p];
        end
      end
    end
    // softmax state and accumulators
    for (int unsigned l = 0; l < PE_ROWS; l++) begin
      if (c_go && c_it_q.lanes[l]) begin
        m_mem[c_it_q.bank][ROW_W'(c_it_q.row + ROW_W'(l))] <= c_m_new[l];
        l_mem[c_it_q.bank][ROW_W'(c_it_q.row + ROW_W'(l))] <= c_l_new[l];
      end
      if (d_go && (32'(d_kc_q) == KC - 1) && d_it_q.lanes[l]) begin
        acc_mem[d_it_q.bank][ROW_W'(d_it_q.row + ROW_W'(l))][d_dc_q] <= d_acc_new[l];
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      a_v_q     <= 1'b0;
      b_v_q     <= 1'b0;
      c_v_q     <= 1'b0;
      d_v_q     <= 1'b0;
      a_it_q    <= '0;
      b_it_q    <= '0;
      c_it_q    <= '0;
      d_it_q    <= '0;
      a_kc_q    <= '0;
      a_dc_q    <= '0;
      d_kc_q    <= '0;
      d_dc_q    <= '0;
      s_q       <= '{default: '{default: '0}};
      b_s_q     <= '{default: '{default: '0}};
      c_t_q     <= '{default: '0};
      c_vis_q   <= '{default: '0};
      d_p_q     <= '{default: '0};
      d_alpha_q <= '{default: '0};
      d_l_q     <= '{default: '0};
      d_ps_q    <= '{default: '{default: '0}};
    end else begin
      // A
      if (a_go) begin
        s_q <= s_next;
        if (32'(a_dc_q) == DC - 1) begin
          a_dc_q <= '0;
          a_kc_q <= a_last ? '0 : a_kc_q + 1'b1;
        end else begin
          a_dc_q <= a_dc_q + 1'b1;
        end
      end
      if (a_acc) begin
        a_v_q <= sc_valid && sc_ready;
        if (sc_valid && sc_ready) a_it_q <= sc_item;
      end
      // B
      if (b_acc) begin
        b_v_q <= a_v_q && a_last && a_go;
        if (a_v_q && a_last && a_go) begin
          b_it_q <= a_it_q;
          b_s_q  <= s_next;
        end
      end
      // C
      if (c_acc) begin
        c_v_q <= b_go;
        if (b_go) begin
          c_it_q  <= b_it_q;
          c_t_q   <= b_t;
          c_vis_q <= b_vis;
        end
      end
      // D
      if (d_go) begin
        d_ps_q <= d_tot;
        if (32'(d_kc_q) == KC - 1) begin
          d_kc_q <= '0;
          d_dc_q <= d_last ? '0 : d_dc_q + 1'b1;
        end else begin
          d_kc_q <= d_kc_q + 1'b1;
        end
      end
      if (d_acc) begin
        d_v_q <= c_go;
        if (c_go) begin
          d_it_q    <= c_it_q;
          d_p_q     <= c_p;
          d_alpha_q <= c_alpha;
          d_l_q     <= c_l_new;
        end
      end
    end
  end

  assign rel_hist_v    = d_go && d_last && d_it_q.rel;
  assign rel_hist_slot = d_it_q.slot[0];

  // ------------------------------------------------------------------ bookkeeping
  logic job_complete;
  assign job_complete = (js_q == JRun) && (in_pos_q == end_q) && sc_done &&
                        !a_v_q && !b_v_q && !c_v_q && !d_v_q && !fin_busy &&
                        (wc_pos_q == end_q) && (kws_cnt_q == wc_cnt_q) && (vws_cnt_q == wc_cnt_q) &&
                        !kwc_v_q && !vwc_v_q && (f_q == FDone) && (rc_v_q == '0) &&
                        (dq_empty == 4'hf) && (rd_busy == '0) && (wr_busy == '0);

  logic [3:0] rx_any_err;
  assign rx_any_err = rd_tvalid & rd_tready & rd_tuser;

  always_comb begin
    set_err  = 1'b0;
    set_code = rp_pkg::RmErrNone;
    if (in_fire && (s_qkv_tuser_i != in_ten_q || s_qkv_tlast_i != in_row_end)) begin
      set_err  = 1'b1;
      set_code = rp_pkg::RmErrStream;
    end
    for (int unsigned p = 0; p < 4; p++) begin
      if ((rd_sts_v[p] && rd_sts_code[p] != 3'd0) || (rx_any_err[p])) begin
        set_err  = 1'b1;
        set_code = rp_pkg::RmErrAxi;
      end
    end
    if ((kws_v && kws_code != 3'd0) || (vws_v && vws_code != 3'd0)) begin
      set_err  = 1'b1;
      set_code = rp_pkg::RmErrAxi;
    end
  end

  rp_pkg::rm_stats_t stats_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      js_q        <= JIdle;
      job_q       <= '0;
      pos0_q      <= '0;
      end_q       <= '0;
      ts0_q       <= '0;
      err_q       <= 1'b0;
      code_q      <= rp_pkg::RmErrNone;
      done_q      <= 1'b0;
      stats_q     <= '0;
      in_pos_q    <= '0;
      in_ts_q     <= '0;
      in_tr_q     <= '0;
      in_ten_q    <= rp_pkg::TensorQ;
      in_dc_q     <= '0;
      in_qs_q     <= 1'b0;
      in_kvs_q    <= '0;
      drained_q   <= '0;
      wc_pos_q    <= '0;
      wc_cnt_q    <= '0;
      kws_cnt_q   <= '0;
      vws_cnt_q   <= '0;
      dur_cnt_q   <= '0;
      dur_pos_q   <= '0;
      kwc_v_q     <= 1'b0;
      vwc_v_q     <= 1'b0;
      kwc_addr_q  <= '0;
      vwc_addr_q  <= '0;
      wc_len_q    <= '0;
      f_q         <= FDone;
      f_ts_q      <= '0;
      f_h_q       <= '0;
      f_kb_q      <= '0;
      f_hs_q      <= 1'b0;
      h_inuse_q   <= '0;
      h_mask_q    <= '{default: '0};
      pro_mask_q  <= '0;
      pro_need_q  <= 1'b0;
      rc_v_q      <= '0;
      rc_addr_q   <= '{default: '0};
      rc_len_q    <= '{default: '0};
      bank_rows_q <= '{default: '0};
    end else begin
      done_q <= 1'b0;
      // ---------------------------------------------------------- job accept / finish
      if (job_fire) begin
        job_q   <= job_i;
        stats_q <= '0;
        err_q   <= !start;
        code_q  <= bad_phase ? rp_pkg::RmErrPhase :
                   bad_len   ? rp_pkg::RmErrLen   :
                   bad_align ? rp_pkg::RmErrAlign : rp_pkg::RmErrNone;
        if (!start) done_q <= 1'b1;
      end
      if (start) begin
        js_q        <= JRun;
        pos0_q      <= POS_W'(job_i.pos0);
        end_q       <= j_end;
        ts0_q       <= (POS_W'(job_i.pos0) / T) * T;
        in_pos_q    <= POS_W'(job_i.pos0);
        in_ts_q     <= (POS_W'(job_i.pos0) / T) * T;
        in_tr_q     <= '0;
        in_ten_q    <= rp_pkg::TensorQ;
        in_dc_q     <= '0;
        in_qs_q     <= 1'b0;
        in_kvs_q    <= '0;
        drained_q   <= '0;
        wc_pos_q    <= POS_W'(job_i.pos0);
        wc_cnt_q    <= '0;
        kws_cnt_q   <= '0;
        vws_cnt_q   <= '0;
        dur_cnt_q   <= '0;
        dur_pos_q   <= POS_W'(job_i.pos0);
        pro_need_q  <= (POS_W'(job_i.pos0) % T) != '0;
        pro_mask_q  <= '0;
        f_q         <= ((POS_W'(job_i.pos0) % T) != '0) ? FPro : FHist;
        f_ts_q      <= (POS_W'(job_i.pos0) / T) * T;
        f_h_q       <= (POS_W'(job_i.pos0) / T) * T;
        f_kb_q      <= '0;
        f_hs_q      <= 1'b0;
        h_inuse_q   <= '0;
        bank_rows_q <= '{default: '0};
      end
      if (js_q == JRun) begin
        stats_q.busy_cycles <= stats_q.busy_cycles + 1;
        if (a_go) stats_q.active_cycles <= stats_q.active_cycles + 1;
        if (m_axi_rvalid_i[0] && m_axi_rready_o[0]) stats_q.rd_beats_hp0 <= stats_q.rd_beats_hp0 + 1;
        if (m_axi_rvalid_i[1] && m_axi_rready_o[1]) stats_q.rd_beats_hp1 <= stats_q.rd_beats_hp1 + 1;
        if (m_axi_rvalid_i[2] && m_axi_rready_o[2]) stats_q.rd_beats_hp2 <= stats_q.rd_beats_hp2 + 1;
        if (m_axi_rvalid_i[3] && m_axi_rready_o[3]) stats_q.rd_beats_hp3 <= stats_q.rd_beats_hp3 + 1;
        if (m_axi_wvalid_o[0] && m_axi_wready_i[0]) stats_q.wr_beats_hp0 <= stats_q.wr_beats_hp0 + 1;
        if (m_axi_wvalid_o[1] && m_axi_wready_i[1]) stats_q.wr_beats_hp1 <= stats_q.wr_beats_hp1 + 1;
        if (m_axi_wvalid_o[2] && m_axi_wready_i[2]) stats_q.wr_beats_hp2 <= stats_q.wr_beats_hp2 + 1;
        if (m_axi_wvalid_o[3] && m_axi_wready_i[3]) stats_q.wr_beats_hp3 <= stats_q.wr_beats_hp3 + 1;
        if (set_err && !err_q) begin
          err_q  <= 1'b1;
          code_q <= set_code;
        end
        if (job_complete) begin
          js_q   <= JIdle;
          done_q <= 1'b1;
        end
      end
      // ---------------------------------------------------------- input stream
      if (in_fire) begin
        if (!in_row_end) begin
          in_dc_q <= in_dc_q + 1'b1;
        end else begin
          in_dc_q <= '0;
          if (in_ten_q != rp_pkg::TensorV) begin
            in_ten_q <= in_ten_q + 2'd1;
          end else begin
            in_ten_q <= rp_pkg::TensorQ;
            in_pos_q <= in_pos_q + 1'b1;
            if (in_pos_q + 1'b1 == in_ts_q + T) begin
              in_ts_q  <= in_ts_q + T;
              in_tr_q  <= in_tr_q + 1'b1;
              in_qs_q  <= !in_qs_q;
              in_kvs_q <= (in_kvs_q == 2'd2) ? 2'd0 : in_kvs_q + 2'd1;
            end
          end
        end
      end
      if (d_go && d_last && d_it_q.tlast) drained_q <= drained_q + 1'b1;
      // ---------------------------------------------------------- write-out
      if (wc_issue) begin
        kwc_v_q    <= 1'b1;
        vwc_v_q    <= 1'b1;
        kwc_addr_q <= job_q.k_base + AW'(wc_pos_q) * AW'(HEAD_DIM);
        vwc_addr_q <= job_q.v_base + AW'(wc_pos_q) * AW'(HEAD_DIM);
        wc_len_q   <= (32'(wc_next) - 32'(wc_pos_q)) * HEAD_DIM;
        wc_pos_q   <= wc_next;
        wc_cnt_q   <= wc_cnt_q + 1'b1;
      end
      if (kwc_v_q && kwc_rdy) kwc_v_q <= 1'b0;
      if (vwc_v_q && vwc_rdy) vwc_v_q <= 1'b0;
      if (kws_v) kws_cnt_q <= kws_cnt_q + 1'b1;
      if (vws_v) vws_cnt_q <= vws_cnt_q + 1'b1;
      if (kws_cnt_q > dur_cnt_q && vws_cnt_q > dur_cnt_q) begin
        dur_cnt_q <= dur_cnt_q + 1'b1;
        dur_pos_q <= ((dur_pos_q & ~(S16 - 1'b1)) + S16 < end_q) ?
                     (dur_pos_q & ~(S16 - 1'b1)) + S16 : end_q;
      end
      // ---------------------------------------------------------- fetch
      if (f_issue) begin
        for (int unsigned p = 0; p < 4; p++) begin
          logic [POS_W-1:0] pn, pa;
          pn = (p % 2 == 0) ? f_n0 : f_n1;
          pa = (p % 2 == 0) ? f_a : f_a + f_n0;
          rc_v_q[p]    <= (pn != '0);
          rc_addr_q[p] <= ((p < 2) ? job_q.k_base : job_q.v_base) + AW'(pa) * AW'(HEAD_DIM);
          rc_len_q[p]  <= 32'(pn) * HEAD_DIM;
        end
        if (f_q == FPro) begin
          f_q <= FHist;
        end else begin
          h_inuse_q[f_hs_q] <= 1'b1;
          h_mask_q[f_hs_q]  <= '0;
          f_hs_q            <= !f_hs_q;
          f_kb_q            <= f_kb_q + POS_W'(KV_BLOCK);
        end
      end else if (f_adv_tile && js_q == JRun) begin
        if (f_ts_q + T >= end_q) begin
          f_q <= FDone;
        end else begin
          f_ts_q <= f_ts_q + T;
          f_h_q  <= f_ts_q;
          f_kb_q <= '0;
        end
      end
      for (int unsigned p = 0; p < 4; p++) begin
        if (rc_v_q[p] && rc_rdy[p]) rc_v_q[p] <= 1'b0;
      end
      for (int unsigned p = 0; p < 4; p++) begin
        if (dq_pop[p]) begin
          if (dq_head[p][DestW-1]) pro_mask_q[p] <= 1'b1;
          else                     h_mask_q[dq_head[p][2*KEY_W+1]][p] <= 1'b1;
        end
      end
      if (rel_hist_v) h_inuse_q[rel_hist_slot] <= 1'b0;
      // ---------------------------------------------------------- accumulator banks
      for (int unsigned b = 0; b < 2; b++) begin
        if (sc_valid && sc_ready && sc_tfirst && sc_bank == b[0]) bank_rows_q[b] <= sc_trows;
        else if (row_done && row_done_bank == b[0]) bank_rows_q[b] <= bank_rows_q[b] - 1'b1;
      end
    end
  end

  assign busy_o         = (js_q == JRun);
  assign done_o         = done_q;
  assign err_o          = err_q;
  assign err_code_o     = code_q;
  assign stats_o        = stats_q;
  assign rm_id_o        = rp_pkg::RmIdPrefill;
  assign shutdown_ack_o = shutdown_req_i && (js_q == JIdle) && (rd_busy == '0) && (wr_busy == '0);

  // unused: DMA counters and sticky errors (errors come from the status entries), ids, job fields
  // (HP1/HP3 write channels are idle; R data is counted per command, so RLAST is not needed)
  logic unused;
  assign unused = ^{unused_rd_err, unused_wr_err, job_q.layer, job_q.head, job_q.phase,
                    job_q.q_len, job_q.pos0, rd_tlast, d_it_q.dlow,
                    m_axi_awready_i[1], m_axi_awready_i[3], m_axi_wready_i[1], m_axi_wready_i[3],
                    m_axi_bid_i[1*IW +: IW], m_axi_bid_i[3*IW +: IW], m_axi_bresp_i[3:2],
                    m_axi_bresp_i[7:6], m_axi_bvalid_i[1], m_axi_bvalid_i[3]} ^
                  ^{unused_cnt[0][0], unused_cnt[1][0], unused_cnt[2][0], unused_cnt[3][0]};
endmodule
