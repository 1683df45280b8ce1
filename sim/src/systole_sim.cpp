// systole_sim.cpp — Verilator model of systole_top + AXI4 memory model behind a C99 API.
//
// C++ only because Verilator models are C++. Everything public is declared in
// sim/include/systole_sim.h; docs/sim.md describes clocking and the memory model.
//
// Hot path (tick()): two eval()s, a handful of handshake samples, ring-buffer updates.
// No heap allocation and no associative lookups per cycle or per beat.

#include "systole_sim.h"

#include "Vsystole_top.h"
#include "verilated.h"
#include "verilated_fst_c.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <new>
#include <string>
#include <type_traits>
#include <vector>

namespace {

// ---------------------------------------------------------------------------------------
// Port helpers: the bus width comes from the Verilated model (IData for 32 bits, QData for
// 64 bits, VlWide<4> for 128 bits). The host is assumed little endian (x86-64, AArch64).
// ---------------------------------------------------------------------------------------
using RdataPort = std::remove_reference<decltype(std::declval<Vsystole_top&>().m_axi_rdata_i)>::type;
using WdataPort = std::remove_reference<decltype(std::declval<Vsystole_top&>().m_axi_wdata_o)>::type;
constexpr uint32_t kBusBytes = sizeof(RdataPort);
static_assert(kBusBytes == 4 || kBusBytes == 8 || kBusBytes == 16,
              "systole_sim supports AxiDataWidth 32, 64 and 128 only");
static_assert(sizeof(WdataPort) == kBusBytes, "rdata and wdata widths differ");
constexpr uint32_t kBusSize = (kBusBytes == 4) ? 2 : (kBusBytes == 8) ? 3 : 4;  // AxSIZE = log2(bytes)
constexpr uint32_t kFullStrb = (1u << kBusBytes) - 1u;   // every byte lane written

template <typename T>
inline void port_put(T& port, const uint8_t* src) {
  static_assert(std::is_integral<T>::value, "scalar port expected");
  std::memcpy(&port, src, sizeof(T));
}
template <std::size_t N>
inline void port_put(VlWide<N>& port, const uint8_t* src) {
  std::memcpy(port.data(), src, N * sizeof(EData));
}
template <typename T>
inline void port_get(const T& port, uint8_t* dst) {
  static_assert(std::is_integral<T>::value, "scalar port expected");
  std::memcpy(dst, &port, sizeof(T));
}
template <std::size_t N>
inline void port_get(const VlWide<N>& port, uint8_t* dst) {
  std::memcpy(dst, port.data(), N * sizeof(EData));
}
template <typename T>
inline void port_zero(T& port) {
  port = 0;
}
template <std::size_t N>
inline void port_zero(VlWide<N>& port) {
  std::memset(port.data(), 0, N * sizeof(EData));
}

constexpr uint32_t kCsrBudget = 1000;   // cycles a CSR access may take
constexpr uint32_t kResetCycles = 4;    // cycles with rst_ni low at create
constexpr uint64_t kAllocBase = 4096;   // first address the allocator hands out
constexpr uint32_t kWbufBeats = 512;    // W beats accepted ahead of their AW
constexpr uint8_t kRespOkay = 0, kRespSlverr = 2, kRespDecerr = 3;

// Fixed-capacity FIFO ring; storage allocated once at create.
template <typename T>
class Ring {
 public:
  bool init(uint32_t cap) {
    try {
      buf_.assign(cap, T());
    } catch (const std::bad_alloc&) {
      return false;
    }
    cap_ = cap;
    return true;
  }
  uint32_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  bool full() const { return n_ == cap_; }
  T& at(uint32_t i) { return buf_[(head_ + i) % cap_]; }  // i-th oldest
  T& front() { return buf_[head_]; }
  T& push() {
    T& e = buf_[(head_ + n_) % cap_];
    ++n_;
    return e;
  }
  void pop() {
    head_ = (head_ + 1) % cap_;
    --n_;
  }

 private:
  std::vector<T> buf_;
  uint32_t cap_ = 0, head_ = 0, n_ = 0;
};

struct RdTxn {
  uint64_t addr;        // address of beat 0 (as issued)
  uint64_t ready;       // first cycle its first beat may be presented
  uint32_t beats;       // arlen + 1
  uint32_t beat;        // beats already returned
  uint32_t id;
};

struct WrTxn {
  uint64_t addr;
  uint64_t aw_cycle;    // cycle the AW was accepted
  uint64_t b_ready;     // first cycle B may be presented (valid once `done`)
  uint32_t beats, beat, id;
  uint8_t resp;
  bool done;            // all W beats received
};

struct AxReq {
  uint64_t addr;
  uint32_t len, id, burst, size;
};

struct WBeat {
  uint8_t data[kBusBytes];
  uint32_t strb;
  uint64_t cycle;       // handshake cycle
  bool last;
};

}  // namespace

