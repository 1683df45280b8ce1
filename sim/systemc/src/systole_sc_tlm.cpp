// systole_sc_tlm.cpp — TLM memory and router of the reference platform.
#include "systole_sc_tlm.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace systole_sc {

using sc_core::sc_time;

// ---- Memory ------------------------------------------------------------------------------

Memory::Memory(const sc_core::sc_module_name &name, uint64_t size, const sc_time &rd_lat,
               const sc_time &wr_lat)
    : sc_module(name), socket("socket"), read_latency(rd_lat), write_latency(wr_lat),
      size_(size), mem_(static_cast<uint8_t *>(std::calloc(1, size ? size : 1))) {
  if (!mem_) throw std::bad_alloc();
  socket.register_b_transport(this, &Memory::b_transport);
  socket.register_transport_dbg(this, &Memory::transport_dbg);
  socket.register_get_direct_mem_ptr(this, &Memory::get_direct_mem_ptr);
}

Memory::~Memory() { std::free(mem_); }

void Memory::b_transport(tlm::tlm_generic_payload &tx, sc_time &delay) {
  const uint64_t addr = tx.get_address();
  const unsigned len = tx.get_data_length();
  const unsigned char *be = tx.get_byte_enable_ptr();
  const unsigned be_len = tx.get_byte_enable_length();
  const tlm::tlm_command cmd = tx.get_command();
  if (addr > size_ || len > size_ - addr) {
    tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (tx.get_streaming_width() < len) {
    tx.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  if (be && be_len == 0) {
    tx.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return;
  }
  unsigned char *data = tx.get_data_ptr();
  uint8_t *m = mem_ + addr;
  if (cmd == tlm::TLM_READ_COMMAND) {
    if (!be) {
      std::memcpy(data, m, len);
    } else {
      for (unsigned i = 0; i < len; ++i)
        if (be[i % be_len] == TLM_BYTE_ENABLED) data[i] = m[i];
    }
    delay += read_latency;
  } else if (cmd == tlm::TLM_WRITE_COMMAND) {
    if (!be) {
      std::memcpy(m, data, len);
    } else {
      for (unsigned i = 0; i < len; ++i)
        if (be[i % be_len] == TLM_BYTE_ENABLED) m[i] = data[i];
    }
    delay += write_latency;
  }
  tx.set_dmi_allowed(true);
  tx.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned Memory::transport_dbg(tlm::tlm_generic_payload &tx) {
  const uint64_t addr = tx.get_address();
  if (addr >= size_) return 0;
  uint64_t len = tx.get_data_length();
  if (len > size_ - addr) len = size_ - addr;
  if (tx.get_command() == tlm::TLM_READ_COMMAND)
    std::memcpy(tx.get_data_ptr(), mem_ + addr, len);
  else if (tx.get_command() == tlm::TLM_WRITE_COMMAND)
    std::memcpy(mem_ + addr, tx.get_data_ptr(), len);
  else
    return 0;
  return unsigned(len);
}

bool Memory::get_direct_mem_ptr(tlm::tlm_generic_payload &, tlm::tlm_dmi &dmi) {
  dmi.set_dmi_ptr(mem_);
  dmi.set_start_address(0);
  dmi.set_end_address(size_ - 1);
  dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_READ_WRITE);
  dmi.set_read_latency(read_latency);
  dmi.set_write_latency(write_latency);
  return true;
}

// ---- Router ------------------------------------------------------------------------------

Router::Router(const sc_core::sc_module_name &name) : sc_module(name), targ("targ"), init("init") {
  targ.register_b_transport(this, &Router::b_transport);
  targ.register_transport_dbg(this, &Router::transport_dbg);
  targ.register_get_direct_mem_ptr(this, &Router::get_direct_mem_ptr);
  init.register_invalidate_direct_mem_ptr(this, &Router::invalidate_direct_mem_ptr);
}

void Router::map(uint64_t base, uint64_t size, unsigned port) {
  if (size == 0 || base + size < base) SC_REPORT_ERROR("systole_sc", "Router::map: bad range");
  for (const Range &r : map_)
    if (base < r.base + r.size && r.base < base + size)
      SC_REPORT_ERROR("systole_sc", "Router::map: overlapping ranges");
  map_.push_back(Range{base, size, port});
}

const Router::Range *Router::decode(uint64_t addr, uint64_t len) const {
  for (const Range &r : map_)
    if (addr >= r.base && addr - r.base < r.size && len <= r.size - (addr - r.base)) return &r;
  return nullptr;
}

void Router::b_transport(int, tlm::tlm_generic_payload &tx, sc_time &delay) {
  const uint64_t addr = tx.get_address();
  const Range *r = decode(addr, tx.get_data_length() ? tx.get_data_length() : 1);
  if (!r || r->port >= init.size()) {
    tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  tx.set_address(addr - r->base);
  init[r->port]->b_transport(tx, delay);
  tx.set_address(addr);
}

unsigned Router::transport_dbg(int, tlm::tlm_generic_payload &tx) {
  const uint64_t addr = tx.get_address();
  const Range *r = decode(addr, 1);
  if (!r || r->port >= init.size()) return 0;
  const uint64_t room = r->size - (addr - r->base);
  const unsigned len = tx.get_data_length();
  if (len > room) tx.set_data_length(unsigned(room));
  tx.set_address(addr - r->base);
  const unsigned n = init[r->port]->transport_dbg(tx);
  tx.set_address(addr);
  tx.set_data_length(len);
  return n;
}

bool Router::get_direct_mem_ptr(int, tlm::tlm_generic_payload &tx, tlm::tlm_dmi &dmi) {
  const uint64_t addr = tx.get_address();
  const Range *r = decode(addr, 1);
  if (!r || r->port >= init.size()) {
    dmi.set_start_address(addr);
    dmi.set_end_address(addr);
    return false;
  }
  tx.set_address(addr - r->base);
  const bool ok = init[r->port]->get_direct_mem_ptr(tx, dmi);
  tx.set_address(addr);
  // back to global addresses, clipped to the range (the pointer stays that of start s)
  uint64_t s = dmi.get_start_address(), e = dmi.get_end_address();
  if (e > r->size - 1) e = r->size - 1;
  dmi.set_start_address(r->base + s);
  dmi.set_end_address(r->base + e);
  return ok;
}

void Router::invalidate_direct_mem_ptr(int id, sc_dt::uint64 start, sc_dt::uint64 end) {
  for (const Range &r : map_) {
    if (int(r.port) != id || start >= r.size) continue;
    const uint64_t e = end > r.size - 1 ? r.size - 1 : end;
    for (unsigned i = 0; i < targ.size(); ++i)
      targ[i]->invalidate_direct_mem_ptr(r.base + start, r.base + e);
  }
}

}  // namespace systole_sc
