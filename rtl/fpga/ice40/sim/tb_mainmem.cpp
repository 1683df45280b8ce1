// Random test of systole_soc_mainmem (the iCE40 single-port variant, or the generic one: the
// same ports) against a byte-array reference, for `make fpga-sim`.
//
// Traffic, all at once with random valid/ready gaps: AXI write bursts into region W, AXI read
// bursts from region R (initialised by core writes first), core reads and writes in region C,
// INCR and FIXED bursts of sizes 1..8 bytes with random strobes, WRAP bursts and bursts that
// run past the end (SLVERR, writes dropped). Then AXI reads of region W and core reads of
// everything written. Checks every R beat (data, RESP, RLAST, RID), every B (RESP, BID),
// every core read, and that no beat outside a burst's range was written.
//
//   tb_mainmem [--seed N] [--ops N]        exit 0 on success
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "Vsystole_soc_mainmem.h"
#include "verilated.h"

namespace {

constexpr uint32_t kBase = 0x80000000u;
constexpr uint32_t kBytes = 4096;  // -GMainBytes=4096 (fpga.mk)
#ifndef TB_LINE_BYTES
#define TB_LINE_BYTES 8
#endif
constexpr uint32_t kLine = TB_LINE_BYTES;  // -GAxiDataWidth=8*TB_LINE_BYTES (fpga.mk: 64, 32)
constexpr unsigned kLineLog = kLine == 4 ? 2 : kLine == 8 ? 3 : kLine == 16 ? 4 : 5;
static_assert((1u << kLineLog) == kLine, "TB_LINE_BYTES: 4, 8, 16 or 32");
// regions (offsets): AXI writes, AXI reads, core, spare (end-of-memory bursts)
constexpr uint32_t kW0 = 0, kR0 = 1024, kC0 = 2048, kS0 = 3072, kRegion = 1024;

struct Burst {
  uint32_t addr = 0;
  unsigned len = 0;  // AxLEN
  unsigned size = kLineLog;
  unsigned burst = 1;  // 0 FIXED, 1 INCR, 2 WRAP
  unsigned id = 0;
  std::vector<uint64_t> data;  // writes: one per beat
  std::vector<uint8_t> strb;
};

std::mt19937 rng;
unsigned rnd(unsigned n) { return static_cast<unsigned>(rng() % n); }

uint32_t beat_addr(const Burst &b, unsigned i) {
  if (b.burst == 0) return b.addr;
  return b.addr + i * (1u << b.size);  // addresses are size-aligned here
}
bool in_range(uint32_t a) { return a >= kBase && a < kBase + kBytes; }

int g_errors = 0;
#define CHECK(cond, ...)                          \
  do {                                            \
    if (!(cond)) {                                \
      if (g_errors++ < 20) {                      \
        std::fprintf(stderr, "tb_mainmem: ");     \
        std::fprintf(stderr, __VA_ARGS__);        \
        std::fprintf(stderr, "\n");               \
      }                                           \
    }                                             \
  } while (0)

Burst make_burst(uint32_t region, bool write, bool allow_bad) {
  Burst b;
  b.size = rnd(kLineLog + 1);
  b.burst = rnd(8) == 0 ? 0 : 1;
  b.len = rnd(4) == 0 ? rnd(16) : rnd(4);
  b.id = rnd(4);
  uint32_t span = (b.len + 1) << b.size;
  uint32_t off = region + ((rnd(kRegion - span) >> b.size) << b.size);
  b.addr = kBase + off;
  if (allow_bad && rnd(6) == 0) {
    if (rnd(2)) {
      b.burst = 2;  // WRAP: SLVERR
      b.addr = kBase + kS0 + ((rnd(256) >> b.size) << b.size);
    } else {        // runs past the end of memory
      b.burst = 1;
      b.len = 3 + rnd(8);
      b.addr = kBase + kBytes - (((1 + rnd(3)) << b.size));
    }
  }
  if (write) {
    for (unsigned i = 0; i <= b.len; i++) {
      uint64_t d = (static_cast<uint64_t>(rng()) << 32) | rng();
      uint32_t a = beat_addr(b, i);
      unsigned lo = a % kLine, n = 1u << b.size;
      uint8_t s = 0;
      for (unsigned k = lo; k < lo + n && k < kLine; k++)
        if (rnd(8) != 0) s |= static_cast<uint8_t>(1u << k);
      b.data.push_back(d);
      b.strb.push_back(s);
    }
  }
  return b;
}

}  // namespace

