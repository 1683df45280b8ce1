#!/usr/bin/env bash
# Half-design measurements for the FPGA flow while the whole board top does not place
# (docs/fpga.md, "Resources and Fmax"): writes a source list that replaces one half of the
# SoC by a stub, then runs `fpga.sh build` on it.
#
#   fpga-stub.sh chip OUTDIR   the SoC without the accelerator: systole_top becomes one
#                              read/write register on its CSR port, no DMA
#   fpga-stub.sh core OUTDIR   the accelerator and the SoC without the core: systole_rv32
#                              becomes a pseudo-random bus master whose reads feed back into
#                              its next addresses and data (so nothing is optimised away)
#
# The result is the usual fpga.sh report (logic cells, Fmax, worst path); "TIMING FAILED"
# and the non-zero exit are fpga.sh's verdict on the half design.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
what=${1:-}; out=${2:-}
[ -n "$what" ] && [ -n "$out" ] || { echo "usage: fpga-stub.sh chip|core OUTDIR" >&2; exit 2; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
case $out in "$root"/*) rel=${out#"$root"/} ;; *) echo "fpga-stub.sh: OUTDIR must be inside $root" >&2; exit 2 ;; esac

case $what in
  chip)
    { sed -n '/^module systole_top/,/^);/p' "$root/rtl/systole_top.sv"; cat <<'SV'
  // stub: one read/write register at every CSR address, no DMA
  logic [31:0] r_q;
  logic bv_q, rv_q;
  assign s_axil_awready_o = s_axil_awvalid_i & s_axil_wvalid_i & ~bv_q;
  assign s_axil_wready_o  = s_axil_awready_o;
  assign s_axil_bresp_o   = 2'b00;
  assign s_axil_bvalid_o  = bv_q;
  assign s_axil_arready_o = ~rv_q;
  assign s_axil_rdata_o   = r_q ^ {20'd0, s_axil_araddr_i};
  assign s_axil_rresp_o   = 2'b00;
  assign s_axil_rvalid_o  = rv_q;
  always_ff @(posedge clk_i or negedge rst_ni)
    if (!rst_ni) begin r_q <= '0; bv_q <= 1'b0; rv_q <= 1'b0; end
    else begin
      if (s_axil_awready_o) begin r_q <= s_axil_wdata_i; bv_q <= 1'b1; end
      else if (s_axil_bready_i) bv_q <= 1'b0;
      if (s_axil_arvalid_i & ~rv_q) rv_q <= 1'b1; else if (s_axil_rready_i) rv_q <= 1'b0;
    end
  assign {m_axi_awid_o, m_axi_awaddr_o, m_axi_awlen_o, m_axi_awsize_o, m_axi_awburst_o,
          m_axi_awvalid_o} = '0;
  assign {m_axi_wdata_o, m_axi_wstrb_o, m_axi_wlast_o, m_axi_wvalid_o, m_axi_bready_o} = '0;
  assign {m_axi_arid_o, m_axi_araddr_o, m_axi_arlen_o, m_axi_arsize_o, m_axi_arburst_o,
          m_axi_arvalid_o, m_axi_rready_o} = '0;
  assign irq_o  = r_q[31];
  assign idle_o = 1'b1;
endmodule
SV
    } > "$out/systole_top_stub.sv"
    { echo "-rtl/systole_top.sv"; cat "$root/rtl/soc/files.f"; echo "$rel/systole_top_stub.sv"; } > "$out/soc.f"
    ;;
  core)
    { sed -n '/^module systole_rv32 #/,/^);/p' "$root/rtl/cpu/systole_rv32.sv"; cat <<'SV'
  // stub: a pseudo-random bus master; read data, interrupts and time feed back
  logic [31:0] lfsr_q, acc_q;
  assign mem_valid_o = 1'b1;
  assign mem_instr_o = lfsr_q[5];
  assign mem_addr_o  = {lfsr_q[31:2] ^ acc_q[29:0], 2'b00} ^ BootAddr;
  assign mem_wstrb_o = lfsr_q[3:0] & {4{lfsr_q[4]}};
  assign mem_wdata_o = acc_q ^ {lfsr_q[15:0], lfsr_q[31:16]};
  always_ff @(posedge clk_i or negedge rst_ni)
    if (!rst_ni) begin lfsr_q <= 32'h1; acc_q <= '0; end
    else if (mem_ready_i) begin
      lfsr_q <= {lfsr_q[30:0], lfsr_q[31] ^ lfsr_q[21] ^ lfsr_q[1] ^ lfsr_q[0]};
      acc_q  <= {acc_q[30:0], acc_q[31]} ^ mem_rdata_i ^ time_i[31:0] ^ time_i[63:32]
                ^ {29'd0, mem_err_i, irq_ext_i, irq_timer_i};
    end
endmodule
SV
    } > "$out/systole_rv32_stub.sv"
    { grep -v "rtl/cpu/" "$root/rtl/soc/files.f"; echo "$rel/systole_rv32_stub.sv"; } > "$out/soc.f"
    ;;
  *) echo "fpga-stub.sh: unknown half '$what' (chip or core)" >&2; exit 2 ;;
esac
FPGA_SOC_LIST="$out/soc.f" exec bash "$root/scripts/fpga.sh" build "$out/fpga"
