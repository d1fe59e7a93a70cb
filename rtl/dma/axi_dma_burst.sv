// DMA command -> AXI4 INCR bursts (shared by axi_dma_rd and axi_dma_wr).
//
// Commands (byte address + byte length) are queued in a 2-entry FIFO, checked, and split into
// bursts of up to MAX_BURST 16-byte beats that never cross a 4 KiB boundary. Each burst is
// loaded into the address-channel register (valid held until ready, AXI-stable) and at the same
// time described to the data side through the info port (beats - 1, last burst of command).
// A bad command produces one info entry with reject_o set and its status code instead of any
// AXI traffic, so statuses stay in command order. info_space_i says the data side can take one
// more entry; it bounds the bursts in flight (the caller sizes its FIFOs MAX_OUTSTANDING).
//
// Status codes (3 bits, also used by the engines):
//   0 OK, 2 SLVERR, 3 DECERR (first AXI error response of the command),
//   4 zero length, 5 address or length not a multiple of 16, 6 length > MAX_LEN,
//   7 address + length beyond 2^ADDR_W.
module axi_dma_burst #(
  parameter int unsigned ADDR_W    = 40,
  parameter int unsigned LEN_W     = 32,
  parameter int unsigned MAX_LEN   = 1048576,
  parameter int unsigned MAX_BURST = 16
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  // commands
  input  logic              cmd_valid_i,
  output logic              cmd_ready_o,
  input  logic [ADDR_W-1:0] cmd_addr_i,
  input  logic [LEN_W-1:0]  cmd_len_i,
  // address channel (AR or AW)
  output logic              ax_valid_o,
  input  logic              ax_ready_i,
  output logic [ADDR_W-1:0] ax_addr_o,
  output logic [7:0]        ax_len_o,
  // burst descriptions for the data side
  output logic              info_push_o,
  output logic              info_reject_o,
  output logic [2:0]        info_code_o,
  output logic              info_last_o,
  output logic [7:0]        info_lenm1_o,
  input  logic              info_space_i,
  output logic              busy_o
);
  localparam int unsigned BeatW = $clog2(MAX_LEN / 16 + 1);
  localparam int unsigned CmpW  = (BeatW > 9) ? BeatW : 9;
  localparam int unsigned SumW  = ((ADDR_W > LEN_W) ? ADDR_W : LEN_W) + 1;

  if (MAX_BURST < 1 || MAX_BURST > 256) begin : g_bad_burst
    $fatal(1, "axi_dma_burst: MAX_BURST=%0d outside 1..256 beats", MAX_BURST);
  end
  if (ADDR_W < 12 || ADDR_W > 64) begin : g_bad_addr
    $fatal(1, "axi_dma_burst: ADDR_W=%0d outside 12..64", ADDR_W);
  end
  if (LEN_W < 5 || LEN_W > 32 || MAX_LEN < 16 || (MAX_LEN % 16) != 0 ||
      (LEN_W < 32 && MAX_LEN >= (32'd1 << LEN_W))) begin : g_bad_len
    $fatal(1, "axi_dma_burst: MAX_LEN=%0d must be a multiple of 16, >= 16 and < 2^LEN_W (LEN_W=%0d, 5..32)",
           MAX_LEN, LEN_W);
  end

  localparam logic [2:0] StsOk    = 3'd0;
  localparam logic [2:0] StsZero  = 3'd4;
  localparam logic [2:0] StsAlign = 3'd5;
  localparam logic [2:0] StsLen   = 3'd6;
  localparam logic [2:0] StsWrap  = 3'd7;

  // ------------------------------------------------------------------ command FIFO
  logic              cq_full, cq_empty, cq_pop;
  logic [ADDR_W-1:0] h_addr;
  logic [LEN_W-1:0]  h_len;

  axi_dma_fifo #(.WIDTH(ADDR_W + LEN_W), .DEPTH(2)) u_cmdq (
    .clk_i,
    .rst_ni,
    .push_i  (cmd_valid_i && !cq_full),
    .wdata_i ({cmd_addr_i, cmd_len_i}),
    .pop_i   (cq_pop),
    .rdata_o ({h_addr, h_len}),
    .full_o  (cq_full),
    .empty_o (cq_empty)
  );
  assign cmd_ready_o = !cq_full;

  // ------------------------------------------------------------------ command check
  logic [SumW-1:0] h_end;
  logic [2:0]      h_code;
  assign h_end = SumW'(h_addr) + SumW'(h_len);
  always_comb begin
    if (h_len == '0)                                h_code = StsZero;
    else if (h_addr[3:0] != '0 || h_len[3:0] != '0) h_code = StsAlign;
    else if (h_len > LEN_W'(MAX_LEN))               h_code = StsLen;
    else if (h_end > (SumW'(1) << ADDR_W))          h_code = StsWrap;
    else                                            h_code = StsOk;
  end

  // ------------------------------------------------------------------ burst split
  logic              act_q;
  logic [ADDR_W-1:0] addr_q;
  logic [BeatW-1:0]  rem_q;
  logic [8:0]        to4k, nbeats;
  logic              burst_last, ax_load, gen_free, pop_good, pop_bad;

  always_comb begin
    to4k   = 9'd256 - 9'(addr_q[11:4]);
    nbeats = 9'(MAX_BURST);
    if (to4k < nbeats) nbeats = to4k;
    if (CmpW'(rem_q) < CmpW'(nbeats)) nbeats = 9'(rem_q);
  end
  assign burst_last = (CmpW'(nbeats) == CmpW'(rem_q));

  logic              ax_valid_q;
  logic [ADDR_W-1:0] ax_addr_q;
  logic [7:0]        ax_len_q;

  assign ax_load  = act_q && (!ax_valid_q || ax_ready_i) && info_space_i;
  assign gen_free = !act_q || (ax_load && burst_last);
  assign pop_good = gen_free && !cq_empty && (h_code == StsOk);
  assign pop_bad  = !act_q && !cq_empty && (h_code != StsOk) && info_space_i;
  assign cq_pop   = pop_good || pop_bad;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      act_q      <= 1'b0;
      addr_q     <= '0;
      rem_q      <= '0;
      ax_valid_q <= 1'b0;
      ax_addr_q  <= '0;
      ax_len_q   <= '0;
    end else begin
      if (ax_load) begin
        ax_valid_q <= 1'b1;
        ax_addr_q  <= addr_q;
        ax_len_q   <= 8'(nbeats - 9'd1);
        addr_q     <= addr_q + (ADDR_W'(nbeats) << 4);
        rem_q      <= rem_q - BeatW'(nbeats);
        if (burst_last) act_q <= 1'b0;
      end else if (ax_ready_i) begin
        ax_valid_q <= 1'b0;
      end
      if (pop_good) begin
        act_q  <= 1'b1;
        addr_q <= h_addr;
        rem_q  <= BeatW'(h_len >> 4);
      end
    end
  end

  assign ax_valid_o = ax_valid_q;
  assign ax_addr_o  = ax_addr_q;
  assign ax_len_o   = ax_len_q;

  assign info_push_o   = ax_load || pop_bad;
  assign info_reject_o = pop_bad;
  assign info_code_o   = pop_bad ? h_code : StsOk;
  assign info_last_o   = pop_bad || burst_last;
  assign info_lenm1_o  = pop_bad ? 8'd0 : 8'(nbeats - 9'd1);
  assign busy_o        = act_q || !cq_empty || ax_valid_q;
endmodule
