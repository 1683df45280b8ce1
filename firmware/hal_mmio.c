/* hal_mmio.c — MMIO backend of the Systole HAL on the SoC's RV32IM core (hal_mmio.h). */
#include "hal_mmio.h"

#include <stdlib.h>
#include <string.h>

#include "fw.h"
#include "systole_regs.h"

/* ---- CSRs ------------------------------------------------------------------------------ */

static int mm_reg_read(void *ctx, uint32_t off, uint32_t *v) {
  hal_mmio_t *hm = (hal_mmio_t *)ctx;
  if ((off & 3u) || off >= SOC_SYSTOLE_CSR_BYTES || !v) return HAL_MMIO_EARG;
  *v = fw_mmio_read32(hm->csr_base + off);
  return HAL_MMIO_OK;
}

static int mm_reg_write(void *ctx, uint32_t off, uint32_t v) {
  hal_mmio_t *hm = (hal_mmio_t *)ctx;
  if ((off & 3u) || off >= SOC_SYSTOLE_CSR_BYTES) return HAL_MMIO_EARG;
  fw_mmio_write32(hm->csr_base + off, v);
  return HAL_MMIO_OK;
}

/* ---- device memory: first fit over main memory ---------------------------------------- */

static int mm_mem_alloc(void *ctx, size_t bytes, size_t align, uint32_t *dev_addr) {
  hal_mmio_t *hm = (hal_mmio_t *)ctx;
  uint64_t cursor = hm->mem_base, cand = 0;
  uint32_t i, at;
  if (!dev_addr || bytes == 0 || align == 0 || (align & (align - 1u)) != 0)
    return HAL_MMIO_EARG;
  if (hm->n_blocks >= HAL_MMIO_MAX_ALLOCS) return HAL_MMIO_ENOMEM;
  /* the first gap (between sorted blocks, then after the last) that holds the aligned range */
  for (at = 0; at <= hm->n_blocks; at++) {
    uint64_t limit = at < hm->n_blocks ? hm->blocks[at].addr : hm->mem_end;
    cand = (cursor + (uint64_t)align - 1u) & ~((uint64_t)align - 1u);
    if (cand + (uint64_t)bytes <= limit) break;
    if (at < hm->n_blocks) cursor = (uint64_t)hm->blocks[at].addr + hm->blocks[at].bytes;
  }
  if (at > hm->n_blocks) return HAL_MMIO_ENOMEM;
  for (i = hm->n_blocks; i > at; i--) hm->blocks[i] = hm->blocks[i - 1];
  hm->blocks[at].addr = (uint32_t)cand;
  hm->blocks[at].bytes = (uint32_t)bytes;
  hm->n_blocks++;
  hm->bytes_in_use += (uint32_t)bytes;
  if (hm->bytes_in_use > hm->peak_bytes) hm->peak_bytes = hm->bytes_in_use;
  *dev_addr = (uint32_t)cand;
  return HAL_MMIO_OK;
}

static int mm_mem_free(void *ctx, uint32_t dev_addr) {
  hal_mmio_t *hm = (hal_mmio_t *)ctx;
  uint32_t i;
  for (i = 0; i < hm->n_blocks; i++) {
    if (hm->blocks[i].addr == dev_addr) {
      hm->bytes_in_use -= hm->blocks[i].bytes;
      for (; i + 1 < hm->n_blocks; i++) hm->blocks[i] = hm->blocks[i + 1];
      hm->n_blocks--;
      return HAL_MMIO_OK;
    }
    if (hm->blocks[i].addr > dev_addr) break;
  }
  return HAL_MMIO_EFREE;
}

uint32_t hal_mmio_largest_free(const hal_mmio_t *hm) {
  uint64_t cursor = hm->mem_base, best = 0;
  uint32_t i;
  for (i = 0; i <= hm->n_blocks; i++) {
    uint64_t limit = i < hm->n_blocks ? hm->blocks[i].addr : hm->mem_end;
    if (limit - cursor > best) best = limit - cursor;
    if (i < hm->n_blocks) cursor = (uint64_t)hm->blocks[i].addr + hm->blocks[i].bytes;
  }
  return (uint32_t)best;
}

static int mm_range_ok(const hal_mmio_t *hm, uint32_t a, size_t n) {
  return a >= hm->mem_base && (uint64_t)a + n <= hm->mem_end;
}

static int mm_mem_write(void *ctx, uint32_t a, const void *src, size_t n) {
  hal_mmio_t *hm = (hal_mmio_t *)ctx;
  if (!src && n) return HAL_MMIO_EARG;
  if (!mm_range_ok(hm, a, n)) return HAL_MMIO_ERANGE;
  memcpy((void *)(uintptr_t)a, src, n);
  return HAL_MMIO_OK;
}

static int mm_mem_read(void *ctx, uint32_t a, void *dst, size_t n) {
  hal_mmio_t *hm = (hal_mmio_t *)ctx;
  if (!dst && n) return HAL_MMIO_EARG;
  if (!mm_range_ok(hm, a, n)) return HAL_MMIO_ERANGE;
  memcpy(dst, (const void *)(uintptr_t)a, n);
  return HAL_MMIO_OK;
}

/* ---- wait: wfi on the accelerator's interrupt (polling without the timer) --------------- */

