; descriptors.asm -- descriptor tables and segment loads in protected mode.
;
; What a protected-mode operating system does first: describe memory with
; segment descriptors in the GDT and LDT, load them into segment registers,
; and rely on the processor to refuse the bad ones with the right exception.
;
;   1. the system registers: LGDT/SGDT, SIDT, LLDT/SLDT, LTR/STR, LMSW/SMSW,
;      CLTS, and the descriptor inspectors ARPL, LAR, LSL, VERR, VERW
;   2. loading bad selectors into DS, ES and SS: #GP, #NP, #SS and their
;      error codes; a bad TSS: #TS
;   3. segment limits, read-only and expand-down segments
;   4. 16-bit and 32-bit code and stack segments (the D/B bit)
;   5. "big real mode": a 4 GiB data segment keeps its limit after the
;      return to real mode
;
; References are to the Intel 64 and IA-32 Architectures Software
; Developer's Manual (SDM), volume 2 (instructions) and volume 3 (system).

%include "harness.inc"

; ---------------------------------------------------------------------
; The program's descriptors (selectors from 48h on).

RO_DATA     equ 0x48    ; read-only data, base 20000h, limit FFFh
LIM_DATA    equ 0x50    ; read/write data, base 20000h, limit FFFh (byte granular)
XO_CODE     equ 0x58    ; execute-only code
RX_CODE     equ 0x60    ; readable code, base 20000h, limit FFFh
NP_DATA     equ 0x68    ; read/write data, not present
FRESH_DATA  equ 0x70    ; read/write data with the accessed bit clear
ED16_DATA   equ 0x78    ; expand-down, limit FFFh, B=0 (upper bound FFFFh)
ED32_DATA   equ 0x80    ; expand-down, limit FFFh, B=1 (upper bound FFFFFFFFh)
LDT_SEL     equ 0x88    ; the LDT
SHORT_TSS   equ 0x90    ; a 32-bit TSS whose limit is too small
CALL_GATE   equ 0x98    ; a call gate (for LAR)
GDT_INTGATE equ 0xA0    ; an interrupt gate in the GDT (LAR refuses it)
DPL3_DATA   equ 0xA8    ; read/write data, DPL 3
GRAN_DATA   equ 0xB0    ; limit 0 with G=1: the limit is FFFh
STACK16     equ 0xB8    ; 16-bit stack segment (B=0), base 40000h, limit FFFFh
CONF_CODE   equ 0xC0    ; conforming readable code, DPL 0
ED_STACK    equ 0xC8    ; expand-down stack, base 40000h, limit 7FFFh, B=1
NP_LDT      equ 0xD0    ; an LDT descriptor marked not present
NP_TSS      equ 0xD8    ; an available TSS marked not present

LDT_BASE    equ 0x2000
TEST_AREA   equ 0x20000 ; base of the small segments
ED_BASE     equ 0x30000
STACK_BASE  equ 0x40000

align 8
prog_gdt:
        DESC TEST_AREA, 0xFFF, 0x91, 0x4        ; 48h RO_DATA   P DPL0 data, read-only, accessed
        DESC TEST_AREA, 0xFFF, 0x93, 0x4        ; 50h LIM_DATA  read/write
        DESC 0, 0xFFFFF, 0x99, 0xC              ; 58h XO_CODE   code, execute-only
        DESC TEST_AREA, 0xFFF, 0x9B, 0x4        ; 60h RX_CODE   code, readable
        DESC TEST_AREA, 0xFFF, 0x13, 0x4        ; 68h NP_DATA   P=0
        DESC TEST_AREA, 0xFFF, 0x92, 0x4        ; 70h FRESH_DATA accessed bit clear
        DESC ED_BASE, 0xFFF, 0x97, 0x0          ; 78h ED16_DATA type 0111b: expand-down, writable
        DESC ED_BASE, 0xFFF, 0x97, 0x4          ; 80h ED32_DATA
        DESC LDT_BASE, 3 * 8 - 1, 0x82, 0x0     ; 88h LDT_SEL   system type 2: LDT
        DESC 0x6000, 0x50, 0x89, 0x0            ; 90h SHORT_TSS limit 50h < 67h
        GATE KCODE, lar_target, 0x8C, 0         ; 98h CALL_GATE 32-bit call gate, DPL 0
        GATE KCODE, lar_target, 0x8E, 0         ; A0h GDT_INTGATE
        DESC TEST_AREA, 0xFFF, 0xF3, 0x4        ; A8h DPL3_DATA
        DESC TEST_AREA, 0, 0x93, 0xC            ; B0h GRAN_DATA
        DESC STACK_BASE, 0xFFFF, 0x93, 0x0      ; B8h STACK16
        DESC 0, 0xFFFFF, 0x9F, 0xC              ; C0h CONF_CODE type 1111b: conforming, readable
        DESC STACK_BASE, 0x7FFF, 0x97, 0x4      ; C8h ED_STACK
        DESC LDT_BASE, 3 * 8 - 1, 0x02, 0x0     ; D0h NP_LDT
        DESC 0x6000, 0x67, 0x09, 0x0            ; D8h NP_TSS
