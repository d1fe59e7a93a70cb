// AXI4 read DMA: (address, byte length) commands -> INCR bursts on AR/R -> a stream of 128-bit
// beats, tlast on each command's last beat, tuser = the beat came with SLVERR/DECERR.
//
// Up to MAX_OUTSTANDING bursts are in flight (AR issued, last R beat not yet taken); commands
// queue back to back, so consecutive commands stream without a bubble. Every command ends in one
// status entry (sts_*, in command order): 0 OK, 2/3 = first SLVERR/DECERR response of the
// command, 4..7 = rejected command (see axi_dma_burst); a rejected command issues no AXI
// traffic and outputs no beat. A command with error responses still delivers exactly
// length/16 beats with tlast (the beats are counted here; RLAST and RID are not relied on, one
// fixed ARID is used so R data returns in order). err_o is sticky until clear_i.
// RREADY is low only while the output stream or (on a command's last beat) the status FIFO is
// full. Counters (wrap around, cleared by clear_i): busy cycles (a command is in progress),
// R beats, stall cycles (busy without an R beat).
module axi_dma_rd #(
  parameter int unsigned ADDR_W          = 40,
  parameter int unsigned ID_W            = 4,
  parameter int unsigned AXI_ID          = 0,
  parameter int unsigned LEN_W           = 32,
  parameter int unsigned MAX_LEN         = 1048576,
  parameter int unsigned MAX_BURST       = 16,
  parameter int unsigned MAX_OUTSTANDING = 8,
  parameter int unsigned CNT_W           = 32
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic              clear_i,
  // command
  input  logic              cmd_valid_i,
  output logic              cmd_ready_o,
  input  logic [ADDR_W-1:0] cmd_addr_i,
  input  logic [LEN_W-1:0]  cmd_len_i,
  // status (one per command, in order)
  output logic              sts_valid_o,
  input  logic              sts_ready_i,
  output logic [2:0]        sts_code_o,
  // data out
  output logic [127:0]      m_axis_tdata_o,
  output logic              m_axis_tvalid_o,
  input  logic              m_axis_tready_i,
  output logic              m_axis_tlast_o,
  output logic              m_axis_tuser_o,
  // AXI4 read master
  output logic [ID_W-1:0]   m_axi_arid_o,
  output logic [ADDR_W-1:0] m_axi_araddr_o,
  output logic [7:0]        m_axi_arlen_o,
  output logic [2:0]        m_axi_arsize_o,
  output logic [1:0]        m_axi_arburst_o,
  output logic [3:0]        m_axi_arcache_o,
  output logic [2:0]        m_axi_arprot_o,
  output logic              m_axi_arvalid_o,
  input  logic              m_axi_arready_i,
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic [ID_W-1:0]   m_axi_rid_i,    // single ARID: R returns in order
  input  logic              m_axi_rlast_i,  // beats are counted from ARLEN
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [127:0]      m_axi_rdata_i,
  input  logic [1:0]        m_axi_rresp_i,
  input  logic              m_axi_rvalid_i,
  output logic              m_axi_rready_o,
  // status and counters
  output logic              busy_o,
  output logic              err_o,
  output logic [CNT_W-1:0]  cnt_busy_o,
  output logic [CNT_W-1:0]  cnt_beats_o,
  output logic [CNT_W-1:0]  cnt_stall_o
);
  if (MAX_OUTSTANDING < 1 || MAX_OUTSTANDING > 256 || ID_W < 1 || ID_W > 16 ||
      AXI_ID >= (32'd1 << ID_W) || CNT_W < 8 || CNT_W > 64) begin : g_bad_param
    $fatal(1, "axi_dma_rd: MAX_OUTSTANDING=%0d (1..256), ID_W=%0d (1..16), AXI_ID=%0d (< 2^ID_W), CNT_W=%0d (8..64)",
           MAX_OUTSTANDING, ID_W, AXI_ID, CNT_W);
  end

  // ------------------------------------------------------------------ AR: burst generator
  logic       info_push, info_reject, info_last, info_space, gen_busy;
  logic [2:0] info_code;
  logic [7:0] info_lenm1;

  axi_dma_burst #(
    .ADDR_W(ADDR_W), .LEN_W(LEN_W), .MAX_LEN(MAX_LEN), .MAX_BURST(MAX_BURST)
  ) u_burst (
    .clk_i,
    .rst_ni,
    .cmd_valid_i,
    .cmd_ready_o,
    .cmd_addr_i,
    .cmd_len_i,
    .ax_valid_o    (m_axi_arvalid_o),
    .ax_ready_i    (m_axi_arready_i),
    .ax_addr_o     (m_axi_araddr_o),
    .ax_len_o      (m_axi_arlen_o),
    .info_push_o   (info_push),
    .info_reject_o (info_reject),
    .info_code_o   (info_code),
    .info_last_o   (info_last),
    .info_lenm1_o  (info_lenm1),
    .info_space_i  (info_space),
    .busy_o        (gen_busy)
  );

  assign m_axi_arid_o    = ID_W'(AXI_ID);
  assign m_axi_arsize_o  = 3'd4;     // 16-byte beats
  assign m_axi_arburst_o = 2'b01;    // INCR
  assign m_axi_arcache_o = 4'b0011;  // normal, non-cacheable, bufferable
  assign m_axi_arprot_o  = 3'b000;

  // ------------------------------------------------------------------ bursts in flight
  // {reject, code[2:0], last, lenm1[7:0]}
  logic        bq_full, bq_empty, bq_pop;
  logic        h_reject, h_last;
  logic [2:0]  h_code;
  logic [7:0]  h_lenm1;

  axi_dma_fifo #(.WIDTH(13), .DEPTH(MAX_OUTSTANDING)) u_bq (
    .clk_i,
    .rst_ni,
    .push_i  (info_push),
    .wdata_i ({info_reject, info_code, info_last, info_lenm1}),
    .pop_i   (bq_pop),
    .rdata_o ({h_reject, h_code, h_last, h_lenm1}),
    .full_o  (bq_full),
    .empty_o (bq_empty)
  );
  assign info_space = !bq_full;

  // ------------------------------------------------------------------ R side
  logic       out_full, out_empty, sts_full, sts_empty;
  logic [7:0] rcnt_q;
  logic [1:0] cmd_err_q, err_now;
  logic       beat_last_burst, beat_last_cmd, r_take, r_fire, rej_fire, sts_push;
  logic [2:0] sts_code;

  assign beat_last_burst = (rcnt_q == h_lenm1);
  assign beat_last_cmd   = beat_last_burst && h_last;
  assign r_take   = !bq_empty && !h_reject && !out_full && (!beat_last_cmd || !sts_full);
  assign r_fire   = m_axi_rvalid_i && r_take;
  assign rej_fire = !bq_empty && h_reject && !sts_full;
  assign bq_pop   = (r_fire && beat_last_burst) || rej_fire;
  assign m_axi_rready_o = r_take;

  // first error response of the command (00 = none); EXOKAY counts as OK
  assign err_now  = (cmd_err_q != 2'b00) ? cmd_err_q :
                    (m_axi_rresp_i[1] ? m_axi_rresp_i : 2'b00);
  assign sts_push = (r_fire && beat_last_cmd) || rej_fire;
  assign sts_code = rej_fire ? h_code : {1'b0, err_now};

  axi_dma_fifo #(.WIDTH(130), .DEPTH(2)) u_out (
    .clk_i,
    .rst_ni,
    .push_i  (r_fire),
    .wdata_i ({m_axi_rresp_i[1], beat_last_cmd, m_axi_rdata_i}),
    .pop_i   (m_axis_tready_i),
    .rdata_o ({m_axis_tuser_o, m_axis_tlast_o, m_axis_tdata_o}),
    .full_o  (out_full),
    .empty_o (out_empty)
  );
  assign m_axis_tvalid_o = !out_empty;

  axi_dma_fifo #(.WIDTH(3), .DEPTH(2)) u_sts (
    .clk_i,
    .rst_ni,
    .push_i  (sts_push),
    .wdata_i (sts_code),
    .pop_i   (sts_ready_i),
    .rdata_o (sts_code_o),
    .full_o  (sts_full),
    .empty_o (sts_empty)
  );
  assign sts_valid_o = !sts_empty;

  // ------------------------------------------------------------------ state, counters
  logic             err_q;
  logic [CNT_W-1:0] cnt_busy_q, cnt_beats_q, cnt_stall_q;

  assign busy_o = gen_busy || !bq_empty || !out_empty;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rcnt_q      <= '0;
      cmd_err_q   <= 2'b00;
      err_q       <= 1'b0;
      cnt_busy_q  <= '0;
      cnt_beats_q <= '0;
      cnt_stall_q <= '0;
    end else begin
      if (r_fire) begin
        rcnt_q    <= beat_last_burst ? 8'd0 : rcnt_q + 8'd1;
        cmd_err_q <= beat_last_cmd ? 2'b00 : err_now;
      end
      if (clear_i) begin
        err_q       <= 1'b0;
        cnt_busy_q  <= '0;
        cnt_beats_q <= '0;
        cnt_stall_q <= '0;
      end else begin
        if (sts_push && sts_code != 3'd0) err_q <= 1'b1;
        if (busy_o)            cnt_busy_q  <= cnt_busy_q + 1'b1;
        if (r_fire)            cnt_beats_q <= cnt_beats_q + 1'b1;
        if (busy_o && !r_fire) cnt_stall_q <= cnt_stall_q + 1'b1;
      end
    end
  end

  assign err_o       = err_q;
  assign cnt_busy_o  = cnt_busy_q;
  assign cnt_beats_o = cnt_beats_q;
  assign cnt_stall_o = cnt_stall_q;
endmodule
