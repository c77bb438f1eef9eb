/*
 * The x86 CPU: public interface.
 *
 * The CPU knows memory (memory/physmem.h) and the interfaces it is handed
 * in struct x86_bus: port I/O, interrupt acknowledge and the clock.  It
 * never knows a device.
 */
#ifndef TRAPEZE_CPU_X86_CPU_H
#define TRAPEZE_CPU_X86_CPU_H

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>

#include "bus/clock.h"
#include "memory/physmem.h"
#include "cpu/x86/x87.h"

enum x86_model {
    X86_8086,
    X86_286,
    X86_386,
    X86_486,
    X86_PENTIUM,
    X86_P6,
};

/* Returns 0 and sets *m for "8086", "286", "386", "486", "pentium", "p6". */
int x86_model_parse(const char *name, enum x86_model *m);
const char *x86_model_name(enum x86_model m);

/* General registers, in encoding order. */
enum { X86_EAX, X86_ECX, X86_EDX, X86_EBX, X86_ESP, X86_EBP, X86_ESI, X86_EDI };
/* Segment registers, in encoding order. */
enum { X86_ES, X86_CS, X86_SS, X86_DS, X86_FS, X86_GS, X86_NSEG };

/* EFLAGS bits. */
#define X86_CF 0x0001u
#define X86_PF 0x0004u
#define X86_AF 0x0010u
#define X86_ZF 0x0040u
#define X86_SF 0x0080u
#define X86_TF 0x0100u
#define X86_IF 0x0200u
#define X86_DF 0x0400u
#define X86_OF 0x0800u
#define X86_IOPL 0x3000u
#define X86_NT 0x4000u
#define X86_RF 0x10000u
#define X86_VM 0x20000u
#define X86_AC 0x40000u
#define X86_ID 0x200000u
#define X86_ARITH_FLAGS (X86_CF | X86_PF | X86_AF | X86_ZF | X86_SF | X86_OF)

/* Control-register bits. */
#define X86_CR0_PE 0x00000001u
#define X86_CR0_MP 0x00000002u
#define X86_CR0_EM 0x00000004u
#define X86_CR0_TS 0x00000008u
#define X86_CR0_ET 0x00000010u
#define X86_CR0_NE 0x00000020u
#define X86_CR0_WP 0x00010000u
#define X86_CR0_AM 0x00040000u
#define X86_CR0_NW 0x20000000u
#define X86_CR0_CD 0x40000000u
#define X86_CR0_PG 0x80000000u
#define X86_CR4_VME 0x001u
#define X86_CR4_PVI 0x002u
#define X86_CR4_TSD 0x004u
#define X86_CR4_DE 0x008u
#define X86_CR4_PSE 0x010u
#define X86_CR4_PAE 0x020u
#define X86_CR4_MCE 0x040u
#define X86_CR4_PGE 0x080u

/* Exception vectors. */
enum {
    X86_EXC_DE = 0, X86_EXC_DB = 1, X86_EXC_NMI = 2, X86_EXC_BP = 3, X86_EXC_OF = 4,
    X86_EXC_BR = 5, X86_EXC_UD = 6, X86_EXC_NM = 7, X86_EXC_DF = 8, X86_EXC_TS = 10,
    X86_EXC_NP = 11, X86_EXC_SS = 12, X86_EXC_GP = 13, X86_EXC_PF = 14, X86_EXC_MF = 16,
};

/* A segment register: the visible selector and the hidden descriptor cache
 * (loaded from the selector in real mode, from a descriptor in protected
 * mode; the cache is what addressing uses). */
struct x86_seg {
    uint16_t sel;
    uint32_t base;
    uint32_t limit;     /* byte granular, already scaled */
    uint32_t attr;      /* descriptor access byte and flags (D/B, G), see X86_SEG_* */
    /* Valid offset ranges derived from limit and type, for the one-compare
     * check on every access: reads need rlo <= off && off+size-1 <= rhi,
     * writes the same with wlo/whi.  An empty range (lo > hi) sends every
     * access to the slow path, which raises the precise fault. */
    uint32_t rlo, rhi, wlo, whi;
};
#define X86_SEG_BIG 0x4000u     /* D/B bit: 32-bit default size */

/* What the board hands the CPU. */
struct x86_bus {
    struct physmem *mem;
    struct clock *clock;
    void *opaque;
    uint32_t (*io_read)(void *opaque, uint16_t port, int size);
    void (*io_write)(void *opaque, uint16_t port, uint32_t value, int size);
    /* Interrupt acknowledge: the controller returns the vector for INTR. */
    uint8_t (*intr_ack)(void *opaque);
    /* SMIACT#: the CPU entered (1) or left (0) system management mode. */
    void (*smm_changed)(void *opaque, int in_smm);
    /* Cycles a port access stalls the CPU: an ISA bus cycle takes about a
     * microsecond whatever the processor's clock, which is what makes
     * firmware's I/O-port delay loops last as long as they should. */
    uint32_t io_cycles;
};

/* Lazy flags: the last flag-setting operation and its operands.  The
 * arithmetic flags are computed only when something reads them. */
struct x86_lazy_flags {
    uint32_t op;        /* enum x86_flag_op (internal) */
    uint32_t res;
    uint32_t a, b;
    uint32_t carry;     /* for ops that need an extra bit (ADC/SBB/shifts) */
};

struct x86_insn;
struct x86_code_cache;
struct x86_tlb;

/* Reasons x86_run() returned. */
enum x86_stop {
    X86_STOP_BUDGET,    /* the clock reached the deadline */
    X86_STOP_HALT,      /* HLT with interrupts unable to wake it (or stop_on_hlt) */
    X86_STOP_SHUTDOWN,  /* triple fault (the board resets) */
    X86_STOP_REQUEST,   /* x86_request_stop() */
};

