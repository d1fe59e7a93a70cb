// Port-less cocotb toplevel of the reconfiguration harness: the whole accelerator (pdswap_top:
// static region + RP wrapper with both RMs + configuration controller) with
//   * the flattened HP structs split into four named AXI4 port sets m_axi_hp0..3_* (HpMemory),
//   * the static region's and the controller's AXI-Lite ports (s_axil_sr_*, s_axil_cfg_*) and the
//     PCAP stream (s_cfg_t*),
//   * the garbage injector gated here: inject_i = inject_force_i | (inject_en_i & decouple_o),
//     so the harness injects during the whole decoupled window with no Python reaction latency,
//     and inject_force_i is the negative control "injector on while the decoupler is off",
//   * hp_guard_i: testbench firewall that hides the HP valids from the DDR model (used only by
//     the negative control, so garbage that leaks is observed by the checker instead of crashing
//     the memory model),
//   * mon_*: read-only taps on the portal, the decoupler and the controller (monitor, waves).
module tb_rp #(
  parameter int unsigned RM_SET        = 1,
  parameter int unsigned MAX_ROWS      = 64,
  parameter int unsigned CFG_MAX_BYTES = 4096,
  parameter int unsigned RESET_CYCLES  = 16
);
  localparam int unsigned NumHp = rp_pkg::NumHp;
  localparam int unsigned AW    = rp_pkg::AxiAddrW;
  localparam int unsigned IW    = rp_pkg::AxiIdW;

  logic clk_i, rst_ni;
  // AXI-Lite: static region
  logic [7:0]  s_axil_sr_awaddr_i, s_axil_sr_araddr_i;
  logic [2:0]  s_axil_sr_awprot_i, s_axil_sr_arprot_i;
  logic        s_axil_sr_awvalid_i, s_axil_sr_awready_o, s_axil_sr_wvalid_i, s_axil_sr_wready_o;
  logic [31:0] s_axil_sr_wdata_i, s_axil_sr_rdata_o;
  logic [3:0]  s_axil_sr_wstrb_i;
  logic [1:0]  s_axil_sr_bresp_o, s_axil_sr_rresp_o;
  logic        s_axil_sr_bvalid_o, s_axil_sr_bready_i, s_axil_sr_arvalid_i, s_axil_sr_arready_o;
  logic        s_axil_sr_rvalid_o, s_axil_sr_rready_i;
  // AXI-Lite: configuration controller
  logic [6:0]  s_axil_cfg_awaddr_i, s_axil_cfg_araddr_i;
  logic [2:0]  s_axil_cfg_awprot_i, s_axil_cfg_arprot_i;
  logic        s_axil_cfg_awvalid_i, s_axil_cfg_awready_o, s_axil_cfg_wvalid_i, s_axil_cfg_wready_o;
  logic [31:0] s_axil_cfg_wdata_i, s_axil_cfg_rdata_o;
  logic [3:0]  s_axil_cfg_wstrb_i;
  logic [1:0]  s_axil_cfg_bresp_o, s_axil_cfg_rresp_o;
  logic        s_axil_cfg_bvalid_o, s_axil_cfg_bready_i, s_axil_cfg_arvalid_i, s_axil_cfg_arready_o;
  logic        s_axil_cfg_rvalid_o, s_axil_cfg_rready_i;
  // PCAP
  logic [31:0] s_cfg_tdata_i;
  logic        s_cfg_tvalid_i, s_cfg_tready_o, s_cfg_tlast_i;
  // HP ports as structs (pdswap_top) and as four named AXI4 port sets (DDR model)
  rp_pkg::hp_m2s_t hp_o;
  rp_pkg::hp_s2m_t hp_i;
  logic [IW-1:0]  m_axi_hp0_awid_o, m_axi_hp1_awid_o, m_axi_hp2_awid_o, m_axi_hp3_awid_o;
  logic [AW-1:0]  m_axi_hp0_awaddr_o, m_axi_hp1_awaddr_o, m_axi_hp2_awaddr_o, m_axi_hp3_awaddr_o;
  logic [7:0]     m_axi_hp0_awlen_o, m_axi_hp1_awlen_o, m_axi_hp2_awlen_o, m_axi_hp3_awlen_o;
  logic [2:0]     m_axi_hp0_awsize_o, m_axi_hp1_awsize_o, m_axi_hp2_awsize_o, m_axi_hp3_awsize_o;
  logic [1:0]     m_axi_hp0_awburst_o, m_axi_hp1_awburst_o, m_axi_hp2_awburst_o, m_axi_hp3_awburst_o;
  logic           m_axi_hp0_awvalid_o, m_axi_hp1_awvalid_o, m_axi_hp2_awvalid_o, m_axi_hp3_awvalid_o;
  logic           m_axi_hp0_awready_i, m_axi_hp1_awready_i, m_axi_hp2_awready_i, m_axi_hp3_awready_i;
  logic [127:0]   m_axi_hp0_wdata_o, m_axi_hp1_wdata_o, m_axi_hp2_wdata_o, m_axi_hp3_wdata_o;
  logic [15:0]    m_axi_hp0_wstrb_o, m_axi_hp1_wstrb_o, m_axi_hp2_wstrb_o, m_axi_hp3_wstrb_o;
  logic           m_axi_hp0_wlast_o, m_axi_hp1_wlast_o, m_axi_hp2_wlast_o, m_axi_hp3_wlast_o;
  logic           m_axi_hp0_wvalid_o, m_axi_hp1_wvalid_o, m_axi_hp2_wvalid_o, m_axi_hp3_wvalid_o;
  logic           m_axi_hp0_wready_i, m_axi_hp1_wready_i, m_axi_hp2_wready_i, m_axi_hp3_wready_i;
  logic [IW-1:0]  m_axi_hp0_bid_i, m_axi_hp1_bid_i, m_axi_hp2_bid_i, m_axi_hp3_bid_i;
  logic [1:0]     m_axi_hp0_bresp_i, m_axi_hp1_bresp_i, m_axi_hp2_bresp_i, m_axi_hp3_bresp_i;
  logic           m_axi_hp0_bvalid_i, m_axi_hp1_bvalid_i, m_axi_hp2_bvalid_i, m_axi_hp3_bvalid_i;
  logic           m_axi_hp0_bready_o, m_axi_hp1_bready_o, m_axi_hp2_bready_o, m_axi_hp3_bready_o;
  logic [IW-1:0]  m_axi_hp0_arid_o, m_axi_hp1_arid_o, m_axi_hp2_arid_o, m_axi_hp3_arid_o;
  logic [AW-1:0]  m_axi_hp0_araddr_o, m_axi_hp1_araddr_o, m_axi_hp2_araddr_o, m_axi_hp3_araddr_o;
  logic [7:0]     m_axi_hp0_arlen_o, m_axi_hp1_arlen_o, m_axi_hp2_arlen_o, m_axi_hp3_arlen_o;
  logic [2:0]     m_axi_hp0_arsize_o, m_axi_hp1_arsize_o, m_axi_hp2_arsize_o, m_axi_hp3_arsize_o;
  logic [1:0]     m_axi_hp0_arburst_o, m_axi_hp1_arburst_o, m_axi_hp2_arburst_o, m_axi_hp3_arburst_o;
  logic           m_axi_hp0_arvalid_o, m_axi_hp1_arvalid_o, m_axi_hp2_arvalid_o, m_axi_hp3_arvalid_o;
  logic           m_axi_hp0_arready_i, m_axi_hp1_arready_i, m_axi_hp2_arready_i, m_axi_hp3_arready_i;
  logic [IW-1:0]  m_axi_hp0_rid_i, m_axi_hp1_rid_i, m_axi_hp2_rid_i, m_axi_hp3_rid_i;
  logic [127:0]   m_axi_hp0_rdata_i, m_axi_hp1_rdata_i, m_axi_hp2_rdata_i, m_axi_hp3_rdata_i;
  logic [1:0]     m_axi_hp0_rresp_i, m_axi_hp1_rresp_i, m_axi_hp2_rresp_i, m_axi_hp3_rresp_i;
  logic           m_axi_hp0_rlast_i, m_axi_hp1_rlast_i, m_axi_hp2_rlast_i, m_axi_hp3_rlast_i;
  logic           m_axi_hp0_rvalid_i, m_axi_hp1_rvalid_i, m_axi_hp2_rvalid_i, m_axi_hp3_rvalid_i;
  logic           m_axi_hp0_rready_o, m_axi_hp1_rready_o, m_axi_hp2_rready_o, m_axi_hp3_rready_o;
  // observability and injection
  logic        sr_busy_o, decouple_o, reconfiguring_o;
  logic [3:0]  sr_cmd_o;
  logic [7:0]  rm_sel_o;
  logic        inject_i;
  logic [1:0]  inject_mode_i;
  logic [31:0] inject_seed_i;
  // driven by cocotb
  logic        inject_en_i, inject_force_i, hp_guard_i;

  pdswap_top #(
    .MAX_ROWS(MAX_ROWS), .RM_SET(RM_SET), .CFG_MAX_BYTES(CFG_MAX_BYTES),
    .RESET_CYCLES(RESET_CYCLES)
  ) dut (.*);

  assign inject_i = inject_force_i || (inject_en_i && decouple_o);

  // ------------------------------------------------------------------ HP struct <-> port sets
  logic [NumHp-1:0] awv, wv, arv;
  assign awv = hp_o.awvalid & {NumHp{!hp_guard_i}};
  assign wv  = hp_o.wvalid  & {NumHp{!hp_guard_i}};
  assign arv = hp_o.arvalid & {NumHp{!hp_guard_i}};