struct systole_sim {
  VerilatedContext* ctx = nullptr;
  Vsystole_top* top = nullptr;
  VerilatedFstC* fst = nullptr;
  bool fst_open = false;
  std::string wave_path_cfg, wave_path_open;
  uint64_t wave_event = UINT64_MAX;   // cycle at which the window opens/closes
  uint64_t win_from = 0, win_to = 0;
  bool win_armed = false;
  uint64_t period = 10, half = 5;     // clock period in the model's time precision

  systole_sim_config_t cfg{};
  uint8_t* mem = nullptr;
  uint64_t mem_bytes = 0;
  std::map<uint64_t, uint64_t> allocs;  // addr -> bytes (not on the hot path)

  uint64_t cyc = 0;        // rising edges since reset
  uint64_t abs_cyc = 0;    // including reset cycles (wave time)

  // memory model state
  Ring<RdTxn> rq;
  Ring<WrTxn> wq;
  Ring<WBeat> wbuf;
  uint32_t wq_data = 0;    // index (from wq head) of the oldest AW still waiting for W data
  uint32_t r_tokens = 0, w_tokens = 0, tok_cap = 0;
  uint32_t jitter = 0;     // xorshift32 state, 0 = off
  uint64_t rd_bytes = 0, wr_bytes = 0;
  uint64_t err_lo = 0, err_hi = 0;     // injected SLVERR range [lo, hi)
  bool err_rd = false, err_wr = false;

  // handshake samples of the current cycle, with the payloads they carried
  bool ar_hs = false, aw_hs = false, w_hs = false, r_hs = false, b_hs = false;
  AxReq ar{}, aw{};
  WBeat w{};
  // previous-cycle values for the AXI stability checks
  bool ar_wait = false, aw_wait = false, w_wait = false;
  uint64_t ar_prev_addr = 0, aw_prev_addr = 0;
  uint32_t ar_prev_len = 0, aw_prev_len = 0;

  // AXI-Lite driver
  bool lite_active = false;
  bool lite_aw_hs = false, lite_w_hs = false, lite_b_hs = false, lite_ar_hs = false,
       lite_r_hs = false;
  uint32_t lite_resp = 0, lite_rdata = 0;  // sampled with the B/R handshake

  char fault[256] = {0};
};

