/* chiperr — chip errors reported through the driver, and recovery, on the SoC.
 *
 * A small conv2d job (8x8x8 -> 8, 3x3) runs correctly first; then four faults are
 * injected one after the other, each followed by the same correct job, which must pass
 * again (the driver soft-resets the chip and re-programs the ring after an error):
 *
 *   A. illegal opcode: a wrapper around the MMIO HAL rewrites the opcode byte of the
 *      third command the driver writes into the ring to 0xEE;
 *   B. DMA window: the chip's WIN_SIZE is cut down to the command ring behind the driver's
 *      back, so the job's first LOAD reads outside the window;
 *   C. AXI read error: the input buffer handle points past the end of main memory (the
 *      device's DMA window was opened 2x larger than the memory), so the SoC answers the
 *      LOAD with SLVERR;
 *   D. a hang: the wrapper sets the "wait for a token" bit of the job's first LOAD, which
 *      nobody ever gives, so the chip stalls without an error.
 *
 * For A-C the driver must return SYSTOLE_HW_ERROR with the chip's code (1, 6, 7), the
 * ring slot of the faulting command and its opcode; for D SYSTOLE_TIMEOUT once the device's
 * no-progress budget (200 k cycles here) has passed — the HAL's wait sleeps in wfi until the
 * TIMER interrupt ends each slice. Exit status 0 iff all of that holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog.h"
#include "systole_cmd.h"
#include "systole_regs.h"

/* ---- fault-injecting HAL: forwards everything, can corrupt one command in the ring ---- */

typedef struct {
  systole_hal_t hal;
  const systole_hal_t *inner;
  uint32_t ring_addr, ring_bytes; /* the device's ring (known after systole_dev_open) */
  uint32_t countdown;             /* corrupt the countdown-th command written (0: off) */
  uint32_t byte;                  /* which byte of it (0: the opcode, w0 bits 7:0) */
  uint8_t mask, value;            /* bits of that byte replaced, and by what */
  uint32_t injected_slot;         /* where it was written (valid once countdown hit 0) */
  int injected;
} inject_t;

static int inj_reg_read(void *c, uint32_t off, uint32_t *v) {
  inject_t *in = (inject_t *)c;
  return in->inner->reg_read(in->inner->ctx, off, v);
}
static int inj_reg_write(void *c, uint32_t off, uint32_t v) {
  inject_t *in = (inject_t *)c;
  return in->inner->reg_write(in->inner->ctx, off, v);
}
static int inj_mem_alloc(void *c, size_t n, size_t align, uint32_t *a) {
  inject_t *in = (inject_t *)c;
  return in->inner->mem_alloc(in->inner->ctx, n, align, a);
}
static int inj_mem_free(void *c, uint32_t a) {
  inject_t *in = (inject_t *)c;
  return in->inner->mem_free(in->inner->ctx, a);
}
static int inj_mem_read(void *c, uint32_t a, void *dst, size_t n) {
  inject_t *in = (inject_t *)c;
  return in->inner->mem_read(in->inner->ctx, a, dst, n);
}
static int inj_wait(void *c, unsigned what, uint64_t budget, unsigned *reached) {
  inject_t *in = (inject_t *)c;
  return in->inner->wait(in->inner->ctx, what, budget, reached);
}
static uint64_t inj_cycles(void *c) {
  inject_t *in = (inject_t *)c;
  return in->inner->cycles(in->inner->ctx);
}
static void *inj_host_alloc(void *c, size_t n) {
  inject_t *in = (inject_t *)c;
  return in->inner->host_alloc(in->inner->ctx, n);
}
static void inj_host_free(void *c, void *p) {
  inject_t *in = (inject_t *)c;
  in->inner->host_free(in->inner->ctx, p);
}

static int inj_mem_write(void *c, uint32_t a, const void *src, size_t n) {
  inject_t *in = (inject_t *)c;
  int rc = in->inner->mem_write(in->inner->ctx, a, src, n);
  uint32_t off;
  if (rc || !in->countdown || in->ring_bytes == 0) return rc;
  if (a < in->ring_addr || (uint64_t)a + n > (uint64_t)in->ring_addr + in->ring_bytes) return rc;
  /* the driver writes whole commands into the ring */
  for (off = 0; off + SYSTOLE_CMD_BYTES <= n; off += SYSTOLE_CMD_BYTES) {
    if (--in->countdown == 0) {
      uint32_t cmd = a + off; /* little endian: byte b of the command = w0 bits 8b+7:8b */
      uint8_t v = ((const uint8_t *)src)[off + in->byte];
      v = (uint8_t)((v & ~in->mask) | (in->value & in->mask));
      in->injected_slot = (cmd - in->ring_addr) / SYSTOLE_CMD_BYTES;
      in->injected = 1;
      return in->inner->mem_write(in->inner->ctx, cmd + in->byte, &v, 1);
    }
  }
  return rc;
}

