// Stand-in attention RM for bring-up of the RP wrapper and the reconfiguration harness.
//
// Same port list as every RM (docs/rp-interface.md). It does no attention: for each token row
// it returns O[c] = q[c] * RM_ID + seq_q, where seq_q counts the jobs accepted since reset, so a
// result tells which RM produced it and whether the RM really came out of reset (a scrambled,
// un-reset counter gives a wrong value). Each K row is written to the KV cache at k_base +
// pos*HEAD_DIM with single-beat AXI writes on HP0 (one outstanding at a time), which gives the
// shutdown sequence real AXI traffic to drain. EXTRA_CYCLES idle cycles after the last input row
// stretch a job so a swap can be requested while the RM is busy.
module rm_stub #(
  parameter logic [7:0]  RM_ID        = rp_pkg::RmIdReference,
  parameter logic [1:0]  PHASE        = 2'd0,      // 0: accept both phases
  parameter int unsigned HEAD_DIM     = 16,
  parameter int unsigned MAX_CTX      = 256,
  parameter int unsigned EXTRA_CYCLES = 64
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
  localparam int unsigned BeatsPerRow = HEAD_DIM / 16;
  localparam int unsigned OBeats      = HEAD_DIM / 4;
  localparam int unsigned BW          = $clog2(OBeats + 1);
  localparam int unsigned PosW        = rp_pkg::PosW;
  localparam int unsigned KIdxW       = BeatsPerRow > 1 ? $clog2(BeatsPerRow) : 1;

  if (HEAD_DIM < 16 || HEAD_DIM % 16 != 0 || HEAD_DIM > 256) begin : g_bad_dim
    $fatal(1, "rm_stub: HEAD_DIM=%0d must be a multiple of 16 in [16, 256]", HEAD_DIM);
  end
  if (MAX_CTX < 1 || MAX_CTX > 65535) begin : g_bad_ctx
    $fatal(1, "rm_stub: MAX_CTX=%0d outside [1, 65535]", MAX_CTX);
  end

  typedef enum logic [2:0] {SIdle, SRecv, SWrite, SExtra, SEmit, SDrain} state_e;
  state_e state_q;

  rp_pkg::job_t      job_q;
  logic [31:0]       seq_q;             // jobs accepted since reset (visible in every result)
  logic [PosW-1:0]   row_q;             // token row within the job
  logic [1:0]        tensor_q;          // expected tag: Q, K, V
  logic [BW-1:0]     beat_q;            // beat within a row
  logic [7:0]        qrow_q [HEAD_DIM]; // the current token's Q row
  logic [127:0]      kbeat_q [BeatsPerRow];
  logic [31:0]       extra_q;
  logic              err_q;
  logic [rp_pkg::ErrW-1:0] code_q;
  logic              done_q;
  logic              awv_q, wv_q, bwait_q;
  logic [rp_pkg::AxiAddrW-1:0] waddr_q;
  logic [127:0]      wdata_q;
  rp_pkg::rm_stats_t stats_q;

  logic job_fire, in_fire, o_fire;
  assign job_ready_o    = (state_q == SIdle) && !shutdown_req_i;
  assign job_fire       = job_valid_i && job_ready_o;
  assign s_qkv_tready_o = (state_q == SRecv);
  assign in_fire        = s_qkv_tvalid_i && s_qkv_tready_o;
  assign o_fire         = m_o_tvalid_o && m_o_tready_i;

  // job checks
  logic [PosW:0] end_pos;
  logic          bad_len, bad_align, bad_phase;
  assign end_pos   = {1'b0, job_i.pos0} + {1'b0, job_i.q_len};
  assign bad_len   = (job_i.q_len == '0) || (end_pos > (PosW+1)'(MAX_CTX));
  assign bad_align = (job_i.k_base[3:0] != '0) || (job_i.v_base[3:0] != '0);
  assign bad_phase = (PHASE != 2'd0) && (job_i.phase != PHASE);

  logic [31:0] wr_off;
  assign wr_off = (32'(job_q.pos0) + 32'(row_q)) * HEAD_DIM + 32'(beat_q) * 16;

  // O row beat c4: lanes 4*c4 .. 4*c4+3 of q * RM_ID + seq
  logic [127:0] o_beat;
  always_comb begin
    for (int unsigned l = 0; l < 4; l++) begin
      o_beat[l*32 +: 32] = 32'($signed(qrow_q[32'(beat_q) * 4 + l])) * 32'(RM_ID) + seq_q;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q  <= SIdle;
      job_q    <= '0;
      seq_q    <= '0;
      row_q    <= '0;
      tensor_q <= rp_pkg::TensorQ;
      beat_q   <= '0;
      qrow_q   <= '{default: '0};
      kbeat_q  <= '{default: '0};
      extra_q  <= '0;
      err_q    <= 1'b0;
      code_q   <= rp_pkg::RmErrNone;
      done_q   <= 1'b0;
      awv_q    <= 1'b0;
      wv_q     <= 1'b0;
      bwait_q  <= 1'b0;
      waddr_q  <= '0;
      wdata_q  <= '0;
      stats_q  <= '0;
    end else begin
      done_q <= 1'b0;
      if (state_q != SIdle) stats_q.busy_cycles <= stats_q.busy_cycles + 1;
      unique case (state_q)
        SIdle: if (job_fire) begin
          job_q   <= job_i;
          seq_q   <= seq_q + 1;
          stats_q <= '0;
          row_q   <= '0;
          beat_q  <= '0;
          tensor_q <= rp_pkg::TensorQ;
          err_q   <= bad_len || bad_align || bad_phase;
          code_q  <= bad_phase ? rp_pkg::RmErrPhase :
                     bad_len   ? rp_pkg::RmErrLen   :
                     bad_align ? rp_pkg::RmErrAlign : rp_pkg::RmErrNone;
          if (bad_len || bad_align || bad_phase) begin
            done_q  <= 1'b1;
          end else begin
            state_q <= SRecv;
          end
        end
        SRecv: if (in_fire) begin
          if (s_qkv_tuser_i != tensor_q ||
              s_qkv_tlast_i != (32'(beat_q) == BeatsPerRow - 1)) begin
            err_q  <= 1'b1;
            code_q <= rp_pkg::RmErrStream;
          end
          if (tensor_q == rp_pkg::TensorQ) begin
            for (int unsigned l = 0; l < 16; l++) qrow_q[32'(beat_q) * 16 + l] <= s_qkv_tdata_i[l*8 +: 8];
          end
          if (tensor_q == rp_pkg::TensorK) kbeat_q[KIdxW'(beat_q)] <= s_qkv_tdata_i;
          if (32'(beat_q) == BeatsPerRow - 1) begin
            beat_q <= '0;
            if (tensor_q == rp_pkg::TensorV) begin
              tensor_q <= rp_pkg::TensorQ;
              state_q  <= SWrite;
            end else begin
              tensor_q <= tensor_q + 2'd1;
            end
          end else begin
            beat_q <= beat_q + 1'b1;
          end
        end
        SWrite: begin   // K row of this token -> DDR, one single-beat write per 16 bytes
          if (!awv_q && !wv_q && !bwait_q) begin
            if (32'(beat_q) == BeatsPerRow) begin
              beat_q  <= '0;
              extra_q <= (32'(row_q) == 32'(job_q.q_len) - 1) ? 32'(EXTRA_CYCLES) : 32'd0;
              state_q <= SExtra;
            end else begin
              waddr_q <= job_q.k_base + {8'b0, wr_off};
              wdata_q <= kbeat_q[KIdxW'(beat_q)];
              awv_q   <= 1'b1;
              wv_q    <= 1'b1;
              bwait_q <= 1'b1;
              beat_q  <= beat_q + 1'b1;
            end
          end
          if (awv_q && m_axi_awready_i[0]) awv_q <= 1'b0;
          if (wv_q && m_axi_wready_i[0]) begin
            wv_q <= 1'b0;
            stats_q.wr_beats_hp0 <= stats_q.wr_beats_hp0 + 1;
          end
          if (bwait_q && !awv_q && !wv_q && m_axi_bvalid_i[0]) begin
            bwait_q <= 1'b0;
            if (m_axi_bresp_i[1:0] != 2'b00) begin
              err_q  <= 1'b1;
              code_q <= rp_pkg::RmErrAxi;
            end
          end
        end
        SExtra: begin
          if (extra_q == '0) begin
            beat_q  <= '0;
            state_q <= SEmit;
          end else begin
            extra_q <= extra_q - 1;
          end
        end
        SEmit: begin
          stats_q.active_cycles <= stats_q.active_cycles + 1;
          if (o_fire) begin
            if (32'(beat_q) == OBeats - 1) begin
              beat_q <= '0;
              if (32'(row_q) == 32'(job_q.q_len) - 1) begin
                state_q <= SDrain;
              end else begin
                row_q   <= row_q + 1'b1;
                state_q <= SRecv;
              end
            end else begin
              beat_q <= beat_q + 1'b1;
            end
          end
        end
        SDrain: begin
          done_q  <= 1'b1;
          state_q <= SIdle;
        end
        default: state_q <= SIdle;
      endcase
    end
  end

  assign busy_o         = (state_q != SIdle);
  assign done_o         = done_q;
  assign err_o          = err_q;
  assign err_code_o     = code_q;
  assign stats_o        = stats_q;
  assign rm_id_o        = RM_ID;
  assign shutdown_ack_o = shutdown_req_i && (state_q == SIdle) && !awv_q && !wv_q && !bwait_q;

  assign m_o_tvalid_o = (state_q == SEmit);
  assign m_o_tdata_o  = o_beat;
  assign m_o_tuser_o  = row_q;
  assign m_o_tlast_o  = (32'(beat_q) == OBeats - 1);

  // HP0 write channel only; every other channel idle (valids low, readies high)
  always_comb begin
    m_axi_awid_o    = '0;
    m_axi_awaddr_o  = '0;
    m_axi_awlen_o   = '0;
    m_axi_awsize_o  = '0;
    m_axi_awburst_o = '0;
    m_axi_awvalid_o = '0;
    m_axi_wdata_o   = '0;
    m_axi_wstrb_o   = '0;
    m_axi_wlast_o   = '0;
    m_axi_wvalid_o  = '0;
    m_axi_bready_o  = '1;
    m_axi_arid_o    = '0;
    m_axi_araddr_o  = '0;
    m_axi_arlen_o   = '0;
    m_axi_arsize_o  = '0;
    m_axi_arburst_o = '0;
    m_axi_arvalid_o = '0;
    m_axi_rready_o  = '1;
    m_axi_awaddr_o[rp_pkg::AxiAddrW-1:0] = waddr_q;
    m_axi_awsize_o[2:0]  = 3'd4;      // 16 bytes
    m_axi_awburst_o[1:0] = 2'b01;     // INCR
    m_axi_awvalid_o[0]   = awv_q;
    m_axi_wdata_o[127:0] = wdata_q;
    m_axi_wstrb_o[15:0]  = '1;
    m_axi_wlast_o[0]     = 1'b1;
    m_axi_wvalid_o[0]    = wv_q;
    m_axi_bready_o[0]    = bwait_q && !awv_q && !wv_q;
  end

  // unused inputs: read channels and ids are not used by the stub
  logic unused;
  assign unused = ^{m_axi_bid_i, m_axi_bresp_i[7:2], m_axi_bvalid_i[3:1], m_axi_awready_i[3:1],
                    m_axi_wready_i[3:1], m_axi_arready_i, m_axi_rid_i, m_axi_rdata_i,
                    m_axi_rresp_i, m_axi_rlast_i, m_axi_rvalid_i, job_q.layer, job_q.head,
                    job_q.v_base, job_q.c_mul, job_q.fv, job_q.phase};
endmodule
