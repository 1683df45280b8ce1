/* sc_jobs.h — the jobs of the SystemC platform test, in C99 on any Systole HAL.
 *
 * The same code runs on the SystemC platform (HAL over TLM) and on the plain C-API model
 * (systole_hal_sim), so the two runs issue identical HAL call sequences: same device
 * addresses, same CSR accesses, same waits.
 */
#ifndef SC_JOBS_H
#define SC_JOBS_H

#include <stdint.h>

#include "systole.h"
#include "systole_hal.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { SC_JOB_CONV2D = 0, SC_JOB_ATTENTION = 1, SC_JOB_COUNT = 2 };

typedef struct {
  const char *name;        /* e.g. "conv2d_24x24x16_3x3_32" */
  int ran;                 /* the job was attempted */
  int pass;                /* every run returned OK and equals the golden kernel bit for bit */
  systole_status_t status; /* of the last run */
  systole_stats_t stats;   /* chip counters over the last run */
  uint64_t hal_cycles;     /* hal->cycles() delta over the last run's job call */
  uint64_t macs;           /* workload MACs */
  double host_seconds;     /* median host (wall-clock) time of one job call */
  double cpu_seconds;      /* median process CPU time of one job call */
  char msg[256];           /* why it failed */
} sc_job_result_t;

/* Open a device on hal, run each job in mask (bits 1 << SC_JOB_*) reps times (>= 1),
 * check every run against the golden kernel, close the device. res[i] is filled for the
 * jobs in mask. Returns 0 if everything passed. */
int sc_jobs_run(const systole_hal_t *hal, unsigned mask, unsigned reps,
                sc_job_result_t res[SC_JOB_COUNT]);

/* A 16x16x16 matmul whose A operand is a view at bad_addr, a device address no memory
 * answers (inside a DMA window of [0, 2^31)): the chip's read gets an error response, the
 * driver must return SYSTOLE_HW_ERROR with chip code SYSTOLE_HWERR_AXI_RD, and after the
 * driver's recovery the same matmul from a good buffer must equal the golden kernel.
 * Returns 0 if so, else 1 with the reason in msg. */
int sc_jobs_dma_error(const systole_hal_t *hal, uint32_t bad_addr, char *msg, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* SC_JOBS_H */
