/*
 * systole_soc_sim.h — the Systole SoC (RV32IM core + accelerator + RAM, main memory and
 * peripherals, rtl/soc/systole_soc.sv) as a cycle-accurate library with a plain C99 API.
 *
 * One systole_soc_sim_t is one SoC with its own VerilatedContext, clock, cycle counter,
 * captured UART text and waveform file; instances share nothing (several may live in one
 * process, one thread per instance at a time). The SoC parameters (array size, memory
 * sizes, clock, UART divider) are fixed when the library is built (sim/soc/soc.mk);
 * systole_soc_sim_info() reports them. See docs/soc.md, section "Simulation".
 *
 * Typical use:
 *   systole_soc_sim_create(NULL, &s);             reset, core held (boot_hold_i = 1)
 *   systole_soc_sim_load_elf(s, "prog.elf");      PT_LOAD segments through the loader port
 *   systole_soc_sim_run(s, 0, &why);              release the core, run to EXIT or the limit
 *   systole_soc_sim_exit_code(s, &code);
 *   systole_soc_sim_destroy(s);
 *
 * Link: libsystole_soc.a -lstdc++ -lm -lz -lpthread
 */
#ifndef SYSTOLE_SOC_SIM_H
#define SYSTOLE_SOC_SIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define SYSTOLE_SOC_SIM_MUST_CHECK __attribute__((warn_unused_result))
#else
#define SYSTOLE_SOC_SIM_MUST_CHECK
#endif

/* Status codes: 0 is success, errors are negative. After an error,
 * systole_soc_sim_last_error() says what went wrong in words. */
#define SYSTOLE_SOC_SIM_OK       0
#define SYSTOLE_SOC_SIM_EINVAL  -1  /* bad argument (NULL pointer, bad config, bad window) */
#define SYSTOLE_SOC_SIM_ENOMEM  -2  /* host allocation failed */
#define SYSTOLE_SOC_SIM_ERANGE  -3  /* a load address outside RAM and main memory */
#define SYSTOLE_SOC_SIM_EFORMAT -4  /* not a (complete) little-endian ELF32 RISC-V executable */
#define SYSTOLE_SOC_SIM_EIO     -5  /* file unreadable, wave file unopenable, or the model
                                       stopped ($stop/$fatal/failed assertion) */
#define SYSTOLE_SOC_SIM_ESTATE  -6  /* loading after the core was released */

typedef struct systole_soc_sim systole_soc_sim_t;

typedef struct {
  uint64_t    max_cycles;   /* cycle budget of systole_soc_sim_run(s, 0, ..); default 100 M */
  const char *wave_path;    /* FST file for wave_start(NULL) and wave_window; NULL = none.
                               Nothing is written unless asked for. Copied. */
  int         uart_echo;    /* nonzero: write every UART byte to stdout as it is sent */
  uint32_t    uart_capture_bytes; /* UART bytes kept for systole_soc_sim_uart(); default
                               1 MiB; later bytes are still counted and echoed, not kept */
} systole_soc_sim_config_t;

/* What this library was built with (the -G parameters of the SoC top, sim/soc/soc.mk). */
typedef struct {
  const char *config;       /* build configuration name, e.g. "8x8" */
  uint32_t    rows, cols;   /* accelerator array */
  uint32_t    ram_base;     /* 0x0000_0000 */
  uint32_t    ram_bytes;    /* RamBytes */
  uint32_t    main_base;    /* 0x8000_0000 */
  uint32_t    main_bytes;   /* MainBytes */
  uint32_t    clk_hz;       /* ClkHz (SOCINFO CLK_HZ) */
  uint32_t    uart_div;     /* UartDiv: reset value of UART DIV, clock cycles per bit */
  uint32_t    fast_mul;     /* FastMul */
} systole_soc_sim_info_t;

typedef enum {
  SYSTOLE_SOC_SIM_STOP_EXIT  = 1,  /* the firmware wrote SIMCTRL EXIT */
  SYSTOLE_SOC_SIM_STOP_LIMIT = 2   /* the cycle budget ran out first */
} systole_soc_sim_stop_t;

/* Human-readable name of a status code. Never NULL. */
const char *systole_soc_sim_strerror(int status);

/* Fill cfg with the defaults above. */
void systole_soc_sim_config_default(systole_soc_sim_config_t *cfg);

/* The build parameters of this library (no instance needed). */
void systole_soc_sim_info(systole_soc_sim_info_t *info);

/* Create a SoC (cfg NULL = defaults): reset (rst_ni low 4 cycles) with the core held in
 * reset by boot_hold_i, ready for loading. *out is NULL on failure. */
