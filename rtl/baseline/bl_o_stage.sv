// Static baseline (docs/baseline.md): the O path of TeLLMe's uniform port map. Every O row the
// attention engine produces is written to a DDR staging area over HP3 and read back over HP3
// before it leaves on the O stream to the static side.
//
//   engine O row r (tuser r) --> axi_dma (W, HP3) --> DDR [base + r*HEAD_DIM*4]
//   DDR --> axi_dma (R, HP3, after the row's B response) --> m_o (tuser r, tlast on the row end)
//
// * One write command per row (HEAD_DIM*4 bytes), issued when the row's first beat is offered;
//   rows are framed by counting HEAD_DIM/4 beats (the engine's tlast is not needed). The row
//   index travels in a tag ring (TAG_DEPTH rows between write command and last output beat).
// * A row is read back once its write status has returned (never before its data is in DDR);
//   rows leave in the order they were produced, with their own index in tuser.
// * Any non-OK DMA status sets axi_err_o (RmErrAxi), cleared by start_i; rows still flow.
module bl_o_stage #(
  parameter int unsigned HEAD_DIM        = 16,
  parameter int unsigned MAX_OUTSTANDING = 8,     // HP3 bursts in flight per direction
  parameter int unsigned TAG_DEPTH       = 8      // rows in flight through the staging area
) (
  input  logic                          clk_i,
  input  logic                          rst_ni,
  input  logic                          start_i,
  input  logic [rp_pkg::AxiAddrW-1:0]   base_i,
  output logic                          axi_err_o,
  output logic                          idle_o,
  // O rows from the engine
  input  logic [127:0]                  s_o_tdata_i,
  input  logic [rp_pkg::RowIdxW-1:0]    s_o_tuser_i,
  input  logic                          s_o_tlast_i,
  input  logic                          s_o_tvalid_i,
  output logic                          s_o_tready_o,
  // O rows to the static side
  output logic [127:0]                  m_o_tdata_o,
  output logic [rp_pkg::RowIdxW-1:0]    m_o_tuser_o,
  output logic                          m_o_tlast_o,
  output logic                          m_o_tvalid_o,
  input  logic                          m_o_tready_i,
  // AXI4 master (HP3)
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
  localparam int unsigned AW   = rp_pkg::AxiAddrW;
  localparam int unsigned IW   = rp_pkg::AxiIdW;
  localparam int unsigned UW   = rp_pkg::RowIdxW;
  localparam int unsigned OB   = HEAD_DIM / 4;                 // beats per O row
  localparam int unsigned OBW  = $clog2(OB);
  localparam int unsigned RowB = HEAD_DIM * 4;                 // bytes per O row
  localparam int unsigned TPW  = $clog2(TAG_DEPTH);
  localparam logic [OBW-1:0] LastBeat = OBW'(OB - 1);

  if (HEAD_DIM < 16 || HEAD_DIM > 256 || HEAD_DIM % 16 != 0) begin : g_bad_dim
    $fatal(1, "bl_o_stage: HEAD_DIM=%0d must be a multiple of 16 in [16, 256]", HEAD_DIM);
  end
  if (TAG_DEPTH < 2 || TAG_DEPTH > 256 || (TAG_DEPTH & (TAG_DEPTH - 1)) != 0) begin : g_bad_tags
    $fatal(1, "bl_o_stage: TAG_DEPTH=%0d must be a power of two in [2, 256]", TAG_DEPTH);
  end

  // tag ring: wp (write command issued) >= sp (write status back) >= rp (read command issued)
  // >= op (row left on m_o); pointers carry one wrap bit
  logic [UW-1:0]    tag_q [TAG_DEPTH];
  logic [TPW:0]     wp_q, sp_q, rp_q, op_q;
  logic [OBW-1:0]   in_beat_q;
  logic             wcmd_done_q, aerr_q;

  logic             wc_valid, wc_ready, ws_valid, w_tvalid, w_tready, ring_full;
  logic             rc_valid, rc_ready, rs_valid, r_tvalid, r_tready, r_tlast, r_tuser;
  logic [2:0]       ws_code, rs_code;
  logic [127:0]     r_tdata;
  logic [AW-1:0]    wc_addr, rc_addr;
  logic             rd_busy, wr_busy, in_fire, out_fire;

  assign ring_full = (wp_q - op_q) == (TPW + 1)'(TAG_DEPTH);
  assign wc_valid  = s_o_tvalid_i && (in_beat_q == '0) && !wcmd_done_q && !ring_full;
  assign wc_addr   = base_i + AW'(s_o_tuser_i) * AW'(RowB);
  assign w_tvalid  = s_o_tvalid_i && wcmd_done_q;
  assign s_o_tready_o = wcmd_done_q && w_tready;
  assign in_fire   = s_o_tvalid_i && s_o_tready_o;
  assign rc_valid  = (rp_q != sp_q);
  assign rc_addr   = base_i + AW'(tag_q[rp_q[TPW-1:0]]) * AW'(RowB);

  assign m_o_tdata_o  = r_tdata;
  assign m_o_tuser_o  = tag_q[op_q[TPW-1:0]];
  assign m_o_tlast_o  = r_tlast;
  assign m_o_tvalid_o = r_tvalid;
  assign r_tready     = m_o_tready_i;
  assign out_fire     = r_tvalid && m_o_tready_i;

  /* verilator lint_off PINCONNECTEMPTY */
  axi_dma #(
    .ADDR_W(AW), .ID_W(IW), .RD_ID(0), .WR_ID(0), .LEN_W(32), .MAX_LEN(RowB),
    .MAX_BURST(16), .MAX_OUTSTANDING(MAX_OUTSTANDING), .CNT_W(8)
  ) u_dma (
    .clk_i,
    .rst_ni,
    .clear_i         (start_i),
    .rd_cmd_valid_i  (rc_valid),
    .rd_cmd_ready_o  (rc_ready),
    .rd_cmd_addr_i   (rc_addr),
    .rd_cmd_len_i    (32'(RowB)),
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
    .wr_cmd_len_i    (32'(RowB)),
    .wr_sts_valid_o  (ws_valid),
    .wr_sts_ready_i  (1'b1),
    .wr_sts_code_o   (ws_code),
    .s_axis_tdata_i  (s_o_tdata_i),
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

  always_ff @(posedge clk_i) begin
    if (wc_valid && wc_ready) tag_q[wp_q[TPW-1:0]] <= s_o_tuser_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wp_q        <= '0;
      sp_q        <= '0;
      rp_q        <= '0;
      op_q        <= '0;
      in_beat_q   <= '0;
      wcmd_done_q <= 1'b0;
      aerr_q      <= 1'b0;
    end else begin
      if (wc_valid && wc_ready) begin
        wp_q        <= wp_q + 1'b1;
        wcmd_done_q <= 1'b1;
      end
      if (in_fire) begin
        in_beat_q <= (in_beat_q == LastBeat) ? '0 : in_beat_q + 1'b1;
        if (in_beat_q == LastBeat) wcmd_done_q <= 1'b0;
      end
      if (ws_valid) sp_q <= sp_q + 1'b1;
      if (rc_valid && rc_ready) rp_q <= rp_q + 1'b1;
      if (out_fire && r_tlast) op_q <= op_q + 1'b1;
      if (start_i) aerr_q <= 1'b0;
      else if ((ws_valid && ws_code != 3'd0) || (rs_valid && rs_code != 3'd0)) aerr_q <= 1'b1;
    end
  end

  assign axi_err_o = aerr_q;
  assign idle_o    = (wp_q == op_q) && !wcmd_done_q && !rd_busy && !wr_busy;

  // rows are framed by counting; erroneous read beats are reported through the status
  logic unused;
  assign unused = ^{s_o_tlast_i, r_tuser};
endmodule
