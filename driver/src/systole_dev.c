/* systole_dev.c — device open/close, errors, buffers, command ring and job framing. */
#include "systole_internal.h"
#include "systole_regs.h"

const char *systole_status_str(systole_status_t status) {
  switch (status) {
    case SYSTOLE_OK: return "ok";
    case SYSTOLE_BAD_ARG: return "invalid argument";
    case SYSTOLE_NO_MEM: return "out of memory";
    case SYSTOLE_TIMEOUT: return "timeout: the chip made no progress";
    case SYSTOLE_HW_ERROR: return "chip error";
    case SYSTOLE_UNSUPPORTED: return "not supported by this hardware or driver";
    case SYSTOLE_HAL_ERROR: return "HAL error";
    case SYSTOLE_BAD_DEVICE: return "not a Systole device";
    case SYSTOLE_OVERFLOW: return "size or address overflow";
    default: return "unknown status";
  }
}

/* ---- messages without a C library ------------------------------------------------------ */

typedef struct {
  char *out;
  size_t size, n;
} fmt_sink_t;

static void sink_put(fmt_sink_t *s, char c) {
  if (s->n + 1 < s->size) s->out[s->n] = c;
  s->n++;
}

static void sink_num(fmt_sink_t *s, unsigned long long v, int neg, unsigned base, int upper,
                     unsigned width, int zero) {
  char buf[24];
  unsigned i = 0;
  const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  do {
    buf[i++] = digits[v % base];
    v /= base;
  } while (v && i < sizeof(buf));
  if (neg) {
    if (zero) sink_put(s, '-');
    width = width ? width - 1 : 0;
  }
  while (width > i) {
    sink_put(s, zero ? '0' : ' ');
    width--;
  }
  if (neg && !zero) sink_put(s, '-');
  while (i) sink_put(s, buf[--i]);
}

void drv_vfmt(char *out, size_t size, const char *fmt, va_list ap) {
  fmt_sink_t s;
  s.out = out;
  s.size = size;
  s.n = 0;
  if (!out || size == 0) return;
  while (*fmt) {
    unsigned width = 0;
    int zero = 0, lng = 0;
    char c = *fmt++;
    if (c != '%') {
      sink_put(&s, c);
      continue;
    }
    if (*fmt == '0') {
      zero = 1;
      fmt++;
    }
    while (*fmt >= '0' && *fmt <= '9') width = width * 10u + (unsigned)(*fmt++ - '0');
    while (*fmt == 'l' || *fmt == 'z') {
      lng = (*fmt == 'z') ? 3 : lng + 1;
      fmt++;
    }
    c = *fmt ? *fmt++ : '\0';
    switch (c) {
      case '%':
        sink_put(&s, '%');
        break;
      case 'c':
        sink_put(&s, (char)va_arg(ap, int));
        break;
      case 's': {
        const char *str = va_arg(ap, const char *);
        if (!str) str = "(null)";
        while (*str) sink_put(&s, *str++);
        break;
      }
      case 'd':
      case 'i': {
        long long v = lng == 2 ? va_arg(ap, long long)
                    : lng == 1 ? (long long)va_arg(ap, long)
                    : lng == 3 ? (long long)va_arg(ap, size_t)
                               : (long long)va_arg(ap, int);
        unsigned long long mag = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
        sink_num(&s, mag, v < 0, 10, 0, width, zero);
        break;
      }
      case 'u':
      case 'x':
      case 'X': {
        unsigned long long v = lng == 2 ? va_arg(ap, unsigned long long)
                             : lng == 1 ? (unsigned long long)va_arg(ap, unsigned long)
                             : lng == 3 ? (unsigned long long)va_arg(ap, size_t)
                                        : (unsigned long long)va_arg(ap, unsigned);
        sink_num(&s, v, 0, c == 'u' ? 10u : 16u, c == 'X', width, zero);
        break;
      }
      default: /* unknown conversion: print it as is */
        sink_put(&s, '%');
        if (c) sink_put(&s, c);
        break;
    }
  }
  out[s.n < size ? s.n : size - 1] = '\0';
}

void drv_fmt(char *out, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  drv_vfmt(out, size, fmt, ap);
  va_end(ap);
}

void drv_set_error(systole_dev_t *dev, systole_status_t st, const char *fmt, ...) {
  va_list ap;
  if (!dev) return;
  memset(&dev->last_error, 0, sizeof(dev->last_error));
  dev->last_error.status = st;
  va_start(ap, fmt);
  drv_vfmt(dev->last_error.msg, sizeof(dev->last_error.msg), fmt, ap);
  va_end(ap);
}

