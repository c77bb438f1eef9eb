/*
 * The x87 instructions against the host's own x87, on an x86 host.
 *
 * Each case loads two random operands (normals, denormals, zeros,
 * infinities, NaNs, unnormals, pseudo-NaNs ...) and a random control word
 * into the host FPU and into an emulated 486/P6, runs the same instruction
 * bytes on both (memory operands are addressed as [EDI] on the host and
 * [BX] in the emulated real mode: the same ModR/M byte), and compares the
 * status word bits the instruction defines, the tag word, every register
 * and the memory operand.  FNSAVE captures the host's state without
 * waiting, so unmasked exceptions are compared too.
 *
 * The exact operations must agree bit for bit, with one exception: after
 * an unmasked invalid-operand compare the emulation leaves the condition
 * codes (and FCOMI's EFLAGS) alone, as Intel's manual says for FCOM and
 * FCOMI, where some hosts (AMD's) set them to "unordered"; those bits are
 * not compared then.  The transcendental ones
 * are compared within one unit in the last place, on arguments where the
 * host's 66-bit pi is still accurate (the emulation reduces with a longer
 * one).  On other hosts these checks are skipped.
 */
#include <stdio.h>
#include <string.h>

#include "cpu/x86/x87.h"
#include "tests/conformance/x87/ref.h"
#include "tests/testlib.h"
#include "tests/unit/x87_vm.h"

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)

struct host_io {
    uint8_t a[10], b[10];       /* ST(0) and ST(1) */
    uint16_t cw;
    uint8_t mem[16];            /* the memory operand */
    uint8_t save[108];          /* FNSAVE image, 32-bit protected-mode layout */
    uint8_t flags_in;           /* EFLAGS low byte before (SAHF), for FCMOVcc */
    uint8_t flags;              /* AH after LAHF: SF ZF AF PF CF */
};

#define HOST_FN(name, bytes)                                                                    \
    static void name(struct host_io *io)                                                        \
    {                                                                                           \
        __asm__ volatile("fninit\n\t"                                                           \
                         "fldcw %[cw]\n\t"                                                      \
                         "fldt %[b]\n\t"                                                        \
                         "fldt %[a]\n\t"                                                        \
                         "movb %[fin], %%ah\n\t"                                                \
                         "sahf\n\t"                                                             \
                         ".byte " bytes "\n\t"                                                  \
                         "lahf\n\t"                                                             \
                         "movb %%ah, %[fl]\n\t"                                                 \
                         "fnsave %[sv]\n\t"                                                     \
                         : [fl] "=m"(io->flags), [sv] "=m"(io->save)                            \
                         : [cw] "m"(io->cw), [a] "m"(io->a), [b] "m"(io->b), "D"(io->mem),      \
                           [fin] "m"(io->flags_in)                                              \
                         : "ax", "memory", "cc", "st", "st(1)", "st(2)", "st(3)", "st(4)",     \
                           "st(5)", "st(6)", "st(7)");                                          \
    }

/* Status word bits each kind of instruction defines. */
#define SW_BASE (0x3Fu | 0x40u | 0x80u | 0x8000u | 0x3800u | 0x0200u)
#define SW_CC 0x4700u

enum kind { K_EXACT, K_TRANS };

struct host_op {
    const char *name;
    void (*run)(struct host_io *io);
    uint8_t bytes[2];
    uint16_t sw_mask;
    uint8_t mem;            /* memory operand format + 1 (0: none) */
    uint8_t kind;
    uint8_t eflags;         /* compares ZF PF CF */
};

