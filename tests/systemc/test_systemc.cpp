// test_systemc.cpp — the SystemC/TLM-2.0 reference platform, checked.
//
// Usage: test_systemc [--timed] [--bench [-r reps] [-c config] [-o csv]] [memory options]
//   memory options (both models): --read-latency N --write-latency N (cycles; on the
//   platform the TLM memory annotates N clock periods), --bytes-per-cycle N,
//   --max-outstanding N. Defaults: the C-API model's (50, 10, 8, 256).
//
// Default: on the SystemC platform the CPU thread runs, through HalTlm and the unchanged
// driver, a conv2d job and an attention job (each checked bit for bit against the golden
// kernels), then TLM-level checks of the Systole module (CSR responses, DMI refused, debug
// transport refused, an access issued at a rising edge) and two DMA error paths. Then the same
// jobs run on the plain C-API model (systole_hal_sim) in the same process, and every chip
// counter of every job, the cycles of every job call, the total cycles since reset and the
// AXI bytes moved must be equal on the two models; and the comparison must be able to
// fail: the C-API model with one more cycle of read latency must give other counters.
//   --timed   host<->device copies as timed b_transport instead of debug transport: the
//             jobs must still be bit-exact; counters are not compared (host timing differs).
//   --bench   run each job reps times (default 3) on both models and append rows to the
//             CSV (header as `make bench`): workload "systemc", names <job>_systemc and
//             <job>_capi, sim_cycles_per_s = simulated cycles of the job call / median
//             host seconds.
// Ends with a Check-style summary line; exit status 0 iff every check passed.

#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>

#include "sc_jobs.h"
#include "systole_hal_sim.h"
#include "systole_regs.h"
#include "systole_sc_platform.h"
#include "systole_sim.h"

