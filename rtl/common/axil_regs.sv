// Reusable AXI4-Lite slave for a bank of N_REGS 32-bit registers (docs/reconfig.md, "AXI-Lite").
//
// The module only speaks the protocol; the registers themselves live in the user block:
//   * a write to word index i < N_REGS gives one cycle of wr_en_o with wr_idx_o = i, wr_data_o
//     and wr_strb_o (the user applies the byte strobes to its RW registers, or treats the write
//     as a command: pulse bits, write-1-to-clear, ...);
//   * a read of index i < N_REGS returns rd_data_i[i*32 +: 32] sampled in the cycle of the AR
//     handshake, and gives one cycle of rd_en_o with rd_idx_o = i (for read side effects).
// Addresses are byte addresses; addr[1:0] is ignored (32-bit registers). An index >= N_REGS is
// answered with SLVERR: writes are dropped, reads return 0. AxPROT is ignored.
//
// One write and one read are in flight at a time (enough for control/status registers):
// AW and W are accepted independently (any order) into one-entry holding registers, the write
// is performed when both are present and the B channel is free, and BVALID follows one cycle
// later. A read takes the AR handshake, then RVALID with registered data; ARREADY is low while
// RVALID waits for RREADY. All VALID outputs are registers and never wait on READY.
module axil_regs #(
  parameter int unsigned ADDR_W = 7,
  parameter int unsigned N_REGS = 19
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  // AXI4-Lite slave
  input  logic [ADDR_W-1:0]        s_axil_awaddr_i,
  input  logic [2:0]               s_axil_awprot_i,
  input  logic                     s_axil_awvalid_i,
  output logic                     s_axil_awready_o,
  input  logic [31:0]              s_axil_wdata_i,
  input  logic [3:0]               s_axil_wstrb_i,
  input  logic                     s_axil_wvalid_i,
  output logic                     s_axil_wready_o,
  output logic [1:0]               s_axil_bresp_o,
  output logic                     s_axil_bvalid_o,
  input  logic                     s_axil_bready_i,
  input  logic [ADDR_W-1:0]        s_axil_araddr_i,
  input  logic [2:0]               s_axil_arprot_i,
  input  logic                     s_axil_arvalid_i,
  output logic                     s_axil_arready_o,
  output logic [31:0]              s_axil_rdata_o,
  output logic [1:0]               s_axil_rresp_o,
  output logic                     s_axil_rvalid_o,
  input  logic                     s_axil_rready_i,
  // register side
  output logic                     wr_en_o,
  output logic [ADDR_W-3:0]        wr_idx_o,
  output logic [31:0]              wr_data_o,
  output logic [3:0]               wr_strb_o,
  output logic                     rd_en_o,
  output logic [ADDR_W-3:0]        rd_idx_o,
  input  logic [N_REGS*32-1:0]     rd_data_i
);
  if (ADDR_W < 3 || ADDR_W > 32 || N_REGS < 1 || 64'(N_REGS) > (64'd1 << (ADDR_W - 2)))
  begin : g_bad_param
    $fatal(1, "axil_regs: N_REGS=%0d registers do not fit ADDR_W=%0d address bits (need 3 <= ADDR_W <= 32, 1 <= N_REGS <= 2^(ADDR_W-2))",
           N_REGS, ADDR_W);
  end

  localparam int unsigned IdxW = ADDR_W - 2;
  localparam logic [1:0] RespOkay   = 2'b00;
  localparam logic [1:0] RespSlvErr = 2'b10;

  function automatic logic in_range(input logic [IdxW-1:0] idx);
    in_range = 64'(idx) < 64'(N_REGS);
  endfunction

  // AxPROT carries no meaning for these registers; addr[1:0] selects a byte within a register
  logic unused_bits;
  assign unused_bits = ^{s_axil_awprot_i, s_axil_arprot_i, s_axil_awaddr_i[1:0],
                         s_axil_araddr_i[1:0]};

  // ------------------------------------------------------------------ write channel
  logic            aw_full_q, w_full_q, bvalid_q;
  logic [IdxW-1:0] aw_idx_q;
  logic [31:0]     w_data_q;
  logic [3:0]      w_strb_q;
  logic [1:0]      bresp_q;
  logic            aw_fire, w_fire, do_write;

  assign s_axil_awready_o = !aw_full_q;
  assign s_axil_wready_o  = !w_full_q;
  assign aw_fire  = s_axil_awvalid_i && s_axil_awready_o;
  assign w_fire   = s_axil_wvalid_i && s_axil_wready_o;
  assign do_write = aw_full_q && w_full_q && !bvalid_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      aw_full_q <= 1'b0;
      w_full_q  <= 1'b0;
      bvalid_q  <= 1'b0;
      aw_idx_q  <= '0;
      w_data_q  <= '0;
      w_strb_q  <= '0;
      bresp_q   <= RespOkay;
    end else begin
      if (aw_fire) begin
        aw_full_q <= 1'b1;
        aw_idx_q  <= s_axil_awaddr_i[ADDR_W-1:2];
      end
      if (w_fire) begin
        w_full_q <= 1'b1;
        w_data_q <= s_axil_wdata_i;
        w_strb_q <= s_axil_wstrb_i;
      end
      if (do_write) begin
        aw_full_q <= 1'b0;
        w_full_q  <= 1'b0;
        bvalid_q  <= 1'b1;
        bresp_q   <= in_range(aw_idx_q) ? RespOkay : RespSlvErr;
      end else if (bvalid_q && s_axil_bready_i) begin
        bvalid_q <= 1'b0;
      end
    end
  end

  assign wr_en_o         = do_write && in_range(aw_idx_q);
  assign wr_idx_o        = aw_idx_q;
  assign wr_data_o       = w_data_q;
  assign wr_strb_o       = w_strb_q;
  assign s_axil_bvalid_o = bvalid_q;
  assign s_axil_bresp_o  = bresp_q;

  // ------------------------------------------------------------------ read channel
  logic            rvalid_q;
  logic [31:0]     rdata_q;
  logic [1:0]      rresp_q;
  logic            ar_fire, ar_ok;
  logic [IdxW-1:0] ar_idx;

  assign s_axil_arready_o = !rvalid_q;
  assign ar_fire = s_axil_arvalid_i && s_axil_arready_o;
  assign ar_idx  = s_axil_araddr_i[ADDR_W-1:2];
  assign ar_ok   = in_range(ar_idx);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rvalid_q <= 1'b0;
      rdata_q  <= '0;
      rresp_q  <= RespOkay;
    end else if (ar_fire) begin
      rvalid_q <= 1'b1;
      rdata_q  <= ar_ok ? rd_data_i[32*ar_idx +: 32] : '0;
      rresp_q  <= ar_ok ? RespOkay : RespSlvErr;
    end else if (rvalid_q && s_axil_rready_i) begin
      rvalid_q <= 1'b0;
    end
  end

  assign rd_en_o         = ar_fire && ar_ok;
  assign rd_idx_o        = ar_idx;
  assign s_axil_rvalid_o = rvalid_q;
  assign s_axil_rdata_o  = rdata_q;
  assign s_axil_rresp_o  = rresp_q;
endmodule
