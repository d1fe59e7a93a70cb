// Residual add (docs/elementwise.md, golden `residual_add_int`): y = sat32(h + x).
//
// Two Q.16 row streams (h: the residual stream, x: the branch output) of LANES x int32 beats are
// joined beat by beat; a beat is taken only when both inputs are valid and the output register
// can accept it. The output beat carries the tlast of h. If the tlast flags of the two inputs
// disagree on a beat, the sticky err_last_o is raised (the beat is still added).
// Latency 1 cycle, throughput 1 beat per cycle (a row of n values takes ceil(n / LANES) cycles).
module residual_add #(
  parameter int unsigned LANES = 4
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  // residual stream h: LANES x int32 (Q.16)
  input  logic [LANES*32-1:0] s_axis_h_tdata_i,
  input  logic                s_axis_h_tvalid_i,
  output logic                s_axis_h_tready_o,
  input  logic                s_axis_h_tlast_i,
  // branch x: LANES x int32 (Q.16)
  input  logic [LANES*32-1:0] s_axis_x_tdata_i,
  input  logic                s_axis_x_tvalid_i,
  output logic                s_axis_x_tready_o,
  input  logic                s_axis_x_tlast_i,
  // sum: LANES x int32 (Q.16, saturated)
  output logic [LANES*32-1:0] m_axis_tdata_o,
  output logic                m_axis_tvalid_o,
  input  logic                m_axis_tready_i,
  output logic                m_axis_tlast_o,
  // status
  output logic                err_last_o
);
  if (LANES < 1 || LANES > 64) begin : g_bad_param
    $fatal(1, "residual_add: LANES=%0d outside [1, 64]", LANES);
  end

  function automatic logic [31:0] add_sat32(input logic signed [31:0] a,
                                            input logic signed [31:0] b);
    logic signed [32:0] s;
    s = 33'(a) + 33'(b);
    if (s > 33'sd2147483647)       add_sat32 = 32'h7fff_ffff;
    else if (s < -33'sd2147483648) add_sat32 = 32'h8000_0000;
    else                           add_sat32 = s[31:0];
  endfunction

  logic                out_valid_q, out_last_q, err_q;
  logic [LANES*32-1:0] out_data_q, sum;
  logic                can_load, fire;

  assign can_load          = !out_valid_q || m_axis_tready_i;
  assign fire              = s_axis_h_tvalid_i && s_axis_x_tvalid_i && can_load;
  assign s_axis_h_tready_o = s_axis_x_tvalid_i && can_load;
  assign s_axis_x_tready_o = s_axis_h_tvalid_i && can_load;

  always_comb begin
    for (int unsigned l = 0; l < LANES; l++) begin
      sum[l*32 +: 32] = add_sat32(s_axis_h_tdata_i[l*32 +: 32], s_axis_x_tdata_i[l*32 +: 32]);
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      out_valid_q <= 1'b0;
      out_last_q  <= 1'b0;
      out_data_q  <= '0;
      err_q       <= 1'b0;
    end else begin
      if (fire) begin
        out_valid_q <= 1'b1;
        out_last_q  <= s_axis_h_tlast_i;
        out_data_q  <= sum;
        if (s_axis_h_tlast_i != s_axis_x_tlast_i) err_q <= 1'b1;
      end else if (m_axis_tready_i) begin
        out_valid_q <= 1'b0;
      end
    end
  end

  assign m_axis_tdata_o  = out_data_q;
  assign m_axis_tvalid_o = out_valid_q;
  assign m_axis_tlast_o  = out_last_q;
  assign err_last_o      = err_q;
endmodule