namespace {

using namespace systole_sc;
using sc_core::sc_time;
using sc_core::SC_NS;

int g_checks = 0, g_failures = 0;

const char *resp_str(tlm::tlm_response_status r) {
  switch (r) {
    case tlm::TLM_OK_RESPONSE: return "OK";
    case tlm::TLM_INCOMPLETE_RESPONSE: return "INCOMPLETE";
    case tlm::TLM_GENERIC_ERROR_RESPONSE: return "GENERIC_ERROR";
    case tlm::TLM_ADDRESS_ERROR_RESPONSE: return "ADDRESS_ERROR";
    case tlm::TLM_COMMAND_ERROR_RESPONSE: return "COMMAND_ERROR";
    case tlm::TLM_BURST_ERROR_RESPONSE: return "BURST_ERROR";
    case tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE: return "BYTE_ENABLE_ERROR";
    default: return "?";
  }
}

void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void check(bool ok, const char *fmt, ...) {
  va_list ap;
  ++g_checks;
  if (!ok) ++g_failures;
  std::printf("%s: ", ok ? "ok  " : "FAIL");
  va_start(ap, fmt);
  std::vprintf(fmt, ap);
  va_end(ap);
  std::printf("\n");
  std::fflush(stdout);
}

struct Options {
  bool bench = false, timed = false;
  unsigned reps = 3;
  const char *csv = nullptr;
  const char *config = "8x8";
  unsigned rd_lat = 50, wr_lat = 10, bpc = 8, outstanding = 256;
};

// One 4-byte transaction from the CPU's socket; returns the response status.
tlm::tlm_response_status cpu_access(Cpu &cpu, tlm::tlm_command cmd, uint64_t addr, void *data,
                                    unsigned len) {
  tlm::tlm_generic_payload tx;
  sc_time d = sc_core::SC_ZERO_TIME;
  tx.set_command(cmd);
  tx.set_address(addr);
  tx.set_data_ptr(static_cast<unsigned char *>(data));
  tx.set_data_length(len);
  tx.set_streaming_width(len);
  tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  cpu.bus->b_transport(tx, d);
  if (d > sc_core::SC_ZERO_TIME) sc_core::wait(d);
  return tx.get_response_status();
}

// TLM-level checks of the Systole module, from the CPU thread (after the jobs).
void module_checks(Platform &p, const systole_hal_t *hal) {
  Cpu &cpu = p.cpu;
  const uint64_t csr = p.cfg.csr_base;
  uint32_t v = 0;
  uint64_t buf = 0;
  tlm::tlm_response_status r = cpu_access(cpu, tlm::TLM_READ_COMMAND, csr + SYSTOLE_REG_ID, &v, 4);
  check(r == tlm::TLM_OK_RESPONSE && v == 0x53595354u, "CSR read of ID over TLM: 0x%08x", v);

  // an access issued exactly at a rising edge starts in the cycle that edge begins and
  // takes as many cycles as one issued mid-cycle
  const uint64_t c0 = p.chip.cycles();
  r = cpu_access(cpu, tlm::TLM_READ_COMMAND, csr + SYSTOLE_REG_ID, &v, 4);
  const uint64_t mid_cycles = p.chip.cycles() - c0;
  sc_core::wait(p.clk.posedge_event());
  const uint64_t c1 = p.chip.cycles();
  const tlm::tlm_response_status r2 =
      cpu_access(cpu, tlm::TLM_READ_COMMAND, csr + SYSTOLE_REG_ID, &v, 4);
  const uint64_t edge_cycles = p.chip.cycles() - c1;
  check(r == tlm::TLM_OK_RESPONSE && r2 == tlm::TLM_OK_RESPONSE && mid_cycles == edge_cycles &&
            mid_cycles > 0,
        "CSR read issued mid-cycle takes %" PRIu64 " cycles, at a rising edge %" PRIu64,
        mid_cycles, edge_cycles);

  r = cpu_access(cpu, tlm::TLM_READ_COMMAND, csr + 2, &v, 4);
  check(r == tlm::TLM_ADDRESS_ERROR_RESPONSE, "unaligned CSR offset: %s",
        resp_str(r));
  r = cpu_access(cpu, tlm::TLM_READ_COMMAND, csr, &buf, 8);
  check(r == tlm::TLM_BURST_ERROR_RESPONSE, "8-byte CSR access: %s",
        resp_str(r));
  r = cpu_access(cpu, tlm::TLM_READ_COMMAND, csr + Systole::kCsrBytes, &v, 4);
  check(r == tlm::TLM_ADDRESS_ERROR_RESPONSE, "access past the CSR window: %s",
        resp_str(r));

  tlm::tlm_generic_payload tx;
  tlm::tlm_dmi dmi;
  tx.set_command(tlm::TLM_READ_COMMAND);
  tx.set_address(csr + 0x40);
  bool ok = cpu.bus->get_direct_mem_ptr(tx, dmi);
  check(!ok && dmi.get_start_address() == csr && dmi.get_end_address() == csr + 0xfff,
        "DMI refused on the CSR window, range 0x%llx..0x%llx",
        (unsigned long long)dmi.get_start_address(), (unsigned long long)dmi.get_end_address());
  tx.set_data_ptr(reinterpret_cast<unsigned char *>(&v));
  tx.set_data_length(4);
  tx.set_streaming_width(4);
  tx.set_address(csr);
  check(cpu.bus->transport_dbg(tx) == 0, "debug transport refused on the CSR window");

  tlm::tlm_dmi mdmi;
  tx.set_address(p.cfg.mem_base + 0x1000);
  ok = cpu.bus->get_direct_mem_ptr(tx, mdmi);
  check(ok && mdmi.get_read_latency() == p.cfg.clock_period * p.cfg.mem_read_latency_cycles &&
            mdmi.get_dmi_ptr() == p.mem.data() &&
            mdmi.get_end_address() == p.cfg.mem_base + p.cfg.mem_bytes - 1,
        "memory grants DMI over [0x%llx, 0x%llx] with read latency %s",
        (unsigned long long)mdmi.get_start_address(), (unsigned long long)mdmi.get_end_address(),
        mdmi.get_read_latency().to_string().c_str());

  check(!p.irq.read(), "interrupt line low after the jobs");
  check(p.chip.fault() == nullptr, "no AXI protocol fault: %s",
        p.chip.fault() ? p.chip.fault() : "none");

  char msg[256] = "";
  const int rc = sc_jobs_dma_error(hal, 0x08000000u, msg, sizeof msg);
  check(rc == 0, "DMA read from an unmapped address: DECERR -> chip AXI_RD error -> recovery%s%s",
        rc ? ": " : "", msg);
  msg[0] = 0;
  const int rc2 = sc_jobs_dma_error(hal, uint32_t(csr), msg, sizeof msg);
  check(rc2 == 0, "DMA read routed to the chip's own CSR window: refused (SLVERR) -> AXI_RD "
        "error -> recovery%s%s", rc2 ? ": " : "", msg);
  check(p.chip.fault() == nullptr, "no fault recorded after the DMA errors");
}

void print_stats(const char *label, const sc_job_result_t &r) {
  const systole_stats_t &s = r.stats;
  std::printf("  %-8s cycles %" PRIu64 " wall %" PRIu64 " compute %" PRIu64 " array_macs %" PRIu64
              " dma_rd %" PRIu64 " dma_wr %" PRIu64 " cmds %" PRIu64 " call %" PRIu64
              " cycles, host %.3f s\n",
              label, s.cycles, s.wall_cycles, s.compute_cycles, s.array_macs, s.dma_rd_bytes,
              s.dma_wr_bytes, s.commands, r.hal_cycles, r.host_seconds);
  std::printf("           stalls ld_dep %" PRIu64 " ex_dep %" PRIu64 " st_dep %" PRIu64
              " ex_wload %" PRIu64 " rd_mem %" PRIu64 " wr_mem %" PRIu64 " fetch %" PRIu64
              " queue %" PRIu64 "\n",
              s.stall_ld_dep, s.stall_ex_dep, s.stall_st_dep, s.stall_ex_wload, s.stall_rd_mem,
              s.stall_wr_mem, s.stall_fetch, s.stall_queue_full);
}

// Every counter of the two runs, field by field.
bool same_stats(const systole_stats_t &a, const systole_stats_t &b, std::string *diff) {
  struct F {
    const char *name;
    uint64_t x, y;
  } f[] = {
      {"cycles", a.cycles, b.cycles},
      {"wall_cycles", a.wall_cycles, b.wall_cycles},
      {"workload_macs", a.workload_macs, b.workload_macs},
      {"array_macs", a.array_macs, b.array_macs},
      {"compute_cycles", a.compute_cycles, b.compute_cycles},
      {"dma_rd_bytes", a.dma_rd_bytes, b.dma_rd_bytes},
      {"dma_wr_bytes", a.dma_wr_bytes, b.dma_wr_bytes},
      {"stall_ld_dep", a.stall_ld_dep, b.stall_ld_dep},
      {"stall_ex_dep", a.stall_ex_dep, b.stall_ex_dep},
      {"stall_st_dep", a.stall_st_dep, b.stall_st_dep},
      {"stall_ex_wload", a.stall_ex_wload, b.stall_ex_wload},
      {"stall_rd_mem", a.stall_rd_mem, b.stall_rd_mem},
      {"stall_wr_mem", a.stall_wr_mem, b.stall_wr_mem},
      {"stall_fetch", a.stall_fetch, b.stall_fetch},
      {"stall_queue_full", a.stall_queue_full, b.stall_queue_full},
      {"commands", a.commands, b.commands},
  };
  bool same = a.utilisation == b.utilisation;
  for (const F &e : f) {
    if (e.x != e.y) {
      same = false;
      char buf[128];
      std::snprintf(buf, sizeof buf, " %s %" PRIu64 " != %" PRIu64, e.name, e.x, e.y);
      *diff += buf;
    }
  }
  return same;
}

void csv_row(FILE *f, const Options &o, const sc_job_result_t &r, const char *suffix) {
  const double rate = r.host_seconds > 0 ? double(r.hal_cycles) / r.host_seconds : 0.0;
  std::fprintf(f, "%s,systemc,%s_%s,%" PRIu64 ",%" PRIu64 ",%.4f,%" PRIu64 ",%" PRIu64 ",%.0f\n",
               o.config, r.name, suffix, r.stats.cycles, r.stats.workload_macs,
               r.stats.utilisation, r.stats.dma_rd_bytes, r.stats.dma_wr_bytes, rate);
}

int usage() {
  std::fprintf(stderr,
               "usage: test_systemc [--timed] [--bench [-r reps] [-c config] [-o csv]]\n"
               "                    [--read-latency N] [--write-latency N] [--bytes-per-cycle N]\n"
               "                    [--max-outstanding N]\n");
  return 2;
}

}  // namespace

