// systole_sc_tlm.h — TLM-2.0 building blocks of the reference platform: a memory and an
// address router (loosely-timed, blocking transport).
#ifndef SYSTOLE_SC_TLM_H
#define SYSTOLE_SC_TLM_H

#include <cstdint>
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

namespace systole_sc {

// A flat memory at local addresses [0, size). b_transport copies data (byte enables
// honoured on reads and writes) and annotates a fixed delay: read_latency for reads,
// write_latency for writes, whatever the length — the time until a read's first data and
// until a write is complete. It never calls wait(), so it may be called from SC_METHODs
// (the Systole DMA port does). Debug transport and DMI (read/write, with the same
// latencies in the descriptor) are supported. Host memory is allocated lazily (calloc).
class Memory : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Memory> socket;

  Memory(const sc_core::sc_module_name &name, uint64_t size, const sc_core::sc_time &read_latency,
         const sc_core::sc_time &write_latency);
  ~Memory() override;
  Memory(const Memory &) = delete;
  Memory &operator=(const Memory &) = delete;
  const char *kind() const override { return "systole_sc::Memory"; }

  uint64_t size() const { return size_; }
  uint8_t *data() { return mem_; }  // backdoor for tests
  sc_core::sc_time read_latency, write_latency;  // may be changed between transactions

 private:
  uint64_t size_;
  uint8_t *mem_;
  void b_transport(tlm::tlm_generic_payload &tx, sc_core::sc_time &delay);
  unsigned transport_dbg(tlm::tlm_generic_payload &tx);
  bool get_direct_mem_ptr(tlm::tlm_generic_payload &tx, tlm::tlm_dmi &dmi);
};

// An address router: any number of initiators on `targ`, targets on `init` (bound in the
// order of map()). A transaction is forwarded to the target whose range holds its whole
// address range, with the address made local (address - base); anything else answers
// TLM_ADDRESS_ERROR_RESPONSE. Adds no delay. Forwards debug transport, DMI requests
// (descriptors translated back to global addresses) and DMI invalidations (to every
// initiator).
class Router : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<Router> targ;  // bind initiators here
  tlm_utils::multi_passthrough_initiator_socket<Router> init; // bind targets here

  explicit Router(const sc_core::sc_module_name &name);
  const char *kind() const override { return "systole_sc::Router"; }

  // Target `port` (index of init's binding, 0 = bound first) answers [base, base + size).
  void map(uint64_t base, uint64_t size, unsigned port);

 private:
  struct Range {
    uint64_t base, size;
    unsigned port;
  };
  std::vector<Range> map_;
  const Range *decode(uint64_t addr, uint64_t len) const;
  void b_transport(int id, tlm::tlm_generic_payload &tx, sc_core::sc_time &delay);
  unsigned transport_dbg(int id, tlm::tlm_generic_payload &tx);
  bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload &tx, tlm::tlm_dmi &dmi);
  void invalidate_direct_mem_ptr(int id, sc_dt::uint64 start, sc_dt::uint64 end);
};

}  // namespace systole_sc

#endif  // SYSTOLE_SC_TLM_H
