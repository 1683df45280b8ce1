/*
 * systole_sim.h — the Systole chip as a cycle-accurate library (Verilator model + AXI
 * memory model), with a plain C99 API.
 *
 * One systole_sim_t is one chip with its own main memory, clock, cycle counter and
 * waveform file; instances are independent (several may live in one process, one
 * thread per instance at a time). See docs/sim.md for clocking and memory-model details.
 *
 * Link: libsystole_sim.a -lstdc++ -lz -lpthread
 */
#ifndef SYSTOLE_SIM_H
#define SYSTOLE_SIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define SYSTOLE_SIM_MUST_CHECK __attribute__((warn_unused_result))
#else
#define SYSTOLE_SIM_MUST_CHECK
#endif

/* Status codes: 0 is success, errors are negative. */
#define SYSTOLE_SIM_OK        0
#define SYSTOLE_SIM_EINVAL   -1  /* bad argument (NULL pointer, bad alignment, bad config) */
#define SYSTOLE_SIM_ENOMEM   -2  /* host allocation failed or main memory exhausted */
#define SYSTOLE_SIM_ERANGE   -3  /* address range outside main memory */
#define SYSTOLE_SIM_ETIMEOUT -4  /* a CSR access did not complete within its cycle budget */
#define SYSTOLE_SIM_EIO      -5  /* bus error response, AXI protocol violation or $stop/$fatal */

typedef struct systole_sim systole_sim_t;

typedef struct {
  uint64_t    mem_bytes;        /* main memory size, default 64 MiB; memory is [0, mem_bytes).
                                   At most 4 GiB (32-bit AXI addresses). */
  uint32_t    read_latency;     /* cycles from AR accepted to first R beat; default 50, >= 1 */
  uint32_t    bytes_per_cycle;  /* read and write data bandwidth, each; default 8. Below the bus
                                   width a beat is sent every few cycles (token bucket). >= 1 */
  uint32_t    write_latency;    /* cycles from last W beat accepted to B valid; default 10, >= 1 */
  uint32_t    max_outstanding;  /* AR (and AW) accepted before backpressure; default 256, >= 1 */
  uint32_t    ready_jitter_seed;/* 0: off (deterministic). Otherwise seeds a PRNG that drops
                                   arready/awready/wready in about 1 of 4 cycles each. */
  const char *wave_path;        /* FST file for waves, NULL = none. Waves are written only
                                   after systole_sim_wave_start or _wave_window. Copied. */
} systole_sim_config_t;

typedef enum {
  SYSTOLE_SIM_STOP_IDLE  = 1,  /* idle_o is 1 */
  SYSTOLE_SIM_STOP_IRQ   = 2,  /* irq_o is 1 */
  SYSTOLE_SIM_STOP_LIMIT = 4   /* max_cycles elapsed (only ever reported, not a mask bit) */
} systole_sim_stop_t;

/* Human-readable name of a status code ("OK", "invalid argument", ...). Never NULL. */
const char *systole_sim_strerror(int status);

/* Fill cfg with the defaults above (the project's reference memory: 64-bit, one beat per
 * cycle, 50-cycle read latency). */
void systole_sim_config_default(systole_sim_config_t *cfg);

/* Create a chip (cfg NULL = defaults) and reset it (a few cycles; systole_sim_cycles()
 * starts counting after reset). *out is NULL on failure. */
SYSTOLE_SIM_MUST_CHECK int systole_sim_create(const systole_sim_config_t *cfg,
                                              systole_sim_t **out);

/* Finish the model (final()), close the wave file, free everything. NULL is ignored. */
void systole_sim_destroy(systole_sim_t *sim);

/* AXI4-Lite CSR write/read at a byte offset (4-byte aligned, < 4096). Advances the clock
 * by the cycles the handshake takes. EIO on a SLVERR/DECERR response, ETIMEOUT if the
 * chip does not answer within 1000 cycles. */
SYSTOLE_SIM_MUST_CHECK int systole_sim_csr_write(systole_sim_t *sim, uint32_t offset,
                                                 uint32_t value);