int drv_fits_u32(uint64_t v) { return v <= 0xffffffffull; }

int drv_mul_ok(uint64_t a, uint64_t b, uint64_t *r) {
  /* two 32-bit factors never overflow: skip the (on a 32-bit core, libgcc) division */
  if (((a | b) >> 32) == 0) {
    *r = a * b;
    return 1;
  }
  if (a != 0 && b > UINT64_MAX / a) return 0;
  *r = a * b;
  return 1;
}

/* ---- HAL wrappers ------------------------------------------------------------------ */

systole_status_t drv_reg_read(systole_dev_t *dev, uint32_t off, uint32_t *v) {
  int rc = dev->hal->reg_read(dev->hal->ctx, off, v);
  if (rc) {
    drv_set_error(dev, SYSTOLE_HAL_ERROR, "HAL reg_read(0x%03x) failed (%d)", (unsigned)off, rc);
    return SYSTOLE_HAL_ERROR;
  }
  return SYSTOLE_OK;
}

systole_status_t drv_reg_write(systole_dev_t *dev, uint32_t off, uint32_t v) {
  int rc = dev->hal->reg_write(dev->hal->ctx, off, v);
  if (rc) {
    drv_set_error(dev, SYSTOLE_HAL_ERROR, "HAL reg_write(0x%03x) failed (%d)", (unsigned)off, rc);
    return SYSTOLE_HAL_ERROR;
  }
  return SYSTOLE_OK;
}

systole_status_t drv_mem_write(systole_dev_t *dev, uint32_t addr, const void *src, size_t n) {
  int rc = dev->hal->mem_write(dev->hal->ctx, addr, src, n);
  if (rc) {
    drv_set_error(dev, SYSTOLE_HAL_ERROR, "HAL mem_write(0x%08x, %zu) failed (%d)",
                  (unsigned)addr, n, rc);
    return SYSTOLE_HAL_ERROR;
  }
  return SYSTOLE_OK;
}

systole_status_t drv_mem_read(systole_dev_t *dev, uint32_t addr, void *dst, size_t n) {
  int rc = dev->hal->mem_read(dev->hal->ctx, addr, dst, n);
  if (rc) {
    drv_set_error(dev, SYSTOLE_HAL_ERROR, "HAL mem_read(0x%08x, %zu) failed (%d)",
                  (unsigned)addr, n, rc);
    return SYSTOLE_HAL_ERROR;
  }
  return SYSTOLE_OK;
}

static systole_status_t drv_wait(systole_dev_t *dev, unsigned what, uint64_t budget,
                                 unsigned *reached) {
  int rc = dev->hal->wait(dev->hal->ctx, what, budget, reached);
  if (rc) {
    drv_set_error(dev, SYSTOLE_HAL_ERROR, "HAL wait failed (%d)", rc);
    return SYSTOLE_HAL_ERROR;
  }
  return SYSTOLE_OK;
}

static int hal_ok(const systole_hal_t *h) {
  return h && h->reg_read && h->reg_write && h->mem_alloc && h->mem_free && h->mem_write &&
         h->mem_read && h->wait && h->cycles;
}

static int dev_ok(const systole_dev_t *dev) { return dev && dev->open && hal_ok(dev->hal); }

int drv_buf_ok(const systole_dev_t *dev, const systole_buf_t *b) {
  uint64_t end;
  if (!b || b->bytes == 0) return 0;
  end = (uint64_t)b->addr + b->bytes;
  return b->addr >= dev->cfg.win_base && end <= (uint64_t)dev->cfg.win_base + dev->cfg.win_size;
}

/* ---- reset and ring programming ------------------------------------------------------ */

