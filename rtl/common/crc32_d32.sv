// CRC-32 (IEEE 802.3 / zlib), one 32-bit little-endian word per cycle.
//
// Reflected polynomial 0xEDB88320 (0x04C11DB7), initial value 0xFFFFFFFF, final XOR 0xFFFFFFFF:
// crc_o equals zlib.crc32() over the bytes of every word accepted since init_i, byte 0 =
// data_i[7:0] first (the word is XORed into the state and shifted out LSB first 32 times, which
// is the same as feeding its four bytes in order).
//   init_i         restart (state <- 0xFFFFFFFF); with en_i in the same cycle data_i is the
//                  first word of the new message
//   en_i, data_i   fold one word into the state
//   crc_o          CRC of the words folded so far (combinational from the state register)
module crc32_d32 (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        init_i,
  input  logic        en_i,
  input  logic [31:0] data_i,
  output logic [31:0] crc_o
);
  localparam logic [31:0] Poly = 32'hEDB88320;
  localparam logic [31:0] Init = 32'hFFFFFFFF;

  function automatic logic [31:0] crc_step(input logic [31:0] crc, input logic [31:0] data);
    logic [31:0] x;
    x = crc ^ data;
    for (int i = 0; i < 32; i++) begin
      x = x[0] ? ((x >> 1) ^ Poly) : (x >> 1);
    end
    crc_step = x;
  endfunction

  logic [31:0] state_q, state_d, base;

  assign base = init_i ? Init : state_q;

  always_comb begin
    state_d = base;
    if (en_i) state_d = crc_step(base, data_i);
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) state_q <= Init;
    else         state_q <= state_d;
  end

  assign crc_o = ~state_q;
endmodule
