// TLMM table builder: the signed partial sums of one group of G int8 activations for every
// ternary weight pattern (docs/tlmm.md, models/bitnet_golden/tlmm.py `group_table`).
//
// Code c = sum_k (w_k + 1) * 3^k (w_k in {-1, 0, 1}, k = 0 is the group's first input) selects
//   T[c] = sum_k w_k * x_k.
// The full table (3^G entries) is built level by level, one adder per entry:
//   T_0 = {0};  T_{k+1}[c + d * 3^k] = T_k[c] + (d - 1) * x_k   for d in {0, 1, 2}
// With HALF = 1 only codes c < C0 = (3^G - 1) / 2 are stored: the mirror code 3^G - 1 - c has
// every digit flipped (w -> -w), so T[3^G - 1 - c] = -T[c], and T[C0] = 0 (all weights zero);
// the lookup side restores the other half with a subtract and a negate.
// Purely combinational; entry e of t_o is t_o[e*TW +: TW] (signed, TW bits). en_i = 0 gives an
// all-zero t_o: the user enables the builder in the cycles that take its output, so that a
// simulator evaluates the adders only then (the table registers load only with en_i anyway).
module tlmm_table #(
  parameter int unsigned G    = 5,
  parameter bit          HALF = 1'b1,
  // derived, do not override
  parameter int unsigned TF   = 3 ** G,
  parameter int unsigned TE   = HALF ? (TF - 1) / 2 : TF,
  parameter int unsigned TW   = $clog2(G * 128 + 1) + 1
) (
  input  logic             en_i,
  input  logic [G*8-1:0]   x_i,  // G int8, x_0 in bits [7:0]
  output logic [TE*TW-1:0] t_o
);
  if (G < 1 || G > 5) begin : g_bad_param
    $fatal(1, "tlmm_table: G=%0d must be in [1, 5]", G);
  end

  // t holds T_k in entries [0, 3^k): level k+1 writes c + 3^k and c + 2 * 3^k from entry c,
  // then replaces entry c (the three targets of c are disjoint from every other c's). t is
  // scratch, written before it is read in every evaluation with en_i: not a latch.
  /* verilator lint_off LATCH */
  always_comb begin
    logic signed [TW-1:0] t [TF];
    logic signed [TW-1:0] xk;
    t_o = '0;
    if (en_i) begin
      t[0] = '0;
      for (int unsigned k = 0; k < G; k++) begin
        xk = TW'($signed(x_i[k*8 +: 8]));
        for (int unsigned c = 0; c < 3 ** k; c++) begin
          t[c + 3 ** k]     = t[c];
          t[c + 2 * 3 ** k] = t[c] + xk;
          t[c]              = t[c] - xk;
        end
      end
      for (int unsigned e = 0; e < TE; e++) t_o[e*TW +: TW] = t[e];
    end
  end
  /* verilator lint_on LATCH */
endmodule
