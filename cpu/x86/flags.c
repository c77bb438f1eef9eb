/*
 * Lazy flags.  An arithmetic instruction records its operation, operands
 * and result (lf_set); the six arithmetic flags are worked out here only
 * when something reads them -- most results are overwritten before any
 * instruction looks at their flags.
 */
#include "cpu/x86/internal.h"

/* PF is set when the low byte of the result has an even number of 1 bits. */
const uint8_t x86_parity_table[256] = {
#define P2(n) n, n ^ 1, n ^ 1, n
#define P4(n) P2(n), P2(n ^ 1), P2(n ^ 1), P2(n)
#define P6(n) P4(n), P4(n ^ 1), P4(n ^ 1), P4(n)
    P6(1), P6(0), P6(0), P6(1)
#undef P2
#undef P4
#undef P6
};

static int op_size(uint32_t op)
{
    return op == LF_NONE ? 2 : (int)((op - 1) % 3);
}

/* The operation family without its size. */
enum { FAM_ADD, FAM_ADC, FAM_SUB, FAM_SBB, FAM_LOGIC, FAM_INC, FAM_DEC };
static int op_family(uint32_t op) { return (int)((op - 1) / 3); }

int x86_cf(const struct x86_cpu *c)
{
    const struct x86_lazy_flags *l = &c->lf;
    if (l->op == LF_NONE)
        return (c->eflags & X86_CF) != 0;
    uint32_t m = size_mask(op_size(l->op));
    uint32_t a = l->a & m, b = l->b & m, r = l->res & m;
    switch (op_family(l->op)) {
    case FAM_ADD: return r < a;
    case FAM_ADC: return l->carry ? r <= a : r < a;
    case FAM_SUB: return a < b;
    case FAM_SBB: return l->carry ? a <= b : a < b;
    case FAM_LOGIC: return 0;
    default: return l->carry != 0;     /* INC/DEC keep CF */
    }
}

int x86_zf(const struct x86_cpu *c)
{
    if (c->lf.op == LF_NONE)
        return (c->eflags & X86_ZF) != 0;
    return (c->lf.res & size_mask(op_size(c->lf.op))) == 0;
}

int x86_sf(const struct x86_cpu *c)
{
    if (c->lf.op == LF_NONE)
        return (c->eflags & X86_SF) != 0;
    return (c->lf.res & size_sign(op_size(c->lf.op))) != 0;
}

int x86_pf(const struct x86_cpu *c)
{
    if (c->lf.op == LF_NONE)
        return (c->eflags & X86_PF) != 0;
    return x86_parity_table[c->lf.res & 0xFF];
}

static int af(const struct x86_cpu *c)
{
    const struct x86_lazy_flags *l = &c->lf;
    if (op_family(l->op) == FAM_LOGIC)
        return 0;
    return ((l->a ^ l->b ^ l->res) & 0x10) != 0;
}

int x86_of(const struct x86_cpu *c)
{
    const struct x86_lazy_flags *l = &c->lf;
    if (l->op == LF_NONE)
        return (c->eflags & X86_OF) != 0;
    uint32_t sign = size_sign(op_size(l->op));
    switch (op_family(l->op)) {
    case FAM_ADD:
    case FAM_ADC: return ((l->a ^ l->res) & (l->b ^ l->res) & sign) != 0;
    case FAM_SUB:
    case FAM_SBB: return ((l->a ^ l->b) & (l->a ^ l->res) & sign) != 0;
    case FAM_LOGIC: return 0;
    case FAM_INC: return (l->res & size_mask(op_size(l->op))) == sign;
    default: return (l->res & size_mask(op_size(l->op))) == sign - 1;   /* DEC */
    }
}

uint32_t x86_flags_arith(const struct x86_cpu *c)
{
    if (c->lf.op == LF_NONE)
        return c->eflags & X86_ARITH_FLAGS;
    return (x86_cf(c) ? X86_CF : 0) | (x86_pf(c) ? X86_PF : 0) | (af(c) ? X86_AF : 0) |
           (x86_zf(c) ? X86_ZF : 0) | (x86_sf(c) ? X86_SF : 0) | (x86_of(c) ? X86_OF : 0);
}

/* Condition codes 0..15 in encoding order: O NO B AE E NE BE A S NS P NP L GE LE G. */
int x86_cond(const struct x86_cpu *c, int cc)
{
    int r;
    switch (cc >> 1) {
    case 0: r = x86_of(c); break;
    case 1: r = x86_cf(c); break;
    case 2: r = x86_zf(c); break;
    case 3: r = x86_cf(c) || x86_zf(c); break;
    case 4: r = x86_sf(c); break;
    case 5: r = x86_pf(c); break;
    case 6: r = x86_sf(c) != x86_of(c); break;
    default: r = x86_zf(c) || (x86_sf(c) != x86_of(c)); break;
    }
    return (cc & 1) ? !r : r;
}

uint32_t x86_get_flags(struct x86_cpu *c)
{
    uint32_t f = (c->eflags & ~X86_ARITH_FLAGS) | x86_flags_arith(c);
    /* Bits that read as constants (Intel SDM vol. 1, 3.4.3): bit 1 is 1 and
     * bits 3 and 5 are 0 everywhere; the 8086 reads bits 12..15 as 1, the
     * 286 in real mode as 0. */
    f = (f | 0x2u) & ~0x28u;
    if (c->model == X86_8086)
        f |= 0xF000u;
    else if (c->model == X86_286)
        f &= (c->cr0 & 1u) ? 0x7FFFu : 0x0FFFu;
    else
        f &= ~0x8000u;
    return f;
}

void x86_set_flags(struct x86_cpu *c, uint32_t flags)
{
    c->lf.op = LF_NONE;
    c->eflags = flags;
    c->eflags = x86_get_flags(c);
    if (c->eflags & (X86_TF | X86_IF))
        c->event |= X86_EV_TF | X86_EV_INTR;
}
