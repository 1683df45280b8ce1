// systole_sc_platform.h — the reference virtual platform: clock, reset, a TLM memory, a
// router, the Systole module and a "CPU" thread that runs a program (e.g. the C driver
// through HalTlm).
//
//   Cpu.bus ──┐                    ┌── Memory     0x0000_0000 .. mem_bytes
//             ├── Router.targ/init ┤
//   Systole.dma ┘                  └── Systole.csr 0x4000_0000 .. +4 KiB
//   Systole.irq ──► sc_signal<bool> irq ──► Cpu (HalTlm waits on its posedge_event)
#ifndef SYSTOLE_SC_PLATFORM_H
#define SYSTOLE_SC_PLATFORM_H

#include <functional>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "systole_hal_tlm.h"
#include "systole_sc.h"
#include "systole_sc_tlm.h"

namespace systole_sc {

// A thread that runs `program` once, after reset, with `bus` as its initiator socket.
class Cpu : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<Cpu> bus;
  sc_core::sc_in<bool> rst_n;
  std::function<void()> program;  // set before sc_start
  bool finished = false;

  Cpu(const sc_core::sc_module_name &name, size_t stack_bytes);
  const char *kind() const override { return "systole_sc::Cpu"; }

 private:
  void run();
};

struct PlatformConfig {
  sc_core::sc_time clock_period = sc_core::sc_time(10, sc_core::SC_NS);
  uint64_t mem_bytes = 64ull << 20;
  // The C-API model's defaults: 50-cycle read latency, 10-cycle write latency.
  unsigned mem_read_latency_cycles = 50;
  unsigned mem_write_latency_cycles = 10;
  uint64_t mem_base = 0x00000000;
  uint64_t csr_base = 0x40000000;
  unsigned reset_cycles = 4;
  size_t cpu_stack_bytes = 16u << 20;  // the driver and golden kernels run on this stack
  SystoleConfig chip;
};

class Platform : public sc_core::sc_module {
 public:
  PlatformConfig cfg;
  sc_core::sc_clock clk;
  sc_core::sc_signal<bool> rst_n, irq, idle;
  Memory mem;
  Router router;
  Systole chip;
  Cpu cpu;

  explicit Platform(const sc_core::sc_module_name &name, const PlatformConfig &cfg = PlatformConfig());
  const char *kind() const override { return "systole_sc::Platform"; }

  // The HAL configuration that matches this platform's address map and clock.
  HalTlmConfig hal_config(bool timed_mem = false) const;

 private:
  void reset_thread();
};

}  // namespace systole_sc

#endif  // SYSTOLE_SC_PLATFORM_H
