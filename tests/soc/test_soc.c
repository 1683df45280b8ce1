/* Check suite of the SoC model (sim/soc) and the SoC's peripherals, through small RV32
 * programs (tests/soc/progs/NAME.S, built to $(BUILD)/soc/progs/NAME.elf).
 *
 * Every test is its own Check test case; a failure prints the command that reruns just that
 * case and the soc_run command that runs its program alone.
 *
 * Usage: test_soc [--subset]      (--subset: the short list run for the 4x4 SoC)
 */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "systole_regs.h"
#include "systole_soc_sim.h"

#ifndef SOC_PROGS_DIR
#error "SOC_PROGS_DIR (directory of the test ELFs) must be defined"
#endif
#ifndef SOC_RUN_PATH
#error "SOC_RUN_PATH (the soc_run binary) must be defined"
#endif
#ifndef SOC_WORK_DIR
#error "SOC_WORK_DIR (scratch directory for waves and files) must be defined"
#endif

#define BUDGET 2000000ull /* cycles; every test program finishes far below this */

static const char *g_argv0 = "test_soc";
static char g_rerun[1024];
static systole_soc_sim_info_t g_info;

/* Start of every test: remember how to rerun it. */
static void begin(const char *tcase, const char *prog) {
  if (prog)
    snprintf(g_rerun, sizeof g_rerun, "rerun: CK_RUN_CASE=%s %s; the program alone: %s %s/%s.elf",
             tcase, g_argv0, SOC_RUN_PATH, SOC_PROGS_DIR, prog);
  else
    snprintf(g_rerun, sizeof g_rerun, "rerun: CK_RUN_CASE=%s %s", tcase, g_argv0);
}

static const char *elf_path(const char *prog) {
  static char buf[4][1024];
  static unsigned n;
  char *p = buf[n++ % 4];
  snprintf(p, sizeof buf[0], "%s/%s.elf", SOC_PROGS_DIR, prog);
  return p;
}

static systole_soc_sim_t *create(void) {
  systole_soc_sim_t *s = NULL;
  int st = systole_soc_sim_create(NULL, &s);
  ck_assert_msg(st == SYSTOLE_SOC_SIM_OK && s, "create: %s (%s)", systole_soc_sim_strerror(st),
                g_rerun);
  return s;
}

static void load(systole_soc_sim_t *s, const char *prog) {
  int st = systole_soc_sim_load_elf(s, elf_path(prog));
  ck_assert_msg(st == SYSTOLE_SOC_SIM_OK, "load %s: %s: %s (%s)", prog,
                systole_soc_sim_strerror(st), systole_soc_sim_last_error(s), g_rerun);
}

/* Run to EXIT within BUDGET; returns the exit code. */
static uint32_t run_to_exit(systole_soc_sim_t *s, const char *prog) {
  systole_soc_sim_stop_t why;
  uint32_t code = 0;
  int st = systole_soc_sim_run(s, BUDGET, &why);
  ck_assert_msg(st == SYSTOLE_SOC_SIM_OK, "%s: run: %s: %s (%s)", prog, systole_soc_sim_strerror(st),
                systole_soc_sim_last_error(s), g_rerun);
  ck_assert_msg(why == SYSTOLE_SOC_SIM_STOP_EXIT,
                "%s: no exit within %llu cycles; UART so far: \"%s\" (%s)", prog,
                (unsigned long long)BUDGET, systole_soc_sim_uart(s, NULL), g_rerun);
  ck_assert_int_eq(systole_soc_sim_exit_code(s, &code), SYSTOLE_SOC_SIM_OK);
  return code;
}

/* Create, load, run to exit; the caller destroys. */
static systole_soc_sim_t *run_prog(const char *prog, uint32_t *code) {
  systole_soc_sim_t *s = create();
  load(s, prog);
  *code = run_to_exit(s, prog);
  return s;
}

/* Run a program that must exit 0; returns the instance (UART text in it). */
static systole_soc_sim_t *run_ok(const char *prog) {
  uint32_t code;
  systole_soc_sim_t *s = run_prog(prog, &code);
  ck_assert_msg(code == 0, "%s: exit code %u (0x%x), expected 0; UART: \"%s\" (%s)", prog, code, code,
                systole_soc_sim_uart(s, NULL), g_rerun);
  return s;
}