prog_gdt_end:

; The LDT: selectors with TI=1 (bit 2) index it.
ldt_template:
        DESC 0x21000, 0xFFF, 0x93, 0x4          ; 04h (0Ch with RPL 0) read/write data at 21000h
        DESC 0x22000, 0xFFF, 0xF3, 0x4          ; 0Ch DPL 3 data at 22000h
        DESC 0x21000, 0xFFF, 0x13, 0x4          ; 14h not present
ldt_template_end:

lar_target:
        ret

; ---------------------------------------------------------------------

main:
        mov esi, ldt_template
        mov edi, LDT_BASE
        mov ecx, (ldt_template_end - ldt_template) / 4
        rep movsd
        call test_table_registers
        call test_msw
        call test_arpl
        call test_lar_lsl
        call test_verr_verw
        call test_ldt
        call test_bad_data_selectors
        call test_bad_stack_selectors
        call test_bad_tss
        call test_limits
        call test_expand_down
        call test_stack_faults
        call test_code_sizes
        call test_stack_size
        call test_big_real_mode
        ret

; ---------------------------------------------------------------------
; 1. System registers.

test_table_registers:
        ; SGDT/SIDT store the 16-bit limit and 32-bit base (SDM vol. 2, SGDT).
        sgdt [scratch]
        movzx eax, word [scratch]
        CHECK_EQ eax, GDT_LIMIT, "SGDT stores the limit LGDT loaded"
        CHECK_EQ [scratch + 2], GDT_BASE, "SGDT stores the base LGDT loaded"
        sidt [scratch]
        movzx eax, word [scratch]
        CHECK_EQ eax, IDT_LIMIT, "SIDT stores the IDT limit"
        CHECK_EQ [scratch + 2], IDT_BASE, "SIDT stores the IDT base"
        ; LGDT of a new value, read back, then the real one again.
        mov word [scratch + 16], 0x0FF
        mov dword [scratch + 18], GDT_BASE
        lgdt [scratch + 16]
        sgdt [scratch]
        movzx eax, word [scratch]
        lgdt [gdtr_value]
        CHECK_EQ eax, 0x0FF, "LGDT loads a new limit"

        ; STR: the selector LTR loaded; LTR marked the TSS busy (SDM vol. 2, LTR).
        xor eax, eax
        str ax
        CHECK_EQ eax, TSS_SEL, "STR returns the selector LTR loaded"
        movzx eax, byte [GDT_BASE + TSS_SEL + 5]
        CHECK_EQ eax, 0x8B, "LTR set the busy bit (type 1001b -> 1011b)"
        ; LTR needs an available TSS: a busy one or an LDT is #GP(selector).
        mov ax, TSS_SEL
        TRY ltr ax
        CHECK_FAULT X_GP, TSS_SEL, "LTR of a busy TSS: #GP(selector)"
        mov ax, LDT_SEL
        TRY ltr ax
        CHECK_FAULT X_GP, LDT_SEL, "LTR of an LDT descriptor: #GP(selector)"
        mov ax, NP_TSS
        TRY ltr ax
        CHECK_FAULT X_NP, NP_TSS, "LTR of a not-present TSS: #NP(selector)"
        ret