HOST_FN(h_fadd, "0xD8,0xC1") HOST_FN(h_fmul, "0xD8,0xC9") HOST_FN(h_fsub, "0xD8,0xE1")
HOST_FN(h_fsubr, "0xD8,0xE9") HOST_FN(h_fdiv, "0xD8,0xF1") HOST_FN(h_fdivr, "0xD8,0xF9")
HOST_FN(h_fsubp, "0xDE,0xE9") HOST_FN(h_fdivrp, "0xDE,0xF1") HOST_FN(h_faddp, "0xDE,0xC1")
HOST_FN(h_fsubr_st1, "0xDC,0xE1") HOST_FN(h_fdiv_st1, "0xDC,0xF9")
HOST_FN(h_fcom, "0xD8,0xD1") HOST_FN(h_fcomp, "0xD8,0xD9") HOST_FN(h_fucom, "0xDD,0xE1")
HOST_FN(h_fucompp, "0xDA,0xE9") HOST_FN(h_fcompp, "0xDE,0xD9") HOST_FN(h_ftst, "0xD9,0xE4")
HOST_FN(h_fxam, "0xD9,0xE5") HOST_FN(h_fcomi, "0xDB,0xF1") HOST_FN(h_fucomip, "0xDF,0xE9")
HOST_FN(h_fchs, "0xD9,0xE0") HOST_FN(h_fabs, "0xD9,0xE1") HOST_FN(h_fsqrt, "0xD9,0xFA")
HOST_FN(h_frndint, "0xD9,0xFC") HOST_FN(h_fscale, "0xD9,0xFD") HOST_FN(h_fxtract, "0xD9,0xF4")
HOST_FN(h_fprem, "0xD9,0xF8") HOST_FN(h_fprem1, "0xD9,0xF5") HOST_FN(h_fxch, "0xD9,0xC9")
HOST_FN(h_fld1, "0xD9,0xE8") HOST_FN(h_fldl2t, "0xD9,0xE9") HOST_FN(h_fldpi, "0xD9,0xEB")
HOST_FN(h_fldlg2, "0xD9,0xEC") HOST_FN(h_fldln2, "0xD9,0xED") HOST_FN(h_fldl2e, "0xD9,0xEA")
HOST_FN(h_fst_st2, "0xDD,0xD2") HOST_FN(h_fstp_st1, "0xDD,0xD9") HOST_FN(h_ffree, "0xDD,0xC0")
HOST_FN(h_fcmovb, "0xDA,0xC1") HOST_FN(h_fcmovnbe, "0xDB,0xD1")
HOST_FN(h_fadd_m32, "0xD8,0x07") HOST_FN(h_fmul_m64, "0xDC,0x0F") HOST_FN(h_fisub_m32, "0xDA,0x27")
HOST_FN(h_fidivr_m16, "0xDE,0x3F") HOST_FN(h_fcom_m32, "0xD8,0x17") HOST_FN(h_ficomp_m16, "0xDE,0x1F")
HOST_FN(h_fld_m32, "0xD9,0x07") HOST_FN(h_fld_m64, "0xDD,0x07") HOST_FN(h_fld_m80, "0xDB,0x2F")
HOST_FN(h_fild_m64, "0xDF,0x2F") HOST_FN(h_fbld, "0xDF,0x27") HOST_FN(h_fst_m32, "0xD9,0x17")
HOST_FN(h_fstp_m64, "0xDD,0x1F") HOST_FN(h_fstp_m80, "0xDB,0x3F") HOST_FN(h_fist_m16, "0xDF,0x17")
HOST_FN(h_fist_m32, "0xDB,0x17") HOST_FN(h_fistp_m64, "0xDF,0x3F") HOST_FN(h_fbstp, "0xDF,0x37")
HOST_FN(h_f2xm1, "0xD9,0xF0") HOST_FN(h_fyl2x, "0xD9,0xF1") HOST_FN(h_fpatan, "0xD9,0xF3")
HOST_FN(h_fyl2xp1, "0xD9,0xF9") HOST_FN(h_fsin, "0xD9,0xFE") HOST_FN(h_fcos, "0xD9,0xFF")
HOST_FN(h_fptan, "0xD9,0xF2") HOST_FN(h_fsincos, "0xD9,0xFB")

/* Memory formats, +1 (matching X87_M32 ... in x87_internal.h order). */
enum { M_NONE, M_F32, M_F64, M_F80, M_I16, M_I32, M_I64, M_BCD };

