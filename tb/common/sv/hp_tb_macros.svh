// Declarations shared by the fast-path testbench wrappers (tb_svmem, tb_memeq): four HP ports
// m_axi_hp0..3 as plain `logic` nets named like the RTL masters (m_axi_<sig>_o / _i, the names
// tb/common/busmap.py binds cocotbext-axi to), four axi_tgen traffic generators driving them and
// the hp_ddr_model instance serving them, or four axi_dma engines (rtl/dma) with their dma_job
// drivers. Needs parameters ADDR_W, ID_W, FIFO_BEATS, MEM_BYTES, MAX_OUT, N_ERR, W_BUF (and
// MAX_BURST, MAX_OUTSTANDING for the DMA) and signals clk_i / rst_ni / mem_busy in the including
// module.
`ifndef HP_TB_MACROS_SVH
`define HP_TB_MACROS_SVH

`define HP_TB_PORT(p) \
  logic [ID_W-1:0]   p``_awid_o;    \
  logic [ADDR_W-1:0] p``_awaddr_o;  \
  logic [7:0]        p``_awlen_o;   \
  logic [2:0]        p``_awsize_o;  \
  logic [1:0]        p``_awburst_o; \
  logic              p``_awvalid_o; \
  logic              p``_awready_i; \
  logic [127:0]      p``_wdata_o;   \
  logic [15:0]       p``_wstrb_o;   \
  logic              p``_wlast_o;   \
  logic              p``_wvalid_o;  \
  logic              p``_wready_i;  \
  logic [ID_W-1:0]   p``_bid_i;     \
  logic [1:0]        p``_bresp_i;   \
  logic              p``_bvalid_i;  \
  logic              p``_bready_o;  \
  logic [ID_W-1:0]   p``_arid_o;    \
  logic [ADDR_W-1:0] p``_araddr_o;  \
  logic [7:0]        p``_arlen_o;   \
  logic [2:0]        p``_arsize_o;  \
  logic [1:0]        p``_arburst_o; \
  logic              p``_arvalid_o; \
  logic              p``_arready_i; \
  logic [ID_W-1:0]   p``_rid_i;     \
  logic [127:0]      p``_rdata_i;   \
  logic [1:0]        p``_rresp_i;   \
  logic              p``_rlast_i;   \
  logic              p``_rvalid_i;  \
  logic              p``_rready_o;

// Job registers of the four generators (written by cocotb) and their results (read by cocotb).
// One-bit signals are packed vectors (bit i = generator i): Verilator's VPI does not index
// unpacked arrays of single bits.
`define HP_TB_TGEN_REGS \
  logic [3:0]        tg_start;         \
  logic [1:0]        tg_mode     [4]; \
  logic [ADDR_W-1:0] tg_src      [4]; \
  logic [ADDR_W-1:0] tg_dst      [4]; \
  logic [15:0]       tg_bursts   [4]; \
  logic [8:0]        tg_len      [4]; \
  logic [7:0]        tg_max_rd   [4]; \
  logic [7:0]        tg_max_wr   [4]; \
  logic [ID_W-1:0]   tg_id       [4]; \
  logic [31:0]       tg_seed     [4]; \
  logic [7:0]        tg_stall    [4]; \
  logic [3:0]        tg_busy;          \
  logic [3:0]        tg_done;          \
  logic [31:0]       tg_cycles   [4]; \
  logic [31:0]       tg_rd_first [4]; \
  logic [31:0]       tg_rd_last  [4]; \
  logic [31:0]       tg_wr_last  [4]; \
  logic [31:0]       tg_lat_min  [4]; \
  logic [31:0]       tg_lat_max  [4]; \
  logic [31:0]       tg_rd_beats [4]; \
  logic [31:0]       tg_wr_beats [4]; \
  logic [31:0]       tg_rd_err   [4]; \
  logic [31:0]       tg_wr_err   [4]; \
  logic [31:0]       tg_rlast_err[4]; \
  logic [127:0]      tg_rd_chk   [4];

