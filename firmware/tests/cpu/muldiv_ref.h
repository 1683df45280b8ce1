/* muldiv_ref.h — software reference of the RV32M instructions (muldiv_ref.c). */
#ifndef MULDIV_REF_H
#define MULDIV_REF_H

#include <stdint.h>

/* index of each instruction's result in ref_muldiv's out[] (funct3 order) */
enum { REF_MUL, REF_MULH, REF_MULHSU, REF_MULHU, REF_DIV, REF_DIVU, REF_REM, REF_REMU };

/* the results of all eight M instructions for rs1 = a, rs2 = b */
void ref_muldiv(uint32_t a, uint32_t b, uint32_t out[8]);

#endif