test_msw:
        ; SMSW stores CR0 bits 15..0 (SDM vol. 2, SMSW).
        mov ebx, cr0
        and ebx, 0xFFFF
        xor eax, eax
        smsw ax
        CHECK_EQ eax, ebx, "SMSW returns the low word of CR0"
        ; LMSW loads PE MP EM TS (bits 0..3) and cannot clear PE (SDM vol. 2, LMSW).
        mov ax, 0x000A                  ; MP and TS, PE clear
        lmsw ax
        mov eax, cr0
        and eax, 0xF
        CHECK_EQ eax, 0xB, "LMSW sets MP and TS and cannot clear PE"
        ; CLTS clears CR0.TS only (SDM vol. 2, CLTS).
        clts
        mov eax, cr0
        and eax, 0xF
        CHECK_EQ eax, 0x3, "CLTS clears TS"
        xor eax, eax
        lmsw ax
        mov eax, cr0
        and eax, 0xF
        CHECK_EQ eax, 0x1, "LMSW 0 clears MP, keeps PE"
        ret

test_arpl:
        ; ARPL raises the destination RPL to the source RPL, ZF=1 if it
        ; changed it (SDM vol. 2, ARPL).
        mov eax, 0x0010
        mov ebx, 0x0003
        arpl ax, bx
        setz cl
        movzx ecx, cl
        CHECK_EQ eax, 0x0013, "ARPL raises RPL 0 to 3"
        CHECK_EQ ecx, 1, "ARPL sets ZF when it adjusts"
        mov ebx, 0x0001
        arpl ax, bx
        setz cl
        movzx ecx, cl
        CHECK_EQ eax, 0x0013, "ARPL leaves a higher RPL alone"
        CHECK_EQ ecx, 0, "ARPL clears ZF when it does not adjust"
        mov word [scratch], 0x0020
        mov ebx, 0x0002
        arpl [scratch], bx
        movzx eax, word [scratch]
        CHECK_EQ eax, 0x0022, "ARPL with a memory destination"
        ret

; LAR_TEST selector, expected: ZF=1 and access rights (bits 16..19 are
; undefined -- SDM vol. 2, LAR -- so they are masked).
%macro LAR_OK 3
        mov ebx, %1
        mov eax, 0xFFFFFFFF
        lar eax, ebx
        setz cl
        movzx ecx, cl
        and eax, 0x00F0FF00
        CHECK_EQ ecx, 1, %3, ": ZF"
        CHECK_EQ eax, %2, %3, ": access rights"
%endmacro
; LAR_BAD selector: ZF=0 and the destination unchanged.
%macro LAR_BAD 2
        mov ebx, %1
        mov eax, 0x12345678
        lar eax, ebx
        setz cl
        movzx ecx, cl
        CHECK_EQ ecx, 0, %2, ": ZF clear"
        CHECK_EQ eax, 0x12345678, %2, ": destination unchanged"
%endmacro

test_lar_lsl:
        ; LAR: access rights of segments, TSSs, LDTs and call gates; not
        ; of interrupt gates, nor of what the privilege may not see.
        LAR_OK KCODE, 0x00C09B00, "LAR of the 32-bit flat code segment"
        LAR_OK KDATA16, 0x00009300, "LAR of a 16-bit data segment"
        LAR_OK TSS_SEL, 0x00008B00, "LAR of the busy TSS"
        LAR_OK LDT_SEL, 0x00008200, "LAR of the LDT descriptor"
        LAR_OK CALL_GATE, 0x00008C00, "LAR of a call gate"
        LAR_OK CONF_CODE | 3, 0x00C09F00, "LAR of conforming code with RPL 3"
        LAR_BAD GDT_INTGATE, "LAR of an interrupt gate"
        LAR_BAD 0, "LAR of the null selector"
        LAR_BAD GDT_LIMIT + 1, "LAR beyond the GDT limit"
        LAR_BAD KDATA | 3, "LAR of DPL-0 data with RPL 3"

        ; LSL: the limit in bytes, scaled by G (SDM vol. 2, LSL).
        mov ebx, KCODE
        lsl eax, ebx
        CHECK_EQ eax, 0xFFFFFFFF, "LSL of a 4 GiB page-granular segment"
        mov ebx, LIM_DATA
        lsl eax, ebx
        CHECK_EQ eax, 0xFFF, "LSL of a byte-granular segment"
        mov ebx, GRAN_DATA
        lsl eax, ebx
        CHECK_EQ eax, 0xFFF, "LSL of limit 0 with G=1"
        mov ebx, TSS_SEL
        lsl eax, ebx
        setz cl
        movzx ecx, cl
        CHECK_EQ eax, TSS_LIMIT, "LSL of the TSS"
        CHECK_EQ ecx, 1, "LSL of the TSS: ZF"
        mov ebx, CALL_GATE
        mov eax, 0x12345678
        lsl eax, ebx
        setz cl
        movzx ecx, cl
        CHECK_EQ ecx, 0, "LSL of a call gate: ZF clear"
        ret

