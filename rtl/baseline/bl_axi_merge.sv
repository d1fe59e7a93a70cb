// Static baseline (docs/baseline.md): two AXI4 masters onto one HP port, so that an engine built
// for two ports per tensor (rm_prefill: K on HP0 + HP1, V on HP2 + HP3) runs on the uniform port
// map of the baseline (K on HP1 only, V on HP2 only) without touching the engine.
//
// * Slave A is a full master (AW/W/B + AR/R), slave B a read-only master (its write channels
//   are not connected: rm_prefill's HP1 / HP3 never write).
// * AR: round-robin between A and B when both request, otherwise whoever requests. A presented
//   request is held until it is accepted (AXI: ARVALID and the address stay stable), so the
//   choice is locked while ARREADY is low. The merged ARID is {source, source ARID[IW-2:0]}:
//   the sources' own ids must fit IW-1 bits (both engines use id 0).
// * R: routed by RID[IW-1] (legal for any slave, in order or not across ids); the source sees
//   RID with the top bit cleared. RREADY is the addressed source's RREADY.
// * AW/W/B: straight from A.
// The merge adds no register stage on any path (the port keeps one beat per cycle).
module bl_axi_merge #(
  parameter int unsigned AW = 40,
  parameter int unsigned IW = 4
) (
  input  logic            clk_i,
  input  logic            rst_ni,
  // slave A: read + write
  input  logic [IW-1:0]   s_axi_a_awid_i,
  input  logic [AW-1:0]   s_axi_a_awaddr_i,
  input  logic [7:0]      s_axi_a_awlen_i,
  input  logic [2:0]      s_axi_a_awsize_i,
  input  logic [1:0]      s_axi_a_awburst_i,
  input  logic            s_axi_a_awvalid_i,
  output logic            s_axi_a_awready_o,
  input  logic [127:0]    s_axi_a_wdata_i,
  input  logic [15:0]     s_axi_a_wstrb_i,
  input  logic            s_axi_a_wlast_i,
  input  logic            s_axi_a_wvalid_i,
  output logic            s_axi_a_wready_o,
  output logic [IW-1:0]   s_axi_a_bid_o,
  output logic [1:0]      s_axi_a_bresp_o,
  output logic            s_axi_a_bvalid_o,
  input  logic            s_axi_a_bready_i,
  input  logic [IW-1:0]   s_axi_a_arid_i,
  input  logic [AW-1:0]   s_axi_a_araddr_i,
  input  logic [7:0]      s_axi_a_arlen_i,
  input  logic [2:0]      s_axi_a_arsize_i,
  input  logic [1:0]      s_axi_a_arburst_i,
  input  logic            s_axi_a_arvalid_i,
  output logic            s_axi_a_arready_o,
  output logic [IW-1:0]   s_axi_a_rid_o,
  output logic [127:0]    s_axi_a_rdata_o,
  output logic [1:0]      s_axi_a_rresp_o,
  output logic            s_axi_a_rlast_o,
  output logic            s_axi_a_rvalid_o,
  input  logic            s_axi_a_rready_i,
  // slave B: read only
  input  logic [IW-1:0]   s_axi_b_arid_i,
  input  logic [AW-1:0]   s_axi_b_araddr_i,
  input  logic [7:0]      s_axi_b_arlen_i,
  input  logic [2:0]      s_axi_b_arsize_i,
  input  logic [1:0]      s_axi_b_arburst_i,
  input  logic            s_axi_b_arvalid_i,
  output logic            s_axi_b_arready_o,
  output logic [IW-1:0]   s_axi_b_rid_o,
  output logic [127:0]    s_axi_b_rdata_o,
  output logic [1:0]      s_axi_b_rresp_o,
  output logic            s_axi_b_rlast_o,
  output logic            s_axi_b_rvalid_o,
  input  logic            s_axi_b_rready_i,
  // master: the HP port
  output logic [IW-1:0]   m_axi_awid_o,
  output logic [AW-1:0]   m_axi_awaddr_o,
  output logic [7:0]      m_axi_awlen_o,
  output logic [2:0]      m_axi_awsize_o,
  output logic [1:0]      m_axi_awburst_o,
  output logic            m_axi_awvalid_o,
  input  logic            m_axi_awready_i,
  output logic [127:0]    m_axi_wdata_o,
  output logic [15:0]     m_axi_wstrb_o,
  output logic            m_axi_wlast_o,
  output logic            m_axi_wvalid_o,
  input  logic            m_axi_wready_i,
  input  logic [IW-1:0]   m_axi_bid_i,
  input  logic [1:0]      m_axi_bresp_i,
  input  logic            m_axi_bvalid_i,
  output logic            m_axi_bready_o,
  output logic [IW-1:0]   m_axi_arid_o,
  output logic [AW-1:0]   m_axi_araddr_o,
  output logic [7:0]      m_axi_arlen_o,
  output logic [2:0]      m_axi_arsize_o,
  output logic [1:0]      m_axi_arburst_o,
  output logic            m_axi_arvalid_o,
  input  logic            m_axi_arready_i,
  input  logic [IW-1:0]   m_axi_rid_i,
  input  logic [127:0]    m_axi_rdata_i,
  input  logic [1:0]      m_axi_rresp_i,
  input  logic            m_axi_rlast_i,
  input  logic            m_axi_rvalid_i,
  output logic            m_axi_rready_o
);
  if (IW < 2 || IW > 16 || AW < 12 || AW > 64) begin : g_bad_param
    $fatal(1, "bl_axi_merge: IW=%0d must be in [2, 16] (one id bit names the source), AW=%0d in [12, 64]",
           IW, AW);
  end

  // ------------------------------------------------------------------ AW / W / B: source A
  assign m_axi_awid_o      = s_axi_a_awid_i;
  assign m_axi_awaddr_o    = s_axi_a_awaddr_i;
  assign m_axi_awlen_o     = s_axi_a_awlen_i;
  assign m_axi_awsize_o    = s_axi_a_awsize_i;
  assign m_axi_awburst_o   = s_axi_a_awburst_i;
  assign m_axi_awvalid_o   = s_axi_a_awvalid_i;
  assign s_axi_a_awready_o = m_axi_awready_i;
  assign m_axi_wdata_o     = s_axi_a_wdata_i;
  assign m_axi_wstrb_o     = s_axi_a_wstrb_i;
  assign m_axi_wlast_o     = s_axi_a_wlast_i;
  assign m_axi_wvalid_o    = s_axi_a_wvalid_i;
  assign s_axi_a_wready_o  = m_axi_wready_i;
  assign s_axi_a_bid_o     = m_axi_bid_i;
  assign s_axi_a_bresp_o   = m_axi_bresp_i;
  assign s_axi_a_bvalid_o  = m_axi_bvalid_i;
  assign m_axi_bready_o    = s_axi_a_bready_i;

  // ------------------------------------------------------------------ AR: round robin, locked
  logic lock_q, lsel_q, last_q;   // lsel / last: 0 = A, 1 = B
  logic pick, sel;
  always_comb begin
    if (s_axi_a_arvalid_i && s_axi_b_arvalid_i) pick = !last_q;
    else                                        pick = s_axi_b_arvalid_i;
    sel = lock_q ? lsel_q : pick;
  end

  assign m_axi_arvalid_o   = sel ? s_axi_b_arvalid_i : s_axi_a_arvalid_i;
  assign m_axi_araddr_o    = sel ? s_axi_b_araddr_i  : s_axi_a_araddr_i;
  assign m_axi_arlen_o     = sel ? s_axi_b_arlen_i   : s_axi_a_arlen_i;
  assign m_axi_arsize_o    = sel ? s_axi_b_arsize_i  : s_axi_a_arsize_i;
  assign m_axi_arburst_o   = sel ? s_axi_b_arburst_i : s_axi_a_arburst_i;
  assign m_axi_arid_o      = {sel, sel ? s_axi_b_arid_i[IW-2:0] : s_axi_a_arid_i[IW-2:0]};
  assign s_axi_a_arready_o = m_axi_arready_i && !sel;
  assign s_axi_b_arready_o = m_axi_arready_i && sel;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      lock_q <= 1'b0;
      lsel_q <= 1'b0;
      last_q <= 1'b1;
    end else if (m_axi_arvalid_o) begin
      if (m_axi_arready_i) begin
        lock_q <= 1'b0;
        last_q <= sel;
      end else begin
        lock_q <= 1'b1;
        lsel_q <= sel;
      end
    end
  end

  // ------------------------------------------------------------------ R: routed by RID[IW-1]
  logic rsrc;
  assign rsrc             = m_axi_rid_i[IW-1];
  assign s_axi_a_rid_o    = {1'b0, m_axi_rid_i[IW-2:0]};
  assign s_axi_b_rid_o    = {1'b0, m_axi_rid_i[IW-2:0]};
  assign s_axi_a_rdata_o  = m_axi_rdata_i;
  assign s_axi_b_rdata_o  = m_axi_rdata_i;
  assign s_axi_a_rresp_o  = m_axi_rresp_i;
  assign s_axi_b_rresp_o  = m_axi_rresp_i;
  assign s_axi_a_rlast_o  = m_axi_rlast_i;
  assign s_axi_b_rlast_o  = m_axi_rlast_i;
  assign s_axi_a_rvalid_o = m_axi_rvalid_i && !rsrc;
  assign s_axi_b_rvalid_o = m_axi_rvalid_i && rsrc;
  assign m_axi_rready_o   = rsrc ? s_axi_b_rready_i : s_axi_a_rready_i;

  // the top id bit of each source is replaced by the source bit
  logic unused;
  assign unused = ^{s_axi_a_arid_i[IW-1], s_axi_b_arid_i[IW-1]};
endmodule
