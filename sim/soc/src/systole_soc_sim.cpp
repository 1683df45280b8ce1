// systole_soc_sim.cpp — Verilator model of systole_soc behind a C99 API: reset with the core
// held, an ELF32 loader through the SoC's loader port, run to SIMCTRL EXIT or a cycle
// limit, UART capture, FST waves of a window of cycles.
//
// C++ only because Verilator models are C++. Everything public is declared in
// sim/soc/include/systole_soc_sim.h; docs/soc.md ("Simulation") describes the behaviour.
//
// The SoC parameters this model was Verilated with come in as -D defines from
// sim/soc/soc.mk (SOC_CONFIG_NAME, SOC_ROWS, ...): Verilator 5.006 does not expose the top
// module's parameters to C++.

#include "systole_soc_sim.h"

#include "Vsystole_soc.h"
#include "verilated.h"
#include "verilated_fst_c.h"

#include <cerrno>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#if !defined(SOC_CONFIG_NAME) || !defined(SOC_ROWS) || !defined(SOC_COLS) ||      \
    !defined(SOC_RAM_BYTES) || !defined(SOC_MAIN_BYTES) || !defined(SOC_CLK_HZ) || \
    !defined(SOC_UART_DIV) || !defined(SOC_FAST_MUL)
#error "build through sim/soc/soc.mk: the SOC_* parameter defines are missing"
#endif
#ifndef SOC_RESET_VECTOR
#define SOC_RESET_VECTOR 0x00000000u  // the core starts at the base of RAM
#endif

namespace {

constexpr uint32_t kResetCycles = 4;           // cycles with rst_ni low at create
constexpr uint32_t kRamBase = 0x00000000u;     // docs/soc.md memory map
constexpr uint32_t kMainBase = 0x80000000u;
constexpr uint64_t kRamBytes = SOC_RAM_BYTES;
constexpr uint64_t kMainBytes = SOC_MAIN_BYTES;
constexpr uint64_t kMaxElfBytes = 1ull << 30;  // refuse to read larger files
static_assert(kRamBytes % 4 == 0 && kMainBytes % 4 == 0, "memory sizes must be whole words");
static_assert(kRamBase + kRamBytes <= kMainBase, "RAM overlaps main memory");
static_assert(uint64_t(kMainBase) + kMainBytes <= (1ull << 32), "main memory past 4 GiB");

struct Region {
  uint32_t base;
  uint64_t bytes;
  const char* name;
};
constexpr Region kRegions[2] = {{kRamBase, kRamBytes, "RAM"}, {kMainBase, kMainBytes, "main memory"}};

// The region holding [addr, addr + bytes) whole, or -1.
int region_of(uint64_t addr, uint64_t bytes) {
  for (int i = 0; i < 2; ++i) {
    const Region& r = kRegions[i];
    if (addr >= r.base && bytes <= r.bytes && addr - r.base <= r.bytes - bytes) return i;
  }
  return -1;
}

inline uint16_t rd16(const uint8_t* p) { return uint16_t(p[0] | (p[1] << 8)); }
inline uint32_t rd32(const uint8_t* p) {
  return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}

}  // namespace

struct systole_soc_sim {
  VerilatedContext* ctx = nullptr;
  Vsystole_soc* top = nullptr;
  VerilatedFstC* fst = nullptr;
  bool fst_open = false;
  std::string wave_path_cfg, wave_path_open;
  uint64_t wave_event = UINT64_MAX;  // run cycle at which the window opens/closes
  uint64_t win_from = 0, win_to = 0;
  bool win_armed = false;
  uint64_t period = 10, half = 5;    // clock period in the model's time precision

  systole_soc_sim_config_t cfg{};
  uint64_t cyc = 0;       // rising edges since the core was released
  uint64_t abs_cyc = 0;   // every rising edge, reset and loader included (wave time)
  bool released = false;  // boot_hold_i dropped

  bool exited = false;
  uint32_t exit_code = 0;

  std::vector<char> uart;  // captured text, NUL-terminated
  uint64_t uart_total = 0;

  char fault[256] = {0};
  char err[512] = {0};
};

