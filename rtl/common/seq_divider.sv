// Unsigned restoring divider: one quotient bit per cycle.
//
// quotient = floor(dividend / divisor); a zero divisor returns quotient 0 and raises div_zero_o
// (callers define what a zero divisor means, e.g. an all-zero row in act_quant).
// Latency: start_i -> done_o is DIVIDEND_W + 1 cycles; busy_o is high in between.
module seq_divider #(
  parameter int unsigned DIVIDEND_W = 40,
  parameter int unsigned DIVISOR_W  = 28
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  start_i,
  input  logic [DIVIDEND_W-1:0] dividend_i,
  input  logic [DIVISOR_W-1:0]  divisor_i,
  output logic                  busy_o,
  output logic                  done_o,
  output logic [DIVIDEND_W-1:0] quotient_o,
  output logic                  div_zero_o
);
  if (DIVIDEND_W < 2 || DIVISOR_W < 1 || DIVIDEND_W > 64 || DIVISOR_W > 63) begin : g_bad_param
    $fatal(1, "seq_divider: DIVIDEND_W=%0d DIVISOR_W=%0d outside [2,64] x [1,63]",
           DIVIDEND_W, DIVISOR_W);
  end

  localparam int unsigned CntW = $clog2(DIVIDEND_W + 1);
  localparam int unsigned RemW = DIVISOR_W + 1;

  logic [DIVIDEND_W-1:0] quo_q, quo_d;
  logic [RemW-1:0]       rem_q, rem_d;
  logic [DIVISOR_W-1:0]  dvs_q, dvs_d;
  logic [CntW-1:0]       cnt_q, cnt_d;
  logic                  busy_q, busy_d, done_q, done_d, zero_q, zero_d;

  logic [RemW-1:0] trial;
  logic [RemW:0]   diff;

  always_comb begin
    quo_d  = quo_q;
    rem_d  = rem_q;
    dvs_d  = dvs_q;
    cnt_d  = cnt_q;
    busy_d = busy_q;
    done_d = 1'b0;
    zero_d = zero_q;
    trial  = {rem_q[RemW-2:0], quo_q[DIVIDEND_W-1]};
    diff   = {1'b0, trial} - {2'b0, dvs_q};
    if (start_i && !busy_q) begin
      quo_d  = dividend_i;
      rem_d  = '0;
      dvs_d  = divisor_i;
      cnt_d  = CntW'(DIVIDEND_W);
      busy_d = (divisor_i != '0);
      done_d = (divisor_i == '0);
      zero_d = (divisor_i == '0);
      if (divisor_i == '0) quo_d = '0;
    end else if (busy_q) begin
      if (!diff[RemW]) begin
        rem_d = diff[RemW-1:0];
        quo_d = {quo_q[DIVIDEND_W-2:0], 1'b1};
      end else begin
        rem_d = trial;
        quo_d = {quo_q[DIVIDEND_W-2:0], 1'b0};
      end
      cnt_d = cnt_q - 1'b1;
      if (cnt_q == CntW'(1)) begin
        busy_d = 1'b0;
        done_d = 1'b1;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      quo_q  <= '0;
      rem_q  <= '0;
      dvs_q  <= '0;
      cnt_q  <= '0;
      busy_q <= 1'b0;
      done_q <= 1'b0;
      zero_q <= 1'b0;
    end else begin
      quo_q  <= quo_d;
      rem_q  <= rem_d;
      dvs_q  <= dvs_d;
      cnt_q  <= cnt_d;
      busy_q <= busy_d;
      done_q <= done_d;
      zero_q <= zero_d;
    end
  end

  assign busy_o     = busy_q;
  assign done_o     = done_q;
  assign quotient_o = quo_q;
  assign div_zero_o = zero_q;
endmodule
