/* Systole command encoding: builders for the 32-byte ring commands.
 *
 * The encoding is specified in docs/architecture.md ("Command encoding"). These builders
 * only pack fields; they do not check ranges (the driver's job builders do, and the chip
 * reports what slips through). A command is four little-endian 64-bit words; the builders
 * assemble every word from two 32-bit halves.
 */
#ifndef SYSTOLE_CMD_H
#define SYSTOLE_CMD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
  SYSTOLE_OP_LOAD = 0x01,
  SYSTOLE_OP_STORE = 0x02,
  SYSTOLE_OP_MATMUL = 0x03,
  SYSTOLE_OP_CONFIG = 0x04,
  SYSTOLE_OP_FENCE = 0x05,
  SYSTOLE_OP_IRQ = 0x06,
  SYSTOLE_OP_NOP = 0x07,
  SYSTOLE_OP_SOFTMAX = 0x08
};

/* Dependency bits (w0[11:8]); queue order is LD -> EX -> ST. */
enum {
  SYSTOLE_DEP_WAIT_PREV = 1u << 8,
  SYSTOLE_DEP_WAIT_NEXT = 1u << 9,
  SYSTOLE_DEP_SIG_PREV = 1u << 10,
  SYSTOLE_DEP_SIG_NEXT = 1u << 11
};

enum { SYSTOLE_TARGET_SPAD = 0, SYSTOLE_TARGET_ACC = 1, SYSTOLE_TARGET_QPARAM = 2 };

enum { SYSTOLE_CONFIG_ST_OUTPUT = 1, SYSTOLE_CONFIG_EX_ZP = 2 };

/* Chip error codes (STATUS.ERR_CODE). */
typedef enum {
  SYSTOLE_HWERR_NONE = 0,
  SYSTOLE_HWERR_ILLEGAL_OPCODE = 1,
  SYSTOLE_HWERR_ILLEGAL_FIELD = 2,
  SYSTOLE_HWERR_SPAD_RANGE = 3,
  SYSTOLE_HWERR_ACC_RANGE = 4,
  SYSTOLE_HWERR_QPARAM_RANGE = 5,
  SYSTOLE_HWERR_DMA_WINDOW = 6,
  SYSTOLE_HWERR_AXI_RD = 7,
  SYSTOLE_HWERR_AXI_WR = 8,
  SYSTOLE_HWERR_TOKEN_OVERFLOW = 9,
  SYSTOLE_HWERR_RING_CONFIG = 10
} systole_hwerr_t;

#define SYSTOLE_CMD_BYTES 32u
#define SYSTOLE_QPARAM_RECORD_BYTES 16u

typedef struct {
  uint64_t w[4];
} systole_cmd_t;

/* 1 if a systole_cmd_t's memory image is the ring slot's byte layout (little-endian
 * uint64_t), so that commands can be copied to the ring as they are (define it as 0 to
 * force the portable serialiser). */
#ifndef SYSTOLE_CMD_NATIVE_LE
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SYSTOLE_CMD_NATIVE_LE 1
#else
#define SYSTOLE_CMD_NATIVE_LE 0
#endif
#endif

/* A command word from its two 32-bit halves. The builders below assemble each word from
 * 32-bit fields (cheap on a 32-bit core, where a 64-bit shift-and-or chain is not). */
static inline uint64_t systole_cmd_word(uint32_t lo, uint32_t hi) {
  return ((uint64_t)hi << 32) | lo;
}

/* Human-readable name of a chip error code. */
static inline const char *systole_hwerr_str(unsigned code) {
  switch (code) {
    case SYSTOLE_HWERR_NONE: return "none";
    case SYSTOLE_HWERR_ILLEGAL_OPCODE: return "illegal opcode";
    case SYSTOLE_HWERR_ILLEGAL_FIELD: return "illegal command field";
    case SYSTOLE_HWERR_SPAD_RANGE: return "scratchpad address out of range";
    case SYSTOLE_HWERR_ACC_RANGE: return "accumulator address out of range";
    case SYSTOLE_HWERR_QPARAM_RANGE: return "qparam line out of range";
    case SYSTOLE_HWERR_DMA_WINDOW: return "DMA address outside the memory window";
    case SYSTOLE_HWERR_AXI_RD: return "AXI read error response";
    case SYSTOLE_HWERR_AXI_WR: return "AXI write error response";
    case SYSTOLE_HWERR_TOKEN_OVERFLOW: return "dependency token overflow";
    case SYSTOLE_HWERR_RING_CONFIG: return "bad command ring configuration";
    default: return "unknown chip error";
  }
}