; VERIFY instruction, selector, expected ZF, "what"
%macro VERIFY 4
        mov eax, %2
        %1 ax
        setz cl
        movzx ecx, cl
        CHECK_EQ ecx, %3, %4
%endmacro

test_verr_verw:
        ; VERR/VERW: could the current privilege read/write through this
        ; selector?  ZF answers (SDM vol. 2, VERR/VERW).
        VERIFY verr, KCODE, 1, "VERR of readable code"
        VERIFY verr, XO_CODE, 0, "VERR of execute-only code"
        VERIFY verr, RO_DATA, 1, "VERR of read-only data"
        VERIFY verw, RO_DATA, 0, "VERW of read-only data"
        VERIFY verw, KDATA, 1, "VERW of read/write data"
        VERIFY verw, KCODE, 0, "VERW of code"
        VERIFY verr, 0, 0, "VERR of the null selector"
        VERIFY verr, KDATA | 3, 0, "VERR of DPL-0 data with RPL 3"
        VERIFY verw, DPL3_DATA | 3, 1, "VERW of DPL-3 data with RPL 3"
        VERIFY verr, CONF_CODE | 3, 1, "VERR of conforming code with RPL 3"
        VERIFY verr, TSS_SEL, 0, "VERR of a TSS"
        ret

; ---------------------------------------------------------------------
; The LDT.

test_ldt:
        ; With LDTR null, a selector with TI=1 has no table: #GP(selector)
        ; (SDM vol. 3, 3.5.1; vol. 2, MOV).
        sldt ax
        movzx eax, ax
        CHECK_EQ eax, 0, "SLDT: LDTR is null after reset"
        mov ax, 0x0004
        TRY mov ds, ax
        CHECK_FAULT X_GP, 0x0004, "LDT selector with a null LDTR: #GP(selector)"
        ; LLDT wants an LDT descriptor from the GDT (SDM vol. 2, LLDT).
        mov ax, KDATA
        TRY lldt ax
        CHECK_FAULT X_GP, KDATA, "LLDT of a data segment: #GP(selector)"
        mov ax, LDT_SEL | 4
        TRY lldt ax
        CHECK_FAULT X_GP, LDT_SEL | 4, "LLDT of a selector with TI=1: #GP(selector)"
        mov ax, NP_LDT
        TRY lldt ax
        CHECK_FAULT X_NP, NP_LDT, "LLDT of a not-present LDT: #NP(selector)"
        mov ax, LDT_SEL
        TRY lldt ax
        CHECK_NO_FAULT "LLDT of the LDT descriptor"
        sldt ax
        movzx eax, ax
        CHECK_EQ eax, LDT_SEL, "SLDT returns the selector LLDT loaded"
        ; Segments from the LDT: their base comes from the LDT entry.
        mov dword [0x21000], 0x1D7DA7A1
        mov ax, 0x0004                  ; LDT index 0, RPL 0
        TRY mov es, ax
        CHECK_NO_FAULT "MOV ES of an LDT selector"
        mov eax, [es:0]
        CHECK_EQ eax, 0x1D7DA7A1, "the LDT descriptor's base addresses memory"
        mov ax, 0x000C | 3              ; LDT index 1 (DPL 3), RPL 3
        TRY mov es, ax
        CHECK_NO_FAULT "MOV ES of a DPL-3 LDT selector with RPL 3"
        mov ax, 0x0014
        TRY mov es, ax
        CHECK_FAULT X_NP, 0x0014, "LDT selector, not present: #NP(selector)"
        mov ax, 0x001C                  ; index 3: beyond the LDT limit (17h)
        TRY mov es, ax
        CHECK_FAULT X_GP, 0x001C, "LDT selector beyond the LDT limit: #GP(selector)"
        mov ax, KDATA
        mov es, ax
        ret

; ---------------------------------------------------------------------
; 2. Bad selectors (SDM vol. 2, MOV "Operation"; vol. 3, 5.4-5.6 and 6.15).
; The error code is the selector with the RPL bits replaced by EXT and IDT
; (both 0 here): selector AND FFFCh (SDM vol. 3, 6.13).

