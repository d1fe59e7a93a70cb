// dma_job: drives one axi_dma (rtl/dma/axi_dma.sv) through one job without Python per cycle,
// testbench-only. A rising edge on start_i (when idle) issues, at the same edge:
//   cfg_mode_i = 1 read   one read command [cfg_src_i, +cfg_len_i); the read stream is consumed
//                         at once (tready = 1) and folded into chk_o
//            = 2 write  one write command [cfg_dst_i, +cfg_len_i); the write stream carries
//                         axi_tgen's pattern(address, cfg_seed_i) at full rate
//            = 3 copy   both commands; the read stream is looped into the write stream
//                         (m_axis -> s_axis, combinational) and folded into chk_o
// Command valids are held until ready, status ready is always high. done_o rises the cycle after
// the last expected status handshake and stays high until the next start; cycles_o is the
// number of edges from the start edge (0) to that status handshake. chk_o folds the read beats
// as chk = rotl1(chk, 128) ^ tdata (fastsim.checksum); tuser beats are counted in rd_user_o.
module dma_job #(
  parameter int unsigned ADDR_W = 32,
  parameter int unsigned LEN_W  = 32
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic              start_i,
  input  logic [1:0]        cfg_mode_i,
  input  logic [ADDR_W-1:0] cfg_src_i,
  input  logic [ADDR_W-1:0] cfg_dst_i,
  input  logic [LEN_W-1:0]  cfg_len_i,
  input  logic [31:0]       cfg_seed_i,
  output logic              done_o,
  output logic [31:0]       cycles_o,
  output logic [2:0]        rd_sts_o,
  output logic [2:0]        wr_sts_o,
  output logic [31:0]       rd_beats_o,
  output logic [31:0]       rd_user_o,
  output logic [31:0]       wr_beats_o,
  output logic [127:0]      chk_o,
  // axi_dma command / status / stream side
  output logic              rd_cmd_valid_o,
  input  logic              rd_cmd_ready_i,
  output logic [ADDR_W-1:0] rd_cmd_addr_o,
  output logic [LEN_W-1:0]  rd_cmd_len_o,
  input  logic              rd_sts_valid_i,
  output logic              rd_sts_ready_o,
  input  logic [2:0]        rd_sts_code_i,
  input  logic [127:0]      s_axis_tdata_i,    // from the DMA's m_axis (read data)
  input  logic              s_axis_tvalid_i,
  output logic              s_axis_tready_o,
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic              s_axis_tlast_i,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic              s_axis_tuser_i,
  output logic              wr_cmd_valid_o,
  input  logic              wr_cmd_ready_i,
  output logic [ADDR_W-1:0] wr_cmd_addr_o,
  output logic [LEN_W-1:0]  wr_cmd_len_o,
  input  logic              wr_sts_valid_i,
  output logic              wr_sts_ready_o,
  input  logic [2:0]        wr_sts_code_i,
  output logic [127:0]      m_axis_tdata_o,    // to the DMA's s_axis (write data)
  output logic              m_axis_tvalid_o,
  input  logic              m_axis_tready_i
);
  logic        start_q, run_q, done_q, rd_cmd_q, wr_cmd_q, rd_sts_seen_q, wr_sts_seen_q;
  logic [31:0] cyc_q, cycles_q, rd_beats_q, rd_user_q, wr_beats_q;
  logic [2:0]  rd_sts_q, wr_sts_q;
  logic [127:0] chk_q;
  logic        go, do_rd, do_wr, copy, rd_hs, wr_hs, rd_ok, wr_ok;
  logic [31:0] total_beats;
  logic [ADDR_W-1:0] pat_addr;
  logic [31:0] a32;

  assign go    = start_i && !start_q && !run_q;
  assign do_rd = cfg_mode_i[0];
  assign do_wr = cfg_mode_i[1];
  assign copy  = do_rd && do_wr;
  assign rd_hs = s_axis_tvalid_i && s_axis_tready_o;
  assign wr_hs = m_axis_tvalid_o && m_axis_tready_i;
  assign total_beats = 32'(cfg_len_i >> 4);
  assign rd_ok = !do_rd || rd_sts_seen_q || (rd_sts_valid_i && run_q);
  assign wr_ok = !do_wr || wr_sts_seen_q || (wr_sts_valid_i && run_q);

  // write pattern (same function as axi_tgen)
  assign pat_addr = cfg_dst_i + ADDR_W'(wr_beats_q * 32'd16);
  assign a32 = 32'(pat_addr);

  assign s_axis_tready_o = run_q && (copy ? m_axis_tready_i : do_rd);
  assign m_axis_tvalid_o = run_q && (copy ? s_axis_tvalid_i : (do_wr && wr_beats_q < total_beats));
  assign m_axis_tdata_o  = copy ? s_axis_tdata_i
                                : {cfg_seed_i ^ 32'h5A5A5A5A ^ (a32 << 7), a32 * 32'h9E3779B1,
                                   ~a32, a32 ^ cfg_seed_i};

  assign rd_cmd_valid_o = rd_cmd_q;
  assign rd_cmd_addr_o  = cfg_src_i;
  assign rd_cmd_len_o   = cfg_len_i;
  assign wr_cmd_valid_o = wr_cmd_q;
  assign wr_cmd_addr_o  = cfg_dst_i;
  assign wr_cmd_len_o   = cfg_len_i;
  assign rd_sts_ready_o = 1'b1;
  assign wr_sts_ready_o = 1'b1;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      start_q <= 1'b0; run_q <= 1'b0; done_q <= 1'b0; rd_cmd_q <= 1'b0; wr_cmd_q <= 1'b0;
      rd_sts_seen_q <= 1'b0; wr_sts_seen_q <= 1'b0; cyc_q <= '0; cycles_q <= '0;
      rd_beats_q <= '0; rd_user_q <= '0; wr_beats_q <= '0; rd_sts_q <= '0; wr_sts_q <= '0;
      chk_q <= '0;
    end else begin
      start_q <= start_i;
      if (go) begin
        run_q <= 1'b1; done_q <= 1'b0; rd_cmd_q <= do_rd; wr_cmd_q <= do_wr;
        rd_sts_seen_q <= 1'b0; wr_sts_seen_q <= 1'b0; cyc_q <= 32'd1; cycles_q <= '0;
        rd_beats_q <= '0; rd_user_q <= '0; wr_beats_q <= '0; rd_sts_q <= '0; wr_sts_q <= '0;
        chk_q <= '0;
      end else if (run_q) begin
        cyc_q <= cyc_q + 1;
        if (rd_cmd_q && rd_cmd_ready_i) rd_cmd_q <= 1'b0;
        if (wr_cmd_q && wr_cmd_ready_i) wr_cmd_q <= 1'b0;
        if (rd_hs) begin
          chk_q <= {chk_q[126:0], chk_q[127]} ^ s_axis_tdata_i;
          rd_beats_q <= rd_beats_q + 1;
          if (s_axis_tuser_i) rd_user_q <= rd_user_q + 1;
        end
        if (wr_hs) wr_beats_q <= wr_beats_q + 1;
        if (rd_sts_valid_i) begin
          rd_sts_seen_q <= 1'b1;
          rd_sts_q <= rd_sts_code_i;
        end
        if (wr_sts_valid_i) begin
          wr_sts_seen_q <= 1'b1;
          wr_sts_q <= wr_sts_code_i;
        end
        if (rd_ok && wr_ok) begin
          run_q <= 1'b0;
          done_q <= 1'b1;
          cycles_q <= cyc_q;
        end
      end
    end
  end

  assign done_o     = done_q;
  assign cycles_o   = cycles_q;
  assign rd_sts_o   = rd_sts_q;
  assign wr_sts_o   = wr_sts_q;
  assign rd_beats_o = rd_beats_q;
  assign rd_user_o  = rd_user_q;
  assign wr_beats_o = wr_beats_q;
  assign chk_o      = chk_q;
endmodule