/* Observers: the CPU reports through these when they are set.  Nothing is
 * called (one predictable branch) when they are NULL. */
/* Classes of sensitive instructions (Popek and Goldberg): the ones a
 * virtual machine monitor must see.  Counted always; reported to the
 * observer when one is attached. */
enum x86_sensitive {
    X86_SENS_IO,        /* IN, OUT, INS, OUTS */
    X86_SENS_HLT,
    X86_SENS_IF,        /* CLI, STI */
    X86_SENS_FLAGS,     /* PUSHF, POPF, IRET */
    X86_SENS_DESC,      /* LGDT LIDT SGDT SIDT LLDT LTR SLDT STR */
    X86_SENS_CR,        /* MOV CRn/DRn, LMSW, SMSW, CLTS, INVLPG */
    X86_SENS_SEG,       /* segment register loads, LAR LSL VERR VERW ARPL */
    X86_SENS_FAR,       /* far CALL/JMP/RET, INT n */
    X86_SENS_COUNT
};

struct x86_cpu;
struct x86_observer {
    void *opaque;
    void (*insn)(void *opaque, const struct x86_cpu *cpu);
    void (*sensitive)(void *opaque, const struct x86_cpu *cpu, int kind);
    void (*exception)(void *opaque, int vector, int has_error, uint32_t error, int is_interrupt);
};

struct x86_cpu {
    /* Architectural state. */
    uint32_t gpr[9];            /* gpr[8] is always 0: "no register" in EA sums */
    uint32_t eip;
    uint32_t eflags;            /* arithmetic bits here are stale; see x86_get_flags */
    struct x86_lazy_flags lf;
    struct x86_seg seg[X86_NSEG];
    struct x86_seg ldtr, tr;    /* system segment registers: selector + cache */
    uint32_t cr0, cr2, cr3, cr4;
    uint64_t pdpte[4];          /* PAE: loaded from CR3 when it is written */
    uint32_t dr[8];
    struct { uint32_t base; uint16_t limit; } gdtr, idtr;
    int cpl;
    /* Model-specific registers. */
    uint32_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t tsc_offset;        /* TSC = clock cycles + offset */
    uint32_t smbase;            /* system management mode */
    int in_smm, smi_pending;
    char vendor[13];            /* CPUID vendor string */

    /* Model. */
    enum x86_model model;
    uint32_t addr_mask;         /* address bus: 20, 24 or 32 bits */

    /* Execution state. */
    int halted;
    uint32_t event;             /* X86_EV_*: something needs the slow path */
    int intr_line;              /* INTR pin level */
    int nmi_pending;
    int nmi_blocked;            /* inside an NMI handler until IRET */
    int inhibit_irq;            /* one-instruction shadow after MOV SS / POP SS / STI */
    int ss_shadow;              /* ...after MOV SS / POP SS, which also holds off #DB */
    int stop_requested;
    int stop_on_hlt;            /* return from x86_run at HLT (tests) */
    int shutdown;
    uint32_t insn_eip;          /* EIP of the instruction being executed */
    cycles_t deadline;          /* x86_run's deadline: REP loops yield at it */
    int fault_is_trap;          /* the fault being raised returns after the instruction */
    int rep_yielded;            /* a REP instruction stopped between iterations */
    int pending_debug_trap;     /* #DB owed after the instruction (TSS T bit) */
    int fault_vector, fault_has_error;
    uint32_t fault_error;
    uint64_t sensitive_count[X86_SENS_COUNT];
    int delivering;             /* exception being delivered, -1 none (double faults) */
    uint64_t insns_retired;
    jmp_buf fault_jmp;          /* exceptions unwind here */

    struct x86_bus bus;
    struct x86_code_cache *code;
    struct x86_tlb *tlb;

    /* Trace: one line per instruction to this stream when non-NULL. */
    FILE *trace;
    struct x86_observer observer;

    /* The x87 FPU (386 and later models), and its FERR# output for
     * MS-DOS compatibility error reporting (CR0.NE = 0): the board routes
     * it to IRQ13.  Called on every level change; may be NULL. */
    struct x87_state fpu;
    void (*ferr)(void *opaque, int level);
    void *ferr_opaque;
};

/* Returns 0, or -1 when memory for the caches cannot be had. */
int x86_init(struct x86_cpu *cpu, enum x86_model model, const struct x86_bus *bus);
void x86_destroy(struct x86_cpu *cpu);
/* RESET#: CS:IP = F000:FFF0 (base FFFF0000 on the 286+ as real silicon). */
void x86_reset(struct x86_cpu *cpu);

/* Run until the clock reaches `deadline` (or another stop reason). */
enum x86_stop x86_run(struct x86_cpu *cpu, cycles_t deadline);
/* Execute exactly one instruction (a REP string instruction runs to its
 * end), including any exception or interrupt it raises. */
enum x86_stop x86_step(struct x86_cpu *cpu);
void x86_request_stop(struct x86_cpu *cpu);

/* Pins. */
void x86_set_intr(struct x86_cpu *cpu, int level);
void x86_nmi(struct x86_cpu *cpu);
void x86_smi(struct x86_cpu *cpu);

/* State access for boards, debuggers and tests. */
uint32_t x86_get_flags(struct x86_cpu *cpu);
void x86_set_flags(struct x86_cpu *cpu, uint32_t flags);
/* Load a segment register as real mode does: base = sel * 16, limit 64 KiB. */
void x86_load_seg_real(struct x86_cpu *cpu, int seg, uint16_t sel);
/* Drop every decoded instruction and TLB entry (after bulk memory changes). */
void x86_flush_caches(struct x86_cpu *cpu);

#endif