int main(int argc, char **argv) {
  unsigned seed = 1, ops = 400;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--seed" && i + 1 < argc) seed = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 0));
    else if (a == "--ops" && i + 1 < argc) ops = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 0));
  }
  rng.seed(seed);
  std::vector<uint8_t> ref(kBytes, 0);
  std::vector<bool> known(kBytes, false);

  auto ctx = std::make_unique<VerilatedContext>();
  auto m = std::make_unique<Vsystole_soc_mainmem>(ctx.get());
  m->clk_i = 0;
  m->rst_ni = 0;
  m->eval();
  for (int i = 0; i < 3; i++) {
    m->clk_i = 1; m->eval(); m->clk_i = 0; m->eval();
  }
  m->rst_ni = 1;
  m->eval();

  // work lists
  std::deque<Burst> ar_q, aw_q;   // to issue
  std::deque<Burst> r_q, w_q, b_q;  // issued: R beats expected, W beats to send, B expected
  unsigned r_beat = 0, w_beat = 0;
  struct CoreOp { uint32_t addr; uint8_t strb; uint32_t data; };
  std::deque<CoreOp> c_q;
  bool c_busy = false;
  CoreOp c_cur{};

  // phase 0: the core initialises regions R and C; phase 1: random traffic; phase 2: read back
  for (uint32_t a = kR0; a < kC0 + kRegion; a += 4) c_q.push_back({kBase + a, 0xF, static_cast<uint32_t>(rng())});
  int phase = 0;
  uint64_t cyc = 0;
  bool arv = false, awv = false, wv = false;
  for (; cyc < 2000000; cyc++) {
    // ---- drive this cycle's inputs ----
    if (!arv && !ar_q.empty() && rnd(3) != 0) arv = true;
    if (!awv && !aw_q.empty() && rnd(3) != 0) awv = true;
    if (!wv && !w_q.empty() && rnd(4) != 0) wv = true;
    if (arv) {
      const Burst &b = ar_q.front();
      m->s_araddr_i = b.addr; m->s_arlen_i = b.len; m->s_arsize_i = b.size;
      m->s_arburst_i = b.burst; m->s_arid_i = b.id;
    }
    m->s_arvalid_i = arv;
    if (awv) {
      const Burst &b = aw_q.front();
      m->s_awaddr_i = b.addr; m->s_awlen_i = b.len; m->s_awsize_i = b.size;
      m->s_awburst_i = b.burst; m->s_awid_i = b.id;
    }
    m->s_awvalid_i = awv;
    if (wv) {
      const Burst &b = w_q.front();
      m->s_wdata_i = static_cast<std::remove_reference<decltype(m->s_wdata_i)>::type>(b.data[w_beat]); m->s_wstrb_i = b.strb[w_beat];
      m->s_wlast_i = (w_beat == b.len);
    }
    m->s_wvalid_i = wv;
    m->s_rready_i = rnd(4) != 0;
    m->s_bready_i = rnd(3) != 0;
    if (!c_busy && !c_q.empty() && rnd(3) == 0) {
      c_busy = true;
      c_cur = c_q.front();
      c_q.pop_front();
    }
    m->c_valid_i = c_busy;
    m->c_addr_i = c_cur.addr;
    m->c_wstrb_i = c_cur.strb;
    m->c_wdata_i = c_cur.data;
    m->eval();

    // ---- handshakes of this cycle ----
    if (arv && m->s_arready_o) {
      r_q.push_back(ar_q.front());
      ar_q.pop_front();
      arv = false;
    }
    if (awv && m->s_awready_o) {
      w_q.push_back(aw_q.front());
      b_q.push_back(aw_q.front());
      aw_q.pop_front();
      awv = false;
    }
    if (wv && m->s_wready_o) {
      const Burst &b = w_q.front();
      uint32_t a = beat_addr(b, w_beat);
      bool ok = b.burst != 2 && in_range(a);
      if (ok) {
        uint32_t line = (a - kBase) & ~(kLine - 1);
        for (unsigned k = 0; k < kLine; k++)
          if (b.strb[w_beat] >> k & 1) {
            ref[line + k] = static_cast<uint8_t>(b.data[w_beat] >> (8 * k));
            known[line + k] = true;
          }
      }
      if (++w_beat > b.len) {
        w_beat = 0;
        w_q.pop_front();
      }
      wv = false;
    }
    if (m->s_bvalid_o && m->s_bready_i) {
      CHECK(!b_q.empty(), "B without a write burst at cycle %llu", (unsigned long long)cyc);
      if (!b_q.empty()) {
        const Burst &b = b_q.front();
        bool bad = b.burst == 2;
        for (unsigned i = 0; i <= b.len; i++) bad = bad || !in_range(beat_addr(b, i));
        CHECK(m->s_bresp_o == (bad ? 2u : 0u), "B resp %u, expected %u (addr %08x len %u burst %u)",
              m->s_bresp_o, bad ? 2u : 0u, b.addr, b.len, b.burst);
        CHECK(m->s_bid_o == b.id, "B id %u, expected %u", m->s_bid_o, b.id);
        b_q.pop_front();
      }
    }
    if (m->s_rvalid_o && m->s_rready_i) {
      CHECK(!r_q.empty(), "R without a read burst at cycle %llu", (unsigned long long)cyc);
      if (!r_q.empty()) {
        const Burst &b = r_q.front();
        uint32_t a = beat_addr(b, r_beat);
        bool ok = b.burst != 2 && in_range(a);
        CHECK(m->s_rresp_o == (ok ? 0u : 2u), "R resp %u, expected %u (addr %08x)", m->s_rresp_o,
              ok ? 0u : 2u, a);
        CHECK(m->s_rlast_o == (r_beat == b.len), "RLAST %u at beat %u of %u", m->s_rlast_o, r_beat, b.len);
        CHECK(m->s_rid_o == b.id, "R id %u, expected %u", m->s_rid_o, b.id);
        uint32_t line = (a - kBase) & ~(kLine - 1);
        if (ok && line < kS0) {  // the spare region is read and written at once: RESP only
          for (unsigned k = 0; k < kLine; k++) {
            if (!known[line + k]) continue;
            uint8_t got = static_cast<uint8_t>(m->s_rdata_o >> (8 * k));
            CHECK(got == ref[line + k], "R data byte %08x: %02x, expected %02x (cycle %llu)",
                  kBase + line + k, got, ref[line + k], (unsigned long long)cyc);
          }
        }
        if (++r_beat > b.len) {
          r_beat = 0;
          r_q.pop_front();
        }
      }
    }
    if (c_busy && m->c_ready_o) {
      uint32_t off = c_cur.addr - kBase;
      if (c_cur.strb) {
        for (unsigned k = 0; k < 4; k++)
          if (c_cur.strb >> k & 1) {
            ref[off + k] = static_cast<uint8_t>(c_cur.data >> (8 * k));
            known[off + k] = true;
          }
      } else {
        for (unsigned k = 0; k < 4; k++) {
          if (!known[off + k]) continue;
          uint8_t got = static_cast<uint8_t>(m->c_rdata_o >> (8 * k));
          CHECK(got == ref[off + k], "core read %08x: %02x, expected %02x", c_cur.addr + k, got,
                ref[off + k]);
        }
      }
      c_busy = false;
    }

    // ---- clock ----
    m->clk_i = 1;
    m->eval();
    m->clk_i = 0;
    m->eval();

    bool idle = ar_q.empty() && aw_q.empty() && r_q.empty() && w_q.empty() && b_q.empty() &&
                c_q.empty() && !c_busy && !arv && !awv && !wv;
    if (idle && phase == 0) {
      phase = 1;
      for (unsigned i = 0; i < ops; i++) {
        switch (rnd(3)) {
          case 0: aw_q.push_back(make_burst(kW0, true, true)); break;
          case 1: ar_q.push_back(make_burst(kR0, false, true)); break;
          default: {
            uint32_t a = kBase + kC0 + 4 * rnd(kRegion / 4);
            c_q.push_back({a, static_cast<uint8_t>(rnd(2) ? 0 : (1 + rnd(15))), static_cast<uint32_t>(rng())});
          }
        }
      }
    } else if (idle && phase == 1) {
      // phase 2: read back region W through AXI (INCR, whole lines) and everything by the core
      phase = 2;
      for (uint32_t a = kW0; a < kW0 + kRegion; a += 16 * kLine) {
        Burst b;
        b.addr = kBase + a; b.len = 15; b.size = kLineLog; b.burst = 1; b.id = rnd(4);
        ar_q.push_back(b);
      }
      for (uint32_t a = 0; a < kS0; a += 4) c_q.push_back({kBase + a, 0, 0});
    } else if (idle) {
      break;
    }
  }
  CHECK(cyc < 2000000, "timeout: traffic did not finish");
  std::printf("tb_mainmem: seed %u, %u ops, %llu cycles: %s\n", seed, ops,
              static_cast<unsigned long long>(cyc), g_errors ? "FAIL" : "PASS");
  m->final();
  return g_errors ? 1 : 0;
}
