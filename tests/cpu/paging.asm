; paging.asm -- the page walk, its bits, its faults and the TLB.
;
;   1. two-level paging with 4 KiB pages; accessed and dirty bits as the
;      processor writes them
;   2. 4 MiB pages (CR4.PSE)
;   3. CR0.WP, U/S and R/W at CPL 0 and CPL 3: #PF error codes and CR2
;   4. the TLB: global pages survive a CR3 reload (CR4.PGE), others are
;      walked again; INVLPG; CR4.PGE changes flush everything
;   5. PAE (CR4.PAE): PDPT, 2 MiB and 4 KiB pages with 8-byte entries, the
;      PDPTEs loaded by MOV CR3, reserved bits
;
; References are to the Intel SDM, volume 3, chapter 4 (paging).

%include "harness.inc"

NP_LDT  equ 0x48        ; an LDT in a not-present page

align 8
prog_gdt:
        DESC 0x404000, 0xFFF, 0x82, 0x0         ; 48h LDT at LIN_NP (not present)
prog_gdt_end:

; Page-table entry bits (SDM vol. 3, 4.3, tables 4-5 and 4-6).
PG_P    equ 0x001
PG_RW   equ 0x002
PG_US   equ 0x004
PG_A    equ 0x020
PG_D    equ 0x040
PG_PS   equ 0x080
PG_G    equ 0x100

; #PF error code bits (SDM vol. 3, 4.7, figure 4-12).
PF_P    equ 1           ; 1: protection violation; 0: not present
PF_W    equ 2           ; a write
PF_U    equ 4           ; at CPL 3
PF_RSVD equ 8           ; a reserved bit was set

CR0_PG  equ 0x80000000
CR0_WP  equ 0x00010000
CR4_PSE equ 0x10
CR4_PAE equ 0x20
CR4_PGE equ 0x80

PD      equ 0x100000    ; 32-bit paging: page directory
PT0     equ 0x101000    ;   identity map of 0-4 MiB
PT1     equ 0x102000    ;   linear 400000h-7FFFFFh, test pages
TEST_LIN equ 0x400000   ; PT1[n] maps TEST_LIN + n * 4 KiB

; Physical pages with known contents.
PHYS_A  equ 0x200000
PHYS_RO equ 0x201000
PHYS_SUP equ 0x202000
PHYS_USER equ 0x205000
MARK1   equ 0x210000    ; holds 61000001h
MARK2   equ 0x211000    ;       61000002h
MARK3   equ 0x212000    ;       62000001h
MARK4   equ 0x213000    ;       62000002h
BIG_PHYS equ 0xC00000   ; a 4 MiB-aligned frame
BIG_PHYS2 equ 0x1400000 ; another

; Test pages (linear).
LIN_A   equ TEST_LIN + 0x0000  ; -> PHYS_A, read/write, user
LIN_RO  equ TEST_LIN + 0x1000  ; -> PHYS_RO, read-only, user
LIN_SUP equ TEST_LIN + 0x2000  ; -> PHYS_SUP, read/write, supervisor
LIN_NP  equ TEST_LIN + 0x4000  ; not present
LIN_USER equ TEST_LIN + 0x5000 ; -> PHYS_USER, read/write, user; 6000h not present
LIN_G   equ TEST_LIN + 0x8000  ; global
LIN_NG  equ TEST_LIN + 0x9000  ; not global
LIN_INV equ TEST_LIN + 0xA000
BIG_LIN equ 0x800000   ; PD[2]: a 4 MiB page -> BIG_PHYS
BIG_ALIAS equ 0xC00000 ; PD[3]: a 4 MiB page -> BIG_PHYS too

%define PTE(lin) dword [PT1 + (((lin) - TEST_LIN) >> 12) * 4]

main:
        call build_tables
        call test_enable
        call test_accessed_dirty
        call test_big_pages
        call test_write_protect
        call test_supervisor_faults
        mov eax, user_faults
        call run_user
        call test_pde_rights
        call test_global_pages
        call test_invlpg
        call test_exception_classes
        call paging_off
        call test_pae
        ret

