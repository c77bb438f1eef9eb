/*
 * Segment descriptors (Intel SDM vol. 3, 3.4.5 and 5.x): fetching them from
 * the GDT/LDT and reading their fields.  Shared by the segment-load,
 * far-transfer, interrupt and task-switch code.
 */
#ifndef TRAPEZE_CPU_X86_DESCRIPTOR_H
#define TRAPEZE_CPU_X86_DESCRIPTOR_H

#include "cpu/x86/internal.h"

struct x86_desc {
    uint32_t lo, hi;
};

/* Access-byte bits as kept in x86_seg.attr (bits 0..7), and flags. */
#define DESC_TYPE_MASK 0x0Fu
#define DESC_S 0x10u
#define DESC_P 0x80u
#define DESC_ACCESSED 0x01u
#define DESC_CODE 0x08u
#define DESC_RW 0x02u           /* data: writable; code: readable */
#define DESC_EXPDOWN_CONF 0x04u /* data: expand-down; code: conforming */

/* System descriptor types (S = 0). */
enum {
    SYS_TSS16_AVAIL = 1, SYS_LDT = 2, SYS_TSS16_BUSY = 3, SYS_CALL16 = 4, SYS_TASK = 5,
    SYS_INT16 = 6, SYS_TRAP16 = 7, SYS_TSS32_AVAIL = 9, SYS_TSS32_BUSY = 11, SYS_CALL32 = 12,
    SYS_INT32 = 14, SYS_TRAP32 = 15,
};

static inline uint32_t desc_base(const struct x86_desc *d)
{
    return (d->lo >> 16) | ((d->hi & 0xFFu) << 16) | (d->hi & 0xFF000000u);
}
static inline uint32_t desc_limit(const struct x86_desc *d)
{
    uint32_t lim = (d->lo & 0xFFFFu) | (d->hi & 0x000F0000u);
    return (d->hi & 0x00800000u) ? (lim << 12) | 0xFFFu : lim;
}
static inline uint32_t desc_attr(const struct x86_desc *d) { return (d->hi >> 8) & 0xF0FFu; }
static inline int desc_dpl(const struct x86_desc *d) { return (int)((d->hi >> 13) & 3); }
static inline int desc_present(const struct x86_desc *d) { return (d->hi & 0x8000u) != 0; }
static inline int desc_is_system(const struct x86_desc *d) { return !(d->hi & 0x1000u); }
static inline int desc_type(const struct x86_desc *d) { return (int)((d->hi >> 8) & 0xF); }
static inline int desc_is_code(const struct x86_desc *d) { return !desc_is_system(d) && (d->hi & 0x800u); }
static inline int desc_is_data(const struct x86_desc *d) { return !desc_is_system(d) && !(d->hi & 0x800u); }
static inline int desc_conforming(const struct x86_desc *d) { return desc_is_code(d) && (d->hi & 0x400u); }
static inline int desc_readable(const struct x86_desc *d) { return !desc_is_code(d) || (d->hi & 0x200u); }
static inline int desc_writable(const struct x86_desc *d) { return desc_is_data(d) && (d->hi & 0x200u); }

/* Gate fields. */
static inline uint16_t gate_selector(const struct x86_desc *d) { return (uint16_t)(d->lo >> 16); }
static inline uint32_t gate_offset(const struct x86_desc *d, int is32)
{
    return is32 ? (d->lo & 0xFFFFu) | (d->hi & 0xFFFF0000u) : (d->lo & 0xFFFFu);
}
static inline int gate_params(const struct x86_desc *d) { return (int)(d->hi & 0x1F); }

/* Fetch the descriptor for a selector from the GDT or LDT.  Returns 0, or
 * -1 when the selector lies beyond the table's limit (the caller raises the
 * fault its instruction calls for). */
int x86_desc_fetch(struct x86_cpu *c, uint16_t sel, struct x86_desc *d);
/* Set the accessed bit in the descriptor table, as the processor does. */
void x86_desc_set_accessed(struct x86_cpu *c, uint16_t sel, struct x86_desc *d);
/* Load a segment register's cache from a descriptor. */
void x86_seg_from_desc(struct x86_cpu *c, int seg, uint16_t sel, const struct x86_desc *d);
/* Load CS for a far transfer to `sel` (already checked) at privilege cpl. */
void x86_load_cs(struct x86_cpu *c, uint16_t sel, const struct x86_desc *d, int cpl);
/* Make a data segment register unusable (null selector in protected mode). */
void x86_seg_null(struct x86_cpu *c, int seg, uint16_t sel);
/* After a return to an outer privilege level: data segments the new CPL
 * may not use are nulled (Intel SDM vol. 2, RET/IRET). */
void x86_seg_validate_outer(struct x86_cpu *c);

/* Does [off, off+len) lie inside the segment (expand-down aware)? */
int x86_seg_offset_ok(const struct x86_seg *s, uint32_t off, uint32_t len);
/* Descriptor cache for a selector's descriptor, without loading it. */
static inline void desc_to_cache(const struct x86_desc *d, uint16_t sel, struct x86_seg *s)
{
    s->sel = sel;
    s->base = desc_base(d);
    s->limit = desc_limit(d);
    s->attr = desc_attr(d);
}

static inline int x86_protected(const struct x86_cpu *c) { return (c->cr0 & X86_CR0_PE) != 0; }
static inline int x86_v86(const struct x86_cpu *c) { return (c->eflags & X86_VM) != 0; }

#endif
