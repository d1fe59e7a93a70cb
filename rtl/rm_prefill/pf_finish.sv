// Output normalisation of rm_prefill: rows whose last block has been accumulated come in (one
// row step of PE_ROWS rows per entry), get inv_l = floor(2^48 / l) from a pool of sequential
// dividers and leave as O rows of HEAD_DIM Q.16 values, 4 per beat:
//   o = sat32(rnd(acc * inv_l, 32 + fv))            (docs/numerics.md, attention, "finally")
// The dividers take 50 cycles each; NDIV of them work round-robin so that a row can leave every
// HEAD_DIM/4 cycles. Rows leave in completion order, tagged (tuser) with their row index within
// the job. The accumulators stay in rm_prefill's accumulator memory: this block reads a 16-value
// slice per 4 output beats through acc_*; row_done_o tells rm_prefill the row's slot is free.
module pf_finish #(
  parameter int unsigned HEAD_DIM = 16,
  parameter int unsigned PE_ROWS  = 1,
  parameter int unsigned POS_W    = 17,
  parameter int unsigned ROW_W    = 5,
  parameter int unsigned DEPTH    = 32     // row-step entries buffered
) (
  input  logic                          clk_i,
  input  logic                          rst_ni,
  input  logic [POS_W-1:0]              pos0_i,
  input  logic [4:0]                    fv_i,
  // finished row steps
  input  logic                          push_valid_i,
  output logic                          push_ready_o,
  input  logic                          push_bank_i,
  input  logic [ROW_W-1:0]              push_row_i,
  input  logic [POS_W-1:0]              push_rowpos_i,
  input  logic [PE_ROWS-1:0]            push_lanes_i,
  input  logic [PE_ROWS*attn_pkg::LW-1:0] push_l_i,
  // accumulator read port (combinational)
  output logic                          acc_bank_o,
  output logic [ROW_W-1:0]              acc_row_o,
  output logic [((HEAD_DIM > 16) ? $clog2(HEAD_DIM/16) : 1)-1:0] acc_dc_o,
  input  logic [16*attn_pkg::AccW-1:0]  acc_data_i,
  // O rows
  output logic [127:0]                  m_o_tdata_o,
  output logic [rp_pkg::RowIdxW-1:0]    m_o_tuser_o,
  output logic                          m_o_tlast_o,
  output logic                          m_o_tvalid_o,
  input  logic                          m_o_tready_i,
  // bookkeeping
  output logic                          row_done_o,
  output logic                          row_done_bank_o,
  output logic                          busy_o
);
  localparam int unsigned LW     = attn_pkg::LW;
  localparam int unsigned AccW   = attn_pkg::AccW;
  localparam int unsigned OB     = HEAD_DIM / 4;            // output beats per row
  localparam int unsigned OBW    = $clog2(OB + 1);
  localparam int unsigned DCW    = (HEAD_DIM > 16) ? $clog2(HEAD_DIM / 16) : 1;
  localparam int unsigned QW     = attn_pkg::InvLShift + 1; // quotient of 2^48 / l
  localparam int unsigned DivLat = QW + 1 + 2;              // seq_divider + dispatch/output slack
  localparam int unsigned NDIV   = (DivLat + OB - 1) / OB + 1;
  localparam int unsigned DPW    = (NDIV > 1) ? $clog2(NDIV) : 1;
  localparam int unsigned LNW    = (PE_ROWS > 1) ? $clog2(PE_ROWS) : 1;
  localparam int unsigned EntW   = 1 + ROW_W + POS_W + PE_ROWS + PE_ROWS * LW;
  localparam int unsigned ProdW  = AccW + QW + 1;

  if (HEAD_DIM < 16 || HEAD_DIM % 16 != 0 || !(PE_ROWS inside {1, 2, 4, 8, 16}) ||
      DEPTH < 1) begin : g_bad_param
    $fatal(1, "pf_finish: HEAD_DIM=%0d (multiple of 16) PE_ROWS=%0d (divides 16) DEPTH=%0d",
           HEAD_DIM, PE_ROWS, DEPTH);
  end

  // ------------------------------------------------------------------ entry FIFO
  logic            fq_full, fq_empty, fq_pop;
  logic            h_bank;
  logic [ROW_W-1:0] h_row;
  logic [POS_W-1:0] h_rowpos;
  logic [PE_ROWS-1:0] h_lanes;
  logic [PE_ROWS*LW-1:0] h_l;

  axi_dma_fifo #(.WIDTH(EntW), .DEPTH(DEPTH)) u_fq (
    .clk_i,
    .rst_ni,
    .push_i  (push_valid_i && !fq_full),
    .wdata_i ({push_bank_i, push_row_i, push_rowpos_i, push_lanes_i, push_l_i}),
    .pop_i   (fq_pop),
    .rdata_o ({h_bank, h_row, h_rowpos, h_lanes, h_l}),
    .full_o  (fq_full),
    .empty_o (fq_empty)
  );
  assign push_ready_o = !fq_full;

  // ------------------------------------------------------------------ divider pool
  typedef enum logic [1:0] {SFree, SDiv, SRdy} slot_e;
  slot_e            st_q [NDIV];
  logic             sbank_q [NDIV];
  logic [ROW_W-1:0] srow_q [NDIV];
  logic [POS_W-1:0] spos_q [NDIV];
  logic [NDIV-1:0]  dstart, ddone;
  logic [QW-1:0]    quo [NDIV];
  logic [LNW-1:0]   ln_q;
  logic [DPW-1:0]   dp_q, op_q;
  logic             lane_ok, lane_last, disp;

  assign lane_ok   = h_lanes[ln_q];
  assign lane_last = (32'(ln_q) == PE_ROWS - 1);
  assign disp      = !fq_empty && lane_ok && (st_q[dp_q] == SFree);
  assign fq_pop    = !fq_empty && lane_last && (!lane_ok || disp);

  for (genvar k = 0; k < NDIV; k++) begin : g_div
    assign dstart[k] = disp && (32'(dp_q) == k);
    /* verilator lint_off PINCONNECTEMPTY */
    seq_divider #(.DIVIDEND_W(QW), .DIVISOR_W(LW)) u_div (
      .clk_i,
      .rst_ni,
      .start_i    (dstart[k]),
      .dividend_i (QW'(1) << attn_pkg::InvLShift),
      .divisor_i  (h_l[32'(ln_q) * LW +: LW]),
      .busy_o     (),
      .done_o     (ddone[k]),
      .quotient_o (quo[k]),
      .div_zero_o ()
    );
    /* verilator lint_on PINCONNECTEMPTY */
  end

  // ------------------------------------------------------------------ output sequencer
  logic [OBW-1:0]  ob_q;
  logic            ov_q, olast_q, oload, orow_last;
  logic [127:0]    odata_q;
  logic [rp_pkg::RowIdxW-1:0] ouser_q;
  logic [127:0]    beat;
  logic [5:0]      sh;

  assign oload     = (st_q[op_q] == SRdy) && (!ov_q || m_o_tready_i);
  assign orow_last = (32'(ob_q) == OB - 1);
  assign acc_bank_o = sbank_q[op_q];
  assign acc_row_o  = srow_q[op_q];
  assign acc_dc_o   = DCW'(ob_q >> 2);
  assign sh         = 6'd32 + 6'(fv_i);

  always_comb begin   // consumed only with oload (odata_q)
    logic signed [AccW-1:0]  a;
    logic signed [ProdW-1:0] prod, rnd;
    a    = '0;
    prod = '0;
    rnd  = '0;
    beat = '0;
    if (oload) begin
      for (int unsigned e = 0; e < 4; e++) begin
        a    = $signed(acc_data_i[(32'(ob_q[1:0]) * 4 + e) * AccW +: AccW]);
        prod = ProdW'(a) * $signed({1'b0, quo[op_q]});
        rnd  = (prod + (ProdW'(1) <<< (sh - 6'd1))) >>> sh;
        if (rnd > ProdW'(32'sh7fffffff))        beat[e*32 +: 32] = 32'h7fffffff;
        else if (rnd < -ProdW'(33'sh080000000)) beat[e*32 +: 32] = 32'h80000000;
        else                                    beat[e*32 +: 32] = rnd[31:0];
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q    <= '{default: SFree};
      sbank_q <= '{default: 1'b0};
      srow_q  <= '{default: '0};
      spos_q  <= '{default: '0};
      ln_q    <= '0;
      dp_q    <= '0;
      op_q    <= '0;
      ob_q    <= '0;
      ov_q    <= 1'b0;
      olast_q <= 1'b0;
      odata_q <= '0;
      ouser_q <= '0;
    end else begin
      // dispatch one lane of the head entry per cycle
      if (!fq_empty && (!lane_ok || disp)) ln_q <= lane_last ? '0 : ln_q + 1'b1;
      if (disp) begin
        st_q[dp_q]    <= SDiv;
        sbank_q[dp_q] <= h_bank;
        srow_q[dp_q]  <= h_row + ROW_W'(ln_q);
        spos_q[dp_q]  <= h_rowpos + POS_W'(ln_q);
        dp_q          <= (32'(dp_q) == NDIV - 1) ? '0 : dp_q + 1'b1;
      end
      for (int unsigned k = 0; k < NDIV; k++) begin
        if (ddone[k] && st_q[k] == SDiv) st_q[k] <= SRdy;
      end
      // output
      if (oload) begin
        ov_q    <= 1'b1;
        odata_q <= beat;
        olast_q <= orow_last;
        ouser_q <= rp_pkg::RowIdxW'(spos_q[op_q] - pos0_i);
        if (orow_last) begin
          ob_q       <= '0;
          st_q[op_q] <= SFree;
          op_q       <= (32'(op_q) == NDIV - 1) ? '0 : op_q + 1'b1;
        end else begin
          ob_q <= ob_q + 1'b1;
        end
      end else if (m_o_tready_i) begin
        ov_q <= 1'b0;
      end
    end
  end

  assign row_done_o      = oload && orow_last;
  assign row_done_bank_o = sbank_q[op_q];

  always_comb begin
    busy_o = !fq_empty || ov_q;
    for (int unsigned k = 0; k < NDIV; k++) if (st_q[k] != SFree) busy_o = 1'b1;
  end

  assign m_o_tdata_o  = odata_q;
  assign m_o_tuser_o  = ouser_q;
  assign m_o_tlast_o  = olast_q;
  assign m_o_tvalid_o = ov_q;
endmodule