/* The value after "<name> " in the UART text, hex. */
static uint32_t uart_field(systole_soc_sim_t *s, const char *name) {
  const char *t = systole_soc_sim_uart(s, NULL), *p = t;
  size_t n = strlen(name);
  unsigned long v;
  char *end;
  for (;;) {
    p = strstr(p, name);
    ck_assert_msg(p != NULL, "no \"%s\" in the UART text \"%s\" (%s)", name, t, g_rerun);
    if ((p == t || p[-1] == '\n' || p[-1] == ' ') && p[n] == ' ') break;
    p += n;
  }
  v = strtoul(p + n + 1, &end, 16);
  ck_assert_msg(end == p + n + 9, "\"%s\" is not followed by 8 hex digits in \"%s\" (%s)", name, t,
                g_rerun);
  return (uint32_t)v;
}

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  uint8_t *buf;
  long n;
  ck_assert_msg(f != NULL, "cannot open %s (%s)", path, g_rerun);
  ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
  n = ftell(f);
  ck_assert_int_ge(n, 0);
  rewind(f);
  buf = malloc((size_t)n + 1);
  ck_assert_ptr_nonnull(buf);
  ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  buf[n] = 0;
  *len = (size_t)n;
  return buf;
}

static void write_file(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  ck_assert_msg(f != NULL, "cannot create %s (%s)", path, g_rerun);
  ck_assert_uint_eq(fwrite(data, 1, len, f), len);
  ck_assert_int_eq(fclose(f), 0);
}

static long file_size(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}
/* Program header i of an ELF32 image. */
static uint8_t *phdr(uint8_t *e, unsigned i) {
  return e + get32(e + 28) + 32u * i;
}

/* A fresh instance must refuse this image with `want`, and say something. */
static void expect_reject(const uint8_t *img, size_t len, int want, const char *what) {
  systole_soc_sim_t *s = create();
  int st = systole_soc_sim_load_elf_mem(s, img, len);
  ck_assert_msg(st == want, "%s: load returned %s, expected %s (%s)", what,
                systole_soc_sim_strerror(st), systole_soc_sim_strerror(want), g_rerun);
  ck_assert_msg(systole_soc_sim_last_error(s)[0] != '\0', "%s: no error message (%s)", what, g_rerun);
  systole_soc_sim_destroy(s);
}

/* Copy good to bad, apply stmt, expect the copy to be refused with want. */
#define MUTATE(stmt, want, what)         \
  do {                                   \
    memcpy(bad, good, len);              \
    stmt;                                \
    expect_reject(bad, len, want, what); \
  } while (0)

/* Path in the scratch directory, unique to this process. */
static const char *scratch(const char *name) {
  static char buf[4][1024];
  static unsigned n;
  char *p = buf[n++ % 4];
  snprintf(p, sizeof buf[0], "%s/test_soc.%ld.%s", SOC_WORK_DIR, (long)getpid(), name);
  return p;
}

/* Run a shell command; returns its exit status (-1 if it did not exit normally). */
static int sh(const char *cmd) {
  int r = system(cmd);
  return (r != -1 && WIFEXITED(r)) ? WEXITSTATUS(r) : -1;
}

/* ---------------------------------------------------------------------------------------- */

START_TEST(exit_code) {
  systole_soc_sim_stop_t why;
  uint32_t code = 0;
  uint64_t cyc;
  systole_soc_sim_t *s;
  begin("exit_code", "exit42");
  s = run_prog("exit42", &code);
  ck_assert_msg(code == 42, "exit code %u, expected 42 (%s)", code, g_rerun);
  ck_assert_int_eq(systole_soc_sim_exited(s), 1);
  cyc = systole_soc_sim_cycles(s);
  ck_assert_msg(cyc > 0 && cyc < 10000, "exit42 took %llu cycles (%s)", (unsigned long long)cyc,
                g_rerun);
  /* after EXIT, run returns EXIT at once */
  ck_assert_int_eq(systole_soc_sim_run(s, 1000, &why), SYSTOLE_SOC_SIM_OK);
  ck_assert_int_eq(why, SYSTOLE_SOC_SIM_STOP_EXIT);
  ck_assert_uint_eq(systole_soc_sim_cycles(s), cyc);
  ck_assert_uint_eq(systole_soc_sim_uart_bytes(s), 0);
  systole_soc_sim_destroy(s);

  begin("exit_code", "exit_big");
  s = run_prog("exit_big", &code);
  ck_assert_msg(code == 0x12345600u, "exit code 0x%x, expected 0x12345600 (%s)", code, g_rerun);
  systole_soc_sim_destroy(s);
}
END_TEST

