; privilege.asm -- privilege levels: CPL 3 and CPL 0, and the ways between.
;
;   1. what CPL-3 code may not do: privileged and IOPL-sensitive
;      instructions, I/O outside the TSS bitmap, DPL-0 segments
;   2. far CALL through a call gate to CPL 0: the stack switch from the TSS
;      and the parameter copy; far RET back, releasing the parameters;
;      data segments the outer level may not use are nulled
;   3. JMP through a call gate, a DPL-0 gate, conforming code
;   4. interrupt and trap gates (IF cleared or kept), INT n from CPL 3 to a
;      DPL-3 gate (stack switch) and to a DPL-0 gate (#GP)
;   5. IRET to an outer level, and the IRET that may not go inward
;
; References are to the Intel SDM, volume 2 (instructions) and volume 3
; (system programming), chapters 5 (protection) and 6 (interrupts).

%include "harness.inc"

GATE3       equ 0x48    ; 32-bit call gate, DPL 3 -> CPL-0 code, 2 parameters
GATE0       equ 0x50    ; 32-bit call gate, DPL 0
CONF_CODE   equ 0x58    ; conforming code, DPL 0, flat
CONF_GATE   equ 0x60    ; call gate, DPL 3 -> conforming code
USER_STACK_SMALL equ 0x68 ; DPL-3 stack segment with a 4 KiB limit
NP_GATE     equ 0x70    ; a call gate marked not present
NP_CODE     equ 0x78    ; code segment marked not present
NP_CODE_GATE equ 0x80   ; a present gate to it

align 8
prog_gdt:
        GATE KCODE, gate_entry, 0xEC, 2         ; 48h P DPL3 type 1100b, 2 dwords copied
        GATE KCODE, gate_entry, 0x8C, 0         ; 50h P DPL0
        DESC 0, 0xFFFFF, 0x9F, 0xC              ; 58h P DPL0 code: conforming, readable
        GATE CONF_CODE, conf_entry, 0xEC, 0     ; 60h
        DESC 0x60000, 0xFFF, 0xF3, 0x4          ; 68h P DPL3 data, limit FFFh
        GATE KCODE, gate_entry, 0x6C, 0         ; 70h P=0 DPL3 call gate
        DESC 0, 0xFFFFF, 0x1B, 0xC              ; 78h P=0 DPL0 code
        GATE NP_CODE, gate_entry, 0xEC, 0       ; 80h
prog_gdt_end:

; Vectors for the gate tests.
V_INTGATE   equ 0x40    ; interrupt gate, DPL 0
V_TRAPGATE  equ 0x41    ; trap gate, DPL 0
V_USERGATE  equ 0x42    ; interrupt gate, DPL 3
V_KERNGATE  equ 0x43    ; interrupt gate, DPL 0 (INT from CPL 3: #GP)
V_USERCODE  equ 0x44    ; DPL-3 interrupt gate to DPL-3 code

; Where the CPL-0 side of the call gate records what it saw.
G_ESP       equ scratch + 0
G_EIP       equ scratch + 4
G_CS        equ scratch + 8
G_PARAM2    equ scratch + 12
G_PARAM1    equ scratch + 16
G_OLD_ESP   equ scratch + 20
G_OLD_SS    equ scratch + 24
G_MY_CS     equ scratch + 28
G_MY_SS     equ scratch + 32
USER_ESP0   equ scratch + 36    ; CPL-3 ESP before the call
C_CS        equ scratch + 40    ; the conforming routine's CS
C_ESP       equ scratch + 44

ALLOWED_PORT equ 0x84                   ; nothing answers there: reads FFh

main:
        ; Let CPL 3 use one more port: clear its bit in the I/O bitmap.
        and byte [TSS_BASE + TSS_IOMAP + ALLOWED_PORT / 8], ~(1 << (ALLOWED_PORT % 8)) & 0xFF
        mov eax, V_TRAPGATE
        mov cl, 0x8F                    ; P DPL0 type 1111b: 32-bit trap gate
        call set_idt_access
        mov eax, V_USERGATE
        mov cl, 0xEE                    ; P DPL3 type 1110b: 32-bit interrupt gate
        call set_idt_access
        mov eax, V_USERCODE
        mov bx, UCODE | 3
        mov edx, user_handler
        mov cl, 0xEE
        call set_idt_gate

        call test_gate_kinds
        call test_bad_returns
        mov eax, user_basics
        call run_user
        mov eax, user_call_gates
        call run_user
        mov eax, user_interrupts
        call run_user
        call test_iret_nulls_segments
        mov eax, user_iopl3
        mov edx, FL_IOPL3 | 2
        call run_user_flags
        ret

; ---------------------------------------------------------------------
; 1. CPL 3 is entered with IRET (run_user); what it may and may not do.

user_basics:
        mov eax, cs
        and eax, 3
        CHECK_EQ eax, 3, "IRET to CPL 3: CPL (CS.RPL) is 3"
        mov eax, ss
        movzx eax, ax
        CHECK_EQ eax, UDATA | 3, "IRET to CPL 3: SS from the frame"
        ; Privileged instructions need CPL 0: #GP(0) (SDM vol. 3, 5.9).
        TRY hlt
        CHECK_FAULT X_GP, 0, "HLT at CPL 3: #GP(0)"
        TRY mov eax, cr0
        CHECK_FAULT X_GP, 0, "MOV from CR0 at CPL 3: #GP(0)"
        TRY lgdt [gdtr_value]
        CHECK_FAULT X_GP, 0, "LGDT at CPL 3: #GP(0)"
        TRY lidt [idtr_value]
        CHECK_FAULT X_GP, 0, "LIDT at CPL 3: #GP(0)"
        TRY clts
        CHECK_FAULT X_GP, 0, "CLTS at CPL 3: #GP(0)"
        ; IOPL-sensitive: CLI/STI need CPL <= IOPL (SDM vol. 2, CLI).
        TRY cli
        CHECK_FAULT X_GP, 0, "CLI at CPL 3 with IOPL 0: #GP(0)"
        TRY sti
        CHECK_FAULT X_GP, 0, "STI at CPL 3 with IOPL 0: #GP(0)"
        ; I/O with CPL > IOPL: the TSS bitmap decides (SDM vol. 1, 18.5.2).
        TRY in al, 0x80
        CHECK_FAULT X_GP, 0, "IN from a port the bitmap denies: #GP(0)"
        mov dx, 0x80
        TRY out dx, al
        CHECK_FAULT X_GP, 0, "OUT to a port the bitmap denies: #GP(0)"
        TRY in al, ALLOWED_PORT
        CHECK_NO_FAULT "IN from a port the bitmap allows"
        ; Data segments: DPL >= max(CPL, RPL) (SDM vol. 3, 5.6).
        mov ax, KDATA | 3
        TRY mov ds, ax
        CHECK_FAULT X_GP, KDATA, "MOV DS of DPL-0 data at CPL 3: #GP(selector)"
        mov ax, KDATA
        TRY mov ss, ax
        CHECK_FAULT X_GP, KDATA, "MOV SS of DPL-0 data at CPL 3: #GP(selector)"
        mov ax, CONF_CODE | 3
        TRY mov es, ax
        CHECK_NO_FAULT "MOV ES of conforming readable code at CPL 3"
        mov ax, UDATA | 3
        mov es, ax
        ; A CPL-3 stack fault goes to the CPL-0 stack: #SS(0) (SDM vol. 3, 6.15).
        mov ax, USER_STACK_SMALL | 3
        mov ss, ax
        mov esp, 0x1002
        TRY push eax                    ; would write FFEh..1001h: past the limit
        mov ebx, esp
        mov ax, UDATA | 3
        mov ss, ax
        mov esp, USER_STACK_TOP
        CHECK_FAULT X_SS, 0, "PUSH past a CPL-3 stack's limit: #SS(0)"
        CHECK_EQ ebx, 0x1002, "ESP unchanged by the faulting PUSH"
        CHECK_EQ [exc_frame + 16], USER_STACK_SMALL | 3, "the #SS frame holds the faulting SS"
        ; LAR and VERR honour the CPL (SDM vol. 2, LAR).
        mov eax, KDATA
        verr ax
        setz al
        movzx eax, al
        CHECK_EQ eax, 0, "VERR of DPL-0 data at CPL 3: ZF clear"
        ; SMSW is not privileged (SDM vol. 2, SMSW); POPF cannot change IF
        ; when CPL > IOPL, and does not fault either (SDM vol. 2, POPF).
        TRY smsw ax
        CHECK_NO_FAULT "SMSW at CPL 3"
        push dword FL_IF | 2
        TRY popfd
        pushfd
        pop eax
        and eax, FL_IF
        CHECK_NO_FAULT "POPF at CPL 3 with IOPL 0 does not fault"
        CHECK_EQ eax, 0, "POPF at CPL 3 with IOPL 0 leaves IF alone"
        ; RET may not return to an inner level: #GP(selector) (SDM vol. 2, RET).
        push dword KCODE
        push dword .after
        TRY retf
        add esp, 8
        CHECK_FAULT X_GP, KCODE, "far RET from CPL 3 to CPL 0: #GP(selector)"
        ; IRET may not return to an inner level: #GP(selector) (SDM vol. 2, IRET).
        push dword 2
        push dword KCODE
        push dword .after
        TRY iretd
        add esp, 12
        CHECK_FAULT X_GP, KCODE, "IRET from CPL 3 to CPL 0: #GP(selector)"
.after:
        USER_EXIT

; ---------------------------------------------------------------------
; 2 and 3. Call gates (SDM vol. 3, 5.8.3-5.8.6).

user_call_gates:
        ; CALL through a DPL-3 gate to DPL-0 code: the processor takes
        ; SS0:ESP0 from the TSS, pushes the caller's SS and ESP, copies the
        ; gate's parameter count of dwords from the caller's stack, then
        ; pushes CS and EIP (SDM vol. 3, 5.8.5, figure 5-13).
        mov [USER_ESP0], esp
        push dword 0x11111111           ; parameter 1 (pushed first)
        push dword 0x22222222           ; parameter 2
        TRY call GATE3 | 3:0            ; the offset is ignored: the gate has it
        mov ebx, esp
        CHECK_NO_FAULT "CALL through a DPL-3 call gate"
        CHECK_EQ [G_MY_CS], KCODE, "call gate: CS is the gate's selector at CPL 0"
        CHECK_EQ [G_MY_SS], KDATA, "call gate: SS is SS0 from the TSS"
        CHECK_EQ [G_ESP], ISTACK_TOP - 24, "call gate: ESP0 from the TSS, minus 6 dwords"
        CHECK_EQ [G_EIP], [fault_next], "call gate: the return EIP"
        CHECK_EQ [G_CS], UCODE | 3, "call gate: the return CS"
        CHECK_EQ [G_PARAM2], 0x22222222, "call gate: parameter 2 copied"
        CHECK_EQ [G_PARAM1], 0x11111111, "call gate: parameter 1 copied"
        mov eax, [USER_ESP0]
        sub eax, 8
        CHECK_EQ [G_OLD_ESP], eax, "call gate: the caller's ESP"
        CHECK_EQ [G_OLD_SS], UDATA | 3, "call gate: the caller's SS"
        ; RET 8 back to CPL 3 releases the parameters on both stacks, and
        ; nulls data segment registers the outer level may not use: ES
        ; (DPL 0) becomes null, FS (DPL 3) stays (SDM vol. 2, RET).
        CHECK_EQ ebx, [USER_ESP0], "RET imm16 to CPL 3 releases the parameters"
        mov eax, es
        movzx eax, ax
        CHECK_EQ eax, 0, "RET to CPL 3 nulls ES holding DPL-0 data"
        mov eax, fs
        movzx eax, ax
        CHECK_EQ eax, UDATA | 3, "RET to CPL 3 keeps FS holding DPL-3 data"
        mov ax, UDATA | 3
        mov es, ax

        ; A DPL-0 gate is out of reach of CPL 3: #GP(gate selector) (SDM vol. 2, CALL).
        TRY call GATE0 | 3:0
        CHECK_FAULT X_GP, GATE0, "CALL through a DPL-0 call gate from CPL 3: #GP(gate)"
        ; JMP through a gate never changes privilege: to non-conforming
        ; code of another DPL it is #GP(code selector) (SDM vol. 2, JMP).
        TRY jmp GATE3 | 3:0
        CHECK_FAULT X_GP, KCODE, "JMP through a call gate to DPL-0 code: #GP(code selector)"
        ; Conforming code runs at the caller's CPL: no stack switch (SDM vol. 3, 5.8.1.2).
        mov [USER_ESP0], esp
        TRY call CONF_GATE | 3:0
        CHECK_NO_FAULT "CALL through a gate to conforming DPL-0 code"
        CHECK_EQ [C_CS], CONF_CODE | 3, "conforming code: CS.RPL stays 3 (CPL unchanged)"
        mov eax, [USER_ESP0]
        sub eax, 8
        CHECK_EQ [C_ESP], eax, "conforming code: same stack, CS and EIP pushed"
        TRY call CONF_CODE:conf_entry
        CHECK_NO_FAULT "direct far CALL to conforming DPL-0 code from CPL 3"
        CHECK_EQ [C_CS], CONF_CODE | 3, "direct CALL to conforming code: CPL stays 3"
        TRY call KCODE:lar_nothing
        CHECK_FAULT X_GP, KCODE, "direct far CALL to DPL-0 code from CPL 3: #GP(selector)"
        ; Not present: the gate is #NP(gate), its code segment #NP(code)
        ; (SDM vol. 2, CALL).
        TRY call NP_GATE | 3:0
        CHECK_FAULT X_NP, NP_GATE, "CALL through a not-present call gate: #NP(gate)"
        TRY call NP_CODE_GATE | 3:0
        CHECK_FAULT X_NP, NP_CODE, "CALL through a gate to not-present code: #NP(code selector)"
        USER_EXIT

lar_nothing:
        retf

; The CPL-0 end of GATE3: record the stack the processor built, load a
; DPL-0 segment into ES and a DPL-3 one into FS, and return.
gate_entry:
        mov [gs:G_ESP], esp
        mov eax, [esp]
        mov [gs:G_EIP], eax
        mov eax, [esp + 4]
        mov [gs:G_CS], eax
        mov eax, [esp + 8]
        mov [gs:G_PARAM2], eax
        mov eax, [esp + 12]
        mov [gs:G_PARAM1], eax
        mov eax, [esp + 16]
        mov [gs:G_OLD_ESP], eax
        mov eax, [esp + 20]
        mov [gs:G_OLD_SS], eax
        xor eax, eax
        mov ax, cs
        mov [gs:G_MY_CS], eax
        mov ax, ss
        mov [gs:G_MY_SS], eax
        mov ax, KDATA
        mov es, ax
        mov ax, UDATA | 3
        mov fs, ax
        retf 8

; The conforming routine: record CS and ESP.
conf_entry:
        xor eax, eax
        mov ax, cs
        mov [gs:C_CS], eax
        mov [gs:C_ESP], esp
        retf

; ---------------------------------------------------------------------
; 4. Interrupt and trap gates (SDM vol. 3, 6.12.1.2: an interrupt gate
; clears IF, a trap gate leaves it).  The harness handler records EFLAGS
; as the processor pushed it and as the handler runs.

test_gate_kinds:
        mov esi, esp
        sti                             ; nothing on this board raises INTR
        TRY int V_INTGATE
        cli
        CHECK_EQ [exc_vector], V_INTGATE, "INT n at CPL 0 reaches its handler"
        CHECK_EQ [exc_eip], [fault_next], "INT n pushes the address of the next instruction"
        mov eax, [exc_eflags]
        and eax, FL_IF
        CHECK_EQ eax, FL_IF, "INT n pushes EFLAGS with IF set"
        mov eax, [exc_handler_eflags]
        and eax, FL_IF
        CHECK_EQ eax, 0, "interrupt gate: IF clear in the handler"
        sub esi, 12
        CHECK_EQ [exc_esp], esi, "same-level INT: EFLAGS CS EIP on the current stack"
        sti
        TRY int V_TRAPGATE
        pushfd
        pop ebx
        cli
        mov eax, [exc_handler_eflags]
        and eax, FL_IF
        CHECK_EQ eax, FL_IF, "trap gate: IF unchanged in the handler"
        and ebx, FL_IF
        CHECK_EQ ebx, FL_IF, "IRET restores IF"
        ret

user_interrupts:
        ; INT n to a DPL-3 gate from CPL 3: stack switch to SS0:ESP0 and a
        ; frame of SS ESP EFLAGS CS EIP (SDM vol. 3, 6.12.1, figure 6-4).
        mov esi, esp
        TRY int V_USERGATE
        CHECK_EQ [exc_vector], V_USERGATE, "INT n from CPL 3 through a DPL-3 gate"
        CHECK_EQ [exc_esp], ISTACK_TOP - 20, "INT from CPL 3: frame at ESP0 from the TSS"
        CHECK_EQ [exc_cs], UCODE | 3, "INT from CPL 3: the pushed CS"
        CHECK_EQ [exc_frame + 12], esi, "INT from CPL 3: the pushed ESP"
        CHECK_EQ [exc_frame + 16], UDATA | 3, "INT from CPL 3: the pushed SS"
        CHECK_EQ [exc_eip], [fault_next], "INT from CPL 3: the pushed EIP"
        mov eax, esp
        CHECK_EQ eax, esi, "IRET back to CPL 3 restores ESP"
        ; A DPL-0 gate: #GP with the IDT bit set, error = vector*8+2
        ; (SDM vol. 2, INT n; vol. 3, 6.13).
        TRY int V_KERNGATE
        CHECK_FAULT X_GP, V_KERNGATE * 8 + 2, "INT n from CPL 3 through a DPL-0 gate: #GP(vector*8+2)"
        ; A DPL-3 gate to DPL-3 code: the handler runs at CPL 3 on the
        ; same stack, frame EFLAGS CS EIP (SDM vol. 3, 6.12.1).
        mov esi, esp
        TRY int V_USERCODE
        CHECK_EQ [U_CS], UCODE | 3, "INT to DPL-3 code: the handler runs at CPL 3"
        sub esi, 12
        CHECK_EQ [U_ESP], esi, "INT to DPL-3 code: no stack switch, 3 dwords pushed"
        ; INT3 (CC) is checked against the gate DPL too (SDM vol. 2, INT n).
        TRY int3
        CHECK_FAULT X_GP, X_BP * 8 + 2, "INT3 from CPL 3 through a DPL-0 gate: #GP(3*8+2)"
        USER_EXIT

U_CS    equ scratch + 48
U_ESP   equ scratch + 52

user_handler:
        push eax
        xor eax, eax
        mov ax, cs
        mov [gs:U_CS], eax
        lea eax, [esp + 4]
        mov [gs:U_ESP], eax
        pop eax
        iretd

; IRET to CPL 3 checks the SS it will load: RPL must equal the new CPL
; (SDM vol. 2, IRET RETURN-TO-OUTER-PRIVILEGE-LEVEL); JMP to a code
; segment that is not present is #NP(selector).
test_bad_returns:
        push dword UDATA                ; SS with RPL 0
        push dword USER_STACK_TOP
        push dword 2
        push dword UCODE | 3
        push dword lar_nothing
        TRY iretd
        add esp, 20
        CHECK_FAULT X_GP, UDATA, "IRET to CPL 3 with SS.RPL 0: #GP(SS selector)"
        TRY jmp NP_CODE:0
        CHECK_FAULT X_NP, NP_CODE, "far JMP to a not-present code segment: #NP(selector)"
        ret

; ---------------------------------------------------------------------
; 5. IRET to an outer level nulls data segment registers whose DPL is
; below the new CPL -- data and non-conforming code only (SDM vol. 2,
; IRET, RETURN-TO-OUTER-PRIVILEGE-LEVEL).

test_iret_nulls_segments:
        mov ax, KDATA                   ; DPL 0: nulled
        mov ds, ax
        mov ax, UDATA | 3               ; DPL 3: kept
        mov es, ax
        mov ax, CONF_CODE               ; conforming code: kept
        mov fs, ax
        mov eax, user_after_iret
        mov edx, 2
        call run_user_segs
        CHECK_EQ [scratch], 0, "IRET to CPL 3 nulls DS holding DPL-0 data"
        CHECK_EQ [scratch + 4], UDATA | 3, "IRET to CPL 3 keeps ES holding DPL-3 data"
        CHECK_EQ [scratch + 8], CONF_CODE, "IRET to CPL 3 keeps FS holding conforming code"
        ret

user_after_iret:
        xor eax, eax
        mov ax, ds
        mov [gs:scratch], eax
        mov ax, es
        mov [gs:scratch + 4], eax
        mov ax, fs
        mov [gs:scratch + 8], eax
        USER_EXIT

; ---------------------------------------------------------------------
; With IOPL 3, CPL 3 may use CLI, STI and every port; POPF still cannot
; change IOPL (SDM vol. 2, POPF: only CPL 0 changes IOPL).

user_iopl3:
        TRY cli
        CHECK_NO_FAULT "CLI at CPL 3 with IOPL 3"
        TRY in al, 0x80
        CHECK_NO_FAULT "IN at CPL 3 with IOPL 3 ignores the bitmap"
        push dword 2                    ; IOPL 0
        popfd
        pushfd
        pop eax
        and eax, FL_IOPL3
        CHECK_EQ eax, FL_IOPL3, "POPF at CPL 3 leaves IOPL unchanged"
        USER_EXIT

        ROM_END
