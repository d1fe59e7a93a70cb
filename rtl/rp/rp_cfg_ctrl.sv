// Reconfigurable-partition configuration controller (docs/reconfig.md, docs/bitstream.md).
//
// Plays the role of the AMD DFX Controller + the configuration port for one RP: it consumes a
// partial-bitstream container (docs/bitstream.md) on a 32-bit valid/ready/last stream (from the
// PCAP model), checks its header and CRC-32 in hardware, and sequences the RP:
//
//   EMPTY --trigger--> LOADING                      (nothing loaded: no RM to shut down)
//   LOADED --trigger--> PENDING --RM idle--> SHUTDOWN --ack--> LOADING
//   LOADING --CRC ok--> RESET_RM (RESET_CYCLES) --> LOADED
//   any error --> ERROR (RP decoupled, RM in reset); ERROR --trigger--> LOADING, --clear--> EMPTY
//
// Outputs towards the RP wrapper are registers (decoded from the next state):
//   swap_pending_o   PENDING/SHUTDOWN: a swap is requested, the static side must not start
//                    new RM jobs (rm_busy_i then falls for good)
//   shutdown_req_o   SHUTDOWN: the RM drains its AXI traffic and raises shutdown_ack_i
//   decouple_o       every state but LOADED/PENDING/SHUTDOWN (RM outputs isolated)
//   rm_reset_o       EMPTY, RESET_RM (exactly RESET_CYCLES cycles after a good load), ERROR
//   rm_sel_o         active RM id (rp_pkg::RmId*: 0 none, 1 prefill, 2 decode, ...); 0 after
//                    reset, switches to the new id with the first payload word (ReSim portal
//                    rule), i.e. while decouple_o is high; errors leave it where it is
//   reconfiguring_o  from the first payload word to the end of LOADING (RP content undefined)
// Busy policy: defer. A trigger while rm_busy_i waits in PENDING until the RM is idle; if the
// BUSY_TIMEOUT register is non-zero and the RM is still busy after that many cycles, the swap
// fails with ERR_BUSY (RM reset). Likewise ACK_TIMEOUT bounds the wait for shutdown_ack_i.
//
// The stream is accepted only while LOADING (or while draining): a bitstream that arrives with
// no trigger waits. After an error in the middle of a frame the rest of that frame (up to tlast)
// is drained and dropped, so the PCAP never hangs; the next trigger parses the next frame.
module rp_cfg_ctrl #(
  parameter int unsigned RP_ID        = 0,        // this partition's id (header word 2)
  parameter int unsigned NUM_RM       = 2,        // valid RM ids are 1 .. NUM_RM (0 = RmIdNone)
  parameter int unsigned MAX_BYTES    = 65536,    // largest payload accepted (bytes)
  parameter int unsigned RESET_CYCLES = 16,       // rm_reset_o cycles after a load
  parameter int unsigned BUSY_TIMEOUT = 0,        // reset value of BUSY_TIMEOUT (0 = wait forever)
  parameter int unsigned ACK_TIMEOUT  = 0         // reset value of ACK_TIMEOUT (0 = wait forever)
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  // configuration stream (container words, little-endian)
  input  logic [31:0] s_axis_tdata_i,
  input  logic        s_axis_tvalid_i,
  output logic        s_axis_tready_o,
  input  logic        s_axis_tlast_i,
  // AXI4-Lite registers
  input  logic [6:0]  s_axil_awaddr_i,
  input  logic [2:0]  s_axil_awprot_i,
  input  logic        s_axil_awvalid_i,
  output logic        s_axil_awready_o,
  input  logic [31:0] s_axil_wdata_i,
  input  logic [3:0]  s_axil_wstrb_i,
  input  logic        s_axil_wvalid_i,
  output logic        s_axil_wready_o,
  output logic [1:0]  s_axil_bresp_o,
  output logic        s_axil_bvalid_o,
  input  logic        s_axil_bready_i,
  input  logic [6:0]  s_axil_araddr_i,
  input  logic [2:0]  s_axil_arprot_i,
  input  logic        s_axil_arvalid_i,
  output logic        s_axil_arready_o,
  output logic [31:0] s_axil_rdata_o,
  output logic [1:0]  s_axil_rresp_o,
  output logic        s_axil_rvalid_o,
  input  logic        s_axil_rready_i,
  // reconfigurable partition
  output logic        swap_pending_o,
  output logic        shutdown_req_o,
  input  logic        shutdown_ack_i,
  output logic        decouple_o,
  output logic        rm_reset_o,
  output logic [7:0]  rm_sel_o,
  output logic        reconfiguring_o,
  input  logic        rm_busy_i
);
  if (NUM_RM < 1 || NUM_RM > 255) begin : g_bad_num_rm
    $fatal(1, "rp_cfg_ctrl: NUM_RM=%0d outside [1, 255] (RM ids 1..NUM_RM in the 8-bit rm_sel_o)",
           NUM_RM);
  end
  if (MAX_BYTES == 0 || (MAX_BYTES % 4) != 0 || MAX_BYTES > (1 << 30)) begin : g_bad_max_bytes
    $fatal(1, "rp_cfg_ctrl: MAX_BYTES=%0d must be a non-zero multiple of 4 and at most 2^30",
           MAX_BYTES);
  end
  if (RESET_CYCLES < 1 || RESET_CYCLES > 65535) begin : g_bad_reset_cycles
    $fatal(1, "rp_cfg_ctrl: RESET_CYCLES=%0d outside [1, 65535]", RESET_CYCLES);
  end

  // ------------------------------------------------------------------ constants
  localparam logic [31:0] SyncWord      = 32'hAA995566;
  localparam logic [31:0] FormatVersion = 32'd1;
  localparam logic [31:0] Magic         = 32'h52504346;  // "RPCF"
  localparam int unsigned MaxWords      = MAX_BYTES / 4;
  localparam int unsigned RemW          = $clog2(MaxWords + 1);
  localparam int unsigned RstW          = $clog2(RESET_CYCLES + 1);

  typedef enum logic [2:0] {
    StEmpty    = 3'd0,
    StPending  = 3'd1,
    StShutdown = 3'd2,
    StLoading  = 3'd3,
    StResetRm  = 3'd4,
    StLoaded   = 3'd5,
    StError    = 3'd6
  } state_e;

  // error codes (same numbers as pdswap_host.bitstream.ErrCode)
  typedef enum logic [7:0] {
    ErrNone       = 8'd0,
    ErrSync       = 8'd1,
    ErrVersion    = 8'd2,
    ErrRpId       = 8'd3,
    ErrRmId       = 8'd4,
    ErrZero       = 8'd5,
    ErrAlign      = 8'd6,
    ErrOversize   = 8'd7,
    ErrExtra      = 8'd8,
    ErrTrunc      = 8'd9,
    ErrCrc        = 8'd10,
    ErrRetrigger  = 8'd11,
    ErrBusy       = 8'd12,
    ErrAckTimeout = 8'd13,
    ErrAbort      = 8'd14
  } err_e;

  typedef enum logic [1:0] {PhHdr, PhPay, PhCrc} phase_e;

  // register word indices (byte address = 4 * index)
  localparam int unsigned RegMagic       = 0;
  localparam int unsigned RegCtrl        = 1;
  localparam int unsigned RegStatus      = 2;
  localparam int unsigned RegErrCode     = 3;
  localparam int unsigned RegRmId        = 4;
  localparam int unsigned RegHdrRmId     = 5;
  localparam int unsigned RegBytesRx     = 6;
  localparam int unsigned RegCycPending  = 7;
  localparam int unsigned RegCycShutdown = 8;
  localparam int unsigned RegCycLoad     = 9;
  localparam int unsigned RegCycReset    = 10;
  localparam int unsigned RegBusyTimeout = 11;
  localparam int unsigned RegAckTimeout  = 12;
  localparam int unsigned RegErrCount    = 13;
  localparam int unsigned RegLoadCount   = 14;
  localparam int unsigned RegRpId        = 15;
  localparam int unsigned RegMaxBytes    = 16;
  localparam int unsigned RegInfo        = 17;
  localparam int unsigned RegResetCycles = 18;
  localparam int unsigned NRegs          = 19;

  // ------------------------------------------------------------------ AXI-Lite
  logic              wr_en, rd_en;
  logic [4:0]        wr_idx, rd_idx;
  logic [31:0]       wr_data;
  logic [3:0]        wr_strb;
  logic [NRegs*32-1:0] rd_data;

  axil_regs #(.ADDR_W(7), .N_REGS(NRegs)) u_regs (
    .clk_i,
    .rst_ni,
    .s_axil_awaddr_i,
    .s_axil_awprot_i,
    .s_axil_awvalid_i,
    .s_axil_awready_o,
    .s_axil_wdata_i,
    .s_axil_wstrb_i,
    .s_axil_wvalid_i,
    .s_axil_wready_o,
    .s_axil_bresp_o,
    .s_axil_bvalid_o,
    .s_axil_bready_i,
    .s_axil_araddr_i,
    .s_axil_arprot_i,
    .s_axil_arvalid_i,
    .s_axil_arready_o,
    .s_axil_rdata_o,
    .s_axil_rresp_o,
    .s_axil_rvalid_o,
    .s_axil_rready_i,
    .wr_en_o   (wr_en),
    .wr_idx_o  (wr_idx),
    .wr_data_o (wr_data),
    .wr_strb_o (wr_strb),
    .rd_en_o   (rd_en),
    .rd_idx_o  (rd_idx),
    .rd_data_i (rd_data)
  );

  // no read side effects in this block
  logic unused_rd;
  assign unused_rd = ^{rd_en, rd_idx};

  // CTRL: bit 0 TRIGGER, bit 1 ABORT, bit 2 ERR_CLEAR (write-1 pulses, read as 0)
  logic ctrl_wr, ev_trigger, ev_abort, ev_clear;
  assign ctrl_wr    = wr_en && (wr_idx == 5'(RegCtrl)) && wr_strb[0];
  assign ev_trigger = ctrl_wr && wr_data[0];
  assign ev_abort   = ctrl_wr && wr_data[1];
  assign ev_clear   = ctrl_wr && wr_data[2];

  function automatic logic [31:0] apply_strb(input logic [31:0] old, input logic [31:0] data,
                                             input logic [3:0] strb);
    logic [31:0] r;
    for (int b = 0; b < 4; b++) r[8*b +: 8] = strb[b] ? data[8*b +: 8] : old[8*b +: 8];
    apply_strb = r;
  endfunction

  function automatic logic [31:0] sat_inc(input logic [31:0] x);
    sat_inc = (x == '1) ? x : x + 32'd1;
  endfunction

  // ------------------------------------------------------------------ state
  state_e          state_q, state_d;
  err_e            err_q, err_d;
  phase_e          ph_q, ph_d;
  logic [2:0]      hidx_q, hidx_d;
  logic [RemW-1:0] rem_q, rem_d;
  logic [31:0]     hdr_rm_q, hdr_rm_d;
  logic [7:0]      rm_sel_q, rm_sel_d;
  logic            reconf_q, reconf_d;
  logic            drain_q, drain_d;
  logic            in_frame_q, in_frame_d;
  logic [RstW-1:0] rst_cnt_q, rst_cnt_d;
  logic [31:0]     bytes_q, cyc_pend_q, cyc_shut_q, cyc_load_q, cyc_rst_q;
  logic [31:0]     busy_to_q, ack_to_q, err_cnt_q, load_cnt_q;
  logic            start;             // trigger accepted: new load attempt

  logic   fire, pfire;                // any word accepted / word accepted by the parser
  err_e   word_err, ev_err;
  logic   active;
  logic   crc_init, crc_en;
  logic [31:0] crc;

  assign s_axis_tready_o = drain_q || (state_q == StLoading);
  assign fire  = s_axis_tvalid_i && s_axis_tready_o;
  assign pfire = fire && !drain_q && (state_q == StLoading);

  assign active = (state_q == StPending) || (state_q == StShutdown) ||
                  (state_q == StLoading) || (state_q == StResetRm);

  // CRC over every container word before the CRC word
  assign crc_init = start;
  assign crc_en   = pfire && (ph_q != PhCrc);

  crc32_d32 u_crc (
    .clk_i,
    .rst_ni,
    .init_i (crc_init),
    .en_i   (crc_en),
    .data_i (s_axis_tdata_i),
    .crc_o  (crc)
  );

  // header / trailer checks on the word being accepted (field errors before truncation)
  always_comb begin
    word_err = ErrNone;
    if (pfire) begin
      unique case (ph_q)
        PhHdr: begin
          unique case (hidx_q)
            3'd0: if (s_axis_tdata_i != SyncWord)        word_err = ErrSync;
            3'd1: if (s_axis_tdata_i != FormatVersion)   word_err = ErrVersion;
            3'd2: if (s_axis_tdata_i != 32'(RP_ID))      word_err = ErrRpId;
            3'd3: if (s_axis_tdata_i == '0 || s_axis_tdata_i > 32'(NUM_RM))
                                                         word_err = ErrRmId;
            default: begin
              if (s_axis_tdata_i == '0)                  word_err = ErrZero;
              else if (s_axis_tdata_i[1:0] != 2'b00)     word_err = ErrAlign;
              else if (s_axis_tdata_i > 32'(MAX_BYTES))  word_err = ErrOversize;
            end
          endcase
        end
        PhPay: ;
        PhCrc: begin
          if (!s_axis_tlast_i)        word_err = ErrExtra;
          else if (s_axis_tdata_i != crc) word_err = ErrCrc;
        end
        default: ;
      endcase
      if (word_err == ErrNone && s_axis_tlast_i && ph_q != PhCrc) word_err = ErrTrunc;
    end
  end

  // events that end an attempt, highest priority first
  always_comb begin
    ev_err = ErrNone;
    if (ev_abort && active)                                  ev_err = ErrAbort;
    else if (ev_trigger && active)                           ev_err = ErrRetrigger;
    else if (state_q == StPending && rm_busy_i && busy_to_q != '0 && cyc_pend_q >= busy_to_q)
                                                             ev_err = ErrBusy;
    else if (state_q == StShutdown && !shutdown_ack_i && ack_to_q != '0 && cyc_shut_q >= ack_to_q)
                                                             ev_err = ErrAckTimeout;
    else                                                     ev_err = word_err;
  end

  always_comb begin
    state_d    = state_q;
    err_d      = err_q;
    ph_d       = ph_q;
    hidx_d     = hidx_q;
    rem_d      = rem_q;
    hdr_rm_d   = hdr_rm_q;
    rm_sel_d   = rm_sel_q;
    rst_cnt_d  = rst_cnt_q;
    start      = 1'b0;

    in_frame_d = fire ? !s_axis_tlast_i : in_frame_q;
    drain_d    = (drain_q && fire && s_axis_tlast_i) ? 1'b0 : drain_q;

    // parser progress on an accepted word (overridden below if the attempt fails)
    if (pfire) begin
      unique case (ph_q)
        PhHdr: begin
          hidx_d = hidx_q + 3'd1;
          if (hidx_q == 3'd3) hdr_rm_d = s_axis_tdata_i;
          if (hidx_q == 3'd4) begin
            ph_d  = PhPay;
            rem_d = RemW'(s_axis_tdata_i >> 2);
          end
        end
        PhPay: begin
          // the first payload word switches the selector to the new RM (ReSim portal rule)
          if (!reconf_q) rm_sel_d = hdr_rm_q[7:0];
          rem_d = rem_q - RemW'(1);
          if (rem_q == RemW'(1)) ph_d = PhCrc;
        end
        default: ;
      endcase
    end

    if (ev_err != ErrNone) begin
      state_d = StError;
      err_d   = ev_err;
      drain_d = drain_d || in_frame_d;
    end else begin
      unique case (state_q)
        StEmpty, StLoaded, StError: begin
          if (ev_trigger) begin
            start   = 1'b1;
            err_d   = ErrNone;
            state_d = (state_q == StLoaded) ? StPending : StLoading;
          end else if (ev_clear && state_q == StError) begin
            err_d   = ErrNone;
            state_d = StEmpty;
          end
        end
        StPending:  if (!rm_busy_i) state_d = StShutdown;
        StShutdown: if (shutdown_ack_i) state_d = StLoading;
        StLoading: begin
          if (pfire && ph_q == PhCrc) begin
            state_d   = StResetRm;
            rst_cnt_d = RstW'(RESET_CYCLES - 1);
          end
        end
        StResetRm: begin
          if (rst_cnt_q == '0) state_d = StLoaded;
          else                 rst_cnt_d = rst_cnt_q - RstW'(1);
        end
        default: state_d = StError;
      endcase
    end

    if (start) begin
      ph_d     = PhHdr;
      hidx_d   = '0;
      rem_d    = '0;
      hdr_rm_d = '0;
    end
    reconf_d = (state_d == StLoading) && (reconf_q || (pfire && ph_q == PhPay));
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q    <= StEmpty;
      err_q      <= ErrNone;
      ph_q       <= PhHdr;
      hidx_q     <= '0;
      rem_q      <= '0;
      hdr_rm_q   <= '0;
      rm_sel_q   <= '0;
      reconf_q   <= 1'b0;
      drain_q    <= 1'b0;
      in_frame_q <= 1'b0;
      rst_cnt_q  <= '0;
      bytes_q    <= '0;
      cyc_pend_q <= '0;
      cyc_shut_q <= '0;
      cyc_load_q <= '0;
      cyc_rst_q  <= '0;
      busy_to_q  <= 32'(BUSY_TIMEOUT);
      ack_to_q   <= 32'(ACK_TIMEOUT);
      err_cnt_q  <= '0;
      load_cnt_q <= '0;
    end else begin
      state_q    <= state_d;
      err_q      <= err_d;
      ph_q       <= ph_d;
      hidx_q     <= hidx_d;
      rem_q      <= rem_d;
      hdr_rm_q   <= hdr_rm_d;
      rm_sel_q   <= rm_sel_d;
      reconf_q   <= reconf_d;
      drain_q    <= drain_d;
      in_frame_q <= in_frame_d;
      rst_cnt_q  <= rst_cnt_d;
      // per-attempt counters: cleared by the trigger, counting the cycles spent in each phase
      if (start) begin
        bytes_q    <= '0;
        cyc_pend_q <= '0;
        cyc_shut_q <= '0;
        cyc_load_q <= '0;
        cyc_rst_q  <= '0;
      end else begin
        if (pfire)                  bytes_q    <= bytes_q + 32'd4;
        if (state_q == StPending)   cyc_pend_q <= sat_inc(cyc_pend_q);
        if (state_q == StShutdown)  cyc_shut_q <= sat_inc(cyc_shut_q);
        if (state_q == StLoading)   cyc_load_q <= sat_inc(cyc_load_q);
        if (state_q == StResetRm)   cyc_rst_q  <= sat_inc(cyc_rst_q);
      end
      if (ev_err != ErrNone)                        err_cnt_q  <= sat_inc(err_cnt_q);
      if (state_q == StResetRm && state_d == StLoaded) load_cnt_q <= sat_inc(load_cnt_q);
      if (wr_en && wr_idx == 5'(RegBusyTimeout)) busy_to_q <= apply_strb(busy_to_q, wr_data, wr_strb);
      if (wr_en && wr_idx == 5'(RegAckTimeout))  ack_to_q  <= apply_strb(ack_to_q, wr_data, wr_strb);
    end
  end

  // ------------------------------------------------------------------ RP outputs (registered)
  logic decouple_q, rm_reset_q, shutdown_q, pending_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      decouple_q <= 1'b1;
      rm_reset_q <= 1'b1;
      shutdown_q <= 1'b0;
      pending_q  <= 1'b0;
    end else begin
      decouple_q <= !(state_d == StLoaded || state_d == StPending || state_d == StShutdown);
      rm_reset_q <= (state_d == StEmpty) || (state_d == StResetRm) || (state_d == StError);
      shutdown_q <= (state_d == StShutdown);
      pending_q  <= (state_d == StPending) || (state_d == StShutdown);
    end
  end

  assign swap_pending_o  = pending_q;
  assign shutdown_req_o  = shutdown_q;
  assign decouple_o      = decouple_q;
  assign rm_reset_o      = rm_reset_q;
  assign rm_sel_o        = rm_sel_q;
  assign reconfiguring_o = reconf_q;

  // ------------------------------------------------------------------ register read mux
  logic [31:0] status;
  assign status = {18'd0, in_frame_q, drain_q, shutdown_ack_i, rm_busy_i, pending_q, reconf_q,
                   shutdown_q, rm_reset_q, decouple_q, (state_q == StError),
                   (state_q == StLoaded), state_q};

  always_comb begin
    rd_data = '0;
    rd_data[32*RegMagic       +: 32] = Magic;
    rd_data[32*RegCtrl        +: 32] = '0;
    rd_data[32*RegStatus      +: 32] = status;
    rd_data[32*RegErrCode     +: 32] = 32'(err_q);
    rd_data[32*RegRmId        +: 32] = {23'd0, (state_q == StLoaded), rm_sel_q};
    rd_data[32*RegHdrRmId     +: 32] = hdr_rm_q;
    rd_data[32*RegBytesRx     +: 32] = bytes_q;
    rd_data[32*RegCycPending  +: 32] = cyc_pend_q;
    rd_data[32*RegCycShutdown +: 32] = cyc_shut_q;
    rd_data[32*RegCycLoad     +: 32] = cyc_load_q;
    rd_data[32*RegCycReset    +: 32] = cyc_rst_q;
    rd_data[32*RegBusyTimeout +: 32] = busy_to_q;
    rd_data[32*RegAckTimeout  +: 32] = ack_to_q;
    rd_data[32*RegErrCount    +: 32] = err_cnt_q;
    rd_data[32*RegLoadCount   +: 32] = load_cnt_q;
    rd_data[32*RegRpId        +: 32] = 32'(RP_ID);
    rd_data[32*RegMaxBytes    +: 32] = 32'(MAX_BYTES);
    rd_data[32*RegInfo        +: 32] = {FormatVersion[7:0], 8'd0, 16'(NUM_RM)};
    rd_data[32*RegResetCycles +: 32] = 32'(RESET_CYCLES);
  end
endmodule
