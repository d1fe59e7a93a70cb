// The safe constants of the RP boundary (docs/rp-interface.md, "Decoupling rules"): what a
// decoupler drives towards the static side, and what an isolated RM sees. A module rather than
// package functions so that Yosys 0.23 reads it (it rejects struct-typed functions).
module rp_safe (
  output rp_pkg::rp_out_t out_safe_o,   // RP -> static while decoupled / nothing selected
  output rp_pkg::rp_in_t  in_iso_o      // static -> RP while isolated
);
  always_comb begin
    out_safe_o              = '0;
    out_safe_o.axi.bready   = '1;         // sink stray responses (none outstanding after shutdown)
    out_safe_o.axi.rready   = '1;
    out_safe_o.shutdown_ack = 1'b1;       // an empty partition is shut down
    out_safe_o.rm_id        = rp_pkg::RmIdNone;
    in_iso_o                = '0;
    in_iso_o.shutdown_req   = 1'b1;       // keep a half-configured RM quiet
  end
endmodule