/* What of `what` holds now. */
static unsigned mm_conditions(const hal_mmio_t *hm, unsigned what) {
  unsigned r = 0;
  if (what & SYSTOLE_HAL_WAIT_IDLE) {
    uint32_t st = fw_mmio_read32(hm->csr_base + SYSTOLE_REG_STATUS);
    if (SYSTOLE_STATUS_IDLE_GET(st)) r |= SYSTOLE_HAL_WAIT_IDLE;
  }
  if (what & SYSTOLE_HAL_WAIT_IRQ) {
    /* the line itself: IRQ_STATUS & IRQ_ENABLE (= mip.MEIP, read at its source) */
    uint32_t s = fw_mmio_read32(hm->csr_base + SYSTOLE_REG_IRQ_STATUS);
    uint32_t e = fw_mmio_read32(hm->csr_base + SYSTOLE_REG_IRQ_ENABLE);
    if (s & e) r |= SYSTOLE_HAL_WAIT_IRQ;
  }
  return r;
}

static int mm_wait(void *ctx, unsigned what, uint64_t budget, unsigned *reached) {
  hal_mmio_t *hm = (hal_mmio_t *)ctx;
  uint64_t start = fw_rdcycle();
  uint64_t deadline = budget > UINT64_MAX - start ? UINT64_MAX : start + budget;
  int armed = 0;
  unsigned r;
  if (!reached || !(what & (SYSTOLE_HAL_WAIT_IDLE | SYSTOLE_HAL_WAIT_IRQ))) return HAL_MMIO_EARG;
  hm->waits++;
  for (;;) {
    uint64_t now;
    /* Check and sleep with interrupts off: an interrupt arriving between the check and
     * wfi stays pending and wakes wfi at once (wfi does not need mstatus.MIE). */
    fw_irq_global_disable();
    r = mm_conditions(hm, what);
    now = fw_rdcycle();
    if (r || now >= deadline) break;
    if ((what & SYSTOLE_HAL_WAIT_IRQ) && fw_timer_present()) {
      uint64_t t0;
      uint32_t ticks;
      if (!armed) {
        /* the budget as a TIMER deadline: the timer interrupt ends the sleep */
        uint64_t t = fw_timer_now(), rem = deadline - now;
        fw_timer_set_cmp(rem > UINT64_MAX - t ? UINT64_MAX : t + rem);
        armed = 1;
      }
      FW_CSR_SET(mie, MIE_MEIE | MIE_MTIE);
      t0 = fw_rdcycle();
      ticks = fw_irq_timer_count;
      fw_wfi();
      hm->wfi_sleeps++;
      hm->wfi_cycles += fw_rdcycle() - t0;
      /* take what woke us: the handler counts it and masks its source in mie */
      fw_irq_global_enable();
      /* the handler disarmed the TIMER: arm it again if the budget is not over yet */
      if (fw_irq_timer_count != ticks) armed = 0;
    } else {
      /* poll: IDLE only (short waits around a soft reset: the chip has no idle interrupt
       * enabled by the driver), or a SoC without the machine timer (HasTimer = 0, the
       * board), where nothing would end a sleep at the budget: the loop's cycle-count
       * deadline does (interrupts are on between the checks, mie's sources off) */
      fw_irq_global_enable();
    }
  }
  FW_CSR_CLEAR(mie, MIE_MEIE | MIE_MTIE);
  if (armed) fw_timer_disarm();
  fw_irq_global_enable();
  if (!r) hm->budget_expired++;
  *reached = r;
  return HAL_MMIO_OK;
}

static uint64_t mm_cycles(void *ctx) {
  (void)ctx;
  return fw_rdcycle();
}

static void *mm_host_alloc(void *ctx, size_t bytes) {
  (void)ctx;
  return malloc(bytes ? bytes : 1);
}

static void mm_host_free(void *ctx, void *p) {
  (void)ctx;
  free(p);
}

/* ---- set-up ---------------------------------------------------------------------------- */

systole_status_t hal_mmio_init(hal_mmio_t *hm, uint32_t csr_base, uint32_t mem_base,
                               uint32_t mem_bytes) {
  if (!hm || (csr_base & 3u) || mem_bytes == 0 || (uint64_t)mem_base + mem_bytes > 0x100000000ull)
    return SYSTOLE_BAD_ARG;
  memset(hm, 0, sizeof(*hm));
  hm->csr_base = csr_base;
  hm->mem_base = mem_base;
  hm->mem_end = (uint64_t)mem_base + mem_bytes;
  hm->hal.ctx = hm;
  hm->hal.reg_read = mm_reg_read;
  hm->hal.reg_write = mm_reg_write;
  hm->hal.mem_alloc = mm_mem_alloc;
  hm->hal.mem_free = mm_mem_free;
  hm->hal.mem_write = mm_mem_write;
  hm->hal.mem_read = mm_mem_read;
  hm->hal.wait = mm_wait;
  hm->hal.cycles = mm_cycles;
  hm->hal.host_alloc = mm_host_alloc;
  hm->hal.host_free = mm_host_free;
  hm->hal.mem_base = mem_base;
  hm->hal.mem_size = mem_bytes;
  return SYSTOLE_OK;
}

systole_status_t hal_mmio_open(hal_mmio_t *hm) {
  return hal_mmio_init(hm, SOC_SYSTOLE_CSR_BASE, fw_socinfo(SOC_SOCINFO_MAIN_BASE),
                       fw_socinfo(SOC_SOCINFO_MAIN_BYTES));
}
