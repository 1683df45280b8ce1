/* fw_string.c — word-wise memcpy, memmove, memset and memcmp for the RV32IM core.
 *
 * picolibc's rv32im build has byte-at-a-time versions of these (6 instructions per byte).
 * The driver moves every command, input and output through memcpy and clears its structs
 * with memset, so the firmware links these instead (an object given to the linker wins
 * over the archive member). The core traps on misaligned loads and stores: every word
 * access here is aligned; a source that is misaligned against the destination is read
 * as aligned words and funnel-shifted (an aligned word holding a wanted byte is always
 * readable: memory regions are word-aligned). Compiled with -fno-builtin and
 * -fno-tree-loop-distribute-patterns so that gcc does not turn these loops back into
 * calls to themselves.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint32_t fw_word_t;

void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
  uint8_t *d = (uint8_t *)dst;
  const uint8_t *s = (const uint8_t *)src;
  /* short copies: bytes */
  if (n < 8) {
    while (n--) *d++ = *s++;
    return dst;
  }
  /* align the destination */
  while ((uintptr_t)d & 3u) {
    *d++ = *s++;
    n--;
  }
  if (((uintptr_t)s & 3u) == 0) {
    fw_word_t *dw = (fw_word_t *)(void *)d;
    const fw_word_t *sw = (const fw_word_t *)(const void *)s;
    while (n >= 16) {
      fw_word_t a = sw[0], b = sw[1], c = sw[2], e = sw[3];
      dw[0] = a;
      dw[1] = b;
      dw[2] = c;
      dw[3] = e;
      dw += 4;
      sw += 4;
      n -= 16;
    }
    while (n >= 4) {
      *dw++ = *sw++;
      n -= 4;
    }
    d = (uint8_t *)dw;
    s = (const uint8_t *)sw;
  } else {
    /* source misaligned by off bytes: combine two aligned source words per output word */
    unsigned off = (unsigned)((uintptr_t)s & 3u), rs = 8u * off, ls = 32u - rs;
    const fw_word_t *sw = (const fw_word_t *)(const void *)(s - off);
    fw_word_t *dw = (fw_word_t *)(void *)d;
    fw_word_t prev = *sw++;
    while (n >= 4) {
      fw_word_t next = *sw++;
      *dw++ = (prev >> rs) | (next << ls); /* little endian */
      prev = next;
      n -= 4;
    }
    d = (uint8_t *)dw;
    s = (const uint8_t *)sw - 4 + off;
  }
  while (n--) *d++ = *s++;
  return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
  uint8_t *d = (uint8_t *)dst;
  const uint8_t *s = (const uint8_t *)src;
  if (d == s || n == 0) return dst;
  if (d < s || d >= s + n) return memcpy(dst, src, n); /* forward copy is safe */
  /* overlapping, destination above the source: backwards */
  d += n;
  s += n;
  if ((((uintptr_t)d | (uintptr_t)s) & 3u) == 0) {
    while (n >= 4) {
      d -= 4;
      s -= 4;
      *(fw_word_t *)(void *)d = *(const fw_word_t *)(const void *)s;
      n -= 4;
    }
  }
  while (n--) *--d = *--s;
  return dst;
}

void *memset(void *dst, int c, size_t n) {
  uint8_t *d = (uint8_t *)dst;
  fw_word_t w = (uint8_t)c;
  if (n >= 8) {
    w |= w << 8;
    w |= w << 16;
    while ((uintptr_t)d & 3u) {
      *d++ = (uint8_t)c;
      n--;
    }
    {
      fw_word_t *dw = (fw_word_t *)(void *)d;
      while (n >= 16) {
        dw[0] = w;
        dw[1] = w;
        dw[2] = w;
        dw[3] = w;
        dw += 4;
        n -= 16;
      }
      while (n >= 4) {
        *dw++ = w;
        n -= 4;
      }
      d = (uint8_t *)dw;
    }
  }
  while (n--) *d++ = (uint8_t)c;
  return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
  const uint8_t *p = (const uint8_t *)a, *q = (const uint8_t *)b;
  if ((((uintptr_t)p | (uintptr_t)q) & 3u) == 0) {
    /* skip equal words; the byte loop finds the first difference */
    while (n >= 4 && *(const fw_word_t *)(const void *)p == *(const fw_word_t *)(const void *)q) {
      p += 4;
      q += 4;
      n -= 4;
    }
  }
  for (; n; n--, p++, q++)
    if (*p != *q) return (int)*p - (int)*q;
  return 0;
}
