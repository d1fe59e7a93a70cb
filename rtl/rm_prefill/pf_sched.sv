// Work schedule of rm_prefill ("reverse scheduling", docs/rm_prefill.md): walks the (row step,
// 16-key sub-block) items of one prefill job in issue order and hands them to the QK array.
//
// Positions are absolute token positions. Tiles of Q_TILE rows are aligned to multiples of
// Q_TILE; the job's rows are [pos0, end). For tile i with start ts (rows [rs, re)):
//   H = ts (first tile of the job) or ts - Q_TILE (later tiles): keys [0, H) come from DDR,
//   keys [H, re) are on chip (previous tile's and own local K/V slots).
//   Phase 1 (DDR history, block-major): for each KV block [kb, min(kb + KV_BLOCK, H)):
//     for each sub-block of it: for each row step of the tile -> item
//   Phase 2/3 (on-chip keys, row-group-major): for each 16-row group g of the tile:
//     for each sub-block from H up to the group's diagonal 16g: for each row step of g -> item
// Every row therefore sees sub-blocks 0, 16, 32, ... in increasing order, as the numerics demand.
//
// An item is issued when its inputs are present: phase 1 needs its history block fetched and all
// rows of the tile received; phase 2/3 needs the group's rows (hence its keys) received and the
// prologue fetch done; a tile's first item needs its accumulator bank free.
module pf_sched #(
  parameter int unsigned Q_TILE   = 32,
  parameter int unsigned KV_BLOCK = 32,
  parameter int unsigned PE_ROWS  = 1,
  parameter int unsigned POS_W    = 17,
  parameter int unsigned ROW_W    = 5,     // $clog2(Q_TILE)
  parameter int unsigned KEY_W    = 5      // $clog2(max(Q_TILE, KV_BLOCK))
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  // job
  input  logic               start_i,
  input  logic [POS_W-1:0]   pos0_i,
  input  logic [POS_W-1:0]   end_i,
  // data availability
  input  logic [POS_W-1:0]   arrived_i,      // tokens [.., arrived) received (Q, K and V rows)
  input  logic [1:0]         hist_filled_i,  // history slot holds its block
  input  logic               pro_done_i,     // prologue keys of the first tile fetched
  input  logic [1:0]         bank_free_i,    // accumulator bank has no rows pending
  // item out
  output logic               valid_o,
  input  logic               ready_i,
  output logic               bank_o,         // Q slot and accumulator bank (tile parity)
  output logic [ROW_W-1:0]   row_o,          // tile-relative row of lane 0
  output logic [POS_W-1:0]   rowpos_o,       // absolute position of lane 0's row
  output logic [PE_ROWS-1:0] lanes_o,        // lanes holding a row of the job
  output logic               src_hist_o,     // keys from a history slot (else a local slot)
  output logic [1:0]         slot_o,
  output logic [KEY_W-1:0]   key_o,          // first key of the sub-block within the slot
  output logic [POS_W-1:0]   kpos_o,         // absolute position of the sub-block's first key
  output logic               diag_o,         // diagonal sub-block: causal mask, rows' last item
  output logic               rel_hist_o,     // last item reading this history slot
  output logic               tile_first_o,   // first item of a tile
  output logic               tile_last_o,    // last item of a tile
  output logic [POS_W-1:0]   tile_rows_o,    // rows of the tile (with tile_first_o)
  output logic               done_o          // every item of the job issued
);
  if (Q_TILE < 16 || Q_TILE % 16 != 0 || KV_BLOCK < 16 || KV_BLOCK % 16 != 0 ||
      !(PE_ROWS inside {1, 2, 4, 8, 16}) || (1 << ROW_W) < Q_TILE ||
      (1 << KEY_W) < Q_TILE || (1 << KEY_W) < KV_BLOCK) begin : g_bad_param
    $fatal(1, "pf_sched: Q_TILE=%0d KV_BLOCK=%0d (multiples of 16) PE_ROWS=%0d (divides 16) ROW_W=%0d KEY_W=%0d",
           Q_TILE, KV_BLOCK, PE_ROWS, ROW_W, KEY_W);
  end

  typedef enum logic [1:0] {PIdle, P1, P23} phase_e;
  localparam logic [POS_W-1:0] T   = POS_W'(Q_TILE);
  localparam logic [POS_W-1:0] BK  = POS_W'(KV_BLOCK);
  localparam logic [POS_W-1:0] PR  = POS_W'(PE_ROWS);
  localparam logic [POS_W-1:0] S16 = POS_W'(16);

  function automatic logic [POS_W-1:0] pmin(input logic [POS_W-1:0] a, input logic [POS_W-1:0] b);
    return (a < b) ? a : b;
  endfunction
  function automatic logic [POS_W-1:0] floor_pe(input logic [POS_W-1:0] a);
    return a & ~(PR - 1'b1);
  endfunction
  function automatic logic [POS_W-1:0] floor16(input logic [POS_W-1:0] a);
    return a & ~(S16 - 1'b1);
  endfunction

  phase_e          ph_q, ph_d;
  logic [POS_W-1:0] end_q;
  logic [POS_W-1:0] ts_q, ts_d, rs_q, rs_d, re_q, re_d, h_q, h_d;
  logic [POS_W-1:0] kb_q, kb_d, kbe_q, kbe_d, sbp_q, sbp_d, rp_q, rp_d, g16_q, g16_d, ge_q, ge_d;
  logic [1:0]       kvc_q, kvc_d, kvp_q, kvp_d;
  logic             bank_q, bank_d, hs_q, hs_d, started_q, started_d;

  // ------------------------------------------------------------------ current item
  logic [POS_W-1:0] gs, step_end;
  logic             last_step, gate;
  assign gs        = (g16_q > rs_q) ? g16_q : rs_q;
  assign step_end  = (ph_q == P1) ? re_q : ge_q;
  assign last_step = (rp_q + PR >= step_end);

  always_comb begin
    for (int unsigned l = 0; l < PE_ROWS; l++) begin
      lanes_o[l] = (rp_q + POS_W'(l) >= rs_q) && (rp_q + POS_W'(l) < re_q);
    end
  end

  always_comb begin
    src_hist_o = 1'b0;
    slot_o     = kvc_q;
    key_o      = KEY_W'(sbp_q - ts_q);
    if (ph_q == P1) begin
      src_hist_o = 1'b1;
      slot_o     = {1'b0, hs_q};
      key_o      = KEY_W'(sbp_q - kb_q);
    end else if (sbp_q < ts_q) begin
      slot_o = kvp_q;
      key_o  = KEY_W'(sbp_q - (ts_q - T));
    end
  end

  always_comb begin
    gate = 1'b0;
    if (ph_q == P1)       gate = hist_filled_i[hs_q] && (arrived_i >= re_q);
    else if (ph_q == P23) gate = pro_done_i && (arrived_i >= ge_q);
    if (!started_q && !bank_free_i[bank_q]) gate = 1'b0;
  end

  assign valid_o      = (ph_q != PIdle) && gate;
  assign bank_o       = bank_q;
  assign row_o        = ROW_W'(rp_q - ts_q);
  assign rowpos_o     = rp_q;
  assign kpos_o       = sbp_q;
  assign diag_o       = (ph_q == P23) && (sbp_q == g16_q);
  assign rel_hist_o   = (ph_q == P1) && last_step && (sbp_q + S16 >= kbe_q);
  assign tile_first_o = !started_q;
  assign tile_last_o  = (ph_q == P23) && last_step && (sbp_q == g16_q) && (g16_q + S16 >= re_q);
  assign tile_rows_o  = re_q - rs_q;
  assign done_o       = (ph_q == PIdle);

  // ------------------------------------------------------------------ next state
  logic fire;
  assign fire = valid_o && ready_i;

  // After the main update, a tile (ts_d/rs_d/re_d/h_d) is entered in phase 1 (history from
  // DDR) or, without history, directly in phase 2/3; a finished history enters phase 2/3.
  logic go_tile, go_p23;

  always_comb begin
    ph_d      = ph_q;
    ts_d      = ts_q;
    rs_d      = rs_q;
    re_d      = re_q;
    h_d       = h_q;
    kb_d      = kb_q;
    kbe_d     = kbe_q;
    sbp_d     = sbp_q;
    rp_d      = rp_q;
    g16_d     = g16_q;
    ge_d      = ge_q;
    kvc_d     = kvc_q;
    kvp_d     = kvp_q;
    bank_d    = bank_q;
    hs_d      = hs_q;
    started_d = started_q;
    go_tile   = 1'b0;
    go_p23    = 1'b0;
    if (start_i) begin
      ts_d      = (pos0_i / T) * T;
      rs_d      = pos0_i;
      re_d      = pmin((pos0_i / T) * T + T, end_i);
      h_d       = (pos0_i / T) * T;
      kvc_d     = 2'd0;
      kvp_d     = 2'd2;
      bank_d    = 1'b0;
      hs_d      = 1'b0;
      started_d = 1'b0;
      go_tile   = 1'b1;
    end else if (fire) begin
      started_d = 1'b1;
      if (!last_step) begin
        rp_d = rp_q + PR;
      end else if (ph_q == P1) begin
        rp_d = floor_pe(rs_q);
        if (sbp_q + S16 < kbe_q) begin
          sbp_d = sbp_q + S16;
        end else begin                       // history block consumed
          hs_d = !hs_q;
          if (kb_q + BK < h_q) begin
            kb_d  = kb_q + BK;
            kbe_d = pmin(kb_q + BK + BK, h_q);
            sbp_d = kb_q + BK;
          end else begin
            go_p23 = 1'b1;
          end
        end
      end else if (sbp_q != g16_q) begin      // phase 2/3: next sub-block of this group
        sbp_d = sbp_q + S16;
        rp_d  = floor_pe(gs);
      end else if (g16_q + S16 < re_q) begin  // next row group of the tile
        g16_d = g16_q + S16;
        ge_d  = pmin(g16_q + S16 + S16, re_q);
        sbp_d = h_q;
        rp_d  = g16_q + S16;
      end else if (re_q >= end_q) begin       // last tile of the job done
        ph_d = PIdle;
      end else begin                          // next tile
        ts_d      = ts_q + T;
        rs_d      = ts_q + T;
        re_d      = pmin(ts_q + T + T, end_q);
        h_d       = ts_q;
        kvp_d     = kvc_q;
        kvc_d     = (kvc_q == 2'd2) ? 2'd0 : kvc_q + 2'd1;
        bank_d    = !bank_q;
        started_d = 1'b0;
        go_tile   = 1'b1;
      end
    end
    if (go_tile) begin
      rp_d = floor_pe(rs_d);
      if (h_d != '0) begin
        ph_d  = P1;
        kb_d  = '0;
        kbe_d = pmin(BK, h_d);
        sbp_d = '0;
      end else begin
        go_p23 = 1'b1;
      end
    end
    if (go_p23) begin
      ph_d  = P23;
      g16_d = floor16(rs_d);
      ge_d  = pmin(floor16(rs_d) + S16, re_d);
      sbp_d = h_d;
      rp_d  = floor_pe(rs_d);
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ph_q      <= PIdle;
      end_q     <= '0;
      ts_q      <= '0;
      rs_q      <= '0;
      re_q      <= '0;
      h_q       <= '0;
      kb_q      <= '0;
      kbe_q     <= '0;
      sbp_q     <= '0;
      rp_q      <= '0;
      g16_q     <= '0;
      ge_q      <= '0;
      kvc_q     <= '0;
      kvp_q     <= '0;
      bank_q    <= 1'b0;
      hs_q      <= 1'b0;
      started_q <= 1'b0;
    end else begin
      if (start_i) end_q <= end_i;
      ph_q      <= ph_d;
      ts_q      <= ts_d;
      rs_q      <= rs_d;
      re_q      <= re_d;
      h_q       <= h_d;
      kb_q      <= kb_d;
      kbe_q     <= kbe_d;
      sbp_q     <= sbp_d;
      rp_q      <= rp_d;
      g16_q     <= g16_d;
      ge_q      <= ge_d;
      kvc_q     <= kvc_d;
      kvp_q     <= kvp_d;
      bank_q    <= bank_d;
      hs_q      <= hs_d;
      started_q <= started_d;
    end
  end
endmodule
