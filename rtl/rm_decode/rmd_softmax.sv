// Decode RM, online-softmax sequencer: blocks 0 .. nb-1 strictly in order (docs/numerics.md).
//
// Block g comes from K lane g % 2 as {t[16], max t, number of keys nk}. Stage A (the pop cycle):
//   m'    = max(m, max_j t_j)            alpha = exp2_neg(m' - m)
//   p_j   = exp2_neg(m' - t_j)  for j < nk, 0 otherwise (16 attn_exp2 in parallel)
// Stage B: l = rnd(l * alpha, 16) + sum_j p_j, and {p[16], alpha} is handed to V lane g % 2.
// One block per cycle; the pipeline stalls as a whole while V lane g % 2 cannot take stage B.
// After the last block l is final: l_valid_o rises (and stays high until the next start_i).
module rmd_softmax #(
  parameter int unsigned BLK_W = 8
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             start_i,
  input  logic [BLK_W-1:0] nb_i,
  // scored blocks from the two K lanes
  input  logic [1:0]       s_valid_i,
  output logic [1:0]       s_ready_o,
  input  logic [2*16*48-1:0] s_t_i,
  input  logic [2*48-1:0]  s_bmax_i,
  input  logic [2*5-1:0]   s_nk_i,
  // probabilities to the two V lanes
  output logic [1:0]       m_valid_o,
  input  logic [1:0]       m_ready_i,
  output logic [16*17-1:0] m_p_o,          // shared by both lanes (valid tells which)
  output logic [16:0]      m_alpha_o,
  // row sum
  output logic             l_valid_o,
  output logic [31:0]      l_o
);
  localparam int unsigned TW = 48;

  if (BLK_W < 2 || BLK_W > 16) begin : g_bad_param
    $fatal(1, "rmd_softmax: BLK_W=%0d outside [2, 16]", BLK_W);
  end

  logic [BLK_W-1:0]     g_q;               // next block to take
  logic signed [TW-1:0] m_q;
  logic [31:0]          l_q;
  logic                 l_valid_q;

  // ------------------------------------------------------------------ stage A
  logic                 sel;
  logic                 a_valid, a_fire;
  logic [16*TW-1:0]     a_t;
  logic signed [TW-1:0] a_bmax, m_new;
  logic [4:0]           a_nk;
  assign sel     = g_q[0];
  assign a_valid = (g_q < nb_i) && s_valid_i[sel];
  assign a_t     = s_t_i[32'(sel) * 16 * TW +: 16 * TW];
  assign a_bmax  = s_bmax_i[32'(sel) * TW +: TW];
  assign a_nk    = s_nk_i[32'(sel) * 5 +: 5];
  assign m_new   = (a_bmax > m_q) ? a_bmax : m_q;

  logic [16:0] alpha, p [16];
  attn_exp2 #(.DW(TW)) u_alpha (.d_i(TW'(m_new - m_q)), .p_o(alpha));
  for (genvar j = 0; j < 16; j++) begin : g_p
    logic [16:0] pe;
    attn_exp2 #(.DW(TW)) u_exp (.d_i(TW'(m_new - $signed(a_t[j*TW +: TW]))), .p_o(pe));
    assign p[j] = (5'(j) < a_nk) ? pe : 17'd0;
  end

  // ------------------------------------------------------------------ stage B
  logic              b_valid_q, b_sel_q, b_last_q;
  logic [16*17-1:0]  b_p_q;
  logic [16:0]       b_alpha_q;
  logic              b_fire, adv;
  assign b_fire = b_valid_q && m_ready_i[b_sel_q];
  assign adv    = !b_valid_q || b_fire;
  assign a_fire = a_valid && adv;

  always_comb begin
    s_ready_o      = '0;
    s_ready_o[sel] = a_fire;
    m_valid_o      = '0;
    m_valid_o[b_sel_q] = b_valid_q;
  end
  assign m_p_o     = b_p_q;
  assign m_alpha_o = b_alpha_q;

  logic [31:0] psum;
  always_comb begin
    psum = '0;
    for (int unsigned j = 0; j < 16; j++) psum = psum + 32'(b_p_q[j*17 +: 17]);
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      g_q       <= '0;
      m_q       <= attn_pkg::MInit;
      l_q       <= '0;
      l_valid_q <= 1'b0;
      b_valid_q <= 1'b0;
      b_sel_q   <= 1'b0;
      b_last_q  <= 1'b0;
      b_p_q     <= '0;
      b_alpha_q <= '0;
    end else if (start_i) begin
      g_q       <= '0;
      m_q       <= attn_pkg::MInit;
      l_q       <= '0;
      l_valid_q <= 1'b0;
      b_valid_q <= 1'b0;
    end else begin
      if (a_fire) begin
        g_q <= g_q + 1'b1;
        m_q <= m_new;
      end
      if (adv) begin
        b_valid_q <= a_fire;
        b_sel_q   <= sel;
        b_last_q  <= (g_q == nb_i - 1'b1);
        b_alpha_q <= alpha;
        for (int unsigned j = 0; j < 16; j++) b_p_q[j*17 +: 17] <= p[j];
      end
      if (b_fire) begin
        l_q <= attn_pkg::rescale_l(l_q, b_alpha_q) + psum;
        if (b_last_q) l_valid_q <= 1'b1;
      end
    end
  end

  assign l_valid_o = l_valid_q;
  assign l_o       = l_q;
endmodule