static systole_status_t ring_program(systole_dev_t *dev) {
  uint32_t v;
  DRV_CHECK(drv_reg_write(dev, SYSTOLE_REG_WIN_BASE, dev->cfg.win_base));
  DRV_CHECK(drv_reg_write(dev, SYSTOLE_REG_WIN_SIZE, dev->cfg.win_size));
  DRV_CHECK(drv_reg_write(dev, SYSTOLE_REG_RING_BASE, dev->ring_addr));
  DRV_CHECK(drv_reg_write(dev, SYSTOLE_REG_RING_SIZE, dev->ring_slots));
  /* a chip built with fewer ring index bits (RingBits, e.g. the iCEBreaker's 12) keeps only
     those: a larger ring would wrap early, so it is refused */
  DRV_CHECK(drv_reg_read(dev, SYSTOLE_REG_RING_SIZE, &v));
  if (SYSTOLE_RING_SIZE_SLOTS_GET(v) != dev->ring_slots) {
    drv_set_error(dev, SYSTOLE_UNSUPPORTED,
                  "ring of %u slots too large: this chip's RING_SIZE keeps %u of it",
                  (unsigned)dev->ring_slots, (unsigned)SYSTOLE_RING_SIZE_SLOTS_GET(v));
    return SYSTOLE_UNSUPPORTED;
  }
  DRV_CHECK(drv_reg_write(dev, SYSTOLE_REG_IRQ_ENABLE,
                          (1u << SYSTOLE_IRQ_ENABLE_CMD_SHIFT) |
                              (1u << SYSTOLE_IRQ_ENABLE_ERROR_SHIFT)));
  DRV_CHECK(drv_reg_write(dev, SYSTOLE_REG_IRQ_STATUS, 0x7u));
  DRV_CHECK(drv_reg_read(dev, SYSTOLE_REG_RING_HEAD, &v));
  dev->head = SYSTOLE_RING_HEAD_INDEX_GET(v);
  DRV_CHECK(drv_reg_read(dev, SYSTOLE_REG_RING_TAIL, &v));
  dev->tail = SYSTOLE_RING_TAIL_INDEX_GET(v);
  if (dev->head != dev->tail || dev->tail >= dev->ring_slots) {
    DRV_CHECK(drv_reg_write(dev, SYSTOLE_REG_RING_TAIL, dev->head));
    dev->tail = dev->head;
  }
  dev->stage_n = 0;
  return SYSTOLE_OK;
}

static systole_status_t soft_reset(systole_dev_t *dev) {
  uint32_t st = 0;
  unsigned reached, i;
  DRV_CHECK(drv_reg_write(dev, SYSTOLE_REG_CTRL, 1u << SYSTOLE_CTRL_SOFT_RESET_SHIFT));
  for (i = 0; i < 100000u; i++) {
    DRV_CHECK(drv_reg_read(dev, SYSTOLE_REG_STATUS, &st));
    if (!SYSTOLE_STATUS_RESETTING_GET(st)) break;
    DRV_CHECK(drv_wait(dev, SYSTOLE_HAL_WAIT_IDLE, 64, &reached));
  }
  if (SYSTOLE_STATUS_RESETTING_GET(st) || SYSTOLE_STATUS_ERROR_GET(st)) {
    drv_set_error(dev, SYSTOLE_TIMEOUT, "soft reset did not finish (STATUS=0x%08x)",
                  (unsigned)st);
    return SYSTOLE_TIMEOUT;
  }
  return SYSTOLE_OK;
}