build_tables:
        mov edi, PD
        mov ecx, 3 * 1024
        xor eax, eax
        rep stosd
        mov edi, PT0                    ; identity map 0-4 MiB, user read/write
        mov eax, PG_P | PG_RW | PG_US
        mov ecx, 1024
.id:    stosd
        add eax, 0x1000
        loop .id
        mov dword [PD + 0 * 4], PT0 | PG_P | PG_RW | PG_US
        mov dword [PD + 1 * 4], PT1 | PG_P | PG_RW | PG_US
        mov dword [PD + 2 * 4], BIG_PHYS | PG_PS | PG_P | PG_RW | PG_US
        mov dword [PD + 3 * 4], BIG_PHYS | PG_PS | PG_P | PG_RW | PG_US
        mov dword [PD + 5 * 4], BIG_PHYS2 | PG_PS | PG_P | PG_RW        ; identity
        mov PTE(LIN_A), PHYS_A | PG_P | PG_RW | PG_US
        mov PTE(LIN_RO), PHYS_RO | PG_P | PG_US
        mov PTE(LIN_SUP), PHYS_SUP | PG_P | PG_RW
        mov PTE(LIN_USER), PHYS_USER | PG_P | PG_RW | PG_US
        mov PTE(LIN_G), MARK1 | PG_G | PG_P | PG_RW
        mov PTE(LIN_NG), MARK2 | PG_P | PG_RW
        mov PTE(LIN_INV), MARK1 | PG_P | PG_RW
        mov dword [MARK1], 0x61000001
        mov dword [MARK2], 0x61000002
        mov dword [MARK3], 0x62000001
        mov dword [MARK4], 0x62000002
        ret

; ---------------------------------------------------------------------
; 1. Turning paging on: CR3 = page directory, CR4.PSE for 4 MiB pages,
; then CR0.PG.  The identity map keeps this code where it is (SDM vol. 3,
; 9.9.1).

test_enable:
        mov eax, PD
        mov cr3, eax
        mov eax, cr4
        or eax, CR4_PSE
        mov cr4, eax
        mov eax, cr0
        or eax, CR0_PG
        mov cr0, eax
        jmp .paged                      ; (a jump after MOV CR0, as the SDM advises)
.paged:
        mov eax, cr0
        and eax, CR0_PG
        CHECK_EQ eax, CR0_PG, "paging on, running through the identity map"
        mov eax, cr3
        CHECK_EQ eax, PD, "CR3 reads back"
        ret

test_accessed_dirty:
        ; A read sets A in the PDE and PTE; a write also sets D in the PTE;
        ; D in a PDE that points to a page table is left alone (SDM vol. 3,
        ; 4.8 and table 4-5).
        mov eax, [LIN_A]
        mov eax, PTE(LIN_A)
        and eax, PG_A | PG_D
        CHECK_EQ eax, PG_A, "read: PTE accessed, not dirty"
        mov eax, [PD + 4]
        and eax, PG_A
        CHECK_EQ eax, PG_A, "read: PDE accessed"
        mov dword [LIN_A + 8], 0xD1D1D1D1
        mov eax, PTE(LIN_A)
        and eax, PG_A | PG_D
        CHECK_EQ eax, PG_A | PG_D, "write: PTE dirty"
        mov eax, [PD + 4]
        and eax, PG_D
        CHECK_EQ eax, 0, "write: D not set in a PDE that maps a page table"
        CHECK_EQ [PHYS_A + 8], 0xD1D1D1D1, "the write reached the mapped frame"
        ret

; ---------------------------------------------------------------------
; 2. 4 MiB pages: PDE.PS with CR4.PSE maps 4 MiB directly; its A and D
; bits live in the PDE (SDM vol. 3, 4.3, table 4-4).

