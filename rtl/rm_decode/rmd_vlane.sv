// Decode RM, V lane: the P.V partial sums of the 16-key blocks b = LANE, LANE + 2, ... .
//
// V beats from DDR are assembled into rows (HEAD_DIM/16 beats) and queued in a row FIFO of
// VQ_DEPTH rows, which absorbs the lag between a block's V data and its probabilities (the
// block's max is known only after its last K beat). Per block the sequencer (rmd_softmax)
// delivers {p[16], alpha} into a 2-entry FIFO (taken at once, so the sequencer never waits for
// a busy lane while the other lane needs its next block). The lane then processes one key row per cycle,
//   S = sum_j p_j * v_j        (exact; |S| < 2^27, SW = 29 bits signed per element)
// taking the DDR rows from the row FIFO and, for the job's last block, the new token's V row
// (on-chip copy) as key pos0 % 16. The finished block {S, alpha} goes to a 1-entry hold that
// the merge unit (rmd_merge) empties in global block order.
module rmd_vlane #(
  parameter int unsigned HEAD_DIM = 64,
  parameter int unsigned BLK_W    = 8,
  parameter int unsigned LANE     = 0,
  parameter int unsigned VQ_DEPTH = 32
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  input  logic                     start_i,
  input  logic [BLK_W-1:0]         nb_i,
  input  logic [4:0]               last_nd_i,
  input  logic [HEAD_DIM*8-1:0]    v_new_i,
  input  logic                     v_new_valid_i,
  // V beats of this lane
  input  logic [127:0]             s_data_i,
  input  logic                     s_valid_i,
  output logic                     s_ready_o,
  // probabilities of the lane's next blocks (FIFO push side)
  input  logic                     p_valid_i,
  output logic                     p_ready_o,
  input  logic [16*17-1:0]         p_i,
  input  logic [16:0]              alpha_i,
  // finished block
  output logic                     h_valid_o,
  input  logic                     h_ready_i,
  output logic [HEAD_DIM*29-1:0]   h_s_o,
  output logic [16:0]              h_alpha_o,
  output logic                     active_o      // a key row was processed this cycle
);
  localparam int unsigned NSeg  = HEAD_DIM / 16;
  localparam int unsigned SegW  = (NSeg > 1) ? $clog2(NSeg) : 1;
  localparam int unsigned RowW  = HEAD_DIM * 8;
  localparam int unsigned SW    = 29;
  localparam int unsigned PtrW  = $clog2(VQ_DEPTH);
  localparam int unsigned CntW  = $clog2(VQ_DEPTH + 1);

  if (HEAD_DIM < 16 || HEAD_DIM % 16 != 0 || HEAD_DIM > 256 || LANE > 1 || BLK_W < 2 ||
      VQ_DEPTH < 2 || (VQ_DEPTH & (VQ_DEPTH - 1)) != 0) begin : g_bad_param
    $fatal(1, "rmd_vlane: HEAD_DIM=%0d (multiple of 16 in [16, 256]), LANE=%0d, BLK_W=%0d, VQ_DEPTH=%0d (power of 2 >= 2)",
           HEAD_DIM, LANE, BLK_W, VQ_DEPTH);
  end

  logic [BLK_W-1:0] nbl;
  assign nbl = BLK_W'((32'(nb_i) + 1 - LANE) >> 1);

  // ------------------------------------------------------------------ row assembly + FIFO
  logic [RowW-1:0] rowq_q [VQ_DEPTH];
  logic [PtrW-1:0] rq_w_q, rq_r_q;
  logic [CntW-1:0] rq_cnt_q;
  logic            rq_full, rq_empty, rq_push, rq_pop;
  logic [SegW-1:0] seg_q;
  logic [127:0]    part_q [NSeg];          // beats of the row being assembled (last unused)
  logic            in_fire, in_last;
  logic [RowW-1:0] row_in;

  assign rq_full   = (rq_cnt_q == CntW'(VQ_DEPTH));
  assign rq_empty  = (rq_cnt_q == '0);
  assign in_last   = (32'(seg_q) == NSeg - 1);
  assign s_ready_o = !in_last || !rq_full;
  assign in_fire   = s_valid_i && s_ready_o;
  assign rq_push   = in_fire && in_last;

  always_comb begin
    for (int unsigned k = 0; k < NSeg; k++) row_in[k*128 +: 128] = part_q[k];
    row_in[(NSeg-1)*128 +: 128] = s_data_i;
  end

  always_ff @(posedge clk_i) begin
    if (in_fire && !in_last) part_q[seg_q] <= s_data_i;
    if (rq_push) rowq_q[rq_w_q] <= row_in;
  end

  // ------------------------------------------------------------------ key processing
  logic [BLK_W-1:0] blk_q;                 // lane block being processed
  logic [4:0]       key_q;                 // key within the block
  logic             last_blk;
  logic [4:0]       nd, nk;
  assign last_blk = ({blk_q[BLK_W-2:0], 1'(LANE)} == nb_i - 1'b1);
  assign nd       = last_blk ? last_nd_i : 5'd16;
  assign nk       = nd + (last_blk ? 5'd1 : 5'd0);

  // p FIFO (2 entries of {p[16], alpha})
  logic [16*17+17-1:0] pf_q [2];
  logic                pf_w_q, pf_r_q, pf_push, pf_pop, pf_valid;
  logic [1:0]          pf_cnt_q;
  logic [16*17-1:0]    p_head;
  logic [16:0]         alpha_head;
  assign p_ready_o = (pf_cnt_q != 2'd2);
  assign pf_push   = p_valid_i && p_ready_o;
  assign pf_valid  = (pf_cnt_q != '0);
  assign {p_head, alpha_head} = pf_q[pf_r_q];

  always_ff @(posedge clk_i) begin
    if (pf_push) pf_q[pf_w_q] <= {p_i, alpha_i};
  end

  logic            use_new, row_ok, last_key, fire;
  logic [RowW-1:0] row;
  logic [16:0]     pj;
  assign use_new  = (key_q == nd);         // only reachable in the last block
  assign row_ok   = use_new ? v_new_valid_i : !rq_empty;
  assign row      = use_new ? v_new_i : rowq_q[rq_r_q];
  assign last_key = (key_q + 5'd1 == nk);
  assign pj       = p_head[32'(key_q[3:0]) * 17 +: 17];

  logic h_valid_q;
  assign fire     = (blk_q < nbl) && pf_valid && row_ok && (!last_key || !h_valid_q || h_ready_i);
  assign rq_pop   = fire && !use_new;
  assign pf_pop   = fire && last_key;
  assign active_o = fire;

  logic signed [SW-1:0] s_acc_q [HEAD_DIM];
  logic signed [SW-1:0] s_next  [HEAD_DIM];
  always_comb begin
    logic signed [25:0] prod;
    for (int unsigned d = 0; d < HEAD_DIM; d++) begin
      prod      = $signed({1'b0, pj}) * 26'($signed(row[d*8 +: 8]));
      s_next[d] = ((key_q == '0) ? SW'(0) : s_acc_q[d]) + SW'(prod);
    end
  end

  logic [HEAD_DIM*SW-1:0] h_s_q;
  logic [16:0]            h_alpha_q;

  always_ff @(posedge clk_i) begin
    if (fire) s_acc_q <= s_next;
    if (fire && last_key) begin
      for (int unsigned d = 0; d < HEAD_DIM; d++) h_s_q[d*SW +: SW] <= s_next[d];
      h_alpha_q <= alpha_head;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rq_w_q    <= '0;
      rq_r_q    <= '0;
      rq_cnt_q  <= '0;
      seg_q     <= '0;
      blk_q     <= '0;
      key_q     <= '0;
      h_valid_q <= 1'b0;
      pf_w_q    <= 1'b0;
      pf_r_q    <= 1'b0;
      pf_cnt_q  <= '0;
    end else if (start_i) begin
      rq_w_q    <= '0;
      rq_r_q    <= '0;
      rq_cnt_q  <= '0;
      seg_q     <= '0;
      blk_q     <= '0;
      key_q     <= '0;
      h_valid_q <= 1'b0;
      pf_w_q    <= 1'b0;
      pf_r_q    <= 1'b0;
      pf_cnt_q  <= '0;
    end else begin
      if (pf_push) pf_w_q <= !pf_w_q;
      if (pf_pop)  pf_r_q <= !pf_r_q;
      pf_cnt_q <= pf_cnt_q + (pf_push ? 2'd1 : 2'd0) - (pf_pop ? 2'd1 : 2'd0);
      if (in_fire) seg_q <= in_last ? '0 : seg_q + 1'b1;
      if (rq_push) rq_w_q <= rq_w_q + 1'b1;
      if (rq_pop)  rq_r_q <= rq_r_q + 1'b1;
      rq_cnt_q <= rq_cnt_q + (rq_push ? CntW'(1) : '0) - (rq_pop ? CntW'(1) : '0);
      if (fire) begin
        if (last_key) begin
          key_q <= '0;
          blk_q <= blk_q + 1'b1;
        end else begin
          key_q <= key_q + 5'd1;
        end
      end
      if (fire && last_key)        h_valid_q <= 1'b1;
      else if (h_valid_q && h_ready_i) h_valid_q <= 1'b0;
    end
  end

  assign h_valid_o = h_valid_q;
  assign h_s_o     = h_s_q;
  assign h_alpha_o = h_alpha_q;
endmodule