SYSTOLE_SIM_MUST_CHECK int systole_sim_csr_read(systole_sim_t *sim, uint32_t offset,
                                                uint32_t *value);

/* First-fit allocator over main memory. Never returns address 0 (allocations start at
 * 4 KiB). align is a power of two (0 means 64). bytes 0 is EINVAL, no room is ENOMEM. */
SYSTOLE_SIM_MUST_CHECK int systole_sim_mem_alloc(systole_sim_t *sim, uint64_t bytes,
                                                 uint64_t align, uint64_t *addr);
/* Free an address returned by systole_sim_mem_alloc; anything else is EINVAL. */
SYSTOLE_SIM_MUST_CHECK int systole_sim_mem_free(systole_sim_t *sim, uint64_t addr);

/* Backdoor copy to/from main memory: no cycles, no bus traffic, ignores injected errors.
 * ERANGE if [addr, addr+bytes) is not inside main memory. */
SYSTOLE_SIM_MUST_CHECK int systole_sim_mem_write(systole_sim_t *sim, uint64_t addr,
                                                 const void *src, uint64_t bytes);
SYSTOLE_SIM_MUST_CHECK int systole_sim_mem_read(systole_sim_t *sim, uint64_t addr, void *dst,
                                                uint64_t bytes);

/* Bus accesses touching [addr, addr+bytes) answer SLVERR (reads: on_read, writes:
 * on_write). One range at a time; bytes = 0 clears it. */
SYSTOLE_SIM_MUST_CHECK int systole_sim_mem_inject_error(systole_sim_t *sim, uint64_t addr,
                                                        uint64_t bytes, int on_read,
                                                        int on_write);

/* Advance the clock by exactly `cycles` cycles. */
void systole_sim_step(systole_sim_t *sim, uint64_t cycles);

/* Clock until a condition in stop_mask (IDLE|IRQ) holds or max_cycles elapsed. Conditions
 * are checked before every cycle, so a condition already true returns at once (0 cycles).
 * Returns OK with *why = the condition seen (IDLE wins if both), or LIMIT.
 * EIO if the chip violated the AXI protocol or stopped ($stop/$fatal/assertion). */
SYSTOLE_SIM_MUST_CHECK int systole_sim_run(systole_sim_t *sim, unsigned stop_mask,
                                           uint64_t max_cycles, systole_sim_stop_t *why);

int systole_sim_irq(const systole_sim_t *sim);   /* irq_o now (0/1) */
int systole_sim_idle(const systole_sim_t *sim);  /* idle_o now (0/1) */
uint64_t systole_sim_cycles(const systole_sim_t *sim);  /* rising edges since reset ended */

/* Dump an FST waveform from now on, to path (NULL: cfg->wave_path). A new path starts a
 * new file; the same file continues if it is still open. */
SYSTOLE_SIM_MUST_CHECK int systole_sim_wave_start(systole_sim_t *sim, const char *path);
/* Stop dumping and close the file. OK if no dump is running. */
SYSTOLE_SIM_MUST_CHECK int systole_sim_wave_stop(systole_sim_t *sim);
/* Dump exactly cycles [from_cycle, to_cycle) to cfg->wave_path, starting and stopping
 * automatically while the clock runs. EINVAL if no wave_path or from >= to. */
SYSTOLE_SIM_MUST_CHECK int systole_sim_wave_window(systole_sim_t *sim, uint64_t from_cycle,
                                                   uint64_t to_cycle);

/* Data bytes moved on the AXI master since create: R beats and W beats accepted, times
 * the bus width (strobes not counted). NULL outputs are skipped. */
void systole_sim_mem_stats(const systole_sim_t *sim, uint64_t *rd_bytes, uint64_t *wr_bytes);

/* ---- extensions ---- */

/* Bus width of this build in bytes (8 for AxiDataWidth = 64). */
uint32_t systole_sim_bus_bytes(const systole_sim_t *sim);
/* First AXI protocol violation or chip stop seen by the model, or NULL if none. */
const char *systole_sim_fault(const systole_sim_t *sim);

#ifdef __cplusplus
}
#endif
#endif /* SYSTOLE_SIM_H */