test_big_pages:
        mov dword [BIG_LIN + 0x123450], 0x4D4D4D4D
        CHECK_EQ [BIG_ALIAS + 0x123450], 0x4D4D4D4D, "4 MiB page: two directory entries, one frame"
        mov eax, [PD + 2 * 4]
        and eax, PG_A | PG_D
        CHECK_EQ eax, PG_A | PG_D, "4 MiB page: write sets A and D in the PDE"
        mov eax, [PD + 3 * 4]
        and eax, PG_A | PG_D
        CHECK_EQ eax, PG_A, "4 MiB page: read sets A only"
        ; INVLPG of any address in a large page drops the whole page's
        ; translation (SDM vol. 2, INVLPG; vol. 3, 4.10.2.3 and 4.10.4.1).
        mov dword [BIG_PHYS + 0x2000], 0xB1000000
        mov dword [BIG_PHYS2 + 0x2000], 0xB2000000
        mov eax, [BIG_LIN + 0x1000]     ; two 4 KiB pieces of it used
        mov eax, [BIG_LIN + 0x2000]
        mov dword [PD + 2 * 4], BIG_PHYS2 | PG_PS | PG_P | PG_RW | PG_US
        invlpg [BIG_LIN]                ; the first 4 KiB of the 4 MiB page
        CHECK_EQ [BIG_LIN + 0x2000], 0xB2000000, "INVLPG in a 4 MiB page flushes all of it"
        mov dword [PD + 2 * 4], BIG_PHYS | PG_PS | PG_P | PG_RW | PG_US
        invlpg [BIG_LIN]
        ; Without PSE-36 (CPUID.1:EDX bit 17) a 4 MiB PDE has bits 21:13
        ; reserved; with it, bits 21:17 (for 36 physical address bits).
        ; Bit 21 set is #PF with RSVD (SDM vol. 3, 4.3 table 4-4, and 4.7).
        mov dword [PD + 4 * 4], 0x1000000 | 0x200000 | PG_PS | PG_P | PG_RW
        TRY mov eax, [0x1000000]
        CHECK_FAULT X_PF, PF_P | PF_RSVD, "4 MiB PDE with reserved bit 21 set: #PF(P|RSVD)"
        mov dword [PD + 4 * 4], 0
        ret

; ---------------------------------------------------------------------
; 3. Protection.  CR0.WP=0 lets CPL 0 write read-only pages; WP=1 does
; not (SDM vol. 3, 4.6.1).

test_write_protect:
        TRY mov dword [LIN_RO], 0x57575757
        CHECK_NO_FAULT "WP=0: supervisor write to a read-only page"
        mov eax, cr0
        or eax, CR0_WP
        mov cr0, eax
        invlpg [LIN_RO]
        TRY mov dword [LIN_RO + 4], 0x57575757
        CHECK_FAULT X_PF, PF_P | PF_W, "WP=1: supervisor write to a read-only page: #PF(P|W)"
        CHECK_EQ [exc_cr2], LIN_RO + 4, "WP=1: CR2 = the faulting linear address"
        ret

test_supervisor_faults:
        TRY mov eax, [LIN_NP + 0x10]
        CHECK_FAULT X_PF, 0, "supervisor read, not present: #PF(0)"
        CHECK_EQ [exc_cr2], LIN_NP + 0x10, "not present: CR2"
        TRY mov dword [LIN_NP + 0x20], 0
        CHECK_FAULT X_PF, PF_W, "supervisor write, not present: #PF(W)"
        CHECK_EQ [exc_cr2], LIN_NP + 0x20, "not present write: CR2"
        TRY mov eax, [LIN_SUP]
        CHECK_NO_FAULT "supervisor read of a supervisor page"
        ; An instruction fetch from a not-present page faults at the target:
        ; the pushed EIP and CR2 are the page's address.
        TRY jmp LIN_NP
        CHECK_EQ [exc_vector], X_PF, "fetch from a not-present page: #PF"
        CHECK_EQ [exc_error], 0, "fetch from a not-present page: error code 0"
        CHECK_EQ [exc_eip], LIN_NP, "fetch from a not-present page: EIP = target"
        CHECK_EQ [exc_cr2], LIN_NP, "fetch from a not-present page: CR2 = target"
        ; A write that crosses into a not-present page faults with nothing
        ; written, CR2 in the second page (SDM vol. 3, 6.5: faults are
        ; restartable).
        mov dword [LIN_USER + 0xFFC], 0
        TRY mov dword [LIN_USER + 0xFFE], 0xFFFFFFFF
        CHECK_FAULT X_PF, PF_W, "write across into a not-present page: #PF(W)"
        CHECK_EQ [exc_cr2], LIN_USER + 0x1000, "page-crossing write: CR2 in the second page"
        CHECK_EQ [LIN_USER + 0xFFC], 0, "page-crossing write: first page untouched"
        ret

