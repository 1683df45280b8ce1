// hal_tlm.cpp — TLM-2.0 backend of the Systole HAL (see include/systole_hal_tlm.h).
#include "systole_hal_tlm.h"

#include <cstdlib>
#include <exception>

#include "systole_regs.h"

namespace systole_sc {

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

namespace {

constexpr uint64_t kAllocBase = 4096;  // as the C-API model's allocator
constexpr int kErrBus = -5;            // a TLM error response (SYSTOLE_SIM_EIO's value)
constexpr int kErrArg = -1;
constexpr int kErrNoMem = -2;
constexpr int kErrRange = -3;

// The driver is C: nothing may unwind through it except SystemC's own thread-kill
// exception, which must reach the kernel.
template <typename F>
int guarded(F f) {
  try {
    return f();
  } catch (const sc_core::sc_unwind_exception &) {
    throw;
  } catch (const std::exception &e) {
    SC_REPORT_WARNING("systole_sc", (std::string("HAL call failed: ") + e.what()).c_str());
    return kErrBus;
  }
}

HalTlm *self(void *ctx) { return static_cast<HalTlm *>(ctx); }

int c_reg_read(void *ctx, uint32_t off, uint32_t *v) {
  return guarded([&] { return self(ctx)->reg_read(off, v); });
}
int c_reg_write(void *ctx, uint32_t off, uint32_t v) {
  return guarded([&] { return self(ctx)->reg_write(off, v); });
}
int c_mem_alloc(void *ctx, size_t bytes, size_t align, uint32_t *dev_addr) {
  return guarded([&] { return self(ctx)->mem_alloc(bytes, align, dev_addr); });
}
int c_mem_free(void *ctx, uint32_t dev_addr) {
  return guarded([&] { return self(ctx)->mem_free(dev_addr); });
}
int c_mem_write(void *ctx, uint32_t a, const void *src, size_t n) {
  return guarded([&] { return self(ctx)->mem_write(a, src, n); });
}
int c_mem_read(void *ctx, uint32_t a, void *dst, size_t n) {
  return guarded([&] { return self(ctx)->mem_read(a, dst, n); });
}
int c_wait(void *ctx, unsigned what, uint64_t budget, unsigned *reached) {
  return guarded([&] { return self(ctx)->wait_for(what, budget, reached); });
}
uint64_t c_cycles(void *ctx) { return self(ctx)->cycles(); }
void *c_host_alloc(void *, size_t bytes) { return std::malloc(bytes ? bytes : 1); }
void c_host_free(void *, void *p) { std::free(p); }

bool pow2(uint64_t x) { return x && !(x & (x - 1)); }

}  // namespace

HalTlm::HalTlm(tlm::tlm_initiator_socket<> &bus, const sc_core::sc_signal_in_if<bool> &clk,
               const sc_core::sc_signal_in_if<bool> &irq,
               const sc_core::sc_signal_in_if<bool> *idle, const HalTlmConfig &cfg)
    : bus_(bus), clk_(clk), irq_(irq), idle_(idle), cfg_(cfg), hal_() {
  if (cfg.mem_bytes <= kAllocBase || cfg.mem_base + cfg.mem_bytes > (1ull << 32) ||
      cfg.clock_period == SC_ZERO_TIME)
    SC_REPORT_ERROR("systole_sc", "HalTlmConfig: memory must lie in 32-bit device addresses "
                                  "and exceed 4 KiB; clock_period > 0");
  hal_.ctx = this;
  hal_.reg_read = c_reg_read;
  hal_.reg_write = c_reg_write;
  hal_.mem_alloc = c_mem_alloc;
  hal_.mem_free = c_mem_free;
  hal_.mem_write = c_mem_write;
  hal_.mem_read = c_mem_read;
  hal_.wait = c_wait;
  hal_.cycles = c_cycles;
  hal_.host_alloc = c_host_alloc;
  hal_.host_free = c_host_free;
  hal_.mem_base = uint32_t(cfg.mem_base + kAllocBase);
  hal_.mem_size = uint32_t(cfg.mem_bytes - kAllocBase);
  // With an sc_clock the rising edges are known without waiting for one.
  if (const auto *c = dynamic_cast<const sc_core::sc_clock *>(&clk)) {
    if (c->period() != cfg.clock_period)
      SC_REPORT_ERROR("systole_sc", "HalTlmConfig::clock_period differs from the sc_clock's");
    edge0_ = c->posedge_first() ? c->start_time()
                                : c->start_time() + c->period() - c->period() * c->duty_cycle();
    aligned_ = true;
  }
}

// Move to the middle of a clock cycle (the next one at or after now), where every output
// of the last rising edge is visible and no edge is pending in this time step.
void HalTlm::align() {
  const sc_time T = cfg_.clock_period, half = T / 2;
  if (!aligned_) {
    sc_core::wait(clk_.posedge_event());
    edge0_ = sc_core::sc_time_stamp();
    aligned_ = true;
    sc_core::wait(half);
    return;
  }
  const uint64_t t = T.value();
  const uint64_t phase = (sc_core::sc_time_stamp().value() % t + t - edge0_.value() % t) % t;
  if (phase == half.value()) return;
  const uint64_t to = phase < half.value() ? half.value() - phase : t + half.value() - phase;
  sc_core::wait(sc_time::from_value(to));
}

int HalTlm::transport(tlm::tlm_command cmd, uint64_t addr, void *data, size_t n, bool timed) {
  if (n == 0) return 0;
  if (n > 0xffffffffu) return kErrArg;
  tlm::tlm_generic_payload tx;
  tx.set_command(cmd);
  tx.set_address(addr);
  tx.set_data_ptr(static_cast<unsigned char *>(data));
  tx.set_data_length(unsigned(n));
  tx.set_streaming_width(unsigned(n));
  tx.set_byte_enable_ptr(nullptr);
  tx.set_byte_enable_length(0);
  tx.set_dmi_allowed(false);
  tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  if (!timed) {
    if (bus_->transport_dbg(tx) != n) {
      last_resp_ = tlm::TLM_ADDRESS_ERROR_RESPONSE;
      return kErrBus;
    }
    return 0;
  }
  sc_time delay = SC_ZERO_TIME;
  bus_->b_transport(tx, delay);
  if (delay > SC_ZERO_TIME) sc_core::wait(delay);
  if (tx.get_response_status() != tlm::TLM_OK_RESPONSE) {
    last_resp_ = tx.get_response_status();
    return kErrBus;
  }
  return 0;
}

int HalTlm::reg_read(uint32_t off, uint32_t *v) {
  if (!v || (off & 3) || off >= 4096) return kErrArg;
  return transport(tlm::TLM_READ_COMMAND, cfg_.csr_base + off, v, 4, true);
}

int HalTlm::reg_write(uint32_t off, uint32_t v) {
  if ((off & 3) || off >= 4096) return kErrArg;
  return transport(tlm::TLM_WRITE_COMMAND, cfg_.csr_base + off, &v, 4, true);
}

// First fit from 4 KiB, exactly as systole_sim_mem_alloc (so a job gets the same device
// addresses, hence the same bursts, as on the C-API model).
int HalTlm::mem_alloc(size_t bytes, size_t align, uint32_t *dev_addr) {
  if (!dev_addr || bytes == 0) return kErrArg;
  if (align == 0) align = 64;
  if (!pow2(align) || align > (1ull << 31)) return kErrArg;
  *dev_addr = 0;
  if (bytes > cfg_.mem_bytes) return kErrNoMem;
  uint64_t cursor = kAllocBase, at = 0;
  auto fits = [&](uint64_t limit) {
    const uint64_t a = (cursor + align - 1) & ~uint64_t(align - 1);
    if (a <= limit && bytes <= limit - a) {
      at = a;
      return true;
    }
    return false;
  };
  bool found = false;
  for (const auto &blk : allocs_) {
    if (fits(blk.first)) {
      found = true;
      break;
    }
    cursor = blk.first + blk.second;
  }
  if (!found && !fits(cfg_.mem_bytes)) return kErrNoMem;
  if (cfg_.mem_base + at + bytes > (1ull << 32)) return kErrRange;
  allocs_.emplace(at, bytes);
  *dev_addr = uint32_t(cfg_.mem_base + at);
  return 0;
}

int HalTlm::mem_free(uint32_t dev_addr) {
  if (dev_addr < cfg_.mem_base) return kErrArg;
  auto it = allocs_.find(dev_addr - cfg_.mem_base);
  if (it == allocs_.end()) return kErrArg;
  allocs_.erase(it);
  return 0;
}

int HalTlm::mem_write(uint32_t a, const void *src, size_t n) {
  if (!src && n) return kErrArg;
  return transport(tlm::TLM_WRITE_COMMAND, a, const_cast<void *>(src), n, cfg_.timed_mem);
}

int HalTlm::mem_read(uint32_t a, void *dst, size_t n) {
  if (!dst && n) return kErrArg;
  return transport(tlm::TLM_READ_COMMAND, a, dst, n, cfg_.timed_mem);
}

int HalTlm::condition(unsigned what, unsigned *reached) {
  *reached = 0;
  if ((what & SYSTOLE_HAL_WAIT_IRQ) && irq_.read()) *reached |= SYSTOLE_HAL_WAIT_IRQ;
  if (what & SYSTOLE_HAL_WAIT_IDLE) {
    if (idle_) {
      if (idle_->read()) *reached |= SYSTOLE_HAL_WAIT_IDLE;
    } else {
      uint32_t st = 0;
      const int rc = reg_read(SYSTOLE_REG_STATUS, &st);
      if (rc) return rc;
      if (SYSTOLE_STATUS_IDLE_GET(st)) *reached |= SYSTOLE_HAL_WAIT_IDLE;
    }
  }
  return 0;
}

// Semantics of systole_sim_run: the conditions are checked now and after every rising
// edge; the call returns in the middle of the cycle after the edge at which one held, or
// budget cycles after the start.
int HalTlm::wait_for(unsigned what, uint64_t budget, unsigned *reached) {
  if (!reached || (what & ~unsigned(SYSTOLE_HAL_WAIT_IRQ | SYSTOLE_HAL_WAIT_IDLE))) return kErrArg;
  align();
  int rc = condition(what, reached);
  if (rc || *reached || budget == 0) return rc;
  const sc_time T = cfg_.clock_period;
  const uint64_t max_budget = UINT64_MAX / T.value();
  const sc_time limit = sc_time::from_value((budget < max_budget ? budget : max_budget) * T.value());
  if (what == 0) {  // nothing to wait for: the whole budget (as systole_sim_run)
    sc_core::wait(limit);
    return 0;
  }
  const bool on_irq = what & SYSTOLE_HAL_WAIT_IRQ;
  const bool on_idle = what & SYSTOLE_HAL_WAIT_IDLE;
  if (on_idle && !idle_) {
    // no idle line: poll STATUS (and the interrupt) every 16 cycles
    const sc_time end = sc_core::sc_time_stamp() + limit;
    while (sc_core::sc_time_stamp() < end) {
      sc_time step = T * 16;
      if (end - sc_core::sc_time_stamp() < step) step = end - sc_core::sc_time_stamp();
      if (on_irq)
        sc_core::wait(step, irq_.posedge_event());
      else
        sc_core::wait(step);
      align();
      if ((rc = condition(what, reached)) != 0 || *reached) return rc;
    }
    return condition(what, reached);
  }
  if (on_irq && on_idle)
    sc_core::wait(limit, irq_.posedge_event() | idle_->posedge_event());
  else if (on_irq)
    sc_core::wait(limit, irq_.posedge_event());
  else
    sc_core::wait(limit, idle_->posedge_event());
  align();  // woken at a rising edge: on to the middle of the next cycle
  return condition(what, reached);
}

uint64_t HalTlm::cycles() const {
  return sc_core::sc_time_stamp().value() / cfg_.clock_period.value();
}

}  // namespace systole_sc
