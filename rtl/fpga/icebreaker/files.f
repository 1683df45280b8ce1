# FPGA-only sources of the iCEBreaker top, read after rtl/files.f and rtl/soc/files.f
# (scripts/fpga.sh srcs; duplicates are read once). A line "-path" drops that file from the
# lists before it: a generic module replaced by an FPGA variant of the same name.
#
# Main memory: the generic one is a 64-bit RAM with separate read and write ports, which the
# UP5K's single-port SPRAM cannot hold; the variant uses one 32-bit port (docs/fpga.md).
# The firmware RAM (systole_soc_ram) and the chip's memories are mapped by Yosys itself
# (synth_ice40 -spram: SPRAM; EBR).
-rtl/soc/systole_soc_mainmem.sv
rtl/fpga/ice40/systole_soc_mainmem.sv
# (rtl/fpga/systole_flash_loader.sv: the hardware loader, replaced by the boot ROM)
rtl/fpga/icebreaker/systole_icebreaker.sv
