/* test_fw_rt — the firmware runtime's replacements of library code, on the host:
 *   - memcpy/memmove/memset/memcmp (firmware/fw_string.c, compiled under other names)
 *     against byte-by-byte references for every alignment of source and destination and
 *     lengths 0..80 (plus a few long ones), with guard bytes around every destination;
 *   - the 64-bit division fast paths (firmware/fw_div64.c) against the compiler's own
 *     64-bit division, on edge cases and random operands of every magnitude;
 *   - the 64-bit multiply helper (firmware/fw_muldi3.c's __muldi3, compiled as fw_muldi3)
 *     against the host's 64-bit multiply, on the same kind of operands.
 * Prints "N passed, M failed"; exit status 0 iff all agree.
 *
 * Build: make $(BUILD)/fw/hosttest/test_fw_rt (also run by `make sim`). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void *fw_memcpy(void *restrict dst, const void *restrict src, size_t n);
void *fw_memmove(void *dst, const void *src, size_t n);
void *fw_memset(void *dst, int c, size_t n);
int fw_memcmp(const void *a, const void *b, size_t n);

/* fw_div64.c's wrappers, and what they fall back to (here: the compiler's division) */
int64_t __wrap___divdi3(int64_t a, int64_t b);
int64_t __wrap___moddi3(int64_t a, int64_t b);
uint64_t __wrap___udivdi3(uint64_t a, uint64_t b);
uint64_t __wrap___umoddi3(uint64_t a, uint64_t b);
int64_t __real___divdi3(int64_t a, int64_t b);
int64_t __real___moddi3(int64_t a, int64_t b);
uint64_t __real___udivdi3(uint64_t a, uint64_t b);
uint64_t __real___umoddi3(uint64_t a, uint64_t b);
int64_t __real___divdi3(int64_t a, int64_t b) { return a / b; }
int64_t __real___moddi3(int64_t a, int64_t b) { return a % b; }
uint64_t __real___udivdi3(uint64_t a, uint64_t b) { return a / b; }
uint64_t __real___umoddi3(uint64_t a, uint64_t b) { return a % b; }

/* fw_muldi3.c's __muldi3 */
uint64_t fw_muldi3(uint64_t a, uint64_t b);

static uint64_t g_x = 0x9e3779b97f4a7c15ull;
static uint64_t rnd64(void) {
  g_x ^= g_x << 13;
  g_x ^= g_x >> 7;
  g_x ^= g_x << 17;
  return g_x;
}

/* an operand with a random magnitude (1..64 bits), sign and low bits */
static uint64_t operand(void) {
  unsigned bits = 1u + (unsigned)(rnd64() % 64u);
  uint64_t v = rnd64();
  return bits == 64 ? v : v & ((1ull << bits) - 1u);
}

static unsigned div_tests(unsigned *checks) {
  static const int64_t edge[] = {0, 1, -1, 2, -2, 7, -7, INT32_MAX, INT32_MIN,
                                 (int64_t)INT32_MAX + 1, (int64_t)INT32_MIN - 1,
                                 0xffffffffll, 0x100000000ll, INT64_MAX, INT64_MIN};
  unsigned n = sizeof(edge) / sizeof(edge[0]), i, j, fails = 0;
  for (i = 0; i < n; i++)
    for (j = 0; j < n; j++) {
      int64_t a = edge[i], b = edge[j];
      uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
      if (b == 0 || (a == INT64_MIN && b == -1)) continue;
      *checks += 4;
      if (__wrap___divdi3(a, b) != a / b || __wrap___moddi3(a, b) != a % b) {
        printf("FAIL signed %lld / %lld\n", (long long)a, (long long)b);
        fails++;
      }
      if (__wrap___udivdi3(ua, ub) != ua / ub || __wrap___umoddi3(ua, ub) != ua % ub) {
        printf("FAIL unsigned %llu / %llu\n", (unsigned long long)ua, (unsigned long long)ub);
        fails++;
      }
    }
  for (i = 0; i < 200000; i++) {
    uint64_t ua = operand(), ub = operand();
    int64_t a = (int64_t)((rnd64() & 1) ? ua : (uint64_t)0 - ua);
    int64_t b = (int64_t)((rnd64() & 1) ? ub : (uint64_t)0 - ub);
    if (ub == 0) continue;
    *checks += 2;
    if (__wrap___udivdi3(ua, ub) != ua / ub || __wrap___umoddi3(ua, ub) != ua % ub) {
      printf("FAIL unsigned %llu / %llu\n", (unsigned long long)ua, (unsigned long long)ub);
      fails++;
    }
    if (a == INT64_MIN && b == -1) continue;
    if (__wrap___divdi3(a, b) != a / b || __wrap___moddi3(a, b) != a % b) {
      printf("FAIL signed %lld / %lld\n", (long long)a, (long long)b);
      fails++;
    }
  }
  return fails;
}

