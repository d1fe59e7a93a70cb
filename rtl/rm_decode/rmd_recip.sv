// inv_l = floor(2^48 / l) of the attention normalisation (docs/numerics.md), for the decode RM.
//
// l is the online-softmax row sum. It is at least 2^16 for every row that saw a key: the block
// that sets the running max contributes p = exp2_neg(0) = 65536, and a later block either keeps
// the max (alpha = 65536, l unchanged by the rescale) or brings a new max key of its own. So the
// 16 leading quotient bits of 2^48 / l are zero and a restoring division only has to produce the
// 33 low quotient bits (inv_l <= 2^32): the partial remainder enters bit 32 as 2^15. STEPS
// quotient bits are resolved per cycle (chained compare-subtract), ceil(33 / STEPS) cycles from
// start_i to done_o. l < 2^16 is outside the contract; it yields a saturated quotient 2^33 - 1.
module rmd_recip #(
  parameter int unsigned STEPS = 2
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        start_i,
  input  logic [31:0] l_i,
  output logic        busy_o,
  output logic        done_o,      // one-cycle pulse, quotient_o valid from then on
  output logic [32:0] quotient_o
);
  localparam int unsigned QBits  = 33;
  localparam int unsigned Cycles = (QBits + STEPS - 1) / STEPS;
  localparam int unsigned CntW   = $clog2(Cycles + 1);

  if (STEPS < 1 || STEPS > 8) begin : g_bad_param
    $fatal(1, "rmd_recip: STEPS=%0d outside [1, 8] quotient bits per cycle", STEPS);
  end

  logic [32:0] rem_q, rem_d;        // partial remainder (< divisor < 2^32) with headroom
  logic [32:0] quo_q, quo_d;
  logic [31:0] dvs_q;
  logic [CntW-1:0] cnt_q;
  logic [5:0]  left_q;              // quotient bits still to produce
  logic        busy_q, done_q, small_q;

  always_comb begin
    logic [33:0] r2;
    r2    = '0;
    rem_d = rem_q;
    quo_d = quo_q;
    for (int unsigned s = 0; s < STEPS; s++) begin
      if (6'(s) < left_q) begin
        r2 = {rem_d, 1'b0};
        if (r2 >= {2'b0, dvs_q}) begin
          rem_d = 33'(r2 - {2'b0, dvs_q});
          quo_d = {quo_d[31:0], 1'b1};
        end else begin
          rem_d = 33'(r2);
          quo_d = {quo_d[31:0], 1'b0};
        end
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rem_q   <= '0;
      quo_q   <= '0;
      dvs_q   <= '0;
      cnt_q   <= '0;
      left_q  <= '0;
      busy_q  <= 1'b0;
      done_q  <= 1'b0;
      small_q <= 1'b0;
    end else begin
      done_q <= 1'b0;
      if (start_i) begin
        rem_q   <= 33'd1 << 15;
        quo_q   <= '0;
        dvs_q   <= l_i;
        cnt_q   <= CntW'(Cycles);
        left_q  <= 6'(QBits);
        busy_q  <= 1'b1;
        small_q <= (l_i < 32'd65536);
      end else if (busy_q) begin
        rem_q  <= rem_d;
        quo_q  <= quo_d;
        left_q <= (left_q > 6'(STEPS)) ? left_q - 6'(STEPS) : 6'd0;
        cnt_q  <= cnt_q - 1'b1;
        if (cnt_q == CntW'(1)) begin
          busy_q <= 1'b0;
          done_q <= 1'b1;
        end
      end
    end
  end

  assign busy_o     = busy_q;
  assign done_o     = done_q;
  assign quotient_o = small_q ? '1 : quo_q;
endmodule
