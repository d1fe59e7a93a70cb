// Decode RM, K lane: the scores of the 16-key blocks b = LANE, LANE + 2, ... of one job.
//
// Input: the lane's K rows from DDR, one 16-byte beat per cycle (HEAD_DIM/16 beats per key, keys
// in position order, only the DDR keys of each block: 16, or pos0 % 16 for the last block).
// Per beat a 16-wide int8 dot product with the matching Q segment; per key
// s = q . k (int32) and t = floor(s * c_mul / 2^24) (attn_pkg::logit). The scores of a block
// are gathered in t_work; when its last key is scored the whole block {t[16], max t, number of
// keys} is pushed into a 2-entry FIFO towards the softmax sequencer (rmd_softmax). The last
// block of the job (global index nb - 1) also holds the new token's key at index pos0 % 16,
// whose score t_new comes from the on-chip copy (rm_decode); that block is pushed once t_new is
// valid (a block without DDR keys is pushed on t_new alone).
//
// Flow control: beats of lane block i are accepted only while i < popped + 2, so a finished
// block always finds a FIFO entry. Pipeline: beat -> (dot16) -> psum_q -> (accumulate, logit)
// -> t_work / FIFO push: a block is at the FIFO head 2 cycles after its last beat.
module rmd_klane #(
  parameter int unsigned HEAD_DIM = 64,
  parameter int unsigned BLK_W    = 8,        // width of block counts (nb <= 2^BLK_W - 1)
  parameter int unsigned LANE     = 0
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  input  logic                   start_i,      // new job: clear the lane state
  input  logic [BLK_W-1:0]       nb_i,         // blocks of the job (stable during the job)
  input  logic [4:0]             last_nd_i,    // DDR keys in the last block (0..15)
  input  logic [HEAD_DIM*8-1:0]  q_i,          // query row (int8), valid with q_valid_i
  input  logic                   q_valid_i,
  input  logic [31:0]            c_mul_i,
  input  logic [47:0]            t_new_i,      // score of the new token's key
  input  logic                   t_new_valid_i,
  // K beats of this lane
  input  logic [127:0]           s_data_i,
  input  logic                   s_valid_i,
  output logic                   s_ready_o,
  // scored blocks
  output logic                   m_valid_o,
  input  logic                   m_ready_i,
  output logic [16*48-1:0]       m_t_o,
  output logic [47:0]            m_bmax_o,
  output logic [4:0]             m_nk_o,       // valid keys of the block (1..16)
  output logic                   active_o      // a beat was taken this cycle
);
  localparam int unsigned NSeg  = HEAD_DIM / 16;
  localparam int unsigned SegW  = (NSeg > 1) ? $clog2(NSeg) : 1;
  localparam int unsigned TW    = 48;
  localparam int unsigned Depth = 2;

  if (HEAD_DIM < 16 || HEAD_DIM % 16 != 0 || HEAD_DIM > 256 || LANE > 1 || BLK_W < 2)
  begin : g_bad_param
    $fatal(1, "rmd_klane: HEAD_DIM=%0d (multiple of 16 in [16, 256]), LANE=%0d (0/1), BLK_W=%0d",
           HEAD_DIM, LANE, BLK_W);
  end

  // ------------------------------------------------------------------ block bookkeeping
  // lane block i is global block 2i + LANE; nbl = number of lane blocks
  logic [BLK_W-1:0] nbl;
  assign nbl = BLK_W'((32'(nb_i) + 1 - LANE) >> 1);

  // lane block counts stay below 2^(BLK_W-1), so the top bit of i is always 0
  function automatic logic [BLK_W-1:0] gblk(input logic [BLK_W-2:0] i);
    gblk = {i, 1'(LANE)};
  endfunction

  // accept side: block / key / segment of the next beat
  logic [BLK_W-1:0] a_blk_q, pop_cnt_q;
  logic [4:0]       a_key_q;
  logic [SegW-1:0]  a_seg_q;
  logic             a_last_blk;
  logic [4:0]       a_nd;
  assign a_last_blk = (gblk(a_blk_q[BLK_W-2:0]) == nb_i - 1'b1);
  assign a_nd       = a_last_blk ? last_nd_i : 5'd16;

  logic credit, take;
  assign credit    = (a_blk_q < nbl) && (BLK_W'(a_blk_q - pop_cnt_q) < BLK_W'(Depth));
  assign s_ready_o = q_valid_i && credit && (a_key_q < a_nd);
  assign take      = s_valid_i && s_ready_o;
  assign active_o  = take;

  // ------------------------------------------------------------------ stage 1: dot16
  logic [7:0] qseg [16];
  always_comb begin
    for (int unsigned e = 0; e < 16; e++) begin
      qseg[e] = q_i[(32'(a_seg_q) * 16 + e) * 8 +: 8];
    end
  end

  logic signed [19:0] dot;
  always_comb begin
    logic signed [15:0] prod;
    dot = '0;
    for (int unsigned e = 0; e < 16; e++) begin
      prod = 16'($signed(qseg[e])) * 16'($signed(s_data_i[e*8 +: 8]));
      dot  = dot + 20'(prod);
    end
  end

  logic               p1_valid_q, p1_first_q, p1_lastseg_q;
  logic signed [19:0] p1_psum_q;
  logic [4:0]         p1_key_q;

  // ------------------------------------------------------------------ stage 2: s, t
  logic signed [31:0] s_acc_q, s_sum;
  logic signed [TW-1:0] t_now;
  assign s_sum = (p1_first_q ? 32'sd0 : s_acc_q) + 32'(p1_psum_q);
  assign t_now = attn_pkg::logit(s_sum, c_mul_i);

  // assembly side: block being gathered
  logic [BLK_W-1:0]     g_blk_q;
  logic [4:0]           g_keys_q;            // DDR keys scored in the block so far
  logic [TW-1:0]        t_work_q [16];
  logic signed [TW-1:0] bmax_q;
  logic                 g_last_blk;
  logic [4:0]           g_nd;
  assign g_last_blk = (gblk(g_blk_q[BLK_W-2:0]) == nb_i - 1'b1);
  assign g_nd       = g_last_blk ? last_nd_i : 5'd16;

  logic score_now;                          // a key's score is produced this cycle
  assign score_now = p1_valid_q && p1_lastseg_q;

  logic [4:0] keys_after;
  assign keys_after = g_keys_q + (score_now ? 5'd1 : 5'd0);

  // push when all DDR keys are scored (and t_new is known for the last block)
  logic fifo_full, push;
  assign push = (g_blk_q < nbl) && (keys_after == g_nd) && (!g_last_blk || t_new_valid_i) &&
                !fifo_full;

  // push data: t_work with this cycle's score and (last block) t_new merged in
  logic [16*TW-1:0]     push_t;
  logic signed [TW-1:0] push_bmax, bmax_ddr;
  always_comb begin
    for (int unsigned j = 0; j < 16; j++) begin
      push_t[j*TW +: TW] = t_work_q[j];
      if (score_now && p1_key_q == 5'(j)) push_t[j*TW +: TW] = t_now;
      if (g_last_blk && last_nd_i == 5'(j)) push_t[j*TW +: TW] = t_new_i;
    end
    bmax_ddr = bmax_q;
    if (score_now && (g_keys_q == '0 || t_now > bmax_q)) bmax_ddr = t_now;
    push_bmax = bmax_ddr;
    if (g_last_blk) begin
      if (g_nd == '0 || $signed(t_new_i) > bmax_ddr) push_bmax = t_new_i;
    end
  end

  // ------------------------------------------------------------------ output FIFO
  localparam int unsigned EntW = 16 * TW + TW + 5;
  logic [EntW-1:0] fifo_q [Depth];
  logic            wptr_q, rptr_q;
  logic [1:0]      cnt_q;
  logic            pop;
  assign fifo_full = (cnt_q == 2'(Depth));
  assign m_valid_o = (cnt_q != '0);
  assign pop       = m_valid_o && m_ready_i;
  assign {m_t_o, m_bmax_o, m_nk_o} = fifo_q[rptr_q];

  always_ff @(posedge clk_i) begin
    if (push) fifo_q[wptr_q] <= {push_t, push_bmax, g_nd + (g_last_blk ? 5'd1 : 5'd0)};
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      a_blk_q      <= '0;
      a_key_q      <= '0;
      a_seg_q      <= '0;
      pop_cnt_q    <= '0;
      p1_valid_q   <= 1'b0;
      p1_first_q   <= 1'b0;
      p1_lastseg_q <= 1'b0;
      p1_psum_q    <= '0;
      p1_key_q     <= '0;
      s_acc_q      <= '0;
      g_blk_q      <= '0;
      g_keys_q     <= '0;
      t_work_q     <= '{default: '0};
      bmax_q       <= '0;
      wptr_q       <= 1'b0;
      rptr_q       <= 1'b0;
      cnt_q        <= '0;
    end else if (start_i) begin
      a_blk_q    <= '0;
      a_key_q    <= '0;
      a_seg_q    <= '0;
      pop_cnt_q  <= '0;
      p1_valid_q <= 1'b0;
      g_blk_q    <= '0;
      g_keys_q   <= '0;
      wptr_q     <= 1'b0;
      rptr_q     <= 1'b0;
      cnt_q      <= '0;
    end else begin
      // accept
      if (take) begin
        if (32'(a_seg_q) == NSeg - 1) begin
          a_seg_q <= '0;
          if (a_key_q + 5'd1 == a_nd) begin
            a_key_q <= '0;
            a_blk_q <= a_blk_q + 1'b1;
          end else begin
            a_key_q <= a_key_q + 5'd1;
          end
        end else begin
          a_seg_q <= a_seg_q + 1'b1;
        end
      end
      // a block without DDR keys (the last one, pos0 % 16 == 0) is "accepted" at once
      if (!take && a_blk_q < nbl && a_nd == '0 && credit) a_blk_q <= a_blk_q + 1'b1;
      p1_valid_q   <= take;
      p1_first_q   <= (a_seg_q == '0);
      p1_lastseg_q <= (32'(a_seg_q) == NSeg - 1);
      p1_psum_q    <= dot;
      p1_key_q     <= a_key_q;
      // accumulate / score
      if (p1_valid_q) s_acc_q <= s_sum;
      if (score_now) begin
        t_work_q[p1_key_q[3:0]] <= t_now;
        if (g_keys_q == '0 || t_now > bmax_q) bmax_q <= t_now;
      end
      if (push) begin
        g_blk_q  <= g_blk_q + 1'b1;
        g_keys_q <= '0;
      end else begin
        g_keys_q <= keys_after;
      end
      // FIFO
      if (push) wptr_q <= !wptr_q;
      if (pop) begin
        rptr_q    <= !rptr_q;
        pop_cnt_q <= pop_cnt_q + 1'b1;
      end
      cnt_q <= cnt_q + (push ? 2'd1 : 2'd0) - (pop ? 2'd1 : 2'd0);
    end
  end
endmodule
