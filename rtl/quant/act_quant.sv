// Per-token absmax int8 activation quantizer (docs/numerics.md, "Activation quantizer").
//
// One row (token) arrives as beats of LANES Q.16 values in int32 containers, the last beat
// flagged by s_axis_tlast_i; rows are padded to a whole beat with zeros (zeros do not change
// amax and quantize to 0). For every row:
//   y    = sat28(x)                        amax = max |y|
//   rq   = floor(127 * 2^32 / amax)        (seq_divider; amax == 0 gives rq = 0)
//   xq   = clamp(round(y * rq / 2^32), -128, 127)
// The row goes out as beats of LANES int8 with the same beat count and tlast; m_axis_tuser_o
// carries amax (the scale the TLMM requantisation needs) on every beat of the row.
//
// Two row buffers (ping-pong): row k+1 streams in while row k is divided and streamed out.
// A row longer than D_MAX elements sets the sticky err_overflow_o and is cut at D_MAX (the
// surplus beats are consumed and dropped, never a hang).
module act_quant #(
  parameter int unsigned LANES = 4,
  parameter int unsigned D_MAX = 4096
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  // input rows: LANES x int32 (Q.16)
  input  logic [LANES*32-1:0] s_axis_tdata_i,
  input  logic                s_axis_tvalid_i,
  output logic                s_axis_tready_o,
  input  logic                s_axis_tlast_i,
  // output rows: LANES x int8, tuser = amax of the row
  output logic [LANES*8-1:0]  m_axis_tdata_o,
  output logic                m_axis_tvalid_o,
  input  logic                m_axis_tready_i,
  output logic                m_axis_tlast_o,
  output logic [31:0]         m_axis_tuser_o,
  // status
  output logic                busy_o,
  output logic                err_overflow_o
);
  localparam int unsigned InW    = 28;             // quantizer input width (sat28)
  localparam int unsigned Depth  = D_MAX / LANES;  // beats per row buffer
  localparam int unsigned AddrW  = $clog2(Depth);
  localparam int unsigned CntW   = $clog2(Depth + 1);
  localparam int unsigned RecipW = 39;             // 127 * 2^32 < 2^39
  localparam int unsigned ProdW  = InW + RecipW + 1;

  if (LANES < 1 || D_MAX < LANES || (D_MAX % LANES) != 0 || Depth < 2) begin : g_bad_param
    $fatal(1, "act_quant: D_MAX=%0d must be a multiple of LANES=%0d with at least 2 beats",
           D_MAX, LANES);
  end

  // ------------------------------------------------------------------ helpers
  function automatic logic signed [InW-1:0] sat28(input logic signed [31:0] x);
    if (x > 32'sd134217727)       sat28 = 28'sd134217727;
    else if (x < -32'sd134217728) sat28 = -28'sd134217728;
    else                          sat28 = x[InW-1:0];
  endfunction

  function automatic logic [InW-1:0] abs28(input logic signed [InW-1:0] x);
    // |-2^27| = 2^27 does not fit a signed 28-bit value but does fit unsigned 28 bits
    abs28 = x[InW-1] ? InW'(-x) : InW'(x);
  endfunction

  function automatic logic signed [7:0] quant(input logic signed [InW-1:0] y,
                                              input logic [RecipW-1:0] rq);
    logic signed [ProdW-1:0] prod;
    logic signed [ProdW-1:0] rounded;
    prod    = ProdW'(y) * $signed({1'b0, rq});
    rounded = (prod + (ProdW'(1) <<< 31)) >>> 32;
    if (rounded > 127)       quant = 8'sd127;
    else if (rounded < -128) quant = -8'sd128;
    else                     quant = rounded[7:0];
  endfunction

  // ------------------------------------------------------------------ row buffers
  logic [LANES*InW-1:0] mem_q [2][Depth];
  logic [1:0]           full_q, full_d;
  logic [CntW-1:0]      nbeats_q [2];
  logic [InW-1:0]       amax_q [2];

  // ------------------------------------------------------------------ write side
  logic            wsel_q;
  logic [CntW-1:0] wcnt_q;
  logic [InW-1:0]  wamax_q;
  logic            err_q;
  logic            in_fire, in_store;
  logic [LANES*InW-1:0] in_sat;
  logic [InW-1:0]  beat_amax;

  always_comb begin
    beat_amax = '0;
    for (int unsigned l = 0; l < LANES; l++) begin
      in_sat[l*InW +: InW] = sat28(s_axis_tdata_i[l*32 +: 32]);
      if (abs28(in_sat[l*InW +: InW]) > beat_amax) beat_amax = abs28(in_sat[l*InW +: InW]);
    end
  end

  assign s_axis_tready_o = !full_q[wsel_q];
  assign in_fire  = s_axis_tvalid_i && s_axis_tready_o;
  assign in_store = in_fire && (wcnt_q < CntW'(Depth));

  logic [InW-1:0] wamax_next;
  assign wamax_next = (in_store && beat_amax > wamax_q) ? beat_amax : wamax_q;

  always_ff @(posedge clk_i) begin
    if (in_store) mem_q[wsel_q][AddrW'(wcnt_q)] <= in_sat;
  end

  // ------------------------------------------------------------------ read side
  typedef enum logic [1:0] {RdIdle, RdDiv, RdStream} rd_state_e;
  rd_state_e       rstate_q, rstate_d;
  logic            rsel_q;
  logic [CntW-1:0] rcnt_q, rcnt_d;
  logic            div_start, div_done;
  logic [RecipW-1:0] rq;
  logic            out_load;
  logic            row_done;

  // busy/div_zero are not needed here: amax == 0 already yields quotient 0 (an all-zero row).
  /* verilator lint_off PINCONNECTEMPTY */
  seq_divider #(.DIVIDEND_W(RecipW), .DIVISOR_W(InW)) u_div (
    .clk_i,
    .rst_ni,
    .start_i    (div_start),
    .dividend_i (RecipW'(127) << 32),
    .divisor_i  (amax_q[rsel_q]),
    .busy_o     (),
    .done_o     (div_done),
    .quotient_o (rq),
    .div_zero_o ()
  );
  /* verilator lint_on PINCONNECTEMPTY */

  // output register: loaded whenever it is empty or being consumed
  logic                out_valid_q;
  logic [LANES*8-1:0]  out_data_q;
  logic                out_last_q;
  logic [InW-1:0]      out_amax_q;
  logic [LANES*InW-1:0] rd_word;

  assign rd_word  = mem_q[rsel_q][AddrW'(rcnt_q)];
  assign out_load = (rstate_q == RdStream) && (!out_valid_q || m_axis_tready_i);
  assign row_done = out_load && (rcnt_q == nbeats_q[rsel_q] - 1'b1);

  always_comb begin
    rstate_d  = rstate_q;
    rcnt_d    = rcnt_q;
    div_start = 1'b0;
    unique case (rstate_q)
      RdIdle: if (full_q[rsel_q]) begin
        div_start = 1'b1;
        rstate_d  = RdDiv;
      end
      RdDiv: if (div_done) begin
        rcnt_d   = '0;
        rstate_d = RdStream;
      end
      RdStream: if (out_load) begin
        rcnt_d = rcnt_q + 1'b1;
        if (row_done) rstate_d = RdIdle;
      end
      default: rstate_d = RdIdle;
    endcase
  end

  always_comb begin
    full_d = full_q;
    if (in_fire && s_axis_tlast_i) full_d[wsel_q] = 1'b1;
    if (row_done)                  full_d[rsel_q] = 1'b0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wsel_q      <= 1'b0;
      wcnt_q      <= '0;
      wamax_q     <= '0;
      err_q       <= 1'b0;
      full_q      <= '0;
      nbeats_q    <= '{default: '0};
      amax_q      <= '{default: '0};
      rstate_q    <= RdIdle;
      rsel_q      <= 1'b0;
      rcnt_q      <= '0;
      out_valid_q <= 1'b0;
      out_data_q  <= '0;
      out_last_q  <= 1'b0;
      out_amax_q  <= '0;
    end else begin
      full_q   <= full_d;
      rstate_q <= rstate_d;
      rcnt_q   <= rcnt_d;
      // write side
      if (in_fire) begin
        if (!in_store) err_q <= 1'b1;
        if (s_axis_tlast_i) begin
          nbeats_q[wsel_q] <= in_store ? wcnt_q + 1'b1 : wcnt_q;
          amax_q[wsel_q]   <= wamax_next;
          wsel_q           <= !wsel_q;
          wcnt_q           <= '0;
          wamax_q          <= '0;
        end else begin
          wcnt_q  <= in_store ? wcnt_q + 1'b1 : wcnt_q;
          wamax_q <= wamax_next;
        end
      end
      // read side
      if (row_done) rsel_q <= !rsel_q;
      if (out_load) begin
        out_valid_q <= 1'b1;
        out_last_q  <= row_done;
        out_amax_q  <= amax_q[rsel_q];
        for (int unsigned l = 0; l < LANES; l++) begin
          out_data_q[l*8 +: 8] <= quant(rd_word[l*InW +: InW], rq);
        end
      end else if (m_axis_tready_i) begin
        out_valid_q <= 1'b0;
      end
    end
  end

  assign m_axis_tdata_o  = out_data_q;
  assign m_axis_tvalid_o = out_valid_q;
  assign m_axis_tlast_o  = out_last_q;
  assign m_axis_tuser_o  = 32'(out_amax_q);
  assign busy_o          = (full_q != '0) || (wcnt_q != '0) || out_valid_q;
  assign err_overflow_o  = err_q;
endmodule
