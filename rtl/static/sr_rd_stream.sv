// Read rows out of an sr_ram as a valid/ready stream.
//
// Row r (r = 0 .. rows_i-1) is the `beats_i` consecutive words starting at
// base_i + r * stride_i; tlast marks a row's last beat and tuser carries r. A column slice (one
// attention head of a Q/K/V buffer) is a base offset with stride = the full row's words.
// The RAM read takes one cycle; a two-entry output FIFO keeps full throughput (one beat per
// cycle) under backpressure without a combinational path from m_axis_tready_i to the RAM.
module sr_rd_stream #(
  parameter int unsigned W   = 128,
  parameter int unsigned AW  = 10,
  parameter int unsigned RW  = 16   // row-index / row-count width
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic          start_i,
  input  logic          abort_i,      // drop the transfer (and buffered beats) at once
  input  logic [AW-1:0] base_i,
  input  logic [RW-1:0] rows_i,
  input  logic [AW-1:0] beats_i,
  input  logic [AW-1:0] stride_i,
  output logic          busy_o,
  // RAM read port
  output logic          re_o,
  output logic [AW-1:0] raddr_o,
  input  logic [W-1:0]  rdata_i,
  // stream
  output logic [W-1:0]  m_axis_tdata_o,
  output logic          m_axis_tvalid_o,
  input  logic          m_axis_tready_i,
  output logic          m_axis_tlast_o,
  output logic [RW-1:0] m_axis_tuser_o
);
  if (W < 1 || AW < 1 || RW < 1) begin : g_bad_param
    $fatal(1, "sr_rd_stream: W=%0d AW=%0d RW=%0d must be >= 1", W, AW, RW);
  end

  logic          active_q;
  logic [RW-1:0] row_q, rows_q;
  logic [AW-1:0] beat_q, beats_q, stride_q, row_base_q;
  // read issued last cycle -> data arrives now
  logic          rd_pend_q, rd_last_q;
  logic [RW-1:0] rd_row_q;
  // output FIFO (2 entries)
  logic [W+RW:0] fifo_q [2];
  logic [1:0]    cnt_q;
  logic          fifo_rd_ptr_q, fifo_wr_ptr_q;

  logic pop, issue, push;
  assign pop   = m_axis_tvalid_o && m_axis_tready_i;
  // issue a read only if the FIFO will have room for its data (count incl. the pending read)
  assign issue = active_q && (32'(cnt_q) + 32'(rd_pend_q) - 32'(pop) < 2);
  assign push  = rd_pend_q;

  assign re_o    = issue;
  assign raddr_o = row_base_q + beat_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      active_q      <= 1'b0;
      row_q         <= '0;
      rows_q        <= '0;
      beat_q        <= '0;
      beats_q       <= '0;
      stride_q      <= '0;
      row_base_q    <= '0;
      rd_pend_q     <= 1'b0;
      rd_last_q     <= 1'b0;
      rd_row_q      <= '0;
      fifo_q        <= '{default: '0};
      cnt_q         <= '0;
      fifo_rd_ptr_q <= 1'b0;
      fifo_wr_ptr_q <= 1'b0;
    end else if (abort_i) begin
      active_q      <= 1'b0;
      rd_pend_q     <= 1'b0;
      cnt_q         <= '0;
      fifo_rd_ptr_q <= 1'b0;
      fifo_wr_ptr_q <= 1'b0;
    end else begin
      if (start_i && !busy_o) begin
        active_q   <= (rows_i != '0) && (beats_i != '0);
        row_q      <= '0;
        rows_q     <= rows_i;
        beat_q     <= '0;
        beats_q    <= beats_i;
        stride_q   <= stride_i;
        row_base_q <= base_i;
      end else if (issue) begin
        if (beat_q == beats_q - 1'b1) begin
          beat_q     <= '0;
          row_base_q <= row_base_q + stride_q;
          row_q      <= row_q + 1'b1;
          if (row_q == rows_q - 1'b1) active_q <= 1'b0;
        end else begin
          beat_q <= beat_q + 1'b1;
        end
      end
      rd_pend_q <= issue;
      rd_last_q <= issue && (beat_q == beats_q - 1'b1);
      rd_row_q  <= row_q;
      if (push) begin
        fifo_q[fifo_wr_ptr_q] <= {rd_last_q, rd_row_q, rdata_i};
        fifo_wr_ptr_q <= !fifo_wr_ptr_q;
      end
      if (pop) fifo_rd_ptr_q <= !fifo_rd_ptr_q;
      cnt_q <= cnt_q + 2'(push) - 2'(pop);
    end
  end

  assign m_axis_tvalid_o = (cnt_q != '0);
  assign {m_axis_tlast_o, m_axis_tuser_o, m_axis_tdata_o} = fifo_q[fifo_rd_ptr_q];
  assign busy_o = active_q || rd_pend_q || (cnt_q != '0);
endmodule
