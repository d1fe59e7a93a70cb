// Port-less cocotb toplevel: sr_wr_stream -> sr_ram -> sr_rd_stream (static-region row buffers).
module tb_sr_stream #(
  parameter int unsigned W  = 128,
  parameter int unsigned AW = 8,
  parameter int unsigned RW = 8
);
  logic          clk_i, rst_ni;
  // writer
  logic          wr_start_i;
  logic [AW-1:0] wr_base_i, wr_beats_i, wr_stride_i;
  logic [RW-1:0] wr_rows_i;
  logic          wr_busy_o, wr_done_o, wr_err_o;
  logic [W-1:0]  s_axis_tdata_i;
  logic          s_axis_tvalid_i, s_axis_tready_o, s_axis_tlast_i;
  logic [RW-1:0] s_axis_tuser_i;
  // reader
  logic          rd_start_i;
  logic [AW-1:0] rd_base_i, rd_beats_i, rd_stride_i;
  logic [RW-1:0] rd_rows_i;
  logic          rd_busy_o;
  logic [W-1:0]  m_axis_tdata_o;
  logic          m_axis_tvalid_o, m_axis_tready_i, m_axis_tlast_o;
  logic [RW-1:0] m_axis_tuser_o;
  // RAM
  logic          we, re;
  logic [AW-1:0] waddr, raddr;
  logic [W-1:0]  wdata, rdata;

  sr_ram #(.W(W), .DEPTH(1 << AW)) u_ram (
    .clk_i, .we_i(we), .waddr_i(waddr), .wdata_i(wdata), .re_i(re), .raddr_i(raddr),
    .rdata_o(rdata));

  sr_wr_stream #(.W(W), .AW(AW), .RW(RW)) u_wr (
    .clk_i, .rst_ni, .start_i(wr_start_i), .abort_i(1'b0), .base_i(wr_base_i), .rows_i(wr_rows_i),
    .beats_i(wr_beats_i), .stride_i(wr_stride_i), .use_tuser_i(1'b1), .busy_o(wr_busy_o), .done_o(wr_done_o),
    .err_o(wr_err_o), .we_o(we), .waddr_o(waddr), .wdata_o(wdata),
    .s_axis_tdata_i, .s_axis_tvalid_i, .s_axis_tready_o, .s_axis_tlast_i, .s_axis_tuser_i);

  sr_rd_stream #(.W(W), .AW(AW), .RW(RW)) u_rd (
    .clk_i, .rst_ni, .start_i(rd_start_i), .abort_i(1'b0), .base_i(rd_base_i), .rows_i(rd_rows_i),
    .beats_i(rd_beats_i), .stride_i(rd_stride_i), .busy_o(rd_busy_o),
    .re_o(re), .raddr_o(raddr), .rdata_i(rdata),
    .m_axis_tdata_o, .m_axis_tvalid_o, .m_axis_tready_i, .m_axis_tlast_o, .m_axis_tuser_o);
endmodule