; CPL 3: U/S=0 pages are out of reach; R/W=0 pages are read-only whatever
; WP is; the U bit joins the error code (SDM vol. 3, 4.6.1).
user_faults:
        TRY mov eax, [LIN_SUP]
        CHECK_FAULT X_PF, PF_P | PF_U, "user read of a supervisor page: #PF(P|U)"
        CHECK_EQ [exc_cr2], LIN_SUP, "user read of a supervisor page: CR2"
        TRY mov dword [LIN_SUP + 8], 1
        CHECK_FAULT X_PF, PF_P | PF_W | PF_U, "user write of a supervisor page: #PF(P|W|U)"
        TRY mov eax, [LIN_RO]
        CHECK_NO_FAULT "user read of a read-only user page"
        TRY mov dword [LIN_RO], 1
        CHECK_FAULT X_PF, PF_P | PF_W | PF_U, "user write of a read-only page: #PF(P|W|U)"
        TRY mov eax, [LIN_NP]
        CHECK_FAULT X_PF, PF_U, "user read, not present: #PF(U)"
        TRY mov dword [LIN_NP + 0xFFC], 1
        CHECK_FAULT X_PF, PF_W | PF_U, "user write, not present: #PF(W|U)"
        CHECK_EQ [exc_cr2], LIN_NP + 0xFFC, "user write, not present: CR2"
        TRY mov dword [LIN_USER], 0x05E05E05
        CHECK_NO_FAULT "user write of a user read/write page"
        TRY invlpg [LIN_USER]
        CHECK_FAULT X_GP, 0, "INVLPG at CPL 3: #GP(0)"
        TRY mov eax, cr3
        CHECK_FAULT X_GP, 0, "MOV from CR3 at CPL 3: #GP(0)"
        USER_EXIT

; The rights of a 4 KiB page combine the PDE's and the PTE's: both must
; allow (SDM vol. 3, 4.6.1).
test_pde_rights:
        and dword [PD + 4], ~PG_US      ; PT1's PDE: supervisor only
        invlpg [LIN_USER]
        mov eax, user_pde_supervisor
        call run_user
        or dword [PD + 4], PG_US
        and dword [PD + 4], ~PG_RW      ; PT1's PDE: read-only
        invlpg [LIN_USER]
        mov eax, user_pde_readonly
        call run_user
        TRY mov dword [LIN_USER], 1
        CHECK_FAULT X_PF, PF_P | PF_W, "WP=1, PDE read-only: supervisor write #PF(P|W)"
        mov eax, cr0
        and eax, ~CR0_WP
        mov cr0, eax
        invlpg [LIN_USER]
        TRY mov dword [LIN_USER], 1
        CHECK_NO_FAULT "WP=0, PDE read-only: supervisor write allowed"
        mov eax, cr0
        or eax, CR0_WP
        mov cr0, eax
        or dword [PD + 4], PG_RW
        invlpg [LIN_USER]
        ret

user_pde_supervisor:
        TRY mov eax, [LIN_USER]
        CHECK_FAULT X_PF, PF_P | PF_U, "PDE supervisor, PTE user: user read #PF(P|U)"
        USER_EXIT

user_pde_readonly:
        TRY mov eax, [LIN_USER]
        CHECK_NO_FAULT "PDE read-only: user read allowed"
        TRY mov dword [LIN_USER], 1
        CHECK_FAULT X_PF, PF_P | PF_W | PF_U, "PDE read-only, PTE read/write: user write #PF(P|W|U)"
        USER_EXIT

; ---------------------------------------------------------------------
; 4. The TLB.  With CR4.PGE, translations of pages with G set are not
; flushed by a CR3 load; the others are, so their next access walks the
; tables again (SDM vol. 3, 4.10.2.4 and 4.10.4.1).  The test changes the
; tables without telling the processor and sees which translation it used.
; (Keeping a stale global entry is what the architecture allows, and what
; the processors of this family do; see also 4.10.4.3.)

