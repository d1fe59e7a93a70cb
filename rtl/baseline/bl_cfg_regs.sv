// Static baseline (docs/baseline.md): the AXI-Lite register block that stands where PD-Swap's
// configuration controller (rp_cfg_ctrl) is. The baseline has no partition: both engines are
// always there, so the block answers like a controller that is permanently LOADED:
//
//   0x00 MAGIC   0x52504346 ("RPCF", same as rp_cfg_ctrl)
//   0x04 CTRL    writes accepted and ignored (a trigger changes nothing), reads 0
//   0x08 STATUS  [2:0] state = 5 (LOADED), [3] loaded = 1, [10] rm_busy_i; every other bit 0
//   0x10 RM_ID   [7:0] rm_id_i (the engine of the current / last job), [8] loaded = 1
//   0x3C RP_ID 0, 0x40 MAX_BYTES, 0x44 INFO {version 1, NUM_RM 2}, 0x48 RESET_CYCLES
//   (parameters, as rp_cfg_ctrl); every other register of rp_cfg_ctrl's map reads 0
//
// Same register map and AXI-Lite behaviour (axil_regs) as rp_cfg_ctrl, so the host driver's
// check(), state() and wait_loaded(RmIdPrefill) work unchanged; a swap to the decode RM is never
// needed (the session runs with swap = False). The configuration stream is not consumed here:
// the top ties its tready high (a container sent anyway is swallowed).
module bl_cfg_regs #(
  parameter int unsigned MAX_BYTES    = 1 << 20,
  parameter int unsigned RESET_CYCLES = 16
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic [6:0]  s_axil_awaddr_i,
  input  logic [2:0]  s_axil_awprot_i,
  input  logic        s_axil_awvalid_i,
  output logic        s_axil_awready_o,
  input  logic [31:0] s_axil_wdata_i,
  input  logic [3:0]  s_axil_wstrb_i,
  input  logic        s_axil_wvalid_i,
  output logic        s_axil_wready_o,
  output logic [1:0]  s_axil_bresp_o,
  output logic        s_axil_bvalid_o,
  input  logic        s_axil_bready_i,
  input  logic [6:0]  s_axil_araddr_i,
  input  logic [2:0]  s_axil_arprot_i,
  input  logic        s_axil_arvalid_i,
  output logic        s_axil_arready_o,
  output logic [31:0] s_axil_rdata_o,
  output logic [1:0]  s_axil_rresp_o,
  output logic        s_axil_rvalid_o,
  input  logic        s_axil_rready_i,
  input  logic [7:0]  rm_id_i,
  input  logic        rm_busy_i
);
  localparam int unsigned NRegs         = 19;        // rp_cfg_ctrl's map
  localparam logic [31:0] Magic         = 32'h52504346;
  localparam logic [2:0]  StLoaded      = 3'd5;
  localparam int unsigned RegMagic      = 0;
  localparam int unsigned RegStatus     = 2;
  localparam int unsigned RegRmId       = 4;
  localparam int unsigned RegMaxBytes   = 16;
  localparam int unsigned RegInfo       = 17;
  localparam int unsigned RegResetCyc   = 18;

  logic [NRegs*32-1:0] rd_data;
  logic                wr_en, rd_en;
  logic [4:0]          wr_idx, rd_idx;
  logic [31:0]         wr_data;
  logic [3:0]          wr_strb;

  axil_regs #(.ADDR_W(7), .N_REGS(NRegs)) u_regs (
    .clk_i,
    .rst_ni,
    .s_axil_awaddr_i,
    .s_axil_awprot_i,
    .s_axil_awvalid_i,
    .s_axil_awready_o,
    .s_axil_wdata_i,
    .s_axil_wstrb_i,
    .s_axil_wvalid_i,
    .s_axil_wready_o,
    .s_axil_bresp_o,
    .s_axil_bvalid_o,
    .s_axil_bready_i,
    .s_axil_araddr_i,
    .s_axil_arprot_i,
    .s_axil_arvalid_i,
    .s_axil_arready_o,
    .s_axil_rdata_o,
    .s_axil_rresp_o,
    .s_axil_rvalid_o,
    .s_axil_rready_i,
    .wr_en_o   (wr_en),
    .wr_idx_o  (wr_idx),
    .wr_data_o (wr_data),
    .wr_strb_o (wr_strb),
    .rd_en_o   (rd_en),
    .rd_idx_o  (rd_idx),
    .rd_data_i (rd_data)
  );

  always_comb begin
    rd_data = '0;
    rd_data[32*RegMagic    +: 32] = Magic;
    rd_data[32*RegStatus   +: 32] = {21'd0, rm_busy_i, 6'd0, 1'b1, StLoaded};
    rd_data[32*RegRmId     +: 32] = {23'd0, 1'b1, rm_id_i};
    rd_data[32*RegMaxBytes +: 32] = 32'(MAX_BYTES);
    rd_data[32*RegInfo     +: 32] = {8'd1, 8'd0, 16'd2};
    rd_data[32*RegResetCyc +: 32] = 32'(RESET_CYCLES);
  end

  // writes (CTRL pulses, timeouts) have no effect on a design that never reconfigures
  logic unused;
  assign unused = ^{wr_en, wr_idx, wr_data, wr_strb, rd_en, rd_idx};
endmodule
