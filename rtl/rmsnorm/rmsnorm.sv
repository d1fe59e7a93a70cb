// RMSNorm (docs/elementwise.md; contract docs/numerics.md, golden `rmsnorm_int`).
//
// One row (token) of Q.16 values arrives as beats of LANES x int32, the last beat flagged by
// s_axis_tlast_i, padded with zeros to a whole beat (zeros add nothing to the sum of squares and
// normalise to 0). The row length is whatever the stream delivers (d_model or d_ffn, <= D_MAX).
// s_axis_tuser_i carries the job of the row, sampled on its first beat:
//   tuser[GAW-1:0]      gain base: word address of the row's gain vector in the gain memory
//   tuser[GAW+31:GAW]   eps_int (unsigned, >= 1 by contract)
// For every row:
//   pass 1 (input):  ssq = sum floor(h_i^2, 16);  V = ssq + eps_int                 (62 bits)
//   rsqrt:           e2 = even floor(log2 V), mv = V >> (e2 - 14) in [2^14, 2^16),
//                    y0 = RSQRT_LUT[mv >> 8], y1 = floor(y0 * (3 * 2^44 - mv * y0^2), 45)
//   pass 2 (output): u_i = rnd(h_i * y1, e2/2 - 1) (left shift by 1 when e2 = 0),
//                    y_i = sat28(rnd(u_i * G_i, 24)),  G = gain word (gbase + beat index)
// Output beats: LANES x int32 (sat28 values, sign-extended), same beat count and tlast as the input.
//
// Gain memory: G_WORDS words of LANES x int32 (lane l of word a = gain of element LANES*a + l of
// the vector stored at a), written through g_we_i/g_waddr_i/g_wdata_i (one word per cycle, e.g.
// straight from 128-bit DDR beats at load time). Several gain vectors live at different bases.
//
// Two row buffers (ping-pong): row k+1 streams in while row k is normalised and streamed out; the
// rsqrt of a row (6 cycles) overlaps the tail of the previous row's output.
// Errors (sticky): err_overflow_o - a row longer than D_MAX (cut at D_MAX, surplus beats dropped);
// err_gain_o - gbase + beats of a row runs past G_WORDS (the address wraps).
// V = 0 (eps_int = 0 and an all-zero row) is treated as V = 1: the output row is all zero.
module rmsnorm #(
  parameter int unsigned LANES   = 4,
  parameter int unsigned D_MAX   = 4096,
  parameter int unsigned G_WORDS = 1024
) (
  input  logic                              clk_i,
  input  logic                              rst_ni,
  // input rows: LANES x int32 (Q.16); tuser = {eps_int, gain base}
  input  logic [LANES*32-1:0]               s_axis_tdata_i,
  input  logic                              s_axis_tvalid_i,
  output logic                              s_axis_tready_o,
  input  logic                              s_axis_tlast_i,
  input  logic [$clog2(G_WORDS)+31:0]       s_axis_tuser_i,
  // output rows: LANES x int32 (Q.16, saturated to 28 bits)
  output logic [LANES*32-1:0]               m_axis_tdata_o,
  output logic                              m_axis_tvalid_o,
  input  logic                              m_axis_tready_i,
  output logic                              m_axis_tlast_o,
  // gain memory write port
  input  logic                              g_we_i,
  input  logic [$clog2(G_WORDS)-1:0]        g_waddr_i,
  input  logic [LANES*32-1:0]               g_wdata_i,
  // status
  output logic                              busy_o,
  output logic                              err_overflow_o,
  output logic                              err_gain_o
);
  localparam int unsigned Depth = D_MAX / LANES;      // beats per row buffer
  localparam int unsigned AddrW = $clog2(Depth);
  localparam int unsigned CntW  = $clog2(Depth + 1);
  localparam int unsigned GAW   = $clog2(G_WORDS);
  localparam int unsigned VW    = 62;                 // V = ssq + eps < 2^62 (contract bound)
  localparam int unsigned UW    = 27;                 // |u| <= 2^25 (contract asserts < 2^25)
  localparam int unsigned Y1W   = 17;                 // y1 < 2^16
  localparam int unsigned HeW   = 5;                  // e2 / 2 in [0, 30]
  localparam int unsigned OutW  = 28;                 // sat28 output

  if (LANES < 1 || LANES > 64 || D_MAX < 2 * LANES || (D_MAX % LANES) != 0 || D_MAX > 16384 ||
      G_WORDS < 2) begin : g_bad_param
    $fatal(1, "rmsnorm: bad parameters LANES=%0d D_MAX=%0d G_WORDS=%0d (need 1 <= LANES <= 64, D_MAX a multiple of LANES with >= 2 beats, D_MAX <= 16384, G_WORDS >= 2)",
           LANES, D_MAX, G_WORDS);
  end

  // ------------------------------------------------------------------ arithmetic helpers
  // sum over lanes of floor(h^2, 16): < LANES * 2^46
  function automatic logic [VW-1:0] beat_ssq(input logic [LANES*32-1:0] beat);
    logic [VW-1:0]      s;
    logic signed [63:0] h, sq;
    s = '0;
    for (int unsigned l = 0; l < LANES; l++) begin
      h  = 64'($signed(beat[l*32 +: 32]));
      sq = h * h;                                     // <= 2^62
      s  = s + VW'(sq >>> 16);
    end
    beat_ssq = s;
  endfunction

  // u = rnd(h * y1, he - 1), or (h * y1) << 1 when he == 0
  function automatic logic [UW-1:0] scale_u(input logic signed [31:0] h,
                                            input logic [Y1W-1:0] y1,
                                            input logic [HeW-1:0] he);
    logic signed [50:0] hy;
    hy = 51'(h) * $signed({1'b0, y1});
    if (he == '0) begin
      hy = hy <<< 1;
    end else if (he > HeW'(1)) begin
      hy = (hy + (51'sd1 <<< (he - HeW'(2)))) >>> (he - HeW'(1));
    end
    scale_u = hy[UW-1:0];
  endfunction

  // y = sat28(rnd(u * G, 24)), sign-extended to 32 bits
  function automatic logic [31:0] gain_out(input logic signed [UW-1:0] u,
                                           input logic signed [31:0] g);
    logic signed [UW+32-1:0] p;
    p = (UW+32)'(u) * (UW+32)'(g);
    p = (p + ((UW+32)'(1) <<< 23)) >>> 24;
    if (p > (UW+32)'(2**(OutW-1) - 1))   gain_out = 32'(2**(OutW-1) - 1);
    else if (p < -(UW+32)'(2**(OutW-1))) gain_out = -32'(2**(OutW-1));
    else                                 gain_out = 32'($signed(p[OutW-1:0]));
  endfunction

  // ------------------------------------------------------------------ memories
  logic [LANES*32-1:0] rowbuf_q [2][Depth];     // one bank per buffer
  logic [LANES*32-1:0] gmem_q [G_WORDS];

  always_ff @(posedge clk_i) begin
    if (g_we_i) gmem_q[g_waddr_i] <= g_wdata_i;
  end

  // ------------------------------------------------------------------ per-buffer row state
  logic [1:0]      full_q, full_d;        // row complete in the buffer
  logic [1:0]      nrm_q, nrm_d;          // rsqrt of the row done
  logic [CntW-1:0] nbeats_q [2];
  logic [GAW-1:0]  gbase_q [2];
  logic [VW-1:0]   v_q [2];
  logic [Y1W-1:0]  y1_q [2];
  logic [HeW-1:0]  he_q [2];

  // ------------------------------------------------------------------ pass 1: input side
  logic            wsel_q;
  logic [CntW-1:0] wcnt_q;
  logic [VW-1:0]   acc_q;
  logic [GAW-1:0]  row_gbase_q;
  logic [31:0]     row_eps_q;
  logic            err_ovf_q;
  logic            in_fire, in_store;
  logic [VW-1:0]   acc_next;
  logic [GAW-1:0]  cur_gbase;
  logic [31:0]     cur_eps;

  assign s_axis_tready_o = !full_q[wsel_q];
  assign in_fire  = s_axis_tvalid_i && s_axis_tready_o;
  assign in_store = in_fire && (wcnt_q < CntW'(Depth));
  assign acc_next = acc_q + (in_store ? beat_ssq(s_axis_tdata_i) : '0);
  // the job is sampled on the first beat of a row
  assign cur_gbase = (wcnt_q == '0) ? s_axis_tuser_i[GAW-1:0] : row_gbase_q;
  assign cur_eps   = (wcnt_q == '0) ? s_axis_tuser_i[GAW +: 32] : row_eps_q;

  always_ff @(posedge clk_i) begin
    if (in_store) rowbuf_q[wsel_q][AddrW'(wcnt_q)] <= s_axis_tdata_i;
  end

  // ------------------------------------------------------------------ rsqrt (one row at a time)
  typedef enum logic [2:0] {NIdle, NNorm, NSeed, NMul1, NMul2, NMul3} nrm_state_e;
  nrm_state_e       nstate_q;
  logic             nsel_q;
  logic [VW-1:0]    nv;
  logic [5:0]       msb;
  logic [HeW-1:0]   n_he_q;
  logic [15:0]      n_mv_q, n_y0_q, rom_y0;
  logic [31:0]      n_t_q;
  logic [46:0]      n_s_q;
  logic             nrm_done;
  logic [Y1W-1:0]   y1_new;
  logic [15:0]      mv_new;
  logic [62:0]      newton_p;

  assign nv = (v_q[nsel_q] == '0) ? VW'(1) : v_q[nsel_q];
  always_comb begin
    msb = '0;
    for (int unsigned b = 0; b < VW; b++) begin
      if (nv[b]) msb = 6'(b);
    end
  end
  // mv = V >> (e2 - 14) == (V << 14) >> e2, exact in both directions
  assign mv_new = 16'({nv, 14'd0} >> {msb[5:1], 1'b0});

  rsqrt_rom u_rsqrt_rom (
    .idx_i (n_mv_q[15:8]),
    .y0_o  (rom_y0)
  );

  assign newton_p = 63'(n_y0_q) * 63'(n_s_q);
  assign y1_new   = Y1W'(newton_p >> 45);
  assign nrm_done = (nstate_q == NMul3);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      nstate_q <= NIdle;
      nsel_q   <= 1'b0;
      n_he_q   <= '0;
      n_mv_q   <= '0;
      n_y0_q   <= '0;
      n_t_q    <= '0;
      n_s_q    <= '0;
    end else begin
      unique case (nstate_q)
        NIdle: if (full_q[nsel_q] && !nrm_q[nsel_q]) nstate_q <= NNorm;
        NNorm: begin                                  // normalise to an even exponent
          n_he_q   <= HeW'(msb >> 1);
          n_mv_q   <= mv_new;
          nstate_q <= NSeed;
        end
        NSeed: begin                                  // LUT seed
          n_y0_q   <= rom_y0;
          nstate_q <= NMul1;
        end
        NMul1: begin                                  // mv * y0
          n_t_q    <= 32'(n_mv_q) * 32'(n_y0_q);
          nstate_q <= NMul2;
        end
        NMul2: begin                                  // 3 * 2^44 - mv * y0^2 (> 0)
          n_s_q    <= 47'(3) * (47'(1) << 44) - 47'(n_t_q) * 47'(n_y0_q);
          nstate_q <= NMul3;
        end
        NMul3: begin                                  // y1 = floor(y0 * s, 45): see y1_new
          nsel_q   <= !nsel_q;
          nstate_q <= NIdle;
        end
        default: nstate_q <= NIdle;
      endcase
    end
  end

  // ------------------------------------------------------------------ pass 2: output pipeline
  // R1: row buffer + gain memory read; R2: u = h * y1 scaled; R3: output register.
  logic            rsel_q;
  logic [CntW-1:0] rcnt_q;
  logic            adv, rd_go, rd_last;
  logic [GAW:0]    gaddr;
  logic            err_gain_q;

  logic                 r1_valid_q, r1_last_q, r2_valid_q, r2_last_q, out_valid_q, out_last_q;
  logic [LANES*32-1:0]  r1_h_q, r1_g_q, r2_g_q, out_data_q;
  logic [Y1W-1:0]       r1_y1_q;
  logic [HeW-1:0]       r1_he_q;
  logic [LANES*UW-1:0]  r2_u_q;

  assign adv     = !out_valid_q || m_axis_tready_i;
  assign rd_go   = adv && full_q[rsel_q] && nrm_q[rsel_q];
  assign rd_last = rd_go && (rcnt_q == nbeats_q[rsel_q] - 1'b1);
  assign gaddr   = (GAW+1)'(gbase_q[rsel_q]) + (GAW+1)'(rcnt_q);

  always_ff @(posedge clk_i) begin
    if (rd_go) begin
      r1_h_q  <= rowbuf_q[rsel_q][AddrW'(rcnt_q)];
      r1_g_q  <= gmem_q[gaddr[GAW-1:0]];
      r1_y1_q <= y1_q[rsel_q];
      r1_he_q <= he_q[rsel_q];
    end
    if (adv) begin
      r2_g_q <= r1_g_q;
      for (int unsigned l = 0; l < LANES; l++) begin
        r2_u_q[l*UW +: UW]    <= scale_u(r1_h_q[l*32 +: 32], r1_y1_q, r1_he_q);
        out_data_q[l*32 +: 32] <= gain_out(r2_u_q[l*UW +: UW], r2_g_q[l*32 +: 32]);
      end
    end
  end

  // ------------------------------------------------------------------ control state
  always_comb begin
    full_d = full_q;
    nrm_d  = nrm_q;
    if (in_fire && s_axis_tlast_i) full_d[wsel_q] = 1'b1;
    if (rd_last) begin
      full_d[rsel_q] = 1'b0;
      nrm_d[rsel_q]  = 1'b0;
    end
    if (nrm_done) nrm_d[nsel_q] = 1'b1;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      full_q      <= '0;
      nrm_q       <= '0;
      nbeats_q    <= '{default: '0};
      gbase_q     <= '{default: '0};
      v_q         <= '{default: '0};
      y1_q        <= '{default: '0};
      he_q        <= '{default: '0};
      wsel_q      <= 1'b0;
      wcnt_q      <= '0;
      acc_q       <= '0;
      row_gbase_q <= '0;
      row_eps_q   <= '0;
      err_ovf_q   <= 1'b0;
      rsel_q      <= 1'b0;
      rcnt_q      <= '0;
      err_gain_q  <= 1'b0;
      r1_valid_q  <= 1'b0;
      r1_last_q   <= 1'b0;
      r2_valid_q  <= 1'b0;
      r2_last_q   <= 1'b0;
      out_valid_q <= 1'b0;
      out_last_q  <= 1'b0;
    end else begin
      full_q <= full_d;
      nrm_q  <= nrm_d;
      // pass 1
      if (in_fire) begin
        if (!in_store) err_ovf_q <= 1'b1;
        if (wcnt_q == '0) begin
          row_gbase_q <= cur_gbase;
          row_eps_q   <= cur_eps;
        end
        if (s_axis_tlast_i) begin
          nbeats_q[wsel_q] <= in_store ? wcnt_q + 1'b1 : wcnt_q;
          gbase_q[wsel_q]  <= cur_gbase;
          v_q[wsel_q]      <= acc_next + VW'(cur_eps);
          wsel_q           <= !wsel_q;
          wcnt_q           <= '0;
          acc_q            <= '0;
        end else begin
          wcnt_q <= in_store ? wcnt_q + 1'b1 : wcnt_q;
          acc_q  <= acc_next;
        end
      end
      // rsqrt result
      if (nrm_done) begin
        y1_q[nsel_q] <= y1_new;
        he_q[nsel_q] <= n_he_q;
      end
      // pass 2
      if (rd_go) begin
        rcnt_q <= rd_last ? '0 : rcnt_q + 1'b1;
        if (rd_last) rsel_q <= !rsel_q;
        if (gaddr >= (GAW+1)'(G_WORDS)) err_gain_q <= 1'b1;
      end
      if (adv) begin
        r1_valid_q  <= rd_go;
        r1_last_q   <= rd_last;
        r2_valid_q  <= r1_valid_q;
        r2_last_q   <= r1_last_q;
        out_valid_q <= r2_valid_q;
        out_last_q  <= r2_last_q;
      end
    end
  end

  assign m_axis_tdata_o  = out_data_q;
  assign m_axis_tvalid_o = out_valid_q;
  assign m_axis_tlast_o  = out_last_q;
  assign busy_o          = (full_q != '0) || (wcnt_q != '0) || r1_valid_q || r2_valid_q ||
                           out_valid_q;
  assign err_overflow_o  = err_ovf_q;
  assign err_gain_o      = err_gain_q;
endmodule