START_TEST(uart_text) {
  char want[256];
  size_t len;
  const char *text;
  systole_soc_sim_t *s;
  begin("uart_text", "hello");
  s = run_ok("hello");
  snprintf(want, sizeof want, "Hello from the Systole SoC\nDIV %08x\nDIV 00000007\n",
           (unsigned)g_info.uart_div);
  text = systole_soc_sim_uart(s, &len);
  ck_assert_msg(strcmp(text, want) == 0, "UART text \"%s\", expected \"%s\" (%s)", text, want,
                g_rerun);
  ck_assert_uint_eq(len, strlen(want));
  ck_assert_uint_eq(systole_soc_sim_uart_bytes(s), strlen(want));
  systole_soc_sim_destroy(s);
}
END_TEST

START_TEST(uart_busy) {
  uint32_t n;
  systole_soc_sim_t *s;
  begin("uart_busy", "uartbusy");
  s = run_ok("uartbusy");
  /* 10 bits of 20 cycles from the TXDATA write; the first poll starts a few cycles after */
  n = uart_field(s, "BUSY");
  ck_assert_msg(n >= 170 && n <= 240, "STATUS.busy lasted %u cycles, expected about 200 (%s)", n,
                g_rerun);
  ck_assert_msg(systole_soc_sim_uart(s, NULL)[0] == 'U', "first UART byte is not 'U' (%s)", g_rerun);
  systole_soc_sim_destroy(s);
}
END_TEST

START_TEST(cycle_limit) {
  systole_soc_sim_config_t cfg;
  systole_soc_sim_stop_t why;
  uint32_t code;
  systole_soc_sim_t *s;
  begin("cycle_limit", "loop");
  s = create();
  load(s, "loop");
  ck_assert_int_eq(systole_soc_sim_run(s, 1000, &why), SYSTOLE_SOC_SIM_OK);
  ck_assert_int_eq(why, SYSTOLE_SOC_SIM_STOP_LIMIT);
  ck_assert_uint_eq(systole_soc_sim_cycles(s), 1000);
  ck_assert_int_eq(systole_soc_sim_run(s, 500, &why), SYSTOLE_SOC_SIM_OK);
  ck_assert_int_eq(why, SYSTOLE_SOC_SIM_STOP_LIMIT);
  ck_assert_uint_eq(systole_soc_sim_cycles(s), 1500);
  systole_soc_sim_step(s, 7);
  ck_assert_uint_eq(systole_soc_sim_cycles(s), 1507);
  ck_assert_int_eq(systole_soc_sim_exited(s), 0);
  ck_assert_int_eq(systole_soc_sim_exit_code(s, &code), SYSTOLE_SOC_SIM_EINVAL);
  systole_soc_sim_destroy(s);

  /* run(s, 0, ..) uses cfg.max_cycles */
  systole_soc_sim_config_default(&cfg);
  ck_assert_uint_eq(cfg.max_cycles, 100000000ull);
  cfg.max_cycles = 3000;
  ck_assert_int_eq(systole_soc_sim_create(&cfg, &s), SYSTOLE_SOC_SIM_OK);
  load(s, "loop");
  ck_assert_int_eq(systole_soc_sim_run(s, 0, &why), SYSTOLE_SOC_SIM_OK);
  ck_assert_int_eq(why, SYSTOLE_SOC_SIM_STOP_LIMIT);
  ck_assert_uint_eq(systole_soc_sim_cycles(s), 3000);
  systole_soc_sim_destroy(s);
  cfg.max_cycles = 0;
  s = (systole_soc_sim_t *)&cfg; /* must be overwritten with NULL */
  ck_assert_int_eq(systole_soc_sim_create(&cfg, &s), SYSTOLE_SOC_SIM_EINVAL);
  ck_assert_ptr_null(s);
}
END_TEST

START_TEST(main_memory) {
  static uint32_t junk[16384];
  uint32_t code, i;
  systole_soc_sim_t *s;
  begin("main_memory", "mainmem");
  s = create();
  /* junk where the program's bss (RAM and main memory) will be: the loader must zero it */
  for (i = 0; i < 16384; i++) junk[i] = 0xdead0000u | i;
  ck_assert_int_eq(systole_soc_sim_load_words(s, 0, junk, 16384), SYSTOLE_SOC_SIM_OK);
  ck_assert_int_eq(systole_soc_sim_load_words(s, g_info.main_base, junk, 4096), SYSTOLE_SOC_SIM_OK);
  load(s, "mainmem");
  code = run_to_exit(s, "mainmem");
  ck_assert_msg(code == 0,
                "mainmem failed check %u (1 .main data, 2 main bss, 3 RAM bss, 4 word r/w, 5 last "
                "word, 6 sb/sh, 7 narrow loads) (%s)",
                code, g_rerun);
  systole_soc_sim_destroy(s);
}
END_TEST

