// AXI-Lite control/status registers of the static region (docs/static-region.md).
//
// | idx | byte  | name          | access | meaning |
// |-----|-------|---------------|--------|---------|
// |  0  | 0x00  | ID            | RO     | 0x50445357 ("PDSW") |
// |  1  | 0x04  | CTRL          | W      | [0] START (with CMD), [1] CNT_CLR, [2] ERR_CLR, [7:4] CMD |
// |  2  | 0x08  | STATUS        | RO     | [0] busy, [1] done (sticky until START), [2] error (sticky), [15:8] error code, [23:16] last CMD |
// |  3  | 0x0C  | ROWS          | RW     | rows (tokens) of this call, 1..MAX_ROWS |
// |  4  | 0x10  | POS0          | RW     | absolute position of row 0 |
// |  5  | 0x14  | LAYER         | RW     | layer index (descriptor table row, KV-cache region) |
// |  6  | 0x18  | DDR_LO        | RW     | DDR byte address for LOAD_* / EMBED / FINAL / STORE_H |
// |  7  | 0x1C  | DDR_HI        | RW     | bits [39:32] |
// |  8  | 0x20  | LEN           | RW     | LOAD_* length in bytes |
// |  9  | 0x24  | DST           | RW     | LOAD_* destination word address |
// | 10  | 0x28  | KV_LO         | RW     | KV-cache base (4 KiB aligned) |
// | 11  | 0x2C  | KV_HI         | RW     | bits [39:32] |
// | 12  | 0x30  | GBASE_FINAL   | RW     | gain base of the final RMSNorm |
// | 13  | 0x34  | EPS_D         | RW     | RMSNorm eps_int for rows of D (round(eps*D*2^16)) |
// | 14  | 0x38  | EPS_F         | RW     | RMSNorm eps_int for rows of F |
// | 15  | 0x3C  | PHASE         | RW     | attention job phase: 1 prefill, 2 decode |
// | 16  | 0x40  | CYC_LAST      | RO     | cycles of the last command |
// | 17..26 | 0x44.. | CYC_CMD[1..10] | RO | cycles accumulated per command type since CNT_CLR |
// | 27  | 0x6C  | TLMM_BUSY     | RO     | TLMM busy cycles (low 32 bits) since CNT_CLR |
// | 28  | 0x70  | TLMM_LOOKUPS  | RO     | TLMM table lookups (low 32 bits) since CNT_CLR |
// | 29  | 0x74  | RP_BUSY       | RO     | RM busy cycles summed over the heads of the last ATT |
// | 30  | 0x78  | RP_ACTIVE     | RO     | RM datapath-active cycles, same jobs |
// | 31  | 0x7C  | RP_RD_BEATS   | RO     | RM read beats (4 ports), same jobs |
// | 32  | 0x80  | RP_WR_BEATS   | RO     | RM write beats (4 ports), same jobs |
// | 33  | 0x84  | RP_STATUS     | RO     | [7:0] rm_id seen through the decoupler, [8] decoupled, [15:12] last RM error code |
// | 34  | 0x88  | P_DIMS        | RO     | [15:0] D, [31:16] F |
// | 35  | 0x8C  | P_HEADS       | RO     | [7:0] heads, [15:8] head_dim, [31:16] layers |
// | 36  | 0x90  | P_ROWS        | RO     | [15:0] MAX_ROWS, [31:16] MAX_CTX |
// | 37  | 0x94  | CYCLES        | RO     | free-running cycle counter (timestamps for the host) |
//
// Error codes (STATUS[15:8]): 1 bad command, 2 bad ROWS/POS0, 3 DMA error response, 4 DMA
// request rejected, 5 RP error (RP_STATUS has the RM's code), 6 RP not loaded / decoupled,
// 7 datapath framing error, 8 LAYER out of range, 9 START while busy, 10 a block flagged a bad
// configuration or row length.
module sr_csr #(
  parameter int unsigned D        = 64,
  parameter int unsigned F        = 128,
  parameter int unsigned N_HEADS  = 4,
  parameter int unsigned HEAD_DIM = 16,
  parameter int unsigned N_LAYERS = 2,
  parameter int unsigned MAX_ROWS = 256,
  parameter int unsigned MAX_CTX  = 256
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  // AXI-Lite slave
  input  logic [7:0]  s_axil_awaddr_i,
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
  input  logic [7:0]  s_axil_araddr_i,
  input  logic [2:0]  s_axil_arprot_i,
  input  logic        s_axil_arvalid_i,
  output logic        s_axil_arready_o,
  output logic [31:0] s_axil_rdata_o,
  output logic [1:0]  s_axil_rresp_o,
  output logic        s_axil_rvalid_o,
  input  logic        s_axil_rready_i,
  // command to the sequencer
  output logic        start_o,
  output logic [3:0]  cmd_o,
  output logic [15:0] rows_o,
  output logic [15:0] pos0_o,
  output logic [7:0]  layer_o,
  output logic [39:0] ddr_addr_o,
  output logic [31:0] len_o,
  output logic [31:0] dst_o,
  output logic [39:0] kv_base_o,
  output logic [31:0] gbase_final_o,
  output logic [31:0] eps_d_o,
  output logic [31:0] eps_f_o,
  output logic [1:0]  phase_o,
  output logic        cnt_clr_o,
  // status from the sequencer
  input  logic        busy_i,
  input  logic        done_i,        // one-cycle pulse at the end of a command
  input  logic        err_i,         // one-cycle pulse with err_code_i
  input  logic [7:0]  err_code_i,
  input  logic [31:0] tlmm_busy_i,
  input  logic [31:0] tlmm_lookups_i,
  input  logic [31:0] rp_busy_i,
  input  logic [31:0] rp_active_i,
  input  logic [31:0] rp_rd_beats_i,
  input  logic [31:0] rp_wr_beats_i,
  input  logic [15:0] rp_status_i
);
  localparam int unsigned NRegs = 38;
  localparam int unsigned RwLo  = 3;
  localparam int unsigned RwHi  = 15;
  localparam int unsigned RoLo  = 16;
  localparam int unsigned NCmd  = 10;

  logic        wr_en, rd_en;
  logic [5:0]  wr_idx, rd_idx;
  logic [31:0] wr_data;
  logic [3:0]  wr_strb;
  logic [NRegs*32-1:0] rd_data;

  axil_regs #(.ADDR_W(8), .N_REGS(NRegs)) u_axil (
    .clk_i, .rst_ni,
    .s_axil_awaddr_i, .s_axil_awprot_i, .s_axil_awvalid_i, .s_axil_awready_o,
    .s_axil_wdata_i, .s_axil_wstrb_i, .s_axil_wvalid_i, .s_axil_wready_o,
    .s_axil_bresp_o, .s_axil_bvalid_o, .s_axil_bready_i,
    .s_axil_araddr_i, .s_axil_arprot_i, .s_axil_arvalid_i, .s_axil_arready_o,
    .s_axil_rdata_o, .s_axil_rresp_o, .s_axil_rvalid_o, .s_axil_rready_i,
    .wr_en_o(wr_en), .wr_idx_o(wr_idx), .wr_data_o(wr_data), .wr_strb_o(wr_strb),
    .rd_en_o(rd_en), .rd_idx_o(rd_idx), .rd_data_i(rd_data)
  );

  logic [31:0] rw_q [RwLo:RwHi];
  logic        done_q, err_q;
  logic [7:0]  err_code_q;
  logic [3:0]  cmd_q;
  logic [31:0] cyc_last_q, cyc_run_q;
  logic [31:0] cyc_cmd_q [1:NCmd];
  logic        start_q, cnt_clr_q;
  logic [31:0] cycles_q;

  function automatic logic [31:0] apply_strb(input logic [31:0] old, input logic [31:0] d,
                                             input logic [3:0] strb);
    for (int unsigned b = 0; b < 4; b++) if (strb[b]) old[b*8 +: 8] = d[b*8 +: 8];
    apply_strb = old;
  endfunction

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rw_q       <= '{default: '0};
      done_q     <= 1'b0;
      err_q      <= 1'b0;
      err_code_q <= '0;
      cmd_q      <= '0;
      cyc_last_q <= '0;
      cyc_run_q  <= '0;
      cyc_cmd_q  <= '{default: '0};
      start_q    <= 1'b0;
      cnt_clr_q  <= 1'b0;
      cycles_q   <= '0;
    end else begin
      cycles_q  <= cycles_q + 1;
      start_q   <= 1'b0;
      cnt_clr_q <= 1'b0;
      if (wr_en) begin
        if (32'(wr_idx) >= RwLo && 32'(wr_idx) <= RwHi) begin
          rw_q[wr_idx] <= apply_strb(rw_q[wr_idx], wr_data, wr_strb);
        end
        if (wr_idx == 6'd1 && wr_strb[0]) begin
          if (wr_data[2]) begin
            err_q      <= 1'b0;
            err_code_q <= '0;
          end
          if (wr_data[1]) begin
            cnt_clr_q <= 1'b1;
            cyc_cmd_q <= '{default: '0};
          end
          if (wr_data[0] && !busy_i) begin
            start_q   <= 1'b1;
            cmd_q     <= wr_data[7:4];
            done_q    <= 1'b0;
            cyc_run_q <= '0;
          end else if (wr_data[0]) begin
            err_q      <= 1'b1;        // START while busy: refused, reported
            err_code_q <= 8'd9;
          end
        end
      end
      if (busy_i) cyc_run_q <= cyc_run_q + 1;
      if (done_i) begin
        done_q     <= 1'b1;
        cyc_last_q <= cyc_run_q;
        if (cmd_q >= 4'd1 && 32'(cmd_q) <= NCmd) cyc_cmd_q[cmd_q] <= cyc_cmd_q[cmd_q] + cyc_run_q;
      end
      if (err_i) begin
        err_q      <= 1'b1;
        err_code_q <= err_code_i;
      end
    end
  end

  always_comb begin
    rd_data = '0;
    rd_data[0*32 +: 32] = 32'h5044_5357;
    rd_data[2*32 +: 32] = {8'd0, 4'd0, cmd_q, err_code_q, 5'd0, err_q, done_q, busy_i};
    for (int unsigned i = RwLo; i <= RwHi; i++) rd_data[i*32 +: 32] = rw_q[i];
    rd_data[RoLo*32 +: 32] = cyc_last_q;
    for (int unsigned c = 1; c <= NCmd; c++) rd_data[(RoLo+c)*32 +: 32] = cyc_cmd_q[c];
    rd_data[27*32 +: 32] = tlmm_busy_i;
    rd_data[28*32 +: 32] = tlmm_lookups_i;
    rd_data[29*32 +: 32] = rp_busy_i;
    rd_data[30*32 +: 32] = rp_active_i;
    rd_data[31*32 +: 32] = rp_rd_beats_i;
    rd_data[32*32 +: 32] = rp_wr_beats_i;
    rd_data[33*32 +: 32] = {16'd0, rp_status_i};
    rd_data[34*32 +: 32] = {16'(F), 16'(D)};
    rd_data[35*32 +: 32] = {16'(N_LAYERS), 8'(HEAD_DIM), 8'(N_HEADS)};
    rd_data[36*32 +: 32] = {16'(MAX_CTX), 16'(MAX_ROWS)};
    rd_data[37*32 +: 32] = cycles_q;
  end

  assign start_o       = start_q;
  assign cmd_o         = cmd_q;
  assign rows_o        = rw_q[3][15:0];
  assign pos0_o        = rw_q[4][15:0];
  assign layer_o       = rw_q[5][7:0];
  assign ddr_addr_o    = {rw_q[7][7:0], rw_q[6]};
  assign len_o         = rw_q[8];
  assign dst_o         = rw_q[9];
  assign kv_base_o     = {rw_q[11][7:0], rw_q[10]};
  assign gbase_final_o = rw_q[12];
  assign eps_d_o       = rw_q[13];
  assign eps_f_o       = rw_q[14];
  assign phase_o       = rw_q[15][1:0];
  assign cnt_clr_o     = cnt_clr_q;

  logic unused;
  assign unused = ^{rd_en, rd_idx, rw_q[3][31:16], rw_q[4][31:16], rw_q[5][31:8],
                    rw_q[7][31:8], rw_q[11][31:8], rw_q[15][31:2]};
endmodule
