// systole_sc.cpp — the Systole SystemC/TLM-2.0 module (see include/systole_sc.h and
// docs/systemc.md).
//
// The AXI4 slave behind the chip's DMA port repeats, cycle for cycle, the memory model of
// the C-API simulator (sim/src/systole_sim.cpp, docs/sim.md "Memory model"): the same
// handshake sampling, token buckets, outstanding limits, in-order R and B, W-before-AW
// buffering and write-response timing. The one difference is where data and latency come
// from: a read burst is one TLM read at its AR handshake, a write burst one TLM write once
// its AW and its last W beat are in, and the delay the target annotates, rounded up to
// whole clock cycles, takes the place of read_latency / write_latency.

#include "systole_sc.h"

#include "Vsystole_sc.h"
#include "verilated.h"

#include <cstdio>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

namespace systole_sc {

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

namespace {

using RdataPort = std::remove_reference<decltype(std::declval<Vsystole_sc &>().m_axi_rdata_i)>::type;
static_assert(std::is_same<RdataPort, sc_core::sc_in<uint64_t>>::value,
              "systole_sc supports the 64-bit AXI build (AxiDataWidth = 64) only");

constexpr uint32_t kBus = Systole::kBusBytes;
constexpr uint32_t kBusSize = 3;          // AxSIZE of a 64-bit beat
constexpr uint32_t kMaxBeats = 256;       // AXI4 INCR burst
constexpr uint32_t kWbufBeats = 512;      // W beats accepted ahead of their AW (as the C-API)
constexpr uint32_t kCsrBudget = 1000;     // cycles a CSR access may take (as the C-API)
constexpr uint32_t kRespOkay = 0, kRespSlverr = 2, kRespDecerr = 3;

// Fixed-capacity FIFO; slot(i) is the storage index of the i-th oldest entry, so per-entry
// data buffers can live beside the ring.
template <typename T>
class Ring {
 public:
  void init(uint32_t cap) {
    buf_.assign(cap, T());
    cap_ = cap;
    head_ = n_ = 0;
  }
  uint32_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  bool full() const { return n_ == cap_; }
  uint32_t slot(uint32_t i) const { return (head_ + i) % cap_; }
  T &at(uint32_t i) { return buf_[slot(i)]; }
  T &front() { return buf_[head_]; }
  T &push() {
    T &e = buf_[slot(n_)];
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
  uint64_t ready;   // first cycle its first beat may be presented
  uint32_t beats, beat, id, resp;
};

struct WrTxn {
  uint64_t addr, aw_cycle, b_ready;
  uint32_t beats, beat, id, resp;
  bool done, partial;  // all W beats in (and TLM write issued); some strobe not all-ones
};

struct WBeat {
  uint64_t data, cycle;
  uint32_t strb;
  bool last;
};

inline uint64_t beat_addr(uint64_t addr, uint32_t i) {
  const uint64_t aligned = addr & ~uint64_t(kBus - 1);
  return i == 0 ? aligned : aligned + uint64_t(i) * kBus;
}

uint32_t tlm_to_axi(tlm::tlm_response_status st) {
  if (st == tlm::TLM_OK_RESPONSE) return kRespOkay;
  if (st == tlm::TLM_ADDRESS_ERROR_RESPONSE) return kRespDecerr;
  return kRespSlverr;
}

}  // namespace

#define SIG(name) name(#name)

struct Systole::Impl {
  Systole &top;
  SystoleConfig cfg;
  std::unique_ptr<VerilatedContext> ctx;
  std::unique_ptr<Vsystole_sc> chip;

  // AXI4-Lite slave: written by whichever thread calls csr.b_transport
  sc_core::sc_signal<uint32_t, sc_core::SC_MANY_WRITERS> s_awaddr, s_wdata, s_wstrb, s_araddr;
  sc_core::sc_signal<bool, sc_core::SC_MANY_WRITERS> s_awvalid, s_wvalid, s_bready, s_arvalid,
      s_rready;
  sc_core::sc_signal<bool> s_awready, s_wready, s_bvalid, s_arready, s_rvalid;
  sc_core::sc_signal<uint32_t> s_bresp, s_rresp, s_rdata;

