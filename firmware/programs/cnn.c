/* cnn — a small CNN issued by the firmware, layer by layer, each layer checked bit for bit
 * against the golden kernels computed on the core (like the host demo, smaller):
 *
 *   input 8x8x3
 *   conv1   3x3/1  3 -> 8   ReLU          (chip)                      8x8x8
 *   conv2   3x3/2  8 -> 16  ReLU          (chip)                      4x4x16
 *   maxpool 2x2/2                          (core: no pooling unit)     2x2x16
 *   dwconv  3x3 depthwise 16 ReLU          (chip)                      2x2x16
 *   pwconv  1x1    16 -> 32 ReLU          (chip)                      2x2x32
 *   avgpool global                         (core)                      1x1x32
 *   fc      32 -> 10                       (chip, matmul M = 1)        10
 * (small: the golden kernels and the weight packing run on the core, at about 50 and 250
 * cycles per MAC and per packed weight byte; see docs/firmware.md)
 *
 * Exit status 0 iff every layer matches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog.h"

#define IN_HW 8 /* input height and width */

static hal_mmio_t g_hm;
static systole_dev_t g_dev;

static systole_ref_pool_params_t pool_to_ref(const systole_pool_params_t *p) {
  systole_ref_pool_params_t r;
  memset(&r, 0, sizeof(r));
  r.batch = p->batch;
  r.in_h = p->in_h;
  r.in_w = p->in_w;
  r.channels = p->channels;
  r.k_h = p->k_h;
  r.k_w = p->k_w;
  r.stride_h = p->stride_h;
  r.stride_w = p->stride_w;
  r.pad_top = p->pad_top;
  r.pad_bottom = p->pad_bottom;
  r.pad_left = p->pad_left;
  r.pad_right = p->pad_right;
  r.act_min = p->act_min;
  r.act_max = p->act_max;
  return r;
}

/* A pooling layer on the core through the driver (systole_maxpool2d / avgpool2d read the
 * device buffer, run the golden kernel, write back), checked against the golden kernel on
 * the host copy. */
static systole_status_t pool_layer(systole_dev_t *dev, const char *name, int is_max,
                                   const systole_pool_params_t *pp, const systole_buf_t *in,
                                   const int8_t *in_host, systole_buf_t *out,
                                   int8_t **out_host, int *pass) {
  systole_ref_pool_params_t rp = pool_to_ref(pp);
  systole_status_t st;
  int oh, ow, ok;
  size_t n;
  int8_t *want, *got;
  uint64_t t0, t1;
  *out_host = NULL;
  st = systole_pool_out_size(pp, &oh, &ow);
  if (st != SYSTOLE_OK) return st;
  n = (size_t)oh * (size_t)ow * (size_t)pp->channels;
  st = systole_buf_alloc(dev, n, out);
  if (st != SYSTOLE_OK) {
    fwj_print_error(dev, "buf_alloc", st);
    return st;
  }
  t0 = dev->hal->cycles(dev->hal->ctx);
  st = is_max ? systole_maxpool2d(dev, pp, in, out) : systole_avgpool2d(dev, pp, in, out);
  t1 = dev->hal->cycles(dev->hal->ctx);
  if (st != SYSTOLE_OK) {
    fwj_print_error(dev, name, st);
    if (systole_buf_free(dev, out) != SYSTOLE_OK) printf("ERROR buf_free after a failed step\n");
    return st;
  }
  want = malloc(n);
  got = fwj_read_back(dev, out, n);
  if (!want || !got ||
      (is_max ? systole_ref_maxpool_i8(&rp, in_host, want)
              : systole_ref_avgpool_i8(&rp, in_host, want)) != SYSTOLE_REF_OK) {
    free(want);
    free(got);
    if (systole_buf_free(dev, out) != SYSTOLE_OK) printf("ERROR buf_free after a failed step\n");
    return SYSTOLE_NO_MEM;
  }
  ok = memcmp(got, want, n) == 0;
  fwj_report_row(name, is_max ? "2x2/2 (core)" : "global (core)", NULL, t1 - t0, ok);
  if (!ok) *pass = 0;
  free(want);
  *out_host = got;
  return SYSTOLE_OK;
}

