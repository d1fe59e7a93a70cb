// Port-less cocotb toplevel for axil_regs, with the register bank a user block would keep:
// N_REGS read/write registers honouring the byte strobes, reset to 0xA5000000 | index.
module tb_axil_regs #(
  parameter int unsigned ADDR_W = 7,
  parameter int unsigned N_REGS = 19
);
  logic                 clk_i;
  logic                 rst_ni;
  logic [ADDR_W-1:0]    s_axil_awaddr_i;
  logic [2:0]           s_axil_awprot_i;
  logic                 s_axil_awvalid_i;
  logic                 s_axil_awready_o;
  logic [31:0]          s_axil_wdata_i;
  logic [3:0]           s_axil_wstrb_i;
  logic                 s_axil_wvalid_i;
  logic                 s_axil_wready_o;
  logic [1:0]           s_axil_bresp_o;
  logic                 s_axil_bvalid_o;
  logic                 s_axil_bready_i;
  logic [ADDR_W-1:0]    s_axil_araddr_i;
  logic [2:0]           s_axil_arprot_i;
  logic                 s_axil_arvalid_i;
  logic                 s_axil_arready_o;
  logic [31:0]          s_axil_rdata_o;
  logic [1:0]           s_axil_rresp_o;
  logic                 s_axil_rvalid_o;
  logic                 s_axil_rready_i;
  logic                 wr_en_o;
  logic [ADDR_W-3:0]    wr_idx_o;
  logic [31:0]          wr_data_o;
  logic [3:0]           wr_strb_o;
  logic                 rd_en_o;
  logic [ADDR_W-3:0]    rd_idx_o;
  logic [N_REGS*32-1:0] rd_data_i;

  axil_regs #(.ADDR_W(ADDR_W), .N_REGS(N_REGS)) dut (.*);

  logic [31:0] regs_q [N_REGS];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int i = 0; i < N_REGS; i++) regs_q[i] <= 32'hA5000000 | 32'(i);
    end else if (wr_en_o) begin
      for (int b = 0; b < 4; b++) begin
        // wr_idx_o is ADDR_W-2 bits wide, wider than the bank index when N_REGS < 2^(ADDR_W-2);
        // axil_regs only strobes in-range indices
        /* verilator lint_off WIDTH */
        if (wr_strb_o[b]) regs_q[wr_idx_o][8*b +: 8] <= wr_data_o[8*b +: 8];
        /* verilator lint_on WIDTH */
      end
    end
  end

  always_comb begin
    for (int i = 0; i < N_REGS; i++) rd_data_i[32*i +: 32] = regs_q[i];
  end
endmodule
