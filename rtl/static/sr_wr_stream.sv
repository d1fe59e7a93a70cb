// Write a valid/ready stream of rows into an sr_ram.
//
// Beat b of row r goes to base_i + r * stride_i + b. The row index r is taken from the
// stream's tuser when use_tuser_i is set at start (rows may arrive out of order, e.g. attention O
// rows), otherwise it counts rows (tlast). `rows_i` rows complete the transfer (done_o pulses); a row whose tlast
// does not come after exactly beats_i beats, or an address beyond the RAM, sets err_o (the beat
// is still written, modulo the RAM size; nothing hangs).
module sr_wr_stream #(
  parameter int unsigned W         = 128,
  parameter int unsigned AW        = 10,
  parameter int unsigned RW        = 16
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic          start_i,
  input  logic          abort_i,      // drop the transfer at once
  input  logic [AW-1:0] base_i,
  input  logic [RW-1:0] rows_i,
  input  logic [AW-1:0] beats_i,
  input  logic [AW-1:0] stride_i,
  input  logic          use_tuser_i,
  output logic          busy_o,
  output logic          done_o,
  output logic          err_o,
  // RAM write port
  output logic          we_o,
  output logic [AW-1:0] waddr_o,
  output logic [W-1:0]  wdata_o,
  // stream
  input  logic [W-1:0]  s_axis_tdata_i,
  input  logic          s_axis_tvalid_i,
  output logic          s_axis_tready_o,
  input  logic          s_axis_tlast_i,
  input  logic [RW-1:0] s_axis_tuser_i
);
  if (W < 1 || AW < 1 || RW < 1) begin : g_bad_param
    $fatal(1, "sr_wr_stream: W=%0d AW=%0d RW=%0d must be >= 1", W, AW, RW);
  end

  logic          active_q, done_q, err_q, use_tuser_q;
  logic [RW-1:0] rows_done_q, rows_q, row_cnt_q;
  logic [AW-1:0] beat_q, beats_q, stride_q, base_q;
  logic          fire;
  logic [RW-1:0] row;
  logic [2*AW+RW-1:0] addr_full;

  assign s_axis_tready_o = active_q;
  assign fire = s_axis_tvalid_i && s_axis_tready_o;
  assign row  = use_tuser_q ? s_axis_tuser_i : row_cnt_q;
  assign addr_full = (2*AW+RW)'(base_q) + (2*AW+RW)'(row) * (2*AW+RW)'(stride_q)
                   + (2*AW+RW)'(beat_q);

  assign we_o    = fire;
  assign waddr_o = addr_full[AW-1:0];
  assign wdata_o = s_axis_tdata_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      active_q    <= 1'b0;
      done_q      <= 1'b0;
      err_q       <= 1'b0;
      use_tuser_q <= 1'b0;
      rows_done_q <= '0;
      rows_q      <= '0;
      row_cnt_q   <= '0;
      beat_q      <= '0;
      beats_q     <= '0;
      stride_q    <= '0;
      base_q      <= '0;
    end else if (abort_i) begin
      active_q <= 1'b0;
      done_q   <= 1'b0;
    end else begin
      done_q <= 1'b0;
      if (start_i && !active_q) begin
        active_q    <= (rows_i != '0);
        done_q      <= (rows_i == '0);
        err_q       <= 1'b0;
        use_tuser_q <= use_tuser_i;
        rows_done_q <= '0;
        rows_q      <= rows_i;
        row_cnt_q   <= '0;
        beat_q      <= '0;
        beats_q     <= beats_i;
        stride_q    <= stride_i;
        base_q      <= base_i;
      end else if (fire) begin
        if (addr_full[2*AW+RW-1:AW] != '0) err_q <= 1'b1;  // row index beyond the buffer
        if (s_axis_tlast_i || beat_q == beats_q - 1'b1) begin
          if (!(s_axis_tlast_i && beat_q == beats_q - 1'b1)) err_q <= 1'b1;  // framing
          beat_q      <= '0;
          row_cnt_q   <= row_cnt_q + 1'b1;
          rows_done_q <= rows_done_q + 1'b1;
          if (rows_done_q == rows_q - 1'b1) begin
            active_q <= 1'b0;
            done_q   <= 1'b1;
          end
        end else begin
          beat_q <= beat_q + 1'b1;
        end
      end
    end
  end

  assign busy_o = active_q;
  assign done_o = done_q;
  assign err_o  = err_q;
endmodule
