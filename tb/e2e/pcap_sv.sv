// Testbench-only PCAP model in SystemVerilog (the fast path's twin of sw/pdswap_host/pcap.py):
// streams `len_i` 32-bit words of a container held in `mem` (filled by cocotb backdoor writes)
// into the configuration port at `rate_i` bytes per cycle (unsigned Q16.16, token bucket exactly
// like the Python model: one word may go out once 4 bytes of credit are available, the bucket
// holds one word plus one cycle of credit). cocotb flips start_i; done_o follows it at the end.
// With file_i = 1 the transfer start loads the container from FILE ($readmemh, one 32-bit word
// per line, exactly len_i lines) instead of cocotb depositing every word.
module pcap_sv #(
  parameter int unsigned DEPTH = 1 << 16,
  parameter string       FILE  = "pcap.hex"
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        start_i,        // toggle
  input  logic        file_i,         // 1: load mem from FILE when a transfer starts
  output logic        done_o,         // = start_i once the last word is accepted
  input  logic [31:0] len_i,          // words
  input  logic [31:0] rate_i,         // bytes per cycle, Q16.16
  output logic [31:0] cycles_o,       // cycles from start to the last word
  output logic [31:0] s_cfg_tdata_o,
  output logic        s_cfg_tvalid_o,
  input  logic        s_cfg_tready_i,
  output logic        s_cfg_tlast_o
);
  /* verilator lint_off UNDRIVEN */
  logic [31:0] mem [DEPTH];   // written by cocotb (backdoor)
  /* verilator lint_on UNDRIVEN */
  logic        active_q, done_q;
  logic [31:0] idx_q, cycles_q;
  logic [47:0] credit_q;
  localparam logic [47:0] Word = 48'(4) << 16;
  logic [47:0] credit_add, cap;
  logic        fire;

  assign cap        = Word + 48'(rate_i);
  assign credit_add = (credit_q + 48'(rate_i) > cap) ? cap : credit_q + 48'(rate_i);
  assign s_cfg_tvalid_o = active_q && (credit_q >= Word);
  assign s_cfg_tdata_o  = mem[idx_q[$clog2(DEPTH)-1:0]];
  assign s_cfg_tlast_o  = (idx_q == len_i - 1);
  assign fire = s_cfg_tvalid_o && s_cfg_tready_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      active_q <= 1'b0;
      done_q   <= 1'b0;
      idx_q    <= '0;
      cycles_q <= '0;
      credit_q <= '0;
    end else begin
      if (!active_q && start_i != done_q) begin
        // the first word can go out one cycle later at the earliest (no credit yet)
        if (file_i && len_i != '0) $readmemh(FILE, mem, 0, len_i - 1);
        active_q <= (len_i != '0);
        if (len_i == '0) done_q <= start_i;
        idx_q    <= '0;
        cycles_q <= '0;
        credit_q <= '0;
      end else if (active_q) begin
        cycles_q <= cycles_q + 1;
        credit_q <= fire ? credit_add - Word : credit_add;
        if (fire) begin
          idx_q <= idx_q + 1;
          if (idx_q == len_i - 1) begin
            active_q <= 1'b0;
            done_q   <= start_i;
          end
        end
      end
    end
  end

  assign done_o   = done_q;
  assign cycles_o = cycles_q;
endmodule
