// Decode RM, merge and output: the online-softmax accumulator and the O row.
//
// Blocks are merged strictly in order g = 0 .. nb-1, block g from V lane g % 2, all HEAD_DIM
// elements in one cycle:
//   acc = rnd(acc * alpha_g, 16) + S_g          (attn_pkg::rescale_acc, 40-bit signed)
// (block 0 has alpha = 0, so acc needs no clearing beyond the start). The row sum l comes from
// the sequencer; inv_l = floor(2^48 / l) (rmd_recip, started as soon as l is final, usually
// hidden behind the last blocks' P.V). Then the O row is streamed, 4 Q.16 values per beat:
//   o = sat32(rnd(acc * inv_l, 32 + fv))
// out_done_o pulses with the handshake of the row's last beat (tlast).
module rmd_merge #(
  parameter int unsigned HEAD_DIM  = 64,
  parameter int unsigned BLK_W     = 8,
  parameter int unsigned DIV_STEPS = 2
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  input  logic                     start_i,
  input  logic [BLK_W-1:0]         nb_i,
  input  logic [4:0]               fv_i,
  // finished blocks of the two V lanes
  input  logic [1:0]               h_valid_i,
  output logic [1:0]               h_ready_o,
  input  logic [2*HEAD_DIM*29-1:0] h_s_i,
  input  logic [2*17-1:0]          h_alpha_i,
  // row sum
  input  logic                     l_valid_i,
  input  logic [31:0]              l_i,
  // O row
  output logic [127:0]             m_tdata_o,
  output logic                     m_tlast_o,
  output logic                     m_tvalid_o,
  input  logic                     m_tready_i,
  output logic                     out_done_o,
  output logic                     active_o
);
  localparam int unsigned SW   = 29;
  localparam int unsigned AccW = 40;
  localparam int unsigned NOb  = HEAD_DIM / 4;
  localparam int unsigned ObW  = $clog2(NOb + 1);

  if (HEAD_DIM < 16 || HEAD_DIM % 16 != 0 || HEAD_DIM > 256 || BLK_W < 2) begin : g_bad_param
    $fatal(1, "rmd_merge: HEAD_DIM=%0d (multiple of 16 in [16, 256]), BLK_W=%0d", HEAD_DIM, BLK_W);
  end

  // ------------------------------------------------------------------ merge
  logic signed [AccW-1:0] acc_q [HEAD_DIM];
  logic [BLK_W-1:0]       g_q;
  logic                   sel, fire;
  logic [16:0]            alpha;
  assign sel   = g_q[0];
  assign fire  = (g_q < nb_i) && h_valid_i[sel];
  assign alpha = h_alpha_i[32'(sel) * 17 +: 17];
  always_comb begin
    h_ready_o      = '0;
    h_ready_o[sel] = fire;
  end

  logic signed [AccW-1:0] acc_d [HEAD_DIM];
  always_comb begin
    for (int unsigned d = 0; d < HEAD_DIM; d++) begin
      acc_d[d] = attn_pkg::rescale_acc(acc_q[d], alpha) +
                 AccW'($signed(h_s_i[(32'(sel) * HEAD_DIM + d) * SW +: SW]));
    end
  end

  always_ff @(posedge clk_i) begin
    if (fire) acc_q <= acc_d;
  end

  // ------------------------------------------------------------------ inv_l
  logic        div_start, div_done, div_started_q, inv_valid_q;
  logic [32:0] inv_l;
  assign div_start = l_valid_i && !div_started_q;

  /* verilator lint_off PINCONNECTEMPTY */
  rmd_recip #(.STEPS(DIV_STEPS)) u_recip (
    .clk_i,
    .rst_ni,
    .start_i    (div_start),
    .l_i        (l_i),
    .busy_o     (),
    .done_o     (div_done),
    .quotient_o (inv_l)
  );
  /* verilator lint_on PINCONNECTEMPTY */

  // ------------------------------------------------------------------ output
  logic [ObW-1:0] ob_q;
  logic           out_valid_q, out_last_q, load, out_fire;
  logic [127:0]   out_data_q, beat;
  assign load     = (g_q == nb_i) && inv_valid_q && (ob_q < ObW'(NOb)) &&
                    (!out_valid_q || m_tready_i);
  assign out_fire = out_valid_q && m_tready_i;

  localparam int unsigned PW = AccW + 34;          // acc (40 b signed) x inv_l (33 b unsigned)
  localparam logic signed [PW-1:0] Max32 = PW'(64'sh7fffffff);
  localparam logic signed [PW-1:0] Min32 = -PW'(64'sh80000000);

  function automatic logic [31:0] normalise(input logic signed [AccW-1:0] a,
                                            input logic [32:0] inv, input logic [4:0] fv);
    logic signed [PW-1:0] prod, half, y;
    logic [6:0]           sh;
    sh   = 7'd32 + 7'(fv);
    prod = PW'(a) * $signed({1'b0, inv});
    half = PW'(1) <<< (sh - 7'd1);
    y    = (prod + half) >>> sh;
    if (y > Max32)      normalise = 32'h7fffffff;
    else if (y < Min32) normalise = 32'h80000000;
    else                normalise = y[31:0];
  endfunction

  always_comb begin
    for (int unsigned e = 0; e < 4; e++) begin
      beat[e*32 +: 32] = normalise(acc_q[32'(ob_q) * 4 + e], inv_l, fv_i);
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      g_q           <= '0;
      div_started_q <= 1'b0;
      inv_valid_q   <= 1'b0;
      ob_q          <= '0;
      out_valid_q   <= 1'b0;
      out_last_q    <= 1'b0;
      out_data_q    <= '0;
    end else if (start_i) begin
      g_q           <= '0;
      div_started_q <= 1'b0;
      inv_valid_q   <= 1'b0;
      ob_q          <= '0;
      out_valid_q   <= 1'b0;
      out_last_q    <= 1'b0;
    end else begin
      if (fire)      g_q <= g_q + 1'b1;
      if (div_start) div_started_q <= 1'b1;
      if (div_done)  inv_valid_q <= 1'b1;
      if (load) begin
        out_valid_q <= 1'b1;
        out_data_q  <= beat;
        out_last_q  <= (32'(ob_q) == NOb - 1);
        ob_q        <= ob_q + 1'b1;
      end else if (out_fire) begin
        out_valid_q <= 1'b0;
      end
    end
  end

  assign m_tdata_o  = out_data_q;
  assign m_tlast_o  = out_last_q;
  assign m_tvalid_o = out_valid_q;
  assign out_done_o = out_fire && out_last_q;
  assign active_o   = fire || load;
endmodule
