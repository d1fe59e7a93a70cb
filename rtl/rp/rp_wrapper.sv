// The reconfigurable partition, simulated the way ReSim does it: every RM is instantiated, a
// selector ("portal") that only the configuration controller drives picks the active one, and a
// decoupler isolates the partition while it is being reconfigured.
//
//   static_in_i --> [decoupler isolation] --> active RM (others see isolated inputs)
//   active RM --> [garbage injector, simulation only] --> [decoupler forcing] --> static_out_o
//
// * rm_sel_i: RM id of the loaded module (rp_pkg::RmId*); the controller switches it when the
//   bitstream payload starts. An unknown id (or RmIdNone) selects nothing: outputs are safe.
// * rm_reset_i: holds the selected RM in reset (the controller's ResetRM phase). RMs that are not
//   selected are neither reset nor clocked: their state is whatever the last configuration (or
//   the testbench's scrambling) left, exactly like unconfigured fabric, so only the controller's
//   reset makes an incoming RM clean. The clock of a slot runs only while its RM is selected
//   (enable sampled on the falling edge, glitch-free); besides modelling that an unselected RM
//   does not exist, it keeps the simulator from evaluating the idle module every cycle.
// * inject_i / inject_mode_i / inject_seed_i: the reconfiguration harness replaces the selected
//   RM's outputs with garbage (0: LFSR random, 1: all ones, 2: 0xDEADBEEF, 3: random + ones)
//   BEFORE the decoupler; a leaky decoupler lets it through and the test sees it.
//
// RM_SET = 0 instantiates two rm_stub stand-ins (ids Prefill and Decode); RM_SET = 1 the real
// rm_prefill and rm_decode.
module rp_wrapper #(
  parameter int unsigned RM_SET       = 0,
  parameter int unsigned HEAD_DIM     = 16,
  parameter int unsigned MAX_CTX      = 256,
  parameter int unsigned STUB_EXTRA   = 64
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  // configuration controller
  input  logic [7:0]       rm_sel_i,
  input  logic             rm_reset_i,
  input  logic             decouple_i,
  input  logic             shutdown_req_i,
  output logic             shutdown_ack_o,
  output logic             rm_busy_o,
  output logic             decouple_status_o,
  // static side
  input  rp_pkg::rp_in_t   static_in_i,
  output rp_pkg::rp_out_t  static_out_o,
  // simulation-only garbage injection (tie to 0 outside testbenches)
  input  logic             inject_i,
  input  logic [1:0]       inject_mode_i,
  input  logic [31:0]      inject_seed_i
);
  localparam int unsigned NumRm = 2;
  localparam logic [7:0] RmIds [NumRm] = '{rp_pkg::RmIdPrefill, rp_pkg::RmIdDecode};
  localparam int unsigned OutW = $bits(rp_pkg::rp_out_t);

  if (RM_SET > 1) begin : g_bad_set
    $fatal(1, "rp_wrapper: RM_SET=%0d unknown (0 = stubs, 1 = rm_prefill + rm_decode)", RM_SET);
  end

  rp_pkg::rp_out_t rm_out [NumRm];
  rp_pkg::rp_in_t  rm_in  [NumRm];
  logic [NumRm-1:0] rm_rst_n;

  // ----------------------------------------------------------------- selection (portal)
  logic            sel_valid;
  int unsigned     sel_idx;
  always_comb begin
    sel_valid = 1'b0;
    sel_idx   = 0;
    for (int unsigned i = 0; i < NumRm; i++) begin
      if (rm_sel_i == RmIds[i]) begin
        sel_valid = 1'b1;
        sel_idx   = i;
      end
    end
  end

  rp_pkg::rp_out_t  out_safe;
  rp_pkg::rp_in_t   in_iso;
  rp_safe u_safe (.out_safe_o(out_safe), .in_iso_o(in_iso));

  rp_pkg::rp_in_t   dec_in;     // static_in_i after the decoupler's isolation
  rp_pkg::rp_out_t  sel_out;    // the selected RM's outputs (or safe when none is selected)
  rp_pkg::rp_out_t  inj_out;    // after the garbage injector

  always_comb begin
    for (int unsigned i = 0; i < NumRm; i++) begin
      rm_in[i]    = (sel_valid && sel_idx == i) ? dec_in : in_iso;
      rm_in[i].shutdown_req = rm_in[i].shutdown_req || shutdown_req_i;
      rm_rst_n[i] = rst_ni && !(rm_reset_i && sel_valid && sel_idx == i);
    end
    sel_out = sel_valid ? rm_out[sel_idx] : out_safe;
  end

  assign shutdown_ack_o = sel_out.shutdown_ack;
  assign rm_busy_o      = sel_valid && sel_out.busy;

  // ----------------------------------------------------------------- garbage injector
  logic [31:0] lfsr_q;
  logic [OutW-1:0] garbage;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni)       lfsr_q <= 32'h1;
    else if (!inject_i) lfsr_q <= (inject_seed_i == '0) ? 32'h1 : inject_seed_i;
    else               lfsr_q <= {lfsr_q[30:0], lfsr_q[31] ^ lfsr_q[21] ^ lfsr_q[1] ^ lfsr_q[0]};
  end
  always_comb begin
    for (int unsigned b = 0; b < OutW; b += 32) begin
      unique case (inject_mode_i)
        2'd0: garbage[b +: 32] = lfsr_q ^ (b * 32'h9E3779B9);
        2'd1: garbage[b +: 32] = '1;
        2'd2: garbage[b +: 32] = 32'hDEADBEEF;
        default: garbage[b +: 32] = (b % 64 == 0) ? '1 : lfsr_q;
      endcase
    end
  end
  assign inj_out = inject_i ? rp_pkg::rp_out_t'(garbage) : sel_out;

  // ----------------------------------------------------------------- decoupler
  rp_decoupler u_decoupler (
    .decouple_i        (decouple_i),
    .decouple_status_o (decouple_status_o),
    .rm_out_i          (inj_out),
    .rm_in_o           (dec_in),
    .static_out_o      (static_out_o),
    .static_in_i       (static_in_i)
  );

  // ----------------------------------------------------------------- the RMs
  logic [NumRm-1:0] clk_en_q, slot_clk;
  always_ff @(negedge clk_i or negedge rst_ni) begin
    if (!rst_ni) clk_en_q <= '1;
    else for (int unsigned i = 0; i < NumRm; i++) clk_en_q[i] <= sel_valid && sel_idx == i;
  end

  for (genvar i = 0; i < NumRm; i++) begin : g_rm
    assign slot_clk[i] = clk_i & clk_en_q[i];
    rm_shell #(
      .KIND       (RM_SET == 0 ? i : 2 + i),
      .HEAD_DIM   (HEAD_DIM),
      .MAX_CTX    (MAX_CTX),
      .STUB_EXTRA (STUB_EXTRA)
    ) u_slot (.clk_i(slot_clk[i]), .rst_ni(rm_rst_n[i]), .in_i(rm_in[i]), .out_o(rm_out[i]));
  end
endmodule