systole_status_t systole_dev_open(systole_dev_t *dev, const systole_hal_t *hal,
                                  const systole_dev_config_t *cfg) {
  uint32_t v;
  systole_caps_t *c;
  systole_status_t st;
  uint64_t ring_bytes;
  if (!dev || !hal_ok(hal)) return SYSTOLE_BAD_ARG;
  if (cfg && cfg->ring_slots != 0 && (cfg->ring_slots < 8 || cfg->ring_slots > 65535))
    return SYSTOLE_BAD_ARG;
  if (cfg && cfg->win_size != 0 && (uint64_t)cfg->win_base + cfg->win_size > 0x100000000ull)
    return SYSTOLE_BAD_ARG;
  if (!cfg && hal->mem_size == 0) return SYSTOLE_BAD_ARG;
  memset(dev, 0, sizeof(*dev));
  dev->hal = hal;
  if (cfg) dev->cfg = *cfg;
  if (dev->cfg.ring_slots == 0) dev->cfg.ring_slots = DRV_DEFAULT_RING_SLOTS;
  if (dev->cfg.win_size == 0) {
    dev->cfg.win_base = hal->mem_base;
    dev->cfg.win_size = hal->mem_size;
  }
  if (dev->cfg.timeout_cycles == 0) dev->cfg.timeout_cycles = DRV_DEFAULT_TIMEOUT;
  c = &dev->caps;
  DRV_CHECK(drv_reg_read(dev, SYSTOLE_REG_ID, &c->id));
  if (c->id != SYSTOLE_ID_MAGIC) {
    drv_set_error(dev, SYSTOLE_BAD_DEVICE, "ID register reads 0x%08x, not 'SYST'",
                  (unsigned)c->id);
    return SYSTOLE_BAD_DEVICE;
  }
  DRV_CHECK(soft_reset(dev));
  DRV_CHECK(drv_reg_read(dev, SYSTOLE_REG_VERSION, &c->version));
  DRV_CHECK(drv_reg_read(dev, SYSTOLE_REG_CFG_ARRAY, &v));
  c->rows = SYSTOLE_CFG_ARRAY_ROWS_GET(v);
  c->cols = SYSTOLE_CFG_ARRAY_COLS_GET(v);
  DRV_CHECK(drv_reg_read(dev, SYSTOLE_REG_CFG_SPAD, &c->spad_bytes));
  DRV_CHECK(drv_reg_read(dev, SYSTOLE_REG_CFG_ACC, &c->acc_bytes));
  DRV_CHECK(drv_reg_read(dev, SYSTOLE_REG_CFG_BUS, &v));
  c->bus_bytes = SYSTOLE_CFG_BUS_DATA_BITS_GET(v) / 8;
  c->addr_bits = SYSTOLE_CFG_BUS_ADDR_BITS_GET(v);
  DRV_CHECK(drv_reg_read(dev, SYSTOLE_REG_CFG_MISC, &v));
  c->qparam_lines = SYSTOLE_CFG_MISC_QPARAM_LINES_GET(v);
  c->queue_depth = SYSTOLE_CFG_MISC_QUEUE_DEPTH_GET(v);
  c->cmd_bytes = SYSTOLE_CFG_MISC_CMD_BYTES_GET(v);
  DRV_CHECK(drv_reg_read(dev, SYSTOLE_REG_CFG_FEATURES, &c->features));
  if (c->rows == 0 || c->cols == 0 || c->cmd_bytes != SYSTOLE_CMD_BYTES ||
      c->qparam_lines == 0 || c->spad_bytes < c->rows || c->acc_bytes < 4u * c->cols ||
      (uint64_t)16 * c->cols > 65535u) {
    drv_set_error(dev, SYSTOLE_UNSUPPORTED,
                  "unsupported configuration: rows %u cols %u cmd_bytes %u qparam_lines %u",
                  (unsigned)c->rows, (unsigned)c->cols, (unsigned)c->cmd_bytes,
                  (unsigned)c->qparam_lines);
    return SYSTOLE_UNSUPPORTED;
  }
  c->spad_lines = c->spad_bytes / c->rows;
  c->acc_lines = c->acc_bytes / (4u * c->cols);
  if (c->spad_lines > 65536u) c->spad_lines = 65536u;
  if (c->acc_lines > 65536u) c->acc_lines = 65536u;
  dev->spad_half = c->spad_lines / 2;
  dev->acc_half = c->acc_lines / 2;
  dev->ring_slots = dev->cfg.ring_slots;
  ring_bytes = (uint64_t)dev->ring_slots * SYSTOLE_CMD_BYTES;
  if (hal->mem_alloc(hal->ctx, (size_t)ring_bytes, 32, &dev->ring_addr)) {
    drv_set_error(dev, SYSTOLE_NO_MEM, "cannot allocate the command ring (%u slots)",
                  (unsigned)dev->ring_slots);
    return SYSTOLE_NO_MEM;
  }
  if (dev->ring_addr < dev->cfg.win_base ||
      (uint64_t)dev->ring_addr + ring_bytes > (uint64_t)dev->cfg.win_base + dev->cfg.win_size) {
    (void)hal->mem_free(hal->ctx, dev->ring_addr);
    drv_set_error(dev, SYSTOLE_NO_MEM, "command ring outside the DMA window");
    return SYSTOLE_NO_MEM;
  }
  st = ring_program(dev);
  if (st != SYSTOLE_OK) {
    (void)hal->mem_free(hal->ctx, dev->ring_addr);
    return st;
  }
  dev->open = 1;
  memset(&dev->last_error, 0, sizeof(dev->last_error));
  return SYSTOLE_OK;
}

systole_status_t systole_dev_close(systole_dev_t *dev) {
  int rc;
  if (!dev_ok(dev)) return SYSTOLE_BAD_ARG;
  (void)drv_reg_write(dev, SYSTOLE_REG_IRQ_ENABLE, 0);
  rc = dev->hal->mem_free(dev->hal->ctx, dev->ring_addr);
  dev->open = 0;
  return rc ? SYSTOLE_HAL_ERROR : SYSTOLE_OK;
}

