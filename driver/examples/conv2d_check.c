/* One conv2d on the simulated chip through the driver, checked against the golden kernel. */
#include <stdio.h>
#include <string.h>

#include "systole.h"
#include "systole_hal_sim.h"
#include "systole_ref.h"

/* The golden kernel has its own parameter struct with the same fields. */
static systole_ref_conv2d_params_t to_ref(const systole_conv2d_params_t *p) {
  systole_ref_conv2d_params_t r = {
      .batch = p->batch, .in_h = p->in_h, .in_w = p->in_w, .in_c = p->in_c,
      .out_c = p->out_c, .k_h = p->k_h, .k_w = p->k_w, .stride_h = p->stride_h,
      .stride_w = p->stride_w, .dil_h = p->dil_h, .dil_w = p->dil_w,
      .pad_top = p->pad_top, .pad_bottom = p->pad_bottom, .pad_left = p->pad_left,
      .pad_right = p->pad_right, .groups = p->groups, .in_zp = p->in_zp,
      .out_zp = p->out_zp, .act_min = p->act_min, .act_max = p->act_max};
  return r;
}

int main(void) {
  /* a 3x3 convolution, 16x16x8 -> 16 channels, SAME padding, ReLU */
  systole_conv2d_params_t p = {
      .batch = 1, .in_h = 16, .in_w = 16, .in_c = 8, .out_c = 16, .k_h = 3, .k_w = 3,
      .stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1, .groups = 1,
      .in_zp = -5, .out_zp = -128, .act_min = -128, .act_max = 127};
  static int8_t in[16 * 16 * 8], w[16 * 3 * 3 * 8], out[16 * 16 * 16], ref[16 * 16 * 16];
  int32_t bias[16], mult[16], shift[16];
  systole_hal_sim_t hs;
  systole_dev_t dev;
  systole_packed_t packed;
  systole_buf_t ibuf, obuf;
  systole_stats_t st;
  systole_ref_conv2d_params_t rp;
  int i, oh, ow;

  for (i = 0; i < (int)sizeof(in); i++) in[i] = (int8_t)(i * 7);
  for (i = 0; i < (int)sizeof(w); i++) w[i] = (int8_t)(i * 13 - 50);
  for (i = 0; i < 16; i++) {
    bias[i] = 100 * i;
    if (systole_ref_quantize_multiplier(0.002, &mult[i], &shift[i])) return 1;
  }
  if (systole_conv2d_set_padding(&p, SYSTOLE_PADDING_SAME) != SYSTOLE_OK ||
      systole_conv2d_out_size(&p, &oh, &ow) != SYSTOLE_OK)
    return 1;

  /* open the simulated chip and the device */
  if (systole_hal_sim_open(&hs, NULL) != SYSTOLE_OK) return 1;
  if (systole_dev_open(&dev, &hs.hal, NULL) != SYSTOLE_OK) return 1;
  printf("Systole %ux%u array, %u KiB scratchpad\n", dev.caps.rows, dev.caps.cols,
         dev.caps.spad_bytes / 1024);

  /* pack the weights once, move the input, run */
  if (systole_conv2d_weights_pack(&dev, &p, w, bias, mult, shift, &packed) != SYSTOLE_OK ||
      systole_buf_alloc(&dev, sizeof(in), &ibuf) != SYSTOLE_OK ||
      systole_buf_alloc(&dev, sizeof(out), &obuf) != SYSTOLE_OK ||
      systole_buf_write(&dev, &ibuf, 0, in, sizeof(in)) != SYSTOLE_OK)
    return 1;
  systole_status_t s = systole_conv2d(&dev, &p, &ibuf, &packed, &obuf, 0, &st);
  if (s != SYSTOLE_OK) {
    systole_error_info_t e;
    if (systole_dev_last_error(&dev, &e) == SYSTOLE_OK)
      fprintf(stderr, "conv2d: %s: %s\n", systole_status_str(s), e.msg);
    return 1;
  }
  if (systole_buf_read(&dev, &obuf, 0, out, sizeof(out)) != SYSTOLE_OK) return 1;

  /* check against the golden kernel */
  rp = to_ref(&p);
  if (systole_ref_conv2d_i8(&rp, in, w, bias, mult, shift, ref) != SYSTOLE_REF_OK) return 1;
  printf("%s: %llu cycles, %.1f%% utilisation\n",
         memcmp(out, ref, sizeof(out)) == 0 ? "PASS" : "FAIL",
         (unsigned long long)st.cycles, 100.0 * st.utilisation);

  if (systole_packed_free(&dev, &packed) != SYSTOLE_OK ||
      systole_buf_free(&dev, &ibuf) != SYSTOLE_OK ||
      systole_buf_free(&dev, &obuf) != SYSTOLE_OK || systole_dev_close(&dev) != SYSTOLE_OK ||
      systole_hal_sim_close(&hs) != SYSTOLE_OK)
    return 1;
  return memcmp(out, ref, sizeof(out)) != 0;
}
