/* prog.h — what every firmware program does around its jobs: open the HAL and the device
 * with a banner, and finish with the interrupt counts and the exit status. */
#ifndef FW_PROG_H
#define FW_PROG_H

#include <stdint.h>

#include "fw.h"
#include "fw_jobs.h"
#include "hal_mmio.h"
#include "systole.h"

/* Print the banner (program name, clock, RAM, main memory), open the MMIO HAL and the
 * device (cfg may be NULL), print the chip's capabilities. Non-zero on failure (printed). */
int prog_open(const char *name, hal_mmio_t *hm, systole_dev_t *dev,
              const systole_dev_config_t *cfg);

/* The same with the HAL's allocator limited to [mem_base, mem_base + mem_bytes) of main
 * memory (firmware that keeps code of its own in main memory, or that stays within a
 * smaller main memory than the SoC's). */
int prog_open_range(const char *name, hal_mmio_t *hm, systole_dev_t *dev,
                    const systole_dev_config_t *cfg, uint32_t mem_base, uint32_t mem_bytes);

/* Whether the accelerator interrupted since irq0 (a count of fw_irq_ext_count), as the
 * programs expect of their waits; true as well on a SoC without the machine timer (the
 * board), whose waits poll and take no interrupt (hal_mmio.c). */
int prog_irq_seen(uint32_t irq0);

/* Close the device, print the interrupt and wait statistics and "<name>: PASS"/"FAIL".
 * Returns the exit code: 0 iff pass and everything closed cleanly. */
int prog_finish(const char *name, hal_mmio_t *hm, systole_dev_t *dev, int pass);

#endif /* FW_PROG_H */