`define HP_TB_TGEN(i) \
  axi_tgen #(.ADDR_W(ADDR_W), .ID_W(ID_W), .FIFO_BEATS(FIFO_BEATS), .MAX_OUT(16)) u_tgen``i ( \
    .clk_i, .rst_ni, \
    .start_i(tg_start[i]), .cfg_mode_i(tg_mode[i]), .cfg_src_i(tg_src[i]), \
    .cfg_dst_i(tg_dst[i]), .cfg_bursts_i(tg_bursts[i]), .cfg_len_i(tg_len[i]), \
    .cfg_max_rd_i(tg_max_rd[i]), .cfg_max_wr_i(tg_max_wr[i]), .cfg_id_i(tg_id[i]), \
    .cfg_seed_i(tg_seed[i]), .cfg_stall_i(tg_stall[i]), \
    .busy_o(tg_busy[i]), .done_o(tg_done[i]), .cycles_o(tg_cycles[i]), \
    .rd_first_o(tg_rd_first[i]), .rd_last_o(tg_rd_last[i]), .wr_last_o(tg_wr_last[i]), \
    .lat_min_o(tg_lat_min[i]), .lat_max_o(tg_lat_max[i]), .rd_beats_o(tg_rd_beats[i]), \
    .wr_beats_o(tg_wr_beats[i]), .rd_err_o(tg_rd_err[i]), .wr_err_o(tg_wr_err[i]), \
    .rlast_err_o(tg_rlast_err[i]), .rd_chk_o(tg_rd_chk[i]), \
    .m_axi_awid_o(m_axi_hp``i``_awid_o), .m_axi_awaddr_o(m_axi_hp``i``_awaddr_o), \
    .m_axi_awlen_o(m_axi_hp``i``_awlen_o), .m_axi_awsize_o(m_axi_hp``i``_awsize_o), \
    .m_axi_awburst_o(m_axi_hp``i``_awburst_o), .m_axi_awvalid_o(m_axi_hp``i``_awvalid_o), \
    .m_axi_awready_i(m_axi_hp``i``_awready_i), \
    .m_axi_wdata_o(m_axi_hp``i``_wdata_o), .m_axi_wstrb_o(m_axi_hp``i``_wstrb_o), \
    .m_axi_wlast_o(m_axi_hp``i``_wlast_o), .m_axi_wvalid_o(m_axi_hp``i``_wvalid_o), \
    .m_axi_wready_i(m_axi_hp``i``_wready_i), \
    .m_axi_bid_i(m_axi_hp``i``_bid_i), .m_axi_bresp_i(m_axi_hp``i``_bresp_i), \
    .m_axi_bvalid_i(m_axi_hp``i``_bvalid_i), .m_axi_bready_o(m_axi_hp``i``_bready_o), \
    .m_axi_arid_o(m_axi_hp``i``_arid_o), .m_axi_araddr_o(m_axi_hp``i``_araddr_o), \
    .m_axi_arlen_o(m_axi_hp``i``_arlen_o), .m_axi_arsize_o(m_axi_hp``i``_arsize_o), \
    .m_axi_arburst_o(m_axi_hp``i``_arburst_o), .m_axi_arvalid_o(m_axi_hp``i``_arvalid_o), \
    .m_axi_arready_i(m_axi_hp``i``_arready_i), \
    .m_axi_rid_i(m_axi_hp``i``_rid_i), .m_axi_rdata_i(m_axi_hp``i``_rdata_i), \
    .m_axi_rresp_i(m_axi_hp``i``_rresp_i), .m_axi_rlast_i(m_axi_hp``i``_rlast_i), \
    .m_axi_rvalid_i(m_axi_hp``i``_rvalid_i), .m_axi_rready_o(m_axi_hp``i``_rready_o));

`define HP_TB_CAT4(p, s) {p``3_``s, p``2_``s, p``1_``s, p``0_``s}