systole_status_t systole_dev_caps(const systole_dev_t *dev, systole_caps_t *caps) {
  if (!dev_ok(dev) || !caps) return SYSTOLE_BAD_ARG;
  *caps = dev->caps;
  return SYSTOLE_OK;
}

systole_status_t systole_dev_last_error(const systole_dev_t *dev, systole_error_info_t *info) {
  if (!dev || !info) return SYSTOLE_BAD_ARG;
  *info = dev->last_error;
  return SYSTOLE_OK;
}

systole_status_t systole_dev_reset(systole_dev_t *dev) {
  if (!dev_ok(dev)) return SYSTOLE_BAD_ARG;
  DRV_CHECK(soft_reset(dev));
  return ring_program(dev);
}

systole_status_t systole_dev_set_trace(systole_dev_t *dev,
                                       void (*fn)(void *ctx, const uint64_t cmd[4]), void *ctx) {
  if (!dev_ok(dev)) return SYSTOLE_BAD_ARG;
  dev->trace = fn;
  dev->trace_ctx = ctx;
  return SYSTOLE_OK;
}

/* ---- buffers ------------------------------------------------------------------------- */

systole_status_t systole_buf_alloc(systole_dev_t *dev, size_t bytes, systole_buf_t *buf) {
  uint32_t a = 0;
  if (!dev_ok(dev) || !buf || bytes == 0) return SYSTOLE_BAD_ARG;
  if (!drv_fits_u32(bytes)) return SYSTOLE_OVERFLOW;
  if (dev->hal->mem_alloc(dev->hal->ctx, bytes, 64, &a)) {
    drv_set_error(dev, SYSTOLE_NO_MEM, "device memory exhausted (%zu bytes)", bytes);
    return SYSTOLE_NO_MEM;
  }
  buf->addr = a;
  buf->bytes = (uint32_t)bytes;
  buf->owned = 1;
  if (!drv_buf_ok(dev, buf)) {
    (void)dev->hal->mem_free(dev->hal->ctx, a);
    memset(buf, 0, sizeof(*buf));
    drv_set_error(dev, SYSTOLE_NO_MEM, "allocation outside the DMA window");
    return SYSTOLE_NO_MEM;
  }
  return SYSTOLE_OK;
}

systole_status_t systole_buf_free(systole_dev_t *dev, systole_buf_t *buf) {
  if (!dev_ok(dev) || !buf || !buf->owned || buf->bytes == 0) return SYSTOLE_BAD_ARG;
  if (dev->hal->mem_free(dev->hal->ctx, buf->addr)) return SYSTOLE_HAL_ERROR;
  memset(buf, 0, sizeof(*buf));
  return SYSTOLE_OK;
}

systole_status_t systole_buf_view(const systole_buf_t *buf, size_t offset, size_t bytes,
                                  systole_buf_t *view) {
  if (!buf || !view || bytes == 0 || buf->bytes == 0) return SYSTOLE_BAD_ARG;
  if (offset > buf->bytes || bytes > buf->bytes - offset) return SYSTOLE_BAD_ARG;
  view->addr = buf->addr + (uint32_t)offset;
  view->bytes = (uint32_t)bytes;
  view->owned = 0;
  return SYSTOLE_OK;
}

static int range_ok(const systole_buf_t *buf, size_t offset, size_t bytes) {
  return bytes != 0 && offset <= buf->bytes && bytes <= buf->bytes - offset;
}

systole_status_t systole_buf_write(systole_dev_t *dev, const systole_buf_t *buf, size_t offset,
                                   const void *src, size_t bytes) {
  if (!dev_ok(dev) || !buf || !src || !drv_buf_ok(dev, buf) || !range_ok(buf, offset, bytes))
    return SYSTOLE_BAD_ARG;
  return drv_mem_write(dev, buf->addr + (uint32_t)offset, src, bytes);
}

systole_status_t systole_buf_read(systole_dev_t *dev, const systole_buf_t *buf, size_t offset,
                                  void *dst, size_t bytes) {
  if (!dev_ok(dev) || !buf || !dst || !drv_buf_ok(dev, buf) || !range_ok(buf, offset, bytes))
    return SYSTOLE_BAD_ARG;
  return drv_mem_read(dev, buf->addr + (uint32_t)offset, dst, bytes);
}

/* ---- chip errors ----------------------------------------------------------------------- */