  // AXI4 master: chip outputs
  sc_core::sc_signal<uint32_t> m_awid, m_awaddr, m_awlen, m_awsize, m_awburst, m_wstrb, m_arid,
      m_araddr, m_arlen, m_arsize, m_arburst;
  sc_core::sc_signal<bool> m_awvalid, m_wlast, m_wvalid, m_bready, m_arvalid, m_rready;
  sc_core::sc_signal<uint64_t> m_wdata;
  // AXI4 master: chip inputs, driven by clocked()
  sc_core::sc_signal<bool> m_awready, m_wready, m_bvalid, m_arready, m_rlast, m_rvalid;
  sc_core::sc_signal<uint32_t> m_bid, m_bresp, m_rid, m_rresp;
  sc_core::sc_signal<uint64_t> m_rdata;

  // clock
  sc_time period = SC_ZERO_TIME, half = SC_ZERO_TIME;
  sc_time last_pos = SC_ZERO_TIME;  // time of the last rising edge seen
  bool seen_pos = false;
  bool in_reset = true;
  uint64_t cyc = 0;

  // memory-port state (as in systole_sim.cpp)
  Ring<RdTxn> rq;
  Ring<WrTxn> wq;
  Ring<WBeat> wbuf;
  std::vector<std::vector<uint8_t>> rdata_buf, wdata_buf, wbe_buf;  // per ring slot
  uint32_t wq_data = 0;
  uint32_t r_tokens = 0, w_tokens = 0, tok_cap = 0;
  uint64_t rd_bytes = 0, wr_bytes = 0;
  tlm::tlm_generic_payload tx;

  // handshakes of the current cycle and their payloads
  bool ar_hs = false, aw_hs = false, w_hs = false, r_hs = false, b_hs = false;
  uint64_t ar_addr = 0, aw_addr = 0;
  uint32_t ar_len = 0, ar_id = 0, ar_burst = 0, ar_size = 0;
  uint32_t aw_len = 0, aw_id = 0, aw_burst = 0, aw_size = 0;
  WBeat w{};
  bool ar_wait = false, aw_wait = false, w_wait = false;
  uint64_t ar_prev_addr = 0, aw_prev_addr = 0;
  uint32_t ar_prev_len = 0, aw_prev_len = 0;
  // values this side presents in the current cycle (shadows of the m_* input signals)
  bool o_arready = false, o_awready = false, o_wready = false, o_rvalid = false, o_bvalid = false;

  // CSR access
  sc_core::sc_mutex csr_lock;

  std::string fault;

  Impl(Systole &t, const SystoleConfig &c)
      : top(t), cfg(c), SIG(s_awaddr), SIG(s_wdata), SIG(s_wstrb), SIG(s_araddr),
        SIG(s_awvalid), SIG(s_wvalid), SIG(s_bready), SIG(s_arvalid), SIG(s_rready),
        SIG(s_awready), SIG(s_wready), SIG(s_bvalid), SIG(s_arready), SIG(s_rvalid),
        SIG(s_bresp), SIG(s_rresp), SIG(s_rdata), SIG(m_awid), SIG(m_awaddr), SIG(m_awlen),
        SIG(m_awsize), SIG(m_awburst), SIG(m_wstrb), SIG(m_arid), SIG(m_araddr), SIG(m_arlen),
        SIG(m_arsize), SIG(m_arburst), SIG(m_awvalid), SIG(m_wlast), SIG(m_wvalid),
        SIG(m_bready), SIG(m_arvalid), SIG(m_rready), SIG(m_wdata), SIG(m_awready),
        SIG(m_wready), SIG(m_bvalid), SIG(m_arready), SIG(m_rlast), SIG(m_rvalid), SIG(m_bid),
        SIG(m_bresp), SIG(m_rid), SIG(m_rresp), SIG(m_rdata), csr_lock("csr_lock") {}

  void set_fault(const char *msg, uint64_t a, uint64_t b) {
    if (!fault.empty()) return;
    char buf[256];
    std::snprintf(buf, sizeof buf, "cycle %llu: %s (0x%llx, %llu)", (unsigned long long)cyc, msg,
                  (unsigned long long)a, (unsigned long long)b);
    fault = buf;
    SC_REPORT_WARNING("systole_sc", (std::string(top.name()) + ": " + fault).c_str());
  }

