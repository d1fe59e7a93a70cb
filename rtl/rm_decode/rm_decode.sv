// PD-Swap Decode attention RM (docs/rm_decode.md): attention of one new token over its KV cache
// for one (layer, head) per job, with the contract's block-wise online softmax
// (docs/numerics.md) and exactly the RP port list of docs/rp-interface.md.
//
//   qkv_in --> Q / K / V row buffers (on chip; the new token's K and V are used from here)
//   DDR K  --> 2 K lanes (rmd_klane: q.k, logit) --> rmd_softmax (m, alpha, p, l, in order)
//   DDR V  --> 2 V lanes (rmd_vlane: row FIFO, sum p.v)  <-----------'
//                     `--> rmd_merge (acc = rnd(acc*alpha) + S, inv_l, o) --> O stream
//   K / V row of the new token --> DDR (append, after the reads)
//
// Lane l handles the 16-key blocks b with b % 2 == l. PORT_MAP 0 (PdSwap): K blocks are read on
// HP0 (even) and HP1 (odd), V blocks on HP2 (even) and HP3 (odd), one DMA command (= one burst)
// per block, so all four ports stream at once; the K / V appends use HP0 / HP2. PORT_MAP 1
// (Uniform, the static baseline's map): K on HP1 only, V on HP2 only (blocks routed to the lanes
// by parity), appends on the same ports; HP0 and HP3 stay idle (the baseline's Q and O ports).
// Every port read or written goes through the project's AXI4 DMA engines (rtl/dma).
//
// Job checks (refused jobs pulse done_o the cycle after acceptance, consume no input and issue
// no AXI traffic): phase != PhaseDecode -> RmErrPhase; q_len != 1 or pos0 >= MAX_CTX ->
// RmErrLen; k_base / v_base not 16-byte aligned, or a region end beyond 2^40 -> RmErrAlign.
// qkv rows with a wrong tag or tlast -> RmErrStream: the three rows (delimited by tlast) are
// still consumed, the attention runs on what arrived, the cache append is skipped. An AXI
// SLVERR/DECERR (any DMA status) -> RmErrAxi: the job still consumes everything, emits its O
// row and finishes. The first error of a job wins; err_o stays until the next job is accepted.
module rm_decode #(
  parameter int unsigned HEAD_DIM        = 16,
  parameter int unsigned MAX_CTX         = 2048,
  parameter int unsigned PORT_MAP        = 0,     // 0: PdSwap, 1: Uniform
  parameter int unsigned MAX_OUTSTANDING = 8,     // read bursts in flight per HP port
  parameter int unsigned VQ_DEPTH        = 32,    // V rows buffered per lane
  parameter int unsigned DIV_STEPS       = 2      // quotient bits per cycle of 2^48 / l
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
  // 4 x AXI4 HP masters (flattened: port p is bits [p*W +: W])
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
  localparam int unsigned AW     = rp_pkg::AxiAddrW;
  localparam int unsigned IW     = rp_pkg::AxiIdW;
  localparam int unsigned NSeg   = HEAD_DIM / 16;
  localparam int unsigned SegW   = (NSeg > 1) ? $clog2(NSeg) : 1;
  localparam int unsigned BLK_W  = $clog2(MAX_CTX / 16 + 2) + 1;
  localparam int unsigned BlkBeats = 16 * NSeg;
  localparam int unsigned Burst  = (BlkBeats > 256) ? 256 : BlkBeats;
  localparam int unsigned MaxLen = 16 * HEAD_DIM;
  localparam int unsigned TW     = 48;
  localparam int unsigned SW     = 29;

  if (HEAD_DIM < 16 || HEAD_DIM % 16 != 0 || HEAD_DIM > 256) begin : g_bad_dim
    $fatal(1, "rm_decode: HEAD_DIM=%0d must be a multiple of 16 in [16, 256]", HEAD_DIM);
  end
  if (MAX_CTX < 16 || MAX_CTX % 16 != 0 || MAX_CTX > 32768) begin : g_bad_ctx
    $fatal(1, "rm_decode: MAX_CTX=%0d must be a multiple of 16 in [16, 32768]", MAX_CTX);
  end
  if (PORT_MAP > 1) begin : g_bad_map
    $fatal(1, "rm_decode: PORT_MAP=%0d must be 0 (PdSwap) or 1 (Uniform)", PORT_MAP);
  end
  if (MAX_OUTSTANDING < 1 || MAX_OUTSTANDING > 64) begin : g_bad_out
    $fatal(1, "rm_decode: MAX_OUTSTANDING=%0d outside [1, 64] bursts", MAX_OUTSTANDING);
  end
  if (VQ_DEPTH < 2 || VQ_DEPTH > 1024 || (VQ_DEPTH & (VQ_DEPTH - 1)) != 0) begin : g_bad_vq
    $fatal(1, "rm_decode: VQ_DEPTH=%0d must be a power of two in [2, 1024] rows", VQ_DEPTH);
  end

  // ports: which engines exist, what they carry
  //             PdSwap: rd 0..3 (K, K, V, V), wr 0 (K) and 2 (V); Uniform: rd/wr 1 (K), 2 (V)
  localparam logic [3:0] RdUsed = (PORT_MAP == 0) ? 4'b1111 : 4'b0110;
  localparam logic [3:0] WrUsed = (PORT_MAP == 0) ? 4'b0101 : 4'b0110;
  localparam logic [3:0] IsK    = (PORT_MAP == 0) ? 4'b0011 : 4'b0010;
  localparam int unsigned KPort = (PORT_MAP == 0) ? 0 : 1;   // append ports
  localparam int unsigned VPort = 2;

  // ------------------------------------------------------------------ job control
  typedef enum logic {SIdle, SRun} state_e;
  state_e              state_q;
  rp_pkg::job_t        job_q;
  logic [BLK_W-1:0]    nb_q;
  logic [4:0]          last_nd_q;
  logic                err_q, done_q;
  logic [rp_pkg::ErrW-1:0] code_q;
  rp_pkg::rm_stats_t   stats_q;

  logic job_fire, bad_phase, bad_len, bad_align, bad, start;
  logic [AW:0] k_end, v_end, row_end;
  assign job_ready_o = (state_q == SIdle) && !shutdown_req_i;
  assign job_fire    = job_valid_i && job_ready_o;
  assign row_end     = (AW+1)'((64'(job_i.pos0) + 64'd1) * 64'(HEAD_DIM));
  assign k_end       = {1'b0, job_i.k_base} + row_end;
  assign v_end       = {1'b0, job_i.v_base} + row_end;
  assign bad_phase   = (job_i.phase != rp_pkg::PhaseDecode);
  assign bad_len     = (job_i.q_len != 16'd1) || (32'(job_i.pos0) >= MAX_CTX);
  assign bad_align   = (job_i.k_base[3:0] != '0) || (job_i.v_base[3:0] != '0) ||
                       k_end[AW] || v_end[AW];
  assign bad         = bad_phase || bad_len || bad_align;
  assign start       = job_fire && !bad;

  // ------------------------------------------------------------------ qkv rows in
  logic [1:0]          row_q;        // 0: Q, 1: K, 2: V, 3: all received
  logic [SegW:0]       beat_q;       // beat within the row (saturates past the row end)
  logic [127:0]        qbuf_q [NSeg];
  logic [127:0]        kbuf_q [NSeg];
  logic [127:0]        vbuf_q [NSeg];
  logic                serr_q;       // framing error seen
  logic signed [31:0]  snew_q;       // q . k of the new token
  logic                in_fire, in_store, beat_bad;
  logic [SegW-1:0]     bidx;
  assign s_qkv_tready_o = (state_q == SRun) && (row_q != 2'd3);
  assign in_fire  = s_qkv_tvalid_i && s_qkv_tready_o;
  assign in_store = in_fire && (32'(beat_q) < NSeg);
  assign bidx     = SegW'(beat_q);
  assign beat_bad = (s_qkv_tuser_i != row_q) || (s_qkv_tlast_i != (32'(beat_q) == NSeg - 1));

  logic [HEAD_DIM*8-1:0] q_row, v_row;
  always_comb begin
    for (int unsigned k = 0; k < NSeg; k++) begin
      q_row[k*128 +: 128] = qbuf_q[k];
      v_row[k*128 +: 128] = vbuf_q[k];
    end
  end

  logic signed [19:0] kdot;
  always_comb begin
    logic signed [15:0] prod;
    kdot = '0;
    for (int unsigned e = 0; e < 16; e++) begin
      prod = 16'($signed(qbuf_q[bidx][e*8 +: 8])) * 16'($signed(s_qkv_tdata_i[e*8 +: 8]));
      kdot = kdot + 20'(prod);
    end
  end

  always_ff @(posedge clk_i) begin
    if (in_store) begin
      unique case (row_q)
        2'd0:    qbuf_q[bidx] <= s_qkv_tdata_i;
        2'd1:    kbuf_q[bidx] <= s_qkv_tdata_i;
        default: vbuf_q[bidx] <= s_qkv_tdata_i;
      endcase
    end
  end

  logic                 q_valid, k_valid, v_valid;
  logic signed [TW-1:0] t_new;
  assign q_valid = (row_q != 2'd0);
  assign k_valid = (row_q == 2'd2) || (row_q == 2'd3);
  assign v_valid = (row_q == 2'd3);
  assign t_new   = attn_pkg::logit(snew_q, job_q.c_mul);

  // ------------------------------------------------------------------ DMA engines
  logic [3:0]        rd_cmd_valid, rd_cmd_ready, rd_cg_done, rd_busy, rd_sts_valid;
  logic [4*AW-1:0]   rd_cmd_addr;
  logic [4*32-1:0]   rd_cmd_len;
  logic [4*3-1:0]    rd_sts_code;
  logic [4*128-1:0]  rd_tdata;
  logic [3:0]        rd_tvalid, rd_tready, rd_tlast;
  logic [3:0]        wr_cmd_valid, wr_cmd_ready, wr_busy, wr_sts_valid;
  logic [4*3-1:0]    wr_sts_code;
  logic [3:0]        wr_tvalid, wr_tready;
  logic [4*128-1:0]  wr_tdata;
  logic [4*AW-1:0]   wr_cmd_addr;

  for (genvar p = 0; p < 4; p++) begin : g_port
    // ---------------- read engine + command generator
    if (RdUsed[p]) begin : g_rd
      rmd_cmdgen #(.HEAD_DIM(HEAD_DIM), .BLK_W(BLK_W), .ADDR_W(AW)) u_cg (
        .clk_i,
        .rst_ni,
        .start_i     (start),
        .first_i     ((PORT_MAP == 0) ? 1'(p % 2) : 1'b0),
        .stride2_i   (PORT_MAP == 0),
        .base_i      (IsK[p] ? job_q.k_base : job_q.v_base),
        .nb_i        (nb_q),
        .last_nd_i   (last_nd_q),
        .cmd_valid_o (rd_cmd_valid[p]),
        .cmd_ready_i (rd_cmd_ready[p]),
        .cmd_addr_o  (rd_cmd_addr[p*AW +: AW]),
        .cmd_len_o   (rd_cmd_len[p*32 +: 32]),
        .done_o      (rd_cg_done[p])
      );

      /* verilator lint_off PINCONNECTEMPTY */
      axi_dma_rd #(
        .ADDR_W(AW), .ID_W(IW), .AXI_ID(0), .LEN_W(32), .MAX_LEN(MaxLen),
        .MAX_BURST(Burst), .MAX_OUTSTANDING(MAX_OUTSTANDING), .CNT_W(8)
      ) u_rd (
        .clk_i,
        .rst_ni,
        .clear_i         (start),
        .cmd_valid_i     (rd_cmd_valid[p]),
        .cmd_ready_o     (rd_cmd_ready[p]),
        .cmd_addr_i      (rd_cmd_addr[p*AW +: AW]),
        .cmd_len_i       (rd_cmd_len[p*32 +: 32]),
        .sts_valid_o     (rd_sts_valid[p]),
        .sts_ready_i     (1'b1),
        .sts_code_o      (rd_sts_code[p*3 +: 3]),
        .m_axis_tdata_o  (rd_tdata[p*128 +: 128]),
        .m_axis_tvalid_o (rd_tvalid[p]),
        .m_axis_tready_i (rd_tready[p]),
        .m_axis_tlast_o  (rd_tlast[p]),
        .m_axis_tuser_o  (),
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
        .err_o           (),
        .cnt_busy_o      (),
        .cnt_beats_o     (),
        .cnt_stall_o     ()
      );
      /* verilator lint_on PINCONNECTEMPTY */
    end else begin : g_no_rd
      assign rd_cmd_valid[p]             = 1'b0;
      assign rd_cmd_ready[p]             = 1'b0;
      assign rd_cmd_addr[p*AW +: AW]     = '0;
      assign rd_cmd_len[p*32 +: 32]      = '0;
      assign rd_cg_done[p]               = 1'b1;
      assign rd_busy[p]                  = 1'b0;
      assign rd_sts_valid[p]             = 1'b0;
      assign rd_sts_code[p*3 +: 3]       = '0;
      assign rd_tdata[p*128 +: 128]      = '0;
      assign rd_tvalid[p]                = 1'b0;
      assign rd_tlast[p]                 = 1'b0;
      assign m_axi_arid_o[p*IW +: IW]    = '0;
      assign m_axi_araddr_o[p*AW +: AW]  = '0;
      assign m_axi_arlen_o[p*8 +: 8]     = '0;
      assign m_axi_arsize_o[p*3 +: 3]    = '0;
      assign m_axi_arburst_o[p*2 +: 2]   = '0;
      assign m_axi_arvalid_o[p]          = 1'b0;
      assign m_axi_rready_o[p]           = 1'b1;
    end

    // ---------------- write engine (append of the new token's K or V row)
    if (WrUsed[p]) begin : g_wr
      /* verilator lint_off PINCONNECTEMPTY */
      axi_dma_wr #(
        .ADDR_W(AW), .ID_W(IW), .AXI_ID(0), .LEN_W(32), .MAX_LEN(MaxLen),
        .MAX_BURST(Burst), .MAX_OUTSTANDING(2), .CNT_W(8)
      ) u_wr (
        .clk_i,
        .rst_ni,
        .clear_i         (start),
        .cmd_valid_i     (wr_cmd_valid[p]),
        .cmd_ready_o     (wr_cmd_ready[p]),
        .cmd_addr_i      (wr_cmd_addr[p*AW +: AW]),
        .cmd_len_i       (32'(HEAD_DIM)),
        .sts_valid_o     (wr_sts_valid[p]),
        .sts_ready_i     (1'b1),
        .sts_code_o      (wr_sts_code[p*3 +: 3]),
        .s_axis_tdata_i  (wr_tdata[p*128 +: 128]),
        .s_axis_tvalid_i (wr_tvalid[p]),
        .s_axis_tready_o (wr_tready[p]),
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
        .busy_o          (wr_busy[p]),
        .err_o           (),
        .cnt_busy_o      (),
        .cnt_beats_o     (),
        .cnt_stall_o     ()
      );
      /* verilator lint_on PINCONNECTEMPTY */
    end else begin : g_no_wr
      assign wr_cmd_ready[p]              = 1'b0;
      assign wr_busy[p]                   = 1'b0;
      assign wr_sts_valid[p]              = 1'b0;
      assign wr_sts_code[p*3 +: 3]        = '0;
      assign wr_tready[p]                 = 1'b0;
      assign m_axi_awid_o[p*IW +: IW]     = '0;
      assign m_axi_awaddr_o[p*AW +: AW]   = '0;
      assign m_axi_awlen_o[p*8 +: 8]      = '0;
      assign m_axi_awsize_o[p*3 +: 3]     = '0;
      assign m_axi_awburst_o[p*2 +: 2]    = '0;
      assign m_axi_awvalid_o[p]           = 1'b0;
      assign m_axi_wdata_o[p*128 +: 128]  = '0;
      assign m_axi_wstrb_o[p*16 +: 16]    = '0;
      assign m_axi_wlast_o[p]             = 1'b0;
      assign m_axi_wvalid_o[p]            = 1'b0;
      assign m_axi_bready_o[p]            = 1'b1;
    end
  end

  // ------------------------------------------------------------------ read streams -> lanes
  logic [1:0]       k_valid_l, k_ready_l, v_valid_l, v_ready_l;
  logic [2*128-1:0] k_data_l, v_data_l;
  logic             kpar_q, vpar_q;          // Uniform map: lane of the block on the port

  if (PORT_MAP == 0) begin : g_route_pdswap
    assign k_valid_l    = rd_tvalid[1:0];
    assign k_data_l     = rd_tdata[2*128-1:0];
    assign v_valid_l    = rd_tvalid[3:2];
    assign v_data_l     = rd_tdata[4*128-1:2*128];
    assign rd_tready    = {v_ready_l, k_ready_l};
  end else begin : g_route_uniform
    assign k_valid_l    = {rd_tvalid[1] && kpar_q, rd_tvalid[1] && !kpar_q};
    assign k_data_l     = {2{rd_tdata[1*128 +: 128]}};
    assign v_valid_l    = {rd_tvalid[2] && vpar_q, rd_tvalid[2] && !vpar_q};
    assign v_data_l     = {2{rd_tdata[2*128 +: 128]}};
    assign rd_tready[0] = 1'b0;
    assign rd_tready[1] = k_ready_l[kpar_q];
    assign rd_tready[2] = v_ready_l[vpar_q];
    assign rd_tready[3] = 1'b0;
  end

  // ------------------------------------------------------------------ attention datapath
  logic [1:0]               kb_valid, kb_ready, pv_valid, pv_ready, h_valid, h_ready;
  logic [2*16*TW-1:0]       kb_t;
  logic [2*TW-1:0]          kb_bmax;
  logic [2*5-1:0]           kb_nk;
  logic [16*17-1:0]         pv_p;
  logic [16:0]              pv_alpha;
  logic [2*HEAD_DIM*SW-1:0] h_s;
  logic [2*17-1:0]          h_alpha;
  logic                     l_valid, out_done, m_active;
  logic [31:0]              l_sum;
  logic [1:0]               k_active, v_active;

  for (genvar l = 0; l < 2; l++) begin : g_lane
    rmd_klane #(.HEAD_DIM(HEAD_DIM), .BLK_W(BLK_W), .LANE(l)) u_k (
      .clk_i,
      .rst_ni,
      .start_i       (start),
      .nb_i          (nb_q),
      .last_nd_i     (last_nd_q),
      .q_i           (q_row),
      .q_valid_i     (q_valid),
      .c_mul_i       (job_q.c_mul),
      .t_new_i       (t_new),
      .t_new_valid_i (k_valid),
      .s_data_i      (k_data_l[l*128 +: 128]),
      .s_valid_i     (k_valid_l[l]),
      .s_ready_o     (k_ready_l[l]),
      .m_valid_o     (kb_valid[l]),
      .m_ready_i     (kb_ready[l]),
      .m_t_o         (kb_t[l*16*TW +: 16*TW]),
      .m_bmax_o      (kb_bmax[l*TW +: TW]),
      .m_nk_o        (kb_nk[l*5 +: 5]),
      .active_o      (k_active[l])
    );

    rmd_vlane #(.HEAD_DIM(HEAD_DIM), .BLK_W(BLK_W), .LANE(l), .VQ_DEPTH(VQ_DEPTH)) u_v (
      .clk_i,
      .rst_ni,
      .start_i       (start),
      .nb_i          (nb_q),
      .last_nd_i     (last_nd_q),
      .v_new_i       (v_row),
      .v_new_valid_i (v_valid),
      .s_data_i      (v_data_l[l*128 +: 128]),
      .s_valid_i     (v_valid_l[l]),
      .s_ready_o     (v_ready_l[l]),
      .p_valid_i     (pv_valid[l]),
      .p_ready_o     (pv_ready[l]),
      .p_i           (pv_p),
      .alpha_i       (pv_alpha),
      .h_valid_o     (h_valid[l]),
      .h_ready_i     (h_ready[l]),
      .h_s_o         (h_s[l*HEAD_DIM*SW +: HEAD_DIM*SW]),
      .h_alpha_o     (h_alpha[l*17 +: 17]),
      .active_o      (v_active[l])
    );
  end

  rmd_softmax #(.BLK_W(BLK_W)) u_softmax (
    .clk_i,
    .rst_ni,
    .start_i   (start),
    .nb_i      (nb_q),
    .s_valid_i (kb_valid),
    .s_ready_o (kb_ready),
    .s_t_i     (kb_t),
    .s_bmax_i  (kb_bmax),
    .s_nk_i    (kb_nk),
    .m_valid_o (pv_valid),
    .m_ready_i (pv_ready),
    .m_p_o     (pv_p),
    .m_alpha_o (pv_alpha),
    .l_valid_o (l_valid),
    .l_o       (l_sum)
  );

  rmd_merge #(.HEAD_DIM(HEAD_DIM), .BLK_W(BLK_W), .DIV_STEPS(DIV_STEPS)) u_merge (
    .clk_i,
    .rst_ni,
    .start_i    (start),
    .nb_i       (nb_q),
    .fv_i       (job_q.fv),
    .h_valid_i  (h_valid),
    .h_ready_o  (h_ready),
    .h_s_i      (h_s),
    .h_alpha_i  (h_alpha),
    .l_valid_i  (l_valid),
    .l_i        (l_sum),
    .m_tdata_o  (m_o_tdata_o),
    .m_tlast_o  (m_o_tlast_o),
    .m_tvalid_o (m_o_tvalid_o),
    .m_tready_i (m_o_tready_i),
    .out_done_o (out_done),
    .active_o   (m_active)
  );
  assign m_o_tuser_o = '0;      // q_len = 1: the only row is row 0

  // ------------------------------------------------------------------ cache append
  // issued once every read has completed (the ports are idle by then, so the two short bursts
  // cost no read bandwidth) and all three input rows are in; skipped after a framing error
  logic            rd_done, app_go, app_issued_q, app_data_q, out_seen_q, app_done;
  logic [1:0]      app_sts_q;                 // status received: bit 0 K, bit 1 V
  logic [1:0]      wcmd_done_q, wcmd_fire, wbeat_fire;
  logic [SegW:0]   wseg_q [2];                // beats handed to the K / V write engine
  assign rd_done  = (&rd_cg_done) && !(|rd_busy) && !(|rd_sts_valid);
  assign app_go   = (state_q == SRun) && rd_done && (row_q == 2'd3) && !app_issued_q;
  assign app_done = app_issued_q && (&app_sts_q);

  always_comb begin
    wr_cmd_valid = '0;
    wr_tvalid    = '0;
    wr_tdata     = '0;
    wr_cmd_addr  = '0;
    wr_cmd_valid[KPort] = app_go && !serr_q && !wcmd_done_q[0];
    wr_cmd_valid[VPort] = app_go && !serr_q && !wcmd_done_q[1];
    wr_cmd_addr[KPort*AW +: AW] = job_q.k_base + AW'(32'(job_q.pos0) * HEAD_DIM);
    wr_cmd_addr[VPort*AW +: AW] = job_q.v_base + AW'(32'(job_q.pos0) * HEAD_DIM);
    wr_tvalid[KPort] = app_data_q && (32'(wseg_q[0]) < NSeg);
    wr_tvalid[VPort] = app_data_q && (32'(wseg_q[1]) < NSeg);
    wr_tdata[KPort*128 +: 128] = kbuf_q[SegW'(wseg_q[0])];
    wr_tdata[VPort*128 +: 128] = vbuf_q[SegW'(wseg_q[1])];
  end
  assign wcmd_fire  = {wr_cmd_valid[VPort] && wr_cmd_ready[VPort],
                       wr_cmd_valid[KPort] && wr_cmd_ready[KPort]};
  assign wbeat_fire = {wr_tvalid[VPort] && wr_tready[VPort], wr_tvalid[KPort] && wr_tready[KPort]};

  // ------------------------------------------------------------------ errors, stats, done
  logic       axi_err;
  assign axi_err = (|(rd_sts_valid & {|rd_sts_code[9 +: 3], |rd_sts_code[6 +: 3],
                                      |rd_sts_code[3 +: 3], |rd_sts_code[0 +: 3]})) ||
                   (|(wr_sts_valid & {|wr_sts_code[9 +: 3], |wr_sts_code[6 +: 3],
                                      |wr_sts_code[3 +: 3], |wr_sts_code[0 +: 3]}));

  logic finish;
  assign finish = (state_q == SRun) && (out_seen_q || out_done) && app_done && rd_done;

  logic [3:0] rbeat, wbeat;
  assign rbeat = m_axi_rvalid_i & m_axi_rready_o;
  assign wbeat = m_axi_wvalid_o & m_axi_wready_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q      <= SIdle;
      job_q        <= '0;
      nb_q         <= '0;
      last_nd_q    <= '0;
      err_q        <= 1'b0;
      code_q       <= rp_pkg::RmErrNone;
      done_q       <= 1'b0;
      stats_q      <= '0;
      row_q        <= '0;
      beat_q       <= '0;
      serr_q       <= 1'b0;
      snew_q       <= '0;
      kpar_q       <= 1'b0;
      vpar_q       <= 1'b0;
      app_issued_q <= 1'b0;
      app_data_q   <= 1'b0;
      app_sts_q    <= '0;
      wcmd_done_q  <= '0;
      wseg_q       <= '{default: '0};
      out_seen_q   <= 1'b0;
    end else begin
      done_q <= 1'b0;
      if (job_fire) begin
        job_q        <= job_i;
        nb_q         <= BLK_W'(job_i.pos0[rp_pkg::PosW-1:4]) + 1'b1;
        last_nd_q    <= {1'b0, job_i.pos0[3:0]};
        stats_q      <= '0;
        err_q        <= bad;
        code_q       <= bad_phase ? rp_pkg::RmErrPhase :
                        bad_len   ? rp_pkg::RmErrLen   :
                        bad_align ? rp_pkg::RmErrAlign : rp_pkg::RmErrNone;
        row_q        <= '0;
        beat_q       <= '0;
        serr_q       <= 1'b0;
        snew_q       <= '0;
        kpar_q       <= 1'b0;
        vpar_q       <= 1'b0;
        app_issued_q <= 1'b0;
        app_data_q   <= 1'b0;
        app_sts_q    <= '0;
        wcmd_done_q  <= '0;
        wseg_q       <= '{default: '0};
        out_seen_q   <= 1'b0;
        if (bad) done_q  <= 1'b1;
        else     state_q <= SRun;
      end else if (state_q == SRun) begin
        // qkv rows
        if (in_fire) begin
          if (beat_bad && !serr_q) begin
            serr_q <= 1'b1;
            if (!err_q) begin
              err_q  <= 1'b1;
              code_q <= rp_pkg::RmErrStream;
            end
          end
          if (in_store && row_q == 2'd1) begin
            snew_q <= ((beat_q == '0) ? 32'sd0 : snew_q) + 32'(kdot);
          end
          if (s_qkv_tlast_i) begin
            row_q  <= row_q + 2'd1;
            beat_q <= '0;
          end else if (32'(beat_q) < NSeg) begin
            beat_q <= beat_q + 1'b1;
          end
        end
        // Uniform map: block parity of the data on the K / V port
        if (rd_tvalid[1] && rd_tready[1] && rd_tlast[1]) kpar_q <= !kpar_q;
        if (rd_tvalid[2] && rd_tready[2] && rd_tlast[2]) vpar_q <= !vpar_q;
        // append
        wcmd_done_q <= wcmd_done_q | wcmd_fire;
        if (app_go) begin
          if (serr_q) begin
            app_issued_q <= 1'b1;
            app_sts_q    <= 2'b11;
          end else begin
            app_data_q <= 1'b1;
            if (&(wcmd_done_q | wcmd_fire)) app_issued_q <= 1'b1;
          end
        end
        if (wbeat_fire[0]) wseg_q[0] <= wseg_q[0] + 1'b1;
        if (wbeat_fire[1]) wseg_q[1] <= wseg_q[1] + 1'b1;
        if (wr_sts_valid[KPort]) app_sts_q[0] <= 1'b1;
        if (wr_sts_valid[VPort]) app_sts_q[1] <= 1'b1;
        // errors
        if (axi_err && !err_q) begin
          err_q  <= 1'b1;
          code_q <= rp_pkg::RmErrAxi;
        end
        if (out_done) out_seen_q <= 1'b1;
        // stats
        stats_q.busy_cycles <= stats_q.busy_cycles + 1;
        if ((|k_active) || (|v_active) || m_active) stats_q.active_cycles <= stats_q.active_cycles + 1;
        if (rbeat[0]) stats_q.rd_beats_hp0 <= stats_q.rd_beats_hp0 + 1;
        if (rbeat[1]) stats_q.rd_beats_hp1 <= stats_q.rd_beats_hp1 + 1;
        if (rbeat[2]) stats_q.rd_beats_hp2 <= stats_q.rd_beats_hp2 + 1;
        if (rbeat[3]) stats_q.rd_beats_hp3 <= stats_q.rd_beats_hp3 + 1;
        if (wbeat[0]) stats_q.wr_beats_hp0 <= stats_q.wr_beats_hp0 + 1;
        if (wbeat[1]) stats_q.wr_beats_hp1 <= stats_q.wr_beats_hp1 + 1;
        if (wbeat[2]) stats_q.wr_beats_hp2 <= stats_q.wr_beats_hp2 + 1;
        if (wbeat[3]) stats_q.wr_beats_hp3 <= stats_q.wr_beats_hp3 + 1;
        if (finish) begin
          state_q <= SIdle;
          done_q  <= 1'b1;
        end
      end
    end
  end

  assign busy_o         = (state_q == SRun);
  assign done_o         = done_q;
  assign err_o          = err_q;
  assign err_code_o     = code_q;
  assign stats_o        = stats_q;
  assign rm_id_o        = rp_pkg::RmIdDecode;
  assign shutdown_ack_o = shutdown_req_i && (state_q == SIdle);

  // unused: descriptor fields the attention does not need, RID/BID/RLAST (one ID, in-order,
  // beats counted by the DMA), the channels of ports a map leaves idle, write-engine busy
  logic unused;
  assign unused = ^{job_q.layer, job_q.head, job_q.phase, job_q.q_len, m_axi_rlast_i,
                    m_axi_rid_i, m_axi_bid_i, m_axi_awready_i, m_axi_bresp_i, m_axi_bvalid_i,
                    m_axi_arready_i, m_axi_rdata_i, m_axi_rresp_i, m_axi_rvalid_i,
                    m_axi_wready_i, rd_cmd_valid, rd_cmd_ready, rd_cmd_addr, rd_cmd_len,
                    rd_tdata, rd_tvalid, rd_tready, rd_tlast, wr_busy, wr_tready, wr_tdata,
                    wr_cmd_addr};
endmodule
