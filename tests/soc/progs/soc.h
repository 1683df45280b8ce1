/* soc.h — addresses of the Systole SoC (docs/soc.md, memory map) for the test programs. */
#ifndef SOC_H
#define SOC_H
#define UART_BASE     0x10000000
#define UART_TXDATA   0x0
#define UART_STATUS   0x4
#define UART_DIV      0x8
#define TIMER_BASE    0x10001000
#define TIMER_MTIME   0x0
#define TIMER_MTIMEH  0x4
#define TIMER_CMP     0x8
#define TIMER_CMPH    0xc
#define SIMCTRL_BASE  0x10002000
#define SIMCTRL_EXIT  0x0
#define SOCINFO_BASE  0x10003000
#define SOCINFO_CLK_HZ     0x0
#define SOCINFO_RAM_BYTES  0x4
#define SOCINFO_MAIN_BASE  0x8
#define SOCINFO_MAIN_BYTES 0xc
#define ACC_BASE      0x20000000
#define MAIN_BASE     0x80000000
#define UNMAPPED      0x40000000
#endif
