/* mainmem.c — main memory shared by the core and the accelerator's DMA (AXI4 slave of
 * rtl/soc/systole_soc_mainmem.sv): the chip copies rows through its accumulator (ring
 * fetch, LOAD read bursts, STORE write bursts) while the core keeps reading and writing
 * main memory next to it; both see each other's data; a DMA read or write outside main
 * memory gets SLVERR (chip error AXI_RD / AXI_WR) with the in-range beats of a write
 * still written; a soft reset recovers the chip. Check n is the number returned. */
#include <stdint.h>

#include "systole_cmd.h"
#include "systole_regs.h"
#include "test.h"

#define ROWS       16u
#define RING_SLOTS 8u
#define TIMEOUT    200000u

static volatile uint32_t *const acc = (volatile uint32_t *)ACC_BASE;
static volatile uint32_t *const socinfo = (volatile uint32_t *)SOCINFO_BASE;

static uint32_t acc_rd(uint32_t off) { return acc[off / 4u]; }
static void acc_wr(uint32_t off, uint32_t v) { acc[off / 4u] = v; }
static volatile uint32_t *mm(uint32_t addr) { return (volatile uint32_t *)addr; }

/* a command into ring slot `slot` (words written as 32-bit halves: no 64-bit shifts) */
static void put_cmd(uint32_t ring, uint32_t slot, const systole_cmd_t *c) {
  volatile uint32_t *p = mm(ring + slot * SYSTOLE_CMD_BYTES);
  for (unsigned i = 0; i < 4; i++) {
    p[2 * i] = (uint32_t)c->w[i];
    p[2 * i + 1] = (uint32_t)(c->w[i] >> 32);
  }
}

/* Wait until the chip is idle with RING_HEAD == tail, or reports an error; meanwhile the
 * core writes and reads back a scratch area of main memory. Returns STATUS, or 0 on a
 * timeout or a scratch mismatch. */
static uint32_t run_ring(uint32_t tail, uint32_t scratch) {
  acc_wr(SYSTOLE_REG_RING_TAIL, tail);
  for (uint32_t i = 0; i < TIMEOUT; i++) {
    volatile uint32_t *s = mm(scratch + 4u * (i & 63u));
    *s = i ^ 0x5a5a5a5au;
    if (*s != (i ^ 0x5a5a5a5au)) return 0;
    uint32_t st = acc_rd(SYSTOLE_REG_STATUS);
    if (st & (1u << SYSTOLE_STATUS_ERROR_SHIFT)) return st;
    if ((st & (1u << SYSTOLE_STATUS_IDLE_SHIFT)) && acc_rd(SYSTOLE_REG_RING_HEAD) == tail)
      return st;
  }
  return 0;
}

static int soft_reset(void) {
  acc_wr(SYSTOLE_REG_CTRL, 1u << SYSTOLE_CTRL_SOFT_RESET_SHIFT);
  for (uint32_t i = 0; i < TIMEOUT; i++) {
    uint32_t st = acc_rd(SYSTOLE_REG_STATUS);
    if (!(st & (1u << SYSTOLE_STATUS_RESETTING_SHIFT)) && (st & 1u) &&
        !(st & (1u << SYSTOLE_STATUS_ERROR_SHIFT)))
      return 1;
  }
  return 0;
}