static const char *op_name(unsigned op) {
  switch (op) {
    case SYSTOLE_OP_LOAD: return "LOAD";
    case SYSTOLE_OP_STORE: return "STORE";
    case SYSTOLE_OP_MATMUL: return "MATMUL";
    case SYSTOLE_OP_CONFIG: return "CONFIG";
    case SYSTOLE_OP_FENCE: return "FENCE";
    case SYSTOLE_OP_IRQ: return "IRQ";
    case SYSTOLE_OP_NOP: return "NOP";
    default: return "?";
  }
}

/* The chip stopped on an error: record code, slot, command, message; soft-reset. */
static systole_status_t fail_hw(systole_dev_t *dev, uint32_t status) {
  uint32_t slot = 0;
  uint8_t bytes[SYSTOLE_CMD_BYTES];
  uint64_t w[4] = {0, 0, 0, 0};
  unsigned code = SYSTOLE_STATUS_ERR_CODE_GET(status), i, b;
  systole_error_info_t info;
  memset(&info, 0, sizeof(info));
  if (drv_reg_read(dev, SYSTOLE_REG_ERR_CMD, &slot) == SYSTOLE_OK) {
    slot = SYSTOLE_ERR_CMD_INDEX_GET(slot);
    if (slot < dev->ring_slots &&
        drv_mem_read(dev, dev->ring_addr + slot * SYSTOLE_CMD_BYTES, bytes, sizeof(bytes)) ==
            SYSTOLE_OK) {
      for (i = 0; i < 4; i++)
        for (b = 0; b < 8; b++) w[i] |= (uint64_t)bytes[i * 8 + b] << (8 * b);
    }
  }
  drv_set_error(dev, SYSTOLE_HW_ERROR,
                "chip error %u (%s) at ring slot %u: %s command w0=0x%016llx w1=0x%016llx "
                "w2=0x%016llx",
                code, systole_hwerr_str(code), (unsigned)slot, op_name((unsigned)(w[0] & 0xff)),
                (unsigned long long)w[0], (unsigned long long)w[1], (unsigned long long)w[2]);
  dev->last_error.hw_code = code;
  dev->last_error.slot = slot;
  dev->last_error.opcode = (uint32_t)(w[0] & 0xff);
  for (i = 0; i < 4; i++) dev->last_error.cmd[i] = w[i];
  info = dev->last_error;
  if (soft_reset(dev) != SYSTOLE_OK || ring_program(dev) != SYSTOLE_OK) {
    size_t n = strlen(info.msg);
    drv_fmt(info.msg + n, sizeof(info.msg) - n, "; soft reset failed");
  }
  dev->last_error = info; /* the reset must not hide the chip error */
  return SYSTOLE_HW_ERROR;
}

static systole_status_t fail_timeout(systole_dev_t *dev, const char *what) {
  uint32_t st = 0, head = 0;
  systole_error_info_t info;
  (void)drv_reg_read(dev, SYSTOLE_REG_STATUS, &st);
  (void)drv_reg_read(dev, SYSTOLE_REG_RING_HEAD, &head);
  drv_set_error(dev, SYSTOLE_TIMEOUT,
                "no progress for %llu cycles while %s (STATUS=0x%08x RING_HEAD=%u tail=%u)",
                (unsigned long long)dev->cfg.timeout_cycles, what, (unsigned)st, (unsigned)head,
                (unsigned)dev->tail);
  info = dev->last_error;
  if (soft_reset(dev) != SYSTOLE_OK || ring_program(dev) != SYSTOLE_OK) {
    size_t n = strlen(info.msg);
    drv_fmt(info.msg + n, sizeof(info.msg) - n, "; soft reset failed");
  }
  dev->last_error = info;
  return SYSTOLE_TIMEOUT;
}

/* Check STATUS for an error stop. */
static systole_status_t check_error(systole_dev_t *dev) {
  uint32_t st;
  DRV_CHECK(drv_reg_read(dev, SYSTOLE_REG_STATUS, &st));
  if (SYSTOLE_STATUS_ERROR_GET(st)) return fail_hw(dev, st);
  return SYSTOLE_OK;
}

/* ---- ring ------------------------------------------------------------------------------ */

static uint32_t ring_used(const systole_dev_t *dev) {
  return (dev->tail + dev->ring_slots - dev->head) % dev->ring_slots;
}

