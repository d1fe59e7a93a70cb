// Port-less cocotb toplevel for rp_cfg_ctrl (Verilator 5.006 loses cocotb writes to top ports).
// The PCAP model drives s_axis_*, cocotbext-axi AxiLiteMaster drives s_axil_*, and a cocotb
// stand-in RM answers shutdown_req_o / drives rm_busy_i.
module tb_rp_cfg #(
  parameter int unsigned RP_ID        = 0,
  parameter int unsigned NUM_RM       = 2,
  parameter int unsigned MAX_BYTES    = 1024,
  parameter int unsigned RESET_CYCLES = 8,
  parameter int unsigned BUSY_TIMEOUT = 0,
  parameter int unsigned ACK_TIMEOUT  = 0
);
  logic        clk_i;
  logic        rst_ni;
  logic [31:0] s_axis_tdata_i;
  logic        s_axis_tvalid_i;
  logic        s_axis_tready_o;
  logic        s_axis_tlast_i;
  logic [6:0]  s_axil_awaddr_i;
  logic [2:0]  s_axil_awprot_i;
  logic        s_axil_awvalid_i;
  logic        s_axil_awready_o;
  logic [31:0] s_axil_wdata_i;
  logic [3:0]  s_axil_wstrb_i;
  logic        s_axil_wvalid_i;
  logic        s_axil_wready_o;
  logic [1:0]  s_axil_bresp_o;
  logic        s_axil_bvalid_o;
  logic        s_axil_bready_i;
  logic [6:0]  s_axil_araddr_i;
  logic [2:0]  s_axil_arprot_i;
  logic        s_axil_arvalid_i;
  logic        s_axil_arready_o;
  logic [31:0] s_axil_rdata_o;
  logic [1:0]  s_axil_rresp_o;
  logic        s_axil_rvalid_o;
  logic        s_axil_rready_i;
  logic        swap_pending_o;
  logic        shutdown_req_o;
  logic        shutdown_ack_i;
  logic        decouple_o;
  logic        rm_reset_o;
  logic [7:0]  rm_sel_o;
  logic        reconfiguring_o;
  logic        rm_busy_i;

  rp_cfg_ctrl #(
    .RP_ID        (RP_ID),
    .NUM_RM       (NUM_RM),
    .MAX_BYTES    (MAX_BYTES),
    .RESET_CYCLES (RESET_CYCLES),
    .BUSY_TIMEOUT (BUSY_TIMEOUT),
    .ACK_TIMEOUT  (ACK_TIMEOUT)
  ) dut (.*);
endmodule
