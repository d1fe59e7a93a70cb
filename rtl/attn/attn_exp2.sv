// p = exp2_neg(d) = EXP2_LUT[d & 255] >> (d >> 8), 0 once (d >> 8) > 16 (docs/numerics.md).
// d = running max - logit >= 0 (Q.8). Combinational: one ROM read and a barrel shift.
module attn_exp2 #(
  parameter int unsigned DW = 48
) (
  input  logic [DW-1:0] d_i,
  output logic [16:0]   p_o
);
  if (DW < 9) begin : g_bad_param
    $fatal(1, "attn_exp2: DW=%0d must be at least 9 (8 fractional bits + integer)", DW);
  end

  logic [16:0] lut;
  exp2_rom u_rom (.f_i(d_i[7:0]), .p_o(lut));

  always_comb begin
    if (d_i[DW-1:8] > (DW-8)'(16)) p_o = '0;
    else                           p_o = lut >> d_i[12:8];
  end
endmodule
