// sv_clk_gen: free-running clock and reset generated inside the simulation (Verilator --timing),
// for the fast simulation path where cocotb only waits on Timer (testbench-only). Build it with
// --timing and a time precision of 1 ps or finer (fastsim.FAST_ARGS: --timescale 1ns/1ps). No
// timeunit is declared here: with Verilator 5.006 a delay loop in a module whose timeunit
// differs from the other modules' never advances.
//
// clk_o starts low at time 0 and toggles every PERIOD_PS/2 ps: rising edges at PERIOD/2 +
// k*PERIOD, falling edges at k*PERIOD. cocotb therefore reads and writes at multiples of the
// period (falling edges) without racing the design (tb/common/fastsim.py does this).
// rst_no is low for RESET_CYCLES rising edges after time 0, and again after cocotb increments
// rst_req (the generator copies it to rst_ack). cyc counts rising edges since time 0.
module sv_clk_gen #(
  parameter int unsigned PERIOD_PS    = 4000,
  parameter int unsigned RESET_CYCLES = 8,
  parameter bit          ENABLE       = 1'b1   // 0: clk_o stays low, no delays (--no-timing ok)
) (
  output logic clk_o,
  output logic rst_no
);
  if (PERIOD_PS < 2 || (PERIOD_PS % 2) != 0) begin : g_bad_period
    $fatal(1, "sv_clk_gen: PERIOD_PS=%0d must be even and >= 2", PERIOD_PS);
  end
  if (RESET_CYCLES < 1) begin : g_bad_reset
    $fatal(1, "sv_clk_gen: RESET_CYCLES=%0d must be >= 1", RESET_CYCLES);
  end

  int unsigned     rst_req = 0;
  int unsigned     rst_ack = 0;
  int unsigned     rst_cnt = RESET_CYCLES;
  longint unsigned cyc     = 0;

  if (ENABLE) begin : g_clk
    initial begin
      clk_o = 1'b0;
      forever #(PERIOD_PS * 0.5ps) clk_o = ~clk_o;   // a time literal: any timescale works
    end
  end else begin : g_off                             // also builds with --no-timing
    assign clk_o = 1'b0;
  end

  always @(posedge clk_o) begin
    cyc <= cyc + 1;
    if (rst_req != rst_ack) begin
      rst_ack <= rst_req;
      rst_cnt <= RESET_CYCLES;
    end else if (rst_cnt != 0) begin
      rst_cnt <= rst_cnt - 1;
    end
  end

  assign rst_no = (rst_cnt == 0);
endmodule