START_TEST(socinfo) {
  systole_soc_sim_t *s;
  begin("socinfo", "socinfo");
  s = run_ok("socinfo");
  ck_assert_uint_eq(uart_field(s, "CLK_HZ"), g_info.clk_hz);
  ck_assert_uint_eq(uart_field(s, "RAM_BYTES"), g_info.ram_bytes);
  ck_assert_uint_eq(uart_field(s, "MAIN_BASE"), 0x80000000u);
  ck_assert_uint_eq(uart_field(s, "MAIN_BYTES"), g_info.main_bytes);
  systole_soc_sim_destroy(s);
}
END_TEST

START_TEST(bus_error) {
  struct {
    const char *tag;
    uint32_t cause, tval;
  } want[] = {{"L", 5, 0x40000000u},
              {"S", 7, 0x40000000u},
              {"F", 1, 0x40000000u},
              {"R", 5, 0},
              {"M", 5, 0},
              {"P", 5, 0x10004000u}};
  const char *text, *p;
  unsigned i, cause, tval;
  char tag[2];
  systole_soc_sim_t *s;
  begin("bus_error", "buserr");
  want[3].tval = g_info.ram_base + g_info.ram_bytes;
  want[4].tval = g_info.main_base + g_info.main_bytes;
  s = run_ok("buserr");
  text = systole_soc_sim_uart(s, NULL);
  /* lines "<tag> <mcause> <mtval>"; mtval of an access fault is the faulting address */
  p = text;
  for (i = 0; i < sizeof want / sizeof want[0]; i++) {
    ck_assert_msg(sscanf(p, "%1s %x %x", tag, &cause, &tval) == 3 && !strcmp(tag, want[i].tag),
                  "line %u of \"%s\" is not \"%s <mcause> <mtval>\" (%s)", i, text, want[i].tag,
                  g_rerun);
    ck_assert_msg(cause == want[i].cause && tval == want[i].tval,
                  "access %s: mcause 0x%x mtval 0x%08x, expected %u and 0x%08x (%s)", tag, cause,
                  tval, want[i].cause, want[i].tval, g_rerun);
    p = strchr(p, '\n');
    ck_assert_ptr_nonnull(p);
    p++;
  }
  systole_soc_sim_destroy(s);
}
END_TEST

START_TEST(timer) {
  uint32_t dt, dc;
  systole_soc_sim_t *s;
  begin("timer", "timer");
  s = run_ok("timer");
  dt = uart_field(s, "DT");
  dc = uart_field(s, "DC");
  ck_assert_msg(dt > 0 && (dt > dc ? dt - dc : dc - dt) <= 8,
                "MTIME advanced %u while mcycle advanced %u (%s)", dt, dc, g_rerun);
  ck_assert_uint_eq(uart_field(s, "IRQ"), 0x80000007u);
  systole_soc_sim_destroy(s);
}
END_TEST

START_TEST(accelerator_id) {
  uint32_t cfg;
  systole_soc_sim_t *s;
  begin("accelerator_id", "accid");
  s = run_ok("accid"); /* exits 1 if ID is not SYSTOLE_ID_VALUE_VALUE */
  ck_assert_uint_eq(uart_field(s, "ID"), SYSTOLE_ID_VALUE_VALUE);
  cfg = uart_field(s, "CFG_ARRAY");
  ck_assert_msg(SYSTOLE_CFG_ARRAY_ROWS_GET(cfg) == g_info.rows &&
                    SYSTOLE_CFG_ARRAY_COLS_GET(cfg) == g_info.cols,
                "CFG_ARRAY 0x%08x, expected %ux%u (%s)", cfg, g_info.rows, g_info.cols, g_rerun);
  /* the SoC models keep every bit of the DMA address registers (DmaAddrMask default) */
  ck_assert_msg(uart_field(s, "WIN_BASE") == 0xffffffffu, "WIN_BASE bits 0x%08x (%s)",
                uart_field(s, "WIN_BASE"), g_rerun);
  ck_assert_int_eq(systole_soc_sim_acc_idle(s), 1);
  ck_assert_int_eq(systole_soc_sim_acc_irq(s), 0);
  systole_soc_sim_destroy(s);
}
END_TEST

