# SoC and core sources, read after the chip's rtl/files.f
rtl/cpu/systole_rv32_muldiv.sv
rtl/cpu/systole_rv32.sv
rtl/soc/systole_soc_ram.sv
rtl/soc/systole_soc_rom.sv
rtl/soc/systole_soc_spi.sv
rtl/soc/systole_soc_uart.sv
rtl/soc/systole_soc_timer.sv
rtl/soc/systole_soc_axil_bridge.sv
rtl/soc/systole_soc_mainmem.sv
rtl/soc/systole_soc.sv