#define OP(n, b0, b1, sw, mem, kind, fl) { #n, h_##n, { b0, b1 }, sw, mem, kind, fl }
static const struct host_op ops[] = {
    OP(fadd, 0xD8, 0xC1, SW_BASE, 0, K_EXACT, 0), OP(fmul, 0xD8, 0xC9, SW_BASE, 0, K_EXACT, 0),
    OP(fsub, 0xD8, 0xE1, SW_BASE, 0, K_EXACT, 0), OP(fsubr, 0xD8, 0xE9, SW_BASE, 0, K_EXACT, 0),
    OP(fdiv, 0xD8, 0xF1, SW_BASE, 0, K_EXACT, 0), OP(fdivr, 0xD8, 0xF9, SW_BASE, 0, K_EXACT, 0),
    OP(fsubp, 0xDE, 0xE9, SW_BASE, 0, K_EXACT, 0), OP(fdivrp, 0xDE, 0xF1, SW_BASE, 0, K_EXACT, 0),
    OP(faddp, 0xDE, 0xC1, SW_BASE, 0, K_EXACT, 0), OP(fsubr_st1, 0xDC, 0xE1, SW_BASE, 0, K_EXACT, 0),
    OP(fdiv_st1, 0xDC, 0xF9, SW_BASE, 0, K_EXACT, 0),
    OP(fcom, 0xD8, 0xD1, SW_BASE | SW_CC, 0, K_EXACT, 0), OP(fcomp, 0xD8, 0xD9, SW_BASE | SW_CC, 0, K_EXACT, 0),
    OP(fucom, 0xDD, 0xE1, SW_BASE | SW_CC, 0, K_EXACT, 0), OP(fucompp, 0xDA, 0xE9, SW_BASE | SW_CC, 0, K_EXACT, 0),
    OP(fcompp, 0xDE, 0xD9, SW_BASE | SW_CC, 0, K_EXACT, 0), OP(ftst, 0xD9, 0xE4, SW_BASE | SW_CC, 0, K_EXACT, 0),
    OP(fxam, 0xD9, 0xE5, SW_BASE | SW_CC, 0, K_EXACT, 0), OP(fcomi, 0xDB, 0xF1, SW_BASE, 0, K_EXACT, 1),
    OP(fucomip, 0xDF, 0xE9, SW_BASE, 0, K_EXACT, 1),
    OP(fchs, 0xD9, 0xE0, SW_BASE, 0, K_EXACT, 0), OP(fabs, 0xD9, 0xE1, SW_BASE, 0, K_EXACT, 0),
    OP(fsqrt, 0xD9, 0xFA, SW_BASE, 0, K_EXACT, 0), OP(frndint, 0xD9, 0xFC, SW_BASE, 0, K_EXACT, 0),
    OP(fscale, 0xD9, 0xFD, SW_BASE, 0, K_EXACT, 0), OP(fxtract, 0xD9, 0xF4, SW_BASE, 0, K_EXACT, 0),
    OP(fprem, 0xD9, 0xF8, SW_BASE | SW_CC, 0, K_EXACT, 0), OP(fprem1, 0xD9, 0xF5, SW_BASE | SW_CC, 0, K_EXACT, 0),
    OP(fxch, 0xD9, 0xC9, SW_BASE, 0, K_EXACT, 0),
    OP(fld1, 0xD9, 0xE8, SW_BASE, 0, K_EXACT, 0), OP(fldl2t, 0xD9, 0xE9, SW_BASE, 0, K_EXACT, 0),
    OP(fldpi, 0xD9, 0xEB, SW_BASE, 0, K_EXACT, 0), OP(fldlg2, 0xD9, 0xEC, SW_BASE, 0, K_EXACT, 0),
    OP(fldln2, 0xD9, 0xED, SW_BASE, 0, K_EXACT, 0), OP(fldl2e, 0xD9, 0xEA, SW_BASE, 0, K_EXACT, 0),
    OP(fst_st2, 0xDD, 0xD2, SW_BASE, 0, K_EXACT, 0), OP(fstp_st1, 0xDD, 0xD9, SW_BASE, 0, K_EXACT, 0),
    OP(ffree, 0xDD, 0xC0, SW_BASE & ~0x200u, 0, K_EXACT, 0),
    OP(fcmovb, 0xDA, 0xC1, SW_BASE, 0, K_EXACT, 0), OP(fcmovnbe, 0xDB, 0xD1, SW_BASE, 0, K_EXACT, 0),
    OP(fadd_m32, 0xD8, 0x07, SW_BASE, M_F32, K_EXACT, 0), OP(fmul_m64, 0xDC, 0x0F, SW_BASE, M_F64, K_EXACT, 0),
    OP(fisub_m32, 0xDA, 0x27, SW_BASE, M_I32, K_EXACT, 0), OP(fidivr_m16, 0xDE, 0x3F, SW_BASE, M_I16, K_EXACT, 0),
    OP(fcom_m32, 0xD8, 0x17, SW_BASE | SW_CC, M_F32, K_EXACT, 0),
    OP(ficomp_m16, 0xDE, 0x1F, SW_BASE | SW_CC, M_I16, K_EXACT, 0),
    OP(fld_m32, 0xD9, 0x07, SW_BASE, M_F32, K_EXACT, 0), OP(fld_m64, 0xDD, 0x07, SW_BASE, M_F64, K_EXACT, 0),
    OP(fld_m80, 0xDB, 0x2F, SW_BASE, M_F80, K_EXACT, 0), OP(fild_m64, 0xDF, 0x2F, SW_BASE, M_I64, K_EXACT, 0),
    OP(fbld, 0xDF, 0x27, SW_BASE, M_BCD, K_EXACT, 0), OP(fst_m32, 0xD9, 0x17, SW_BASE, M_F32, K_EXACT, 0),
    OP(fstp_m64, 0xDD, 0x1F, SW_BASE, M_F64, K_EXACT, 0), OP(fstp_m80, 0xDB, 0x3F, SW_BASE, M_F80, K_EXACT, 0),
    OP(fist_m16, 0xDF, 0x17, SW_BASE, M_I16, K_EXACT, 0), OP(fist_m32, 0xDB, 0x17, SW_BASE, M_I32, K_EXACT, 0),
    OP(fistp_m64, 0xDF, 0x3F, SW_BASE, M_I64, K_EXACT, 0), OP(fbstp, 0xDF, 0x37, SW_BASE, M_BCD, K_EXACT, 0),
    OP(f2xm1, 0xD9, 0xF0, SW_BASE, 0, K_TRANS, 0), OP(fyl2x, 0xD9, 0xF1, SW_BASE, 0, K_TRANS, 0),
    OP(fpatan, 0xD9, 0xF3, SW_BASE, 0, K_TRANS, 0), OP(fyl2xp1, 0xD9, 0xF9, SW_BASE, 0, K_TRANS, 0),
    OP(fsin, 0xD9, 0xFE, SW_BASE | 0x400u, 0, K_TRANS, 0), OP(fcos, 0xD9, 0xFF, SW_BASE | 0x400u, 0, K_TRANS, 0),
    OP(fptan, 0xD9, 0xF2, SW_BASE | 0x400u, 0, K_TRANS, 0), OP(fsincos, 0xD9, 0xFB, SW_BASE | 0x400u, 0, K_TRANS, 0),
};
#define N_OPS (sizeof(ops) / sizeof(ops[0]))