/* LOAD: rows x row_bytes from main memory (src, src_stride bytes) into an on-chip target
 * (dst_line, dst_stride lines, dst_off bytes into each line). The first pad_before and the
 * last pad_after rows are filled with pad_byte instead of being read. */
typedef struct {
  unsigned target; /* SYSTOLE_TARGET_* */
  uint16_t rows;
  uint32_t src;
  uint32_t src_stride;
  uint16_t row_bytes;
  uint16_t dst_line;
  uint16_t dst_stride;
  uint8_t dst_off;
  uint8_t pad_byte;
  uint16_t pad_before;
  uint16_t pad_after;
} systole_load_t;

static inline systole_cmd_t systole_cmd_load(const systole_load_t *l, unsigned deps) {
  systole_cmd_t c;
  c.w[0] = systole_cmd_word(SYSTOLE_OP_LOAD | deps | ((l->target & 3u) << 12) |
                                ((uint32_t)l->rows << 16),
                            l->src);
  c.w[1] = systole_cmd_word(l->src_stride, l->row_bytes | ((uint32_t)l->dst_line << 16));
  c.w[2] = systole_cmd_word(l->dst_stride | ((uint32_t)l->dst_off << 16) |
                                ((uint32_t)l->pad_byte << 24),
                            l->pad_before | ((uint32_t)l->pad_after << 16));
  c.w[3] = 0;
  return c;
}

/* STORE: rows accumulator lines (src_line, src_stride) through the output stage to memory
 * (dst, dst_stride bytes), channels per row, qparam records from qp_line. */
typedef struct {
  int raw;  /* 1: int32 out; 0: requantised int8 */
  int bias; /* add the qparam bias */
  uint16_t rows;
  uint32_t dst;
  uint32_t dst_stride;
  uint16_t channels;
  uint16_t src_line;
  uint16_t src_stride;
  uint16_t qp_line;
} systole_store_t;

static inline systole_cmd_t systole_cmd_store(const systole_store_t *s, unsigned deps) {
  systole_cmd_t c;
  c.w[0] = systole_cmd_word(SYSTOLE_OP_STORE | deps | ((s->raw ? 1u : 0u) << 12) |
                                ((s->bias ? 1u : 0u) << 13) | ((uint32_t)s->rows << 16),
                            s->dst);
  c.w[1] = systole_cmd_word(s->dst_stride, s->channels | ((uint32_t)s->src_line << 16));
  c.w[2] = systole_cmd_word(s->src_stride | ((uint32_t)s->qp_line << 16), 0);
  c.w[3] = 0;
  return c;
}

/* MATMUL: acc[acc_line + m*acc_stride] (+)= a_line(a_line + m*a_stride) x W, for m < rows;
 * W is the Cols-line tile at w_line (line w_line+n holds column n), loaded when load_w. */
typedef struct {
  int accumulate;
  int load_w;
  uint16_t rows;
  uint16_t a_line;
  uint16_t a_stride;
  uint16_t acc_line;
  uint16_t acc_stride;
  uint16_t w_line;
} systole_matmul_t;

static inline systole_cmd_t systole_cmd_matmul(const systole_matmul_t *m, unsigned deps) {
  systole_cmd_t c;
  c.w[0] = systole_cmd_word(SYSTOLE_OP_MATMUL | deps | ((m->accumulate ? 1u : 0u) << 12) |
                                ((m->load_w ? 1u : 0u) << 13) | ((uint32_t)m->rows << 16),
                            m->a_line | ((uint32_t)m->a_stride << 16));
  c.w[1] = systole_cmd_word(m->acc_line | ((uint32_t)m->acc_stride << 16), m->w_line);
  c.w[2] = 0;
  c.w[3] = 0;
  return c;
}

/* CONFIG ST_OUTPUT: output zero point and clamp of later STOREs. */
static inline systole_cmd_t systole_cmd_config_output(int8_t out_zp, int8_t act_min,
                                                      int8_t act_max) {
  systole_cmd_t c;
  c.w[0] = SYSTOLE_OP_CONFIG | ((uint32_t)SYSTOLE_CONFIG_ST_OUTPUT << 16);
  c.w[1] = (uint32_t)(uint8_t)out_zp | ((uint32_t)(uint8_t)act_min << 8) |
           ((uint32_t)(uint8_t)act_max << 16);
  c.w[2] = 0;
  c.w[3] = 0;
  return c;
}

