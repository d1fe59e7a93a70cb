// Decode RM, read-command generator of one HP port: one DMA command per 16-key block.
//
// Blocks first_i, first_i + stride, ... below nb_i are read from base_i + b * 16 * HEAD_DIM,
// 16 * HEAD_DIM bytes each, except the job's last block (nb - 1) which holds pos0 % 16 DDR keys
// (the new token's key is on chip); a last block without DDR keys issues no command.
// PdSwap map: stride 2 (even blocks on one port, odd on the other); Uniform map: stride 1.
module rmd_cmdgen #(
  parameter int unsigned HEAD_DIM = 64,
  parameter int unsigned BLK_W    = 8,
  parameter int unsigned ADDR_W   = 40
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic              start_i,
  input  logic              first_i,     // first block (0 or 1), sampled at start_i
  input  logic              stride2_i,   // 1: every other block (stable during the job)
  input  logic [ADDR_W-1:0] base_i,      // region base (stable from the cycle after start_i)
  input  logic [BLK_W-1:0]  nb_i,
  input  logic [4:0]        last_nd_i,
  output logic              cmd_valid_o,
  input  logic              cmd_ready_i,
  output logic [ADDR_W-1:0] cmd_addr_o,
  output logic [31:0]       cmd_len_o,
  output logic              done_o       // every command of the job issued
);
  localparam int unsigned BlkBytes = 16 * HEAD_DIM;

  if (HEAD_DIM < 16 || HEAD_DIM % 16 != 0 || HEAD_DIM > 256 || BLK_W < 2 || ADDR_W < 12)
  begin : g_bad_param
    $fatal(1, "rmd_cmdgen: HEAD_DIM=%0d (multiple of 16 in [16, 256]), BLK_W=%0d, ADDR_W=%0d",
           HEAD_DIM, BLK_W, ADDR_W);
  end

  logic [BLK_W-1:0]  b_q;
  logic [ADDR_W-1:0] off_q;
  logic              last, more;
  assign last        = (b_q == nb_i - 1'b1);
  assign more        = (b_q < nb_i) && !(last && last_nd_i == '0);
  assign cmd_valid_o = more;
  assign cmd_addr_o  = base_i + off_q;
  assign cmd_len_o   = last ? 32'(last_nd_i) * HEAD_DIM : 32'(BlkBytes);
  assign done_o      = !more;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      b_q   <= '1;
      off_q <= '0;
    end else if (start_i) begin
      b_q   <= BLK_W'(first_i);
      off_q <= first_i ? ADDR_W'(BlkBytes) : '0;
    end else if (cmd_valid_o && cmd_ready_i) begin
      b_q   <= b_q + (stride2_i ? BLK_W'(2) : BLK_W'(1));
      off_q <= off_q + (stride2_i ? ADDR_W'(2 * BlkBytes) : ADDR_W'(BlkBytes));
    end
  end
endmodule
