// Testbench-only AXI-Lite master driven through a mailbox, so the host driver can program the
// DUT while the clock runs in SystemVerilog (no Python per cycle; cocotbext-axi masters race
// with an SV clock).
//
// cocotb hands over a whole program of up to NPROG register accesses in one write of prog_i and
// waits for one edge of ack_o, instead of one Python round trip per access:
//   prog_i[31:0]             control: [7:0] sequence number, [15:8] entries (1..NPROG)
//   prog_i[32 + 64*i +: 64]  entry i: [31:0] write data (op 1) or poll budget (op 3),
//                            [39:32] address, [47:40] poll mask, [55:48] stop mask, [56] port,
//                            [58:57] op (1 write, 2 read, 3 poll: read until (rdata & poll mask)
//                            != 0, at most "budget" reads)
// A program starts at the first rising edge that sees a new sequence number. Its entries run
// back to back with exactly the cycles that one cocotb request per entry used to take (each
// entry starts at the rising edge after the previous one finished), so batching leaves every
// cycle count of the host flow unchanged. The program stops early after an entry whose read
// data has a bit of its stop mask set (e.g. STATUS.error), after an error response, an
// exhausted poll budget or when budget_i cycles have passed (watchdog: every wait is bounded).
// When it ends, stat_o = {reads of the last entry [63:42], timeout [41], err [40], entries done
// [39:32], last read data [31:0]} and ack_o toggles on the
// following falling edge, where cocotb continues without racing the rising-edge logic.
module axil_mailbox #(
  parameter int unsigned NPORT = 2,
  parameter int unsigned AW    = 8,
  parameter int unsigned NPROG = 16
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  // mailbox (written by cocotb)
  input  logic [NPROG*64+31:0]  prog_i,
  input  logic [31:0]           budget_i,    // watchdog: cycles per program
  output logic                  ack_o,       // toggles (on a falling edge) when a program ends
  output logic [63:0]           stat_o,
  // AXI-Lite masters (flattened per port)
  output logic [NPORT*AW-1:0]   m_awaddr_o,
  output logic [NPORT-1:0]      m_awvalid_o,
  input  logic [NPORT-1:0]      m_awready_i,
  output logic [NPORT*32-1:0]   m_wdata_o,
  output logic [NPORT-1:0]      m_wvalid_o,
  input  logic [NPORT-1:0]      m_wready_i,
  input  logic [NPORT*2-1:0]    m_bresp_i,
  input  logic [NPORT-1:0]      m_bvalid_i,
  output logic [NPORT-1:0]      m_bready_o,
  output logic [NPORT*AW-1:0]   m_araddr_o,
  output logic [NPORT-1:0]      m_arvalid_o,
  input  logic [NPORT-1:0]      m_arready_i,
  input  logic [NPORT*32-1:0]   m_rdata_i,
  input  logic [NPORT*2-1:0]    m_rresp_i,
  input  logic [NPORT-1:0]      m_rvalid_i,
  output logic [NPORT-1:0]      m_rready_o
);
  localparam int unsigned PW = NPORT > 1 ? $clog2(NPORT) : 1;
  localparam int unsigned IW = $clog2(NPROG + 1);
  if (NPORT < 1 || NPORT > 2 || AW > 8 || NPROG < 1 || NPROG > 255) begin : g_bad_param
    $fatal(1, "axil_mailbox: NPORT=%0d (1..2), AW=%0d (<= 8), NPROG=%0d (1..255)", NPORT, AW, NPROG);
  end

  typedef enum logic [2:0] {SIdle, SWrite, SWaitB, SRead, SWaitR, SDone} state_e;
  state_e        state_q;
  logic          run_q, ack_q, ack_n_q, err_q, tmo_q, aw_done_q, w_done_q, stop_q;
  logic [7:0]    seq_q;
  logic [IW-1:0] idx_q, len_q;
  logic [31:0]   rdata_q, polls_q, wdata_q, cyc_q;
  logic [AW-1:0] addr_q;
  logic [7:0]    pmask_q, smask_q;
  logic [PW-1:0] port_q;
  logic [1:0]    op_q;

  // the entry that starts in this cycle (SIdle): entry 0 of a new program or the next one
  logic          new_prog, start;
  logic [63:0]   ent;
  assign new_prog = !run_q && (prog_i[7:0] != seq_q);
  assign start    = (state_q == SIdle) &&
                    ((new_prog && prog_i[15:8] != '0) || (run_q && idx_q != len_q));
  always_comb begin
    ent = '0;
    if (start) ent = prog_i[32 + 64 * (new_prog ? 0 : 32'(idx_q)) +: 64];
  end

  logic [31:0] rd;
  assign rd = m_rdata_i[32*port_q +: 32];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q   <= SIdle;
      run_q     <= 1'b0;
      ack_q     <= 1'b0;
      err_q     <= 1'b0;
      tmo_q     <= 1'b0;
      stop_q    <= 1'b0;
      aw_done_q <= 1'b0;
      w_done_q  <= 1'b0;
      seq_q     <= '0;
      idx_q     <= '0;
      len_q     <= '0;
      rdata_q   <= '0;
      polls_q   <= '0;
      wdata_q   <= '0;
      cyc_q     <= '0;
      addr_q    <= '0;
      pmask_q   <= '0;
      smask_q   <= '0;
      port_q    <= '0;
      op_q      <= '0;
    end else begin
      if (new_prog && state_q == SIdle) begin
        run_q <= 1'b1;
        seq_q <= prog_i[7:0];
        len_q <= IW'(prog_i[15:8] > 8'(NPROG) ? 8'(NPROG) : prog_i[15:8]);
        idx_q <= '0;
        err_q <= 1'b0;
        tmo_q <= 1'b0;
        cyc_q <= '0;
      end else if (run_q) begin
        cyc_q <= cyc_q + 1;
      end
      if (start) begin
        wdata_q   <= ent[31:0];
        addr_q    <= AW'(ent[39:32]);
        pmask_q   <= ent[47:40];
        smask_q   <= ent[55:48];
        port_q    <= PW'(ent[56]);
        op_q      <= ent[58:57];
        polls_q   <= '0;
        aw_done_q <= 1'b0;
        w_done_q  <= 1'b0;
        stop_q    <= 1'b0;
        state_q   <= (ent[58:57] == 2'd1) ? SWrite : (ent[58:57] == 2'd0) ? SDone : SRead;
      end else if (run_q && state_q != SIdle && cyc_q >= budget_i) begin
        tmo_q   <= 1'b1;                // watchdog: abandon the access, end the program
        err_q   <= 1'b1;
        run_q   <= 1'b0;
        ack_q   <= !ack_q;
        state_q <= SIdle;
      end else begin
        unique case (state_q)
          SIdle: if (run_q && idx_q == len_q) begin
            run_q <= 1'b0;              // (only for an empty program)
            ack_q <= !ack_q;
          end
          SWrite: begin
            if (m_awready_i[port_q]) aw_done_q <= 1'b1;
            if (m_wready_i[port_q])  w_done_q  <= 1'b1;
            if ((aw_done_q || m_awready_i[port_q]) && (w_done_q || m_wready_i[port_q])) state_q <= SWaitB;
          end
          SWaitB: if (m_bvalid_i[port_q]) begin
            err_q   <= (m_bresp_i[2*port_q +: 2] != 2'b00);
            state_q <= SDone;
          end
          SRead: if (m_arready_i[port_q]) state_q <= SWaitR;
          SWaitR: if (m_rvalid_i[port_q]) begin
            rdata_q <= rd;
            polls_q <= polls_q + 1;
            stop_q  <= (rd & 32'(smask_q)) != '0;
            if (m_rresp_i[2*port_q +: 2] != 2'b00) begin
              err_q   <= 1'b1;
              state_q <= SDone;
            end else if (op_q == 2'd3 && (rd & 32'(pmask_q)) == '0) begin
              if (polls_q + 1 >= wdata_q) begin
                err_q   <= 1'b1;        // poll budget exhausted
                state_q <= SDone;
              end else begin
                state_q <= SRead;
              end
            end else begin
              state_q <= SDone;
            end
          end
          SDone: begin
            idx_q   <= idx_q + 1'b1;
            state_q <= SIdle;
            if (err_q || stop_q || idx_q + 1'b1 == len_q) begin
              run_q <= 1'b0;
              ack_q <= !ack_q;
            end
          end
          default: state_q <= SIdle;
        endcase
      end
    end
  end

  // the acknowledge reaches cocotb on the falling edge after the last entry's rising edge
  always_ff @(negedge clk_i or negedge rst_ni) begin
    if (!rst_ni) ack_n_q <= 1'b0;
    else         ack_n_q <= ack_q;
  end

  always_comb begin
    m_awaddr_o  = '0;
    m_awvalid_o = '0;
    m_wdata_o   = '0;
    m_wvalid_o  = '0;
    m_bready_o  = '0;
    m_araddr_o  = '0;
    m_arvalid_o = '0;
    m_rready_o  = '0;
    for (int unsigned p = 0; p < NPORT; p++) begin
      if (32'(port_q) == p) begin
        m_awaddr_o[p*AW +: AW] = addr_q;
        m_araddr_o[p*AW +: AW] = addr_q;
        m_wdata_o[p*32 +: 32]  = wdata_q;
        m_awvalid_o[p] = (state_q == SWrite) && !aw_done_q;
        m_wvalid_o[p]  = (state_q == SWrite) && !w_done_q;
        m_bready_o[p]  = (state_q == SWaitB);
        m_arvalid_o[p] = (state_q == SRead);
        m_rready_o[p]  = (state_q == SWaitR);
      end
    end
  end

  assign ack_o  = ack_n_q;
  assign stat_o = {polls_q[21:0], tmo_q, err_q, 8'(idx_q), rdata_q};
endmodule
