// RoPE + int8 requantisation (docs/elementwise.md; golden `rope_int`, `requant_int8`).
//
// One row is the Q (or K, or V) vector of one token: n_heads x HEAD_DIM values in Q.16, arriving
// as beats of LANES x int32 (tlast on the last beat, zero padding to a whole beat). For a rotated
// row, per head and for i < h = HEAD_DIM/2 (rotate-half convention):
//   x'_i     = sat32(rnd(x_i * c - x_{i+h} * s, 14))       c = cos_t[pos, i], s = sin_t[pos, i]
//   x'_{i+h} = sat32(rnd(x_{i+h} * c + x_i * s, 14))       (Q1.14 tables)
// then every value (rotated, or the input itself when rotation is off, e.g. for V):
//   q8 = sat8(rnd(x', 16 - frac_bits))
// Output rows: beats of OUT_LANES x int8, the last beat zero-padded and flagged by tlast.
//
// s_axis_tuser_i carries the job of the row, sampled on its first beat and passed through to
// m_axis_tuser_o on every beat of the output row:
//   tuser[PW-1:0]      position pos (< MAX_CTX)            PW = $clog2(MAX_CTX)
//   tuser[PW+4:PW]     frac_bits (0..16)
//   tuser[PW+5]        rot_en (1: rotate, Q/K; 0: requantise only, V)
// Table memory: MAX_CTX * HEAD_DIM/2 / LANES words; word pos * (HEAD_DIM/2/LANES) + j holds, in
// lane l, {sin_t[pos, LANES*j+l], cos_t[pos, LANES*j+l]} (int16 each, cos in the low half). It is
// written through t_we_i/t_waddr_i/t_wdata_i (one 128-bit word per cycle at LANES = 4).
//
// Two row buffers (ping-pong): row k+1 streams in while row k is rotated and streamed out, one
// input beat (LANES values) per cycle. The rotation reads an element and its partner in the same
// cycle (two read ports on the bank being read; the other bank takes the writes).
// Errors (sticky): err_overflow_o - row longer than D_MAX (cut, surplus dropped); err_cfg_o -
// pos >= MAX_CTX, frac_bits > 16 (clamped to 16), or a rotated row that is not whole heads.
module rope #(
  parameter int unsigned LANES     = 4,
  parameter int unsigned OUT_LANES = 16,
  parameter int unsigned HEAD_DIM  = 96,
  parameter int unsigned MAX_CTX   = 2048,
  parameter int unsigned D_MAX     = 1536
) (
  input  logic                                          clk_i,
  input  logic                                          rst_ni,
  // input rows: LANES x int32 (Q.16); tuser = {rot_en, frac_bits, pos}
  input  logic [LANES*32-1:0]                           s_axis_tdata_i,
  input  logic                                          s_axis_tvalid_i,
  output logic                                          s_axis_tready_o,
  input  logic                                          s_axis_tlast_i,
  input  logic [$clog2(MAX_CTX)+5:0]                    s_axis_tuser_i,
  // output rows: OUT_LANES x int8; tuser = the row's job word
  output logic [OUT_LANES*8-1:0]                        m_axis_tdata_o,
  output logic                                          m_axis_tvalid_o,
  input  logic                                          m_axis_tready_i,
  output logic                                          m_axis_tlast_o,
  output logic [$clog2(MAX_CTX)+5:0]                    m_axis_tuser_o,
  // cos/sin table write port
  input  logic                                          t_we_i,
  input  logic [$clog2(MAX_CTX*HEAD_DIM/2/LANES)-1:0]   t_waddr_i,
  input  logic [LANES*32-1:0]                           t_wdata_i,
  // status
  output logic                                          busy_o,
  output logic                                          err_overflow_o,
  output logic                                          err_cfg_o
);
  localparam int unsigned PW       = $clog2(MAX_CTX);
  localparam int unsigned UserW    = PW + 6;
  localparam int unsigned HalfW    = HEAD_DIM / 2 / LANES;        // words per half head
  localparam int unsigned HeadW    = 2 * HalfW;                   // words per head
  localparam int unsigned TabWords = MAX_CTX * HalfW;
  localparam int unsigned TAW      = $clog2(TabWords);
  localparam int unsigned Depth    = D_MAX / LANES;               // words per row buffer
  localparam int unsigned AddrW    = $clog2(Depth);
  localparam int unsigned CntW     = $clog2(Depth + 1);
  localparam int unsigned HwW      = $clog2(HeadW);
  localparam int unsigned Groups   = OUT_LANES / LANES;           // input beats per output beat
  localparam int unsigned GrpW     = (Groups > 1) ? $clog2(Groups) : 1;

  if (LANES < 1 || LANES > 16 || OUT_LANES < LANES || (OUT_LANES % LANES) != 0 ||
      HEAD_DIM < 2 * LANES || (HEAD_DIM % (2 * LANES)) != 0 || MAX_CTX < 2 ||
      D_MAX < HEAD_DIM || (D_MAX % HEAD_DIM) != 0) begin : g_bad_param
    $fatal(1, "rope: bad parameters LANES=%0d OUT_LANES=%0d HEAD_DIM=%0d MAX_CTX=%0d D_MAX=%0d (need OUT_LANES a multiple of LANES, HEAD_DIM a multiple of 2*LANES, MAX_CTX >= 2, D_MAX a multiple of HEAD_DIM)",
           LANES, OUT_LANES, HEAD_DIM, MAX_CTX, D_MAX);
  end

  // ------------------------------------------------------------------ arithmetic helpers
  // sat32(rnd(x * c -/+ xp * s, 14))
  function automatic logic [31:0] rotate(input logic signed [31:0] x,
                                         input logic signed [31:0] xp,
                                         input logic signed [15:0] c,
                                         input logic signed [15:0] s,
                                         input logic               hi);
    logic signed [48:0] xc, ps, acc;
    xc  = 49'(x) * 49'(c);
    ps  = 49'(xp) * 49'(s);
    acc = (hi ? xc + ps : xc - ps) + 49'sd8192;
    acc = acc >>> 14;
    if (acc > 49'sd2147483647)       rotate = 32'h7fff_ffff;
    else if (acc < -49'sd2147483648) rotate = 32'h8000_0000;
    else                             rotate = acc[31:0];
  endfunction

  // sat8(rnd(x, sh)), sh in [0, 16]
  function automatic logic [7:0] requant(input logic signed [31:0] x, input logic [4:0] sh);
    logic signed [32:0] r;
    r = 33'(x);
    if (sh != '0) r = (r + (33'sd1 <<< (sh - 5'd1))) >>> sh;
    if (r > 33'sd127)       requant = 8'h7f;
    else if (r < -33'sd128) requant = 8'h80;
    else                    requant = r[7:0];
  endfunction

  // ------------------------------------------------------------------ memories
  logic [LANES*32-1:0] rowbuf_q [2][Depth];     // one bank per buffer
  logic [LANES*32-1:0] tab_q [TabWords];

  always_ff @(posedge clk_i) begin
    if (t_we_i) tab_q[t_waddr_i] <= t_wdata_i;
  end

  // ------------------------------------------------------------------ per-buffer row state
  logic [1:0]       full_q, full_d;
  logic [CntW-1:0]  nbeats_q [2];
  logic [UserW-1:0] user_q [2];
  logic [TAW-1:0]   tbase_q [2];
  logic             rot_q [2];
  logic [4:0]       shift_q [2];      // 16 - frac_bits

  // ------------------------------------------------------------------ write side
  logic             wsel_q;
  logic [CntW-1:0]  wcnt_q;
  logic [HwW-1:0]   whw_q;            // word within the head (whole-head check)
  logic [UserW-1:0] row_user_q;
  logic             err_ovf_q, err_cfg_q;
  logic             in_fire, in_store;
  logic [UserW-1:0] cur_user;
  logic [PW-1:0]    cur_pos;
  logic [4:0]       cur_frac;
  logic             cur_rot;
  logic             bad_pos, bad_frac, bad_heads;

  assign s_axis_tready_o = !full_q[wsel_q];
  assign in_fire  = s_axis_tvalid_i && s_axis_tready_o;
  assign in_store = in_fire && (wcnt_q < CntW'(Depth));
  assign cur_user = (wcnt_q == '0) ? s_axis_tuser_i : row_user_q;
  assign cur_pos  = cur_user[PW-1:0];
  assign cur_frac = cur_user[PW +: 5];
  assign cur_rot  = cur_user[PW+5];
  /* verilator lint_off UNSIGNED */
  /* verilator lint_off CMPCONST */
  assign bad_pos  = (32'(cur_pos) >= MAX_CTX);
  /* verilator lint_on CMPCONST */
  /* verilator lint_on UNSIGNED */
  assign bad_frac = (cur_frac > 5'd16);
  // at tlast: a rotated row must end on the last word of a head
  assign bad_heads = cur_rot && (whw_q != HwW'(HeadW - 1));

  always_ff @(posedge clk_i) begin
    if (in_store) rowbuf_q[wsel_q][AddrW'(wcnt_q)] <= s_axis_tdata_i;
  end

  // ------------------------------------------------------------------ read side (group pipeline)
  // R1: row buffer (element + partner) and table read; R2: rotation; R3: requantisation;
  // then the packer assembles Groups groups of LANES int8 into one output beat.
  logic             rsel_q;
  logic [CntW-1:0]  rcnt_q;
  logic [HwW-1:0]   rhw_q;
  logic             adv, rd_go, rd_last, rd_hi;
  logic [AddrW-1:0] partner;
  logic [HwW-1:0]   tidx;
  logic [TAW-1:0]   taddr;

  logic                r1_valid_q, r1_last_q, r1_hi_q, r1_rot_q;
  logic [4:0]          r1_sh_q;
  logic [UserW-1:0]    r1_user_q;
  logic [LANES*32-1:0] r1_x_q, r1_xp_q, r1_cs_q;
  logic                r2_valid_q, r2_last_q;
  logic [4:0]          r2_sh_q;
  logic [UserW-1:0]    r2_user_q;
  logic [LANES*32-1:0] r2_r_q;
  logic                r3_valid_q, r3_last_q;
  logic [UserW-1:0]    r3_user_q;
  logic [LANES*8-1:0]  r3_q8_q;

  logic                 out_valid_q, out_last_q;
  logic [OUT_LANES*8-1:0] out_data_q, asm_q, asm_next;
  logic [UserW-1:0]     out_user_q;
  logic [GrpW-1:0]      asm_cnt_q;
  logic                 emit;

  assign adv     = !out_valid_q || m_axis_tready_i;
  assign rd_go   = adv && full_q[rsel_q];
  assign rd_last = rd_go && (rcnt_q == nbeats_q[rsel_q] - 1'b1);
  assign rd_hi   = (rhw_q >= HwW'(HalfW));
  assign partner = rd_hi ? AddrW'(rcnt_q) - AddrW'(HalfW) : AddrW'(rcnt_q) + AddrW'(HalfW);
  assign tidx    = rd_hi ? rhw_q - HwW'(HalfW) : rhw_q;
  assign taddr   = tbase_q[rsel_q] + TAW'(tidx);

  always_ff @(posedge clk_i) begin
    if (rd_go) begin
      r1_x_q    <= rowbuf_q[rsel_q][AddrW'(rcnt_q)];
      r1_xp_q   <= rowbuf_q[rsel_q][partner];
      r1_cs_q   <= tab_q[taddr];
      r1_hi_q   <= rd_hi;
      r1_rot_q  <= rot_q[rsel_q];
      r1_sh_q   <= shift_q[rsel_q];
      r1_user_q <= user_q[rsel_q];
    end
    if (adv) begin
      r2_sh_q   <= r1_sh_q;
      r2_user_q <= r1_user_q;
      r3_user_q <= r2_user_q;
      for (int unsigned l = 0; l < LANES; l++) begin
        r2_r_q[l*32 +: 32] <= r1_rot_q ? rotate(r1_x_q[l*32 +: 32], r1_xp_q[l*32 +: 32],
                                                r1_cs_q[l*32 +: 16], r1_cs_q[l*32+16 +: 16],
                                                r1_hi_q)
                                       : r1_x_q[l*32 +: 32];
        r3_q8_q[l*8 +: 8]  <= requant(r2_r_q[l*32 +: 32], r2_sh_q);
      end
    end
  end

  // packer: slot asm_cnt_q of the beat being assembled gets the R3 group
  always_comb begin
    asm_next = asm_q;
    asm_next[asm_cnt_q*LANES*8 +: LANES*8] = r3_q8_q;
  end
  assign emit = adv && r3_valid_q && (r3_last_q || asm_cnt_q == GrpW'(Groups - 1));

  // ------------------------------------------------------------------ control state
  always_comb begin
    full_d = full_q;
    if (in_fire && s_axis_tlast_i) full_d[wsel_q] = 1'b1;
    if (rd_last)                   full_d[rsel_q] = 1'b0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      full_q      <= '0;
      nbeats_q    <= '{default: '0};
      user_q      <= '{default: '0};
      tbase_q     <= '{default: '0};
      rot_q       <= '{default: '0};
      shift_q     <= '{default: '0};
      wsel_q      <= 1'b0;
      wcnt_q      <= '0;
      whw_q       <= '0;
      row_user_q  <= '0;
      err_ovf_q   <= 1'b0;
      err_cfg_q   <= 1'b0;
      rsel_q      <= 1'b0;
      rcnt_q      <= '0;
      rhw_q       <= '0;
      r1_valid_q  <= 1'b0;
      r1_last_q   <= 1'b0;
      r2_valid_q  <= 1'b0;
      r2_last_q   <= 1'b0;
      r3_valid_q  <= 1'b0;
      r3_last_q   <= 1'b0;
      asm_q       <= '0;
      asm_cnt_q   <= '0;
      out_valid_q <= 1'b0;
      out_last_q  <= 1'b0;
      out_data_q  <= '0;
      out_user_q  <= '0;
    end else begin
      full_q <= full_d;
      // write side
      if (in_fire) begin
        if (!in_store) err_ovf_q <= 1'b1;
        if (wcnt_q == '0) row_user_q <= s_axis_tuser_i;
        if (s_axis_tlast_i) begin
          nbeats_q[wsel_q] <= in_store ? wcnt_q + 1'b1 : wcnt_q;
          user_q[wsel_q]   <= cur_user;
          /* verilator lint_off WIDTH */
          tbase_q[wsel_q]  <= TAW'(cur_pos * HalfW);
          /* verilator lint_on WIDTH */
          rot_q[wsel_q]    <= cur_rot;
          shift_q[wsel_q]  <= bad_frac ? 5'd0 : 5'd16 - cur_frac;
          if (bad_pos || bad_frac || bad_heads) err_cfg_q <= 1'b1;
          wsel_q           <= !wsel_q;
          wcnt_q           <= '0;
          whw_q            <= '0;
        end else begin
          wcnt_q <= in_store ? wcnt_q + 1'b1 : wcnt_q;
          whw_q  <= (whw_q == HwW'(HeadW - 1)) ? '0 : whw_q + 1'b1;
        end
      end
      // read side
      if (rd_go) begin
        rcnt_q <= rd_last ? '0 : rcnt_q + 1'b1;
        rhw_q  <= (rd_last || rhw_q == HwW'(HeadW - 1)) ? '0 : rhw_q + 1'b1;
        if (rd_last) rsel_q <= !rsel_q;
      end
      if (adv) begin
        r1_valid_q <= rd_go;
        r1_last_q  <= rd_last;
        r2_valid_q <= r1_valid_q;
        r2_last_q  <= r1_last_q;
        r3_valid_q <= r2_valid_q;
        r3_last_q  <= r2_last_q;
      end
      // packer and output register
      if (emit) begin
        out_valid_q <= 1'b1;
        out_last_q  <= r3_last_q;
        out_data_q  <= asm_next;
        out_user_q  <= r3_user_q;
        asm_q       <= '0;
        asm_cnt_q   <= '0;
      end else begin
        if (m_axis_tready_i) out_valid_q <= 1'b0;
        if (adv && r3_valid_q) begin
          asm_q     <= asm_next;
          asm_cnt_q <= asm_cnt_q + 1'b1;
        end
      end
    end
  end

  assign m_axis_tdata_o  = out_data_q;
  assign m_axis_tvalid_o = out_valid_q;
  assign m_axis_tlast_o  = out_last_q;
  assign m_axis_tuser_o  = out_user_q;
  assign busy_o          = (full_q != '0) || (wcnt_q != '0) || r1_valid_q || r2_valid_q ||
                           r3_valid_q || (asm_cnt_q != '0) || out_valid_q;
  assign err_overflow_o  = err_ovf_q;
  assign err_cfg_o       = err_cfg_q;
endmodule
