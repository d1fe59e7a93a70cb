// Port-less cocotb toplevel for the shared attention primitives: attn_exp2 and the attn_pkg
// functions (logit, rescale_acc, rescale_l), evaluated combinationally on testbench nets.
module tb_attn;
  logic                 clk_i;
  logic [47:0]          d_i;
  logic [16:0]          p_o;
  logic signed [31:0]   s_i;
  logic [31:0]          c_mul_i;
  logic signed [47:0]   t_o;
  logic signed [39:0]   acc_i;
  logic [16:0]          alpha_i;
  logic signed [39:0]   acc_o;
  logic [31:0]          l_i;
  logic [31:0]          l_o;

  attn_exp2 #(.DW(48)) dut (.d_i, .p_o);

  assign t_o   = attn_pkg::logit(s_i, c_mul_i);
  assign acc_o = attn_pkg::rescale_acc(acc_i, alpha_i);
  assign l_o   = attn_pkg::rescale_l(l_i, alpha_i);
endmodule
