// RP decoupler (AMD DFX Decoupler model): while decouple_i is high every RP -> static signal is
// forced to the safe constant of docs/rp-interface.md and every static -> RP signal is isolated,
// so nothing a reconfiguring (or garbage-driving) RM does can reach the static region and nothing
// the static region does reaches a half-loaded RM. Purely combinational; decouple_status_o
// reports the forcing state to the configuration controller and the status registers.
module rp_decoupler (
  input  logic             decouple_i,
  output logic             decouple_status_o,
  // RM side
  input  rp_pkg::rp_out_t  rm_out_i,
  output rp_pkg::rp_in_t   rm_in_o,
  // static side
  output rp_pkg::rp_out_t  static_out_o,
  input  rp_pkg::rp_in_t   static_in_i
);
  rp_pkg::rp_out_t out_safe;
  rp_pkg::rp_in_t  in_iso;
  rp_safe u_safe (.out_safe_o(out_safe), .in_iso_o(in_iso));

  assign static_out_o      = decouple_i ? out_safe : rm_out_i;
  assign rm_in_o           = decouple_i ? in_iso : static_in_i;
  assign decouple_status_o = decouple_i;
endmodule