static void put80(uint8_t *p, sf80 v)
{
    for (int k = 0; k < 8; k++)
        p[k] = (uint8_t)(v.sig >> (8 * k));
    p[8] = (uint8_t)v.se;
    p[9] = (uint8_t)(v.se >> 8);
}

static sf80 get80(const uint8_t *p)
{
    sf80 v = { 0, 0 };
    for (int k = 7; k >= 0; k--)
        v.sig = v.sig << 8 | p[k];
    v.se = (uint16_t)(p[8] | p[9] << 8);
    return v;
}

/* Operands for transcendental functions, in the ranges where the host is
 * accurate: Intel's domains, and |x| < pi/4 for the trigonometric ones. */
static void trans_operands(struct x87_rng *g, const struct host_op *op, sf80 *a, sf80 *b)
{
    *a = x87_rand_finite(g, -40, -1);
    *b = x87_rand_finite(g, -20, 20);
    if (op->bytes[1] == 0xF1)
        *a = sf80_abs(x87_rand_finite(g, -200, 200));
    if (op->bytes[1] == 0xF9)
        *a = x87_rand_finite(g, -40, -3);
    if (op->bytes[1] == 0xF3)
        *a = x87_rand_finite(g, -30, 30);
}

static void random_memory(struct x87_rng *g, int fmt, uint8_t mem[16])
{
    for (int k = 0; k < 16; k++)
        mem[k] = (uint8_t)x87_rng_next(g);
    sf80 v = x87_rand_any(g, 1);
    struct sf80_env e = { 0, SF80_PC_64, SF80_ALL, 0, 0 };
    if (fmt == M_F32 && x87_rng_below(g, 2)) {
        uint32_t f = sf80_to_f32(&e, v);
        memcpy(mem, &f, 4);
    } else if (fmt == M_F64 && x87_rng_below(g, 2)) {
        uint64_t d = sf80_to_f64(&e, v);
        for (int k = 0; k < 8; k++)
            mem[k] = (uint8_t)(d >> (8 * k));
    } else if (fmt == M_F80) {
        put80(mem, v);
    } else if (fmt == M_BCD) {
        for (int k = 0; k < 9; k++)
            mem[k] = (uint8_t)(x87_rng_below(g, 10) << 4 | x87_rng_below(g, 10));
        mem[9] &= 0x80;
    } else if (fmt == M_I16 || fmt == M_I32 || fmt == M_I64) {
        if (x87_rng_below(g, 2))
            for (int k = 1 + (int)x87_rng_below(g, 7); k < 8; k++)
                mem[k] = mem[7] & 0x80 ? 0xFF : 0;
    }
}