START_TEST(elf_corrupt) {
  size_t len;
  uint8_t *good, *bad;
  systole_soc_sim_t *s;
  begin("elf_corrupt", "exit42");
  good = read_file(elf_path("exit42"), &len);
  bad = malloc(len);
  ck_assert_ptr_nonnull(bad);
  MUTATE(bad[1] = 'X', SYSTOLE_SOC_SIM_EFORMAT, "bad magic");
  MUTATE(bad[4] = 2, SYSTOLE_SOC_SIM_EFORMAT, "ELFCLASS64");
  MUTATE(bad[5] = 2, SYSTOLE_SOC_SIM_EFORMAT, "big endian");
  MUTATE(bad[16] = 3, SYSTOLE_SOC_SIM_EFORMAT, "ET_DYN");
  MUTATE(bad[18] = 62, SYSTOLE_SOC_SIM_EFORMAT, "x86-64 machine");
  MUTATE(put32(bad + 24, 0x100), SYSTOLE_SOC_SIM_EFORMAT, "entry point off the reset vector");
  MUTATE(bad[42] = 56, SYSTOLE_SOC_SIM_EFORMAT, "ELF64 program header size");
  MUTATE(put32(bad + 28, 0x7ffffff0), SYSTOLE_SOC_SIM_EFORMAT, "program headers past the end");
  MUTATE(put32(phdr(bad, 0) + 16, get32(phdr(bad, 0) + 20) + 4), SYSTOLE_SOC_SIM_EFORMAT,
         "p_filesz > p_memsz");
  MUTATE(put32(phdr(bad, 0) + 4, (uint32_t)len - 4), SYSTOLE_SOC_SIM_EFORMAT,
         "segment bytes past the end");
  MUTATE(put32(phdr(bad, 0), 4), SYSTOLE_SOC_SIM_EFORMAT, "no PT_LOAD (PT_NOTE instead)");
  /* truncated images */
  expect_reject(good, 0, SYSTOLE_SOC_SIM_EFORMAT, "empty");
  expect_reject(good, 40, SYSTOLE_SOC_SIM_EFORMAT, "cut inside the ELF header");
  expect_reject(good, 60, SYSTOLE_SOC_SIM_EFORMAT, "cut inside the program headers");
  expect_reject(good, get32(phdr(good, 0) + 4) + 8, SYSTOLE_SOC_SIM_EFORMAT,
                "cut inside the segment");
  /* the same through a file */
  write_file(scratch("trunc.elf"), good, get32(phdr(good, 0) + 4) + 8);
  s = create();
  ck_assert_int_eq(systole_soc_sim_load_elf(s, scratch("trunc.elf")), SYSTOLE_SOC_SIM_EFORMAT);
  ck_assert_msg(strstr(systole_soc_sim_last_error(s), "truncated") != NULL,
                "message \"%s\" does not say truncated (%s)", systole_soc_sim_last_error(s), g_rerun);
  ck_assert_int_eq(systole_soc_sim_load_elf(s, scratch("does-not-exist.elf")), SYSTOLE_SOC_SIM_EIO);
  ck_assert_int_eq(systole_soc_sim_load_elf(s, NULL), SYSTOLE_SOC_SIM_EINVAL);
  /* after the rejections the instance still loads and runs a good file */
  ck_assert_int_eq(systole_soc_sim_load_elf_mem(s, good, len), SYSTOLE_SOC_SIM_OK);
  ck_assert_uint_eq(run_to_exit(s, "exit42"), 42);
  systole_soc_sim_destroy(s);
  remove(scratch("trunc.elf"));
  free(bad);
  free(good);
}
END_TEST

