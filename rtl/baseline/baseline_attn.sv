// Static baseline (TeLLMe-like, docs/baseline.md): both attention engines co-resident behind the
// RP boundary port list (docs/rp-interface.md), with the uniform HP port map in both phases:
//
//   HP0  Q  : every Q row is written to a DDR staging area and read back before use (bl_q_stage)
//   HP1  K  : KV-cache write-out / append and every K read
//   HP2  V  : likewise for V
//   HP3  O  : every O row is written to a DDR staging area and read back to the O stream
//             (bl_o_stage)
//
// * Engines: rm_prefill (its K ports HP0 + HP1 merged onto HP1, its V ports HP2 + HP3 onto HP2 by
//   bl_axi_merge) and rm_decode with PORT_MAP = 1 (Uniform: K on HP1, V on HP2). Same arithmetic
//   as PD-Swap's RMs: they ARE PD-Swap's RMs; only the port map and the Q/O staging differ.
// * No reconfiguration: the job's phase picks the engine (PhaseDecode -> rm_decode, anything
//   else -> rm_prefill, which refuses a non-prefill phase with RmErrPhase). The idle engine sees
//   isolated inputs (as the RP decoupler's isolation: no valid, no ready, shutdown_req high).
// * Staging areas: Q rows at STAGE_BASE + row * HEAD_DIM (MAX_CTX * HEAD_DIM bytes, rounded up to
//   4 KiB), O rows at STAGE_BASE + QRegion + row * HEAD_DIM * 4 (row = index within the job).
// * Job flow: accepted when idle and not shutting down; the engine takes the job in the same
//   cycle. The cycle after, a refused job (the engine pulses done_o at once) is reported with
//   done_o and the engine's error in that cycle; otherwise the staging paths start. done_o
//   pulses after the engine's done_o AND the last O row has left the staging path, with every
//   staging DMA idle. Errors: the engine's (first), RmErrStream for a qkv beat whose tag/tlast
//   disagrees with the counted framing, RmErrAxi for a non-OK response on the staging ports;
//   the first error of a job sticks until the next job is accepted.
// * stats_o: busy_cycles = cycles from the cycle after acceptance to the completion cycle (0 for
//   a refused job), active_cycles = the engine's PE-active counter, R / W beats counted on the
//   four HP ports of this module (staging traffic included).
// * rm_id_o: the engine of the current (or last) job, RmIdPrefill after reset.
`include "rm_connect.svh"
module baseline_attn #(
  parameter int unsigned HEAD_DIM            = 16,
  parameter int unsigned MAX_CTX             = 256,
  parameter logic [39:0] STAGE_BASE          = 40'h00_00F0_0000,
  parameter int unsigned PF_Q_TILE           = 32,     // rm_prefill Q_TILE
  parameter int unsigned PF_KV_BLOCK         = 32,     // rm_prefill KV_BLOCK
  parameter int unsigned PF_PE_ROWS          = 1,
  parameter int unsigned PF_PE_COLS          = 16,
  parameter int unsigned DEC_MAX_OUTSTANDING = 8,      // rm_decode read bursts per port
  parameter int unsigned KV_FIFO_DEPTH       = 128,    // K/V beats waiting for their Q row
  parameter int unsigned STAGE_OUTSTANDING   = 8       // staging bursts in flight per direction
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
  localparam int unsigned AW       = rp_pkg::AxiAddrW;
  localparam int unsigned IW       = rp_pkg::AxiIdW;
  localparam longint unsigned QRegion = ((longint'(MAX_CTX) * HEAD_DIM + 4095) / 4096) * 4096;
  localparam longint unsigned ORegion = longint'(MAX_CTX) * HEAD_DIM * 4;
  localparam logic [AW-1:0] QBase  = STAGE_BASE;
  localparam logic [AW-1:0] OBase  = STAGE_BASE + AW'(QRegion);

  if (HEAD_DIM < 16 || HEAD_DIM > 256 || HEAD_DIM % 16 != 0) begin : g_bad_dim
    $fatal(1, "baseline_attn: HEAD_DIM=%0d must be a multiple of 16 in [16, 256]", HEAD_DIM);
  end
  if (STAGE_BASE[11:0] != 12'd0 ||
      longint'(STAGE_BASE) + QRegion + ORegion > (longint'(1) << AW)) begin : g_bad_stage
    $fatal(1, "baseline_attn: STAGE_BASE=0x%0h must be 4 KiB aligned with its %0d-byte Q/O staging area below 2^40",
           STAGE_BASE, QRegion + ORegion);
  end
  if (STAGE_OUTSTANDING < 1 || STAGE_OUTSTANDING > 64) begin : g_bad_out
    $fatal(1, "baseline_attn: STAGE_OUTSTANDING=%0d outside [1, 64] bursts", STAGE_OUTSTANDING);
  end

  // ------------------------------------------------------------------ job control
  typedef enum logic [1:0] {SIdle, SFirst, SRun} state_e;
  state_e                  state_q;
  logic                    sel_dec_q;     // engine of the current / last job
  logic                    eng_done_q;
  logic                    done_q, err_q;
  logic [rp_pkg::ErrW-1:0] code_q;
  rp_pkg::rm_stats_t       stats_q;
  logic [rp_pkg::PosW-1:0] qlen_q;

  logic job_fire, eff_dec, start, complete;
  logic q_serr, q_aerr, q_idle, o_aerr, o_idle;
  rp_pkg::rp_in_t  pre_in, dec_in, eng_in;
  rp_pkg::rp_out_t pre_out, dec_out, eng_out;

  assign job_ready_o = (state_q == SIdle) && !shutdown_req_i;
  assign job_fire    = job_valid_i && job_ready_o;
  assign eff_dec     = (state_q == SIdle) ? (job_i.phase == rp_pkg::PhaseDecode) : sel_dec_q;
  assign eng_out     = sel_dec_q ? dec_out : pre_out;
  assign start       = (state_q == SFirst) && !eng_out.done;
  assign complete    = (state_q == SRun) && eng_done_q && q_idle && o_idle;

  // ------------------------------------------------------------------ staging paths
  logic [127:0]  eq_tdata;
  logic [1:0]    eq_tuser;
  logic          eq_tlast, eq_tvalid, eo_tready;

  bl_q_stage #(
    .HEAD_DIM(HEAD_DIM), .KV_FIFO_DEPTH(KV_FIFO_DEPTH), .MAX_OUTSTANDING(STAGE_OUTSTANDING)
  ) u_q (
    .clk_i,
    .rst_ni,
    .start_i         (start),
    .q_len_i         (qlen_q),
    .base_i          (QBase),
    .serr_o          (q_serr),
    .axi_err_o       (q_aerr),
    .idle_o          (q_idle),
    .s_qkv_tdata_i,
    .s_qkv_tuser_i,
    .s_qkv_tlast_i,
    .s_qkv_tvalid_i,
    .s_qkv_tready_o,
    .m_qkv_tdata_o   (eq_tdata),
    .m_qkv_tuser_o   (eq_tuser),
    .m_qkv_tlast_o   (eq_tlast),
    .m_qkv_tvalid_o  (eq_tvalid),
    .m_qkv_tready_i  (eng_out.qkv_tready),
    .m_axi_awid_o    (m_axi_awid_o[0*IW +: IW]),
    .m_axi_awaddr_o  (m_axi_awaddr_o[0*AW +: AW]),
    .m_axi_awlen_o   (m_axi_awlen_o[0*8 +: 8]),
    .m_axi_awsize_o  (m_axi_awsize_o[0*3 +: 3]),
    .m_axi_awburst_o (m_axi_awburst_o[0*2 +: 2]),
    .m_axi_awvalid_o (m_axi_awvalid_o[0]),
    .m_axi_awready_i (m_axi_awready_i[0]),
    .m_axi_wdata_o   (m_axi_wdata_o[0*128 +: 128]),
    .m_axi_wstrb_o   (m_axi_wstrb_o[0*16 +: 16]),
    .m_axi_wlast_o   (m_axi_wlast_o[0]),
    .m_axi_wvalid_o  (m_axi_wvalid_o[0]),
    .m_axi_wready_i  (m_axi_wready_i[0]),
    .m_axi_bid_i     (m_axi_bid_i[0*IW +: IW]),
    .m_axi_bresp_i   (m_axi_bresp_i[0*2 +: 2]),
    .m_axi_bvalid_i  (m_axi_bvalid_i[0]),
    .m_axi_bready_o  (m_axi_bready_o[0]),
    .m_axi_arid_o    (m_axi_arid_o[0*IW +: IW]),
    .m_axi_araddr_o  (m_axi_araddr_o[0*AW +: AW]),
    .m_axi_arlen_o   (m_axi_arlen_o[0*8 +: 8]),
    .m_axi_arsize_o  (m_axi_arsize_o[0*3 +: 3]),
    .m_axi_arburst_o (m_axi_arburst_o[0*2 +: 2]),
    .m_axi_arvalid_o (m_axi_arvalid_o[0]),
    .m_axi_arready_i (m_axi_arready_i[0]),
    .m_axi_rid_i     (m_axi_rid_i[0*IW +: IW]),
    .m_axi_rdata_i   (m_axi_rdata_i[0*128 +: 128]),
    .m_axi_rresp_i   (m_axi_rresp_i[0*2 +: 2]),
    .m_axi_rlast_i   (m_axi_rlast_i[0]),
    .m_axi_rvalid_i  (m_axi_rvalid_i[0]),
    .m_axi_rready_o  (m_axi_rready_o[0])
  );

  bl_o_stage #(.HEAD_DIM(HEAD_DIM), .MAX_OUTSTANDING(STAGE_OUTSTANDING)) u_o (
    .clk_i,
    .rst_ni,
    .start_i         (start),
    .base_i          (OBase),
    .axi_err_o       (o_aerr),
    .idle_o          (o_idle),
    .s_o_tdata_i     (eng_out.o_tdata),
    .s_o_tuser_i     (eng_out.o_tuser),
    .s_o_tlast_i     (eng_out.o_tlast),
    .s_o_tvalid_i    (eng_out.o_tvalid),
    .s_o_tready_o    (eo_tready),
    .m_o_tdata_o,
    .m_o_tuser_o,
    .m_o_tlast_o,
    .m_o_tvalid_o,
    .m_o_tready_i,
    .m_axi_awid_o    (m_axi_awid_o[3*IW +: IW]),
    .m_axi_awaddr_o  (m_axi_awaddr_o[3*AW +: AW]),
    .m_axi_awlen_o   (m_axi_awlen_o[3*8 +: 8]),
    .m_axi_awsize_o  (m_axi_awsize_o[3*3 +: 3]),
    .m_axi_awburst_o (m_axi_awburst_o[3*2 +: 2]),
    .m_axi_awvalid_o (m_axi_awvalid_o[3]),
    .m_axi_awready_i (m_axi_awready_i[3]),
    .m_axi_wdata_o   (m_axi_wdata_o[3*128 +: 128]),
    .m_axi_wstrb_o   (m_axi_wstrb_o[3*16 +: 16]),
    .m_axi_wlast_o   (m_axi_wlast_o[3]),
    .m_axi_wvalid_o  (m_axi_wvalid_o[3]),
    .m_axi_wready_i  (m_axi_wready_i[3]),
    .m_axi_bid_i     (m_axi_bid_i[3*IW +: IW]),
    .m_axi_bresp_i   (m_axi_bresp_i[3*2 +: 2]),
    .m_axi_bvalid_i  (m_axi_bvalid_i[3]),
    .m_axi_bready_o  (m_axi_bready_o[3]),
    .m_axi_arid_o    (m_axi_arid_o[3*IW +: IW]),
    .m_axi_araddr_o  (m_axi_araddr_o[3*AW +: AW]),
    .m_axi_arlen_o   (m_axi_arlen_o[3*8 +: 8]),
    .m_axi_arsize_o  (m_axi_arsize_o[3*3 +: 3]),
    .m_axi_arburst_o (m_axi_arburst_o[3*2 +: 2]),
    .m_axi_arvalid_o (m_axi_arvalid_o[3]),
    .m_axi_arready_i (m_axi_arready_i[3]),
    .m_axi_rid_i     (m_axi_rid_i[3*IW +: IW]),
    .m_axi_rdata_i   (m_axi_rdata_i[3*128 +: 128]),
    .m_axi_rresp_i   (m_axi_rresp_i[3*2 +: 2]),
    .m_axi_rlast_i   (m_axi_rlast_i[3]),
    .m_axi_rvalid_i  (m_axi_rvalid_i[3]),
    .m_axi_rready_o  (m_axi_rready_o[3])
  );

  // ------------------------------------------------------------------ the two engines
  rm_prefill #(
    .HEAD_DIM(HEAD_DIM), .MAX_CTX(MAX_CTX), .Q_TILE(PF_Q_TILE), .KV_BLOCK(PF_KV_BLOCK),
    .PE_ROWS(PF_PE_ROWS), .PE_COLS(PF_PE_COLS)
  ) u_prefill (.clk_i, .rst_ni, `RM_CONNECT(pre_in, pre_out));

  rm_decode #(
    .HEAD_DIM(HEAD_DIM), .MAX_CTX(MAX_CTX), .PORT_MAP(1), .MAX_OUTSTANDING(DEC_MAX_OUTSTANDING)
  ) u_decode (.clk_i, .rst_ni, `RM_CONNECT(dec_in, dec_out));

  // ------------------------------------------------------------------ prefill K / V port merge
  // g = 0: K (engine HP0 read+write, HP1 read) -> HP1;  g = 1: V (HP2, HP3) -> HP2
  rp_pkg::hp_s2m_t pre_axi_in;    // what the prefill engine's four ports see
  logic [1:0]      mg_m_awvalid, mg_m_wlast, mg_m_wvalid, mg_m_bready, mg_m_arvalid, mg_m_rready;
  logic [2*IW-1:0] mg_m_awid, mg_m_arid;
  logic [2*AW-1:0] mg_m_awaddr, mg_m_araddr;
  logic [2*8-1:0]  mg_m_awlen, mg_m_arlen;
  logic [2*3-1:0]  mg_m_awsize, mg_m_arsize;
  logic [2*2-1:0]  mg_m_awburst, mg_m_arburst;
  logic [2*128-1:0] mg_m_wdata;
  logic [2*16-1:0] mg_m_wstrb;
  // source side (to the engine), per merge
  logic [1:0]      mg_a_awready, mg_a_wready, mg_a_bvalid, mg_a_arready, mg_a_rlast, mg_a_rvalid;
  logic [1:0]      mg_b_arready, mg_b_rlast, mg_b_rvalid;
  logic [2*IW-1:0] mg_a_bid, mg_a_rid, mg_b_rid;
  logic [2*2-1:0]  mg_a_bresp, mg_a_rresp, mg_b_rresp;
  logic [2*128-1:0] mg_a_rdata, mg_b_rdata;
  // port side (from the HP port, idle while the decode engine owns it)
  logic [1:0]      mg_p_awready, mg_p_wready, mg_p_bvalid, mg_p_arready, mg_p_rlast, mg_p_rvalid;

  for (genvar g = 0; g < 2; g++) begin : g_merge
    localparam int unsigned PA = 2 * g;        // engine port with the writes
    localparam int unsigned PB = 2 * g + 1;    // engine read-only port
    localparam int unsigned PH = g + 1;        // HP port (HP1 for K, HP2 for V)
    assign mg_p_awready[g] = !sel_dec_q && m_axi_awready_i[PH];
    assign mg_p_wready[g]  = !sel_dec_q && m_axi_wready_i[PH];
    assign mg_p_bvalid[g]  = !sel_dec_q && m_axi_bvalid_i[PH];
    assign mg_p_arready[g] = !sel_dec_q && m_axi_arready_i[PH];
    assign mg_p_rlast[g]   = m_axi_rlast_i[PH];
    assign mg_p_rvalid[g]  = !sel_dec_q && m_axi_rvalid_i[PH];

    bl_axi_merge #(.AW(AW), .IW(IW)) u_merge (
      .clk_i,
      .rst_ni,
      .s_axi_a_awid_i    (pre_out.axi.awid[PA*IW +: IW]),
      .s_axi_a_awaddr_i  (pre_out.axi.awaddr[PA*AW +: AW]),
      .s_axi_a_awlen_i   (pre_out.axi.awlen[PA*8 +: 8]),
      .s_axi_a_awsize_i  (pre_out.axi.awsize[PA*3 +: 3]),
      .s_axi_a_awburst_i (pre_out.axi.awburst[PA*2 +: 2]),
      .s_axi_a_awvalid_i (pre_out.axi.awvalid[PA]),
      .s_axi_a_awready_o (mg_a_awready[g]),
      .s_axi_a_wdata_i   (pre_out.axi.wdata[PA*128 +: 128]),
      .s_axi_a_wstrb_i   (pre_out.axi.wstrb[PA*16 +: 16]),
      .s_axi_a_wlast_i   (pre_out.axi.wlast[PA]),
      .s_axi_a_wvalid_i  (pre_out.axi.wvalid[PA]),
      .s_axi_a_wready_o  (mg_a_wready[g]),
      .s_axi_a_bid_o     (mg_a_bid[g*IW +: IW]),
      .s_axi_a_bresp_o   (mg_a_bresp[g*2 +: 2]),
      .s_axi_a_bvalid_o  (mg_a_bvalid[g]),
      .s_axi_a_bready_i  (pre_out.axi.bready[PA]),
      .s_axi_a_arid_i    (pre_out.axi.arid[PA*IW +: IW]),
      .s_axi_a_araddr_i  (pre_out.axi.araddr[PA*AW +: AW]),
      .s_axi_a_arlen_i   (pre_out.axi.arlen[PA*8 +: 8]),
      .s_axi_a_arsize_i  (pre_out.axi.arsize[PA*3 +: 3]),
      .s_axi_a_arburst_i (pre_out.axi.arburst[PA*2 +: 2]),
      .s_axi_a_arvalid_i (pre_out.axi.arvalid[PA]),
      .s_axi_a_arready_o (mg_a_arready[g]),
      .s_axi_a_rid_o     (mg_a_rid[g*IW +: IW]),
      .s_axi_a_rdata_o   (mg_a_rdata[g*128 +: 128]),
      .s_axi_a_rresp_o   (mg_a_rresp[g*2 +: 2]),
      .s_axi_a_rlast_o   (mg_a_rlast[g]),
      .s_axi_a_rvalid_o  (mg_a_rvalid[g]),
      .s_axi_a_rready_i  (pre_out.axi.rready[PA]),
      .s_axi_b_arid_i    (pre_out.axi.arid[PB*IW +: IW]),
      .s_axi_b_araddr_i  (pre_out.axi.araddr[PB*AW +: AW]),
      .s_axi_b_arlen_i   (pre_out.axi.arlen[PB*8 +: 8]),
      .s_axi_b_arsize_i  (pre_out.axi.arsize[PB*3 +: 3]),
      .s_axi_b_arburst_i (pre_out.axi.arburst[PB*2 +: 2]),
      .s_axi_b_arvalid_i (pre_out.axi.arvalid[PB]),
      .s_axi_b_arready_o (mg_b_arready[g]),
      .s_axi_b_rid_o     (mg_b_rid[g*IW +: IW]),
      .s_axi_b_rdata_o   (mg_b_rdata[g*128 +: 128]),
      .s_axi_b_rresp_o   (mg_b_rresp[g*2 +: 2]),
      .s_axi_b_rlast_o   (mg_b_rlast[g]),
      .s_axi_b_rvalid_o  (mg_b_rvalid[g]),
      .s_axi_b_rready_i  (pre_out.axi.rready[PB]),
      .m_axi_awid_o      (mg_m_awid[g*IW +: IW]),
      .m_axi_awaddr_o    (mg_m_awaddr[g*AW +: AW]),
      .m_axi_awlen_o     (mg_m_awlen[g*8 +: 8]),
      .m_axi_awsize_o    (mg_m_awsize[g*3 +: 3]),
      .m_axi_awburst_o   (mg_m_awburst[g*2 +: 2]),
      .m_axi_awvalid_o   (mg_m_awvalid[g]),
      .m_axi_awready_i   (mg_p_awready[g]),
      .m_axi_wdata_o     (mg_m_wdata[g*128 +: 128]),
      .m_axi_wstrb_o     (mg_m_wstrb[g*16 +: 16]),
      .m_axi_wlast_o     (mg_m_wlast[g]),
      .m_axi_wvalid_o    (mg_m_wvalid[g]),
      .m_axi_wready_i    (mg_p_wready[g]),
      .m_axi_bid_i       (m_axi_bid_i[PH*IW +: IW]),
      .m_axi_bresp_i     (m_axi_bresp_i[PH*2 +: 2]),
      .m_axi_bvalid_i    (mg_p_bvalid[g]),
      .m_axi_bready_o    (mg_m_bready[g]),
      .m_axi_arid_o      (mg_m_arid[g*IW +: IW]),
      .m_axi_araddr_o    (mg_m_araddr[g*AW +: AW]),
      .m_axi_arlen_o     (mg_m_arlen[g*8 +: 8]),
      .m_axi_arsize_o    (mg_m_arsize[g*3 +: 3]),
      .m_axi_arburst_o   (mg_m_arburst[g*2 +: 2]),
      .m_axi_arvalid_o   (mg_m_arvalid[g]),
      .m_axi_arready_i   (mg_p_arready[g]),
      .m_axi_rid_i       (m_axi_rid_i[PH*IW +: IW]),
      .m_axi_rdata_i     (m_axi_rdata_i[PH*128 +: 128]),
      .m_axi_rresp_i     (m_axi_rresp_i[PH*2 +: 2]),
      .m_axi_rlast_i     (mg_p_rlast[g]),
      .m_axi_rvalid_i    (mg_p_rvalid[g]),
      .m_axi_rready_o    (mg_m_rready[g])
    );
  end

  // the prefill engine's view of its four ports: A ports (0, 2) read+write, B ports (1, 3) read
  always_comb begin
    pre_axi_in = '0;
    for (int unsigned g = 0; g < 2; g++) begin
      pre_axi_in.awready[2*g]          = mg_a_awready[g];
      pre_axi_in.wready[2*g]           = mg_a_wready[g];
      pre_axi_in.bid[2*g*IW +: IW]     = mg_a_bid[g*IW +: IW];
      pre_axi_in.bresp[2*g*2 +: 2]     = mg_a_bresp[g*2 +: 2];
      pre_axi_in.bvalid[2*g]           = mg_a_bvalid[g];
      pre_axi_in.arready[2*g]          = mg_a_arready[g];
      pre_axi_in.rid[2*g*IW +: IW]     = mg_a_rid[g*IW +: IW];
      pre_axi_in.rdata[2*g*128 +: 128] = mg_a_rdata[g*128 +: 128];
      pre_axi_in.rresp[2*g*2 +: 2]     = mg_a_rresp[g*2 +: 2];
      pre_axi_in.rlast[2*g]            = mg_a_rlast[g];
      pre_axi_in.rvalid[2*g]           = mg_a_rvalid[g];
      pre_axi_in.arready[2*g+1]            = mg_b_arready[g];
      pre_axi_in.rid[(2*g+1)*IW +: IW]     = mg_b_rid[g*IW +: IW];
      pre_axi_in.rdata[(2*g+1)*128 +: 128] = mg_b_rdata[g*128 +: 128];
      pre_axi_in.rresp[(2*g+1)*2 +: 2]     = mg_b_rresp[g*2 +: 2];
      pre_axi_in.rlast[2*g+1]              = mg_b_rlast[g];
      pre_axi_in.rvalid[2*g+1]             = mg_b_rvalid[g];
    end
  end

  // the decode engine (Uniform map) uses HP1 and HP2 directly; its HP0 / HP3 see an idle port
  rp_pkg::hp_s2m_t dec_axi_in;
  always_comb begin
    dec_axi_in = '0;
    for (int unsigned p = 1; p < 3; p++) begin
      dec_axi_in.awready[p]          = sel_dec_q && m_axi_awready_i[p];
      dec_axi_in.wready[p]           = sel_dec_q && m_axi_wready_i[p];
      dec_axi_in.bid[p*IW +: IW]     = m_axi_bid_i[p*IW +: IW];
      dec_axi_in.bresp[p*2 +: 2]     = m_axi_bresp_i[p*2 +: 2];
      dec_axi_in.bvalid[p]           = sel_dec_q && m_axi_bvalid_i[p];
      dec_axi_in.arready[p]          = sel_dec_q && m_axi_arready_i[p];
      dec_axi_in.rid[p*IW +: IW]     = m_axi_rid_i[p*IW +: IW];
      dec_axi_in.rdata[p*128 +: 128] = m_axi_rdata_i[p*128 +: 128];
      dec_axi_in.rresp[p*2 +: 2]     = m_axi_rresp_i[p*2 +: 2];
      dec_axi_in.rlast[p]            = m_axi_rlast_i[p];
      dec_axi_in.rvalid[p]           = sel_dec_q && m_axi_rvalid_i[p];
    end
  end

  // ------------------------------------------------------------------ engine inputs (isolation)
  always_comb begin
    eng_in              = '0;
    eng_in.job          = job_i;
    eng_in.job_valid    = job_fire;
    eng_in.shutdown_req = 1'b0;
    eng_in.qkv_tdata    = eq_tdata;
    eng_in.qkv_tuser    = eq_tuser;
    eng_in.qkv_tlast    = eq_tlast;
    eng_in.qkv_tvalid   = eq_tvalid;
    eng_in.o_tready     = eo_tready;
    pre_in              = '0;      // isolated (docs/rp-interface.md): no valid, no ready,
    pre_in.shutdown_req = 1'b1;    // shutdown requested
    dec_in              = '0;
    dec_in.shutdown_req = 1'b1;
    if (eff_dec) begin
      dec_in     = eng_in;
      dec_in.axi = dec_axi_in;
    end else begin
      pre_in     = eng_in;
      pre_in.axi = pre_axi_in;
    end
  end

  // ------------------------------------------------------------------ HP1 / HP2 outputs
  for (genvar g = 0; g < 2; g++) begin : g_kv_port
    localparam int unsigned PH = g + 1;
    assign m_axi_awid_o[PH*IW +: IW]     = sel_dec_q ? dec_out.axi.awid[PH*IW +: IW]     : mg_m_awid[g*IW +: IW];
    assign m_axi_awaddr_o[PH*AW +: AW]   = sel_dec_q ? dec_out.axi.awaddr[PH*AW +: AW]   : mg_m_awaddr[g*AW +: AW];
    assign m_axi_awlen_o[PH*8 +: 8]      = sel_dec_q ? dec_out.axi.awlen[PH*8 +: 8]      : mg_m_awlen[g*8 +: 8];
    assign m_axi_awsize_o[PH*3 +: 3]     = sel_dec_q ? dec_out.axi.awsize[PH*3 +: 3]     : mg_m_awsize[g*3 +: 3];
    assign m_axi_awburst_o[PH*2 +: 2]    = sel_dec_q ? dec_out.axi.awburst[PH*2 +: 2]    : mg_m_awburst[g*2 +: 2];
    assign m_axi_awvalid_o[PH]           = sel_dec_q ? dec_out.axi.awvalid[PH]           : mg_m_awvalid[g];
    assign m_axi_wdata_o[PH*128 +: 128]  = sel_dec_q ? dec_out.axi.wdata[PH*128 +: 128]  : mg_m_wdata[g*128 +: 128];
    assign m_axi_wstrb_o[PH*16 +: 16]    = sel_dec_q ? dec_out.axi.wstrb[PH*16 +: 16]    : mg_m_wstrb[g*16 +: 16];
    assign m_axi_wlast_o[PH]             = sel_dec_q ? dec_out.axi.wlast[PH]             : mg_m_wlast[g];
    assign m_axi_wvalid_o[PH]            = sel_dec_q ? dec_out.axi.wvalid[PH]            : mg_m_wvalid[g];
    assign m_axi_bready_o[PH]            = sel_dec_q ? dec_out.axi.bready[PH]            : mg_m_bready[g];
    assign m_axi_arid_o[PH*IW +: IW]     = sel_dec_q ? dec_out.axi.arid[PH*IW +: IW]     : mg_m_arid[g*IW +: IW];
    assign m_axi_araddr_o[PH*AW +: AW]   = sel_dec_q ? dec_out.axi.araddr[PH*AW +: AW]   : mg_m_araddr[g*AW +: AW];
    assign m_axi_arlen_o[PH*8 +: 8]      = sel_dec_q ? dec_out.axi.arlen[PH*8 +: 8]      : mg_m_arlen[g*8 +: 8];
    assign m_axi_arsize_o[PH*3 +: 3]     = sel_dec_q ? dec_out.axi.arsize[PH*3 +: 3]     : mg_m_arsize[g*3 +: 3];
    assign m_axi_arburst_o[PH*2 +: 2]    = sel_dec_q ? dec_out.axi.arburst[PH*2 +: 2]    : mg_m_arburst[g*2 +: 2];
    assign m_axi_arvalid_o[PH]           = sel_dec_q ? dec_out.axi.arvalid[PH]           : mg_m_arvalid[g];
    assign m_axi_rready_o[PH]            = sel_dec_q ? dec_out.axi.rready[PH]            : mg_m_rready[g];
  end

  // ------------------------------------------------------------------ control, errors, counters
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q    <= SIdle;
      sel_dec_q  <= 1'b0;
      eng_done_q <= 1'b0;
      done_q     <= 1'b0;
      err_q      <= 1'b0;
      code_q     <= rp_pkg::RmErrNone;
      stats_q    <= '0;
      qlen_q     <= '0;
    end else begin
      done_q <= 1'b0;
      unique case (state_q)
        SIdle: begin
          if (job_fire) begin
            state_q    <= SFirst;
            sel_dec_q  <= (job_i.phase == rp_pkg::PhaseDecode);
            qlen_q     <= job_i.q_len;
            eng_done_q <= 1'b0;
            err_q      <= 1'b0;
            code_q     <= rp_pkg::RmErrNone;
            stats_q    <= '0;
          end
        end
        SFirst: begin
          if (eng_out.done) begin          // refused by the engine: nothing was started
            state_q <= SIdle;
            err_q   <= eng_out.err;
            code_q  <= eng_out.err_code;
          end else begin
            state_q             <= SRun;
            stats_q.busy_cycles <= 32'd1;
          end
        end
        default: begin                     // SRun
          stats_q.busy_cycles <= stats_q.busy_cycles + 1;
          if (eng_out.done) eng_done_q <= 1'b1;
          if (!err_q) begin
            if (eng_out.err) begin
              err_q  <= 1'b1;
              code_q <= eng_out.err_code;
            end else if (q_serr) begin
              err_q  <= 1'b1;
              code_q <= rp_pkg::RmErrStream;
            end else if (q_aerr || o_aerr) begin
              err_q  <= 1'b1;
              code_q <= rp_pkg::RmErrAxi;
            end
          end
          if (complete) begin
            state_q <= SIdle;
            done_q  <= 1'b1;
          end
        end
      endcase
      if (state_q != SIdle) begin
        if (m_axi_rvalid_i[0] && m_axi_rready_o[0]) stats_q.rd_beats_hp0 <= stats_q.rd_beats_hp0 + 1;
        if (m_axi_rvalid_i[1] && m_axi_rready_o[1]) stats_q.rd_beats_hp1 <= stats_q.rd_beats_hp1 + 1;
        if (m_axi_rvalid_i[2] && m_axi_rready_o[2]) stats_q.rd_beats_hp2 <= stats_q.rd_beats_hp2 + 1;
        if (m_axi_rvalid_i[3] && m_axi_rready_o[3]) stats_q.rd_beats_hp3 <= stats_q.rd_beats_hp3 + 1;
        if (m_axi_wvalid_o[0] && m_axi_wready_i[0]) stats_q.wr_beats_hp0 <= stats_q.wr_beats_hp0 + 1;
        if (m_axi_wvalid_o[1] && m_axi_wready_i[1]) stats_q.wr_beats_hp1 <= stats_q.wr_beats_hp1 + 1;
        if (m_axi_wvalid_o[2] && m_axi_wready_i[2]) stats_q.wr_beats_hp2 <= stats_q.wr_beats_hp2 + 1;
        if (m_axi_wvalid_o[3] && m_axi_wready_i[3]) stats_q.wr_beats_hp3 <= stats_q.wr_beats_hp3 + 1;
      end
    end
  end

  always_comb begin
    stats_o               = stats_q;
    stats_o.active_cycles = eng_out.stats.active_cycles;
  end
  assign busy_o         = (state_q != SIdle);
  assign done_o         = done_q || ((state_q == SFirst) && eng_out.done);
  assign err_o          = err_q || ((state_q == SFirst) && eng_out.err);
  assign err_code_o     = (state_q == SFirst) ? eng_out.err_code : code_q;
  assign rm_id_o        = sel_dec_q ? rp_pkg::RmIdDecode : rp_pkg::RmIdPrefill;
  assign shutdown_ack_o = shutdown_req_i && (state_q == SIdle);

  // engine outputs this module does not use: the engines' own ids, busy, counters and shutdown
  // handshake (the baseline tracks its job itself; isolated engines are never asked to shut
  // down), the decode engine's idle HP0 / HP3, the prefill engine's idle HP1 / HP3 write channels
  logic unused;
  assign unused = ^{pre_out.job_ready, pre_out.busy, pre_out.rm_id, pre_out.shutdown_ack,
                    pre_out.stats, dec_out.job_ready, dec_out.busy, dec_out.rm_id,
                    dec_out.shutdown_ack, dec_out.stats, eng_out.job_ready, eng_out.busy,
                    eng_out.rm_id, eng_out.shutdown_ack, eng_out.axi, eng_out.stats,
                    dec_out.axi, pre_out.axi, eng_out.o_tlast};
endmodule