  uint64_t delay_cycles(const sc_time &d) const {
    const uint64_t p = period.value();
    return (d.value() + p - 1) / p;
  }

  // One TLM transaction on the DMA socket; returns the AXI response, *lat the annotated
  // delay in whole cycles (rounded up).
  uint32_t dma_txn(tlm::tlm_command cmd, uint64_t addr, uint8_t *data, uint32_t len,
                   uint8_t *be, uint64_t *lat) {
    tx.set_command(cmd);
    tx.set_address(addr);
    tx.set_data_ptr(data);
    tx.set_data_length(len);
    tx.set_streaming_width(len);
    tx.set_byte_enable_ptr(be);
    tx.set_byte_enable_length(be ? len : 0);
    tx.set_dmi_allowed(false);
    tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time d = SC_ZERO_TIME;
    top.dma->b_transport(tx, d);
    *lat = delay_cycles(d);
    const uint32_t r = tlm_to_axi(tx.get_response_status());
    if (tx.get_response_status() == tlm::TLM_INCOMPLETE_RESPONSE)
      set_fault("DMA target left a transaction incomplete", addr, len);
    return r;
  }

  void reset_state() {
    rq.init(cfg.max_outstanding);
    wq.init(cfg.max_outstanding);
    wbuf.init(kWbufBeats);
    wq_data = 0;
    tok_cap = cfg.bytes_per_cycle > kBus ? cfg.bytes_per_cycle : kBus;
    r_tokens = w_tokens = tok_cap;
    ar_wait = aw_wait = w_wait = false;
    cyc = 0;
  }

  void drive_reset() {
    o_arready = o_awready = o_wready = o_rvalid = o_bvalid = false;
    m_arready.write(false);
    m_awready.write(false);
    m_wready.write(false);
    m_rvalid.write(false);
    m_rlast.write(false);
    m_bvalid.write(false);
  }

  // Sample the handshakes of the cycle that ends at this rising edge (the chip's outputs
  // still hold their pre-edge values in this delta), with the C-API's stability checks.
  void sample() {
    const bool arv = m_arvalid.read(), awv = m_awvalid.read(), wv = m_wvalid.read();
    ar_hs = arv && o_arready;
    aw_hs = awv && o_awready;
    w_hs = wv && o_wready;
    r_hs = o_rvalid && m_rready.read();
    b_hs = o_bvalid && m_bready.read();
    const uint64_t ara = m_araddr.read(), awa = m_awaddr.read();
    const uint32_t arl = m_arlen.read(), awl = m_awlen.read();
    if (ar_hs) {
      ar_addr = ara;
      ar_len = arl;
      ar_id = m_arid.read();
      ar_burst = m_arburst.read();
      ar_size = m_arsize.read();
    }
    if (aw_hs) {
      aw_addr = awa;
      aw_len = awl;
      aw_id = m_awid.read();
      aw_burst = m_awburst.read();
      aw_size = m_awsize.read();
    }
    if (w_hs) {
      w.data = m_wdata.read();
      w.strb = m_wstrb.read();
      w.last = m_wlast.read();
    }
    if (ar_wait && (!arv || ara != ar_prev_addr || arl != ar_prev_len))
      set_fault("AR request changed or dropped before ARREADY", ar_prev_addr, ar_prev_len);
    if (aw_wait && (!awv || awa != aw_prev_addr || awl != aw_prev_len))
      set_fault("AW request changed or dropped before AWREADY", aw_prev_addr, aw_prev_len);
    if (w_wait && !wv) set_fault("WVALID dropped before WREADY", 0, 0);
    ar_wait = arv && !ar_hs;
    aw_wait = awv && !aw_hs;
    w_wait = wv && !w_hs;
    ar_prev_addr = ara;
    ar_prev_len = arl;
    aw_prev_addr = awa;
    aw_prev_len = awl;
  }

