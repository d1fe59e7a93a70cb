// hp_ddr_model: N AXI4 slave ports (128-bit HP ports) over ONE shared DDR array, in
// SystemVerilog for the fast simulation path (SV clock, no Python per cycle). Testbench-only.
//
// It is the SV twin of tb/common/axi_mem.py (HpMemory on cocotbext-axi) and reproduces its timing
// cycle for cycle when no random stalls are configured (docs/memory-model.md):
//
// * read first-beat latency L: a burst whose AR handshakes at edge t_ar gets its slot start
//   s = reserve(t_ar, beats) from the shared-bandwidth scheduler; its first R beat is driven after
//   edge s + L - 1, i.e. can handshake at edge s + L (= t_ar + L when the memory is idle).
//   Outstanding bursts are pipelined: burst n+1 follows burst n's last beat back to back.
// * shared bandwidth cap (as axi_mem.py's _Bandwidth): cfg_chans = ceil(cap) channels of
//   cap / ceil(cap) beats/cycle, in Q.16 cycles: a burst of n beats occupies one channel for
//   n * cfg_cost_q (cost = 65536 * ceil(cap) / cap). A burst asks for a channel no earlier than
//   its address handshake and than the end of its port's previous burst in the same direction
//   (one beat per cycle per direction), takes the best-fit channel (the one that became free
//   last before that time, else the one free first) and starts when both allow. Reservations
//   are made in port order 0..N-1, AR before AW, at the address handshake edge.
// * writes: W beats go through a W_BUF-deep buffer (the cocotbext-axi W sink queue), are accepted
//   into memory from the burst's slot start on; B is driven b_latency - 1 edges after the edge at
//   or before the last beat was consumed (handshake b_latency cycles later).
// * max outstanding (cfg_max_out <= MAX_OUT) per port and direction; ARREADY rises one cycle
//   after a read slot frees (as cocotbext-axi's sink), AWREADY in the cycle the B is scheduled.
// * random backpressure: ARREADY / AWREADY / WREADY low and RVALID held low with per-port
//   probabilities cfg_*_stall (Q0.16), from a per-port xorshift64 seeded with cfg_seed at reset.
// * error regions: N_ERR slots [err_lo, err_hi) answering err_resp (2 SLVERR / 3 DECERR) on
//   reads (err_mode bit 0) and/or writes (bit 1); beats outside [BASE, BASE+MEM_BYTES) answer
//   DECERR. Erroneous R beats carry zero data; erroneous W beats are not written, the burst's B
//   carries the first error response. Regions are checked when a beat is driven / consumed.
// * per-port counters (st_*), a protocol-error counter with the first message (4 KiB rule, INCR,
//   full 16-byte beats, aligned address, WLAST), all readable from cocotb.
// * backdoor: cocotb sets bd_op/bd_lo/bd_hi and increments bd_req; the model performs the
//   operation at the next clock edge (also in reset) and copies bd_req to bd_ack:
//   1 $readmemh(bd_file, mem, lo, hi), 2 $writememh(bd_file, mem, lo, hi), 3 zero mem[lo..hi],
//   4 clear the statistics. Word indices are beats (byte address - BASE) / 16.
//   mem[] itself can also be read / written word by word from cocotb.
//
// Configuration: the cfg_* / err_* variables below. Defaults come from their initialisers, then
// from plusargs at time 0 (+hpmem_latency=60 +hpmem_b_latency=4 +hpmem_cost_q=65536
// +hpmem_chans=4 +hpmem_max_out=16 +hpmem_ar_stall=0 .. +hpmem_w_stall=0 +hpmem_seed=1
// +hpmem_errN_lo=<hex> +hpmem_errN_hi=<hex> +hpmem_errN_resp=2 +hpmem_errN_mode=3
// +hpmem_file=<path>), and cocotb may overwrite them at any time (tb/common/fastsim.py builds
// both from one MemConfig). Internal state updates with blocking assignments inside one clocked
// process (a behavioural model); every output changes with nonblocking assignments.
module hp_ddr_model #(
  parameter int unsigned     N_PORTS   = 4,
  parameter int unsigned     ADDR_W    = 32,
  parameter int unsigned     ID_W      = 4,
  parameter int unsigned     MEM_BYTES = 1048576,
  parameter longint unsigned BASE      = 0,
  parameter int unsigned     MAX_OUT   = 16,
  parameter int unsigned     N_ERR     = 4,
  parameter int unsigned     W_BUF     = 2
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  // AW
  input  logic [N_PORTS*ID_W-1:0]   s_axi_awid_i,
  input  logic [N_PORTS*ADDR_W-1:0] s_axi_awaddr_i,
  input  logic [N_PORTS*8-1:0]      s_axi_awlen_i,
  input  logic [N_PORTS*3-1:0]      s_axi_awsize_i,
  input  logic [N_PORTS*2-1:0]      s_axi_awburst_i,
  input  logic [N_PORTS-1:0]        s_axi_awvalid_i,
  output logic [N_PORTS-1:0]        s_axi_awready_o,
  // W
  input  logic [N_PORTS*128-1:0]    s_axi_wdata_i,
  input  logic [N_PORTS*16-1:0]     s_axi_wstrb_i,
  input  logic [N_PORTS-1:0]        s_axi_wlast_i,
  input  logic [N_PORTS-1:0]        s_axi_wvalid_i,
  output logic [N_PORTS-1:0]        s_axi_wready_o,
  // B
  output logic [N_PORTS*ID_W-1:0]   s_axi_bid_o,
  output logic [N_PORTS*2-1:0]      s_axi_bresp_o,
  output logic [N_PORTS-1:0]        s_axi_bvalid_o,
  input  logic [N_PORTS-1:0]        s_axi_bready_i,
  // AR
  input  logic [N_PORTS*ID_W-1:0]   s_axi_arid_i,
  input  logic [N_PORTS*ADDR_W-1:0] s_axi_araddr_i,
  input  logic [N_PORTS*8-1:0]      s_axi_arlen_i,
  input  logic [N_PORTS*3-1:0]      s_axi_arsize_i,
  input  logic [N_PORTS*2-1:0]      s_axi_arburst_i,
  input  logic [N_PORTS-1:0]        s_axi_arvalid_i,
  output logic [N_PORTS-1:0]        s_axi_arready_o,
  // R
  output logic [N_PORTS*ID_W-1:0]   s_axi_rid_o,
  output logic [N_PORTS*128-1:0]    s_axi_rdata_o,
  output logic [N_PORTS*2-1:0]      s_axi_rresp_o,
  output logic [N_PORTS-1:0]        s_axi_rlast_o,
  output logic [N_PORTS-1:0]        s_axi_rvalid_o,
  input  logic [N_PORTS-1:0]        s_axi_rready_i,
  // status
  output logic                      busy_o
);
  localparam int unsigned MemWords = MEM_BYTES / 16;
  localparam int unsigned IdxW     = (MemWords > 1) ? $clog2(MemWords) : 1;
  localparam int unsigned BqDepth  = 2 * MAX_OUT;
  localparam int unsigned MaxChans = 16;
  localparam logic [1:0]  RespOkay   = 2'd0;
  localparam logic [1:0]  RespDecerr = 2'd3;

  if (N_PORTS < 1 || N_PORTS > 16) begin : g_bad_ports
    $fatal(1, "hp_ddr_model: N_PORTS=%0d outside 1..16", N_PORTS);
  end
  if (ADDR_W < 12 || ADDR_W > 64) begin : g_bad_addr
    $fatal(1, "hp_ddr_model: ADDR_W=%0d outside 12..64", ADDR_W);
  end
  if (ID_W < 1 || ID_W > 16) begin : g_bad_id
    $fatal(1, "hp_ddr_model: ID_W=%0d outside 1..16", ID_W);
  end
  if (MEM_BYTES < 4096 || (MEM_BYTES & (MEM_BYTES - 1)) != 0) begin : g_bad_mem
    $fatal(1, "hp_ddr_model: MEM_BYTES=%0d must be a power of two >= 4096", MEM_BYTES);
  end
  if ((BASE % 4096) != 0) begin : g_bad_base
    $fatal(1, "hp_ddr_model: BASE=%0h must be 4 KiB aligned", BASE);
  end
  if (MAX_OUT < 1 || MAX_OUT > 256) begin : g_bad_out
    $fatal(1, "hp_ddr_model: MAX_OUT=%0d outside 1..256", MAX_OUT);
  end
  if (N_ERR < 1 || N_ERR > 64) begin : g_bad_err
    $fatal(1, "hp_ddr_model: N_ERR=%0d outside 1..64", N_ERR);
  end
  if (W_BUF < 1 || W_BUF > 64) begin : g_bad_wbuf
    $fatal(1, "hp_ddr_model: W_BUF=%0d outside 1..64", W_BUF);
  end

  // ---------------------------------------------------------------- memory
  logic [127:0] mem [MemWords];

  // ---------------------------------------------------------------- runtime configuration
  /* verilator lint_off UNUSEDSIGNAL */
  int unsigned     cfg_latency   = 60;     // first-beat read latency, cycles (>= 2)
  int unsigned     cfg_b_latency = 4;      // last W -> B handshake, cycles (>= 2)
  longint unsigned cfg_cost_q    = 64'd65536;  // channel cycles per beat, Q.16 (ceil(cap)/cap)
  int unsigned     cfg_chans     = N_PORTS;    // ceil(cap) channels (1..16)
  int unsigned     cfg_max_out   = MAX_OUT;
  int unsigned     cfg_ar_stall  = 0;      // Q0.16 probabilities
  int unsigned     cfg_r_stall   = 0;
  int unsigned     cfg_aw_stall  = 0;
  int unsigned     cfg_w_stall   = 0;
  int unsigned     cfg_seed      = 1;      // applied at reset
  longint unsigned err_lo   [N_ERR];
  longint unsigned err_hi   [N_ERR];
  int unsigned     err_resp [N_ERR];       // 2 SLVERR, 3 DECERR
  int unsigned     err_mode [N_ERR];       // bit 0 reads, bit 1 writes; 0 = slot unused
  string           bd_file  = "hpmem.hex";
  int unsigned     bd_req   = 0;           // backdoor request / acknowledge counters
  int unsigned     bd_ack   = 0;
  int unsigned     bd_op    = 0;
  int unsigned     bd_lo    = 0;
  int unsigned     bd_hi    = 0;
  /* verilator lint_on UNUSEDSIGNAL */

  initial begin : p_plusargs
    int unsigned v;
    longint unsigned q;
    string s;
    for (int i = 0; i < int'(N_ERR); i++) begin
      err_lo[i] = 0; err_hi[i] = 0; err_resp[i] = 2; err_mode[i] = 0;
    end
    for (int i = 0; i < int'(MemWords); i++) mem[i] = '0;
    if ($value$plusargs("hpmem_latency=%d", v)) cfg_latency = v;
    if ($value$plusargs("hpmem_b_latency=%d", v)) cfg_b_latency = v;
    if ($value$plusargs("hpmem_cost_q=%d", q)) cfg_cost_q = q;
    if ($value$plusargs("hpmem_chans=%d", v)) cfg_chans = v;
    if ($value$plusargs("hpmem_max_out=%d", v)) cfg_max_out = v;
    if ($value$plusargs("hpmem_ar_stall=%d", v)) cfg_ar_stall = v;
    if ($value$plusargs("hpmem_r_stall=%d", v)) cfg_r_stall = v;
    if ($value$plusargs("hpmem_aw_stall=%d", v)) cfg_aw_stall = v;
    if ($value$plusargs("hpmem_w_stall=%d", v)) cfg_w_stall = v;
    if ($value$plusargs("hpmem_seed=%d", v)) cfg_seed = v;
    if ($value$plusargs("hpmem_file=%s", s)) bd_file = s;
    for (int i = 0; i < int'(N_ERR); i++) begin
      if ($value$plusargs($sformatf("hpmem_err%0d_lo=%%h", i), q)) err_lo[i] = q;
      if ($value$plusargs($sformatf("hpmem_err%0d_hi=%%h", i), q)) err_hi[i] = q;
      if ($value$plusargs($sformatf("hpmem_err%0d_resp=%%d", i), v)) err_resp[i] = v;
      if ($value$plusargs($sformatf("hpmem_err%0d_mode=%%d", i), v)) err_mode[i] = v;
    end
  end

  // ---------------------------------------------------------------- statistics (cocotb reads)
  /* verilator lint_off UNUSEDSIGNAL */
  int unsigned     st_rd_bursts    [N_PORTS];
  int unsigned     st_rd_beats     [N_PORTS];
  int unsigned     st_wr_bursts    [N_PORTS];
  int unsigned     st_wr_beats     [N_PORTS];
  int unsigned     st_rd_err_beats [N_PORTS];
  int unsigned     st_wr_err_bursts[N_PORTS];
  int unsigned     st_lat_min      [N_PORTS];   // first-beat latency (0xFFFFFFFF: none yet)
  int unsigned     st_lat_max      [N_PORTS];
  longint unsigned st_rd_first     [N_PORTS];   // cycle of the first / last R beat driven
  longint unsigned st_rd_last      [N_PORTS];
  longint unsigned st_wr_first     [N_PORTS];   // cycle of the first / last W beat consumed
  longint unsigned st_wr_last      [N_PORTS];
  int unsigned     proto_errors    = 0;
  string           proto_msg       = "";
  longint unsigned cyc             = 0;         // edges since reset
  /* verilator lint_on UNUSEDSIGNAL */

  // ---------------------------------------------------------------- per-port state
  // read bursts: accepted, last beat not yet driven
  longint unsigned   rq_go   [N_PORTS][MAX_OUT];   // edge at which beat 0 may be driven
  longint unsigned   rq_tar  [N_PORTS][MAX_OUT];   // AR handshake edge
  logic [63:0]       rq_addr [N_PORTS][MAX_OUT];
  logic [ID_W-1:0]   rq_id   [N_PORTS][MAX_OUT];
  int unsigned       rq_beats[N_PORTS][MAX_OUT];
  int unsigned       rq_head [N_PORTS];
  int unsigned       rq_cnt  [N_PORTS];
  int unsigned       r_idx   [N_PORTS];
  // write bursts: accepted, W not complete
  longint unsigned   wq_start[N_PORTS][MAX_OUT];
  logic [63:0]       wq_addr [N_PORTS][MAX_OUT];
  logic [ID_W-1:0]   wq_id   [N_PORTS][MAX_OUT];
  int unsigned       wq_beats[N_PORTS][MAX_OUT];
  int unsigned       wq_head [N_PORTS];
  int unsigned       wq_cnt  [N_PORTS];
  int unsigned       w_idx   [N_PORTS];
  logic [1:0]        w_resp  [N_PORTS];
  // W beat buffer
  logic [127:0]      wb_data [N_PORTS][W_BUF];
  logic [15:0]       wb_strb [N_PORTS][W_BUF];
  logic              wb_last [N_PORTS][W_BUF];
  int unsigned       wb_head [N_PORTS];
  int unsigned       wb_cnt  [N_PORTS];
  // B responses: scheduled (t = drive edge); the first bq_sent are due (counted as done)
  longint unsigned   bq_t    [N_PORTS][BqDepth];
  logic [ID_W-1:0]   bq_id   [N_PORTS][BqDepth];
  logic [1:0]        bq_resp [N_PORTS][BqDepth];
  int unsigned       bq_head [N_PORTS];
  int unsigned       bq_cnt  [N_PORTS];
  int unsigned       bq_sent [N_PORTS];
  // random backpressure
  logic [63:0]       rnd     [N_PORTS];
  // shared bandwidth scheduler (Q.16 cycles; 0 stands for "never used")
  longint unsigned   chan_free [MaxChans];
  longint unsigned   strm_end  [N_PORTS][2];   // end of the port's last burst per direction

  // output registers
  logic [N_PORTS-1:0]         arready_q, awready_q, wready_q, rvalid_q, rlast_q, bvalid_q;
  logic [N_PORTS*ID_W-1:0]    rid_q, bid_q;
  logic [N_PORTS*128-1:0]     rdata_q;
  logic [N_PORTS*2-1:0]       rresp_q, bresp_q;
  logic                       busy_q;

  assign s_axi_arready_o = arready_q;
  assign s_axi_awready_o = awready_q;
  assign s_axi_wready_o  = wready_q;
  assign s_axi_rvalid_o  = rvalid_q;
  assign s_axi_rlast_o   = rlast_q;
  assign s_axi_rid_o     = rid_q;
  assign s_axi_rdata_o   = rdata_q;
  assign s_axi_rresp_o   = rresp_q;
  assign s_axi_bvalid_o  = bvalid_q;
  assign s_axi_bid_o     = bid_q;
  assign s_axi_bresp_o   = bresp_q;
  assign busy_o          = busy_q | (|rvalid_q) | (|bvalid_q);

  // ---------------------------------------------------------------- helpers
  // The model is behavioural: internal state uses blocking assignments in one clocked process.
  /* verilator lint_off BLKSEQ */
  function automatic logic [63:0] xorshift64(logic [63:0] x);
    logic [63:0] y;
    y = x ^ (x << 13);
    y = y ^ (y >> 7);
    return y ^ (y << 17);
  endfunction

  function automatic logic [1:0] beat_resp(logic [63:0] a, bit is_write);
    /* verilator lint_off UNSIGNED */
    if (a < BASE || a + 64'd16 > BASE + 64'(MEM_BYTES)) return RespDecerr;
    /* verilator lint_on UNSIGNED */
    for (int i = 0; i < int'(N_ERR); i++) begin
      if (err_mode[i][is_write ? 1 : 0] && err_lo[i] < a + 64'd16 && a < err_hi[i]) begin
        return err_resp[i][1:0];
      end
    end
    return RespOkay;
  endfunction

  function automatic logic [IdxW-1:0] word_idx(logic [63:0] a);
    return IdxW'((a - BASE) >> 4);
  endfunction

  function automatic int unsigned max_out_eff();
    return (cfg_max_out == 0 || cfg_max_out > MAX_OUT) ? MAX_OUT : cfg_max_out;
  endfunction

  // Slot start (edge) of a burst of `beats` asked for at edge `now` by port p in direction dir
  // (0 read, 1 write); see the header.
  /* verilator lint_off UNUSEDSIGNAL */
  function automatic longint unsigned reserve(longint unsigned now, int unsigned beats, int p,
                                              bit dir);
  /* verilator lint_on UNUSEDSIGNAL */
    longint unsigned s0, start;
    int k, best;
    k = (cfg_chans < 1) ? 1 : (cfg_chans > MaxChans) ? MaxChans : int'(cfg_chans);
    s0 = now << 16;
    if (strm_end[p][dir] > s0) s0 = strm_end[p][dir];
    best = -1;
    for (int j = 0; j < k; j++) begin      // best fit among the channels free by s0
      if (chan_free[j] <= s0 && (best < 0 || chan_free[j] > chan_free[best])) best = j;
    end
    if (best < 0) begin                    // none: the one free first
      best = 0;
      for (int j = 1; j < k; j++) if (chan_free[j] < chan_free[best]) best = j;
    end
    start = (chan_free[best] > s0) ? chan_free[best] : s0;
    chan_free[best] = start + 64'(beats) * cfg_cost_q;
    strm_end[p][dir] = start + (64'(beats) << 16);
    return (start + 64'hFFFF) >> 16;
  endfunction

  function automatic void proto_error(string msg);
    if (proto_errors == 0) proto_msg = msg;
    proto_errors++;
    $display("hp_ddr_model: PROTOCOL ERROR %s", msg);
  endfunction

  function automatic int unsigned check_burst(int p, string kind, logic [63:0] addr,
                                              logic [7:0] len, logic [2:0] size,
                                              logic [1:0] burst);
    int unsigned beats;
    beats = int'(len) + 1;
    if (burst != 2'd1) begin
      proto_error($sformatf("port %0d %s burst addr=%0h len=%0d: burst type %0d (only INCR)",
                            p, kind, addr, len, burst));
    end else if (size != 3'd4) begin
      proto_error($sformatf("port %0d %s burst addr=%0h len=%0d: size %0d (only 16-byte beats)",
                            p, kind, addr, len, size));
    end else if (addr[3:0] != 4'd0) begin
      proto_error($sformatf("port %0d %s burst addr=%0h len=%0d: address not 16-byte aligned",
                            p, kind, addr, len));
    end else if ({52'd0, addr[11:0]} + 64'(beats) * 64'd16 > 64'd4096) begin
      proto_error($sformatf("port %0d %s burst addr=%0h len=%0d: burst crosses a 4 KiB boundary",
                            p, kind, addr, len));
    end
    return beats;
  endfunction

  // Consume buffered W beats into the head write burst while its slot has started. `pre`: the
  // drain happens half a cycle before edge `now` (the burst's slot starts at this edge), so the
  // edge at or before it is now - 1 (see tb/common/axi_mem.py, _w_loop / _edge_at_or_before).
  function automatic void w_drain(int p, longint unsigned now, bit pre);
    int unsigned h, b;
    logic [63:0] a;
    logic [1:0] resp;
    logic [127:0] m;
    bit last;
    longint unsigned t_w;
    while (wq_cnt[p] != 0 && wb_cnt[p] != 0 && wq_start[p][wq_head[p]] <= now) begin
      h = wq_head[p];
      b = wb_head[p];
      a = wq_addr[p][h] + 64'(w_idx[p]) * 64'd16;
      last = (w_idx[p] + 1 == wq_beats[p][h]);
      if (wb_last[p][b] != last) begin
        proto_error($sformatf("port %0d write burst addr=%0h beats=%0d: WLAST=%0d on beat %0d",
                              p, wq_addr[p][h], wq_beats[p][h], wb_last[p][b], w_idx[p]));
      end
      resp = beat_resp(a, 1);
      if (resp == RespOkay) begin
        if (&wb_strb[p][b]) begin
          mem[word_idx(a)] = wb_data[p][b];
        end else begin
          for (int k = 0; k < 16; k++) m[8*k +: 8] = {8{wb_strb[p][b][k]}};
          mem[word_idx(a)] = (mem[word_idx(a)] & ~m) | (wb_data[p][b] & m);
        end
      end else if (w_resp[p] == RespOkay) begin
        w_resp[p] = resp;
      end
      if (st_wr_first[p] == '1) st_wr_first[p] = now;
      st_wr_last[p] = now;
      wb_head[p] = (b + 1 == W_BUF) ? 0 : b + 1;
      wb_cnt[p]--;
      if (last) begin
        t_w = pre ? now - 1 : now;
        b = (bq_head[p] + bq_cnt[p]) % BqDepth;
        bq_t[p][b] = t_w + 64'(cfg_b_latency) - 1;
        bq_id[p][b] = wq_id[p][h];
        bq_resp[p][b] = w_resp[p];
        bq_cnt[p]++;
        st_wr_bursts[p]++;
        st_wr_beats[p] += wq_beats[p][h];
        if (w_resp[p] != RespOkay) st_wr_err_bursts[p]++;
        wq_head[p] = (h + 1 == MAX_OUT) ? 0 : h + 1;
        wq_cnt[p]--;
        w_idx[p] = 0;
        w_resp[p] = RespOkay;
      end else begin
        w_idx[p]++;
      end
    end
  endfunction

  function automatic void clear_stats();
    for (int p = 0; p < int'(N_PORTS); p++) begin
      st_rd_bursts[p] = 0; st_rd_beats[p] = 0; st_wr_bursts[p] = 0; st_wr_beats[p] = 0;
      st_rd_err_beats[p] = 0; st_wr_err_bursts[p] = 0;
      st_lat_min[p] = '1; st_lat_max[p] = 0;
      st_rd_first[p] = '1; st_rd_last[p] = 0; st_wr_first[p] = '1; st_wr_last[p] = 0;
    end
    proto_errors = 0;
    proto_msg = "";
  endfunction

  // ---------------------------------------------------------------- the model
  always @(posedge clk_i) begin : p_model
    longint unsigned now;
    int unsigned mo, h;
    /* verilator lint_off UNUSEDSIGNAL */
    int unsigned s;
    /* verilator lint_on UNUSEDSIGNAL */
    logic [63:0] a;
    logic [1:0] resp;
    bit p_ar, p_r, p_aw, p_w, hs, busy;

    // backdoor operations (also during reset)
    if (bd_req != bd_ack) begin
      case (bd_op)
        1: $readmemh(bd_file, mem, bd_lo, bd_hi);
        2: $writememh(bd_file, mem, bd_lo, bd_hi);
        3: for (int unsigned i = bd_lo; i <= bd_hi; i++) mem[i] = '0;
        4: clear_stats();
        default: $display("hp_ddr_model: unknown backdoor op %0d", bd_op);
      endcase
      bd_ack = bd_req;
    end

    if (!rst_ni) begin
      cyc = 0;
      for (int j = 0; j < int'(MaxChans); j++) chan_free[j] = 0;
      clear_stats();
      for (int p = 0; p < int'(N_PORTS); p++) begin
        rq_head[p] = 0; rq_cnt[p] = 0; r_idx[p] = 0;
        wq_head[p] = 0; wq_cnt[p] = 0; w_idx[p] = 0; w_resp[p] = RespOkay;
        wb_head[p] = 0; wb_cnt[p] = 0;
        bq_head[p] = 0; bq_cnt[p] = 0; bq_sent[p] = 0;
        strm_end[p][0] = 0; strm_end[p][1] = 0;
        rnd[p] = xorshift64({32'(p + 1), 32'h9E37_79B9 ^ cfg_seed});
      end
      arready_q <= '0; awready_q <= '0; wready_q <= '0;
      rvalid_q <= '0; rlast_q <= '0; bvalid_q <= '0;
      rid_q <= '0; bid_q <= '0; rdata_q <= '0; rresp_q <= '0; bresp_q <= '0;
      busy_q <= 1'b0;
    end else begin
      now = cyc;
      mo = max_out_eff();

      // ---- half a cycle before the edge: W slots that start now, B responses that fall due
      for (int p = 0; p < int'(N_PORTS); p++) begin
        w_drain(p, now, 1'b1);
        while (bq_sent[p] < bq_cnt[p] && bq_t[p][(bq_head[p] + bq_sent[p]) % BqDepth] <= now) begin
          bq_sent[p]++;
        end
      end

      // ---- the edge: handshakes sampled with the pre-edge values, channel by channel
      busy = 1'b0;
      for (int p = 0; p < int'(N_PORTS); p++) begin
        rnd[p] = xorshift64(rnd[p]);
        p_ar = cfg_ar_stall != 0 && 32'(rnd[p][15:0])  < cfg_ar_stall;
        p_r  = cfg_r_stall  != 0 && 32'(rnd[p][31:16]) < cfg_r_stall;
        p_aw = cfg_aw_stall != 0 && 32'(rnd[p][47:32]) < cfg_aw_stall;
        p_w  = cfg_w_stall  != 0 && 32'(rnd[p][63:48]) < cfg_w_stall;

        // AR
        if (s_axi_arvalid_i[p] && arready_q[p]) begin
          a = 64'(s_axi_araddr_i[p*ADDR_W +: ADDR_W]);
          s = (rq_head[p] + rq_cnt[p]) % MAX_OUT;
          rq_beats[p][s] = check_burst(p, "read", a, s_axi_arlen_i[p*8 +: 8],
                                       s_axi_arsize_i[p*3 +: 3], s_axi_arburst_i[p*2 +: 2]);
          rq_addr[p][s] = a;
          rq_id[p][s] = s_axi_arid_i[p*ID_W +: ID_W];
          rq_tar[p][s] = now;
          rq_go[p][s] = reserve(now, rq_beats[p][s], p, 1'b0) + 64'(cfg_latency) - 1;
          rq_cnt[p]++;
          st_rd_bursts[p]++;
        end
        arready_q[p] <= !p_ar && rq_cnt[p] < mo;

        // R
        if (!rvalid_q[p] || s_axi_rready_i[p]) begin
          h = rq_head[p];
          if (rq_cnt[p] != 0 && rq_go[p][h] <= now && !p_r) begin
            a = rq_addr[p][h] + 64'(r_idx[p]) * 64'd16;
            resp = beat_resp(a, 0);
            rdata_q[p*128 +: 128] <= (resp == RespOkay) ? mem[word_idx(a)] : '0;
            rresp_q[p*2 +: 2] <= resp;
            rid_q[p*ID_W +: ID_W] <= rq_id[p][h];
            rvalid_q[p] <= 1'b1;
            st_rd_beats[p]++;
            if (resp != RespOkay) st_rd_err_beats[p]++;
            if (st_rd_first[p] == '1) st_rd_first[p] = now;
            st_rd_last[p] = now;
            if (r_idx[p] == 0) begin
              if (32'(now - rq_tar[p][h] + 1) < st_lat_min[p]) st_lat_min[p] = 32'(now - rq_tar[p][h] + 1);
              if (32'(now - rq_tar[p][h] + 1) > st_lat_max[p]) st_lat_max[p] = 32'(now - rq_tar[p][h] + 1);
            end
            if (r_idx[p] + 1 == rq_beats[p][h]) begin
              rlast_q[p] <= 1'b1;
              r_idx[p] = 0;
              rq_head[p] = (h + 1 == MAX_OUT) ? 0 : h + 1;
              rq_cnt[p]--;
            end else begin
              rlast_q[p] <= 1'b0;
              r_idx[p]++;
            end
          end else begin
            rvalid_q[p] <= 1'b0;
          end
        end

        // AW
        if (s_axi_awvalid_i[p] && awready_q[p]) begin
          a = 64'(s_axi_awaddr_i[p*ADDR_W +: ADDR_W]);
          s = (wq_head[p] + wq_cnt[p]) % MAX_OUT;
          wq_beats[p][s] = check_burst(p, "write", a, s_axi_awlen_i[p*8 +: 8],
                                       s_axi_awsize_i[p*3 +: 3], s_axi_awburst_i[p*2 +: 2]);
          wq_addr[p][s] = a;
          wq_id[p][s] = s_axi_awid_i[p*ID_W +: ID_W];
          wq_start[p][s] = reserve(now, wq_beats[p][s], p, 1'b1);
          wq_cnt[p]++;
        end
        awready_q[p] <= !p_aw && (wq_cnt[p] + bq_cnt[p] - bq_sent[p]) < mo &&
                        (wq_cnt[p] + bq_cnt[p]) < BqDepth;

        // W
        hs = s_axi_wvalid_i[p] && wready_q[p];
        if (hs) begin
          s = (wb_head[p] + wb_cnt[p]) % W_BUF;
          wb_data[p][s] = s_axi_wdata_i[p*128 +: 128];
          wb_strb[p][s] = s_axi_wstrb_i[p*16 +: 16];
          wb_last[p][s] = s_axi_wlast_i[p];
          wb_cnt[p]++;
        end
        wready_q[p] <= !p_w && wb_cnt[p] < W_BUF;

        // B
        if (!bvalid_q[p] || s_axi_bready_i[p]) begin
          if (bq_sent[p] != 0) begin
            h = bq_head[p];
            bid_q[p*ID_W +: ID_W] <= bq_id[p][h];
            bresp_q[p*2 +: 2] <= bq_resp[p][h];
            bvalid_q[p] <= 1'b1;
            bq_head[p] = (h + 1 == BqDepth) ? 0 : h + 1;
            bq_cnt[p]--;
            bq_sent[p]--;
          end else begin
            bvalid_q[p] <= 1'b0;
          end
        end
      end

      // ---- after the edge: W bursts whose slot has started take the buffered beats
      for (int p = 0; p < int'(N_PORTS); p++) begin
        w_drain(p, now, 1'b0);
        busy |= rq_cnt[p] != 0 || wq_cnt[p] != 0 || wb_cnt[p] != 0 || bq_cnt[p] != 0;
      end
      busy_q <= busy;
      cyc = now + 1;
    end
  end
  /* verilator lint_on BLKSEQ */

endmodule
