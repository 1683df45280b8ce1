/* Copy eight int32 values into the accumulator and back out through the chip's DMA. */
#include <stdio.h>
#include "systole_cmd.h"
#include "systole_regs.h"
#include "systole_sim.h"

int main(void) {
  int32_t in[8] = {1, -2, 3, -4, 5, -6, 7, -8}, out[8] = {0};
  systole_sim_t *chip;
  systole_sim_stop_t why;
  uint64_t ring, src, dst;
  uint32_t status = 0;
  uint8_t slot[SYSTOLE_CMD_BYTES];
  if (systole_sim_create(NULL, &chip)) return 1; /* 64 MiB memory, 50-cycle read latency */
  if (systole_sim_mem_alloc(chip, 4 * SYSTOLE_CMD_BYTES, 32, &ring) ||
      systole_sim_mem_alloc(chip, sizeof in, 8, &src) || systole_sim_mem_alloc(chip, sizeof out, 8, &dst) ||
      systole_sim_mem_write(chip, src, in, sizeof in))
    return 1;
  systole_load_t ld = {.target = SYSTOLE_TARGET_ACC, .rows = 1, .src = (uint32_t)src, .row_bytes = 32, .dst_stride = 1};
  systole_store_t st = {.raw = 1, .rows = 1, .dst = (uint32_t)dst, .channels = 8, .src_stride = 1};
  /* LD and ST queues run concurrently: the FENCE makes the store wait for the load */
  systole_cmd_t cmd[3] = {systole_cmd_load(&ld, 0), systole_cmd_simple(SYSTOLE_OP_FENCE), systole_cmd_store(&st, 0)};
  for (int i = 0; i < 3; i++) {
    systole_cmd_to_bytes(&cmd[i], slot);
    if (systole_sim_mem_write(chip, ring + (uint64_t)i * SYSTOLE_CMD_BYTES, slot, sizeof slot)) return 1;
  }
  if (systole_sim_csr_write(chip, SYSTOLE_REG_WIN_BASE, 4096) || systole_sim_csr_write(chip, SYSTOLE_REG_WIN_SIZE, 1u << 20) ||
      systole_sim_csr_write(chip, SYSTOLE_REG_RING_BASE, (uint32_t)ring) || systole_sim_csr_write(chip, SYSTOLE_REG_RING_SIZE, 4) ||
      systole_sim_csr_write(chip, SYSTOLE_REG_RING_TAIL, 3) || /* three commands: go */
      systole_sim_run(chip, SYSTOLE_SIM_STOP_IDLE, 100000, &why) ||
      systole_sim_csr_read(chip, SYSTOLE_REG_STATUS, &status) || systole_sim_mem_read(chip, dst, out, sizeof out))
    return 1;
  printf("status 0x%x, out[7] = %d, %llu cycles\n", status, out[7], (unsigned long long)systole_sim_cycles(chip));
  systole_sim_destroy(chip);
  return (status & 2) || out[7] != -8; /* STATUS.ERROR or a wrong value fails */
}