static uint16_t our_tag_word(const struct x87_state *f)
{
    uint16_t tw = 0;
    for (unsigned p = 0; p < 8; p++) {
        unsigned t = x87_tag(f, p) == X87_TAG_EMPTY ? X87_TAG_EMPTY : x87_tag_of(f->r[p]);
        tw |= (uint16_t)(t << (2 * p));
    }
    return tw;
}

/* Distance in units in the last place between two finite values of the
 * same sign and nearby exponents (large when they are far apart). */
static uint64_t ulps(sf80 a, sf80 b)
{
    if (sf80_same(a, b))
        return 0;
    if (sf80_sign(a) != sf80_sign(b) || sf80_is_nan(a) || sf80_is_nan(b))
        return ~0ull;
    uint32_t ea = sf80_exp(a), eb = sf80_exp(b);
    if (ea > eb + 1 || eb > ea + 1)
        return ~0ull;
    uint64_t ma = ea < eb ? a.sig >> 1 : a.sig, mb = eb < ea ? b.sig >> 1 : b.sig;
    return ma > mb ? ma - mb : mb - ma;
}

static int run_case(struct x87_vm *vm, const struct host_op *op, struct host_io *io, int verbose)
{
    struct x86_cpu *c = &vm->cpu;
    uint8_t mem_before[16];
    memcpy(mem_before, io->mem, 16);
    op->run(io);

    x87_reset(c);
    c->fpu.cw = io->cw;
    c->fpu.sw = 0x3000;                         /* TOP = 6: ST(0) = R6, ST(1) = R7 */
    c->fpu.tw = 0x0FFF;
    c->fpu.r[7] = get80(io->b);
    c->fpu.r[6] = get80(io->a);
    c->fpu.tw = (uint16_t)(0x0FFF | x87_tag_of(c->fpu.r[7]) << 14 | x87_tag_of(c->fpu.r[6]) << 12);
    x86_set_flags(c, 0x2u | (io->flags_in & 0xD5u));
    physmem_copy_to(&vm->mem, X87_VM_DATA, mem_before, 16);
    int vec = x87_vm_exec(vm, op->bytes, 2);

    const uint8_t *s = io->save;
    uint16_t hsw = (uint16_t)(s[4] | s[5] << 8), htw = (uint16_t)(s[8] | s[9] << 8);
    uint16_t osw = c->fpu.sw, otw = our_tag_word(&c->fpu);
    uint16_t mask = op->sw_mask;
    if (op->kind == K_TRANS)
        mask &= (uint16_t)~0x220u;     /* PE and C1: the last bit may differ */
    if ((hsw & 0x81) == 0x81 && !(io->cw & 1))
        mask &= (uint16_t)~SW_CC;      /* see the note on unmasked invalid compares */
    int ok = vec < 0 && (hsw & mask) == (osw & mask) && htw == otw;
    uint8_t omem[16];
    physmem_copy_from(&vm->mem, X87_VM_DATA, omem, 16);
    if (memcmp(omem, io->mem, 16) != 0)
        ok = 0;
    if (op->eflags && !((hsw & 1) && !(io->cw & 1))) {
        uint32_t fl = x86_get_flags(c);
        uint8_t of = (uint8_t)(((fl & X86_ZF) ? 0x40 : 0) | ((fl & X86_PF) ? 4 : 0) | ((fl & X86_CF) ? 1 : 0));
        if ((io->flags & 0x45) != of)
            ok = 0;
    }
    for (unsigned k = 0; k < 8; k++) {
        unsigned phys = (x87_top(&c->fpu) + k) & 7;
        if (x87_tag(&c->fpu, phys) == X87_TAG_EMPTY)
            continue;
        sf80 h = get80(s + 28 + 10 * k), o = c->fpu.r[phys];
        if (op->kind == K_TRANS ? ulps(h, o) > 1 : !sf80_same(h, o))
            ok = 0;
    }
    if (!ok && verbose) {
        sf80 a = get80(io->a), b = get80(io->b);
        fprintf(stderr, "host %-10s cw %04x a %04x:%016llx b %04x:%016llx: sw %04x/%04x tw %04x/%04x vec %d\n",
                op->name, io->cw, a.se, (unsigned long long)a.sig, b.se, (unsigned long long)b.sig, hsw, osw,
                htw, otw, vec);
        for (unsigned k = 0; k < 2; k++) {
            sf80 h = get80(s + 28 + 10 * k), o = x87_st(&c->fpu, k);
            fprintf(stderr, "    st%u host %04x:%016llx ours %04x:%016llx\n", k, h.se, (unsigned long long)h.sig,
                    o.se, (unsigned long long)o.sig);
        }
        if (op->mem)
            fprintf(stderr, "    mem host %02x%02x%02x%02x%02x%02x%02x%02x ours %02x%02x%02x%02x%02x%02x%02x%02x\n",
                    io->mem[7], io->mem[6], io->mem[5], io->mem[4], io->mem[3], io->mem[2], io->mem[1], io->mem[0],
                    omem[7], omem[6], omem[5], omem[4], omem[3], omem[2], omem[1], omem[0]);
    }
    return ok;
}

