// TLMM: ternary table-lookup linear engine (docs/tlmm.md).
//
// One job computes y[m, n] = sat32(round(acc[m, n] * amax[m] * wmul / 2^wshift)) with
// acc[m, n] = sum_k xq[m, k] * w[n, k] for M int8 rows of K activations against an N x K ternary
// matrix stored base-3 packed (G weights per byte code) in the on-chip weight memory at word
// address wbase (bitnet_golden.ops_int.linear_int, bit-exact).
//
// Dataflow (rows are processed in blocks of up to ROWS rows sharing every weight fetch):
//   input   rows stream into one of two activation buffers (ping-pong, ROWS rows each);
//   builder reads group j (G bytes) of every row of the block and builds its lookup table
//           (tlmm_table) into a 2-entry table ring, running ahead of the lookups;
//   sweep   S0 reads one weight line (LANES codes of group j for outputs t*LANES ..) per cycle
//           and the matching accumulator line; S1 looks every code up in the table of every
//           row of the block and writes acc (+)= T[code] back (bypass for back-to-back lines);
//           lines of group j, then group j+1, ..., so a table lives N/LANES cycles;
//   drain   the finished accumulator bank (ping-pong with the one being computed) is read a
//           line at a time, requantised 4 lanes per cycle and streamed out (4 x int32 beats).
// Cycles per job ~ F0 + ceil(M/ROWS) * ceil(K/G) * ceil(N/LANES) + D_last + ~7 when compute
// bound (docs/tlmm.md has the exact recurrence; bitnet_golden.tlmm.tlmm_cycles implements it).
//
// Weight image (bitnet_golden.tlmm.weight_image): the code of output n, group j lives in word
// wbase + j*NW + n/16, byte n%16, NW = ceil(N/LW)*LW/16 words per group, LW = max(16, LANES);
// padding codes are C0 = (3^G-1)/2 (all weights zero). With LANES > 16 the memory has LANES/16
// banks interleaved on the low word-address bits and wbase must be a multiple of LANES/16.
module tlmm #(
  parameter int unsigned G        = 5,      // weights per code (1..5)
  parameter int unsigned LANES    = 32,     // codes (lookups per row) per cycle: 4..64, pow2
  parameter int unsigned ROWS     = 1,      // rows in flight sharing a weight fetch (1..16)
  parameter int unsigned IN_LANES = 16,     // int8 per input beat (pow2, >= G)
  parameter int unsigned N_MAX    = 512,    // largest N (multiple of LANES)
  parameter int unsigned K_MAX    = 512,    // largest K (multiple of IN_LANES)
  parameter int unsigned WDEPTH   = 4096,   // weight memory depth in 128-bit words
  parameter bit          HALF     = 1'b1,   // store the +/- symmetric half of each table
  parameter int unsigned CNT_W    = 48      // performance counter width
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  // weight memory write port: one 128-bit word per cycle (filled by the DMA at load time)
  input  logic                      wmem_we_i,
  input  logic [$clog2(WDEPTH)-1:0] wmem_addr_i,
  input  logic [127:0]              wmem_wdata_i,
  // job configuration (accepted when idle)
  input  logic                      cfg_valid_i,
  output logic                      cfg_ready_o,
  input  logic [15:0]               cfg_n_i,       // outputs per row, 1..N_MAX
  input  logic [15:0]               cfg_k_i,       // inputs per row, 1..K_MAX
  input  logic [15:0]               cfg_m_i,       // rows, >= 1
  input  logic [31:0]               cfg_wbase_i,   // word address of the weight image
  input  logic [15:0]               cfg_wmul_i,    // requantisation multiplier
  input  logic [5:0]                cfg_wshift_i,  // requantisation shift
  // activation rows: IN_LANES x int8, tuser = amax of the row (act_quant output)
  input  logic [IN_LANES*8-1:0]     s_axis_tdata_i,
  input  logic                      s_axis_tvalid_i,
  output logic                      s_axis_tready_o,
  input  logic                      s_axis_tlast_i,
  input  logic [31:0]               s_axis_tuser_i,
  // output rows: 4 x int32 (Q.16), tlast at row end
  output logic [127:0]              m_axis_tdata_o,
  output logic                      m_axis_tvalid_o,
  input  logic                      m_axis_tready_i,
  output logic                      m_axis_tlast_o,
  // status
  output logic                      busy_o,       // a job is running
  output logic                      done_o,       // one-cycle pulse at the end of a job
  output logic                      err_cfg_o,    // sticky: a job was rejected (bad config)
  output logic                      err_len_o,    // sticky: an input row had the wrong length
  // performance counters (cumulative, cleared by cnt_clr_i)
  input  logic                      cnt_clr_i,
  output logic [CNT_W-1:0]          cnt_busy_o,      // cycles with a job running
  output logic [CNT_W-1:0]          cnt_lookup_o,    // table lookups performed
  output logic [CNT_W-1:0]          cnt_stall_in_o,  // busy, no lookup: waiting for activations
  output logic [CNT_W-1:0]          cnt_stall_out_o  // busy, no lookup: waiting for the drain
);
  // ------------------------------------------------------------------ parameters
  localparam int unsigned TF     = 3 ** G;                      // codes of a group
  localparam int unsigned C0     = (TF - 1) / 2;                // code of all-zero weights
  localparam int unsigned TE     = HALF ? C0 : TF;              // stored table entries
  localparam logic [8:0]  TF9    = 9'(TF);
  localparam logic [8:0]  C09    = 9'(C0);
  localparam int unsigned TEW    = $clog2(TE + 1);              // table index width
  localparam int unsigned TW     = $clog2(G * 128 + 1) + 1;     // |T| <= 128 G
  localparam int unsigned ACC_W  = $clog2(K_MAX * 128 + 1) + 1; // |acc| <= 128 K_MAX
  localparam int unsigned P      = (LANES >= 16) ? LANES / 16 : 1;  // weight banks
  localparam int unsigned PSH    = $clog2(P);
  localparam int unsigned QW     = (LANES >= 16) ? 1 : 16 / LANES;  // lines per word
  localparam int unsigned QSW    = (QW > 1) ? $clog2(QW) : 1;
  localparam int unsigned WAW    = $clog2(WDEPTH);
  localparam int unsigned WROWS  = WDEPTH / P;
  localparam int unsigned WRW    = (WROWS > 1) ? $clog2(WROWS) : 1;
  localparam int unsigned NL_MAX = N_MAX / LANES;                 // accumulator lines per row
  localparam int unsigned LAW    = (NL_MAX > 1) ? $clog2(NL_MAX) : 1;
  localparam int unsigned KW_MAX = K_MAX / IN_LANES;              // input beats per row
  localparam int unsigned KAW    = $clog2(KW_MAX);
  localparam int unsigned KBW    = $clog2(KW_MAX + 1);
  localparam int unsigned ISH    = $clog2(IN_LANES);
  localparam int unsigned KG_MAX = (K_MAX + G - 1) / G;
  localparam int unsigned GW     = $clog2(KG_MAX + 1);
  localparam int unsigned RSW    = (ROWS > 1) ? $clog2(ROWS) : 1;
  localparam int unsigned RCW    = $clog2(ROWS + 1);
  localparam int unsigned LSH    = $clog2(LANES);
  localparam int unsigned BPL    = LANES / 4;                     // output beats per line
  localparam int unsigned BSH    = $clog2(BPL);
  localparam int unsigned BSW    = (BPL > 1) ? BSH : 1;
  localparam int unsigned GM1    = G - 1;
  localparam int unsigned KG_SH  = 21;                            // ceil(K/G) by reciprocal
  localparam int unsigned KG_RCP = ((1 << KG_SH) + G - 1) / G;    // exact for K < 2^16 + G
  localparam int unsigned SCL_W  = 48;                            // amax (32) x wmul (16)
  localparam int unsigned PROD_W = ACC_W + SCL_W + 1;
  localparam int unsigned ODEPTH = 4;                             // output FIFO entries

  if (G < 1 || G > 5) begin : g_bad_g
    $fatal(1, "tlmm: G=%0d must be in [1, 5] (one byte holds a base-3 code of at most 5 weights)",
           G);
  end
  if (LANES != 4 && LANES != 8 && LANES != 16 && LANES != 32 && LANES != 64) begin : g_bad_lanes
    $fatal(1, "tlmm: LANES=%0d must be 4, 8, 16, 32 or 64", LANES);
  end
  if (ROWS < 1 || ROWS > 16) begin : g_bad_rows
    $fatal(1, "tlmm: ROWS=%0d must be in [1, 16]", ROWS);
  end
  if (IN_LANES < G || IN_LANES > 64 || (IN_LANES & (IN_LANES - 1)) != 0) begin : g_bad_in_lanes
    $fatal(1, "tlmm: IN_LANES=%0d must be a power of two in [G=%0d, 64]", IN_LANES, G);
  end
  if (N_MAX < LANES || N_MAX % LANES != 0 || N_MAX > 65535) begin : g_bad_n_max
    $fatal(1, "tlmm: N_MAX=%0d must be a multiple of LANES=%0d and at most 65535", N_MAX, LANES);
  end
  if (K_MAX < 2 * IN_LANES || K_MAX % IN_LANES != 0 || K_MAX > 65535) begin : g_bad_k_max
    $fatal(1, "tlmm: K_MAX=%0d must be a multiple of IN_LANES=%0d, at least 2 beats, at most 65535",
           K_MAX, IN_LANES);
  end
  if (WDEPTH < 2 * P || WDEPTH % P != 0 || (WDEPTH & (WDEPTH - 1)) != 0) begin : g_bad_wdepth
    $fatal(1, "tlmm: WDEPTH=%0d must be a power of two with at least 2 words per bank (%0d banks)",
           WDEPTH, P);
  end
  if (CNT_W < 16 || CNT_W > 64) begin : g_bad_cnt_w
    $fatal(1, "tlmm: CNT_W=%0d must be in [16, 64]", CNT_W);
  end

  typedef enum logic [1:0] {AccFree, AccCompute, AccDrain} acc_st_e;

  // ------------------------------------------------------------------ job configuration
  logic              job_q, done_q, err_cfg_q, err_len_q;
  logic [15:0]       n_q, k_q;
  logic [15:0]       wmul_q;
  logic [5:0]        wshift_q;
  logic [WAW-1:0]    wbase_q;
  logic [GW-1:0]     kg_q;       // groups per row  ceil(K/G)
  logic [LAW:0]      nl_q;       // lines per group ceil(N/LANES)
  logic [KBW-1:0]    kbeats_q;   // input beats per row ceil(K/IN_LANES)
  logic [15:0]       nb_q;       // output beats per row ceil(N/4)
  logic [15:0]       out_rows_q; // rows still to be sent out

  logic        cfg_fire, cfg_ok;
  logic [16:0] cfg_kg, cfg_nl, cfg_nw;
  logic [33:0] cfg_end;

  assign cfg_ready_o = !job_q && !done_q;
  assign cfg_fire    = cfg_valid_i && cfg_ready_o;
  // (only taken with cfg_fire: evaluated while a configuration is offered)
  always_comb begin
    cfg_kg  = '0;
    cfg_nl  = '0;
    cfg_nw  = '0;
    cfg_end = '0;
    cfg_ok  = 1'b0;
    if (cfg_valid_i) begin
      cfg_kg  = 17'(((40'(cfg_k_i) + 40'(GM1)) * 40'(KG_RCP)) >> KG_SH);
      cfg_nl  = (17'(cfg_n_i) + 17'(LANES - 1)) >> LSH;
      cfg_nw  = (LANES >= 16) ? (cfg_nl << PSH) : ((17'(cfg_n_i) + 17'd15) >> 4);
      cfg_end = 34'(cfg_wbase_i) + 34'(cfg_kg) * 34'(cfg_nw);
      cfg_ok  = cfg_n_i != 0 && 32'(cfg_n_i) <= N_MAX && cfg_k_i != 0 && 32'(cfg_k_i) <= K_MAX &&
                cfg_m_i != 0 && cfg_end <= 34'(WDEPTH) &&
                (P == 1 || (cfg_wbase_i & 32'(P - 1)) == 0);
    end
  end

  // ------------------------------------------------------------------ weight memory
  // P banks of 128-bit words (bank = word address mod P), one write and one read port each
  logic [WRW-1:0]   wmem_wrow, s0_wrow;
  logic [P-1:0]     wmem_wbank;
  logic [P*128-1:0] wline;       // the weight line read by S0, valid in S1
  logic             s0_go;
  assign wmem_wrow = WRW'(wmem_addr_i >> PSH);
  if (P == 1) begin : g_one_bank
    assign wmem_wbank = 1'b1;
  end else begin : g_banks
    assign wmem_wbank = P'(1) << wmem_addr_i[PSH-1:0];
  end
  for (genvar b = 0; b < P; b++) begin : g_wmem
    logic [127:0] mem [WROWS];
    logic [127:0] rd_q;
    always_ff @(posedge clk_i) begin
      if (wmem_we_i && wmem_wbank[b]) mem[wmem_wrow] <= wmem_wdata_i;
      if (s0_go)                      rd_q <= mem[s0_wrow];
    end
    assign wline[b*128 +: 128] = rd_q;
  end

  // ------------------------------------------------------------------ input: activation rows
  logic                  in_buf_q;
  logic [RSW-1:0]        in_slot_q;
  logic [KBW-1:0]        in_beat_q;
  logic [15:0]           in_rows_q;   // rows still to be received
  logic [1:0]            act_full_q, act_rd_q;
  logic [RCW-1:0]        act_rows_q [2];
  logic [31:0]           amax_q [2][ROWS];
  logic                  in_fire, in_blk_end;

  assign s_axis_tready_o = job_q && in_rows_q != 0 && !act_full_q[in_buf_q];
  assign in_fire    = s_axis_tvalid_i && s_axis_tready_o;
  assign in_blk_end = in_fire && s_axis_tlast_i &&
                      (32'(in_slot_q) == ROWS - 1 || in_rows_q == 16'd1);

  // two buffers x ROWS rows of KW_MAX beats; written a beat per cycle, read by the builder
  // two consecutive words at a time (two asynchronous read ports: distributed RAM)
  logic [KAW-1:0]        bld_w0, bld_w1;
  logic [IN_LANES*8-1:0] act_w0 [2][ROWS];
  logic [IN_LANES*8-1:0] act_w1 [2][ROWS];
  for (genvar b = 0; b < 2; b++) begin : g_act_buf
    for (genvar s = 0; s < ROWS; s++) begin : g_act_row
      logic [IN_LANES*8-1:0] mem [KW_MAX];
      always_ff @(posedge clk_i) begin
        if (in_fire && in_buf_q == b[0] && 32'(in_slot_q) == s && in_beat_q < KBW'(KW_MAX)) begin
          mem[KAW'(in_beat_q)] <= s_axis_tdata_i;
        end
      end
      assign act_w0[b][s] = mem[bld_w0];
      assign act_w1[b][s] = mem[bld_w1];
    end
  end

  // ------------------------------------------------------------------ table builder
  logic                 bld_buf_q;
  logic [GW-1:0]        bld_j_q;
  logic [15:0]          bld_koff_q;   // j * G
  logic [15:0]          bld_rows_q;   // rows of the job still to be read by the builder
  logic                 grp_valid_q;
  logic [G*8-1:0]       grp_q [ROWS];
  logic [G*8-1:0]       grp_d [ROWS];
  logic                 bld_go, bld_last;
  logic [TE*TW-1:0]     built [ROWS];
  // table ring (2 entries per row slot; S1 looks up entry thead_q)
  logic [TE*TW-1:0]     ring0_q [ROWS];
  logic [TE*TW-1:0]     ring1_q [ROWS];
  logic                 ttail;
  logic                 thead_q;
  logic [1:0]           tcnt_q;
  logic                 tpush, tpop;

  assign tpush   = grp_valid_q && (tcnt_q != 2'd2 || tpop);
  // act_rd_q: the builder has read every group of the buffer's block; the buffer stays allocated
  // (amax, row count) until the block's last line retires, then the input may refill it
  assign bld_go  = job_q && bld_rows_q != 0 && act_full_q[bld_buf_q] && !act_rd_q[bld_buf_q] &&
                   (!grp_valid_q || tpush);
  assign bld_last = bld_j_q == kg_q - 1'b1;

  assign bld_w0 = KAW'(bld_koff_q >> ISH);
  assign bld_w1 = (32'(bld_w0) == KW_MAX - 1) ? bld_w0 : bld_w0 + 1'b1;
  always_comb begin   // (taken with bld_go only)
    logic [7:0]     win [2*IN_LANES];   // bytes of the two words holding group j
    logic [ISH:0]   sub;
    win   = '{default: '0};
    sub   = (ISH + 1)'(bld_koff_q & 16'(IN_LANES - 1));
    grp_d = '{default: '0};
    if (bld_go) begin
      for (int unsigned s = 0; s < ROWS; s++) begin
        for (int unsigned b = 0; b < IN_LANES; b++) begin
          win[b]            = act_w0[bld_buf_q][s][b*8 +: 8];
          win[b + IN_LANES] = act_w1[bld_buf_q][s][b*8 +: 8];
        end
        for (int unsigned i = 0; i < G; i++) begin
          grp_d[s][i*8 +: 8] = (32'(bld_koff_q) + i < 32'(k_q)) ? win[sub + (ISH + 1)'(i)] : 8'd0;
        end
      end
    end
  end

  // table ring: 2 entries per row slot; the tail is head + count (a push while full replaces the
  // entry popped in the same cycle)
  // (the builders are enabled in the cycles whose table enters the ring)
  assign ttail = thead_q ^ (tcnt_q == 2'd1);
  for (genvar s = 0; s < ROWS; s++) begin : g_table
    tlmm_table #(.G(G), .HALF(HALF)) u_table (.en_i(tpush), .x_i(grp_q[s]), .t_o(built[s]));
  end
  always_ff @(posedge clk_i) begin
    for (int unsigned s = 0; s < ROWS; s++) begin
      if (tpush && ttail)  ring1_q[s] <= built[s];
      if (tpush && !ttail) ring0_q[s] <= built[s];
    end
  end

  always_ff @(posedge clk_i) begin
    for (int unsigned s = 0; s < ROWS; s++) begin
      if (bld_go) grp_q[s] <= grp_d[s];
      // tail of the ring: head + count (a push while full replaces the entry popped this cycle)
    end
  end

  // ------------------------------------------------------------------ sweep: S0 issue
  acc_st_e          acc_st_q [2];
  logic [15:0]      s0_rows_q;    // rows of the job still to be computed
  logic             s0_bank_q;
  logic             s0_claim_q;   // the current block owns its accumulator bank
  logic [GW-1:0]    s0_j_q;
  logic [LAW-1:0]   s0_t_q;
  logic [WAW-1:0]   s0_waddr_q;
  logic [QSW-1:0]   s0_sub_q;
  logic             s0_off_q;     // ring offset of the table S0 issues for
  logic             tbl_ok, bank_ok, s0_glast, s0_blast;

  assign tbl_ok   = s0_off_q ? (tcnt_q == 2'd2) : (tcnt_q != 2'd0);
  assign bank_ok  = s0_claim_q || acc_st_q[s0_bank_q] == AccFree;
  assign s0_go    = job_q && s0_rows_q != 0 && tbl_ok && bank_ok;
  assign s0_glast = 32'(s0_t_q) == 32'(nl_q) - 1;
  assign s0_blast = s0_glast && s0_j_q == kg_q - 1'b1;
  assign s0_wrow  = WRW'(s0_waddr_q >> PSH);

  // ------------------------------------------------------------------ sweep: S1 lookup/acc
  logic             s1_valid_q, s1_bank_q, s1_first_q, s1_glast_q, s1_blast_q;
  logic [LAW-1:0]   s1_t_q;
  logic [QSW-1:0]   s1_sub_q;
  logic [RCW-1:0]   s1_rows_q;
  logic [LANES*ACC_W-1:0] acc_rd [2][ROWS];     // registered read port of each bank
  logic [LANES*ACC_W-1:0] acc_new [ROWS];
  logic [LANES*ACC_W-1:0] fwd_data_q [ROWS];
  logic             fwd_q;
  logic [LANES*8-1:0] codes;

  assign tpop = s1_valid_q && s1_glast_q;


  always_comb begin
    logic [LANES*8-1:0] line [QW];
    for (int unsigned q = 0; q < QW; q++) line[q] = wline[q*LANES*8 +: LANES*8];
    codes = (QW > 1) ? line[s1_sub_q] : line[0];
  end


  // lookup, one TE:1 multiplexer per lane and row: T[c] for c < C0; with HALF, T[c] =
  // -T[3^G-1-c] for c > C0 and T[C0] = 0; codes >= 3^G (weight_image never writes them) give 0.
  // acc_new is taken by the accumulator write (s1_valid_q) and the forwarding register (s0_go).
  // (the temporaries are scratch, written before they are read: not latches)
  /* verilator lint_off LATCH */
  always_comb begin
    logic [LANES*ACC_W-1:0]  old;
    logic signed [ACC_W-1:0] a;
    logic signed [TW-1:0]    v;
    logic [8:0]              c;
    logic [TEW-1:0]          idx;
    logic                    neg, zero;
    acc_new = '{default: '0};
    if (s1_valid_q || s0_go) begin
      for (int unsigned s = 0; s < ROWS; s++) begin
        old  = fwd_q ? fwd_data_q[s] : acc_rd[s1_bank_q][s];
        for (int unsigned l = 0; l < LANES; l++) begin
          c  = {1'b0, codes[l*8 +: 8]};
          if (HALF) begin
            neg  = c > C09;
            zero = c == C09 || c >= TF9;
            idx  = neg ? TEW'(TF9 - 9'd1 - c) : TEW'(c);
          end else begin
            neg  = 1'b0;
            zero = c >= TF9;
            idx  = TEW'(c);
          end
          v = thead_q ? $signed(ring1_q[s][32'(idx) * TW +: TW])   // the ring head
                      : $signed(ring0_q[s][32'(idx) * TW +: TW]);
          if (zero)     v = '0;
          else if (neg) v = -v;
          a = s1_first_q ? '0 : $signed(old[l*ACC_W +: ACC_W]);
          acc_new[s][l*ACC_W +: ACC_W] = a + ACC_W'(v);
        end
      end
    end
  end
  /* verilator lint_on LATCH */


  // ------------------------------------------------------------------ drain
  logic [RCW-1:0]   drows_q [2];
  logic [SCL_W-1:0] dscale_q [2][ROWS];
  logic             d_bank_q;
  logic [RSW-1:0]   d_slot_q;
  logic [15:0]      d_beat_q;
  logic             d_go, d_rlast, d_blast;
  logic [2:0]       ocnt_q;
  // stage 1 (accumulator line read) and stage 2 (product)
  logic             d1_valid_q, d1_bank_q, d1_last_q;
  logic [RSW-1:0]   d1_slot_q;
  logic [15:0]      d1_beat_q;
  logic [SCL_W-1:0] d1_scale_q;
  logic             d2_valid_q, d2_last_q;
  logic [3:0]       d2_keep_q;
  logic signed [PROD_W-1:0] d2_prod_q [4];

  assign d_rlast = d_beat_q == nb_q - 1'b1;
  assign d_blast = d_rlast && 32'(d_slot_q) == 32'(drows_q[d_bank_q]) - 1;
  assign d_go    = acc_st_q[d_bank_q] == AccDrain &&
                   (32'(ocnt_q) + 32'(d1_valid_q) + 32'(d2_valid_q) < ODEPTH);

  // accumulator memory: 2 banks (ping-pong) x ROWS rows of NL_MAX lines, one write port (S1) and
  // one synchronous read port each; a bank is read by S0 while it computes, by the drain otherwise
  for (genvar b = 0; b < 2; b++) begin : g_acc_bank
    logic           re, s0_rd;
    logic [LAW-1:0] raddr;
    assign s0_rd = s0_go && s0_bank_q == b[0];
    assign re    = s0_rd || (d_go && d_bank_q == b[0]);
    assign raddr = s0_rd ? s0_t_q : LAW'(d_beat_q >> BSH);
    for (genvar s = 0; s < ROWS; s++) begin : g_acc_row
      logic [LANES*ACC_W-1:0] mem [NL_MAX];
      logic [LANES*ACC_W-1:0] rd_q;
      always_ff @(posedge clk_i) begin
        if (s1_valid_q && s1_bank_q == b[0]) mem[s1_t_q] <= acc_new[s];
        if (re)                              rd_q <= mem[raddr];
      end
      assign acc_rd[b][s] = rd_q;
    end
  end
  always_ff @(posedge clk_i) begin
    for (int unsigned s = 0; s < ROWS; s++) begin
      if (s0_go) fwd_data_q[s] <= acc_new[s];
    end
  end

  // stage-2 input: 4 accumulator lanes of the selected row, with the row's scale
  logic [4*ACC_W-1:0] d1_lanes;
  always_comb begin   // (taken with d1_valid_q)
    logic [LANES*ACC_W-1:0] line;
    logic [4*ACC_W-1:0]     chunk [BPL];
    line     = '0;
    chunk    = '{default: '0};
    d1_lanes = '0;
    if (d1_valid_q) begin
      line = acc_rd[d1_bank_q][d1_slot_q];
      for (int unsigned q = 0; q < BPL; q++) chunk[q] = line[q*4*ACC_W +: 4*ACC_W];
      d1_lanes = chunk[BSW'(d1_beat_q)];
    end
  end

  // requantisation of the stage-2 products: sat32(round(prod / 2^wshift))
  logic [127:0] d2_y;
  always_comb begin   // (taken with o_push = d2_valid_q)
    logic signed [PROD_W-1:0] r;
    r    = '0;
    d2_y = '0;
    if (d2_valid_q) begin
      for (int unsigned i = 0; i < 4; i++) begin
        if (wshift_q == 0) r = d2_prod_q[i];
        else               r = (d2_prod_q[i] + (PROD_W'(1) <<< (wshift_q - 1'b1))) >>> wshift_q;
        if (!d2_keep_q[i])                         d2_y[i*32 +: 32] = '0;
        else if (r > PROD_W'(32'sh7fffffff))       d2_y[i*32 +: 32] = 32'h7fffffff;
        else if (r < -PROD_W'(33'sh080000000))     d2_y[i*32 +: 32] = 32'h80000000;
        else                                       d2_y[i*32 +: 32] = r[31:0];
      end
    end
  end

  // output FIFO
  logic [128:0] ofifo_q [ODEPTH];
  logic [1:0]   ord_q, owr_q;
  logic         o_push, o_pop;
  assign o_push = d2_valid_q;
  assign o_pop  = m_axis_tvalid_o && m_axis_tready_i;
  assign m_axis_tvalid_o = ocnt_q != 0;
  assign m_axis_tdata_o  = ofifo_q[ord_q][127:0];
  assign m_axis_tlast_o  = ofifo_q[ord_q][128];

  always_ff @(posedge clk_i) begin
    if (o_push) ofifo_q[owr_q] <= {d2_last_q, d2_y};
  end

  // ------------------------------------------------------------------ control registers
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      job_q       <= 1'b0;
      done_q      <= 1'b0;
      err_cfg_q   <= 1'b0;
      err_len_q   <= 1'b0;
      n_q         <= '0;
      k_q         <= '0;
      wmul_q      <= '0;
      wshift_q    <= '0;
      wbase_q     <= '0;
      kg_q        <= '0;
      nl_q        <= '0;
      kbeats_q    <= '0;
      nb_q        <= '0;
      out_rows_q  <= '0;
      in_buf_q    <= 1'b0;
      in_slot_q   <= '0;
      in_beat_q   <= '0;
      in_rows_q   <= '0;
      act_full_q  <= '0;
      act_rd_q    <= '0;
      act_rows_q[0] <= '0;
      act_rows_q[1] <= '0;
      for (int unsigned b = 0; b < 2; b++) begin
        for (int unsigned s = 0; s < ROWS; s++) begin
          amax_q[b][s]   <= '0;
          dscale_q[b][s] <= '0;
        end
      end
      bld_buf_q   <= 1'b0;
      bld_j_q     <= '0;
      bld_koff_q  <= '0;
      bld_rows_q  <= '0;
      grp_valid_q <= 1'b0;
      thead_q     <= 1'b0;
      tcnt_q      <= '0;
      acc_st_q[0] <= AccFree;
      acc_st_q[1] <= AccFree;
      s0_rows_q   <= '0;
      s0_bank_q   <= 1'b0;
      s0_claim_q  <= 1'b0;
      s0_j_q      <= '0;
      s0_t_q      <= '0;
      s0_waddr_q  <= '0;
      s0_sub_q    <= '0;
      s0_off_q    <= 1'b0;
      s1_valid_q  <= 1'b0;
      s1_bank_q   <= 1'b0;
      s1_first_q  <= 1'b0;
      s1_glast_q  <= 1'b0;
      s1_blast_q  <= 1'b0;
      s1_t_q      <= '0;
      s1_sub_q    <= '0;
      s1_rows_q   <= '0;
      fwd_q       <= 1'b0;
      drows_q[0] <= '0;
      drows_q[1] <= '0;
      d_bank_q    <= 1'b0;
      d_slot_q    <= '0;
      d_beat_q    <= '0;
      d1_valid_q  <= 1'b0;
      d1_bank_q   <= 1'b0;
      d1_last_q   <= 1'b0;
      d1_slot_q   <= '0;
      d1_beat_q   <= '0;
      d1_scale_q  <= '0;
      d2_valid_q  <= 1'b0;
      d2_last_q   <= 1'b0;
      d2_keep_q   <= '0;
      for (int unsigned i = 0; i < 4; i++) d2_prod_q[i] <= '0;
      ocnt_q      <= '0;
      ord_q       <= '0;
      owr_q       <= '0;
    end else begin
      done_q <= 1'b0;
      // ---------------- job start / end
      if (cfg_fire) begin
        if (!cfg_ok) begin
          err_cfg_q <= 1'b1;
          done_q    <= 1'b1;
        end else begin
          job_q      <= 1'b1;
          n_q        <= cfg_n_i;
          k_q        <= cfg_k_i;
          wmul_q     <= cfg_wmul_i;
          wshift_q   <= cfg_wshift_i;
          wbase_q    <= WAW'(cfg_wbase_i);
          kg_q       <= GW'(cfg_kg);
          nl_q       <= (LAW + 1)'(cfg_nl);
          kbeats_q   <= KBW'((32'(cfg_k_i) + IN_LANES - 1) >> ISH);
          nb_q       <= 16'((32'(cfg_n_i) + 3) >> 2);
          out_rows_q <= cfg_m_i;
          in_rows_q  <= cfg_m_i;
          bld_rows_q <= cfg_m_i;
          s0_rows_q  <= cfg_m_i;
          s0_waddr_q <= WAW'(cfg_wbase_i);
          in_buf_q   <= 1'b0;
          in_slot_q  <= '0;
          in_beat_q  <= '0;
          bld_buf_q  <= 1'b0;
          bld_j_q    <= '0;
          bld_koff_q <= '0;
          s0_bank_q  <= 1'b0;
          s0_claim_q <= 1'b0;
          s0_j_q     <= '0;
          s0_t_q     <= '0;
          s0_sub_q   <= '0;
          d_bank_q   <= 1'b0;
          d_slot_q   <= '0;
          d_beat_q   <= '0;
        end
      end
      if (o_pop && m_axis_tlast_o && job_q) begin
        out_rows_q <= out_rows_q - 1'b1;
        if (out_rows_q == 16'd1) begin
          job_q  <= 1'b0;
          done_q <= 1'b1;
        end
      end

      // ---------------- input
      if (in_fire) begin
        if (s_axis_tlast_i) begin
          if (in_beat_q + 1'b1 != kbeats_q) err_len_q <= 1'b1;
          amax_q[in_buf_q][in_slot_q] <= s_axis_tuser_i;
          in_beat_q <= '0;
          in_rows_q <= in_rows_q - 1'b1;
          if (in_blk_end) begin
            act_rows_q[in_buf_q] <= RCW'(in_slot_q) + 1'b1;
            in_buf_q  <= !in_buf_q;
            in_slot_q <= '0;
          end else begin
            in_slot_q <= in_slot_q + 1'b1;
          end
        end else if (in_beat_q != KBW'(KW_MAX)) begin
          in_beat_q <= in_beat_q + 1'b1;
        end
      end
      for (int unsigned b = 0; b < 2; b++) begin
        if (in_blk_end && 32'(in_buf_q) == b)                    act_full_q[b] <= 1'b1;
        else if (s1_valid_q && s1_blast_q && 32'(s1_bank_q) == b) act_full_q[b] <= 1'b0;
        if (bld_go && bld_last && 32'(bld_buf_q) == b)             act_rd_q[b] <= 1'b1;
        else if (s1_valid_q && s1_blast_q && 32'(s1_bank_q) == b) act_rd_q[b] <= 1'b0;
      end

      // ---------------- builder
      if (bld_go) begin
        if (bld_last) begin
          bld_j_q    <= '0;
          bld_koff_q <= '0;
          bld_buf_q  <= !bld_buf_q;
          bld_rows_q <= (bld_rows_q > 16'(ROWS)) ? bld_rows_q - 16'(ROWS) : '0;
        end else begin
          bld_j_q    <= bld_j_q + 1'b1;
          bld_koff_q <= bld_koff_q + 16'(G);
        end
      end
      if (bld_go)     grp_valid_q <= 1'b1;
      else if (tpush) grp_valid_q <= 1'b0;
      if (tpop) thead_q <= !thead_q;
      tcnt_q <= tcnt_q + (tpush ? 2'd1 : 2'd0) - (tpop ? 2'd1 : 2'd0);

      // ---------------- S0
      if (s0_go) begin
        s0_claim_q <= !s0_blast;
        if (!s0_claim_q) acc_st_q[s0_bank_q] <= AccCompute;
        if (LANES >= 16) begin
          s0_waddr_q <= s0_waddr_q + WAW'(P);
        end else if (32'(s0_sub_q) == QW - 1 || s0_glast) begin
          s0_waddr_q <= s0_waddr_q + 1'b1;
          s0_sub_q   <= '0;
        end else begin
          s0_sub_q   <= s0_sub_q + 1'b1;
        end
        if (s0_glast) begin
          s0_t_q <= '0;
          if (s0_blast) begin
            s0_j_q     <= '0;
            s0_bank_q  <= !s0_bank_q;
            s0_waddr_q <= wbase_q;
            s0_sub_q   <= '0;
            s0_rows_q  <= s0_rows_q - 16'(act_rows_q[s0_bank_q]);
          end else begin
            s0_j_q <= s0_j_q + 1'b1;
          end
        end else begin
          s0_t_q <= s0_t_q + 1'b1;
        end
      end
      if ((s0_go && s0_glast) != tpop) s0_off_q <= tpop ? 1'b0 : 1'b1;
      s1_valid_q <= s0_go;
      if (s0_go) begin
        s1_bank_q  <= s0_bank_q;
        s1_first_q <= s0_j_q == '0;
        s1_glast_q <= s0_glast;
        s1_blast_q <= s0_blast;
        s1_t_q     <= s0_t_q;
        s1_sub_q   <= s0_sub_q;
        s1_rows_q  <= act_rows_q[s0_bank_q];
      end
      fwd_q <= s0_go && s1_valid_q && s1_bank_q == s0_bank_q && s1_t_q == s0_t_q;

      // ---------------- S1 end of block: hand the bank to the drain
      if (s1_valid_q && s1_blast_q) begin
        acc_st_q[s1_bank_q] <= AccDrain;
        drows_q[s1_bank_q]  <= act_rows_q[s1_bank_q];
        for (int unsigned s = 0; s < ROWS; s++) begin
          dscale_q[s1_bank_q][s] <= SCL_W'(amax_q[s1_bank_q][s]) * SCL_W'(wmul_q);
        end
      end

      // ---------------- drain
      if (d_go) begin
        if (d_rlast) begin
          d_beat_q <= '0;
          if (d_blast) begin
            d_slot_q <= '0;
            d_bank_q <= !d_bank_q;
            acc_st_q[d_bank_q] <= AccFree;
          end else begin
            d_slot_q <= d_slot_q + 1'b1;
          end
        end else begin
          d_beat_q <= d_beat_q + 1'b1;
        end
      end
      d1_valid_q <= d_go;
      if (d_go) begin
        d1_bank_q  <= d_bank_q;
        d1_slot_q  <= d_slot_q;
        d1_beat_q  <= d_beat_q;
        d1_last_q  <= d_rlast;
        d1_scale_q <= dscale_q[d_bank_q][d_slot_q];
      end
      d2_valid_q <= d1_valid_q;
      if (d1_valid_q) begin
        d2_last_q <= d1_last_q;
        for (int unsigned i = 0; i < 4; i++) begin
          d2_keep_q[i] <= (32'(d1_beat_q) * 4 + i) < 32'(n_q);
          d2_prod_q[i] <= PROD_W'($signed(d1_lanes[i*ACC_W +: ACC_W])) *
                          $signed({1'b0, d1_scale_q});
        end
      end
      if (o_push) owr_q <= owr_q + 1'b1;
      if (o_pop)  ord_q <= ord_q + 1'b1;
      ocnt_q <= ocnt_q + (o_push ? 3'd1 : 3'd0) - (o_pop ? 3'd1 : 3'd0);
    end
  end

  // ------------------------------------------------------------------ performance counters
  logic [CNT_W-1:0] cnt_busy_q, cnt_lookup_q, cnt_in_q, cnt_out_q;
  logic             stall_out, stall_in;
  assign stall_out = job_q && !s0_go && (s0_rows_q == 0 || (tbl_ok && !bank_ok));
  assign stall_in  = job_q && !s0_go && s0_rows_q != 0 && !tbl_ok && !grp_valid_q &&
                     !act_full_q[bld_buf_q];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cnt_busy_q   <= '0;
      cnt_lookup_q <= '0;
      cnt_in_q     <= '0;
      cnt_out_q    <= '0;
    end else if (cnt_clr_i) begin
      cnt_busy_q   <= '0;
      cnt_lookup_q <= '0;
      cnt_in_q     <= '0;
      cnt_out_q    <= '0;
    end else begin
      if (job_q)      cnt_busy_q   <= cnt_busy_q + 1'b1;
      if (s1_valid_q) cnt_lookup_q <= cnt_lookup_q + CNT_W'(LANES) * CNT_W'(s1_rows_q);
      if (stall_in)   cnt_in_q     <= cnt_in_q + 1'b1;
      if (stall_out)  cnt_out_q    <= cnt_out_q + 1'b1;
    end
  end

  assign cnt_busy_o      = cnt_busy_q;
  assign cnt_lookup_o    = cnt_lookup_q;
  assign cnt_stall_in_o  = cnt_in_q;
  assign cnt_stall_out_o = cnt_out_q;
  assign busy_o          = job_q;
  assign done_o          = done_q;
  assign err_cfg_o       = err_cfg_q;
  assign err_len_o       = err_len_q;
endmodule
