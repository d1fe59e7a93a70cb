// AXI4 write DMA: (address, byte length) commands + a stream of 128-bit beats -> INCR bursts on
// AW/W/B, one status entry per command after its last B response.
//
// Each command consumes exactly length/16 input beats (the command, not a tlast, delimits the
// data); WSTRB is all ones. Up to MAX_OUTSTANDING bursts are in flight (AW issued, B not yet
// taken). W data may lead its AW (allowed by AXI: the master does not wait for AWREADY).
// Status codes as axi_dma_rd: 0 OK, 2/3 = first SLVERR/DECERR of the command's B responses,
// 4..7 = rejected command (no AXI traffic and no input beat consumed). A command whose bursts
// answer errors still consumes all its input beats and completes. err_o is sticky until
// clear_i. Counters: busy cycles, W beats, stall cycles (busy without a W beat).
module axi_dma_wr #(
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
  // data in
  input  logic [127:0]      s_axis_tdata_i,
  input  logic              s_axis_tvalid_i,
  output logic              s_axis_tready_o,
  // AXI4 write master
  output logic [ID_W-1:0]   m_axi_awid_o,
  output logic [ADDR_W-1:0] m_axi_awaddr_o,
  output logic [7:0]        m_axi_awlen_o,
  output logic [2:0]        m_axi_awsize_o,
  output logic [1:0]        m_axi_awburst_o,
  output logic [3:0]        m_axi_awcache_o,
  output logic [2:0]        m_axi_awprot_o,
  output logic              m_axi_awvalid_o,
  input  logic              m_axi_awready_i,
  output logic [127:0]      m_axi_wdata_o,
  output logic [15:0]       m_axi_wstrb_o,
  output logic              m_axi_wlast_o,
  output logic              m_axi_wvalid_o,
  input  logic              m_axi_wready_i,
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic [ID_W-1:0]   m_axi_bid_i,    // single AWID: B returns in order
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [1:0]        m_axi_bresp_i,
  input  logic              m_axi_bvalid_i,
  output logic              m_axi_bready_o,
  // status and counters
  output logic              busy_o,
  output logic              err_o,
  output logic [CNT_W-1:0]  cnt_busy_o,
  output logic [CNT_W-1:0]  cnt_beats_o,
  output logic [CNT_W-1:0]  cnt_stall_o
);
  if (MAX_OUTSTANDING < 1 || MAX_OUTSTANDING > 256 || ID_W < 1 || ID_W > 16 ||
      AXI_ID >= (32'd1 << ID_W) || CNT_W < 8 || CNT_W > 64) begin : g_bad_param
    $fatal(1, "axi_dma_wr: MAX_OUTSTANDING=%0d (1..256), ID_W=%0d (1..16), AXI_ID=%0d (< 2^ID_W), CNT_W=%0d (8..64)",
           MAX_OUTSTANDING, ID_W, AXI_ID, CNT_W);
  end

  // ------------------------------------------------------------------ AW: burst generator
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
    .ax_valid_o    (m_axi_awvalid_o),
    .ax_ready_i    (m_axi_awready_i),
    .ax_addr_o     (m_axi_awaddr_o),
    .ax_len_o      (m_axi_awlen_o),
    .info_push_o   (info_push),
    .info_reject_o (info_reject),
    .info_code_o   (info_code),
    .info_last_o   (info_last),
    .info_lenm1_o  (info_lenm1),
    .info_space_i  (info_space),
    .busy_o        (gen_busy)
  );

  assign m_axi_awid_o    = ID_W'(AXI_ID);
  assign m_axi_awsize_o  = 3'd4;     // 16-byte beats
  assign m_axi_awburst_o = 2'b01;    // INCR
  assign m_axi_awcache_o = 4'b0011;  // normal, non-cacheable, bufferable
  assign m_axi_awprot_o  = 3'b000;

  // ------------------------------------------------------------------ burst queues
  // W side: beats - 1 of each issued burst; B side: {reject, code, last} of every entry
  logic       wq_full, wq_empty, wq_pop, bq_full, bq_empty, bq_pop;
  logic [7:0] w_lenm1;
  logic       b_reject, b_last;
  logic [2:0] b_code;

  axi_dma_fifo #(.WIDTH(8), .DEPTH(MAX_OUTSTANDING)) u_wq (
    .clk_i,
    .rst_ni,
    .push_i  (info_push && !info_reject),
    .wdata_i (info_lenm1),
    .pop_i   (wq_pop),
    .rdata_o (w_lenm1),
    .full_o  (wq_full),
    .empty_o (wq_empty)
  );

  axi_dma_fifo #(.WIDTH(5), .DEPTH(MAX_OUTSTANDING)) u_bq (
    .clk_i,
    .rst_ni,
    .push_i  (info_push),
    .wdata_i ({info_reject, info_code, info_last}),
    .pop_i   (bq_pop),
    .rdata_o ({b_reject, b_code, b_last}),
    .full_o  (bq_full),
    .empty_o (bq_empty)
  );
  assign info_space = !wq_full && !bq_full;

  // ------------------------------------------------------------------ W side
  logic       wf_full, wf_empty, in_take, in_fire, wbeat_last, w_fire;
  logic [7:0] wcnt_q;

  assign wbeat_last      = (wcnt_q == w_lenm1);
  assign in_take         = !wq_empty && !wf_full;
  assign in_fire         = s_axis_tvalid_i && in_take;
  assign s_axis_tready_o = in_take;
  assign wq_pop          = in_fire && wbeat_last;

  axi_dma_fifo #(.WIDTH(129), .DEPTH(2)) u_wf (
    .clk_i,
    .rst_ni,
    .push_i  (in_fire),
    .wdata_i ({wbeat_last, s_axis_tdata_i}),
    .pop_i   (m_axi_wready_i),
    .rdata_o ({m_axi_wlast_o, m_axi_wdata_o}),
    .full_o  (wf_full),
    .empty_o (wf_empty)
  );
  assign m_axi_wvalid_o = !wf_empty;
  assign m_axi_wstrb_o  = '1;
  assign w_fire         = m_axi_wvalid_o && m_axi_wready_i;

  // ------------------------------------------------------------------ B side
  logic       sts_full, sts_empty, b_take, b_fire, rej_fire, sts_push;
  logic [1:0] cmd_err_q, err_now;
  logic [2:0] sts_code;

  assign b_take   = !bq_empty && !b_reject && (!b_last || !sts_full);
  assign b_fire   = m_axi_bvalid_i && b_take;
  assign rej_fire = !bq_empty && b_reject && !sts_full;
  assign bq_pop   = b_fire || rej_fire;
  assign m_axi_bready_o = b_take;

  assign err_now  = (cmd_err_q != 2'b00) ? cmd_err_q :
                    (m_axi_bresp_i[1] ? m_axi_bresp_i : 2'b00);
  assign sts_push = (b_fire && b_last) || rej_fire;
  assign sts_code = rej_fire ? b_code : {1'b0, err_now};

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

  assign busy_o = gen_busy || !bq_empty || !wf_empty;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wcnt_q      <= '0;
      cmd_err_q   <= 2'b00;
      err_q       <= 1'b0;
      cnt_busy_q  <= '0;
      cnt_beats_q <= '0;
      cnt_stall_q <= '0;
    end else begin
      if (in_fire) wcnt_q <= wbeat_last ? 8'd0 : wcnt_q + 8'd1;
      if (b_fire)  cmd_err_q <= b_last ? 2'b00 : err_now;
      if (clear_i) begin
        err_q       <= 1'b0;
        cnt_busy_q  <= '0;
        cnt_beats_q <= '0;
        cnt_stall_q <= '0;
      end else begin
        if (sts_push && sts_code != 3'd0) err_q <= 1'b1;
        if (busy_o)            cnt_busy_q  <= cnt_busy_q + 1'b1;
        if (w_fire)            cnt_beats_q <= cnt_beats_q + 1'b1;
        if (busy_o && !w_fire) cnt_stall_q <= cnt_stall_q + 1'b1;
      end
    end
  end

  assign err_o       = err_q;
  assign cnt_busy_o  = cnt_busy_q;
  assign cnt_beats_o = cnt_beats_q;
  assign cnt_stall_o = cnt_stall_q;
endmodule
