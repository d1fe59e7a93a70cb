// Pack four 32-bit stream beats into one 128-bit beat (act_quant's 4 x int8 output into 16 x int8
// buffer words). Rows are a whole number of output words (D and F are multiples of 16); a row
// whose tlast does not fall on a 4th beat sets err_o and flushes a partial word (zero-filled).
// tuser (the row's amax) is taken from the row's first beat.
module sr_pack4 (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic [31:0]  s_axis_tdata_i,
  input  logic         s_axis_tvalid_i,
  output logic         s_axis_tready_o,
  input  logic         s_axis_tlast_i,
  input  logic [31:0]  s_axis_tuser_i,
  output logic [127:0] m_axis_tdata_o,
  output logic         m_axis_tvalid_o,
  input  logic         m_axis_tready_i,
  output logic         m_axis_tlast_o,
  output logic [31:0]  m_axis_tuser_o,
  output logic         err_o
);
  logic [95:0]  acc_q;
  logic [1:0]   cnt_q;
  logic         first_q;
  logic [31:0]  user_q;
  logic         ovalid_q, olast_q, err_q;
  logic [127:0] odata_q;
  logic [31:0]  ouser_q;
  logic         in_fire, emit;

  assign s_axis_tready_o = !ovalid_q || m_axis_tready_i;
  assign in_fire = s_axis_tvalid_i && s_axis_tready_o;
  assign emit    = in_fire && (cnt_q == 2'd3 || s_axis_tlast_i);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      acc_q    <= '0;
      cnt_q    <= '0;
      first_q  <= 1'b1;
      user_q   <= '0;
      ovalid_q <= 1'b0;
      olast_q  <= 1'b0;
      odata_q  <= '0;
      ouser_q  <= '0;
      err_q    <= 1'b0;
    end else begin
      if (m_axis_tready_i) ovalid_q <= 1'b0;
      if (in_fire) begin
        if (first_q) user_q <= s_axis_tuser_i;
        first_q <= s_axis_tlast_i;
        if (emit) begin
          ovalid_q <= 1'b1;
          olast_q  <= s_axis_tlast_i;
          ouser_q  <= first_q ? s_axis_tuser_i : user_q;
          unique case (cnt_q)
            2'd0: odata_q <= {96'd0, s_axis_tdata_i};
            2'd1: odata_q <= {64'd0, s_axis_tdata_i, acc_q[31:0]};
            2'd2: odata_q <= {32'd0, s_axis_tdata_i, acc_q[63:0]};
            default: odata_q <= {s_axis_tdata_i, acc_q};
          endcase
          if (s_axis_tlast_i && cnt_q != 2'd3) err_q <= 1'b1;
          cnt_q <= '0;
          acc_q <= '0;
        end else begin
          acc_q[32*cnt_q +: 32] <= s_axis_tdata_i;
          cnt_q <= cnt_q + 1'b1;
        end
      end
    end
  end

  assign m_axis_tdata_o  = odata_q;
  assign m_axis_tvalid_o = ovalid_q;
  assign m_axis_tlast_o  = olast_q;
  assign m_axis_tuser_o  = ouser_q;
  assign err_o           = err_q;
endmodule