SYSTOLE_SOC_SIM_MUST_CHECK int systole_soc_sim_create(const systole_soc_sim_config_t *cfg,
                                                      systole_soc_sim_t **out);

/* Finish the model (final()), close the wave file, free everything. NULL is ignored. */
void systole_soc_sim_destroy(systole_soc_sim_t *s);

/* Load an ELF32 RISC-V executable (file or bytes in memory) while the core is held:
 * every PT_LOAD segment is written through the loader port (file bytes, then zeros up to
 * p_memsz) at its physical address p_paddr. Every segment must lie inside RAM or inside
 * main memory (ERANGE), the file must be a complete little-endian ELFCLASS32 EM_RISCV
 * ET_EXEC with at least one non-empty PT_LOAD and its entry point at the reset vector
 * (EFORMAT); nothing is written unless the whole file checks out. Bytes that share a
 * 32-bit word with a segment but belong to none are written as 0. May be called several
 * times before the first run; ESTATE after. Takes one cycle per word written (these
 * cycles are not counted by systole_soc_sim_cycles). */
SYSTOLE_SOC_SIM_MUST_CHECK int systole_soc_sim_load_elf(systole_soc_sim_t *s, const char *path);
SYSTOLE_SOC_SIM_MUST_CHECK int systole_soc_sim_load_elf_mem(systole_soc_sim_t *s,
                                                            const void *elf, size_t bytes);

/* Write words through the loader port (addr 4-byte aligned, inside RAM or main memory,
 * before the first run). */
SYSTOLE_SOC_SIM_MUST_CHECK int systole_soc_sim_load_words(systole_soc_sim_t *s, uint32_t addr,
                                                          const uint32_t *words, size_t count);

/* Release the core (the first time) and clock until the firmware writes SIMCTRL EXIT or
 * max_cycles (0: cfg.max_cycles) elapsed in this call. OK with *why = EXIT or LIMIT (why
 * may be NULL); another call after LIMIT goes on; after EXIT it returns EXIT at once.
 * EIO if the model stopped ($stop/$fatal/assertion), then and on every later call. */
SYSTOLE_SOC_SIM_MUST_CHECK int systole_soc_sim_run(systole_soc_sim_t *s, uint64_t max_cycles,
                                                   systole_soc_sim_stop_t *why);

/* Advance the clock by exactly `cycles` (releasing the core the first time), whatever
 * the firmware does; an EXIT seen on the way is recorded. */
void systole_soc_sim_step(systole_soc_sim_t *s, uint64_t cycles);

/* The exit code the firmware wrote (the full 32-bit value). EINVAL if it has not exited. */
SYSTOLE_SOC_SIM_MUST_CHECK int systole_soc_sim_exit_code(const systole_soc_sim_t *s,
                                                         uint32_t *code);
int systole_soc_sim_exited(const systole_soc_sim_t *s);      /* 1 once EXIT was written */

/* The UART text captured so far (NUL-terminated, first uart_capture_bytes bytes); *len
 * (may be NULL) gets its length. Never NULL for a valid handle. */
const char *systole_soc_sim_uart(const systole_soc_sim_t *s, size_t *len);
uint64_t systole_soc_sim_uart_bytes(const systole_soc_sim_t *s); /* all bytes sent */

/* Rising edges since the core was released (loader cycles not included). */
uint64_t systole_soc_sim_cycles(const systole_soc_sim_t *s);

int systole_soc_sim_acc_irq(const systole_soc_sim_t *s);   /* acc_irq_o now (0/1) */
int systole_soc_sim_acc_idle(const systole_soc_sim_t *s);  /* acc_idle_o now (0/1) */

/* Dump an FST waveform from now on to path (NULL: cfg.wave_path). */
SYSTOLE_SOC_SIM_MUST_CHECK int systole_soc_sim_wave_start(systole_soc_sim_t *s, const char *path);
/* Stop dumping and close the file (OK if none is open); cancels a window. */
SYSTOLE_SOC_SIM_MUST_CHECK int systole_soc_sim_wave_stop(systole_soc_sim_t *s);
/* Dump exactly cycles [from, to) (counted as systole_soc_sim_cycles) to cfg.wave_path,
 * opening and closing the file as the clock runs. EINVAL if no wave_path or from >= to. */
SYSTOLE_SOC_SIM_MUST_CHECK int systole_soc_sim_wave_window(systole_soc_sim_t *s, uint64_t from,
                                                           uint64_t to);

/* What the last failing call on this instance said (an empty string if none failed). */
const char *systole_soc_sim_last_error(const systole_soc_sim_t *s);

#ifdef __cplusplus
}
#endif
#endif /* SYSTOLE_SOC_SIM_H */