/* CONFIG EX_ZP: zero points of later MATMULs, acc += (a - a_zp) * (w - w_zp). w_zp applies
 * to weight tiles loaded (LOAD_W) after it, a_zp to activation rows streamed after it. */
static inline systole_cmd_t systole_cmd_config_ex_zp(int8_t a_zp, int8_t w_zp) {
  systole_cmd_t c;
  c.w[0] = SYSTOLE_OP_CONFIG | ((uint32_t)SYSTOLE_CONFIG_EX_ZP << 16);
  c.w[1] = (uint32_t)(uint8_t)a_zp | ((uint32_t)(uint8_t)w_zp << 8);
  c.w[2] = 0;
  c.w[3] = 0;
  return c;
}

/* SOFTMAX (square arrays, CFG_FEATURES.SOFTMAX): rows query rows of n_keys int32 scores at
 * accumulator lines acc_line + m + t*acc_tstride (key tile t) to int8 probabilities
 * (p - 128, scale 1/255) at scratchpad lines spad_line + m + t*spad_tstride. */
typedef struct {
  int causal; /* mask keys j > q_pos + m */
  int to_acc; /* also write the probabilities (sign-extended) over the scores */
  uint16_t rows;
  uint16_t acc_line;
  uint16_t acc_tstride;
  uint16_t n_keys; /* 1 ... 32768 */
  uint16_t spad_line;
  uint16_t spad_tstride;
  uint16_t q_pos;
  int32_t mult; /* score-to-log2 scaling (TFLite multiplier and shift) */
  int8_t shift;
  /* chunked rows (docs/architecture.md): mode SYSTOLE_SOFTMAX_* ; zero for a whole row */
  unsigned mode;
  int first;           /* MAX: start the row statistics */
  uint16_t stats_line; /* accumulator line of row 0's statistics */
  uint32_t key_base;   /* global index of the chunk's key 0 */
  uint16_t q_pos_hi;   /* high half of the causal position */
} systole_softmax_t;

enum {
  SYSTOLE_SOFTMAX_FULL = 0,
  SYSTOLE_SOFTMAX_MAX = 1,
  SYSTOLE_SOFTMAX_SUM = 2,
  SYSTOLE_SOFTMAX_PROB = 3
};

static inline systole_cmd_t systole_cmd_softmax(const systole_softmax_t *s, unsigned deps) {
  systole_cmd_t c;
  c.w[0] = systole_cmd_word(SYSTOLE_OP_SOFTMAX | deps | ((s->causal ? 1u : 0u) << 12) |
                                ((s->to_acc ? 1u : 0u) << 13) | ((uint32_t)s->rows << 16),
                            s->acc_line | ((uint32_t)s->acc_tstride << 16));
  c.w[1] = systole_cmd_word(s->n_keys | ((uint32_t)s->spad_line << 16),
                            s->spad_tstride | ((uint32_t)s->q_pos << 16));
  c.w[2] = systole_cmd_word((uint32_t)s->mult,
                            (uint32_t)(uint8_t)s->shift | ((s->mode & 3u) << 8) |
                                ((s->first ? 1u : 0u) << 10) | ((uint32_t)s->stats_line << 16));
  c.w[3] = systole_cmd_word(s->key_base, s->q_pos_hi);
  return c;
}

static inline systole_cmd_t systole_cmd_simple(unsigned opcode) {
  systole_cmd_t c;
  c.w[0] = opcode & 0xffu;
  c.w[1] = 0;
  c.w[2] = 0;
  c.w[3] = 0;
  return c;
}

/* Serialise to the 32 little-endian bytes of a ring slot (32-bit halves: no 64-bit shifts on
 * a 32-bit core). On a little-endian target the memory image of a systole_cmd_t already is
 * that byte string (SYSTOLE_CMD_NATIVE_LE), which the driver uses to skip this step. */
static inline void systole_cmd_to_bytes(const systole_cmd_t *c, uint8_t out[32]) {
  unsigned i, b;
  for (i = 0; i < 4; i++) {
    uint32_t lo = (uint32_t)c->w[i], hi = (uint32_t)(c->w[i] >> 32);
    for (b = 0; b < 4; b++) {
      out[i * 8 + b] = (uint8_t)(lo >> (8 * b));
      out[i * 8 + 4 + b] = (uint8_t)(hi >> (8 * b));
    }
  }
}

#ifdef __cplusplus
}
#endif

#endif /* SYSTOLE_CMD_H */