// hp_ddr_model `name` with 4 ports on clock `clk` / reset `rst`: it reads the master outputs of
// `mp`0..3 (e.g. m_axi_hp) and drives the slave outputs (ready, B, R) of `sp`0..3.
`define HP_TB_MODEL_IO(name, clk, rst, mp, sp) \
  hp_ddr_model #(.N_PORTS(4), .ADDR_W(ADDR_W), .ID_W(ID_W), .MEM_BYTES(MEM_BYTES), \
                 .MAX_OUT(MAX_OUT), .N_ERR(N_ERR), .W_BUF(W_BUF)) name ( \
    .clk_i(clk), .rst_ni(rst), \
    .s_axi_awid_i(`HP_TB_CAT4(mp, awid_o)), .s_axi_awaddr_i(`HP_TB_CAT4(mp, awaddr_o)), \
    .s_axi_awlen_i(`HP_TB_CAT4(mp, awlen_o)), .s_axi_awsize_i(`HP_TB_CAT4(mp, awsize_o)), \
    .s_axi_awburst_i(`HP_TB_CAT4(mp, awburst_o)), .s_axi_awvalid_i(`HP_TB_CAT4(mp, awvalid_o)), \
    .s_axi_awready_o(`HP_TB_CAT4(sp, awready_i)), \
    .s_axi_wdata_i(`HP_TB_CAT4(mp, wdata_o)), .s_axi_wstrb_i(`HP_TB_CAT4(mp, wstrb_o)), \
    .s_axi_wlast_i(`HP_TB_CAT4(mp, wlast_o)), .s_axi_wvalid_i(`HP_TB_CAT4(mp, wvalid_o)), \
    .s_axi_wready_o(`HP_TB_CAT4(sp, wready_i)), \
    .s_axi_bid_o(`HP_TB_CAT4(sp, bid_i)), .s_axi_bresp_o(`HP_TB_CAT4(sp, bresp_i)), \
    .s_axi_bvalid_o(`HP_TB_CAT4(sp, bvalid_i)), .s_axi_bready_i(`HP_TB_CAT4(mp, bready_o)), \
    .s_axi_arid_i(`HP_TB_CAT4(mp, arid_o)), .s_axi_araddr_i(`HP_TB_CAT4(mp, araddr_o)), \
    .s_axi_arlen_i(`HP_TB_CAT4(mp, arlen_o)), .s_axi_arsize_i(`HP_TB_CAT4(mp, arsize_o)), \
    .s_axi_arburst_i(`HP_TB_CAT4(mp, arburst_o)), .s_axi_arvalid_i(`HP_TB_CAT4(mp, arvalid_o)), \
    .s_axi_arready_o(`HP_TB_CAT4(sp, arready_i)), \
    .s_axi_rid_o(`HP_TB_CAT4(sp, rid_i)), .s_axi_rdata_o(`HP_TB_CAT4(sp, rdata_i)), \
    .s_axi_rresp_o(`HP_TB_CAT4(sp, rresp_i)), .s_axi_rlast_o(`HP_TB_CAT4(sp, rlast_i)), \
    .s_axi_rvalid_o(`HP_TB_CAT4(sp, rvalid_i)), .s_axi_rready_i(`HP_TB_CAT4(mp, rready_o)), \
    .busy_o(mem_busy));

// hp_ddr_model `name` serving m_axi_hp0..3 directly on clk_i / rst_ni.
`define HP_TB_MODEL(name) `HP_TB_MODEL_IO(name, clk_i, rst_ni, m_axi_hp, m_axi_hp)

// Slave outputs of port `i`: nets sp<i>_* onto m_axi_hp<i>_* (inside a generate branch).
`define HP_TB_SLAVE_ASSIGN(sp, i) \
  assign m_axi_hp``i``_awready_i = sp``i``_awready_i; \
  assign m_axi_hp``i``_wready_i  = sp``i``_wready_i;  \
  assign m_axi_hp``i``_bid_i     = sp``i``_bid_i;     \
  assign m_axi_hp``i``_bresp_i   = sp``i``_bresp_i;   \
  assign m_axi_hp``i``_bvalid_i  = sp``i``_bvalid_i;  \
  assign m_axi_hp``i``_arready_i = sp``i``_arready_i; \
  assign m_axi_hp``i``_rid_i     = sp``i``_rid_i;     \
  assign m_axi_hp``i``_rdata_i   = sp``i``_rdata_i;   \
  assign m_axi_hp``i``_rresp_i   = sp``i``_rresp_i;   \
  assign m_axi_hp``i``_rlast_i   = sp``i``_rlast_i;   \
  assign m_axi_hp``i``_rvalid_i  = sp``i``_rvalid_i;

// Slave-output nets sp<i>_* of one port.
`define HP_TB_SLAVE_NETS(p) \
  logic              p``_awready_i; \
  logic              p``_wready_i;  \
  logic [ID_W-1:0]   p``_bid_i;     \
  logic [1:0]        p``_bresp_i;   \
  logic              p``_bvalid_i;  \
  logic              p``_arready_i; \
  logic [ID_W-1:0]   p``_rid_i;     \
  logic [127:0]      p``_rdata_i;   \
  logic [1:0]        p``_rresp_i;   \
  logic              p``_rlast_i;   \
  logic              p``_rvalid_i;

