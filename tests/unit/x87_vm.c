/* The instruction harness for the x87 checks; see vm.h. */
#include <string.h>

#include "tests/unit/x87_vm.h"

static uint32_t io_ones(void *o, uint16_t port, int size)
{
    (void)o;
    (void)port;
    return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}
static void io_drop(void *o, uint16_t port, uint32_t v, int size)
{
    (void)o;
    (void)port;
    (void)v;
    (void)size;
}
static uint8_t ack_none(void *o)
{
    (void)o;
    return 0xFF;
}

static void on_exception(void *opaque, int vector, int has_error, uint32_t error, int is_interrupt)
{
    struct x87_vm *v = opaque;
    (void)has_error;
    (void)error;
    if (!is_interrupt)
        v->last_vector = vector;
}

static void on_ferr(void *opaque, int level)
{
    struct x87_vm *v = opaque;
    v->ferr_level = level;
    v->ferr_changes++;
}

int x87_vm_init(struct x87_vm *v, enum x86_model model)
{
    memset(v, 0, sizeof(*v));
    if (physmem_init(&v->mem, 1u << 20) < 0)
        return -1;
    clock_init(&v->clock, 1000000);
    struct x86_bus bus = { .mem = &v->mem, .clock = &v->clock, .opaque = v, .io_read = io_ones, .io_write = io_drop,
                           .intr_ack = ack_none };
    if (x86_init(&v->cpu, model, &bus) < 0) {
        physmem_destroy(&v->mem);
        return -1;
    }
    for (uint32_t vec = 0; vec < 256; vec++)
        physmem_write(&v->mem, vec * 4, 0x0500, 4);     /* 0000:0500 */
    physmem_write(&v->mem, 0x500, 0xF4, 1);             /* HLT */
    v->cpu.observer.opaque = v;
    v->cpu.observer.exception = on_exception;
    v->cpu.ferr = on_ferr;
    v->cpu.ferr_opaque = v;
    v->cpu.stop_on_hlt = 1;
    return 0;
}

void x87_vm_destroy(struct x87_vm *v)
{
    x86_destroy(&v->cpu);
    physmem_destroy(&v->mem);
}

int x87_vm_exec(struct x87_vm *v, const uint8_t *bytes, int len)
{
    struct x86_cpu *c = &v->cpu;
    for (int k = 0; k < len; k++)
        physmem_write(&v->mem, X87_VM_CODE + (uint32_t)k, bytes[k], 1);
    x86_flush_caches(c);
    x86_load_seg_real(c, X86_CS, 0);
    x86_load_seg_real(c, X86_DS, 0);
    x86_load_seg_real(c, X86_SS, 0);
    c->eip = X87_VM_CODE;
    c->gpr[X86_ESP] = 0x8000;
    c->gpr[X86_EBX] = X87_VM_DATA;
    c->halted = 0;
    v->last_vector = -1;
    x86_step(c);
    return v->last_vector;
}
