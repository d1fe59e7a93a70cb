// Constants and small functions of the attention numerics (docs/numerics.md, "Attention with
// block-wise online softmax"), shared by every attention RM.
package attn_pkg;
  /* verilator lint_off UNUSEDPARAM */
  localparam int unsigned SoftmaxBlock = 16;   // keys per online-softmax block (absolute-aligned)
  localparam int unsigned ExpShift     = 24;   // t = (s * c_mul) >>> 24, Q.8
  localparam int unsigned PFrac        = 16;   // p in U1.16
  localparam int unsigned InvLShift    = 48;   // inv_l = floor(2^48 / l)
  localparam int unsigned TW           = 48;   // logit / running-max width (signed)
  localparam int unsigned PW           = 17;   // probability width (unsigned, 65536 = 1.0)
  localparam int unsigned LW           = 32;   // row sum l (< 2^28 at 2048 keys)
  localparam int unsigned AccW         = 40;   // P.V accumulator (signed, < 2^35 at 2048 keys)
  localparam logic signed [TW-1:0] MInit = -(48'sd1 <<< 40);  // running max before block 0
  /* verilator lint_on UNUSEDPARAM */

  // Base-2 logit of a score: floor(s * c_mul / 2^24). |s| < 2^22, c_mul < 2^32.
  function automatic logic signed [TW-1:0] logit(input logic signed [31:0] s,
                                                 input logic [31:0] c_mul);
    logic signed [64:0] prod;
    prod = 65'(s) * $signed({1'b0, c_mul});
    logit = TW'(prod >>> ExpShift);
  endfunction

  // Rescale by alpha (U1.16) with round half up: rnd(x * alpha, 16).
  function automatic logic signed [AccW-1:0] rescale_acc(input logic signed [AccW-1:0] x,
                                                         input logic [PW-1:0] alpha);
    logic signed [AccW+PW:0] prod;
    prod = (AccW+PW+1)'(x) * $signed({1'b0, alpha});
    rescale_acc = AccW'((prod + (1 <<< (PFrac - 1))) >>> PFrac);
  endfunction

  function automatic logic [LW-1:0] rescale_l(input logic [LW-1:0] l, input logic [PW-1:0] alpha);
    logic [LW+PW-1:0] prod;
    prod = (LW+PW)'(l) * (LW+PW)'(alpha);
    rescale_l = LW'((prod + (1 << (PFrac - 1))) >> PFrac);
  endfunction
endpackage