  // Apply buffered W beats to AWs that wait for data; a completed burst is written with
  // one TLM transaction and its B scheduled after the annotated delay.
  void drain_w() {
    while (!wbuf.empty() && wq_data < wq.size()) {
      WBeat &b = wbuf.front();
      const uint32_t slot = wq.slot(wq_data);
      WrTxn &t = wq.at(wq_data);
      std::memcpy(&wdata_buf[slot][t.beat * kBus], &b.data, kBus);
      for (uint32_t i = 0; i < kBus; ++i)
        wbe_buf[slot][t.beat * kBus + i] = ((b.strb >> i) & 1) ? 0xff : 0x00;
      if (b.strb != 0xffu) t.partial = true;
      const bool last = (t.beat + 1 == t.beats);
      if (b.last != last) set_fault("WLAST does not match AWLEN", t.addr, t.beats);
      ++t.beat;
      if (last) {
        uint64_t lat = 0;
        t.resp = dma_txn(tlm::TLM_WRITE_COMMAND, beat_addr(t.addr, 0), wdata_buf[slot].data(),
                         t.beats * kBus, t.partial ? wbe_buf[slot].data() : nullptr, &lat);
        const uint64_t from = b.cycle > t.aw_cycle ? b.cycle : t.aw_cycle;
        t.b_ready = from + lat;
        t.done = true;
        ++wq_data;
      }
      wbuf.pop();
    }
  }

  // Act on the handshakes of cycle c (after its rising edge).
  void update(uint64_t c) {
    if (ar_hs) {
      const uint32_t beats = ar_len + 1;
      if (ar_burst != 1) set_fault("ARBURST is not INCR", ar_addr, ar_burst);
      if (ar_size != kBusSize) set_fault("ARSIZE is not the bus width", ar_addr, ar_size);
      if ((ar_addr >> 12) != (beat_addr(ar_addr, beats - 1) >> 12))
        set_fault("read burst crosses a 4 KiB boundary", ar_addr, beats);
      const uint32_t slot = rq.slot(rq.size());
      RdTxn &r = rq.push();
      std::vector<uint8_t> &buf = rdata_buf[slot];
      if (buf.empty()) buf.resize(kMaxBeats * kBus);
      uint64_t lat = 0;
      r.resp = dma_txn(tlm::TLM_READ_COMMAND, beat_addr(ar_addr, 0), buf.data(), beats * kBus,
                       nullptr, &lat);
      if (r.resp != kRespOkay) std::memset(buf.data(), 0, beats * kBus);
      r.beats = beats;
      r.beat = 0;
      r.id = ar_id;
      r.ready = c + lat;
    }
    if (r_hs) {
      r_tokens -= kBus;
      rd_bytes += kBus;
      RdTxn &r = rq.front();
      if (++r.beat == r.beats) rq.pop();
    }
    if (aw_hs) {
      const uint32_t beats = aw_len + 1;
      if (aw_burst != 1) set_fault("AWBURST is not INCR", aw_addr, aw_burst);
      if (aw_size != kBusSize) set_fault("AWSIZE is not the bus width", aw_addr, aw_size);
      if ((aw_addr >> 12) != (beat_addr(aw_addr, beats - 1) >> 12))
        set_fault("write burst crosses a 4 KiB boundary", aw_addr, beats);
      const uint32_t slot = wq.slot(wq.size());
      if (wdata_buf[slot].empty()) {
        wdata_buf[slot].resize(kMaxBeats * kBus);
        wbe_buf[slot].resize(kMaxBeats * kBus);
      }
      WrTxn &t = wq.push();
      t.addr = aw_addr;
      t.beats = beats;
      t.beat = 0;
      t.id = aw_id;
      t.aw_cycle = c;
      t.b_ready = UINT64_MAX;
      t.resp = kRespOkay;
      t.done = false;
      t.partial = false;
    }
    if (w_hs) {
      w_tokens -= kBus;
      wr_bytes += kBus;
      WBeat &b = wbuf.push();
      b = w;
      b.cycle = c;
    }
    if (!wbuf.empty()) drain_w();
    if (b_hs) {
      wq.pop();
      --wq_data;
    }
    const uint32_t bpc = cfg.bytes_per_cycle;
    r_tokens = r_tokens + bpc > tok_cap ? tok_cap : r_tokens + bpc;
    w_tokens = w_tokens + bpc > tok_cap ? tok_cap : w_tokens + bpc;
  }