test_global_pages:
        mov eax, cr4
        or eax, CR4_PGE
        mov cr4, eax
        mov eax, [LIN_G]                ; both translations now in the TLB
        mov eax, [LIN_NG]
        mov PTE(LIN_G), MARK3 | PG_G | PG_P | PG_RW
        mov PTE(LIN_NG), MARK4 | PG_P | PG_RW
        mov eax, cr3
        mov cr3, eax                    ; flush the non-global translations
        CHECK_EQ [LIN_G], 0x61000001, "global page: old translation survives MOV CR3"
        CHECK_EQ [LIN_NG], 0x62000002, "non-global page: walked again after MOV CR3"
        invlpg [LIN_G]
        CHECK_EQ [LIN_G], 0x62000001, "global page: INVLPG drops it"
        ; Changing CR4.PGE flushes global translations too (SDM vol. 3, 4.10.4.1).
        mov PTE(LIN_G), MARK1 | PG_G | PG_P | PG_RW
        invlpg [LIN_G]
        mov eax, [LIN_G]
        mov PTE(LIN_G), MARK3 | PG_G | PG_P | PG_RW
        mov eax, cr4
        and eax, ~CR4_PGE
        mov cr4, eax
        CHECK_EQ [LIN_G], 0x62000001, "clearing CR4.PGE flushes global translations"
        ; Without CR4.PGE, G means nothing: MOV CR3 flushes the page.
        mov eax, [LIN_G]
        mov PTE(LIN_G), MARK1 | PG_G | PG_P | PG_RW
        mov eax, cr3
        mov cr3, eax
        CHECK_EQ [LIN_G], 0x61000001, "PGE off: MOV CR3 flushes a G page too"
        ret

test_invlpg:
        ; INVLPG removes one translation (SDM vol. 2, INVLPG).
        mov eax, [LIN_INV]
        mov PTE(LIN_INV), MARK2 | PG_P | PG_RW
        invlpg [LIN_INV]
        CHECK_EQ [LIN_INV], 0x61000002, "INVLPG: the next access walks the new entry"
        ; The operand is a memory reference: its linear address is the page.
        mov PTE(LIN_INV), MARK4 | PG_P | PG_RW
        mov ebx, LIN_INV - 0x100
        invlpg [ebx + 0x1FC]
        CHECK_EQ [LIN_INV], 0x62000002, "INVLPG with a register-based address"
        ret