namespace {

int fail(systole_soc_sim_t* s, int status, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));
int fail(systole_soc_sim_t* s, int status, const char* fmt, ...) {
  if (s) {
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
  }
  return status;
}

void set_fault(systole_soc_sim_t* s, const char* msg) {
  if (s->fault[0]) return;
  std::snprintf(s->fault, sizeof s->fault, "cycle %llu: %s", (unsigned long long)s->cyc, msg);
  std::fprintf(stderr, "systole_soc_sim: %s\n", s->fault);
}

void trace_dump(systole_soc_sim_t* s, uint64_t t) {
  if (s->fst_open) s->fst->dump(t);
}

int wave_open(systole_soc_sim_t* s, const char* path) {
  if (s->fst_open && s->wave_path_open == path) return SYSTOLE_SOC_SIM_OK;
  if (s->fst_open) {
    s->fst->close();
    s->fst_open = false;
  }
  if (!s->fst) {
    s->fst = new (std::nothrow) VerilatedFstC;
    if (!s->fst) return fail(s, SYSTOLE_SOC_SIM_ENOMEM, "out of memory for the wave writer");
    s->top->trace(s->fst, 99);
  }
  s->fst->open(path);
  if (!s->fst->isOpen()) return fail(s, SYSTOLE_SOC_SIM_EIO, "cannot open wave file %s", path);
  s->fst_open = true;
  s->wave_path_open = path;
  return SYSTOLE_SOC_SIM_OK;
}

void wave_close(systole_soc_sim_t* s) {
  if (!s->fst_open) return;
  s->fst->close();
  s->fst_open = false;
}

// Open or close the wave window when the run clock reaches one of its ends.
void wave_event(systole_soc_sim_t* s) {
  if (!s->win_armed) {
    s->wave_event = UINT64_MAX;
    return;
  }
  if (s->cyc >= s->win_to) {
    wave_close(s);
    s->win_armed = false;
    s->wave_event = UINT64_MAX;
  } else if (s->cyc >= s->win_from) {
    if (wave_open(s, s->wave_path_cfg.c_str()) != SYSTOLE_SOC_SIM_OK) {
      set_fault(s, "cannot open the wave file for the window");
      s->win_armed = false;
      s->wave_event = UINT64_MAX;
      return;
    }
    s->wave_event = s->win_to;
  } else {
    s->wave_event = s->win_from;
  }
}

void uart_byte(systole_soc_sim_t* s, uint8_t b) {
  ++s->uart_total;
  if (s->uart.size() <= s->cfg.uart_capture_bytes) {  // size() counts the trailing NUL
    try {
      s->uart.push_back('\0');
      s->uart[s->uart.size() - 2] = char(b);
    } catch (const std::bad_alloc&) {
      s->cfg.uart_capture_bytes = 0;  // out of host memory: keep what we have, stop capturing
    }
  }
  if (s->cfg.uart_echo) {
    std::fputc(b, stdout);
    std::fflush(stdout);
  }
}

// One clock cycle: settle (clk 0, inputs of the previous cycle propagate), sample the
// simulator outputs of this cycle, rising edge. `run` cycles count in s->cyc and drive the
// wave window; loader and reset cycles only in s->abs_cyc.
template <bool kRun>
inline void tick(systole_soc_sim_t* s) {
  Vsystole_soc* t = s->top;
  if (kRun && s->cyc == s->wave_event) wave_event(s);
  const uint64_t t0 = s->abs_cyc * s->period;
  t->clk_i = 0;
  s->ctx->time(t0);
  t->eval();
  trace_dump(s, t0);
  if (t->uart_byte_valid_o) uart_byte(s, uint8_t(t->uart_byte_o));
  if (t->exit_valid_o && !s->exited) {
    s->exited = true;
    s->exit_code = uint32_t(t->exit_code_o);
  }
  t->clk_i = 1;
  s->ctx->time(t0 + s->half);
  t->eval();
  trace_dump(s, t0 + s->half);
  ++s->abs_cyc;
  if (kRun) ++s->cyc;
  if (s->ctx->gotFinish() && !s->fault[0])
    set_fault(s, "the SoC executed $stop/$finish/$fatal or an assertion failed");
}