START_TEST(elf_out_of_range) {
  size_t len, len42;
  uint8_t *good, *bad, *e42;
  uint32_t ram_end = g_info.ram_base + g_info.ram_bytes;
  uint32_t main_end = g_info.main_base + g_info.main_bytes;
  systole_soc_sim_t *s;
  begin("elf_out_of_range", "mainmem");
  good = read_file(elf_path("mainmem"), &len); /* segment 0 in RAM, 1 in main memory */
  ck_assert_uint_eq(get32(phdr(good, 1) + 12), g_info.main_base);
  bad = malloc(len);
  ck_assert_ptr_nonnull(bad);
  MUTATE(put32(phdr(bad, 1) + 12, 0x40000000u), SYSTOLE_SOC_SIM_ERANGE, "segment unmapped");
  MUTATE(put32(phdr(bad, 1) + 12, main_end - 8), SYSTOLE_SOC_SIM_ERANGE,
         "segment across the end of main memory");
  MUTATE(put32(phdr(bad, 0) + 20, ram_end + 4), SYSTOLE_SOC_SIM_ERANGE, "segment past RAM");
  MUTATE(put32(phdr(bad, 1) + 12, 0x10000000u), SYSTOLE_SOC_SIM_ERANGE, "segment on the UART");
  MUTATE(put32(phdr(bad, 1) + 12, 0xfffffff8u), SYSTOLE_SOC_SIM_ERANGE, "segment wraps 4 GiB");
  /* nothing of a rejected file is written: exit42's code survives mainmem's segment 0 */
  e42 = read_file(elf_path("exit42"), &len42);
  s = create();
  ck_assert_int_eq(systole_soc_sim_load_elf_mem(s, e42, len42), SYSTOLE_SOC_SIM_OK);
  memcpy(bad, good, len);
  put32(phdr(bad, 1) + 12, 0x40000000u);
  ck_assert_int_eq(systole_soc_sim_load_elf_mem(s, bad, len), SYSTOLE_SOC_SIM_ERANGE);
  ck_assert_msg(strstr(systole_soc_sim_last_error(s), "outside") != NULL,
                "message \"%s\" does not say outside (%s)", systole_soc_sim_last_error(s), g_rerun);
  ck_assert_uint_eq(run_to_exit(s, "exit42"), 42);
  /* no loading once the core runs; load_words checks alignment and range */
  ck_assert_int_eq(systole_soc_sim_load_elf_mem(s, e42, len42), SYSTOLE_SOC_SIM_ESTATE);
  systole_soc_sim_destroy(s);
  s = create();
  ck_assert_int_eq(systole_soc_sim_load_words(s, 2, (const uint32_t *)e42, 1), SYSTOLE_SOC_SIM_EINVAL);
  ck_assert_int_eq(systole_soc_sim_load_words(s, ram_end - 4, (const uint32_t *)e42, 2),
                   SYSTOLE_SOC_SIM_ERANGE);
  ck_assert_int_eq(systole_soc_sim_load_words(s, main_end - 4, (const uint32_t *)e42, 1),
                   SYSTOLE_SOC_SIM_OK);
  systole_soc_sim_destroy(s);
  free(e42);
  free(bad);
  free(good);
}
END_TEST

START_TEST(waves_window) {
  systole_soc_sim_config_t cfg;
  systole_soc_sim_t *s;
  const char *path = scratch("window.fst");
  long sz;
  begin("waves_window", "hello");
  /* without a wave path a window is refused */
  s = create();
  ck_assert_int_eq(systole_soc_sim_wave_window(s, 10, 60), SYSTOLE_SOC_SIM_EINVAL);
  systole_soc_sim_destroy(s);

  systole_soc_sim_config_default(&cfg);
  cfg.wave_path = path;
  remove(path);
  /* waves only when asked: a wave path alone writes nothing */
  ck_assert_int_eq(systole_soc_sim_create(&cfg, &s), SYSTOLE_SOC_SIM_OK);
  load(s, "exit42");
  ck_assert_uint_eq(run_to_exit(s, "exit42"), 42);
  systole_soc_sim_destroy(s);
  ck_assert_msg(file_size(path) < 0, "%s written without a request (%s)", path, g_rerun);

  ck_assert_int_eq(systole_soc_sim_create(&cfg, &s), SYSTOLE_SOC_SIM_OK);
  load(s, "hello");
  ck_assert_int_eq(systole_soc_sim_wave_window(s, 60, 60), SYSTOLE_SOC_SIM_EINVAL);
  ck_assert_int_eq(systole_soc_sim_wave_window(s, 100, 400), SYSTOLE_SOC_SIM_OK);
  ck_assert_int_eq(systole_soc_sim_run(s, 300, NULL), SYSTOLE_SOC_SIM_OK); /* inside the window */
  ck_assert_uint_eq(run_to_exit(s, "hello"), 0);                           /* window closed */
  sz = file_size(path);
  ck_assert_msg(sz > 0, "window [100, 400) left %s with size %ld (%s)", path, sz, g_rerun);
  systole_soc_sim_destroy(s);
  ck_assert_int_eq((int)file_size(path), (int)sz); /* closed at 400, not touched after */
  remove(path);
}
END_TEST

