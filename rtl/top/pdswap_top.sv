// PD-Swap accelerator top: static region + reconfigurable partition (RP wrapper with the prefill
// and decode RMs behind the portal and the decoupler) + configuration controller, on four AXI4 HP
// master ports, two AXI-Lite control ports and a 32-bit configuration port fed by the PCAP.
//
// HP0 is shared: the static region's DMA owns it while a DMA command (LOAD_*, EMBED, FINAL,
// STORE_H) runs, the RP otherwise. Both never move data at the same time (commands are
// sequential and the RP is idle or decoupled outside ATT), so the mux switches between whole
// transfers; the side that does not own HP0 sees an idle port.
module pdswap_top #(
  parameter int unsigned D            = 64,
  parameter int unsigned F            = 128,
  parameter int unsigned N_HEADS      = 4,
  parameter int unsigned HEAD_DIM     = 16,
  parameter int unsigned N_LAYERS     = 2,
  parameter int unsigned MAX_ROWS     = 256,
  parameter int unsigned MAX_CTX      = 256,
  parameter int unsigned WDEPTH       = 2048,
  parameter int unsigned G_WORDS      = 256,
  parameter int unsigned RM_SET       = 1,       // 0: stand-in RMs, 1: rm_prefill + rm_decode
  parameter int unsigned CFG_MAX_BYTES = 1 << 20,
  parameter int unsigned RESET_CYCLES = 16
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  // AXI-Lite: static region registers
  input  logic [7:0]                 s_axil_sr_awaddr_i,
  input  logic [2:0]                 s_axil_sr_awprot_i,
  input  logic                       s_axil_sr_awvalid_i,
  output logic                       s_axil_sr_awready_o,
  input  logic [31:0]                s_axil_sr_wdata_i,
  input  logic [3:0]                 s_axil_sr_wstrb_i,
  input  logic                       s_axil_sr_wvalid_i,
  output logic                       s_axil_sr_wready_o,
  output logic [1:0]                 s_axil_sr_bresp_o,
  output logic                       s_axil_sr_bvalid_o,
  input  logic                       s_axil_sr_bready_i,
  input  logic [7:0]                 s_axil_sr_araddr_i,
  input  logic [2:0]                 s_axil_sr_arprot_i,
  input  logic                       s_axil_sr_arvalid_i,
  output logic                       s_axil_sr_arready_o,
  output logic [31:0]                s_axil_sr_rdata_o,
  output logic [1:0]                 s_axil_sr_rresp_o,
  output logic                       s_axil_sr_rvalid_o,
  input  logic                       s_axil_sr_rready_i,
  // AXI-Lite: configuration controller registers
  input  logic [6:0]                 s_axil_cfg_awaddr_i,
  input  logic [2:0]                 s_axil_cfg_awprot_i,
  input  logic                       s_axil_cfg_awvalid_i,
  output logic                       s_axil_cfg_awready_o,
  input  logic [31:0]                s_axil_cfg_wdata_i,
  input  logic [3:0]                 s_axil_cfg_wstrb_i,
  input  logic                       s_axil_cfg_wvalid_i,
  output logic                       s_axil_cfg_wready_o,
  output logic [1:0]                 s_axil_cfg_bresp_o,
  output logic                       s_axil_cfg_bvalid_o,
  input  logic                       s_axil_cfg_bready_i,
  input  logic [6:0]                 s_axil_cfg_araddr_i,
  input  logic [2:0]                 s_axil_cfg_arprot_i,
  input  logic                       s_axil_cfg_arvalid_i,
  output logic                       s_axil_cfg_arready_o,
  output logic [31:0]                s_axil_cfg_rdata_o,
  output logic [1:0]                 s_axil_cfg_rresp_o,
  output logic                       s_axil_cfg_rvalid_o,
  input  logic                       s_axil_cfg_rready_i,
  // configuration port (PCAP)
  input  logic [31:0]                s_cfg_tdata_i,
  input  logic                       s_cfg_tvalid_i,
  output logic                       s_cfg_tready_o,
  input  logic                       s_cfg_tlast_i,
  // 4 x AXI4 HP masters (flattened, port p at [p*W +: W])
  output rp_pkg::hp_m2s_t            hp_o,
  input  rp_pkg::hp_s2m_t            hp_i,
  // observability (testbench, waveforms)
  output logic                       sr_busy_o,
  output logic [3:0]                 sr_cmd_o,
  output logic                       decouple_o,
  output logic                       reconfiguring_o,
  output logic [7:0]                 rm_sel_o,
  // simulation-only garbage injection into the RM outputs (tie to 0 outside testbenches)
  input  logic                       inject_i,
  input  logic [1:0]                 inject_mode_i,
  input  logic [31:0]                inject_seed_i
);
  rp_pkg::rp_in_t  sr_rp;        // static side of the boundary (no HP ports)
  rp_pkg::rp_out_t rp_out;       // RP outputs after the decoupler
  rp_pkg::rp_in_t  rp_in;        // RP inputs before the decoupler
  logic            rp_decoupled, swap_pending, shutdown_req, shutdown_ack, rm_reset, rm_busy;
  logic            sr_dma_active;
  logic            sr_done;        // (the host sees done through STATUS)

  // static DMA master
  logic [3:0]   sd_awid, sd_arid;
  logic [39:0]  sd_awaddr, sd_araddr;
  logic [7:0]   sd_awlen, sd_arlen;
  logic [2:0]   sd_awsize, sd_arsize;
  logic [1:0]   sd_awburst, sd_arburst;
  logic         sd_awvalid, sd_wvalid, sd_wlast, sd_bready, sd_arvalid, sd_rready;
  logic [127:0] sd_wdata;
  logic [15:0]  sd_wstrb;

  static_region #(
    .D(D), .F(F), .N_HEADS(N_HEADS), .HEAD_DIM(HEAD_DIM), .N_LAYERS(N_LAYERS),
    .MAX_ROWS(MAX_ROWS), .MAX_CTX(MAX_CTX), .WDEPTH(WDEPTH), .G_WORDS(G_WORDS)
  ) u_sr (
    .clk_i, .rst_ni,
    .s_axil_awaddr_i(s_axil_sr_awaddr_i), .s_axil_awprot_i(s_axil_sr_awprot_i),
    .s_axil_awvalid_i(s_axil_sr_awvalid_i), .s_axil_awready_o(s_axil_sr_awready_o),
    .s_axil_wdata_i(s_axil_sr_wdata_i), .s_axil_wstrb_i(s_axil_sr_wstrb_i),
    .s_axil_wvalid_i(s_axil_sr_wvalid_i), .s_axil_wready_o(s_axil_sr_wready_o),
    .s_axil_bresp_o(s_axil_sr_bresp_o), .s_axil_bvalid_o(s_axil_sr_bvalid_o),
    .s_axil_bready_i(s_axil_sr_bready_i),
    .s_axil_araddr_i(s_axil_sr_araddr_i), .s_axil_arprot_i(s_axil_sr_arprot_i),
    .s_axil_arvalid_i(s_axil_sr_arvalid_i), .s_axil_arready_o(s_axil_sr_arready_o),
    .s_axil_rdata_o(s_axil_sr_rdata_o), .s_axil_rresp_o(s_axil_sr_rresp_o),
    .s_axil_rvalid_o(s_axil_sr_rvalid_o), .s_axil_rready_i(s_axil_sr_rready_i),
    .m_axi_awid_o(sd_awid), .m_axi_awaddr_o(sd_awaddr), .m_axi_awlen_o(sd_awlen),
    .m_axi_awsize_o(sd_awsize), .m_axi_awburst_o(sd_awburst), .m_axi_awvalid_o(sd_awvalid),
    .m_axi_awready_i(sr_dma_active && hp_i.awready[0]),
    .m_axi_wdata_o(sd_wdata), .m_axi_wstrb_o(sd_wstrb), .m_axi_wlast_o(sd_wlast),
    .m_axi_wvalid_o(sd_wvalid), .m_axi_wready_i(sr_dma_active && hp_i.wready[0]),
    .m_axi_bid_i(hp_i.bid[3:0]), .m_axi_bresp_i(hp_i.bresp[1:0]),
    .m_axi_bvalid_i(sr_dma_active && hp_i.bvalid[0]), .m_axi_bready_o(sd_bready),
    .m_axi_arid_o(sd_arid), .m_axi_araddr_o(sd_araddr), .m_axi_arlen_o(sd_arlen),
    .m_axi_arsize_o(sd_arsize), .m_axi_arburst_o(sd_arburst), .m_axi_arvalid_o(sd_arvalid),
    .m_axi_arready_i(sr_dma_active && hp_i.arready[0]),
    .m_axi_rid_i(hp_i.rid[3:0]), .m_axi_rdata_i(hp_i.rdata[127:0]),
    .m_axi_rresp_i(hp_i.rresp[1:0]), .m_axi_rlast_i(hp_i.rlast[0]),
    .m_axi_rvalid_i(sr_dma_active && hp_i.rvalid[0]), .m_axi_rready_o(sd_rready),
    .dma_active_o(sr_dma_active),
    .rp_o(sr_rp), .rp_i(rp_out), .rp_decoupled_i(rp_decoupled), .rp_swap_pending_i(swap_pending),
    .busy_o(sr_busy_o), .done_o(sr_done), .cmd_o(sr_cmd_o)
  );

  // ------------------------------------------------------------------ RP inputs: static side + DDR
  always_comb begin
    rp_in     = sr_rp;
    rp_in.axi = hp_i;
    if (sr_dma_active) begin     // HP0 belongs to the static DMA: the RP sees an idle port
      rp_in.axi.awready[0] = 1'b0;
      rp_in.axi.wready[0]  = 1'b0;
      rp_in.axi.bvalid[0]  = 1'b0;
      rp_in.axi.arready[0] = 1'b0;
      rp_in.axi.rvalid[0]  = 1'b0;
    end
  end

  // ------------------------------------------------------------------ HP outputs
  always_comb begin
    hp_o = rp_out.axi;
    if (sr_dma_active) begin
      hp_o.awid[3:0]     = sd_awid;
      hp_o.awaddr[39:0]  = sd_awaddr;
      hp_o.awlen[7:0]    = sd_awlen;
      hp_o.awsize[2:0]   = sd_awsize;
      hp_o.awburst[1:0]  = sd_awburst;
      hp_o.awvalid[0]    = sd_awvalid;
      hp_o.wdata[127:0]  = sd_wdata;
      hp_o.wstrb[15:0]   = sd_wstrb;
      hp_o.wlast[0]      = sd_wlast;
      hp_o.wvalid[0]     = sd_wvalid;
      hp_o.bready[0]     = sd_bready;
      hp_o.arid[3:0]     = sd_arid;
      hp_o.araddr[39:0]  = sd_araddr;
      hp_o.arlen[7:0]    = sd_arlen;
      hp_o.arsize[2:0]   = sd_arsize;
      hp_o.arburst[1:0]  = sd_arburst;
      hp_o.arvalid[0]    = sd_arvalid;
      hp_o.rready[0]     = sd_rready;
    end
  end

  // ------------------------------------------------------------------ reconfigurable partition
  rp_wrapper #(
    .RM_SET(RM_SET), .HEAD_DIM(HEAD_DIM), .MAX_CTX(MAX_CTX)
  ) u_rp (
    .clk_i, .rst_ni,
    .rm_sel_i(rm_sel_o), .rm_reset_i(rm_reset), .decouple_i(decouple_o),
    .shutdown_req_i(shutdown_req), .shutdown_ack_o(shutdown_ack), .rm_busy_o(rm_busy),
    .decouple_status_o(rp_decoupled),
    .static_in_i(rp_in), .static_out_o(rp_out),
    .inject_i, .inject_mode_i, .inject_seed_i
  );

  rp_cfg_ctrl #(
    .RP_ID(0), .NUM_RM(2), .MAX_BYTES(CFG_MAX_BYTES), .RESET_CYCLES(RESET_CYCLES)
  ) u_cfg (
    .clk_i, .rst_ni,
    .s_axis_tdata_i(s_cfg_tdata_i), .s_axis_tvalid_i(s_cfg_tvalid_i),
    .s_axis_tready_o(s_cfg_tready_o), .s_axis_tlast_i(s_cfg_tlast_i),
    .s_axil_awaddr_i(s_axil_cfg_awaddr_i), .s_axil_awprot_i(s_axil_cfg_awprot_i),
    .s_axil_awvalid_i(s_axil_cfg_awvalid_i), .s_axil_awready_o(s_axil_cfg_awready_o),
    .s_axil_wdata_i(s_axil_cfg_wdata_i), .s_axil_wstrb_i(s_axil_cfg_wstrb_i),
    .s_axil_wvalid_i(s_axil_cfg_wvalid_i), .s_axil_wready_o(s_axil_cfg_wready_o),
    .s_axil_bresp_o(s_axil_cfg_bresp_o), .s_axil_bvalid_o(s_axil_cfg_bvalid_o),
    .s_axil_bready_i(s_axil_cfg_bready_i),
    .s_axil_araddr_i(s_axil_cfg_araddr_i), .s_axil_arprot_i(s_axil_cfg_arprot_i),
    .s_axil_arvalid_i(s_axil_cfg_arvalid_i), .s_axil_arready_o(s_axil_cfg_arready_o),
    .s_axil_rdata_o(s_axil_cfg_rdata_o), .s_axil_rresp_o(s_axil_cfg_rresp_o),
    .s_axil_rvalid_o(s_axil_cfg_rvalid_o), .s_axil_rready_i(s_axil_cfg_rready_i),
    .swap_pending_o(swap_pending), .shutdown_req_o(shutdown_req), .shutdown_ack_i(shutdown_ack),
    .decouple_o(decouple_o), .rm_reset_o(rm_reset), .rm_sel_o(rm_sel_o),
    .reconfiguring_o(reconfiguring_o), .rm_busy_i(rm_busy)
  );

  logic unused;
  assign unused = sr_done;
endmodule