void x87_ref_host(const struct x87_ref_opts *o, unsigned *skipped)
{
    (void)skipped;
    struct x87_vm vm;
    if (x87_vm_init(&vm, X86_P6) < 0) {
        CHECK(0);
        return;
    }
    struct x87_rng g = { o->seed ^ 0x4057ull };
    for (size_t n = 0; n < N_OPS; n++) {
        const struct host_op *op = &ops[n];
        unsigned bad = 0;
        long cases = op->kind == K_TRANS ? o->cases / 4 : o->cases;
        for (long k = 0; k < cases; k++) {
            struct host_io io;
            memset(&io, 0, sizeof(io));
            sf80 a = x87_rand_any(&g, 1), b = x87_rand_any(&g, 1);
            if (op->kind == K_TRANS)
                trans_operands(&g, op, &a, &b);
            else if (x87_rng_below(&g, 4) == 0)
                b = x87_rand_finite(&g, (int)sf80_exp(a) - SF80_BIAS - 70, (int)sf80_exp(a) - SF80_BIAS + 70);
            put80(io.a, a);
            put80(io.b, b);
            io.cw = (uint16_t)(0x0040 | (x87_rng_below(&g, 4) << 10) | ((x87_rng_below(&g, 3) + 1) << 8));
            if ((io.cw & 0x300) == 0x100)
                io.cw &= (uint16_t)~0x300u;
            io.cw |= x87_rng_below(&g, 4) ? 0x3F : (uint16_t)x87_rng_below(&g, 64);
            if (op->kind == K_TRANS)
                io.cw = (uint16_t)((io.cw & ~0xC00u) | 0x3F);
            random_memory(&g, op->mem, io.mem);
            io.flags_in = (uint8_t)(x87_rng_next(&g) & 0xD5);
            int ok = run_case(&vm, op, &io, o->verbose || bad < 3);
            if (!ok)
                bad++;
            CHECK(ok);
        }
        printf("host %-10s %ld cases, %u differ\n", op->name, cases, bad);
    }
    x87_vm_destroy(&vm);
}

#else

void x87_ref_host(const struct x87_ref_opts *o, unsigned *skipped)
{
    (void)o;
    printf("host x87: not an x86 host, comparisons skipped\n");
    *skipped += 1;
}

#endif