  // Outputs for the coming cycle (cyc).
  void drive() {
    o_arready = !rq.full();
    o_awready = !wq.full();
    o_wready = !wbuf.full() && w_tokens >= kBus;
    m_arready.write(o_arready);
    m_awready.write(o_awready);
    m_wready.write(o_wready);
    if (!rq.empty() && rq.front().ready <= cyc && r_tokens >= kBus) {
      const RdTxn &r = rq.front();
      uint64_t d;
      std::memcpy(&d, &rdata_buf[rq.slot(0)][r.beat * kBus], kBus);
      m_rdata.write(d);
      m_rid.write(r.id);
      m_rresp.write(r.resp);
      m_rlast.write(r.beat + 1 == r.beats);
      o_rvalid = true;
    } else {
      o_rvalid = false;
      m_rlast.write(false);
    }
    m_rvalid.write(o_rvalid);
    if (!wq.empty() && wq.front().done && wq.front().b_ready <= cyc) {
      m_bid.write(wq.front().id);
      m_bresp.write(wq.front().resp);
      o_bvalid = true;
    } else {
      o_bvalid = false;
    }
    m_bvalid.write(o_bvalid);
  }
};

#undef SIG

Systole::Systole(const sc_core::sc_module_name &name, const SystoleConfig &cfg)
    : sc_module(name), clk("clk"), rst_n("rst_n"), irq("irq"), idle("idle"), csr("csr"),
      dma("dma") {
  if (cfg.bytes_per_cycle < 1 || cfg.max_outstanding < 1 || cfg.max_outstanding > (1u << 20))
    SC_REPORT_ERROR("systole_sc", "SystoleConfig: bytes_per_cycle >= 1, 1 <= max_outstanding <= 2^20");
  impl_.reset(new Impl(*this, cfg));
  Impl &s = *impl_;
  s.reset_state();
  s.rdata_buf.resize(cfg.max_outstanding);
  s.wdata_buf.resize(cfg.max_outstanding);
  s.wbe_buf.resize(cfg.max_outstanding);

  // The model gets its own Verilator context; $stop/$fatal/assertions become a fault.
  s.ctx.reset(new VerilatedContext);
  s.ctx->fatalOnError(false);
  Verilated::threadContextp(s.ctx.get());
  s.chip.reset(new Vsystole_sc("chip"));
  Vsystole_sc &c = *s.chip;
  c.clk_i(clk);
  c.rst_ni(rst_n);
  c.irq_o(irq);
  c.idle_o(idle);
  c.s_axil_awaddr_i(s.s_awaddr);
  c.s_axil_awvalid_i(s.s_awvalid);
  c.s_axil_awready_o(s.s_awready);
  c.s_axil_wdata_i(s.s_wdata);
  c.s_axil_wstrb_i(s.s_wstrb);
  c.s_axil_wvalid_i(s.s_wvalid);
  c.s_axil_wready_o(s.s_wready);
  c.s_axil_bresp_o(s.s_bresp);
  c.s_axil_bvalid_o(s.s_bvalid);
  c.s_axil_bready_i(s.s_bready);
  c.s_axil_araddr_i(s.s_araddr);
  c.s_axil_arvalid_i(s.s_arvalid);
  c.s_axil_arready_o(s.s_arready);
  c.s_axil_rdata_o(s.s_rdata);
  c.s_axil_rresp_o(s.s_rresp);
  c.s_axil_rvalid_o(s.s_rvalid);
  c.s_axil_rready_i(s.s_rready);
  c.m_axi_awid_o(s.m_awid);
  c.m_axi_awaddr_o(s.m_awaddr);
  c.m_axi_awlen_o(s.m_awlen);
  c.m_axi_awsize_o(s.m_awsize);
  c.m_axi_awburst_o(s.m_awburst);
  c.m_axi_awvalid_o(s.m_awvalid);
  c.m_axi_awready_i(s.m_awready);
  c.m_axi_wdata_o(s.m_wdata);
  c.m_axi_wstrb_o(s.m_wstrb);
  c.m_axi_wlast_o(s.m_wlast);
  c.m_axi_wvalid_o(s.m_wvalid);
  c.m_axi_wready_i(s.m_wready);
  c.m_axi_bid_i(s.m_bid);
  c.m_axi_bresp_i(s.m_bresp);
  c.m_axi_bvalid_i(s.m_bvalid);
  c.m_axi_bready_o(s.m_bready);
  c.m_axi_arid_o(s.m_arid);
  c.m_axi_araddr_o(s.m_araddr);
  c.m_axi_arlen_o(s.m_arlen);
  c.m_axi_arsize_o(s.m_arsize);
  c.m_axi_arburst_o(s.m_arburst);
  c.m_axi_arvalid_o(s.m_arvalid);
  c.m_axi_arready_i(s.m_arready);
  c.m_axi_rid_i(s.m_rid);
  c.m_axi_rdata_i(s.m_rdata);
  c.m_axi_rresp_i(s.m_rresp);
  c.m_axi_rlast_i(s.m_rlast);
  c.m_axi_rvalid_i(s.m_rvalid);
  c.m_axi_rready_o(s.m_rready);

  csr.register_b_transport(this, &Systole::csr_b_transport);
  csr.register_transport_dbg(this, &Systole::csr_transport_dbg);
  csr.register_get_direct_mem_ptr(this, &Systole::csr_get_direct_mem_ptr);
  dma.register_invalidate_direct_mem_ptr(this, &Systole::dma_invalidate_direct_mem_ptr);

  SC_HAS_PROCESS(Systole);
  SC_METHOD(clocked);
  sensitive << clk.pos() << rst_n;
  dont_initialize();
}

Systole::~Systole() {
  if (impl_ && impl_->chip) {
    Verilated::threadContextp(impl_->ctx.get());
    impl_->chip->final();
  }
}

void Systole::start_of_simulation() {
  Impl &s = *impl_;
  s.period = s.cfg.clock_period;
  if (s.period == SC_ZERO_TIME) {
    if (auto *c = dynamic_cast<sc_core::sc_clock *>(clk.get_interface())) s.period = c->period();
  }
  if (s.period == SC_ZERO_TIME)
    SC_REPORT_ERROR("systole_sc", "Systole: clk is not an sc_clock; set SystoleConfig::clock_period");
  s.half = s.period / 2;
  s.drive_reset();
  Verilated::threadContextp(s.ctx.get());
}

uint64_t Systole::cycles() const { return impl_->cyc; }

void Systole::mem_stats(uint64_t *rd_bytes, uint64_t *wr_bytes) const {
  if (rd_bytes) *rd_bytes = impl_->rd_bytes;
  if (wr_bytes) *wr_bytes = impl_->wr_bytes;
}

const char *Systole::fault() const { return impl_->fault.empty() ? nullptr : impl_->fault.c_str(); }

sc_time Systole::clock_period() const { return impl_->period; }

// The AXI4 slave of the DMA port: one call per rising edge (and on reset changes).
void Systole::clocked() {
  Impl &s = *impl_;
  const bool edge = clk.posedge();
  if (edge) {
    s.last_pos = sc_core::sc_time_stamp();
    s.seen_pos = true;
  }
  if (!rst_n.read()) {
    if (!s.in_reset) {
      s.in_reset = true;
      s.reset_state();
      s.drive_reset();
    }
    return;
  }
  if (s.in_reset) {  // reset released: cycle 0 starts, the port is ready
    s.in_reset = false;
    s.reset_state();
    s.drive();
    return;
  }
  if (!edge) return;
  s.sample();
  const uint64_t c = s.cyc;
  ++s.cyc;
  s.update(c);
  s.drive();
  if (s.ctx->gotFinish() && s.fault.empty())
    s.set_fault("chip executed $stop/$finish/$fatal or an assertion failed", 0, 0);
}

// CSR access: the calling thread drives the chip's AXI4-Lite slave exactly as
// systole_sim_csr_read/_write do, one handshake sample per rising edge.
void Systole::csr_b_transport(tlm::tlm_generic_payload &tx, sc_time &delay) {
  Impl &s = *impl_;
  const tlm::tlm_command cmd = tx.get_command();
  const uint64_t addr = tx.get_address();
  if (cmd == tlm::TLM_IGNORE_COMMAND) {
    tx.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  if (addr >= kCsrBytes || (addr & 3)) {
    tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (tx.get_data_length() != 4 || tx.get_streaming_width() < 4) {
    tx.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  uint32_t strb = 0xf;
  if (const unsigned char *be = tx.get_byte_enable_ptr()) {
    const unsigned n = tx.get_byte_enable_length();
    strb = 0;
    for (unsigned i = 0; i < 4 && n; ++i)
      if (be[i % n] == TLM_BYTE_ENABLED) strb |= 1u << i;
  }
  tx.set_dmi_allowed(false);
  // The access takes clock cycles: only a thread can wait for them (e.g. the chip's own
  // DMA, an SC_METHOD, routed into this window gets an error instead of a kernel error).
  if (sc_core::sc_get_current_process_handle().proc_kind() != sc_core::SC_THREAD_PROC_) {
    tx.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  // Synchronise: the access happens at the caller's local time.
  if (delay > SC_ZERO_TIME) {
    wait(delay);
    delay = SC_ZERO_TIME;
  }
  s.csr_lock.lock();
  // At a rising-edge time the order against the edge's delta is undefined: move half a
  // cycle on, so the access starts in the cycle that begins with that edge.
  if (!s.seen_pos) {
    wait(clk.posedge_event());
    wait(s.half);
  } else if ((sc_core::sc_time_stamp() - s.last_pos).value() % s.period.value() == 0) {
    wait(s.half);
  }
  if (!rst_n.read()) {
    s.csr_lock.unlock();
    tx.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  unsigned char *data = tx.get_data_ptr();
  const bool wr = cmd == tlm::TLM_WRITE_COMMAND;
  uint32_t resp = 0, rdata = 0;
  bool done = false;
  if (wr) {
    uint32_t v;
    std::memcpy(&v, data, 4);  // little endian host (as the C-API)
    s.s_awaddr.write(uint32_t(addr));
    s.s_wdata.write(v);
    s.s_wstrb.write(strb);
    s.s_awvalid.write(true);
    s.s_wvalid.write(true);
    s.s_bready.write(true);
  } else {
    s.s_araddr.write(uint32_t(addr));
    s.s_arvalid.write(true);
    s.s_rready.write(true);
  }
  for (uint32_t i = 0; i < kCsrBudget && !done; ++i) {
    wait(clk.posedge_event());
    // the chip's outputs still show the cycle that ends at this edge
    if (wr) {
      if (s.s_awvalid.read() && s.s_awready.read()) s.s_awvalid.write(false);
      if (s.s_wvalid.read() && s.s_wready.read()) s.s_wvalid.write(false);
      if (s.s_bvalid.read()) {
        resp = s.s_bresp.read();
        done = true;
      }
    } else {
      if (s.s_arvalid.read() && s.s_arready.read()) s.s_arvalid.write(false);
      if (s.s_rvalid.read()) {
        resp = s.s_rresp.read();
        rdata = s.s_rdata.read();
        done = true;
      }
    }
  }
  s.s_awvalid.write(false);
  s.s_wvalid.write(false);
  s.s_bready.write(false);
  s.s_arvalid.write(false);
  s.s_rready.write(false);
  // Return in the middle of the next cycle, where the chip's outputs have settled.
  wait(s.half);
  s.csr_lock.unlock();
  if (!done) {
    tx.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  if (!wr) std::memcpy(data, &rdata, 4);
  tx.set_response_status(resp == kRespOkay     ? tlm::TLM_OK_RESPONSE
                         : resp == kRespDecerr ? tlm::TLM_ADDRESS_ERROR_RESPONSE
                                               : tlm::TLM_GENERIC_ERROR_RESPONSE);
}

// Registers have side effects and live in the chip: no debug access, no DMI.
unsigned Systole::csr_transport_dbg(tlm::tlm_generic_payload &) { return 0; }

bool Systole::csr_get_direct_mem_ptr(tlm::tlm_generic_payload &, tlm::tlm_dmi &dmi) {
  dmi.set_start_address(0);
  dmi.set_end_address(kCsrBytes - 1);
  dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_NONE);
  return false;
}

void Systole::dma_invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) {}  // no DMI used

}  // namespace systole_sc