START_TEST(two_instances) {
  systole_soc_sim_t *a, *b;
  systole_soc_sim_stop_t wa = SYSTOLE_SOC_SIM_STOP_LIMIT, wb = SYSTOLE_SOC_SIM_STOP_LIMIT;
  uint32_t ca = 1, cb = 0;
  unsigned rounds = 0;
  char want[256];
  begin("two_instances", "hello");
  a = create();
  b = create();
  load(a, "hello");
  load(b, "mainmem");
  while ((wa != SYSTOLE_SOC_SIM_STOP_EXIT || wb != SYSTOLE_SOC_SIM_STOP_EXIT) && rounds++ < 10000) {
    ck_assert_int_eq(systole_soc_sim_run(a, 97, &wa), SYSTOLE_SOC_SIM_OK);
    ck_assert_int_eq(systole_soc_sim_run(b, 101, &wb), SYSTOLE_SOC_SIM_OK);
  }
  ck_assert_int_eq(systole_soc_sim_exit_code(a, &ca), SYSTOLE_SOC_SIM_OK);
  ck_assert_int_eq(systole_soc_sim_exit_code(b, &cb), SYSTOLE_SOC_SIM_OK);
  ck_assert_msg(ca == 0 && cb == 0, "interleaved: hello exit %u, mainmem exit %u (%s)", ca, cb,
                g_rerun);
  snprintf(want, sizeof want, "Hello from the Systole SoC\nDIV %08x\nDIV 00000007\n",
           (unsigned)g_info.uart_div);
  ck_assert_str_eq(systole_soc_sim_uart(a, NULL), want);
  ck_assert_str_eq(systole_soc_sim_uart(b, NULL), "");
  ck_assert_uint_ne(systole_soc_sim_cycles(a), systole_soc_sim_cycles(b));
  systole_soc_sim_destroy(b);
  /* a outlives b and still answers */
  ck_assert_int_eq(systole_soc_sim_exited(a), 1);
  systole_soc_sim_destroy(a);
}
END_TEST

START_TEST(soc_run_cli) {
  char cmd[4096], *out;
  unsigned long code = 0;
  unsigned long long cycles = 0;
  double secs = -1, rate = -1;
  size_t len;
  const char *so = scratch("stdout"), *se = scratch("stderr"), *fst = scratch("run.fst");
  char want[256];
  int rc;
  begin("soc_run_cli", NULL);

  snprintf(cmd, sizeof cmd, "%s --quiet %s >%s 2>%s", SOC_RUN_PATH, elf_path("exit42"), so, se);
  rc = sh(cmd);
  ck_assert_msg(rc == 42, "`%s` exited %d, expected 42 (%s)", cmd, rc, g_rerun);
  out = (char *)read_file(se, &len);
  ck_assert_msg(sscanf(out, "soc_run: exit %lu after %llu cycles (%lf s, %lf cycles/s)", &code,
                       &cycles, &secs, &rate) == 4 &&
                    code == 42 && cycles > 0 && secs >= 0 && rate >= 0,
                "`%s`: summary line \"%s\" (%s)", cmd, out, g_rerun);
  free(out);

  snprintf(cmd, sizeof cmd, "%s %s >%s 2>%s", SOC_RUN_PATH, elf_path("hello"), so, se);
  rc = sh(cmd);
  ck_assert_msg(rc == 0, "`%s` exited %d (%s)", cmd, rc, g_rerun);
  out = (char *)read_file(so, &len);
  snprintf(want, sizeof want, "Hello from the Systole SoC\nDIV %08x\nDIV 00000007\n",
           (unsigned)g_info.uart_div);
  ck_assert_msg(strcmp(out, want) == 0, "`%s`: stdout \"%s\", expected the UART text (%s)", cmd, out,
                g_rerun);
  free(out);
  snprintf(cmd, sizeof cmd, "%s -q %s >%s 2>%s", SOC_RUN_PATH, elf_path("hello"), so, se);
  ck_assert_int_eq(sh(cmd), 0);
  ck_assert_int_eq((int)file_size(so), 0);

  struct {
    const char *args;
    int status;
  } cases[] = {
      {"exit_big.elf", 255},                   /* 0x12345600: nonzero, low byte 0 */
      {"--max-cycles 2000 loop.elf", 124},     /* cycle limit */
      {"does-not-exist.elf", 125},             /* load error */
      {"", 125},                               /* usage */
      {"--max-cycles 0 exit42.elf", 125},      /* usage */
      {"--wave-window 5:1 --waves x.fst exit42.elf", 125},
      {"--wave-window 1:5 exit42.elf", 125},   /* window needs --waves */
      {"--bogus exit42.elf", 125},
      {"exit42.elf exit42.elf", 125},
  };
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    snprintf(cmd, sizeof cmd, "cd %s && %s %s >%s 2>%s", SOC_PROGS_DIR, SOC_RUN_PATH, cases[i].args,
             so, se);
    rc = sh(cmd);
    out = (char *)read_file(se, &len);
    ck_assert_msg(rc == cases[i].status, "`%s` exited %d, expected %d; stderr \"%s\" (%s)", cmd, rc,
                  cases[i].status, out, g_rerun);
    ck_assert_msg(strstr(out, "soc_run") != NULL || strstr(out, "usage") != NULL,
                  "`%s` said nothing on stderr (%s)", cmd, g_rerun);
    free(out);
  }

  /* waves of a window */
  remove(fst);
  snprintf(cmd, sizeof cmd, "%s -q --waves %s --wave-window 20:120 %s >%s 2>%s", SOC_RUN_PATH, fst,
           elf_path("hello"), so, se);
  rc = sh(cmd);
  ck_assert_msg(rc == 0 && file_size(fst) > 0, "`%s`: status %d, wave file size %ld (%s)", cmd, rc,
                file_size(fst), g_rerun);
  remove(fst);
  remove(so);
  remove(se);
}
END_TEST