test_bad_data_selectors:
        mov ax, GDT_LIMIT + 1 + 3       ; index just past the GDT limit, RPL 3
        TRY mov ds, ax
        CHECK_FAULT X_GP, GDT_LIMIT + 1, "DS beyond the GDT limit: #GP(selector)"
        mov ax, TSS_SEL
        TRY mov ds, ax
        CHECK_FAULT X_GP, TSS_SEL, "DS of a TSS: #GP(selector)"
        mov ax, LDT_SEL
        TRY mov ds, ax
        CHECK_FAULT X_GP, LDT_SEL, "DS of an LDT descriptor: #GP(selector)"
        mov ax, CALL_GATE
        TRY mov ds, ax
        CHECK_FAULT X_GP, CALL_GATE, "DS of a call gate: #GP(selector)"
        mov ax, XO_CODE
        TRY mov ds, ax
        CHECK_FAULT X_GP, XO_CODE, "DS of execute-only code: #GP(selector)"
        mov ax, KDATA | 3
        TRY mov ds, ax
        CHECK_FAULT X_GP, KDATA, "DS of DPL-0 data with RPL 3: #GP(selector)"
        mov ax, NP_DATA
        TRY mov ds, ax
        CHECK_FAULT X_NP, NP_DATA, "DS of a not-present segment: #NP(selector)"
        mov ax, NP_DATA
        TRY mov es, ax
        CHECK_FAULT X_NP, NP_DATA, "ES of a not-present segment: #NP(selector)"
        mov ax, TSS_SEL
        TRY mov fs, ax
        CHECK_FAULT X_GP, TSS_SEL, "FS of a TSS: #GP(selector)"
        ; A faulting load leaves the register as it was (SDM vol. 3, 6.5).
        mov eax, ds
        movzx eax, ax
        CHECK_EQ eax, KDATA, "DS unchanged after the faulting loads"

        mov ax, RX_CODE
        TRY mov ds, ax
        CHECK_NO_FAULT "DS of readable code"
        mov ax, KDATA
        mov ds, ax
        mov ax, DPL3_DATA | 3
        TRY mov ds, ax
        CHECK_NO_FAULT "DS of DPL-3 data with RPL 3 at CPL 0"
        mov ax, KDATA
        mov ds, ax

        ; The null selector loads into DS; using it is #GP(0) (SDM vol. 3, 3.4.2).
        xor eax, eax
        TRY mov ds, ax
        CHECK_NO_FAULT "DS of the null selector"
        TRY mov eax, [0x1000]
        mov bx, KDATA
        mov ds, bx
        CHECK_FAULT X_GP, 0, "access through a null DS: #GP(0)"

        ; Loading a segment sets the descriptor's accessed bit (SDM vol. 3, 3.4.5.1).
        mov ax, FRESH_DATA
        mov es, ax
        mov ax, KDATA
        mov es, ax
        movzx eax, byte [GDT_BASE + FRESH_DATA + 5]
        CHECK_EQ eax, 0x93, "a segment load sets the accessed bit"
        ret

; TRY_SS: load SS from AX; put the real stack back at once in case the
; load wrongly succeeded.
%macro TRY_SS 0
        TRY mov ss, ax
        mov bx, KDATA
        mov ss, bx
%endmacro

test_bad_stack_selectors:
        ; SS must be a writable data segment with DPL = RPL = CPL; not
        ; present is #SS(selector) (SDM vol. 2, MOV; vol. 3, 6.15 #SS).
        xor eax, eax
        TRY_SS
        CHECK_FAULT X_GP, 0, "SS of the null selector: #GP(0)"
        mov ax, RO_DATA
        TRY_SS
        CHECK_FAULT X_GP, RO_DATA, "SS of read-only data: #GP(selector)"
        mov ax, RX_CODE
        TRY_SS
        CHECK_FAULT X_GP, RX_CODE, "SS of code: #GP(selector)"
        mov ax, DPL3_DATA | 3
        TRY_SS
        CHECK_FAULT X_GP, DPL3_DATA, "SS with RPL and DPL 3 at CPL 0: #GP(selector)"
        mov ax, KDATA | 3
        TRY_SS
        CHECK_FAULT X_GP, KDATA, "SS with RPL 3 != CPL: #GP(selector)"
        mov ax, NP_DATA
        TRY_SS
        CHECK_FAULT X_SS, NP_DATA, "SS of a not-present segment: #SS(selector)"
        mov ax, GDT_LIMIT + 1
        TRY_SS
        CHECK_FAULT X_GP, GDT_LIMIT + 1, "SS beyond the GDT limit: #GP(selector)"
        ret

