// The reconfigurable-partition (RP) boundary of PD-Swap: job descriptor, RM ids, error codes,
// statistics. Every attention RM (prefill, decode, reference) and the static side use exactly
// these types; docs/rp-interface.md describes the ports and the handshake rules.
//
// Kept to the subset Yosys 0.23 reads (package types in ports are fine; no $bits(type) here).
package rp_pkg;
  // Each module uses a different subset of these constants.
  /* verilator lint_off UNUSEDPARAM */
  localparam int unsigned AxiAddrW = 40;
  localparam int unsigned AxiDataW = 128;
  localparam int unsigned AxiIdW   = 4;
  localparam int unsigned AxiStrbW = AxiDataW / 8;
  localparam int unsigned NumHp    = 4;     // KV260 HP ports
  localparam int unsigned PosW     = 16;    // token positions and lengths
  localparam int unsigned RowIdxW  = 16;    // O-row index carried in tuser
  localparam int unsigned ErrW     = 4;

  // job phase (descriptor field); an RM refuses a job of the other phase (RmErrPhase)
  localparam logic [1:0] PhasePrefill = 2'd1;
  localparam logic [1:0] PhaseDecode  = 2'd2;

  // RM ids: read back through rm_id_o and carried in the partial-bitstream container
  localparam logic [7:0] RmIdNone      = 8'd0;   // RP empty / decoupled
  localparam logic [7:0] RmIdPrefill   = 8'd1;
  localparam logic [7:0] RmIdDecode    = 8'd2;
  localparam logic [7:0] RmIdReference = 8'd3;   // simple reference attention (bring-up)

  // qkv_in stream: tuser tags which tensor a row belongs to
  localparam logic [1:0] TensorQ = 2'd0;
  localparam logic [1:0] TensorK = 2'd1;
  localparam logic [1:0] TensorV = 2'd2;

  // error codes (err_code_o, valid while err_o is high)
  localparam logic [ErrW-1:0] RmErrNone   = 4'd0;
  localparam logic [ErrW-1:0] RmErrPhase  = 4'd1;  // job phase not served by this RM
  localparam logic [ErrW-1:0] RmErrLen    = 4'd2;  // q_len == 0 or pos0 + q_len > max context
  localparam logic [ErrW-1:0] RmErrAlign  = 4'd3;  // k_base / v_base not 16-byte aligned
  localparam logic [ErrW-1:0] RmErrAxi    = 4'd4;  // SLVERR/DECERR on an HP port
  localparam logic [ErrW-1:0] RmErrStream = 4'd5;  // qkv_in row framing wrong (tlast/tag)

  // Attention job for one (layer, head): queries at positions pos0 .. pos0+q_len-1 attend keys
  // 0 .. pos0+q_len-1. The q_len new K/V rows arrive on qkv_in and are written to the cache at
  // positions pos0.. ; older keys are read from the cache. K row p lives at k_base + p*ROW_BYTES
  // (ROW_BYTES = head_dim), V likewise.
  typedef struct packed {
    logic [1:0]          phase;
    logic [7:0]          layer;
    logic [7:0]          head;
    logic [PosW-1:0]     q_len;
    logic [PosW-1:0]     pos0;
    logic [AxiAddrW-1:0] k_base;
    logic [AxiAddrW-1:0] v_base;
    logic [31:0]         c_mul;   // softmax scale: t = (s * c_mul) >>> 24 (docs/numerics.md)
    logic [4:0]          fv;      // V fractional bits: o = rnd(acc * inv_l, 32 + fv)
  } job_t;

  // Per-job statistics (cleared when a job is accepted, frozen at done).
  typedef struct packed {
    logic [31:0] busy_cycles;     // job accepted .. done
    logic [31:0] active_cycles;   // cycles the compute datapath did useful work (PE-active)
    logic [31:0] rd_beats_hp0;
    logic [31:0] rd_beats_hp1;
    logic [31:0] rd_beats_hp2;
    logic [31:0] rd_beats_hp3;
    logic [31:0] wr_beats_hp0;
    logic [31:0] wr_beats_hp1;
    logic [31:0] wr_beats_hp2;
    logic [31:0] wr_beats_hp3;
  } rm_stats_t;

  // ---------------------------------------------------------------------------------------
  // The whole boundary as two packed structs (used by the RP wrapper, decoupler and static
  // side; the RMs themselves keep the flat port list of docs/rp-interface.md).
  // HP-port vectors are flattened: port p of `araddr` is araddr[p*AxiAddrW +: AxiAddrW].
  typedef struct packed {
    // AW / W / B
    logic [NumHp*AxiIdW-1:0]   awid;
    logic [NumHp*AxiAddrW-1:0] awaddr;
    logic [NumHp*8-1:0]        awlen;
    logic [NumHp*3-1:0]        awsize;
    logic [NumHp*2-1:0]        awburst;
    logic [NumHp-1:0]          awvalid;
    logic [NumHp*AxiDataW-1:0] wdata;
    logic [NumHp*AxiStrbW-1:0] wstrb;
    logic [NumHp-1:0]          wlast;
    logic [NumHp-1:0]          wvalid;
    logic [NumHp-1:0]          bready;
    // AR / R
    logic [NumHp*AxiIdW-1:0]   arid;
    logic [NumHp*AxiAddrW-1:0] araddr;
    logic [NumHp*8-1:0]        arlen;
    logic [NumHp*3-1:0]        arsize;
    logic [NumHp*2-1:0]        arburst;
    logic [NumHp-1:0]          arvalid;
    logic [NumHp-1:0]          rready;
  } hp_m2s_t;   // HP masters -> DDR

  typedef struct packed {
    logic [NumHp-1:0]          awready;
    logic [NumHp-1:0]          wready;
    logic [NumHp*AxiIdW-1:0]   bid;
    logic [NumHp*2-1:0]        bresp;
    logic [NumHp-1:0]          bvalid;
    logic [NumHp-1:0]          arready;
    logic [NumHp*AxiIdW-1:0]   rid;
    logic [NumHp*AxiDataW-1:0] rdata;
    logic [NumHp*2-1:0]        rresp;
    logic [NumHp-1:0]          rlast;
    logic [NumHp-1:0]          rvalid;
  } hp_s2m_t;   // DDR -> HP masters

  typedef struct packed {          // RP -> static
    logic                 job_ready;
    logic                 busy;
    logic                 done;
    logic                 err;
    logic [ErrW-1:0]      err_code;
    rm_stats_t            stats;
    logic [7:0]           rm_id;
    logic                 shutdown_ack;
    logic                 qkv_tready;
    logic [AxiDataW-1:0]  o_tdata;
    logic [RowIdxW-1:0]   o_tuser;
    logic                 o_tlast;
    logic                 o_tvalid;
    hp_m2s_t              axi;
  } rp_out_t;

  typedef struct packed {          // static -> RP
    job_t                 job;
    logic                 job_valid;
    logic                 shutdown_req;
    logic [AxiDataW-1:0]  qkv_tdata;
    logic [1:0]           qkv_tuser;
    logic                 qkv_tlast;
    logic                 qkv_tvalid;
    logic                 o_tready;
    hp_s2m_t              axi;
  } rp_in_t;

  /* verilator lint_on UNUSEDPARAM */
endpackage
