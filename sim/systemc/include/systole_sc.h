// systole_sc.h — the Systole chip as a SystemC/TLM-2.0 module for virtual platforms.
//
// The chip is systole_top Verilated with --sc (Rows=8, Cols=8, 64-bit AXI); this module
// wraps it with
//   csr  a TLM-2.0 target socket for the 4 KiB CSR window (blocking b_transport; DMI and
//        debug transport refused), driven onto the chip's AXI4-Lite slave cycle by cycle;
//   dma  a TLM-2.0 initiator socket through which the chip's AXI4 master reaches memory:
//        every AXI burst becomes one b_transport, and the delay the target annotates
//        becomes the burst's latency in clock cycles;
//   irq  the level interrupt (irq_o), idle the STATUS.IDLE line (idle_o), as sc_out<bool>
//        for an sc_signal<bool>;
//   clk  rising-edge clock, rst_n asynchronous active-low reset (sc_in<bool>).
// docs/systemc.md describes the timing and how to instantiate the module.
//
// The header needs only SystemC and TLM; the Verilated model stays inside the library.
#ifndef SYSTOLE_SC_H
#define SYSTOLE_SC_H

#include <cstdint>
#include <memory>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

namespace systole_sc {

struct SystoleConfig {
  // The AXI4 slave port the chip's DMA sees (same meaning and defaults as the C-API
  // model's systole_sim_config_t fields of the same names, docs/sim.md):
  uint32_t bytes_per_cycle = 8;   // R and W data bandwidth, each (token buckets), >= 1
  uint32_t max_outstanding = 256; // reads (and writes) in flight before ARREADY (AWREADY) drops
  // Clock period used to turn annotated delays into cycles. SC_ZERO_TIME: the period of
  // the sc_clock bound (directly or through ports) to clk.
  sc_core::sc_time clock_period = sc_core::SC_ZERO_TIME;
};

class Systole : public sc_core::sc_module {
 public:
  sc_core::sc_in<bool> clk;    // chip clock, rising edge active
  sc_core::sc_in<bool> rst_n;  // asynchronous reset, active low
  sc_core::sc_out<bool> irq;   // level interrupt: IRQ_STATUS & IRQ_ENABLE != 0
  sc_core::sc_out<bool> idle;  // STATUS.IDLE

  tlm_utils::simple_target_socket<Systole> csr;    // CSR window, offsets 0 .. 0xFFF
  tlm_utils::simple_initiator_socket<Systole> dma; // DMA and command fetch (32-bit addresses)

  static constexpr uint64_t kCsrBytes = 4096;
  static constexpr unsigned kBusBytes = 8;         // AXI data width of this build

  explicit Systole(const sc_core::sc_module_name &name,
                   const SystoleConfig &cfg = SystoleConfig());
  ~Systole() override;
  Systole(const Systole &) = delete;
  Systole &operator=(const Systole &) = delete;

  const char *kind() const override { return "systole_sc::Systole"; }

  uint64_t cycles() const;  // rising edges since rst_n was released
  // Bus data bytes moved on the AXI master: R and W beats accepted x bus width.
  void mem_stats(uint64_t *rd_bytes, uint64_t *wr_bytes) const;
  // First AXI protocol fault, DMA target misbehaviour or chip $stop/assertion, or nullptr.
  const char *fault() const;
  sc_core::sc_time clock_period() const;  // valid from the start of simulation

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;

  void clocked();  // SC_METHOD on clk.pos() and rst_n: the AXI slave behind the DMA
  void csr_b_transport(tlm::tlm_generic_payload &tx, sc_core::sc_time &delay);
  unsigned csr_transport_dbg(tlm::tlm_generic_payload &tx);
  bool csr_get_direct_mem_ptr(tlm::tlm_generic_payload &tx, tlm::tlm_dmi &dmi);
  void dma_invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);
  void start_of_simulation() override;
};

}  // namespace systole_sc

#endif  // SYSTOLE_SC_H