/* Wait until at least one slot is free; TIMEOUT if the head does not move. */
static systole_status_t ring_wait_space(systole_dev_t *dev) {
  uint64_t stuck = 0;
  uint32_t v;
  unsigned reached;
  for (;;) {
    DRV_CHECK(drv_reg_read(dev, SYSTOLE_REG_RING_HEAD, &v));
    v = SYSTOLE_RING_HEAD_INDEX_GET(v);
    if (v != dev->head) {
      dev->head = v;
      stuck = 0;
    }
    if (ring_used(dev) + 1 < dev->ring_slots) return SYSTOLE_OK;
    DRV_CHECK(drv_wait(dev, SYSTOLE_HAL_WAIT_IRQ, DRV_POLL_CYCLES, &reached));
    if (reached & SYSTOLE_HAL_WAIT_IRQ) DRV_CHECK(check_error(dev));
    stuck += DRV_POLL_CYCLES;
    if (stuck >= dev->cfg.timeout_cycles) {
      systole_status_t st = check_error(dev);
      if (st != SYSTOLE_OK) return st;
      return fail_timeout(dev, "waiting for ring space");
    }
  }
}

/* Write the staged commands to the ring in runs (as many as fit before the ring's end and
 * its free space), moving RING_TAIL after each run. On a little-endian target the staging
 * array already holds the ring's byte layout and is written as it is. */
systole_status_t drv_ring_flush(systole_dev_t *dev) {
#if !SYSTOLE_CMD_NATIVE_LE
  uint8_t bytes[SYSTOLE_STAGE_CMDS * SYSTOLE_CMD_BYTES];
#endif
  uint32_t done = 0;
  while (done < dev->stage_n) {
    uint32_t space, n;
    const void *src;
    if (ring_used(dev) + 1 >= dev->ring_slots) DRV_CHECK(ring_wait_space(dev));
    space = dev->ring_slots - 1 - ring_used(dev);
    n = dev->stage_n - done;
    if (n > space) n = space;
    if (n > dev->ring_slots - dev->tail) n = dev->ring_slots - dev->tail;
#if SYSTOLE_CMD_NATIVE_LE
    src = dev->stage[done];
#else
    {
      uint32_t i;
      for (i = 0; i < n; i++) {
        systole_cmd_t c;
        c.w[0] = dev->stage[done + i][0];
        c.w[1] = dev->stage[done + i][1];
        c.w[2] = dev->stage[done + i][2];
        c.w[3] = dev->stage[done + i][3];
        systole_cmd_to_bytes(&c, bytes + i * SYSTOLE_CMD_BYTES);
      }
      src = bytes;
    }
#endif
    DRV_CHECK(drv_mem_write(dev, dev->ring_addr + dev->tail * SYSTOLE_CMD_BYTES, src,
                            (size_t)n * SYSTOLE_CMD_BYTES));
    dev->tail = (dev->tail + n) % dev->ring_slots;
    DRV_CHECK(drv_reg_write(dev, SYSTOLE_REG_RING_TAIL, dev->tail));
    done += n;
  }
  dev->pushed += dev->stage_n;
  dev->stage_n = 0;
  return SYSTOLE_OK;
}

systole_status_t drv_push_n(systole_dev_t *dev, const systole_cmd_t *cmd, uint32_t n) {
  while (n) {
    uint32_t k = SYSTOLE_STAGE_CMDS - dev->stage_n, i;
    uint64_t *slot = dev->stage[dev->stage_n];
    if (k == 0) {
      DRV_CHECK(drv_ring_flush(dev));
      continue;
    }
    if (k > n) k = n;
    dev->stage_n += k;
    for (i = 0; i < k; i++, slot += 4, cmd++) {
      slot[0] = cmd->w[0];
      slot[1] = cmd->w[1];
      slot[2] = cmd->w[2];
      slot[3] = cmd->w[3];
      if (dev->trace) dev->trace(dev->trace_ctx, slot);
    }
    n -= k;
  }
  return SYSTOLE_OK;
}

/* ---- job framing ----------------------------------------------------------------------- */

static const uint32_t k_counters[15] = {
#define X(name, off) off,
    SYSTOLE_COUNTERS(X)
#undef X
};

static systole_status_t read_counters(systole_dev_t *dev, drv_counters_t *c) {
  unsigned i;
  for (i = 0; i < 15; i++) {
    uint32_t lo, hi;
    DRV_CHECK(drv_reg_read(dev, k_counters[i], &lo));
    DRV_CHECK(drv_reg_read(dev, k_counters[i] + 4, &hi));
    c->v[i] = ((uint64_t)hi << 32) | lo;
  }
  return SYSTOLE_OK;
}