test_bad_tss:
        ; A TSS descriptor whose limit is below 67h cannot hold a 32-bit
        ; task: the switch is refused with #TS(selector) before any state
        ; is saved (SDM vol. 3, 7.3, table 7-1).
        TRY jmp SHORT_TSS:0
        CHECK_FAULT X_TS, SHORT_TSS, "JMP to a TSS with limit < 67h: #TS(selector)"
        movzx eax, byte [GDT_BASE + SHORT_TSS + 5]
        CHECK_EQ eax, 0x89, "the refused TSS stays available"
        xor eax, eax
        str ax
        CHECK_EQ eax, TSS_SEL, "TR unchanged after the refused switch"
        ret

; ---------------------------------------------------------------------
; 3. Limits (SDM vol. 3, 5.3): an access is checked byte by byte against
; the limit; every violation through a data segment is #GP(0).

test_limits:
        mov ax, LIM_DATA                ; base 20000h, limit FFFh
        mov es, ax
        TRY mov al, [es:0xFFF]
        CHECK_NO_FAULT "read the last byte inside the limit"
        TRY mov eax, [es:0xFFC]
        CHECK_NO_FAULT "read a dword ending at the limit"
        TRY mov eax, [es:0xFFD]
        CHECK_FAULT X_GP, 0, "a dword crossing the limit: #GP(0)"
        TRY mov al, [es:0x1000]
        CHECK_FAULT X_GP, 0, "a byte past the limit: #GP(0)"
        mov dword [es:0x10], 0xCAFE0001
        CHECK_EQ [TEST_AREA + 0x10], 0xCAFE0001, "the segment base is added to the offset"

        mov ax, GRAN_DATA               ; limit 0, G=1: offsets 0..FFFh
        mov es, ax
        TRY mov eax, [es:0xFFC]
        CHECK_NO_FAULT "G=1 scales limit 0 to FFFh"
        TRY mov al, [es:0x1000]
        CHECK_FAULT X_GP, 0, "G=1 limit 0: offset 1000h faults"

        ; Read-only data and code (SDM vol. 3, 5.5 and 3.4.5.1 table 3-1).
        mov ax, RO_DATA
        mov es, ax
        TRY mov al, [es:0]
        CHECK_NO_FAULT "read read-only data"
        TRY mov byte [es:0], 1
        CHECK_FAULT X_GP, 0, "write read-only data: #GP(0)"
        mov ax, RX_CODE
        mov es, ax
        TRY mov al, [es:0]
        CHECK_NO_FAULT "read readable code through ES"
        TRY mov byte [es:0], 1
        CHECK_FAULT X_GP, 0, "write code through ES: #GP(0)"
        TRY mov byte [cs:scratch], 1
        CHECK_FAULT X_GP, 0, "write through a CS override: #GP(0)"
        TRY mov eax, [cs:lar_target]
        CHECK_NO_FAULT "read through a CS override of readable code"
        ; The limit check is on the last byte: even a 4 GiB segment
        ; refuses a dword at FFFFFFFEh (SDM vol. 3, 5.3).
        TRY mov eax, [0xFFFFFFFE]
        CHECK_FAULT X_GP, 0, "a dword at FFFFFFFEh in a 4 GiB segment: #GP(0)"
        ; Far transfers: the target must be code, the offset inside its
        ; limit (SDM vol. 2, JMP and CALL).
        TRY jmp KDATA:0
        CHECK_FAULT X_GP, KDATA, "far JMP to a data segment: #GP(selector)"
        TRY call KCODE16:0x12345
        CHECK_FAULT X_GP, 0, "far CALL beyond the code segment's limit: #GP(0)"
        mov ax, KDATA
        mov es, ax
        ret

