// Port connections of an RM (the flat port list of docs/rp-interface.md) to the packed boundary
// structs: `IN` is an rp_pkg::rp_in_t, `OUT` an rp_pkg::rp_out_t. Used by rm_shell for every RM.
`ifndef RM_CONNECT_SVH
`define RM_CONNECT_SVH
`define RM_CONNECT(IN, OUT) \
  .job_i(IN.job), .job_valid_i(IN.job_valid), .job_ready_o(OUT.job_ready), \
  .busy_o(OUT.busy), .done_o(OUT.done), .err_o(OUT.err), .err_code_o(OUT.err_code), \
  .stats_o(OUT.stats), .rm_id_o(OUT.rm_id), \
  .shutdown_req_i(IN.shutdown_req), .shutdown_ack_o(OUT.shutdown_ack), \
  .s_qkv_tdata_i(IN.qkv_tdata), .s_qkv_tuser_i(IN.qkv_tuser), .s_qkv_tlast_i(IN.qkv_tlast), \
  .s_qkv_tvalid_i(IN.qkv_tvalid), .s_qkv_tready_o(OUT.qkv_tready), \
  .m_o_tdata_o(OUT.o_tdata), .m_o_tuser_o(OUT.o_tuser), .m_o_tlast_o(OUT.o_tlast), \
  .m_o_tvalid_o(OUT.o_tvalid), .m_o_tready_i(IN.o_tready), \
  .m_axi_awid_o(OUT.axi.awid), .m_axi_awaddr_o(OUT.axi.awaddr), .m_axi_awlen_o(OUT.axi.awlen), \
  .m_axi_awsize_o(OUT.axi.awsize), .m_axi_awburst_o(OUT.axi.awburst), \
  .m_axi_awvalid_o(OUT.axi.awvalid), .m_axi_awready_i(IN.axi.awready), \
  .m_axi_wdata_o(OUT.axi.wdata), .m_axi_wstrb_o(OUT.axi.wstrb), .m_axi_wlast_o(OUT.axi.wlast), \
  .m_axi_wvalid_o(OUT.axi.wvalid), .m_axi_wready_i(IN.axi.wready), \
  .m_axi_bid_i(IN.axi.bid), .m_axi_bresp_i(IN.axi.bresp), .m_axi_bvalid_i(IN.axi.bvalid), \
  .m_axi_bready_o(OUT.axi.bready), \
  .m_axi_arid_o(OUT.axi.arid), .m_axi_araddr_o(OUT.axi.araddr), .m_axi_arlen_o(OUT.axi.arlen), \
  .m_axi_arsize_o(OUT.axi.arsize), .m_axi_arburst_o(OUT.axi.arburst), \
  .m_axi_arvalid_o(OUT.axi.arvalid), .m_axi_arready_i(IN.axi.arready), \
  .m_axi_rid_i(IN.axi.rid), .m_axi_rdata_i(IN.axi.rdata), .m_axi_rresp_i(IN.axi.rresp), \
  .m_axi_rlast_i(IN.axi.rlast), .m_axi_rvalid_i(IN.axi.rvalid), .m_axi_rready_o(OUT.axi.rready)
`endif