`define TB_RP_HP(P) \
  assign m_axi_hp``P``_awid_o    = hp_o.awid[P*IW +: IW]; \
  assign m_axi_hp``P``_awaddr_o  = hp_o.awaddr[P*AW +: AW]; \
  assign m_axi_hp``P``_awlen_o   = hp_o.awlen[P*8 +: 8]; \
  assign m_axi_hp``P``_awsize_o  = hp_o.awsize[P*3 +: 3]; \
  assign m_axi_hp``P``_awburst_o = hp_o.awburst[P*2 +: 2]; \
  assign m_axi_hp``P``_awvalid_o = awv[P]; \
  assign m_axi_hp``P``_wdata_o   = hp_o.wdata[P*128 +: 128]; \
  assign m_axi_hp``P``_wstrb_o   = hp_o.wstrb[P*16 +: 16]; \
  assign m_axi_hp``P``_wlast_o   = hp_o.wlast[P]; \
  assign m_axi_hp``P``_wvalid_o  = wv[P]; \
  assign m_axi_hp``P``_bready_o  = hp_o.bready[P]; \
  assign m_axi_hp``P``_arid_o    = hp_o.arid[P*IW +: IW]; \
  assign m_axi_hp``P``_araddr_o  = hp_o.araddr[P*AW +: AW]; \
  assign m_axi_hp``P``_arlen_o   = hp_o.arlen[P*8 +: 8]; \
  assign m_axi_hp``P``_arsize_o  = hp_o.arsize[P*3 +: 3]; \
  assign m_axi_hp``P``_arburst_o = hp_o.arburst[P*2 +: 2]; \
  assign m_axi_hp``P``_arvalid_o = arv[P]; \
  assign m_axi_hp``P``_rready_o  = hp_o.rready[P]; \
  assign hp_i.awready[P]           = m_axi_hp``P``_awready_i; \
  assign hp_i.wready[P]            = m_axi_hp``P``_wready_i; \
  assign hp_i.bid[P*IW +: IW]      = m_axi_hp``P``_bid_i; \
  assign hp_i.bresp[P*2 +: 2]      = m_axi_hp``P``_bresp_i; \
  assign hp_i.bvalid[P]            = m_axi_hp``P``_bvalid_i; \
  assign hp_i.arready[P]           = m_axi_hp``P``_arready_i; \
  assign hp_i.rid[P*IW +: IW]      = m_axi_hp``P``_rid_i; \
  assign hp_i.rdata[P*128 +: 128]  = m_axi_hp``P``_rdata_i; \
  assign hp_i.rresp[P*2 +: 2]      = m_axi_hp``P``_rresp_i; \
  assign hp_i.rlast[P]             = m_axi_hp``P``_rlast_i; \
  assign hp_i.rvalid[P]            = m_axi_hp``P``_rvalid_i;
  `TB_RP_HP(0)
  `TB_RP_HP(1)
  `TB_RP_HP(2)
  `TB_RP_HP(3)
`undef TB_RP_HP

  // ------------------------------------------------------------------ monitor taps
  // portal
  logic [1:0]       mon_slot_rst_n;          // per-slot reset (1 = running)
  logic             mon_sel_valid;
  // decoupler: static side (what the static region and the HP mux see) and RM side
  rp_pkg::rp_out_t  mon_static_out;          // RP -> static after the decoupler
  rp_pkg::rp_out_t  mon_sel_out;             // selected RM's own outputs (before the injector)
  rp_pkg::rp_out_t  mon_rm_side;             // RM side of the decoupler (after the injector)
  logic             mon_rm_side_job_ready, mon_rm_side_done, mon_rm_side_o_tvalid;
  logic             mon_rm_side_axi_valid;
  logic [7:0]       mon_rm_side_rm_id;
  rp_pkg::rp_in_t   mon_rm_in0, mon_rm_in1;  // static -> RM, per slot (after isolation)
  logic             mon_decoupled;           // decouple status to the static side
  logic             mon_job_ready, mon_busy, mon_done, mon_err, mon_qkv_tready, mon_o_tvalid;
  logic             mon_shutdown_ack, mon_axi_valid;
  logic [7:0]       mon_rm_id;
  // controller
  logic [2:0]       mon_cfg_state;
  logic             mon_swap_pending, mon_shutdown_req, mon_rm_reset, mon_rm_busy;
  logic [31:0]      mon_cfg_bytes, mon_cyc_pend, mon_cyc_shut, mon_cyc_load, mon_cyc_rst;
  // static side of the RP stream and job handshakes (O-row scoreboard)
  logic             mon_o_fire, mon_job_fire, mon_sr_dma;
  logic [127:0]     mon_o_tdata;
  logic [15:0]      mon_o_tuser;
  logic [7:0]       mon_job_layer, mon_job_head;
  logic [15:0]      mon_job_q_len, mon_job_pos0;
  logic [1:0]       mon_job_phase;
  // one word the per-cycle monitor reads (bit map in tb/rp/test_rp.py, MonBits)
  logic [31:0]      mon_flags;

  assign mon_slot_rst_n   = dut.u_rp.rm_rst_n;
  assign mon_sel_valid    = dut.u_rp.sel_valid;
  assign mon_static_out   = dut.u_rp.static_out_o;
  assign mon_sel_out      = dut.u_rp.sel_out;
  assign mon_rm_side      = dut.u_rp.inj_out;
  assign mon_rm_side_job_ready = mon_rm_side.job_ready;
  assign mon_rm_side_done      = mon_rm_side.done;
  assign mon_rm_side_o_tvalid  = mon_rm_side.o_tvalid;
  assign mon_rm_side_rm_id     = mon_rm_side.rm_id;
  assign mon_rm_side_axi_valid = |{mon_rm_side.axi.awvalid, mon_rm_side.axi.wvalid,
                                   mon_rm_side.axi.arvalid};
  assign mon_rm_in0       = dut.u_rp.rm_in[0];
  assign mon_rm_in1       = dut.u_rp.rm_in[1];
  assign mon_decoupled    = dut.rp_decoupled;
  assign mon_job_ready    = mon_static_out.job_ready;
  assign mon_busy         = mon_static_out.busy;
  assign mon_done         = mon_static_out.done;
  assign mon_err          = mon_static_out.err;
  assign mon_qkv_tready   = mon_static_out.qkv_tready;
  assign mon_o_tvalid     = mon_static_out.o_tvalid;
  assign mon_shutdown_ack = mon_static_out.shutdown_ack;
  assign mon_rm_id        = mon_static_out.rm_id;
  assign mon_axi_valid    = |{hp_o.awvalid, hp_o.wvalid, hp_o.arvalid};
  assign mon_cfg_state    = dut.u_cfg.state_q;
  assign mon_swap_pending = dut.swap_pending;
  assign mon_shutdown_req = dut.shutdown_req;
  assign mon_rm_reset     = dut.rm_reset;
  assign mon_rm_busy      = dut.rm_busy;
  assign mon_cfg_bytes    = dut.u_cfg.bytes_q;
  assign mon_cyc_pend     = dut.u_cfg.cyc_pend_q;
  assign mon_cyc_shut     = dut.u_cfg.cyc_shut_q;
  assign mon_cyc_load     = dut.u_cfg.cyc_load_q;
  assign mon_cyc_rst      = dut.u_cfg.cyc_rst_q;
  assign mon_sr_dma       = dut.sr_dma_active;
  assign mon_o_fire       = mon_static_out.o_tvalid && dut.sr_rp.o_tready;
  assign mon_o_tdata      = mon_static_out.o_tdata;
  assign mon_o_tuser      = mon_static_out.o_tuser;
  assign mon_job_fire     = dut.sr_rp.job_valid && mon_static_out.job_ready;
  assign mon_job_layer    = dut.sr_rp.job.layer;
  assign mon_job_head     = dut.sr_rp.job.head;
  assign mon_job_q_len    = dut.sr_rp.job.q_len;
  assign mon_job_pos0     = dut.sr_rp.job.pos0;
  assign mon_job_phase    = dut.sr_rp.job.phase;

  assign mon_flags = {
    rm_sel_o,                                           // [31:24]
    1'b0, mon_cfg_state,                                // [23:20]
    mon_slot_rst_n,                                     // [19:18]
    mon_sel_valid, mon_sr_dma,                          // [17:16]
    mon_axi_valid, mon_o_fire, mon_job_fire, sr_busy_o, // [15:12]
    inject_i, hp_guard_i, mon_rm_busy, mon_shutdown_ack,// [11:8]
    mon_shutdown_req, mon_swap_pending, mon_rm_reset, reconfiguring_o, // [7:4]
    mon_decoupled, decouple_o, mon_busy, mon_done       // [3:0]
  };
endmodule