int test_main(void) {
  uint32_t main_bytes = socinfo[3];
  uint32_t cols = (acc_rd(SYSTOLE_REG_CFG_ARRAY) >> SYSTOLE_CFG_ARRAY_COLS_SHIFT) & 0xffffu;
  uint32_t row = 4u * cols;  /* accumulator line bytes */
  uint32_t ring = MAIN_BASE, src = MAIN_BASE + 0x1000u, dst = MAIN_BASE + 0x2000u;
  uint32_t scratch = MAIN_BASE + 0x3000u, end = MAIN_BASE + main_bytes;
  uint32_t st;

  if (cols == 0 || cols > 64) return 1;
  for (uint32_t i = 0; i < ROWS * row / 4u; i++) {
    *mm(src + 4u * i) = 0x01020304u * (i + 1u) ^ 0xa5000000u;
    *mm(dst + 4u * i) = 0xdeadbeefu;
  }
  acc_wr(SYSTOLE_REG_WIN_BASE, MAIN_BASE);
  acc_wr(SYSTOLE_REG_WIN_SIZE, main_bytes + 0x1000u);  /* reaches past main memory */
  acc_wr(SYSTOLE_REG_RING_BASE, ring);
  acc_wr(SYSTOLE_REG_RING_SIZE, RING_SLOTS);

  /* LOAD ROWS rows into the accumulator, FENCE, STORE them raw to dst */
  systole_load_t ld = {.target = SYSTOLE_TARGET_ACC, .rows = ROWS, .src = src,
                       .src_stride = row, .row_bytes = row, .dst_stride = 1};
  systole_store_t sto = {.raw = 1, .rows = ROWS, .dst = dst, .dst_stride = row,
                         .channels = (uint16_t)cols, .src_stride = 1};
  systole_cmd_t c0 = systole_cmd_load(&ld, 0), c1 = systole_cmd_simple(SYSTOLE_OP_FENCE),
                c2 = systole_cmd_store(&sto, 0);
  put_cmd(ring, 0, &c0);
  put_cmd(ring, 1, &c1);
  put_cmd(ring, 2, &c2);
  st = run_ring(3, scratch);
  if (st == 0) return 2;
  if (st & (1u << SYSTOLE_STATUS_ERROR_SHIFT)) return 3;
  for (uint32_t i = 0; i < ROWS * row / 4u; i++)
    if (*mm(dst + 4u * i) != *mm(src + 4u * i)) return 4;

  /* a LOAD from just past main memory: SLVERR -> AXI_RD, at ring slot 3 */
  ld.rows = 1;
  ld.src = end;
  c0 = systole_cmd_load(&ld, 0);
  put_cmd(ring, 3, &c0);
  st = run_ring(4, scratch);
  if (!(st & (1u << SYSTOLE_STATUS_ERROR_SHIFT))) return 5;
  if (((st >> SYSTOLE_STATUS_ERR_CODE_SHIFT) & 0xffu) != SYSTOLE_HWERR_AXI_RD) return 6;
  if ((acc_rd(SYSTOLE_REG_ERR_CMD) & 0xffffu) != 3u) return 7;
  if (!soft_reset()) return 8;

  /* a STORE of one row to the last 8 bytes of main memory: the first beat lands, the rest
   * gets SLVERR -> AXI_WR (the ring restarts at slot 0 after the soft reset) */
  *mm(end - 8u) = 0;
  *mm(end - 4u) = 0;
  sto.rows = 1;
  sto.dst = end - 8u;
  c2 = systole_cmd_store(&sto, 0);
  put_cmd(ring, 0, &c2);
  st = run_ring(1, scratch);
  if (!(st & (1u << SYSTOLE_STATUS_ERROR_SHIFT))) return 9;
  if (((st >> SYSTOLE_STATUS_ERR_CODE_SHIFT) & 0xffu) != SYSTOLE_HWERR_AXI_WR) return 10;
  /* accumulator line 0 holds src row 0 */
  if (*mm(end - 8u) != *mm(src) || *mm(end - 4u) != *mm(src + 4u)) return 11;
  if (!soft_reset()) return 12;

  /* the copy again, to other rows: the chip works after the errors */
  sto.rows = ROWS;
  sto.dst = dst + ROWS * row;
  c0 = systole_cmd_load(&(systole_load_t){.target = SYSTOLE_TARGET_ACC, .rows = ROWS,
                                          .src = src, .src_stride = row, .row_bytes = row,
                                          .dst_stride = 1}, 0);
  c2 = systole_cmd_store(&sto, 0);
  put_cmd(ring, 0, &c0);
  put_cmd(ring, 1, &c1);
  put_cmd(ring, 2, &c2);
  st = run_ring(3, scratch);
  if (st == 0 || (st & (1u << SYSTOLE_STATUS_ERROR_SHIFT))) return 13;
  for (uint32_t i = 0; i < ROWS * row / 4u; i++)
    if (*mm(dst + ROWS * row + 4u * i) != *mm(src + 4u * i)) return 14;
  return 0;
}

const char test_name[] = "main memory shared with the DMA";
