// axi_tgen: AXI4 traffic generator (one 128-bit master port), testbench-only.
//
// A job moves cfg_bursts_i bursts of cfg_len_i beats (16 bytes each, INCR, ID cfg_id_i) with up
// to cfg_max_rd_i / cfg_max_wr_i bursts outstanding per direction:
//   cfg_mode_i = 1 read   [cfg_src_i, +bursts*len*16): rolling checksum of the R data
//            = 2 write  [cfg_dst_i, ...): data = pattern(address, cfg_seed_i) (see below)
//            = 3 copy   read src, write the same data to dst (store-and-forward per burst,
//                       through a FIFO_BEATS-deep buffer; AR waits for buffer space, so
//                       cfg_len_i must be <= FIFO_BEATS or the job never starts)
// Bursts are contiguous (burst k at base + k*len*16): the caller keeps them inside 4 KiB pages.
// A rising edge on start_i starts a job (when idle); done_o stays high until the next start.
// cfg_stall_i (Q0.8) is the per-cycle probability of not raising ARVALID / AWVALID / WVALID and of
// holding RREADY / BREADY low (xorshift64 seeded from cfg_seed_i at each start).
//
// Observed on the bus, in rising edges counted from the start edge (= 0): cycles_o (edge of the
// job's last handshake), rd_first_o / rd_last_o (first and last R handshake, relative to the start edge),
// wr_last_o (last B handshake), lat_min_o / lat_max_o (AR handshake -> first R handshake of the
// same burst), beat and error counters, rd_chk_o = fold over R beats of chk = rotl1(chk) ^ rdata.
// Write pattern of the beat at byte address a (a32 = a[31:0]):
//   {seed ^ 32'h5A5A5A5A ^ (a32 << 7), a32 * 32'h9E3779B1, ~a32, a32 ^ seed}   (MSW first)
module axi_tgen #(
  parameter int unsigned ADDR_W     = 32,
  parameter int unsigned ID_W       = 4,
  parameter int unsigned FIFO_BEATS = 64,
  parameter int unsigned MAX_OUT    = 16
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  // job
  input  logic              start_i,
  input  logic [1:0]        cfg_mode_i,
  input  logic [ADDR_W-1:0] cfg_src_i,
  input  logic [ADDR_W-1:0] cfg_dst_i,
  input  logic [15:0]       cfg_bursts_i,
  input  logic [8:0]        cfg_len_i,
  input  logic [7:0]        cfg_max_rd_i,
  input  logic [7:0]        cfg_max_wr_i,
  input  logic [ID_W-1:0]   cfg_id_i,
  input  logic [31:0]       cfg_seed_i,
  input  logic [7:0]        cfg_stall_i,
  output logic              busy_o,
  output logic              done_o,
  output logic [31:0]       cycles_o,
  output logic [31:0]       rd_first_o,
  output logic [31:0]       rd_last_o,
  output logic [31:0]       wr_last_o,
  output logic [31:0]       lat_min_o,
  output logic [31:0]       lat_max_o,
  output logic [31:0]       rd_beats_o,
  output logic [31:0]       wr_beats_o,
  output logic [31:0]       rd_err_o,     // R beats with RRESP != OKAY
  output logic [31:0]       wr_err_o,     // B responses != OKAY
  output logic [31:0]       rlast_err_o,  // RLAST not on the burst's last beat
  output logic [127:0]      rd_chk_o,
  // AXI4 master
  output logic [ID_W-1:0]   m_axi_awid_o,
  output logic [ADDR_W-1:0] m_axi_awaddr_o,
  output logic [7:0]        m_axi_awlen_o,
  output logic [2:0]        m_axi_awsize_o,
  output logic [1:0]        m_axi_awburst_o,
  output logic              m_axi_awvalid_o,
  input  logic              m_axi_awready_i,
  output logic [127:0]      m_axi_wdata_o,
  output logic [15:0]       m_axi_wstrb_o,
  output logic              m_axi_wlast_o,
  output logic              m_axi_wvalid_o,
  input  logic              m_axi_wready_i,
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic [ID_W-1:0]   m_axi_bid_i,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [1:0]        m_axi_bresp_i,
  input  logic              m_axi_bvalid_i,
  output logic              m_axi_bready_o,
  output logic [ID_W-1:0]   m_axi_arid_o,
  output logic [ADDR_W-1:0] m_axi_araddr_o,
  output logic [7:0]        m_axi_arlen_o,
  output logic [2:0]        m_axi_arsize_o,
  output logic [1:0]        m_axi_arburst_o,
  output logic              m_axi_arvalid_o,
  input  logic              m_axi_arready_i,
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic [ID_W-1:0]   m_axi_rid_i,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [127:0]      m_axi_rdata_i,
  input  logic [1:0]        m_axi_rresp_i,
  input  logic              m_axi_rlast_i,
  input  logic              m_axi_rvalid_i,
  output logic              m_axi_rready_o
);
  localparam int unsigned FifoW = $clog2(FIFO_BEATS);
  localparam int unsigned OutW  = $clog2(MAX_OUT);

  if (FIFO_BEATS < 2 || (FIFO_BEATS & (FIFO_BEATS - 1)) != 0) begin : g_bad_fifo
    $fatal(1, "axi_tgen: FIFO_BEATS=%0d must be a power of two >= 2", FIFO_BEATS);
  end
  if (MAX_OUT < 2 || (MAX_OUT & (MAX_OUT - 1)) != 0) begin : g_bad_out
    $fatal(1, "axi_tgen: MAX_OUT=%0d must be a power of two >= 2", MAX_OUT);
  end
  if (ADDR_W < 12 || ADDR_W > 64) begin : g_bad_addr
    $fatal(1, "axi_tgen: ADDR_W=%0d outside 12..64", ADDR_W);
  end

  function automatic logic [127:0] pattern(logic [ADDR_W-1:0] a, logic [31:0] seed);
    logic [31:0] a32;
    a32 = 32'(a);
    return {seed ^ 32'h5A5A5A5A ^ (a32 << 7), a32 * 32'h9E3779B1, ~a32, a32 ^ seed};
  endfunction

  // ---------------------------------------------------------------- state
  logic              start_q, run_q, done_q;
  logic [31:0]       cyc_q;                  // cycles since the start edge
  logic [15:0]       rd_iss_q, rd_done_q, wr_iss_q, b_cnt_q;
  logic [31:0]       r_cnt_q, w_cnt_q;       // beats received / sent in this job
  logic [8:0]        r_bidx_q, w_bidx_q;     // beat index inside the current burst
  logic [63:0]       rnd_q;
  logic [127:0]      fifo_q [FIFO_BEATS];
  logic [31:0]       t_ar_q [MAX_OUT];       // AR handshake cycle per outstanding read burst
  logic [OutW-1:0]   t_wr_q, t_rd_q;
  logic              arvalid_q, awvalid_q, wvalid_q, rready_q, bready_q;
  logic [ADDR_W-1:0] araddr_q, awaddr_q;
  logic [127:0]      wdata_q;
  logic              wlast_q;
  logic [31:0]       cycles_q, rd_first_q, rd_last_q, wr_last_q, lat_min_q, lat_max_q;
  logic [31:0]       rd_err_q, wr_err_q, rlast_err_q;
  logic [127:0]      chk_q;

  // ---------------------------------------------------------------- handshakes and conditions
  logic ar_hs, aw_hs, w_hs, r_hs, b_hs, go;
  logic do_rd, do_wr, copy;
  logic [31:0] len32, rd_busy_beats, aw_need_beats;
  logic [15:0] rd_iss_n, wr_iss_n, b_cnt_n, rd_done_n;
  logic [31:0] r_cnt_n, w_cnt_n;
  logic [8:0]  w_bidx_n;          // in-burst index of beat w_cnt_n (the next W beat to load)
  logic        all_done_n;
  logic [7:0]  rv0, rv1, rv2, rv3, rv4;

  assign ar_hs = arvalid_q && m_axi_arready_i;
  assign aw_hs = awvalid_q && m_axi_awready_i;
  assign w_hs  = wvalid_q && m_axi_wready_i;
  assign r_hs  = m_axi_rvalid_i && rready_q;
  assign b_hs  = m_axi_bvalid_i && bready_q;
  assign go    = start_i && !start_q && !run_q;
  assign do_rd = cfg_mode_i[0];
  assign do_wr = cfg_mode_i[1];
  assign copy  = do_rd && do_wr;
  assign len32 = 32'(cfg_len_i);
  assign {rv4, rv3, rv2, rv1, rv0} = rnd_q[39:0];

  assign rd_iss_n  = rd_iss_q + 16'(ar_hs);
  assign wr_iss_n  = wr_iss_q + 16'(aw_hs);
  assign b_cnt_n   = b_cnt_q + 16'(b_hs);
  assign r_cnt_n   = r_cnt_q + 32'(r_hs);
  assign w_cnt_n   = w_cnt_q + 32'(w_hs);
  assign w_bidx_n  = (w_hs && w_bidx_q + 1 == cfg_len_i) ? '0 : w_bidx_q + 9'(w_hs);
  assign rd_done_n = rd_done_q + 16'(r_hs && m_axi_rlast_i);
  // beats of buffer space promised to issued reads and not yet sent as W (copy mode)
  assign rd_busy_beats = 32'(rd_iss_n) * len32 - w_cnt_n;
  assign aw_need_beats = (32'(wr_iss_n) + 32'd1) * len32;
  assign all_done_n = (!do_rd || rd_done_n == cfg_bursts_i) && (!do_wr || b_cnt_n == cfg_bursts_i);

  // ---------------------------------------------------------------- sequencing
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      start_q <= 1'b0; run_q <= 1'b0; done_q <= 1'b0; cyc_q <= '0;
      rd_iss_q <= '0; rd_done_q <= '0; wr_iss_q <= '0; b_cnt_q <= '0;
      r_cnt_q <= '0; w_cnt_q <= '0; r_bidx_q <= '0; w_bidx_q <= '0; rnd_q <= 64'h1;
      t_wr_q <= '0; t_rd_q <= '0;
      arvalid_q <= 1'b0; awvalid_q <= 1'b0; wvalid_q <= 1'b0; rready_q <= 1'b0;
      bready_q <= 1'b0; araddr_q <= '0; awaddr_q <= '0; wdata_q <= '0; wlast_q <= 1'b0;
      cycles_q <= '0; rd_first_q <= '0; rd_last_q <= '0; wr_last_q <= '0;
      lat_min_q <= '1; lat_max_q <= '0; rd_err_q <= '0; wr_err_q <= '0; rlast_err_q <= '0;
      chk_q <= '0;
    end else begin
      start_q <= start_i;
      if (go) begin
        run_q <= 1'b1; done_q <= 1'b0; cyc_q <= 32'd1;
        rd_iss_q <= '0; rd_done_q <= '0; wr_iss_q <= '0; b_cnt_q <= '0;
        r_cnt_q <= '0; w_cnt_q <= '0; r_bidx_q <= '0; w_bidx_q <= '0;
        rnd_q <= {cfg_seed_i, ~cfg_seed_i} ^ 64'h9E37_79B9_7F4A_7C15;
        t_wr_q <= '0; t_rd_q <= '0;
        cycles_q <= '0; rd_first_q <= '0; rd_last_q <= '0; wr_last_q <= '0;
        lat_min_q <= '1; lat_max_q <= '0; rd_err_q <= '0; wr_err_q <= '0; rlast_err_q <= '0;
        chk_q <= '0;
      end else if (run_q) begin
        logic [63:0] x;
        x = rnd_q ^ (rnd_q << 13);
        x = x ^ (x >> 7);
        rnd_q <= x ^ (x << 17);
        cyc_q <= cyc_q + 1;
        rd_iss_q <= rd_iss_n; wr_iss_q <= wr_iss_n; b_cnt_q <= b_cnt_n;
        r_cnt_q <= r_cnt_n; w_cnt_q <= w_cnt_n; rd_done_q <= rd_done_n;

        // AR: raise valid for the next burst when allowed, hold it until the handshake
        if (ar_hs) begin
          t_ar_q[t_wr_q] <= cyc_q;
          t_wr_q <= t_wr_q + 1'b1;
        end
        if (!arvalid_q || ar_hs) begin
          arvalid_q <= do_rd && rd_iss_n < cfg_bursts_i &&
                       (rd_iss_n - rd_done_n) < 16'(cfg_max_rd_i) &&
                       (!copy || rd_busy_beats + len32 <= 32'(FIFO_BEATS)) &&
                       rv0 >= cfg_stall_i;
          araddr_q <= cfg_src_i + ADDR_W'(32'(rd_iss_n) * len32 * 32'd16);
        end

        // R
        if (r_hs) begin
          chk_q <= {chk_q[126:0], chk_q[127]} ^ m_axi_rdata_i;
          fifo_q[r_cnt_q[FifoW-1:0]] <= m_axi_rdata_i;
          if (m_axi_rresp_i != 2'd0) rd_err_q <= rd_err_q + 1;
          if (r_cnt_q == 0) rd_first_q <= cyc_q;
          rd_last_q <= cyc_q;
          if (r_bidx_q == 0) begin
            if (cyc_q - t_ar_q[t_rd_q] < lat_min_q) lat_min_q <= cyc_q - t_ar_q[t_rd_q];
            if (cyc_q - t_ar_q[t_rd_q] > lat_max_q) lat_max_q <= cyc_q - t_ar_q[t_rd_q];
            t_rd_q <= t_rd_q + 1'b1;
          end
          if (m_axi_rlast_i != (r_bidx_q + 1 == cfg_len_i)) rlast_err_q <= rlast_err_q + 1;
          r_bidx_q <= (r_bidx_q + 1 == cfg_len_i) ? '0 : r_bidx_q + 1;
        end
        rready_q <= do_rd && rv3 >= cfg_stall_i;

        // AW: copy mode waits until the burst's data is buffered (store and forward)
        if (!awvalid_q || aw_hs) begin
          awvalid_q <= do_wr && wr_iss_n < cfg_bursts_i &&
                       (wr_iss_n - b_cnt_n) < 16'(cfg_max_wr_i) &&
                       (!copy || r_cnt_n >= aw_need_beats) &&
                       rv1 >= cfg_stall_i;
          awaddr_q <= cfg_dst_i + ADDR_W'(32'(wr_iss_n) * len32 * 32'd16);
        end

        // W: beats of bursts whose AW has handshaken
        if (!wvalid_q || w_hs) begin
          wvalid_q <= do_wr && w_cnt_n < 32'(wr_iss_n) * len32 && rv2 >= cfg_stall_i;
          wdata_q <= copy ? fifo_q[w_cnt_n[FifoW-1:0]]
                          : pattern(cfg_dst_i + ADDR_W'(w_cnt_n * 32'd16), cfg_seed_i);
          wlast_q <= w_bidx_n + 1 == cfg_len_i;
        end
        w_bidx_q <= w_bidx_n;

        // B
        if (b_hs) begin
          if (m_axi_bresp_i != 2'd0) wr_err_q <= wr_err_q + 1;
          wr_last_q <= cyc_q;
        end
        bready_q <= do_wr && rv4 >= cfg_stall_i;

        if (all_done_n) begin
          run_q <= 1'b0;
          done_q <= 1'b1;
          cycles_q <= cyc_q;
          arvalid_q <= 1'b0; awvalid_q <= 1'b0; wvalid_q <= 1'b0;
          rready_q <= 1'b0; bready_q <= 1'b0;
        end
      end
    end
  end

  // ---------------------------------------------------------------- outputs
  assign m_axi_arid_o    = cfg_id_i;
  assign m_axi_araddr_o  = araddr_q;
  assign m_axi_arlen_o   = 8'(cfg_len_i - 9'd1);
  assign m_axi_arsize_o  = 3'd4;
  assign m_axi_arburst_o = 2'd1;
  assign m_axi_arvalid_o = arvalid_q;
  assign m_axi_rready_o  = rready_q;
  assign m_axi_awid_o    = cfg_id_i;
  assign m_axi_awaddr_o  = awaddr_q;
  assign m_axi_awlen_o   = 8'(cfg_len_i - 9'd1);
  assign m_axi_awsize_o  = 3'd4;
  assign m_axi_awburst_o = 2'd1;
  assign m_axi_awvalid_o = awvalid_q;
  assign m_axi_wdata_o   = wdata_q;
  assign m_axi_wstrb_o   = '1;
  assign m_axi_wlast_o   = wlast_q;
  assign m_axi_wvalid_o  = wvalid_q;
  assign m_axi_bready_o  = bready_q;

  assign busy_o      = run_q;
  assign done_o      = done_q;
  assign cycles_o    = cycles_q;
  assign rd_first_o  = rd_first_q;
  assign rd_last_o   = rd_last_q;
  assign wr_last_o   = wr_last_q;
  assign lat_min_o   = lat_min_q;
  assign lat_max_o   = lat_max_q;
  assign rd_beats_o  = r_cnt_q;
  assign wr_beats_o  = w_cnt_q;
  assign rd_err_o    = rd_err_q;
  assign wr_err_o    = wr_err_q;
  assign rlast_err_o = rlast_err_q;
  assign rd_chk_o    = chk_q;
endmodule