// Drop boot_hold_i: the core leaves reset at the next rising edge.
void release(systole_soc_sim_t* s) {
  if (s->released) return;
  s->top->boot_hold_i = 0;
  s->top->ld_we_i = 0;
  s->released = true;
}

// Write words through the loader port, one per cycle. Caller checked the range.
void loader_write(systole_soc_sim_t* s, uint32_t addr, uint32_t word) {
  Vsystole_soc* t = s->top;
  t->ld_we_i = 1;
  t->ld_addr_i = addr;
  t->ld_wdata_i = word;
  tick<false>(s);
  t->ld_we_i = 0;
}

int check_loadable(systole_soc_sim_t* s) {
  if (s->released)
    return fail(s, SYSTOLE_SOC_SIM_ESTATE, "the core is already running: load before the first run");
  if (s->fault[0]) return fail(s, SYSTOLE_SOC_SIM_EIO, "the model stopped: %s", s->fault);
  return SYSTOLE_SOC_SIM_OK;
}

// Word image of one region: the words the ELF touches, with their values.
struct Image {
  std::vector<uint32_t> word;
  std::vector<uint8_t> touched;
};

// Check the whole ELF first, then write it. `what` names it in messages.
int load_elf(systole_soc_sim_t* s, const uint8_t* e, uint64_t n, const char* what) {
  int st = check_loadable(s);
  if (st) return st;
  if (n < 52)
    return fail(s, SYSTOLE_SOC_SIM_EFORMAT, "%s: truncated: %llu bytes, shorter than an ELF32 header (52)",
                what, (unsigned long long)n);
  if (e[0] != 0x7f || e[1] != 'E' || e[2] != 'L' || e[3] != 'F')
    return fail(s, SYSTOLE_SOC_SIM_EFORMAT, "%s: not an ELF file (bad magic)", what);
  if (e[4] != 1)
    return fail(s, SYSTOLE_SOC_SIM_EFORMAT,
                "%s: not ELF32 (EI_CLASS %u); build with -march=rv32im -mabi=ilp32", what, e[4]);
  if (e[5] != 1)
    return fail(s, SYSTOLE_SOC_SIM_EFORMAT, "%s: not little-endian (EI_DATA %u)", what, e[5]);
  if (e[6] != 1 || rd32(e + 20) != 1)
    return fail(s, SYSTOLE_SOC_SIM_EFORMAT, "%s: unknown ELF version", what);
  if (rd16(e + 16) != 2)
    return fail(s, SYSTOLE_SOC_SIM_EFORMAT, "%s: not an executable (e_type %u, ET_EXEC is 2)", what,
                rd16(e + 16));
  if (rd16(e + 18) != 243)
    return fail(s, SYSTOLE_SOC_SIM_EFORMAT, "%s: not a RISC-V file (e_machine %u, EM_RISCV is 243)",
                what, rd16(e + 18));
  const uint32_t entry = rd32(e + 24), phoff = rd32(e + 28);
  const uint32_t phentsize = rd16(e + 42), phnum = rd16(e + 44);
  if (phnum == 0 || phnum == 0xffff)
    return fail(s, SYSTOLE_SOC_SIM_EFORMAT, "%s: no program headers (e_phnum %u)", what, phnum);
  if (phentsize != 32)
    return fail(s, SYSTOLE_SOC_SIM_EFORMAT, "%s: bad program header size %u (ELF32: 32)", what,
                phentsize);
  if (uint64_t(phoff) + uint64_t(phnum) * 32 > n)
    return fail(s, SYSTOLE_SOC_SIM_EFORMAT,
                "%s: truncated: program headers [%u, %llu) reach past the end of the file (%llu bytes)",
                what, phoff, (unsigned long long)(uint64_t(phoff) + uint64_t(phnum) * 32),
                (unsigned long long)n);
  if (entry != SOC_RESET_VECTOR)
    return fail(s, SYSTOLE_SOC_SIM_EFORMAT,
                "%s: entry point 0x%08x is not the core's reset vector 0x%08x (link _start there)",
                what, entry, unsigned(SOC_RESET_VECTOR));

  // pass 1: check every PT_LOAD
  unsigned loads = 0;
  for (uint32_t i = 0; i < phnum; ++i) {
    const uint8_t* ph = e + phoff + 32ull * i;
    if (rd32(ph) != 1) continue;  // only PT_LOAD
    const uint32_t off = rd32(ph + 4), paddr = rd32(ph + 12), filesz = rd32(ph + 16),
                   memsz = rd32(ph + 20);
    if (filesz > memsz)
      return fail(s, SYSTOLE_SOC_SIM_EFORMAT, "%s: segment %u: p_filesz %u > p_memsz %u", what, i,
                  filesz, memsz);
    if (uint64_t(off) + filesz > n)
      return fail(s, SYSTOLE_SOC_SIM_EFORMAT,
                  "%s: truncated: segment %u's bytes [%u, %llu) reach past the end of the file (%llu bytes)",
                  what, i, off, (unsigned long long)(uint64_t(off) + filesz), (unsigned long long)n);
    if (memsz == 0) continue;
    if (region_of(paddr, memsz) < 0)
      return fail(s, SYSTOLE_SOC_SIM_ERANGE,
                  "%s: segment %u [0x%08x, 0x%08llx) is outside RAM [0x%08x, 0x%08llx) and main "
                  "memory [0x%08x, 0x%08llx)",
                  what, i, paddr, (unsigned long long)(uint64_t(paddr) + memsz), kRamBase,
                  (unsigned long long)(kRamBase + kRamBytes), kMainBase,
                  (unsigned long long)(kMainBase + kMainBytes));
    ++loads;
  }
  if (loads == 0) return fail(s, SYSTOLE_SOC_SIM_EFORMAT, "%s: no loadable (PT_LOAD) segment", what);

  // pass 2: build word images of the regions, later segments over earlier ones
  Image img[2];
  try {
    for (uint32_t i = 0; i < phnum; ++i) {
      const uint8_t* ph = e + phoff + 32ull * i;
      if (rd32(ph) != 1) continue;
      const uint32_t off = rd32(ph + 4), paddr = rd32(ph + 12), filesz = rd32(ph + 16),
                     memsz = rd32(ph + 20);
      if (memsz == 0) continue;
      const int r = region_of(paddr, memsz);
      Image& im = img[r];
      if (im.word.empty()) {
        im.word.assign(kRegions[r].bytes / 4, 0);
        im.touched.assign(kRegions[r].bytes / 4, 0);
      }
      const uint64_t rel = paddr - kRegions[r].base;
      for (uint64_t b = 0; b < memsz; ++b) {
        const uint64_t a = rel + b;
        const uint32_t v = b < filesz ? e[off + b] : 0;
        const unsigned sh = unsigned(a & 3) * 8;
        uint32_t& w = im.word[a >> 2];
        w = (w & ~(0xffu << sh)) | (v << sh);
        im.touched[a >> 2] = 1;
      }
    }
  } catch (const std::bad_alloc&) {
    return fail(s, SYSTOLE_SOC_SIM_ENOMEM, "%s: out of memory for the load image", what);
  }

  // pass 3: write the touched words through the loader port
  Verilated::threadContextp(s->ctx);
  for (int r = 0; r < 2; ++r) {
    for (size_t w = 0; w < img[r].touched.size(); ++w)
      if (img[r].touched[w]) loader_write(s, kRegions[r].base + uint32_t(w * 4), img[r].word[w]);
  }
  if (s->fault[0]) return fail(s, SYSTOLE_SOC_SIM_EIO, "the model stopped while loading: %s", s->fault);
  return SYSTOLE_SOC_SIM_OK;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// C API
// ---------------------------------------------------------------------------------------
extern "C" {

const char* systole_soc_sim_strerror(int status) {
  switch (status) {
    case SYSTOLE_SOC_SIM_OK: return "OK";
    case SYSTOLE_SOC_SIM_EINVAL: return "invalid argument";
    case SYSTOLE_SOC_SIM_ENOMEM: return "out of memory";
    case SYSTOLE_SOC_SIM_ERANGE: return "address outside RAM and main memory";
    case SYSTOLE_SOC_SIM_EFORMAT: return "not a valid RV32 ELF executable";
    case SYSTOLE_SOC_SIM_EIO: return "I/O error or model stopped";
    case SYSTOLE_SOC_SIM_ESTATE: return "core already running";
    default: return "unknown status";
  }
}

void systole_soc_sim_config_default(systole_soc_sim_config_t* cfg) {
  if (!cfg) return;
  std::memset(cfg, 0, sizeof *cfg);
  cfg->max_cycles = 100000000ull;
  cfg->wave_path = nullptr;
  cfg->uart_echo = 0;
  cfg->uart_capture_bytes = 1u << 20;
}

void systole_soc_sim_info(systole_soc_sim_info_t* info) {
  if (!info) return;
  info->config = SOC_CONFIG_NAME;
  info->rows = SOC_ROWS;
  info->cols = SOC_COLS;
  info->ram_base = kRamBase;
  info->ram_bytes = uint32_t(kRamBytes);
  info->main_base = kMainBase;
  info->main_bytes = uint32_t(kMainBytes);
  info->clk_hz = SOC_CLK_HZ;
  info->uart_div = SOC_UART_DIV;
  info->fast_mul = SOC_FAST_MUL;
}

int systole_soc_sim_create(const systole_soc_sim_config_t* cfg_in, systole_soc_sim_t** out) {
  if (!out) return SYSTOLE_SOC_SIM_EINVAL;
  *out = nullptr;
  systole_soc_sim_config_t cfg;
  if (cfg_in) {
    cfg = *cfg_in;
  } else {
    systole_soc_sim_config_default(&cfg);
  }
  if (cfg.max_cycles == 0) return SYSTOLE_SOC_SIM_EINVAL;

  systole_soc_sim_t* s = new (std::nothrow) systole_soc_sim;
  if (!s) return SYSTOLE_SOC_SIM_ENOMEM;
  s->cfg = cfg;
  try {
    if (cfg.wave_path) s->wave_path_cfg = cfg.wave_path;
    s->uart.reserve(4096);
    s->uart.push_back('\0');
  } catch (const std::bad_alloc&) {
    delete s;
    return SYSTOLE_SOC_SIM_ENOMEM;
  }
  s->cfg.wave_path = nullptr;  // never keep the caller's pointer

  s->ctx = new (std::nothrow) VerilatedContext;
  if (!s->ctx) {
    systole_soc_sim_destroy(s);
    return SYSTOLE_SOC_SIM_ENOMEM;
  }
  s->ctx->traceEverOn(true);    // must precede the model; files open only when asked
  s->ctx->fatalOnError(false);  // $stop/assertions become a fault, not abort()
  Verilated::threadContextp(s->ctx);
  s->top = new (std::nothrow) Vsystole_soc(s->ctx, "soc");
  if (!s->top) {
    systole_soc_sim_destroy(s);
    return SYSTOLE_SOC_SIM_ENOMEM;
  }
  s->period = 10;  // 10 ns in the model's time precision
  for (int p = s->ctx->timeprecision(); p < -9; ++p) s->period *= 10;
  s->half = s->period / 2;

  // Reset: core held, loader idle, rst_ni low for kResetCycles cycles, then released.
  Vsystole_soc* t = s->top;
  t->clk_i = 0;
  t->rst_ni = 0;
  t->boot_hold_i = 1;
  t->ld_we_i = 0;
  t->ld_addr_i = 0;
  t->ld_wdata_i = 0;
  t->eval();
  for (uint32_t i = 0; i < kResetCycles; ++i) tick<false>(s);
  t->rst_ni = 1;
  tick<false>(s);  // one cycle out of reset, core still held
  if (s->ctx->gotFinish()) {
    std::fprintf(stderr, "systole_soc_sim: the SoC stopped during reset\n");
    systole_soc_sim_destroy(s);
    return SYSTOLE_SOC_SIM_EIO;
  }
  s->uart.assign(1, '\0');  // nothing the reset cycles may have shown counts
  s->uart_total = 0;
  s->exited = false;
  *out = s;
  return SYSTOLE_SOC_SIM_OK;
}

void systole_soc_sim_destroy(systole_soc_sim_t* s) {
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
  delete s;
}

int systole_soc_sim_load_elf_mem(systole_soc_sim_t* s, const void* elf, size_t bytes) {
  if (!s) return SYSTOLE_SOC_SIM_EINVAL;
  if (!elf && bytes) return fail(s, SYSTOLE_SOC_SIM_EINVAL, "NULL ELF buffer");
  if (!elf) return load_elf(s, reinterpret_cast<const uint8_t*>(""), 0, "ELF image");
  return load_elf(s, static_cast<const uint8_t*>(elf), bytes, "ELF image");
}

int systole_soc_sim_load_elf(systole_soc_sim_t* s, const char* path) {
  if (!s) return SYSTOLE_SOC_SIM_EINVAL;
  if (!path) return fail(s, SYSTOLE_SOC_SIM_EINVAL, "NULL ELF path");
  int st = check_loadable(s);
  if (st) return st;
  FILE* f = std::fopen(path, "rb");
  if (!f) return fail(s, SYSTOLE_SOC_SIM_EIO, "%s: cannot open: %s", path, std::strerror(errno));
  std::vector<uint8_t> buf;
  uint8_t chunk[65536];
  size_t got;
  try {
    while ((got = std::fread(chunk, 1, sizeof chunk, f)) > 0) {
      if (buf.size() + got > kMaxElfBytes) {
        std::fclose(f);
        return fail(s, SYSTOLE_SOC_SIM_EFORMAT, "%s: larger than %llu bytes", path,
                    (unsigned long long)kMaxElfBytes);
      }
      buf.insert(buf.end(), chunk, chunk + got);
    }
  } catch (const std::bad_alloc&) {
    std::fclose(f);
    return fail(s, SYSTOLE_SOC_SIM_ENOMEM, "%s: out of memory reading the file", path);
  }
  const bool bad = std::ferror(f) != 0;
  std::fclose(f);
  if (bad) return fail(s, SYSTOLE_SOC_SIM_EIO, "%s: read error", path);
  return load_elf(s, buf.empty() ? reinterpret_cast<const uint8_t*>("") : buf.data(), buf.size(),
                  path);
}

int systole_soc_sim_load_words(systole_soc_sim_t* s, uint32_t addr, const uint32_t* words,
                               size_t count) {
  if (!s) return SYSTOLE_SOC_SIM_EINVAL;
  if (!words && count) return fail(s, SYSTOLE_SOC_SIM_EINVAL, "NULL words");
  if (addr & 3) return fail(s, SYSTOLE_SOC_SIM_EINVAL, "load address 0x%08x not word aligned", addr);
  int st = check_loadable(s);
  if (st) return st;
  if (count && region_of(addr, uint64_t(count) * 4) < 0)
    return fail(s, SYSTOLE_SOC_SIM_ERANGE, "[0x%08x, 0x%08llx) is outside RAM and main memory", addr,
                (unsigned long long)(addr + uint64_t(count) * 4));
  Verilated::threadContextp(s->ctx);
  for (size_t i = 0; i < count; ++i) loader_write(s, addr + uint32_t(i * 4), words[i]);
  if (s->fault[0]) return fail(s, SYSTOLE_SOC_SIM_EIO, "the model stopped while loading: %s", s->fault);
  return SYSTOLE_SOC_SIM_OK;
}

int systole_soc_sim_run(systole_soc_sim_t* s, uint64_t max_cycles, systole_soc_sim_stop_t* why) {
  if (!s) return SYSTOLE_SOC_SIM_EINVAL;
  if (s->fault[0]) return fail(s, SYSTOLE_SOC_SIM_EIO, "the model stopped: %s", s->fault);
  if (why) *why = SYSTOLE_SOC_SIM_STOP_EXIT;
  if (s->exited) return SYSTOLE_SOC_SIM_OK;
  Verilated::threadContextp(s->ctx);
  release(s);
  const uint64_t budget = max_cycles ? max_cycles : s->cfg.max_cycles;
  for (uint64_t i = 0; i < budget && !s->exited && !s->fault[0]; ++i) tick<true>(s);
  if (s->cyc == s->wave_event) wave_event(s);  // close a window that ends here
  if (s->fault[0]) return fail(s, SYSTOLE_SOC_SIM_EIO, "the model stopped: %s", s->fault);
  if (why) *why = s->exited ? SYSTOLE_SOC_SIM_STOP_EXIT : SYSTOLE_SOC_SIM_STOP_LIMIT;
  return SYSTOLE_SOC_SIM_OK;
}

void systole_soc_sim_step(systole_soc_sim_t* s, uint64_t cycles) {
  if (!s) return;
  Verilated::threadContextp(s->ctx);
  release(s);
  for (uint64_t i = 0; i < cycles; ++i) tick<true>(s);
  if (s->cyc == s->wave_event) wave_event(s);
}

int systole_soc_sim_exit_code(const systole_soc_sim_t* s, uint32_t* code) {
  if (!s || !code || !s->exited) return SYSTOLE_SOC_SIM_EINVAL;
  *code = s->exit_code;
  return SYSTOLE_SOC_SIM_OK;
}

int systole_soc_sim_exited(const systole_soc_sim_t* s) { return s && s->exited ? 1 : 0; }

const char* systole_soc_sim_uart(const systole_soc_sim_t* s, size_t* len) {
  if (!s) {
    if (len) *len = 0;
    return nullptr;
  }
  if (len) *len = s->uart.size() - 1;
  return s->uart.data();
}

uint64_t systole_soc_sim_uart_bytes(const systole_soc_sim_t* s) { return s ? s->uart_total : 0; }
uint64_t systole_soc_sim_cycles(const systole_soc_sim_t* s) { return s ? s->cyc : 0; }
int systole_soc_sim_acc_irq(const systole_soc_sim_t* s) { return s && s->top->acc_irq_o ? 1 : 0; }
int systole_soc_sim_acc_idle(const systole_soc_sim_t* s) { return s && s->top->acc_idle_o ? 1 : 0; }

int systole_soc_sim_wave_start(systole_soc_sim_t* s, const char* path) {
  if (!s) return SYSTOLE_SOC_SIM_EINVAL;
  if (!path) path = s->wave_path_cfg.empty() ? nullptr : s->wave_path_cfg.c_str();
  if (!path || !*path) return fail(s, SYSTOLE_SOC_SIM_EINVAL, "no wave path");
  s->win_armed = false;  // an explicit start overrides a pending window
  s->wave_event = UINT64_MAX;
  const std::string p(path);  // path may alias wave_path_open
  return wave_open(s, p.c_str());
}

int systole_soc_sim_wave_stop(systole_soc_sim_t* s) {
  if (!s) return SYSTOLE_SOC_SIM_EINVAL;
  s->win_armed = false;
  s->wave_event = UINT64_MAX;
  wave_close(s);
  return SYSTOLE_SOC_SIM_OK;
}

int systole_soc_sim_wave_window(systole_soc_sim_t* s, uint64_t from, uint64_t to) {
  if (!s) return SYSTOLE_SOC_SIM_EINVAL;
  if (from >= to) return fail(s, SYSTOLE_SOC_SIM_EINVAL, "empty wave window [%llu, %llu)",
                              (unsigned long long)from, (unsigned long long)to);
  if (s->wave_path_cfg.empty())
    return fail(s, SYSTOLE_SOC_SIM_EINVAL, "a wave window needs cfg.wave_path");
  s->win_from = from;
  s->win_to = to;
  s->win_armed = true;
  s->wave_event = s->cyc;  // decide at the next run cycle
  return SYSTOLE_SOC_SIM_OK;
}

const char* systole_soc_sim_last_error(const systole_soc_sim_t* s) { return s ? s->err : ""; }

}  // extern "C"