test_expand_down:
        ; Expand-down: valid offsets run from limit+1 to FFFFh (B=0) or
        ; FFFFFFFFh (B=1) (SDM vol. 3, 3.4.5.1 and 5.3).
        mov ax, ED16_DATA
        mov es, ax
        TRY mov al, [es:0xFFF]
        CHECK_FAULT X_GP, 0, "expand-down: the limit itself is outside"
        TRY mov al, [es:0x1000]
        CHECK_NO_FAULT "expand-down: limit+1 is inside"
        TRY mov al, [es:0xFFFF]
        CHECK_NO_FAULT "expand-down B=0: FFFFh is inside"
        TRY mov eax, [es:0xFFFE]
        CHECK_FAULT X_GP, 0, "expand-down B=0: a dword past FFFFh faults"
        TRY mov al, [es:0x10000]
        CHECK_FAULT X_GP, 0, "expand-down B=0: 10000h is outside"
        mov dword [es:0x2000], 0xED0000ED
        CHECK_EQ [ED_BASE + 0x2000], 0xED0000ED, "expand-down: base + offset addresses memory"

        mov ax, ED32_DATA
        mov es, ax
        TRY mov al, [es:0x10000]
        CHECK_NO_FAULT "expand-down B=1: 10000h is inside"
        TRY mov al, [es:0xFFFFFFFF]
        CHECK_NO_FAULT "expand-down B=1: FFFFFFFFh is inside"
        TRY mov eax, [es:0xFFFFFFFE]
        CHECK_FAULT X_GP, 0, "expand-down B=1: a dword past 4 GiB faults"
        TRY mov al, [es:0xFFF]
        CHECK_FAULT X_GP, 0, "expand-down B=1: the limit is outside"
        mov ax, KDATA
        mov es, ax
        ret

test_stack_faults:
        ; A limit violation through SS is #SS(0), not #GP (SDM vol. 3, 6.15
        ; interrupt 12).  The handler's frame goes on this stack too, so
        ; ESP stays inside the segment.
        mov [scratch], esp
        mov ax, ED_STACK                ; expand-down, limit 7FFFh: 8000h.. valid
        mov ss, ax
        mov esp, 0x9000
        TRY mov al, [ss:0x7FFF]
        CHECK_FAULT X_SS, 0, "SS-relative read below an expand-down limit: #SS(0)"
        xor ebp, ebp
        TRY mov al, [ebp + 0x8000]      ; EBP-based addressing uses SS by default
        CHECK_NO_FAULT "EBP-based read inside the stack segment"
        ; A POP past FFFFFFFFh (the top of an expand-down B=1 stack) is #SS
        ; too; the handler's frame still fits below ESP.
        mov esp, 0xFFFFFFFE
        TRY pop eax                     ; would read FFFFFFFEh..1_00000001h
        mov ebx, esp
        CHECK_FAULT X_SS, 0, "POP past the top of an expand-down B=1 stack: #SS(0)"
        CHECK_EQ ebx, 0xFFFFFFFE, "ESP unchanged by the faulting POP"
        mov ax, KDATA
        mov ss, ax
        mov esp, [scratch]
        ret

; ---------------------------------------------------------------------
; 4. Default operand size: the D bit of the code segment decides how the
; same bytes decode (SDM vol. 3, 3.4.5 "D/B flag"; vol. 1, 3.6).

; The bytes B8 78 56 34 12: in 32-bit code MOV EAX,12345678h; in 16-bit
; code MOV AX,5678h followed by XOR AL,12h.
%macro SIZE_PROBE 0
        db 0xB8, 0x78, 0x56, 0x34, 0x12
%endmacro

test_code_sizes:
        xor eax, eax
        SIZE_PROBE
        CHECK_EQ eax, 0x12345678, "B8 78 56 34 12 in 32-bit code: MOV EAX"
        mov eax, 0xAAAA0000
        call KCODE16:(code16_probe - ROM_BASE)
        CHECK_EQ eax, 0xAAAA566A, "the same bytes in 16-bit code: MOV AX + XOR AL"
        CHECK_EQ ebx, 2, "PUSH imm in 16-bit code pushes 2 bytes"
        mov ebx, esp
        push dword 0
        sub ebx, esp
        add esp, 4
        CHECK_EQ ebx, 4, "PUSH imm in 32-bit code pushes 4 bytes"
        ret

bits 16
; Called with a 32-bit far CALL (CS and EIP pushed as dwords), so it
; returns with a 32-bit RETF.
code16_probe:
        SIZE_PROBE
        mov ebx, esp
        push 0                          ; 6A 00: 16-bit operand here
        sub ebx, esp
        add sp, 2
        o32 retf
bits 32