; ---------------------------------------------------------------------
; Page faults while delivering an exception (SDM vol. 3, 6.15, table 6-5):
; contributory or benign then #PF is handled serially (the #PF is
; delivered); #PF then #PF, or #PF then contributory, is a double fault.
; The trick: a gate whose code selector points into an LDT that lies in a
; not-present page, so reading the descriptor faults (an implicit
; supervisor read: error code 0, CR2 the descriptor's address).

LDT_CODE equ 0x0004     ; LDT index 0

%macro GATE_SEL 2       ; GATE_SEL vector, selector
        mov word [IDT_BASE + (%1) * 8 + 2], %2
%endmacro

test_exception_classes:
        mov ax, NP_LDT
        lldt ax
        GATE_SEL X_GP, LDT_CODE
        mov ax, GDT_LIMIT + 1
        TRY mov ds, ax                  ; #GP, then #PF reading its gate's code descriptor
        GATE_SEL X_GP, KCODE
        CHECK_FAULT X_PF, 0, "#PF while delivering #GP: the #PF is delivered"
        CHECK_EQ [exc_cr2], LIN_NP, "#PF while delivering #GP: CR2 = the descriptor"
        GATE_SEL X_UD, LDT_CODE
        TRY ud2
        GATE_SEL X_UD, KCODE
        CHECK_FAULT X_PF, 0, "#PF while delivering #UD: the #PF is delivered"
        ; (the saved EIP of a #DF is undefined: only vector and error are checked)
        GATE_SEL X_PF, LDT_CODE
        TRY mov eax, [LIN_NP + 0x10]
        GATE_SEL X_PF, KCODE
        CHECK_EQ [exc_vector], X_DF, "#PF while delivering #PF: #DF"
        CHECK_EQ [exc_error], 0, "#PF while delivering #PF: error code 0"
        GATE_SEL X_PF, GDT_LIMIT + 1
        TRY mov eax, [LIN_NP + 0x10]
        GATE_SEL X_PF, KCODE
        CHECK_EQ [exc_vector], X_DF, "#GP while delivering #PF: #DF"
        xor eax, eax
        lldt ax
        ret

paging_off:
        mov eax, cr0
        and eax, ~(CR0_PG | CR0_WP)
        mov cr0, eax
        jmp .off
.off:   ret

; ---------------------------------------------------------------------
; 5. PAE (SDM vol. 3, 4.4): CR3 points to four 8-byte PDPTEs, each to a
; directory of 512 8-byte entries; a PDE maps 2 MiB with PS or points to a
; table of 512 8-byte PTEs.  MOV CR3 loads the four PDPTEs into registers
; the walk uses from then on (4.4.1).

PDPT    equ 0x110000    ; 32-byte aligned
PDPT_BAD equ 0x110020   ; a copy with a reserved bit set in PDPTE 1
PD_A    equ 0x111000    ; for linear 0-1 GiB
PD_B    equ 0x112000    ; for linear 1-2 GiB
PT_A    equ 0x113000    ; for linear 400000h-5FFFFFh
PD_C    equ 0x114000    ; PDPTE 1 is switched to this one
PAE_4K_PHYS equ 0x220000
PAE_MARK_C equ 0xE00000

; PAE64 address, low, high: an 8-byte entry.
%macro PAE64 3
        mov dword [%1], %2
        mov dword [%1 + 4], %3
%endmacro

build_pae_tables:
        mov edi, PDPT
        mov ecx, (PD_C + 0x1000 - PDPT) / 4
        xor eax, eax
        rep stosd
        PAE64 PDPT + 0, PD_A | PG_P, 0
        PAE64 PDPT + 8, PD_B | PG_P, 0
        PAE64 PDPT_BAD + 0, PD_A | PG_P, 0
        PAE64 PDPT_BAD + 8, PD_B | PG_P | PG_RW, 0       ; R/W is reserved in a PDPTE
        PAE64 PD_A + 0 * 8, 0x000000 | PG_PS | PG_P | PG_RW | PG_US, 0  ; 0-2 MiB identity
        PAE64 PD_A + 1 * 8, 0x200000 | PG_PS | PG_P | PG_RW | PG_US, 0  ; 2-4 MiB identity
        PAE64 PD_A + 2 * 8, PT_A | PG_P | PG_RW | PG_US, 0              ; 4-6 MiB: a table
        PAE64 PD_A + 3 * 8, BIG_PHYS | PG_PS | PG_P | PG_RW | PG_US, 0  ; 600000h -> C00000h
        PAE64 PD_A + 4 * 8, 0x200000 | PG_PS | PG_P | PG_RW, 0x100      ; bit 40: reserved
        PAE64 PD_A + 5 * 8, 0x202000 | PG_PS | PG_P | PG_RW, 0          ; bit 13: reserved
        PAE64 PD_A + 6 * 8, BIG_PHYS | PG_PS | PG_P | PG_RW, 0          ; C00000h identity
        PAE64 PT_A + 0 * 8, PAE_4K_PHYS | PG_P | PG_RW | PG_US, 0
        PAE64 PD_B + 0 * 8, BIG_PHYS | PG_PS | PG_P | PG_RW, 0
        PAE64 PD_C + 0 * 8, PAE_MARK_C | PG_PS | PG_P | PG_RW, 0
        mov dword [PAE_4K_PHYS], 0x4C4C4C4C
        mov dword [BIG_PHYS], 0xC0C0C0C0
        mov dword [PAE_MARK_C], 0xE0E0E0E0
        mov dword [PAE_MARK_C + 0x3000], 0xE3000000
        ret

test_pae:
        call build_pae_tables
        mov eax, cr4                    ; PAE is set with paging off
        or eax, CR4_PAE
        mov cr4, eax
        mov eax, PDPT
        mov cr3, eax
        mov eax, cr0
        or eax, CR0_PG
        mov cr0, eax
        jmp .paged
.paged:
        mov eax, cr4
        and eax, CR4_PAE
        CHECK_EQ eax, CR4_PAE, "PAE paging on, running through a 2 MiB identity page"
        CHECK_EQ [0x400000], 0x4C4C4C4C, "PAE 4 KiB page: PDPTE -> PDE -> PTE"
        mov eax, [PT_A]
        and eax, PG_A | PG_D
        CHECK_EQ eax, PG_A, "PAE: read sets A in the 8-byte PTE"
        mov eax, [PD_A + 2 * 8]
        and eax, PG_A
        CHECK_EQ eax, PG_A, "PAE: read sets A in the PDE"
        mov dword [0x600000 + 4], 0x2B2B2B2B
        CHECK_EQ [BIG_PHYS + 4], 0x2B2B2B2B, "PAE 2 MiB page maps its frame"
        mov eax, [PD_A + 3 * 8]
        and eax, PG_A | PG_D
        CHECK_EQ eax, PG_A | PG_D, "PAE 2 MiB page: write sets A and D in the PDE"
        CHECK_EQ [0x40000000], 0xC0C0C0C0, "PAE: PDPTE 1 maps linear 1 GiB"
        ; INVLPG anywhere in a 2 MiB page drops all of it.
        mov eax, [0x600000 + 0x3000]
        mov dword [PD_A + 3 * 8], PAE_MARK_C | PG_PS | PG_P | PG_RW | PG_US
        invlpg [0x600000 + 0x1FF000]
        CHECK_EQ [0x600000 + 0x3000], 0xE3000000, "PAE: INVLPG in a 2 MiB page flushes all of it"
        mov dword [PD_A + 3 * 8], BIG_PHYS | PG_PS | PG_P | PG_RW | PG_US
        invlpg [0x600000]

        ; PDPTE registers: changing the PDPT in memory does nothing until
        ; the next MOV CR3, even after INVLPG (SDM vol. 3, 4.4.1).
        mov dword [PDPT + 8], PD_C | PG_P
        invlpg [0x40000000]
        CHECK_EQ [0x40000000], 0xC0C0C0C0, "PAE: the PDPTE in memory is not re-read by the walk"
        mov eax, PDPT
        mov cr3, eax
        CHECK_EQ [0x40000000], 0xE0E0E0E0, "PAE: MOV CR3 loads the new PDPTE"

        ; A reserved bit in a present PDPTE: MOV CR3 is #GP(0), CR3 unchanged.
        mov eax, PDPT_BAD
        TRY mov cr3, eax
        CHECK_FAULT X_GP, 0, "PAE: MOV CR3 with a reserved PDPTE bit: #GP(0)"
        mov eax, cr3
        CHECK_EQ eax, PDPT, "PAE: CR3 unchanged by the refused load"

        ; Reserved bits in a PDE: #PF with RSVD set, and P with it: reserved
        ; bits are only checked in present entries (SDM vol. 3, 4.7).
        TRY mov eax, [0x800000]
        CHECK_FAULT X_PF, PF_P | PF_RSVD, "PAE: PDE bit 40 set (beyond 36-bit addresses): #PF(P|RSVD)"
        CHECK_EQ [exc_cr2], 0x800000, "PAE: reserved-bit fault: CR2"
        TRY mov eax, [0xA00000]
        CHECK_FAULT X_PF, PF_P | PF_RSVD, "PAE: 2 MiB PDE with bit 13 set: #PF(P|RSVD)"
        TRY mov eax, [0x80000000]
        CHECK_FAULT X_PF, 0, "PAE: not-present PDPTE: #PF(0)"
        CHECK_EQ [exc_cr2], 0x80000000, "PAE: not-present PDPTE: CR2"

        mov eax, cr0
        and eax, ~CR0_PG
        mov cr0, eax
        jmp .off
.off:   mov eax, cr4
        and eax, ~CR4_PAE
        mov cr4, eax
        ret

        ROM_END
