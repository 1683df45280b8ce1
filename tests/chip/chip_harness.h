/* Test harness for the bare chip: a simulated Systole with a command ring, driven with raw
 * commands (no driver), so each block can be exercised on its own.
 */
#ifndef CHIP_HARNESS_H
#define CHIP_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "systole_cmd.h"
#include "systole_regs.h"
#include "systole_sim.h"

typedef struct {
  systole_sim_t *sim;
  /* discovered from the CFG registers */
  unsigned rows, cols, spad_lines, acc_lines, qp_lines, bus_bytes;
  unsigned has_softmax, perf_full; /* CFG_FEATURES.SOFTMAX, CFG_FEATURES.PERF_FULL */
  /* command ring */
  uint64_t ring;
  unsigned ring_slots;
  unsigned tail;
  /* DMA window (whole memory above 4 KiB by default) */
  uint32_t win_base, win_size;
} chip_t;

/* Create a chip with cfg (NULL: defaults) and a ring of ring_slots slots; aborts the test
 * on failure. */
void chip_open(chip_t *c, const systole_sim_config_t *cfg, unsigned ring_slots);
void chip_close(chip_t *c);

uint32_t chip_rd(chip_t *c, uint32_t off);
void chip_wr(chip_t *c, uint32_t off, uint32_t v);
uint64_t chip_counter(chip_t *c, uint32_t off_lo);

/* Append commands to the ring (waits while it is full) and publish the tail. */
void chip_submit(chip_t *c, const systole_cmd_t *cmds, unsigned n);
void chip_submit1(chip_t *c, systole_cmd_t cmd);

/* Run until idle; returns the STATUS register (asserts that idle was reached). */
uint32_t chip_run(chip_t *c, uint64_t max_cycles);

/* Soft reset and wait for it to finish; the ring is re-initialised (tail = 0). */
void chip_soft_reset(chip_t *c);

/* Allocate main memory and fill it from src (src NULL: zero). */
uint64_t chip_alloc(chip_t *c, uint64_t bytes, const void *src);
void chip_read(chip_t *c, uint64_t addr, void *dst, uint64_t bytes);
void chip_write(chip_t *c, uint64_t addr, const void *src, uint64_t bytes);

/* Read n scratchpad lines starting at line into out (n * rows bytes) by multiplying them
 * with an identity tile (square arrays only) and storing raw int32. Uses the last cols
 * scratchpad lines for the identity and accumulator lines from acc_scratch on. */
void chip_peek_spad(chip_t *c, unsigned line, unsigned n, int8_t *out, unsigned acc_scratch);

/* Read n accumulator lines (raw int32, no bias) into out (n * cols int32). */
void chip_peek_acc(chip_t *c, unsigned line, unsigned n, int32_t *out);

/* Deterministic PRNG for tests (xorshift64*). */
uint64_t test_rand(uint64_t *state);
int8_t test_rand_i8(uint64_t *state);
uint64_t test_seed(void); /* SEED environment variable, else 1 */
const char *test_config_name(void);

/* A Verilator parameter of the build under test (-G<name>=<value> in SYSTOLE_TEST_PARAMS,
 * the config's SIM_PARAMS from the Makefile), or def if the build does not set it; *given
 * (if not NULL) tells whether it was set. */
long test_param(const char *name, long def, int *given);

#endif