START_TEST(api_args) {
  systole_soc_sim_info_t info;
  begin("api_args", NULL);
  systole_soc_sim_info(&info);
  ck_assert_uint_eq(info.main_base, 0x80000000u);
  ck_assert_uint_eq(info.ram_base, 0);
  ck_assert_ptr_nonnull(info.config);
  ck_assert_int_eq(systole_soc_sim_create(NULL, NULL), SYSTOLE_SOC_SIM_EINVAL);
  ck_assert_int_eq(systole_soc_sim_load_elf(NULL, "x"), SYSTOLE_SOC_SIM_EINVAL);
  ck_assert_int_eq(systole_soc_sim_run(NULL, 1, NULL), SYSTOLE_SOC_SIM_EINVAL);
  ck_assert_int_eq(systole_soc_sim_wave_stop(NULL), SYSTOLE_SOC_SIM_EINVAL);
  ck_assert_ptr_null(systole_soc_sim_uart(NULL, NULL));
  ck_assert_uint_eq(systole_soc_sim_cycles(NULL), 0);
  systole_soc_sim_destroy(NULL);
  for (int st = 1; st >= -8; st--) ck_assert_ptr_nonnull(systole_soc_sim_strerror(st));
}
END_TEST

/* ---------------------------------------------------------------------------------------- */

static void add(Suite *su, const char *name, const TTest *t) {
  TCase *tc = tcase_create(name);
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, t);
  suite_add_tcase(su, tc);
}

static Suite *soc_suite(int subset) {
  Suite *su = suite_create("soc");
  add(su, "exit_code", exit_code);
  add(su, "uart_text", uart_text);
  add(su, "socinfo", socinfo);
  add(su, "accelerator_id", accelerator_id);
  add(su, "main_memory", main_memory);
  if (subset) return su;
  add(su, "api_args", api_args);
  add(su, "uart_busy", uart_busy);
  add(su, "cycle_limit", cycle_limit);
  add(su, "bus_error", bus_error);
  add(su, "timer", timer);
  add(su, "elf_corrupt", elf_corrupt);
  add(su, "elf_out_of_range", elf_out_of_range);
  add(su, "waves_window", waves_window);
  add(su, "two_instances", two_instances);
  add(su, "soc_run_cli", soc_run_cli);
  return su;
}

int main(int argc, char **argv) {
  int subset = 0, failed, i;
  SRunner *sr;
  g_argv0 = argv[0];
  for (i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--subset")) {
      subset = 1;
    } else {
      fprintf(stderr, "usage: test_soc [--subset]   (CK_RUN_CASE=<test> runs one test)\n");
      return 2;
    }
  }
  systole_soc_sim_info(&g_info);
  printf("SoC %s: %ux%u array, RAM %u KiB, main memory %u KiB, UART DIV %u\n", g_info.config,
         g_info.rows, g_info.cols, g_info.ram_bytes / 1024, g_info.main_bytes / 1024, g_info.uart_div);
  sr = srunner_create(soc_suite(subset));
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? 1 : 0;
}
