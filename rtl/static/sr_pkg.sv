// Static-region command and operation encodings (docs/static-region.md).
package sr_pkg;
  /* verilator lint_off UNUSEDPARAM */
  // commands (CTRL[7:4])
  localparam logic [3:0] CmdLoadW  = 4'd1;
  localparam logic [3:0] CmdLoadG  = 4'd2;
  localparam logic [3:0] CmdLoadR  = 4'd3;
  localparam logic [3:0] CmdLoadD  = 4'd4;
  localparam logic [3:0] CmdEmbed  = 4'd5;
  localparam logic [3:0] CmdPre    = 4'd6;
  localparam logic [3:0] CmdAtt    = 4'd7;
  localparam logic [3:0] CmdPost   = 4'd8;
  localparam logic [3:0] CmdFinal  = 4'd9;
  localparam logic [3:0] CmdStoreH = 4'd10;

  // error codes (STATUS[15:8])
  localparam logic [7:0] ErrBadCmd   = 8'd1;
  localparam logic [7:0] ErrBadRows  = 8'd2;
  localparam logic [7:0] ErrDmaResp  = 8'd3;
  localparam logic [7:0] ErrDmaCmd   = 8'd4;
  localparam logic [7:0] ErrRp       = 8'd5;
  localparam logic [7:0] ErrRpAbsent = 8'd6;
  localparam logic [7:0] ErrFraming  = 8'd7;
  localparam logic [7:0] ErrLayer    = 8'd8;
  localparam logic [7:0] ErrBusy     = 8'd9;
  localparam logic [7:0] ErrBlock    = 8'd10;   // a datapath block flagged a bad configuration

  // buffers
  typedef enum logic [2:0] {BufH, BufX, BufQ, BufK, BufV, BufO, BufG, BufF} buf_e;

  // operation kinds
  typedef enum logic [2:0] {OpNone, OpNQ, OpNorm, OpTlmm, OpDmaIn, OpStore, OpAtt} op_kind_e;
  // what follows the TLMM
  typedef enum logic [1:0] {PostNone, PostRope, PostRes, PostSwiglu} post_e;
  // DMA-in targets
  typedef enum logic [2:0] {TgtH, TgtW, TgtG, TgtR, TgtD} tgt_e;

  typedef struct packed {
    op_kind_e   kind;
    buf_e       src;
    buf_e       dst;
    logic [2:0] mat;       // TLMM matrix: 0 q, 1 k, 2 v, 3 o, 4 gate, 5 up, 6 down
    post_e      post;
    logic       rot;       // RoPE rotation (q, k) or requantise only (v)
    logic [1:0] frac_sel;  // 0 fq, 1 fk, 2 fv
    logic [2:0] gsel;      // gain: 0 input, 1 attn_sub, 2 post, 3 ffn_sub, 4 final
    logic       wide;      // row length F (else D)
    tgt_e       tgt;
    logic       last;      // last op of the command
  } op_t;

  function automatic op_t mk(op_kind_e kind, buf_e src, buf_e dst, logic [2:0] mat, post_e post,
                             logic rot, logic [1:0] frac_sel, logic [2:0] gsel, logic wide,
                             tgt_e tgt, logic last);
    op_t o;
    o.kind = kind; o.src = src; o.dst = dst; o.mat = mat; o.post = post; o.rot = rot;
    o.frac_sel = frac_sel; o.gsel = gsel; o.wide = wide; o.tgt = tgt; o.last = last;
    mk = o;
  endfunction

  // The operation list of every command.
  function automatic op_t op_of(logic [3:0] cmd, logic [2:0] idx);
    op_t o;
    o = mk(OpNone, BufH, BufH, 3'd0, PostNone, 1'b0, 2'd0, 3'd0, 1'b0, TgtH, 1'b1);
    unique case (cmd)
      CmdLoadW:  o = mk(OpDmaIn, BufH, BufH, 3'd0, PostNone, 1'b0, 2'd0, 3'd0, 1'b0, TgtW, 1'b1);
      CmdLoadG:  o = mk(OpDmaIn, BufH, BufH, 3'd0, PostNone, 1'b0, 2'd0, 3'd0, 1'b0, TgtG, 1'b1);
      CmdLoadR:  o = mk(OpDmaIn, BufH, BufH, 3'd0, PostNone, 1'b0, 2'd0, 3'd0, 1'b0, TgtR, 1'b1);
      CmdLoadD:  o = mk(OpDmaIn, BufH, BufH, 3'd0, PostNone, 1'b0, 2'd0, 3'd0, 1'b0, TgtD, 1'b1);
      CmdEmbed:  o = mk(OpDmaIn, BufH, BufH, 3'd0, PostNone, 1'b0, 2'd0, 3'd0, 1'b0, TgtH, 1'b1);
      CmdPre: unique case (idx)
        3'd0: o = mk(OpNQ,   BufH, BufX, 3'd0, PostNone, 1'b0, 2'd0, 3'd0, 1'b0, TgtH, 1'b0);
        3'd1: o = mk(OpTlmm, BufX, BufQ, 3'd0, PostRope, 1'b1, 2'd0, 3'd0, 1'b0, TgtH, 1'b0);
        3'd2: o = mk(OpTlmm, BufX, BufK, 3'd1, PostRope, 1'b1, 2'd1, 3'd0, 1'b0, TgtH, 1'b0);
        default: o = mk(OpTlmm, BufX, BufV, 3'd2, PostRope, 1'b0, 2'd2, 3'd0, 1'b0, TgtH, 1'b1);
      endcase
      CmdAtt:    o = mk(OpAtt, BufQ, BufO, 3'd0, PostNone, 1'b0, 2'd0, 3'd0, 1'b0, TgtH, 1'b1);
      CmdPost: unique case (idx)
        3'd0: o = mk(OpNQ,   BufO, BufX, 3'd0, PostNone,   1'b0, 2'd0, 3'd1, 1'b0, TgtH, 1'b0);
        3'd1: o = mk(OpTlmm, BufX, BufH, 3'd3, PostRes,    1'b0, 2'd0, 3'd0, 1'b0, TgtH, 1'b0);
        3'd2: o = mk(OpNQ,   BufH, BufX, 3'd0, PostNone,   1'b0, 2'd0, 3'd2, 1'b0, TgtH, 1'b0);
        3'd3: o = mk(OpTlmm, BufX, BufG, 3'd4, PostNone,   1'b0, 2'd0, 3'd0, 1'b0, TgtH, 1'b0);
        3'd4: o = mk(OpTlmm, BufX, BufF, 3'd5, PostSwiglu, 1'b0, 2'd0, 3'd0, 1'b0, TgtH, 1'b0);
        3'd5: o = mk(OpNQ,   BufF, BufX, 3'd0, PostNone,   1'b0, 2'd0, 3'd3, 1'b1, TgtH, 1'b0);
        default: o = mk(OpTlmm, BufX, BufH, 3'd6, PostRes, 1'b0, 2'd0, 3'd0, 1'b1, TgtH, 1'b1);
      endcase
      CmdFinal: unique case (idx)
        3'd0: o = mk(OpNorm,  BufH, BufO, 3'd0, PostNone, 1'b0, 2'd0, 3'd4, 1'b0, TgtH, 1'b0);
        default: o = mk(OpStore, BufO, BufO, 3'd0, PostNone, 1'b0, 2'd0, 3'd0, 1'b0, TgtH, 1'b1);
      endcase
      CmdStoreH: o = mk(OpStore, BufH, BufH, 3'd0, PostNone, 1'b0, 2'd0, 3'd0, 1'b0, TgtH, 1'b1);
      default: ;
    endcase
    op_of = o;
  endfunction
  /* verilator lint_on UNUSEDPARAM */
endpackage
