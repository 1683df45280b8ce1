# sim/mk/verilated_objs.mk — read after Verilator's generated V<top>.mk (make -f V.mk -f this).
#
# Verilator's default target builds only the model archive ($(VM_PREFIX)__ALL.a). This adds a
# target that also builds the run-time objects the model needs (verilated.o,
# verilated_fst_c.o, verilated_threads.o, ... as listed by Verilator in VM_GLOBAL_*) and
# writes their names to globals.txt for the archive stage of sim/sim.mk.

.PHONY: systole_sim_objs
systole_sim_objs: $(VM_PREFIX)__ALL.a $(VK_GLOBAL_OBJS)
	printf '%s\n' $(VK_GLOBAL_OBJS) > globals.txt
