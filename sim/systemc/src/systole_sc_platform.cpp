// systole_sc_platform.cpp — the reference virtual platform (see systole_sc_platform.h).
#include "systole_sc_platform.h"

namespace systole_sc {

Cpu::Cpu(const sc_core::sc_module_name &name, size_t stack_bytes)
    : sc_module(name), bus("bus"), rst_n("rst_n") {
  SC_HAS_PROCESS(Cpu);
  SC_THREAD(run);
  set_stack_size(stack_bytes);
}

void Cpu::run() {
  while (!rst_n.read()) wait(rst_n.posedge_event());
  if (program) program();
  finished = true;
}

Platform::Platform(const sc_core::sc_module_name &name, const PlatformConfig &c)
    : sc_module(name), cfg(c), clk("clk", c.clock_period), rst_n("rst_n", false), irq("irq"),
      idle("idle"),
      mem("mem", c.mem_bytes, c.clock_period * c.mem_read_latency_cycles,
          c.clock_period * c.mem_write_latency_cycles),
      router("router"), chip("systole", c.chip), cpu("cpu", c.cpu_stack_bytes) {
  // initiators
  cpu.bus.bind(router.targ);
  chip.dma.bind(router.targ);
  // targets, in port order
  router.init.bind(mem.socket);   // port 0
  router.init.bind(chip.csr);     // port 1
  router.map(c.mem_base, c.mem_bytes, 0);
  router.map(c.csr_base, Systole::kCsrBytes, 1);
  chip.clk(clk);
  chip.rst_n(rst_n);
  chip.irq(irq);
  chip.idle(idle);
  cpu.rst_n(rst_n);
  SC_HAS_PROCESS(Platform);
  SC_THREAD(reset_thread);
}

// rst_n low for reset_cycles rising edges, released in the middle of a cycle.
void Platform::reset_thread() {
  rst_n.write(false);
  for (unsigned i = 0; i < cfg.reset_cycles; ++i) wait(clk.posedge_event());
  wait(cfg.clock_period / 2);
  rst_n.write(true);
}

HalTlmConfig Platform::hal_config(bool timed_mem) const {
  HalTlmConfig h;
  h.csr_base = cfg.csr_base;
  h.mem_base = cfg.mem_base;
  h.mem_bytes = cfg.mem_bytes;
  h.timed_mem = timed_mem;
  h.clock_period = cfg.clock_period;
  return h;
}

}  // namespace systole_sc
