// SwiGLU gate (docs/elementwise.md, golden `swiglu_int`): out = silu(gate) * up, all Q.16.
//
//   sig(x)  = SIG[k] + rnd((SIG[k+1] - SIG[k]) * frac, 12)     x clamped to [-8, 8 - 2^-16]
//             off = x + 8 * 2^16, k = off >> 12, frac = off & 0xfff   (sigmoid_rom: 256 intervals)
//   silu(x) = sat32(rnd(x * sig(x), 16))
//   out     = sat32(rnd(silu(gate) * up, 16))
//
// Two Q.16 row streams (gate, up) of LANES x int32 beats are joined beat by beat (a beat is taken
// when both are valid and the pipeline can move) into a 5-stage pipeline that stalls as a whole
// when the output is back-pressured. The output carries the tlast of gate; a tlast disagreement
// between gate and up raises the sticky err_last_o. Latency 5 cycles, throughput 1 beat/cycle.
module swiglu #(
  parameter int unsigned LANES = 4
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  // gate projection: LANES x int32 (Q.16)
  input  logic [LANES*32-1:0] s_axis_gate_tdata_i,
  input  logic                s_axis_gate_tvalid_i,
  output logic                s_axis_gate_tready_o,
  input  logic                s_axis_gate_tlast_i,
  // up projection: LANES x int32 (Q.16)
  input  logic [LANES*32-1:0] s_axis_up_tdata_i,
  input  logic                s_axis_up_tvalid_i,
  output logic                s_axis_up_tready_o,
  input  logic                s_axis_up_tlast_i,
  // silu(gate) * up: LANES x int32 (Q.16, saturated)
  output logic [LANES*32-1:0] m_axis_tdata_o,
  output logic                m_axis_tvalid_o,
  input  logic                m_axis_tready_i,
  output logic                m_axis_tlast_o,
  // status
  output logic                err_last_o
);
  if (LANES < 1 || LANES > 64) begin : g_bad_param
    $fatal(1, "swiglu: LANES=%0d outside [1, 64]", LANES);
  end

  localparam int unsigned NStages = 5;
  localparam int unsigned SigW    = 17;   // U1.16, <= 65536

  // ------------------------------------------------------------------ arithmetic helpers
  function automatic logic [31:0] sat32_34(input logic signed [33:0] x);
    if (x > 34'sd2147483647)       sat32_34 = 32'h7fff_ffff;
    else if (x < -34'sd2147483648) sat32_34 = 32'h8000_0000;
    else                           sat32_34 = x[31:0];
  endfunction

  // Q.16 -> interval offset in [0, 2^20): off = clamp(x, -8, 8 - 2^-16) + 8
  function automatic logic [19:0] sig_offset(input logic signed [31:0] x);
    if (x < -32'sd524288)     sig_offset = 20'd0;
    else if (x > 32'sd524287) sig_offset = 20'hfffff;
    else                      sig_offset = 20'(x + 32'sd524288);
  endfunction

  // silu(x) = sat32(rnd(x * sig, 16))
  function automatic logic [31:0] silu(input logic signed [31:0] x, input logic [SigW-1:0] sig);
    logic signed [49:0] p;
    p = 50'(x) * $signed({1'b0, sig});
    p = p + 50'sd32768;
    silu = sat32_34(34'(p >>> 16));
  endfunction

  // sat32(rnd(a * b, 16))
  function automatic logic [31:0] mul_q16(input logic signed [31:0] a, input logic signed [31:0] b);
    logic signed [64:0] p;
    p = 65'(a) * 65'(b);
    p = p + 65'sd32768;
    p = p >>> 16;
    if (p > 65'sd2147483647)       mul_q16 = 32'h7fff_ffff;
    else if (p < -65'sd2147483648) mul_q16 = 32'h8000_0000;
    else                           mul_q16 = p[31:0];
  endfunction

  // ------------------------------------------------------------------ pipeline control
  logic [NStages-1:0] valid_q;
  logic [NStages-1:0] last_q;
  logic               adv, accept, err_q;

  assign adv                  = !valid_q[NStages-1] || m_axis_tready_i;
  assign accept               = adv && s_axis_gate_tvalid_i && s_axis_up_tvalid_i;
  assign s_axis_gate_tready_o = adv && s_axis_up_tvalid_i;
  assign s_axis_up_tready_o   = adv && s_axis_gate_tvalid_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q <= '0;
      last_q  <= '0;
      err_q   <= 1'b0;
    end else begin
      if (adv) begin
        valid_q <= {valid_q[NStages-2:0], accept};
        last_q  <= {last_q[NStages-2:0], s_axis_gate_tlast_i};
      end
      if (accept && (s_axis_gate_tlast_i != s_axis_up_tlast_i)) err_q <= 1'b1;
    end
  end

  // ------------------------------------------------------------------ datapath (stall = !adv)
  // stage 1: joined inputs
  logic [LANES*32-1:0] g1_q, u1_q;
  // stage 2: table read
  logic [LANES*32-1:0] g2_q, u2_q;
  logic [LANES*16-1:0] base2_q;
  logic [LANES*11-1:0] slope2_q;
  logic [LANES*12-1:0] frac2_q;
  // stage 3: interpolated sigmoid
  logic [LANES*32-1:0]   g3_q, u3_q;
  logic [LANES*SigW-1:0] sig3_q;
  // stage 4: silu(gate)
  logic [LANES*32-1:0] silu4_q, u4_q;
  // stage 5: output
  logic [LANES*32-1:0] out5_q;

  logic [LANES*16-1:0]   rom_base;
  logic [LANES*11-1:0]   rom_slope;
  logic [LANES*20-1:0]   off1;
  logic [LANES*SigW-1:0] sig2;

  for (genvar l = 0; l < LANES; l++) begin : g_lane
    assign off1[l*20 +: 20] = sig_offset(g1_q[l*32 +: 32]);

    sigmoid_rom u_rom (
      .idx_i   (off1[l*20+12 +: 8]),
      .base_o  (rom_base[l*16 +: 16]),
      .slope_o (rom_slope[l*11 +: 11])
    );

    logic [22:0] interp;   // slope * frac + 2^11 < 2^23
    assign interp = 23'(slope2_q[l*11 +: 11]) * 23'(frac2_q[l*12 +: 12]) + 23'd2048;
    assign sig2[l*SigW +: SigW] = SigW'(base2_q[l*16 +: 16]) + SigW'(interp >> 12);
  end

  always_ff @(posedge clk_i) begin
    if (adv) begin
      g1_q     <= s_axis_gate_tdata_i;
      u1_q     <= s_axis_up_tdata_i;
      g2_q     <= g1_q;
      u2_q     <= u1_q;
      base2_q  <= rom_base;
      slope2_q <= rom_slope;
      g3_q     <= g2_q;
      u3_q     <= u2_q;
      sig3_q   <= sig2;
      u4_q     <= u3_q;
      for (int unsigned l = 0; l < LANES; l++) begin
        frac2_q[l*12 +: 12] <= off1[l*20 +: 12];
        silu4_q[l*32 +: 32] <= silu(g3_q[l*32 +: 32], sig3_q[l*SigW +: SigW]);
        out5_q[l*32 +: 32]  <= mul_q16(silu4_q[l*32 +: 32], u4_q[l*32 +: 32]);
      end
    end
  end

  assign m_axis_tdata_o  = out5_q;
  assign m_axis_tvalid_o = valid_q[NStages-1];
  assign m_axis_tlast_o  = last_q[NStages-1];
  assign err_last_o      = err_q;
endmodule
