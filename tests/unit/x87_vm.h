/*
 * A tiny machine for running x87 instructions: a real-mode x86_cpu on 1 MiB
 * of RAM.  The instruction goes at 0000:1000, its memory operand at
 * 0000:2000 (addressed as [BX]), the stack at 0000:8000; every interrupt
 * vector points at a HLT, and the vector of the last exception is kept.
 */
#ifndef TRAPEZE_TESTS_UNIT_X87_VM_H
#define TRAPEZE_TESTS_UNIT_X87_VM_H

#include "bus/clock.h"
#include "cpu/x86/cpu.h"
#include "memory/physmem.h"

#define X87_VM_CODE 0x1000u
#define X87_VM_DATA 0x2000u

struct x87_vm {
    struct physmem mem;
    struct clock clock;
    struct x86_cpu cpu;
    int last_vector;        /* -1: none */
    int ferr_level, ferr_changes;
};

int x87_vm_init(struct x87_vm *v, enum x86_model model);
void x87_vm_destroy(struct x87_vm *v);
/* Execute one instruction (bytes at CS:1000).  Returns the exception
 * vector it raised, or -1. */
int x87_vm_exec(struct x87_vm *v, const uint8_t *bytes, int len);

#endif