systole_status_t drv_job_begin(systole_dev_t *dev, drv_counters_t *snap) {
  dev->pushed = 0;
  dev->stage_n = 0;
  memset(&dev->last_error, 0, sizeof(dev->last_error));
  DRV_CHECK(drv_reg_write(dev, SYSTOLE_REG_IRQ_STATUS, 0x7u));
  return read_counters(dev, snap);
}

systole_status_t drv_job_end(systole_dev_t *dev, const drv_counters_t *snap,
                             uint64_t workload_macs, systole_stats_t *stats) {
  systole_cmd_t irq = systole_cmd_simple(SYSTOLE_OP_IRQ);
  uint64_t stuck = 0, slice = dev->cfg.timeout_cycles / 4 + 1;
  uint32_t prev[3] = {0, 0, 0};
  drv_counters_t now;
  DRV_CHECK(drv_push(dev, &irq));
  DRV_CHECK(drv_ring_flush(dev));
  for (;;) {
    unsigned reached = 0;
    uint32_t v, cur[3];
    DRV_CHECK(drv_wait(dev, SYSTOLE_HAL_WAIT_IRQ, slice, &reached));
    if (reached & SYSTOLE_HAL_WAIT_IRQ) {
      DRV_CHECK(drv_reg_read(dev, SYSTOLE_REG_IRQ_STATUS, &v));
      if (SYSTOLE_IRQ_STATUS_ERROR_GET(v)) {
        DRV_CHECK(drv_reg_read(dev, SYSTOLE_REG_STATUS, &v));
        return fail_hw(dev, v);
      }
      if (SYSTOLE_IRQ_STATUS_CMD_GET(v)) {
        DRV_CHECK(drv_reg_write(dev, SYSTOLE_REG_IRQ_STATUS, 0x7u));
        break;
      }
    }
    DRV_CHECK(drv_reg_read(dev, SYSTOLE_REG_COMMANDS_LO, &cur[0]));
    DRV_CHECK(drv_reg_read(dev, SYSTOLE_REG_DMA_RD_BYTES_LO, &cur[1]));
    DRV_CHECK(drv_reg_read(dev, SYSTOLE_REG_DMA_WR_BYTES_LO, &cur[2]));
    if (memcmp(cur, prev, sizeof(cur)) == 0) {
      stuck += slice;
      if (stuck >= dev->cfg.timeout_cycles) {
        systole_status_t st = check_error(dev);
        if (st != SYSTOLE_OK) return st;
        return fail_timeout(dev, "waiting for the end of a job");
      }
    } else {
      stuck = 0;
      memcpy(prev, cur, sizeof(cur));
    }
  }
  {
    uint32_t v;
    DRV_CHECK(drv_reg_read(dev, SYSTOLE_REG_RING_HEAD, &v));
    dev->head = SYSTOLE_RING_HEAD_INDEX_GET(v);
  }
  DRV_CHECK(read_counters(dev, &now));
  if (stats) {
    uint64_t d[15];
    unsigned i;
    for (i = 0; i < 15; i++) d[i] = now.v[i] - snap->v[i];
    memset(stats, 0, sizeof(*stats));
    stats->wall_cycles = d[0];
    stats->cycles = d[1];
    stats->compute_cycles = d[2];
    stats->array_macs = d[3];
    stats->dma_rd_bytes = d[4];
    stats->dma_wr_bytes = d[5];
    stats->stall_ld_dep = d[6];
    stats->stall_ex_dep = d[7];
    stats->stall_st_dep = d[8];
    stats->stall_ex_wload = d[9];
    stats->stall_rd_mem = d[10];
    stats->stall_wr_mem = d[11];
    stats->stall_fetch = d[12];
    stats->stall_queue_full = d[13];
    stats->commands = d[14];
    stats->workload_macs = workload_macs;
    if (stats->cycles == 0) {
      stats->utilisation = 0.0;
    } else if (stats->cycles <= 0xffffffffull) {
      /* the same double as the product chain below (rows*cols and cycles are exact doubles:
       * one rounding of the exact product either way), with fewer soft-float calls */
      uint64_t pe_cycles = (uint64_t)dev->caps.rows * dev->caps.cols * stats->cycles;
      stats->utilisation = (double)workload_macs / (double)pe_cycles;
    } else {
      stats->utilisation =
          (double)workload_macs /
          ((double)dev->caps.rows * (double)dev->caps.cols * (double)stats->cycles);
    }
  }
  return SYSTOLE_OK;
}