test_stack_size:
        ; The B bit of SS: with B=0 pushes use SP and leave ESP's upper
        ; half alone (SDM vol. 3, 3.4.5 "D/B flag", vol. 1, 6.2.3).
        mov [scratch], esp
        mov ax, STACK16                 ; base 40000h, limit FFFFh, B=0
        mov ss, ax
        mov esp, 0x12340010
        push dword 0x55AA55AA
        mov ebx, esp
        mov esp, 0xABCD0000             ; SP=0: a dword push wraps to FFFCh
        push dword 0x66BB66BB
        mov ecx, esp
        mov ax, KDATA
        mov ss, ax
        mov esp, [scratch]
        CHECK_EQ ebx, 0x1234000C, "16-bit stack: PUSH changes SP only"
        CHECK_EQ [STACK_BASE + 0xC], 0x55AA55AA, "16-bit stack: the value is at SS:SP"
        CHECK_EQ ecx, 0xABCDFFFC, "16-bit stack: SP wraps at 64 KiB"
        CHECK_EQ [STACK_BASE + 0xFFFC], 0x66BB66BB, "16-bit stack: wrapped value at SS:FFFCh"
        ret

; ---------------------------------------------------------------------
; 5. Big real mode.  Back in real mode a segment register load sets the
; selector and base only; the limit stays what protected mode loaded.
; Leave protected mode with DS describing 4 GiB and DS keeps reaching it
; (SDM vol. 3, 9.9.2 says which limits a clean return sets up; this is
; what happens when it does not).

BIG_MARK equ 0x200000                   ; 2 MiB: beyond any 64 KiB segment

test_big_real_mode:
        mov dword [BIG_MARK], 0xB16B16B1
        mov dword [BIG_MARK + 4], 0
        ; Real-mode #GP handler: record, resume after the faulting
        ; instruction (real mode has no error code).
        mov word [13 * 4], rm_gp_handler - ROM_BASE
        mov word [13 * 4 + 2], ROM_BASE >> 4
        pushad
        mov [scratch + 4], esp
        lidt [real_idtr]                ; the real-mode vector table at 0
        ; Follow SDM 9.9.2: a 16-bit code segment, then the data segments,
        ; then clear PE and jump to real-mode code.
        jmp KCODE16:(.code16 - ROM_BASE)
bits 16
.code16:
        mov ax, KDATA16                 ; 64 KiB limits for SS and ES
        mov ss, ax
        mov es, ax
        mov ax, KDATA                   ; 4 GiB limit for DS and FS
        mov ds, ax
        mov fs, ax
        mov esp, 0xFF00
        mov eax, cr0
        and al, ~1
        mov cr0, eax
        jmp (ROM_BASE >> 4):(.real - ROM_BASE)
.real:
        xor ax, ax                      ; real-mode loads: bases 0, limits kept
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax
        mov eax, [dword BIG_MARK]       ; offset 200000h through DS
        mov [gs:scratch + 8], eax
        mov dword [dword BIG_MARK + 4], 0x600DF00D
        TRY16 mov eax, [es:dword BIG_MARK]
        mov eax, [gs:exc_vector]        ; keep the result of the TRY for later
        mov [gs:scratch + 12], eax
        mov eax, [gs:exc_eip]
        mov [gs:scratch + 16], eax
        mov eax, [gs:fault_at]
        mov [gs:scratch + 20], eax
        ; Back to protected mode.
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp dword KCODE:.back32
bits 32
.back32:
        mov ax, KDATA
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov ss, ax
        mov ax, UDATA | 3
        mov gs, ax
        mov esp, [scratch + 4]
        lidt [idtr_value]
        popad
        CHECK_EQ [scratch + 8], 0xB16B16B1, "big real mode: a read at 2 MiB through DS"
        CHECK_EQ [BIG_MARK + 4], 0x600DF00D, "big real mode: a write at 2 MiB through DS"
        CHECK_EQ [scratch + 12], X_GP, "real mode: ES with a 64 KiB limit faults at 2 MiB (INT 13)"
        mov eax, [scratch + 20]
        CHECK_EQ [scratch + 16], eax, "real mode: the #GP points at the faulting instruction"
        ret

bits 16
rm_gp_handler:
        mov dword [gs:exc_vector], X_GP
        mov dword [gs:exc_eip], 0
        pop word [gs:exc_eip]           ; the faulting IP
        push word [gs:fault_resume]     ; resume after it
        mov dword [gs:fault_resume], 0
        iret
bits 32

real_idtr:
        dw 0x3FF
        dd 0

        ROM_END