static void inject_wrap(inject_t *in, const systole_hal_t *inner) {
  memset(in, 0, sizeof(*in));
  in->inner = inner;
  in->hal = *inner;
  in->hal.ctx = in;
  in->hal.reg_read = inj_reg_read;
  in->hal.reg_write = inj_reg_write;
  in->hal.mem_alloc = inj_mem_alloc;
  in->hal.mem_free = inj_mem_free;
  in->hal.mem_write = inj_mem_write;
  in->hal.mem_read = inj_mem_read;
  in->hal.wait = inj_wait;
  in->hal.cycles = inj_cycles;
  in->hal.host_alloc = inj_host_alloc;
  in->hal.host_free = inj_host_free;
}

/* ---- the job ---------------------------------------------------------------------------- */

#define HW 8
#define CIN 8
#define COUT 8

static hal_mmio_t g_hm;
static inject_t g_inj;
static systole_dev_t g_dev;
static int8_t g_in[HW * HW * CIN], g_w[COUT * 9 * CIN], g_want[HW * HW * COUT], g_got[HW * HW * COUT];
static int32_t g_bias[COUT], g_mult[COUT], g_shift[COUT];

/* Run the conv job reading from `in`: the driver's status; *match = output equals the golden. */
static systole_status_t run_job(const char *what, const systole_conv2d_params_t *p,
                                const systole_packed_t *pk, const systole_buf_t *in,
                                const systole_buf_t *out, int *match) {
  systole_stats_t st;
  systole_status_t s;
  uint64_t t0 = fw_rdcycle(), t1;
  *match = 0;
  memset(g_got, 0x55, sizeof(g_got));
  if (systole_buf_write(&g_dev, out, 0, g_got, sizeof(g_got)) != SYSTOLE_OK) return SYSTOLE_HAL_ERROR;
  s = systole_conv2d(&g_dev, p, in, pk, out, 0, &st);
  t1 = fw_rdcycle();
  if (s != SYSTOLE_OK) {
    printf("%-34s -> %s after %llu cycles\n", what, systole_status_str(s),
           (unsigned long long)(t1 - t0));
    return s;
  }
  if (systole_buf_read(&g_dev, out, 0, g_got, sizeof(g_got)) != SYSTOLE_OK) return SYSTOLE_HAL_ERROR;
  *match = memcmp(g_got, g_want, sizeof(g_want)) == 0;
  printf("%-34s -> OK, %llu cycles (chip %llu), output %s\n", what,
         (unsigned long long)(t1 - t0), (unsigned long long)st.cycles,
         *match ? "equals the golden kernel: PASS" : "differs from the golden kernel: FAIL");
  return s;
}

/* A fault was injected: expect HW_ERROR with `code`; print and check the record. */
static int expect_hw_error(systole_status_t s, unsigned code, int slot, unsigned opcode) {
  systole_error_info_t e;
  int ok;
  if (systole_dev_last_error(&g_dev, &e) != SYSTOLE_OK) return 0;
  printf("  driver: %s: %s\n", systole_status_str(s), e.msg);
  printf("  chip error code %lu (%s), ring slot %lu, opcode 0x%02lx\n", (unsigned long)e.hw_code,
         systole_hwerr_str(e.hw_code), (unsigned long)e.slot, (unsigned long)e.opcode);
  ok = s == SYSTOLE_HW_ERROR && e.hw_code == code && (slot < 0 || e.slot == (uint32_t)slot) &&
       e.opcode == opcode;
  printf("  expected code %u%s, opcode 0x%02x: %s\n", code,
         slot < 0 ? "" : " at the injected slot", opcode, ok ? "PASS" : "FAIL");
  return ok;
}