namespace {

void set_fault(systole_sim_t* s, const char* msg, uint64_t a, uint64_t b) {
  if (s->fault[0]) return;
  std::snprintf(s->fault, sizeof s->fault, "cycle %llu: %s (0x%llx, %llu)",
                (unsigned long long)s->cyc, msg, (unsigned long long)a, (unsigned long long)b);
  std::fprintf(stderr, "systole_sim: %s\n", s->fault);
}

inline bool injected(const systole_sim_t* s, uint64_t a, uint64_t n) {
  return a < s->err_hi && a + n > s->err_lo;
}

// Response of one beat [a, a + bus bytes) for a read (rd) or write.
inline uint8_t beat_resp(const systole_sim_t* s, uint64_t a, bool rd) {
  if (a + kBusBytes > s->mem_bytes) return kRespDecerr;
  if ((rd ? s->err_rd : s->err_wr) && injected(s, a, kBusBytes)) return kRespSlverr;
  return kRespOkay;
}

// Beat i of a burst starting at addr: INCR, beats after the first are aligned.
inline uint64_t beat_addr(uint64_t addr, uint32_t i) {
  const uint64_t aligned = addr & ~uint64_t(kBusBytes - 1);
  return i == 0 ? aligned : aligned + uint64_t(i) * kBusBytes;
}

void trace_dump(systole_sim_t* s, uint64_t t) {
  if (s->fst_open) s->fst->dump(t);
}

int wave_open(systole_sim_t* s, const char* path) {
  if (s->fst_open && s->wave_path_open == path) return SYSTOLE_SIM_OK;
  if (s->fst_open) {
    s->fst->close();
    s->fst_open = false;
  }
  if (!s->fst) {
    s->fst = new (std::nothrow) VerilatedFstC;
    if (!s->fst) return SYSTOLE_SIM_ENOMEM;
    s->top->trace(s->fst, 99);
  }
  s->fst->open(path);
  if (!s->fst->isOpen()) return SYSTOLE_SIM_EIO;
  s->fst_open = true;
  s->wave_path_open = path;
  return SYSTOLE_SIM_OK;
}

void wave_close(systole_sim_t* s) {
  if (!s->fst_open) return;
  s->fst->close();
  s->fst_open = false;
}

// Open or close the wave window when the clock reaches one of its ends.
void wave_event(systole_sim_t* s) {
  if (!s->win_armed) {
    s->wave_event = UINT64_MAX;
    return;
  }
  if (s->cyc >= s->win_to) {
    wave_close(s);
    s->win_armed = false;
    s->wave_event = UINT64_MAX;
  } else if (s->cyc >= s->win_from) {
    if (wave_open(s, s->wave_path_cfg.c_str()) != SYSTOLE_SIM_OK) {
      set_fault(s, "cannot open wave file", 0, 0);
      s->win_armed = false;
      s->wave_event = UINT64_MAX;
      return;
    }
    s->wave_event = s->win_to;
  } else {
    s->wave_event = s->win_from;
  }
}

void mem_drive_rb(systole_sim_t* s);

// Drive the memory model's outputs for the coming cycle (s->cyc).
void mem_drive(systole_sim_t* s) {
  Vsystole_top* t = s->top;
  bool arr = !s->rq.full();
  bool awr = !s->wq.full();
  bool wr = !s->wbuf.full() && s->w_tokens >= kBusBytes;
  if (s->jitter) {
    uint32_t x = s->jitter;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    s->jitter = x;
    arr = arr && (x & 3) != 0;
    awr = awr && ((x >> 2) & 3) != 0;
    wr = wr && ((x >> 4) & 3) != 0;
  }
  t->m_axi_arready_i = arr;
  t->m_axi_awready_i = awr;
  t->m_axi_wready_i = wr;
  mem_drive_rb(s);
}

// R and B outputs for the coming cycle (also re-run after a backdoor write or an error
// injection so a beat already on the bus carries current data).
void mem_drive_rb(systole_sim_t* s) {
  Vsystole_top* t = s->top;
  // R: the oldest read, in order across IDs
  if (!s->rq.empty() && s->rq.front().ready <= s->cyc && s->r_tokens >= kBusBytes) {
    RdTxn& r = s->rq.front();
    const uint64_t a = beat_addr(r.addr, r.beat);
    const uint8_t resp = beat_resp(s, a, true);
    if (resp == kRespOkay) {
      port_put(t->m_axi_rdata_i, s->mem + a);
    } else {
      port_zero(t->m_axi_rdata_i);
    }
    t->m_axi_rid_i = r.id;
    t->m_axi_rresp_i = resp;
    t->m_axi_rlast_i = (r.beat + 1 == r.beats);
    t->m_axi_rvalid_i = 1;
  } else {
    t->m_axi_rvalid_i = 0;
    t->m_axi_rlast_i = 0;
  }

  // B: the oldest write, once all its data arrived and write_latency passed
  if (!s->wq.empty() && s->wq.front().done && s->wq.front().b_ready <= s->cyc) {
    t->m_axi_bid_i = s->wq.front().id;
    t->m_axi_bresp_i = s->wq.front().resp;
    t->m_axi_bvalid_i = 1;
  } else {
    t->m_axi_bvalid_i = 0;
  }
}

// Apply buffered W beats to AWs that wait for data.
void mem_drain_w(systole_sim_t* s) {
  while (!s->wbuf.empty() && s->wq_data < s->wq.size()) {
    WBeat& b = s->wbuf.front();
    WrTxn& w = s->wq.at(s->wq_data);
    const uint64_t a = beat_addr(w.addr, w.beat);
    const uint8_t resp = beat_resp(s, a, false);
    if (resp == kRespOkay) {
      uint8_t* dst = s->mem + a;
      if (b.strb == kFullStrb) {
        std::memcpy(dst, b.data, kBusBytes);
      } else {
        for (uint32_t i = 0; i < kBusBytes; ++i) {
          if ((b.strb >> i) & 1) dst[i] = b.data[i];
        }
      }
    } else if (resp > w.resp) {
      w.resp = resp;
    }
    const bool last = (w.beat + 1 == w.beats);
    if (b.last != last) set_fault(s, "WLAST does not match AWLEN", w.addr, w.beats);
    ++w.beat;
    if (last) {
      const uint64_t from = b.cycle > w.aw_cycle ? b.cycle : w.aw_cycle;
      w.b_ready = from + s->cfg.write_latency;
      w.done = true;
      ++s->wq_data;
    }
    s->wbuf.pop();
  }
}

// Update the memory model after the rising edge of cycle `c` (handshakes sampled before it).
void mem_update(systole_sim_t* s, uint64_t c) {
  if (s->ar_hs) {
    const uint64_t addr = s->ar.addr;
    const uint32_t beats = s->ar.len + 1;
    if (s->ar.burst != 1) set_fault(s, "ARBURST is not INCR", addr, s->ar.burst);
    if (s->ar.size != kBusSize) set_fault(s, "ARSIZE is not the bus width", addr, s->ar.size);
    if ((addr >> 12) != (beat_addr(addr, beats - 1) >> 12))
      set_fault(s, "read burst crosses a 4 KiB boundary", addr, beats);
    RdTxn& r = s->rq.push();
    r.addr = addr;
    r.beats = beats;
    r.beat = 0;
    r.id = s->ar.id;
    r.ready = c + s->cfg.read_latency;
  }
  if (s->r_hs) {
    s->r_tokens -= kBusBytes;
    s->rd_bytes += kBusBytes;
    RdTxn& r = s->rq.front();
    if (++r.beat == r.beats) s->rq.pop();
  }
  if (s->aw_hs) {
    const uint64_t addr = s->aw.addr;
    const uint32_t beats = s->aw.len + 1;
    if (s->aw.burst != 1) set_fault(s, "AWBURST is not INCR", addr, s->aw.burst);
    if (s->aw.size != kBusSize) set_fault(s, "AWSIZE is not the bus width", addr, s->aw.size);
    if ((addr >> 12) != (beat_addr(addr, beats - 1) >> 12))
      set_fault(s, "write burst crosses a 4 KiB boundary", addr, beats);
    WrTxn& w = s->wq.push();
    w.addr = addr;
    w.beats = beats;
    w.beat = 0;
    w.id = s->aw.id;
    w.aw_cycle = c;
    w.b_ready = UINT64_MAX;
    w.resp = kRespOkay;
    w.done = false;
  }
  if (s->w_hs) {
    s->w_tokens -= kBusBytes;
    s->wr_bytes += kBusBytes;
    WBeat& b = s->wbuf.push();
    b = s->w;
    b.cycle = c;
  }
  if (!s->wbuf.empty()) mem_drain_w(s);
  if (s->b_hs) {
    s->wq.pop();
    --s->wq_data;
  }
  s->r_tokens = s->r_tokens + s->cfg.bytes_per_cycle > s->tok_cap ? s->tok_cap
                                                                  : s->r_tokens + s->cfg.bytes_per_cycle;
  s->w_tokens = s->w_tokens + s->cfg.bytes_per_cycle > s->tok_cap ? s->tok_cap
                                                                  : s->w_tokens + s->cfg.bytes_per_cycle;
}

// Sample handshakes after the clk=0 settle; also the AXI valid-stability checks.
inline void sample(systole_sim_t* s) {
  Vsystole_top* t = s->top;
  const bool arv = t->m_axi_arvalid_o, awv = t->m_axi_awvalid_o, wv = t->m_axi_wvalid_o;
  s->ar_hs = arv && t->m_axi_arready_i;
  s->aw_hs = awv && t->m_axi_awready_i;
  s->w_hs = wv && t->m_axi_wready_i;
  s->r_hs = t->m_axi_rvalid_i && t->m_axi_rready_o;
  s->b_hs = t->m_axi_bvalid_i && t->m_axi_bready_o;
  if (s->ar_hs) {
    s->ar.addr = t->m_axi_araddr_o;
    s->ar.len = t->m_axi_arlen_o;
    s->ar.id = t->m_axi_arid_o;
    s->ar.burst = t->m_axi_arburst_o;
    s->ar.size = t->m_axi_arsize_o;
  }
  if (s->aw_hs) {
    s->aw.addr = t->m_axi_awaddr_o;
    s->aw.len = t->m_axi_awlen_o;
    s->aw.id = t->m_axi_awid_o;
    s->aw.burst = t->m_axi_awburst_o;
    s->aw.size = t->m_axi_awsize_o;
  }
  if (s->w_hs) {
    port_get(t->m_axi_wdata_o, s->w.data);
    s->w.strb = t->m_axi_wstrb_o;
    s->w.last = t->m_axi_wlast_o;
  }
  // A valid that was not accepted must stay asserted with a stable request.
  if (s->ar_wait && (!arv || t->m_axi_araddr_o != s->ar_prev_addr || t->m_axi_arlen_o != s->ar_prev_len))
    set_fault(s, "AR request changed or dropped before ARREADY", s->ar_prev_addr, s->ar_prev_len);
  if (s->aw_wait && (!awv || t->m_axi_awaddr_o != s->aw_prev_addr || t->m_axi_awlen_o != s->aw_prev_len))
    set_fault(s, "AW request changed or dropped before AWREADY", s->aw_prev_addr, s->aw_prev_len);
  if (s->w_wait && !wv) set_fault(s, "WVALID dropped before WREADY", 0, 0);
  s->ar_wait = arv && !s->ar_hs;
  s->aw_wait = awv && !s->aw_hs;
  s->w_wait = wv && !s->w_hs;
  s->ar_prev_addr = t->m_axi_araddr_o;
  s->ar_prev_len = t->m_axi_arlen_o;
  s->aw_prev_addr = t->m_axi_awaddr_o;
  s->aw_prev_len = t->m_axi_awlen_o;
  if (s->lite_active) {
    s->lite_aw_hs = t->s_axil_awvalid_i && t->s_axil_awready_o;
    s->lite_w_hs = t->s_axil_wvalid_i && t->s_axil_wready_o;
    s->lite_b_hs = t->s_axil_bvalid_o && t->s_axil_bready_i;
    s->lite_ar_hs = t->s_axil_arvalid_i && t->s_axil_arready_o;
    s->lite_r_hs = t->s_axil_rvalid_o && t->s_axil_rready_i;
    if (s->lite_b_hs) s->lite_resp = t->s_axil_bresp_o;
    if (s->lite_r_hs) {
      s->lite_resp = t->s_axil_rresp_o;
      s->lite_rdata = t->s_axil_rdata_o;
    }
  }
}

// One clock cycle: settle, sample, rising edge, update the memory model.
inline void tick(systole_sim_t* s) {
  Vsystole_top* t = s->top;
  if (s->cyc == s->wave_event) wave_event(s);
  const uint64_t t0 = s->abs_cyc * s->period;
  t->clk_i = 0;
  s->ctx->time(t0);
  t->eval();
  trace_dump(s, t0);
  sample(s);
  t->clk_i = 1;
  s->ctx->time(t0 + s->half);
  t->eval();
  trace_dump(s, t0 + s->half);
  const uint64_t c = s->cyc;
  ++s->cyc;
  ++s->abs_cyc;
  mem_update(s, c);
  mem_drive(s);
  if (s->ctx->gotFinish() && !s->fault[0]) set_fault(s, "chip executed $stop/$finish/$fatal or an assertion failed", 0, 0);
}

bool pow2(uint64_t x) { return x && !(x & (x - 1)); }

}  // namespace