// Jobs of four axi_dma + dma_job pairs (one per port): registers written / read by cocotb.
`define HP_TB_DMA_REGS \
  logic [3:0]        dj_start;         \
  logic [3:0]        dj_done;          \
  logic [1:0]        dj_mode     [4];  \
  logic [ADDR_W-1:0] dj_src      [4];  \
  logic [ADDR_W-1:0] dj_dst      [4];  \
  logic [31:0]       dj_len      [4];  \
  logic [31:0]       dj_seed     [4];  \
  logic [31:0]       dj_cycles   [4];  \
  logic [2:0]        dj_rd_sts   [4];  \
  logic [2:0]        dj_wr_sts   [4];  \
  logic [31:0]       dj_rd_beats [4];  \
  logic [31:0]       dj_rd_user  [4];  \
  logic [31:0]       dj_wr_beats [4];  \
  logic [127:0]      dj_chk      [4];

// axi_dma u_dma<i> on m_axi_hp<i>, driven by dma_job u_job<i> (MAX_BURST / MAX_OUTSTANDING from
// the including module).
`define HP_TB_DMA(i) \
  logic              dma``i``_rd_cmd_valid, dma``i``_rd_cmd_ready, dma``i``_rd_sts_valid; \
  logic              dma``i``_rd_sts_ready, dma``i``_wr_cmd_valid, dma``i``_wr_cmd_ready; \
  logic              dma``i``_wr_sts_valid, dma``i``_wr_sts_ready; \
  logic [ADDR_W-1:0] dma``i``_rd_cmd_addr, dma``i``_wr_cmd_addr; \
  logic [31:0]       dma``i``_rd_cmd_len, dma``i``_wr_cmd_len; \
  logic [2:0]        dma``i``_rd_sts_code, dma``i``_wr_sts_code; \
  logic [127:0]      dma``i``_rd_tdata, dma``i``_wr_tdata; \
  logic              dma``i``_rd_tvalid, dma``i``_rd_tready, dma``i``_rd_tlast, dma``i``_rd_tuser; \
  logic              dma``i``_wr_tvalid, dma``i``_wr_tready; \
  dma_job #(.ADDR_W(ADDR_W), .LEN_W(32)) u_job``i ( \
    .clk_i, .rst_ni, .start_i(dj_start[i]), .cfg_mode_i(dj_mode[i]), .cfg_src_i(dj_src[i]), \
    .cfg_dst_i(dj_dst[i]), .cfg_len_i(dj_len[i]), .cfg_seed_i(dj_seed[i]), \
    .done_o(dj_done[i]), .cycles_o(dj_cycles[i]), .rd_sts_o(dj_rd_sts[i]), \
    .wr_sts_o(dj_wr_sts[i]), .rd_beats_o(dj_rd_beats[i]), .rd_user_o(dj_rd_user[i]), \
    .wr_beats_o(dj_wr_beats[i]), .chk_o(dj_chk[i]), \
    .rd_cmd_valid_o(dma``i``_rd_cmd_valid), .rd_cmd_ready_i(dma``i``_rd_cmd_ready), \
    .rd_cmd_addr_o(dma``i``_rd_cmd_addr), .rd_cmd_len_o(dma``i``_rd_cmd_len), \
    .rd_sts_valid_i(dma``i``_rd_sts_valid), .rd_sts_ready_o(dma``i``_rd_sts_ready), \
    .rd_sts_code_i(dma``i``_rd_sts_code), \
    .s_axis_tdata_i(dma``i``_rd_tdata), .s_axis_tvalid_i(dma``i``_rd_tvalid), \
    .s_axis_tready_o(dma``i``_rd_tready), .s_axis_tlast_i(dma``i``_rd_tlast), \
    .s_axis_tuser_i(dma``i``_rd_tuser), \
    .wr_cmd_valid_o(dma``i``_wr_cmd_valid), .wr_cmd_ready_i(dma``i``_wr_cmd_ready), \
    .wr_cmd_addr_o(dma``i``_wr_cmd_addr), .wr_cmd_len_o(dma``i``_wr_cmd_len), \
    .wr_sts_valid_i(dma``i``_wr_sts_valid), .wr_sts_ready_o(dma``i``_wr_sts_ready), \
    .wr_sts_code_i(dma``i``_wr_sts_code), \
    .m_axis_tdata_o(dma``i``_wr_tdata), .m_axis_tvalid_o(dma``i``_wr_tvalid), \
    .m_axis_tready_i(dma``i``_wr_tready)); \
  axi_dma #(.ADDR_W(ADDR_W), .ID_W(ID_W), .LEN_W(32), .MAX_LEN(1048576), \
            .MAX_BURST(MAX_BURST), .MAX_OUTSTANDING(MAX_OUTSTANDING)) u_dma``i ( \
    .clk_i, .rst_ni, .clear_i(1'b0), \
    .rd_cmd_valid_i(dma``i``_rd_cmd_valid), .rd_cmd_ready_o(dma``i``_rd_cmd_ready), \
    .rd_cmd_addr_i(dma``i``_rd_cmd_addr), .rd_cmd_len_i(dma``i``_rd_cmd_len), \
    .rd_sts_valid_o(dma``i``_rd_sts_valid), .rd_sts_ready_i(dma``i``_rd_sts_ready), \
    .rd_sts_code_o(dma``i``_rd_sts_code), \
    .m_axis_tdata_o(dma``i``_rd_tdata), .m_axis_tvalid_o(dma``i``_rd_tvalid), \
    .m_axis_tready_i(dma``i``_rd_tready), .m_axis_tlast_o(dma``i``_rd_tlast), \
    .m_axis_tuser_o(dma``i``_rd_tuser), \
    .wr_cmd_valid_i(dma``i``_wr_cmd_valid), .wr_cmd_ready_o(dma``i``_wr_cmd_ready), \
    .wr_cmd_addr_i(dma``i``_wr_cmd_addr), .wr_cmd_len_i(dma``i``_wr_cmd_len), \
    .wr_sts_valid_o(dma``i``_wr_sts_valid), .wr_sts_ready_i(dma``i``_wr_sts_ready), \
    .wr_sts_code_o(dma``i``_wr_sts_code), \
    .s_axis_tdata_i(dma``i``_wr_tdata), .s_axis_tvalid_i(dma``i``_wr_tvalid), \
    .s_axis_tready_o(dma``i``_wr_tready), \
    .m_axi_awid_o(m_axi_hp``i``_awid_o), .m_axi_awaddr_o(m_axi_hp``i``_awaddr_o), \
    .m_axi_awlen_o(m_axi_hp``i``_awlen_o), .m_axi_awsize_o(m_axi_hp``i``_awsize_o), \
    .m_axi_awburst_o(m_axi_hp``i``_awburst_o), .m_axi_awcache_o(), .m_axi_awprot_o(), \
    .m_axi_awvalid_o(m_axi_hp``i``_awvalid_o), .m_axi_awready_i(m_axi_hp``i``_awready_i), \
    .m_axi_wdata_o(m_axi_hp``i``_wdata_o), .m_axi_wstrb_o(m_axi_hp``i``_wstrb_o), \
    .m_axi_wlast_o(m_axi_hp``i``_wlast_o), .m_axi_wvalid_o(m_axi_hp``i``_wvalid_o), \
    .m_axi_wready_i(m_axi_hp``i``_wready_i), \
    .m_axi_bid_i(m_axi_hp``i``_bid_i), .m_axi_bresp_i(m_axi_hp``i``_bresp_i), \
    .m_axi_bvalid_i(m_axi_hp``i``_bvalid_i), .m_axi_bready_o(m_axi_hp``i``_bready_o), \
    .m_axi_arid_o(m_axi_hp``i``_arid_o), .m_axi_araddr_o(m_axi_hp``i``_araddr_o), \
    .m_axi_arlen_o(m_axi_hp``i``_arlen_o), .m_axi_arsize_o(m_axi_hp``i``_arsize_o), \
    .m_axi_arburst_o(m_axi_hp``i``_arburst_o), .m_axi_arcache_o(), .m_axi_arprot_o(), \
    .m_axi_arvalid_o(m_axi_hp``i``_arvalid_o), .m_axi_arready_i(m_axi_hp``i``_arready_i), \
    .m_axi_rid_i(m_axi_hp``i``_rid_i), .m_axi_rdata_i(m_axi_hp``i``_rdata_i), \
    .m_axi_rresp_i(m_axi_hp``i``_rresp_i), .m_axi_rlast_i(m_axi_hp``i``_rlast_i), \
    .m_axi_rvalid_i(m_axi_hp``i``_rvalid_i), .m_axi_rready_o(m_axi_hp``i``_rready_o), \
    .rd_busy_o(), .rd_err_o(), .rd_cnt_busy_o(), .rd_cnt_beats_o(), .rd_cnt_stall_o(), \
    .wr_busy_o(), .wr_err_o(), .wr_cnt_busy_o(), .wr_cnt_beats_o(), .wr_cnt_stall_o());

`endif