static unsigned mul_tests(unsigned *checks) {
  static const int64_t edge[] = {0, 1, -1, 2, -2, 7, -7, INT32_MAX, INT32_MIN,
                                 (int64_t)INT32_MAX + 1, (int64_t)INT32_MIN - 1,
                                 0xffffffffll, 0x100000000ll, INT64_MAX, INT64_MIN,
                                 0x55555555aaaaaaaall};
  unsigned n = sizeof(edge) / sizeof(edge[0]), i, j, fails = 0;
  for (i = 0; i < n; i++)
    for (j = 0; j < n; j++) {
      uint64_t a = (uint64_t)edge[i], b = (uint64_t)edge[j];
      (*checks)++;
      if (fw_muldi3(a, b) != a * b) {
        printf("FAIL muldi3 0x%016llx * 0x%016llx\n", (unsigned long long)a,
               (unsigned long long)b);
        fails++;
      }
    }
  for (i = 0; i < 400000; i++) {
    uint64_t a = operand(), b = operand();
    if (rnd64() & 1) a = 0u - a;
    if (rnd64() & 1) b = 0u - b;
    (*checks)++;
    if (fw_muldi3(a, b) != a * b) {
      printf("FAIL muldi3 0x%016llx * 0x%016llx\n", (unsigned long long)a,
             (unsigned long long)b);
      fails++;
    }
  }
  return fails;
}

static unsigned char src[4096 + 64], dst[4096 + 64], ref[4096 + 64];
static unsigned seed = 12345;
static unsigned char rnd(void) {
  seed = seed * 1103515245u + 12345u;
  return (unsigned char)(seed >> 16);
}

static int sign(int v) { return v < 0 ? -1 : v > 0; }

int main(void) {
  static const size_t longs[] = {255, 256, 1023, 1024, 1031, 4096};
  size_t lens[81 + sizeof(longs) / sizeof(longs[0])], nl = 0, i, k, li;
  unsigned so, dof, fails = 0, checks = 0;
  for (i = 0; i <= 80; i++) lens[nl++] = i;
  for (i = 0; i < sizeof(longs) / sizeof(longs[0]); i++) lens[nl++] = longs[i];
  for (li = 0; li < nl; li++) {
    size_t n = lens[li];
    for (so = 0; so < 8; so++) {
      for (dof = 0; dof < 8; dof++) {
        for (k = 0; k < sizeof(src); k++) src[k] = rnd();
        for (k = 0; k < sizeof(dst); k++) dst[k] = ref[k] = rnd();
        /* memcpy */
        fw_memcpy(dst + 16 + dof, src + 16 + so, n);
        for (k = 0; k < n; k++) ref[16 + dof + k] = src[16 + so + k];
        checks++;
        if (memcmp(dst, ref, sizeof(dst)) != 0) {
          printf("FAIL memcpy n=%zu src+%u dst+%u\n", n, so, dof);
          fails++;
        }
        /* memset */
        fw_memset(dst + 16 + dof, (int)(so * 37 + 1), n);
        for (k = 0; k < n; k++) ref[16 + dof + k] = (unsigned char)(so * 37 + 1);
        checks++;
        if (memcmp(dst, ref, sizeof(dst)) != 0) {
          printf("FAIL memset n=%zu dst+%u\n", n, dof);
          fails++;
        }
        /* memcmp: equal, then one difference at a random place */
        memcpy(dst + 16 + dof, src + 16 + so, n);
        checks++;
        if (fw_memcmp(dst + 16 + dof, src + 16 + so, n) != 0) {
          printf("FAIL memcmp equal n=%zu\n", n);
          fails++;
        }
        if (n) {
          size_t at = rnd() % n;
          dst[16 + dof + at] ^= (unsigned char)(1u + rnd() % 255u);
          checks++;
          if (sign(fw_memcmp(dst + 16 + dof, src + 16 + so, n)) !=
              sign(memcmp(dst + 16 + dof, src + 16 + so, n))) {
            printf("FAIL memcmp diff n=%zu at %zu\n", n, at);
            fails++;
          }
        }
        /* memmove within one buffer, both directions */
        memcpy(ref, dst, sizeof(dst));
        fw_memmove(dst + 16 + dof, dst + 16 + so, n);
        memmove(ref + 16 + dof, ref + 16 + so, n);
        checks++;
        if (memcmp(dst, ref, sizeof(dst)) != 0) {
          printf("FAIL memmove n=%zu src+%u dst+%u\n", n, so, dof);
          fails++;
        }
      }
    }
  }
  fails += div_tests(&checks);
  fails += mul_tests(&checks);
  printf("%u passed, %u failed\n", checks - fails, fails);
  return fails != 0;
}