// ---------------------------------------------------------------------------------------
// C API
// ---------------------------------------------------------------------------------------
extern "C" {

const char* systole_sim_strerror(int status) {
  switch (status) {
    case SYSTOLE_SIM_OK: return "OK";
    case SYSTOLE_SIM_EINVAL: return "invalid argument";
    case SYSTOLE_SIM_ENOMEM: return "out of memory";
    case SYSTOLE_SIM_ERANGE: return "address outside main memory";
    case SYSTOLE_SIM_ETIMEOUT: return "timeout";
    case SYSTOLE_SIM_EIO: return "bus error or chip fault";
    default: return "unknown status";
  }
}

void systole_sim_config_default(systole_sim_config_t* cfg) {
  if (!cfg) return;
  std::memset(cfg, 0, sizeof *cfg);
  cfg->mem_bytes = 64ull << 20;
  cfg->read_latency = 50;
  cfg->bytes_per_cycle = 8;
  cfg->write_latency = 10;
  cfg->max_outstanding = 256;
  cfg->ready_jitter_seed = 0;
  cfg->wave_path = nullptr;
}

int systole_sim_create(const systole_sim_config_t* cfg_in, systole_sim_t** out) {
  if (!out) return SYSTOLE_SIM_EINVAL;
  *out = nullptr;
  systole_sim_config_t cfg;
  if (cfg_in) {
    cfg = *cfg_in;
  } else {
    systole_sim_config_default(&cfg);
  }
  if (cfg.mem_bytes < 2 * kAllocBase || cfg.mem_bytes > (1ull << 32) ||
      cfg.mem_bytes % kBusBytes != 0 || cfg.read_latency < 1 || cfg.write_latency < 1 ||
      cfg.bytes_per_cycle < 1 || cfg.max_outstanding < 1 || cfg.max_outstanding > (1u << 20))
    return SYSTOLE_SIM_EINVAL;

  systole_sim_t* s = new (std::nothrow) systole_sim;
  if (!s) return SYSTOLE_SIM_ENOMEM;
  s->cfg = cfg;
  if (cfg.wave_path) s->wave_path_cfg = cfg.wave_path;
  s->cfg.wave_path = nullptr;  // never keep the caller's pointer
  s->mem_bytes = cfg.mem_bytes;
  s->mem = static_cast<uint8_t*>(std::calloc(1, cfg.mem_bytes));  // lazily zeroed pages
  if (!s->mem || !s->rq.init(cfg.max_outstanding) || !s->wq.init(cfg.max_outstanding) ||
      !s->wbuf.init(kWbufBeats)) {
    std::free(s->mem);
    delete s;
    return SYSTOLE_SIM_ENOMEM;
  }
  s->tok_cap = cfg.bytes_per_cycle > kBusBytes ? cfg.bytes_per_cycle : kBusBytes;
  s->r_tokens = s->w_tokens = s->tok_cap;
  s->jitter = cfg.ready_jitter_seed;

  s->ctx = new (std::nothrow) VerilatedContext;
  if (!s->ctx) {
    systole_sim_destroy(s);
    return SYSTOLE_SIM_ENOMEM;
  }
  s->ctx->traceEverOn(true);   // must precede the model; files open only when asked
  s->ctx->fatalOnError(false); // $stop/assertions become a fault, not abort()
  Verilated::threadContextp(s->ctx);
  s->top = new (std::nothrow) Vsystole_top(s->ctx, "systole");
  if (!s->top) {
    systole_sim_destroy(s);
    return SYSTOLE_SIM_ENOMEM;
  }
  // Clock period of 10 ns expressed in the model's time precision.
  s->period = 10;
  for (int p = s->ctx->timeprecision(); p < -9; ++p) s->period *= 10;
  s->half = s->period / 2;

  // Reset: every input low, rst_ni low for kResetCycles cycles, then released.
  Vsystole_top* t = s->top;
  t->clk_i = 0;
  t->rst_ni = 0;
  t->s_axil_awvalid_i = 0;
  t->s_axil_wvalid_i = 0;
  t->s_axil_bready_i = 0;
  t->s_axil_arvalid_i = 0;
  t->s_axil_rready_i = 0;
  t->s_axil_wstrb_i = 0xf;
  t->m_axi_arready_i = 0;
  t->m_axi_awready_i = 0;
  t->m_axi_wready_i = 0;
  t->m_axi_rvalid_i = 0;
  t->m_axi_bvalid_i = 0;
  port_zero(t->m_axi_rdata_i);
  t->eval();
  for (uint32_t i = 0; i < kResetCycles; ++i) {
    t->clk_i = 0;
    s->ctx->time(s->abs_cyc * s->period);
    t->eval();
    t->clk_i = 1;
    s->ctx->time(s->abs_cyc * s->period + s->half);
    t->eval();
    ++s->abs_cyc;
  }
  t->clk_i = 0;
  t->rst_ni = 1;
  t->eval();
  s->cyc = 0;
  mem_drive(s);
  if (s->ctx->gotFinish()) {
    std::fprintf(stderr, "systole_sim: the chip stopped during reset\n");
    systole_sim_destroy(s);
    return SYSTOLE_SIM_EIO;
  }
  *out = s;
  return SYSTOLE_SIM_OK;
}

void systole_sim_destroy(systole_sim_t* s) {
  if (!s) return;
  if (s->top) {
    Verilated::threadContextp(s->ctx);
    s->top->final();
  }
  if (s->fst) {
    wave_close(s);
    delete s->fst;
  }
  delete s->top;
  delete s->ctx;
  std::free(s->mem);
  delete s;
}

static int csr_check(systole_sim_t* s, uint32_t offset) {
  if (!s || (offset & 3) || offset >= 4096) return SYSTOLE_SIM_EINVAL;
  return SYSTOLE_SIM_OK;
}

int systole_sim_csr_write(systole_sim_t* s, uint32_t offset, uint32_t value) {
  int st = csr_check(s, offset);
  if (st) return st;
  Verilated::threadContextp(s->ctx);
  Vsystole_top* t = s->top;
  t->s_axil_awaddr_i = offset;
  t->s_axil_awvalid_i = 1;
  t->s_axil_wdata_i = value;
  t->s_axil_wstrb_i = 0xf;
  t->s_axil_wvalid_i = 1;
  t->s_axil_bready_i = 1;
  s->lite_active = true;
  st = SYSTOLE_SIM_ETIMEOUT;
  for (uint32_t i = 0; i < kCsrBudget; ++i) {
    tick(s);
    if (s->lite_aw_hs) t->s_axil_awvalid_i = 0;
    if (s->lite_w_hs) t->s_axil_wvalid_i = 0;
    if (s->lite_b_hs) {
      st = (s->lite_resp == kRespOkay) ? SYSTOLE_SIM_OK : SYSTOLE_SIM_EIO;
      break;
    }
  }
  t->s_axil_awvalid_i = 0;
  t->s_axil_wvalid_i = 0;
  t->s_axil_bready_i = 0;
  s->lite_active = false;
  return st;
}

int systole_sim_csr_read(systole_sim_t* s, uint32_t offset, uint32_t* value) {
  int st = csr_check(s, offset);
  if (st) return st;
  if (!value) return SYSTOLE_SIM_EINVAL;
  Verilated::threadContextp(s->ctx);
  Vsystole_top* t = s->top;
  t->s_axil_araddr_i = offset;
  t->s_axil_arvalid_i = 1;
  t->s_axil_rready_i = 1;
  s->lite_active = true;
  st = SYSTOLE_SIM_ETIMEOUT;
  for (uint32_t i = 0; i < kCsrBudget; ++i) {
    tick(s);
    if (s->lite_ar_hs) t->s_axil_arvalid_i = 0;
    if (s->lite_r_hs) {
      *value = s->lite_rdata;
      st = (s->lite_resp == kRespOkay) ? SYSTOLE_SIM_OK : SYSTOLE_SIM_EIO;
      break;
    }
  }
  t->s_axil_arvalid_i = 0;
  t->s_axil_rready_i = 0;
  s->lite_active = false;
  return st;
}

int systole_sim_mem_alloc(systole_sim_t* s, uint64_t bytes, uint64_t align, uint64_t* addr) {
  if (!s || !addr || bytes == 0) return SYSTOLE_SIM_EINVAL;
  if (align == 0) align = 64;
  if (!pow2(align) || align > (1ull << 31)) return SYSTOLE_SIM_EINVAL;
  *addr = 0;
  if (bytes > s->mem_bytes) return SYSTOLE_SIM_ENOMEM;
  uint64_t cursor = kAllocBase;
  auto fits = [&](uint64_t limit, uint64_t* at) {
    const uint64_t a = (cursor + align - 1) & ~(align - 1);
    if (a <= limit && bytes <= limit - a) {
      *at = a;
      return true;
    }
    return false;
  };
  uint64_t at = 0;
  for (const auto& blk : s->allocs) {
    if (fits(blk.first, &at)) {
      s->allocs.emplace(at, bytes);
      *addr = at;
      return SYSTOLE_SIM_OK;
    }
    cursor = blk.first + blk.second;
  }
  if (fits(s->mem_bytes, &at)) {
    s->allocs.emplace(at, bytes);
    *addr = at;
    return SYSTOLE_SIM_OK;
  }
  return SYSTOLE_SIM_ENOMEM;
}

int systole_sim_mem_free(systole_sim_t* s, uint64_t addr) {
  if (!s) return SYSTOLE_SIM_EINVAL;
  auto it = s->allocs.find(addr);
  if (it == s->allocs.end()) return SYSTOLE_SIM_EINVAL;
  s->allocs.erase(it);
  return SYSTOLE_SIM_OK;
}

static int mem_range(const systole_sim_t* s, uint64_t addr, uint64_t bytes) {
  if (bytes > s->mem_bytes || addr > s->mem_bytes - bytes) return SYSTOLE_SIM_ERANGE;
  return SYSTOLE_SIM_OK;
}

int systole_sim_mem_write(systole_sim_t* s, uint64_t addr, const void* src, uint64_t bytes) {
  if (!s || (!src && bytes)) return SYSTOLE_SIM_EINVAL;
  const int st = mem_range(s, addr, bytes);
  if (st) return st;
  if (bytes) std::memcpy(s->mem + addr, src, bytes);
  mem_drive_rb(s);  // a beat already presented this cycle carries the new data
  return SYSTOLE_SIM_OK;
}

int systole_sim_mem_read(systole_sim_t* s, uint64_t addr, void* dst, uint64_t bytes) {
  if (!s || (!dst && bytes)) return SYSTOLE_SIM_EINVAL;
  const int st = mem_range(s, addr, bytes);
  if (st) return st;
  if (bytes) std::memcpy(dst, s->mem + addr, bytes);
  return SYSTOLE_SIM_OK;
}

int systole_sim_mem_inject_error(systole_sim_t* s, uint64_t addr, uint64_t bytes, int on_read,
                                 int on_write) {
  if (!s) return SYSTOLE_SIM_EINVAL;
  if (bytes == 0) {
    s->err_lo = s->err_hi = 0;
    s->err_rd = s->err_wr = false;
    return SYSTOLE_SIM_OK;
  }
  if (addr > UINT64_MAX - bytes) return SYSTOLE_SIM_EINVAL;
  s->err_lo = addr;
  s->err_hi = addr + bytes;
  s->err_rd = on_read != 0;
  s->err_wr = on_write != 0;
  mem_drive_rb(s);  // a beat already presented this cycle picks up the new response
  return SYSTOLE_SIM_OK;
}

void systole_sim_step(systole_sim_t* s, uint64_t cycles) {
  if (!s) return;
  Verilated::threadContextp(s->ctx);
  for (uint64_t i = 0; i < cycles; ++i) tick(s);
  if (s->cyc == s->wave_event) wave_event(s);  // close a window that ends here
}

int systole_sim_run(systole_sim_t* s, unsigned stop_mask, uint64_t max_cycles,
                    systole_sim_stop_t* why) {
  if (!s || (stop_mask & ~unsigned(SYSTOLE_SIM_STOP_IDLE | SYSTOLE_SIM_STOP_IRQ |
                                   SYSTOLE_SIM_STOP_LIMIT)))
    return SYSTOLE_SIM_EINVAL;
  Verilated::threadContextp(s->ctx);
  const bool on_idle = stop_mask & SYSTOLE_SIM_STOP_IDLE;
  const bool on_irq = stop_mask & SYSTOLE_SIM_STOP_IRQ;
  systole_sim_stop_t r = SYSTOLE_SIM_STOP_LIMIT;
  Vsystole_top* t = s->top;
  for (uint64_t i = 0;; ++i) {
    if (s->fault[0]) break;
    if (on_idle && t->idle_o) {
      r = SYSTOLE_SIM_STOP_IDLE;
      break;
    }
    if (on_irq && t->irq_o) {
      r = SYSTOLE_SIM_STOP_IRQ;
      break;
    }
    if (i == max_cycles) break;
    tick(s);
  }
  if (s->cyc == s->wave_event) wave_event(s);  // close a window that ends here
  if (why) *why = r;
  return s->fault[0] ? SYSTOLE_SIM_EIO : SYSTOLE_SIM_OK;
}

int systole_sim_irq(const systole_sim_t* s) { return s && s->top->irq_o ? 1 : 0; }
int systole_sim_idle(const systole_sim_t* s) { return s && s->top->idle_o ? 1 : 0; }
uint64_t systole_sim_cycles(const systole_sim_t* s) { return s ? s->cyc : 0; }

int systole_sim_wave_start(systole_sim_t* s, const char* path) {
  if (!s) return SYSTOLE_SIM_EINVAL;
  if (!path) path = s->wave_path_cfg.empty() ? nullptr : s->wave_path_cfg.c_str();
  if (!path || !*path) return SYSTOLE_SIM_EINVAL;
  s->win_armed = false;  // an explicit start overrides a pending window
  s->wave_event = UINT64_MAX;
  const std::string p(path);  // path may alias wave_path_open
  return wave_open(s, p.c_str());
}

int systole_sim_wave_stop(systole_sim_t* s) {
  if (!s) return SYSTOLE_SIM_EINVAL;
  s->win_armed = false;
  s->wave_event = UINT64_MAX;
  wave_close(s);
  return SYSTOLE_SIM_OK;
}

int systole_sim_wave_window(systole_sim_t* s, uint64_t from_cycle, uint64_t to_cycle) {
  if (!s || from_cycle >= to_cycle || s->wave_path_cfg.empty()) return SYSTOLE_SIM_EINVAL;
  s->win_from = from_cycle;
  s->win_to = to_cycle;
  s->win_armed = true;
  s->wave_event = s->cyc;  // decide at the next tick
  return SYSTOLE_SIM_OK;
}

void systole_sim_mem_stats(const systole_sim_t* s, uint64_t* rd_bytes, uint64_t* wr_bytes) {
  if (rd_bytes) *rd_bytes = s ? s->rd_bytes : 0;
  if (wr_bytes) *wr_bytes = s ? s->wr_bytes : 0;
}

uint32_t systole_sim_bus_bytes(const systole_sim_t* s) { return s ? kBusBytes : 0; }

const char* systole_sim_fault(const systole_sim_t* s) {
  return (s && s->fault[0]) ? s->fault : nullptr;
}

}  // extern "C"
