// One RM slot of the RP wrapper: the RM of kind KIND with its flat ports bound to the packed
// boundary structs (rtl/rp/rm_connect.svh).
//   KIND 0: rm_stub standing in for the prefill RM   KIND 1: rm_stub standing in for decode
//   KIND 2: rm_prefill                               KIND 3: rm_decode
`include "rm_connect.svh"
module rm_shell #(
  parameter int unsigned KIND       = 0,
  parameter int unsigned HEAD_DIM   = 16,
  parameter int unsigned MAX_CTX    = 256,
  parameter int unsigned STUB_EXTRA = 64
) (
  input  logic            clk_i,
  input  logic            rst_ni,
  input  rp_pkg::rp_in_t  in_i,
  output rp_pkg::rp_out_t out_o
);
  if (KIND > 3) begin : g_bad_kind
    $fatal(1, "rm_shell: KIND=%0d unknown (0/1 stubs, 2 rm_prefill, 3 rm_decode)", KIND);
  end

  if (KIND == 0 || KIND == 1) begin : g_stub
    rm_stub #(
      .RM_ID        (KIND == 0 ? rp_pkg::RmIdPrefill : rp_pkg::RmIdDecode),
      .PHASE        (KIND == 0 ? rp_pkg::PhasePrefill : rp_pkg::PhaseDecode),
      .HEAD_DIM     (HEAD_DIM),
      .MAX_CTX      (MAX_CTX),
      .EXTRA_CYCLES (STUB_EXTRA)
    ) u_rm (.clk_i, .rst_ni, `RM_CONNECT(in_i, out_o));
  end else if (KIND == 2) begin : g_prefill
    rm_prefill #(.HEAD_DIM(HEAD_DIM), .MAX_CTX(MAX_CTX)) u_rm (.clk_i, .rst_ni, `RM_CONNECT(in_i, out_o));
  end else begin : g_decode
    rm_decode #(.HEAD_DIM(HEAD_DIM), .MAX_CTX(MAX_CTX)) u_rm (.clk_i, .rst_ni, `RM_CONNECT(in_i, out_o));
  end
endmodule