int main(void) {
  systole_dev_t *dev = &g_dev;
  systole_buf_t b[8];
  int8_t *h[8];
  int have = 0, pass = 1, i, H, W;
  systole_conv2d_params_t p;
  systole_pool_params_t pp;
  systole_status_t st = SYSTOLE_OK;
  fwj_result_t r;
  fwj_proj_t fc;
  uint32_t irq0;
  memset(h, 0, sizeof(h));
  memset(&r, 0, sizeof(r));
  memset(&fc, 0, sizeof(fc));
  r.pass = 1;
  if (prog_open("cnn", &g_hm, dev, NULL)) return 2;
  fwj_report_header();
  irq0 = fw_irq_ext_count;
  fwj_seed(0xc0ffeeu);

  /* input */
  h[0] = malloc(IN_HW * IN_HW * 3);
  if (!h[0]) return 3;
  fwj_fill_i8(h[0], IN_HW * IN_HW * 3);
  st = systole_buf_alloc(dev, IN_HW * IN_HW * 3, &b[0]);
  if (st != SYSTOLE_OK) goto fail;
  have = 1;
  st = systole_buf_write(dev, &b[0], 0, h[0], IN_HW * IN_HW * 3);
  if (st != SYSTOLE_OK) goto fail;

  p = fwj_conv_params(IN_HW, IN_HW, 3, 8, 3, 1, 1, 0);
  st = fwj_conv_layer(dev, "conv1", &p, &b[0], h[0], &b[1], &h[1], &r);
  if (st != SYSTOLE_OK) goto fail;
  have = 2;
  H = IN_HW;
  W = IN_HW;
  p = fwj_conv_params(H, W, 8, 16, 3, 2, 1, -128);
  st = fwj_conv_layer(dev, "conv2", &p, &b[1], h[1], &b[2], &h[2], &r);
  if (st != SYSTOLE_OK) goto fail;
  have = 3;
  st = systole_conv2d_out_size(&p, &H, &W);
  if (st != SYSTOLE_OK) goto fail;

  memset(&pp, 0, sizeof(pp));
  pp.batch = 1;
  pp.in_h = H;
  pp.in_w = W;
  pp.channels = 16;
  pp.k_h = pp.k_w = 2;
  pp.stride_h = pp.stride_w = 2;
  pp.act_min = -128;
  pp.act_max = 127;
  st = pool_layer(dev, "maxpool", 1, &pp, &b[2], h[2], &b[3], &h[3], &pass);
  if (st != SYSTOLE_OK) goto fail;
  have = 4;
  H /= 2;
  W /= 2;

  p = fwj_conv_params(H, W, 16, 16, 3, 1, 16, -128);
  st = fwj_conv_layer(dev, "dwconv", &p, &b[3], h[3], &b[4], &h[4], &r);
  if (st != SYSTOLE_OK) goto fail;
  have = 5;
  p = fwj_conv_params(H, W, 16, 32, 1, 1, 1, -128);
  st = fwj_conv_layer(dev, "pwconv", &p, &b[4], h[4], &b[5], &h[5], &r);
  if (st != SYSTOLE_OK) goto fail;
  have = 6;

  memset(&pp, 0, sizeof(pp));
  pp.batch = 1;
  pp.in_h = H;
  pp.in_w = W;
  pp.channels = 32;
  pp.k_h = H;
  pp.k_w = W;
  pp.stride_h = pp.stride_w = 1;
  pp.act_min = -128;
  pp.act_max = 127;
  st = pool_layer(dev, "avgpool", 0, &pp, &b[5], h[5], &b[6], &h[6], &pass);
  if (st != SYSTOLE_OK) goto fail;
  have = 7;

  /* fully connected 32 -> 10 as a matmul with M = 1 */
  st = fwj_proj_make(dev, &fc, 32, 10, -128, 0);
  if (st != SYSTOLE_OK) goto fail;
  {
    systole_stats_t fs;
    int8_t *want;
    int ok;
    st = fwj_proj_run(dev, &fc, 1, &b[6], &b[7], &r, &fs);
    if (st != SYSTOLE_OK) goto fail;
    have = 8;
    h[7] = fwj_read_back(dev, &b[7], 10);
    want = fwj_proj_golden(&fc, 1, h[6]);
    if (!h[7] || !want) {
      free(want);
      st = SYSTOLE_NO_MEM;
      goto fail;
    }
    ok = memcmp(h[7], want, 10) == 0;
    fwj_report_row("fc", "1x32 x 32x10", &fs, fs.wall_cycles, ok);
    if (!ok) r.pass = 0;
    printf("logits:");
    for (i = 0; i < 10; i++) printf(" %d", h[7][i]);
    printf("\n");
    free(want);
  }
  fwj_proj_release(dev, &fc);
  pass = pass && r.pass;
  printf("cnn: %lu chip layers, %llu cycles in driver calls, %llu chip busy cycles, %llu "
         "MACs, %lu accelerator interrupts\n",
         (unsigned long)r.calls, (unsigned long long)r.cycles,
         (unsigned long long)r.chip_cycles, (unsigned long long)r.macs,
         (unsigned long)(fw_irq_ext_count - irq0));
  goto out;
fail:
  fwj_print_error(dev, "cnn", st);
  fwj_proj_release(dev, &fc);
  pass = 0;
out:
  for (i = 0; i < have; i++) {
    if (systole_buf_free(dev, &b[i]) != SYSTOLE_OK) pass = 0;
  }
  for (i = 0; i < 8; i++) free(h[i]);
  return prog_finish("cnn", &g_hm, dev, pass && prog_irq_seen(irq0));
}