int sc_main(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--bench")) o.bench = true;
    else if (!std::strcmp(argv[i], "--timed")) o.timed = true;
    else if (!std::strcmp(argv[i], "-r") && i + 1 < argc) o.reps = unsigned(std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "-c") && i + 1 < argc) o.config = argv[++i];
    else if (!std::strcmp(argv[i], "-o") && i + 1 < argc) o.csv = argv[++i];
    else if (!std::strcmp(argv[i], "--read-latency") && i + 1 < argc) o.rd_lat = unsigned(std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--write-latency") && i + 1 < argc) o.wr_lat = unsigned(std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--bytes-per-cycle") && i + 1 < argc) o.bpc = unsigned(std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--max-outstanding") && i + 1 < argc) o.outstanding = unsigned(std::atoi(argv[++i]));
    else return usage();
  }
  if (o.rd_lat < 1 || o.wr_lat < 1 || o.bpc < 1 || o.outstanding < 1) return usage();
  systole_sim_config_t ccfg;
  systole_sim_config_default(&ccfg);
  ccfg.read_latency = o.rd_lat;
  ccfg.write_latency = o.wr_lat;
  ccfg.bytes_per_cycle = o.bpc;
  ccfg.max_outstanding = o.outstanding;
  PlatformConfig pcfg;
  pcfg.mem_bytes = ccfg.mem_bytes;
  pcfg.mem_read_latency_cycles = o.rd_lat;
  pcfg.mem_write_latency_cycles = o.wr_lat;
  pcfg.chip.bytes_per_cycle = o.bpc;
  pcfg.chip.max_outstanding = o.outstanding;
  if (o.reps < 1) o.reps = 1;
  const unsigned reps = o.bench ? o.reps : 1;
  const unsigned mask = (1u << SC_JOB_CONV2D) | (1u << SC_JOB_ATTENTION);

  // ---- the SystemC platform ----
  std::unique_ptr<Platform> plat(new Platform("top", pcfg));
  HalTlm hal(plat->cpu.bus, plat->clk, plat->irq, &plat->idle, plat->hal_config(o.timed));
  sc_job_result_t sc_res[SC_JOB_COUNT];
  int sc_rc = -1;
  uint64_t sc_total_cycles = 0, sc_rd = 0, sc_wr = 0;
  plat->cpu.program = [&] {
    sc_rc = sc_jobs_run(hal.hal(), mask, reps, sc_res);
    sc_total_cycles = plat->chip.cycles();
    plat->chip.mem_stats(&sc_rd, &sc_wr);
    if (!o.bench) module_checks(*plat, hal.hal());
    sc_core::sc_stop();
  };
  std::printf("=== SystemC platform%s: read latency %s, write latency %s (annotated by the TLM "
              "memory), %u bytes/cycle, %u outstanding\n",
              o.timed ? " (timed host copies)" : "", plat->mem.read_latency.to_string().c_str(),
              plat->mem.write_latency.to_string().c_str(), o.bpc, o.outstanding);
  sc_core::sc_start();
  check(plat->cpu.finished, "the CPU thread ran to the end");
  for (int j = 0; j < SC_JOB_COUNT; ++j) {
    const sc_job_result_t &r = sc_res[j];
    check(r.ran && r.pass, "SystemC: %s bit-exact against the golden kernel%s%s", r.name,
          r.msg[0] ? ": " : "", r.msg);
    print_stats("systemc", r);
  }
  check(sc_rc == 0, "SystemC: jobs and device close");
  check(plat->chip.fault() == nullptr, "SystemC: no fault recorded by the module");

  // ---- the same jobs on the plain C-API model ----
  sc_job_result_t c_res[SC_JOB_COUNT];
  uint64_t c_total_cycles = 0, c_rd = 0, c_wr = 0;
  if (!o.timed || o.bench) {
    std::printf("=== C-API model: read latency %u, write latency %u cycles, %u bytes/cycle, %u "
                "outstanding\n", ccfg.read_latency, ccfg.write_latency, ccfg.bytes_per_cycle,
                ccfg.max_outstanding);
    systole_hal_sim_t hs;
    if (systole_hal_sim_open(&hs, &ccfg) != SYSTOLE_OK) {
      check(false, "systole_hal_sim_open");
    } else {
      const int rc = sc_jobs_run(&hs.hal, mask, reps, c_res);
      c_total_cycles = systole_sim_cycles(hs.sim);
      systole_sim_mem_stats(hs.sim, &c_rd, &c_wr);
      check(rc == 0, "C-API: jobs and device close");
      for (int j = 0; j < SC_JOB_COUNT; ++j) {
        check(c_res[j].ran && c_res[j].pass, "C-API: %s bit-exact against the golden kernel%s%s",
              c_res[j].name, c_res[j].msg[0] ? ": " : "", c_res[j].msg);
        print_stats("c-api", c_res[j]);
      }
      if (!o.timed) {
        for (int j = 0; j < SC_JOB_COUNT; ++j) {
          std::string diff;
          const bool same = same_stats(sc_res[j].stats, c_res[j].stats, &diff);
          check(same,
                "%s: all 16 chip counters equal on SystemC and C-API (BUSY_CYCLES %" PRIu64
                ", CYCLES %" PRIu64 ")%s",
                sc_res[j].name, sc_res[j].stats.cycles, sc_res[j].stats.wall_cycles, diff.c_str());
          check(sc_res[j].hal_cycles == c_res[j].hal_cycles,
                "%s: job call takes %" PRIu64 " cycles on SystemC, %" PRIu64 " on C-API",
                sc_res[j].name, sc_res[j].hal_cycles, c_res[j].hal_cycles);
        }
        check(sc_total_cycles == c_total_cycles,
              "cycles from reset to the end of the jobs: SystemC %" PRIu64 ", C-API %" PRIu64,
              sc_total_cycles, c_total_cycles);
        check(sc_rd == c_rd && sc_wr == c_wr,
              "AXI bytes moved: SystemC rd %" PRIu64 " wr %" PRIu64 ", C-API rd %" PRIu64
              " wr %" PRIu64,
              sc_rd, sc_wr, c_rd, c_wr);
      }
      if (systole_hal_sim_close(&hs) != SYSTOLE_OK) check(false, "systole_hal_sim_close");
    }
    if (!o.timed && !o.bench) {
      // the comparison is sensitive: one more cycle of read latency shows in the counters
      systole_sim_config_t slow = ccfg;
      slow.read_latency = ccfg.read_latency + 1;
      sc_job_result_t s_res[SC_JOB_COUNT];
      std::string diff;
      if (systole_hal_sim_open(&hs, &slow) == SYSTOLE_OK) {
        const int rc = sc_jobs_run(&hs.hal, 1u << SC_JOB_CONV2D, 1, s_res);
        const bool same = same_stats(sc_res[SC_JOB_CONV2D].stats, s_res[SC_JOB_CONV2D].stats, &diff);
        check(rc == 0 && !same,
              "control: C-API with read latency %u differs from the SystemC run:%s",
              slow.read_latency, diff.c_str());
        if (systole_hal_sim_close(&hs) != SYSTOLE_OK) check(false, "systole_hal_sim_close");
      } else {
        check(false, "systole_hal_sim_open (control)");
      }
    }
  }

  if (o.bench) {
    FILE *f = o.csv ? std::fopen(o.csv, "a") : stdout;
    if (!f) {
      std::perror(o.csv);
      return 1;
    }
    for (int j = 0; j < SC_JOB_COUNT; ++j) {
      csv_row(f, o, sc_res[j], "systemc");
      csv_row(f, o, c_res[j], "capi");
      const double a = sc_res[j].host_seconds, b = c_res[j].host_seconds;
      const double ua = sc_res[j].cpu_seconds, ub = c_res[j].cpu_seconds;
      std::printf("speed %s: wall clock: SystemC %.0f cycles/s, C-API %.0f cycles/s (C-API "
                  "%.2fx faster); CPU time: SystemC %.0f, C-API %.0f cycles/s (%.2fx)\n",
                  sc_res[j].name, a > 0 ? sc_res[j].hal_cycles / a : 0.0,
                  b > 0 ? c_res[j].hal_cycles / b : 0.0, a > 0 && b > 0 ? a / b : 0.0,
                  ua > 0 ? sc_res[j].hal_cycles / ua : 0.0, ub > 0 ? c_res[j].hal_cycles / ub : 0.0,
                  ua > 0 && ub > 0 ? ua / ub : 0.0);
    }
    if (f != stdout) std::fclose(f);
  }

  plat.reset();
  std::printf("%d%%: Checks: %d, Failures: %d, Errors: 0\n",
              g_checks ? (g_checks - g_failures) * 100 / g_checks : 100, g_checks, g_failures);
  return g_failures ? 1 : 0;
}
