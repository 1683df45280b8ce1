// systole_hal_tlm.h — a TLM-2.0 backend of the Systole driver HAL (systole_hal_t).
//
// The driver (driver/src/*.c, unchanged C99) runs inside an SC_THREAD — the "CPU" — and
// every HAL call becomes TLM traffic issued from that thread through one initiator socket:
//   reg_read/reg_write   b_transport of 4 bytes at csr_base + offset (the chip's CSR socket
//                        blocks for the cycles the AXI4-Lite handshake takes);
//   mem_write/mem_read   transport_dbg at the device address (zero time, like the C-API
//                        model's backdoor) — or, with timed_mem, b_transport followed by
//                        wait() of the annotated delay;
//   mem_alloc/mem_free   a first-fit allocator over [mem_base + 4 KiB, mem_base + mem_bytes)
//                        that hands out the same addresses as the C-API model's;
//   wait                 the chip's interrupt sc_signal (and idle line) events, with the
//                        budget as a timeout in clock periods;
//   cycles               simulated time in clock periods.
// All calls must come from one SC_THREAD (they call wait()).
#ifndef SYSTOLE_HAL_TLM_H
#define SYSTOLE_HAL_TLM_H

#include <cstdint>
#include <map>
#include <systemc>
#include <tlm>

#include "systole_hal.h"

namespace systole_sc {

struct HalTlmConfig {
  uint64_t csr_base = 0x40000000;  // the chip's CSR window in the CPU's address map
  uint64_t mem_base = 0;           // device memory: DMA addresses [mem_base, mem_base+mem_bytes)
  uint64_t mem_bytes = 64ull << 20;
  bool timed_mem = false;          // host<->device copies: debug transport (false) or timed
  sc_core::sc_time clock_period = sc_core::sc_time(10, sc_core::SC_NS);
};

class HalTlm {
 public:
  // bus: the CPU's initiator socket. clk: the chip clock. irq: the chip's interrupt.
  // idle: the chip's idle line, or nullptr (then wait(IDLE) polls STATUS over the bus).
  HalTlm(tlm::tlm_initiator_socket<> &bus, const sc_core::sc_signal_in_if<bool> &clk,
         const sc_core::sc_signal_in_if<bool> &irq, const sc_core::sc_signal_in_if<bool> *idle,
         const HalTlmConfig &cfg = HalTlmConfig());
  HalTlm(const HalTlm &) = delete;
  HalTlm &operator=(const HalTlm &) = delete;

  const systole_hal_t *hal() const { return &hal_; }  // pass to systole_dev_open

  // Last failing TLM response status (TLM_OK_RESPONSE if none).
  tlm::tlm_response_status last_response() const { return last_resp_; }

  // HAL entry points (also callable directly from C++)
  int reg_read(uint32_t off, uint32_t *v);
  int reg_write(uint32_t off, uint32_t v);
  int mem_alloc(size_t bytes, size_t align, uint32_t *dev_addr);
  int mem_free(uint32_t dev_addr);
  int mem_write(uint32_t dev_addr, const void *src, size_t n);
  int mem_read(uint32_t dev_addr, void *dst, size_t n);
  int wait_for(unsigned what, uint64_t budget_cycles, unsigned *reached);
  uint64_t cycles() const;

 private:
  tlm::tlm_initiator_socket<> &bus_;
  const sc_core::sc_signal_in_if<bool> &clk_, &irq_, *idle_;
  HalTlmConfig cfg_;
  systole_hal_t hal_;
  std::map<uint64_t, uint64_t> allocs_;  // offset in device memory -> bytes
  tlm::tlm_response_status last_resp_ = tlm::TLM_OK_RESPONSE;
  bool aligned_ = false;
  sc_core::sc_time edge0_;  // a rising edge of clk

  void align();
  int transport(tlm::tlm_command cmd, uint64_t addr, void *data, size_t n, bool timed);
  int condition(unsigned what, unsigned *reached);
};

}  // namespace systole_sc

#endif  // SYSTOLE_HAL_TLM_H
