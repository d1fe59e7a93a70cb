// Online-softmax update of one query row for one 16-key block (docs/numerics.md, "Attention with
// block-wise online softmax"), combinational. Used once per PE row by rm_prefill (stage C).
//
//   m'    = max(m, max_{j visible} t_j)
//   alpha = exp2_neg(m' - m)                  (m = MInit for the row's first block: alpha = 0)
//   p_j   = exp2_neg(m' - t_j), 0 for masked keys
//   l'    = rnd(l * alpha, 16) + sum_j p_j
//
// t_i holds the 16 base-2 logits (signed Q.8, attn_pkg::TW bits each, key j at [j*TW +: TW]);
// vis_i[j] says key j is visible (causal mask of a diagonal block). A row that sees a block sees
// at least one of its keys, so m' is always a real logit.
module pf_softmax (
  input  logic [16*attn_pkg::TW-1:0] t_i,
  input  logic [15:0]                vis_i,
  input  logic [attn_pkg::TW-1:0]    m_i,
  input  logic [attn_pkg::LW-1:0]    l_i,
  output logic [attn_pkg::TW-1:0]    m_o,
  output logic [attn_pkg::LW-1:0]    l_o,
  output logic [attn_pkg::PW-1:0]    alpha_o,
  output logic [16*attn_pkg::PW-1:0] p_o
);
  localparam int unsigned TW = attn_pkg::TW;
  localparam int unsigned PW = attn_pkg::PW;
  localparam int unsigned LW = attn_pkg::LW;

  logic signed [TW-1:0] m_blk, m_new;
  logic [TW-1:0]        d_alpha;
  logic [TW-1:0]        d_p [16];
  logic [PW-1:0]        p_raw [16];
  logic [LW-1:0]        p_sum;

  always_comb begin
    m_blk = attn_pkg::MInit;
    for (int unsigned j = 0; j < 16; j++) begin
      if (vis_i[j] && $signed(t_i[j*TW +: TW]) > m_blk) m_blk = $signed(t_i[j*TW +: TW]);
    end
    m_new   = ($signed(m_i) > m_blk) ? $signed(m_i) : m_blk;
    d_alpha = TW'(m_new - $signed(m_i));
    for (int unsigned j = 0; j < 16; j++) begin
      // masked keys: any d >= 0 keeps the ROM input legal; their p is forced to 0 below
      d_p[j] = vis_i[j] ? TW'(m_new - $signed(t_i[j*TW +: TW])) : '0;
    end
  end

  attn_exp2 #(.DW(TW)) u_alpha (.d_i(d_alpha), .p_o(alpha_o));
  for (genvar j = 0; j < 16; j++) begin : g_p
    attn_exp2 #(.DW(TW)) u_p (.d_i(d_p[j]), .p_o(p_raw[j]));
    assign p_o[j*PW +: PW] = vis_i[j] ? p_raw[j] : '0;
  end

  always_comb begin
    p_sum = '0;
    for (int unsigned j = 0; j < 16; j++) p_sum = p_sum + LW'(p_o[j*PW +: PW]);
  end

  assign m_o = m_new;
  assign l_o = attn_pkg::rescale_l(l_i, alpha_o) + p_sum;
endmodule