int main(void) {
  systole_conv2d_params_t p = fwj_conv_params(HW, HW, CIN, COUT, 3, 1, 1, -3);
  systole_ref_conv2d_params_t rp;
  systole_dev_config_t cfg;
  systole_packed_t pk;
  systole_buf_t in, out, bad_in;
  systole_status_t s;
  uint32_t main_base, main_bytes, irq0, win_size, t0;
  int pass = 1, match, sh, i;

  printf("=== Systole firmware: chiperr\n");
  if (hal_mmio_open(&g_hm) != SYSTOLE_OK) return 2;
  inject_wrap(&g_inj, &g_hm.hal);
  main_base = g_hm.hal.mem_base;
  main_bytes = g_hm.hal.mem_size;
  /* fault C needs a window larger than the memory: [base, base + 2 * bytes) */
  memset(&cfg, 0, sizeof(cfg));
  cfg.win_base = main_base;
  cfg.win_size = 2u * main_bytes;
  cfg.timeout_cycles = 200000; /* fault D: give up on a hung job after 200 k cycles */
  s = systole_dev_open(&g_dev, &g_inj.hal, &cfg);
  if (s != SYSTOLE_OK) {
    fwj_print_error(&g_dev, "dev_open", s);
    return 2;
  }
  g_inj.ring_addr = g_dev.ring_addr;
  g_inj.ring_bytes = g_dev.ring_slots * SYSTOLE_CMD_BYTES;
  printf("chip: %lux%lu; ring of %lu slots at 0x%08lx; DMA window [0x%08lx, +%lu KiB), main "
         "memory %lu KiB\n",
         (unsigned long)g_dev.caps.rows, (unsigned long)g_dev.caps.cols,
         (unsigned long)g_dev.ring_slots, (unsigned long)g_dev.ring_addr,
         (unsigned long)cfg.win_base, (unsigned long)cfg.win_size / 1024u,
         (unsigned long)main_bytes / 1024u);
  irq0 = fw_irq_ext_count;

  /* data, weights, golden (once, on the core) */
  fwj_seed(0xe7707u);
  fwj_fill_i8(g_in, sizeof(g_in));
  fwj_fill_i8(g_w, sizeof(g_w));
  for (i = 0; i < COUT; i++) {
    g_bias[i] = 50 * i - 200;
    if (systole_ref_quantize_multiplier(1.0 / 300.0, &g_mult[i], &sh) != 0) return 3;
    g_shift[i] = sh;
  }
  if (systole_conv2d_set_padding(&p, SYSTOLE_PADDING_SAME) != SYSTOLE_OK) return 3;
  memset(&rp, 0, sizeof(rp));
  rp.batch = 1; rp.in_h = HW; rp.in_w = HW; rp.in_c = CIN; rp.out_c = COUT; rp.k_h = 3;
  rp.k_w = 3; rp.stride_h = 1; rp.stride_w = 1; rp.dil_h = 1; rp.dil_w = 1;
  rp.pad_top = p.pad_top; rp.pad_bottom = p.pad_bottom; rp.pad_left = p.pad_left;
  rp.pad_right = p.pad_right; rp.groups = 1; rp.in_zp = p.in_zp; rp.out_zp = p.out_zp;
  rp.act_min = p.act_min; rp.act_max = p.act_max;
  if (systole_ref_conv2d_i8(&rp, g_in, g_w, g_bias, g_mult, g_shift, g_want) != SYSTOLE_REF_OK)
    return 3;
  s = systole_conv2d_weights_pack(&g_dev, &p, g_w, g_bias, g_mult, g_shift, &pk);
  if (s == SYSTOLE_OK) s = systole_buf_alloc(&g_dev, sizeof(g_in), &in);
  if (s == SYSTOLE_OK) s = systole_buf_alloc(&g_dev, sizeof(g_got), &out);
  if (s == SYSTOLE_OK) s = systole_buf_write(&g_dev, &in, 0, g_in, sizeof(g_in));
  if (s != SYSTOLE_OK) {
    fwj_print_error(&g_dev, "setup", s);
    return 2;
  }

  printf("-- baseline\n");
  s = run_job("conv 8x8x8->8 3x3", &p, &pk, &in, &out, &match);
  pass &= s == SYSTOLE_OK && match;

  printf("-- fault A: illegal opcode 0xEE written over the 3rd command of the job\n");
  g_inj.byte = 0;
  g_inj.mask = 0xff;
  g_inj.value = 0xEE;
  g_inj.countdown = 3;
  g_inj.injected = 0;
  s = run_job("conv with a corrupted command", &p, &pk, &in, &out, &match);
  g_inj.countdown = 0;
  pass &= g_inj.injected && expect_hw_error(s, SYSTOLE_HWERR_ILLEGAL_OPCODE,
                                            (int)g_inj.injected_slot, 0xEE);
  if (g_inj.injected) printf("  (the fault was injected at ring slot %lu)\n", (unsigned long)g_inj.injected_slot);
  s = run_job("recovery: the same job again", &p, &pk, &in, &out, &match);
  pass &= s == SYSTOLE_OK && match;

  printf("-- fault B: the chip's DMA window cut down to the command ring\n");
  win_size = g_dev.ring_slots * SYSTOLE_CMD_BYTES;
  if (g_hm.hal.reg_write(g_hm.hal.ctx, SYSTOLE_REG_WIN_BASE, g_dev.ring_addr) ||
      g_hm.hal.reg_write(g_hm.hal.ctx, SYSTOLE_REG_WIN_SIZE, win_size))
    return 2;
  printf("  WIN_BASE 0x%08lx WIN_SIZE %lu (the driver still thinks [0x%08lx, +%lu KiB))\n",
         (unsigned long)g_dev.ring_addr, (unsigned long)win_size, (unsigned long)cfg.win_base,
         (unsigned long)cfg.win_size / 1024u);
  s = run_job("conv with buffers outside the window", &p, &pk, &in, &out, &match);
  pass &= expect_hw_error(s, SYSTOLE_HWERR_DMA_WINDOW, -1, SYSTOLE_OP_LOAD);
  s = run_job("recovery: the same job again", &p, &pk, &in, &out, &match);
  pass &= s == SYSTOLE_OK && match;

  printf("-- fault C: input buffer past the end of main memory (inside the window)\n");
  bad_in.addr = main_base + main_bytes + 4096u;
  bad_in.bytes = sizeof(g_in);
  bad_in.owned = 0;
  printf("  input at 0x%08lx, main memory ends at 0x%08lx\n", (unsigned long)bad_in.addr,
         (unsigned long)(main_base + main_bytes));
  s = run_job("conv reading unmapped memory", &p, &pk, &bad_in, &out, &match);
  pass &= expect_hw_error(s, SYSTOLE_HWERR_AXI_RD, -1, SYSTOLE_OP_LOAD);
  s = run_job("recovery: the same job again", &p, &pk, &in, &out, &match);
  pass &= s == SYSTOLE_OK && match;

  printf("-- fault D: the job's first LOAD made to wait for a token nobody gives (a hang)\n");
  g_inj.byte = 1; /* w0 bits 15:8: dependency bits 11:8 */
  g_inj.mask = (uint8_t)(SYSTOLE_DEP_WAIT_NEXT >> 8);
  g_inj.value = (uint8_t)(SYSTOLE_DEP_WAIT_NEXT >> 8);
  g_inj.countdown = 2; /* CONFIG, then the qparam LOAD */
  g_inj.injected = 0;
  t0 = fw_irq_timer_count;
  s = run_job("conv that never finishes", &p, &pk, &in, &out, &match);
  g_inj.countdown = 0;
  {
    systole_error_info_t e;
    int ok = g_inj.injected && s == SYSTOLE_TIMEOUT &&
             systole_dev_last_error(&g_dev, &e) == SYSTOLE_OK &&
             (fw_irq_timer_count > t0 || !fw_timer_present()); /* without it: polled */
    if (ok) printf("  driver: %s: %s\n", systole_status_str(s), e.msg);
    printf("  expected a timeout after %llu cycles without progress (the wait's budget ends "
           "by the timer interrupt: %lu taken): %s\n",
           (unsigned long long)cfg.timeout_cycles, (unsigned long)(fw_irq_timer_count - t0),
           ok ? "PASS" : "FAIL");
    pass &= ok;
  }
  s = run_job("recovery: the same job again", &p, &pk, &in, &out, &match);
  pass &= s == SYSTOLE_OK && match;

  if (systole_packed_free(&g_dev, &pk) != SYSTOLE_OK || systole_buf_free(&g_dev, &in) != SYSTOLE_OK ||
      systole_buf_free(&g_dev, &out) != SYSTOLE_OK)
    pass = 0;
  printf("chiperr: %lu accelerator interrupts (CMD and ERROR)\n",
         (unsigned long)(fw_irq_ext_count - irq0));
  return prog_finish("chiperr", &g_hm, &g_dev, pass && prog_irq_seen(irq0));
}
