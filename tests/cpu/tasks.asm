; tasks.asm -- hardware task switching.
;
; A task is described by a TSS: the processor saves the running task's
; registers into its TSS and loads the next task's from another.  Switches
; happen on JMP or CALL to a TSS or a task gate, on INT or an exception
; through a task gate in the IDT, and on IRET with EFLAGS.NT set.
;
;   1. JMP to a task and back: busy bits, saved and loaded registers, TR,
;      LDTR, CR0.TS
;   2. CALL to a task and IRET back: NT and the back link
;   3. a task gate in the GDT, a task gate in the IDT, a 16-bit TSS
;   4. what is refused: a busy task (#GP), IRET to a task that is not busy (#TS)
;   5. a double fault handled by its own task: a #GP whose gate is not
;      present becomes #NP, and #NP during #GP delivery is #DF
;
; References are to the Intel SDM, volume 3, chapter 7 (task management)
; and 6.15 (#DF), and volume 2 (JMP, CALL, IRET).

%include "harness.inc"

TSS_B       equ 0x48    ; reached with JMP
TSS_C       equ 0x50    ; reached with CALL
TSS_D       equ 0x58    ; reached through the GDT task gate
GATE_D      equ 0x60    ; task gate -> TSS_D
TSS_E       equ 0x68    ; reached through the IDT task gate (INT V_TASK)
TSS_DF      equ 0x70    ; the double-fault task
LDT_B       equ 0x78    ; task B's LDT
TSS_16      equ 0x80    ; a 16-bit task
TSS_TS      equ 0x88    ; the #TS task
RO_DATA     equ 0x90    ; read-only data: a bad stack segment

B_BASE      equ 0x6000
C_BASE      equ 0x6100
D_BASE      equ 0x6200
E_BASE      equ 0x6300
DF_BASE     equ 0x6400
T16_BASE    equ 0x6500
TS_BASE     equ 0x6600
LDT_B_BASE  equ 0x2000

V_TASK      equ 0x50

align 8
prog_gdt:
        DESC B_BASE, 0x67, 0x89, 0x0            ; 48h P DPL0 type 1001b: available 32-bit TSS
        DESC C_BASE, 0x67, 0x89, 0x0            ; 50h
        DESC D_BASE, 0x67, 0x89, 0x0            ; 58h
        dw 0, TSS_D, 0x8500, 0                  ; 60h task gate: P DPL0 type 0101b, TSS selector
        DESC E_BASE, 0x67, 0x89, 0x0            ; 68h
        DESC DF_BASE, 0x67, 0x89, 0x0           ; 70h
        DESC LDT_B_BASE, 7, 0x82, 0x0           ; 78h LDT with one descriptor
        DESC T16_BASE, 0x2B, 0x81, 0x0          ; 80h type 0001b: available 16-bit TSS
        DESC TS_BASE, 0x67, 0x89, 0x0           ; 88h
        DESC 0, 0xFFFFF, 0x91, 0xC              ; 90h read-only data, DPL 0
prog_gdt_end:

; 32-bit TSS fields (SDM vol. 3, 7.2.1, figure 7-2).
T_LINK  equ 0x00
T_CR3   equ 0x1C
T_EIP   equ 0x20
T_EFL   equ 0x24
T_EAX   equ 0x28
T_EBX   equ 0x34
T_ESP   equ 0x38
T_ES    equ 0x48
T_CS    equ 0x4C
T_SS    equ 0x50
T_DS    equ 0x54
T_FS    equ 0x58
T_GS    equ 0x5C
T_LDT   equ 0x60
T_IOMAP equ 0x66

; Access byte of a TSS descriptor: 89h available, 8Bh busy.
%define TSS_TYPE(sel) byte [GDT_BASE + (sel) + 5]

; init_tss: EDI = TSS base, EAX = EIP, EBX = ESP.  A CPL-0 task with the
; harness's flat segments and IF clear.
init_tss:
        push eax
        push ecx
        push edi
        mov ecx, 0x68 / 4
        xor eax, eax
        rep stosd
        pop edi
        pop ecx
        pop eax
        mov [edi + T_EIP], eax
        mov [edi + T_ESP], ebx
        mov dword [edi + T_EFL], 2
        mov dword [edi + T_CS], KCODE
        mov dword [edi + T_SS], KDATA
        mov dword [edi + T_DS], KDATA
        mov dword [edi + T_ES], KDATA
        mov dword [edi + T_FS], KDATA
        mov dword [edi + T_GS], UDATA | 3
        mov word [edi + T_IOMAP], 0x68
        ret

main:
        mov edi, B_BASE
        mov eax, task_b
        mov ebx, 0x50000
        call init_tss
        mov dword [B_BASE + T_EAX], 0xB0B0B0B0  ; registers the switch will load
        mov dword [B_BASE + T_EBX], 0xB1B1B1B1
        mov dword [B_BASE + T_LDT], LDT_B
        mov dword [B_BASE + T_LINK], 0x1234     ; JMP does not write the back link
        mov edi, C_BASE
        mov eax, task_c
        mov ebx, 0x51000
        call init_tss
        mov edi, D_BASE
        mov eax, task_d
        mov ebx, 0x52000
        call init_tss
        mov edi, E_BASE
        mov eax, task_e
        mov ebx, 0x53000
        call init_tss
        mov edi, DF_BASE
        mov eax, task_df
        mov ebx, 0x54000
        call init_tss
        call init_tss16
        mov dword [LDT_B_BASE], 0               ; task B's LDT: one null-ish entry
        mov dword [LDT_B_BASE + 4], 0

        call test_jmp
        call test_call_iret
        call test_gates
        call test_refused
        call test_task16
        call test_debug_trap
        call test_exception_classes
        call test_ts_task
        call test_double_fault
        ret

; ---------------------------------------------------------------------
; 1. JMP to a task and back (SDM vol. 3, 7.3 and table 7-2: JMP clears the
; old task's busy bit and sets the new one's; NT and the link untouched).

test_jmp:
        mov eax, 0xA1A1A1A1             ; saved into our TSS by the switch
        mov ebx, 0xA2A2A2A2
        jmp TSS_B:0                     ; the offset is ignored
.back:                                  ; task B jumps back to here
        CHECK_EQ eax, 0xA1A1A1A1, "JMP back: our EAX reloaded from our TSS"
        CHECK_EQ ebx, 0xA2A2A2A2, "JMP back: our EBX reloaded from our TSS"
        xor eax, eax
        str ax
        CHECK_EQ eax, TSS_SEL, "JMP back: TR is our TSS again"
        movzx eax, TSS_TYPE(TSS_SEL)
        CHECK_EQ eax, 0x8B, "JMP back: our TSS busy again"
        movzx eax, TSS_TYPE(TSS_B)
        CHECK_EQ eax, 0x89, "JMP back: task B's TSS available again"
        CHECK_EQ [B_BASE + T_EIP], task_b.after_jmp, "JMP back: task B's EIP saved in its TSS"
        sldt ax
        movzx eax, ax
        CHECK_EQ eax, 0, "JMP back: LDTR loaded from our TSS (0)"
        clts
        ret

task_b:
        ; Registers come from TSS_B; TR, LDTR and the busy bits have changed.
        CHECK_EQ eax, 0xB0B0B0B0, "task B: EAX loaded from its TSS"
        CHECK_EQ ebx, 0xB1B1B1B1, "task B: EBX loaded from its TSS"
        xor eax, eax
        str ax
        CHECK_EQ eax, TSS_B, "task B: TR holds its TSS selector"
        sldt ax
        CHECK_EQ eax, LDT_B, "task B: LDTR loaded from its TSS"
        movzx eax, TSS_TYPE(TSS_B)
        CHECK_EQ eax, 0x8B, "task B: its TSS is busy"
        movzx eax, TSS_TYPE(TSS_SEL)
        CHECK_EQ eax, 0x89, "task B: JMP cleared the old task's busy bit"
        pushfd
        pop eax
        and eax, FL_NT
        CHECK_EQ eax, 0, "task B: NT clear after JMP"
        movzx eax, word [B_BASE + T_LINK]
        CHECK_EQ eax, 0x1234, "task B: JMP leaves the back link alone"
        ; The old task's state went to its TSS: EIP after the JMP, EAX.
        CHECK_EQ [TSS_BASE + T_EIP], test_jmp.back, "task B: old EIP saved (the next instruction)"
        CHECK_EQ [TSS_BASE + T_EAX], 0xA1A1A1A1, "task B: old EAX saved"
        mov eax, cr0
        and eax, 8
        CHECK_EQ eax, 8, "task B: a task switch sets CR0.TS (SDM vol. 3, 2.5)"
        jmp TSS_SEL:0
.after_jmp:
        jmp task_b

; ---------------------------------------------------------------------
; 2. CALL to a task: the new task's back link gets the caller's TSS
; selector and NT is set; the caller stays busy.  IRET with NT set returns
; through the back link (SDM vol. 3, 7.4, table 7-2).

test_call_iret:
        call TSS_C:0
        CHECK_EQ [scratch], TSS_SEL, "task C: back link = caller's TSS"
        CHECK_EQ [scratch + 4], FL_NT, "task C: NT set by CALL"
        CHECK_EQ [scratch + 8], 0x8B, "task C: the caller stays busy"
        CHECK_EQ [scratch + 12], 0x8B, "task C: its TSS busy"
        movzx eax, TSS_TYPE(TSS_C)
        CHECK_EQ eax, 0x89, "IRET from task C: its TSS available again"
        movzx eax, TSS_TYPE(TSS_SEL)
        CHECK_EQ eax, 0x8B, "IRET from task C: our TSS still busy"
        mov eax, [C_BASE + T_EFL]
        and eax, FL_NT
        CHECK_EQ eax, 0, "IRET from task C: NT cleared in C's saved EFLAGS"
        pushfd
        pop eax
        and eax, FL_NT
        CHECK_EQ eax, 0, "IRET from task C: our NT is clear"
        clts
        ret

task_c:
        movzx eax, word [C_BASE + T_LINK]
        mov [scratch], eax
        pushfd
        pop eax
        and eax, FL_NT
        mov [scratch + 4], eax
        movzx eax, TSS_TYPE(TSS_SEL)
        mov [scratch + 8], eax
        movzx eax, TSS_TYPE(TSS_C)
        mov [scratch + 12], eax
        iretd
        jmp task_c

; ---------------------------------------------------------------------
; 3. Task gates: in the GDT (reached with CALL) and in the IDT (INT n).
; The gate names the TSS; the switch is the same as a CALL to it (SDM vol.
; 3, 7.3 and 6.12.2).

test_gates:
        mov dword [scratch], 0
        call GATE_D:0
        CHECK_EQ [scratch], TSS_D, "CALL through a GDT task gate: TR = the gate's TSS"
        CHECK_EQ [scratch + 4], TSS_SEL, "task gate: back link = caller's TSS"
        mov eax, V_TASK
        mov bx, TSS_E
        xor edx, edx
        mov cl, 0x85                    ; P DPL0 type 0101b: task gate
        call set_idt_gate
        mov dword [scratch], 0
        int V_TASK
        CHECK_EQ [scratch], TSS_E, "INT through an IDT task gate: TR = the gate's TSS"
        CHECK_EQ [scratch + 4], TSS_SEL, "IDT task gate: back link = interrupted task"
        CHECK_EQ [scratch + 8], FL_NT, "IDT task gate: NT set in the handler task"
        clts
        ret

; Tasks D and E run the same code: record TR, the back link of the current
; TSS and NT, then return to the caller with IRET.
task_d:
task_e:
        xor eax, eax
        str ax
        mov [scratch], eax
        movzx ebx, word [D_BASE + T_LINK]
        cmp eax, TSS_E
        jne .link
        movzx ebx, word [E_BASE + T_LINK]
.link:  mov [scratch + 4], ebx
        pushfd
        pop eax
        and eax, FL_NT
        mov [scratch + 8], eax
        iretd
        jmp task_d

; ---------------------------------------------------------------------
; 4. Refusals.  A busy task cannot be entered by JMP or CALL: #GP(TSS
; selector).  IRET with NT returns to the back link, which must be busy:
; #TS(selector) (SDM vol. 2, JMP, CALL and IRET "TASK-RETURN").

test_refused:
        TRY call TSS_SEL:0
        CHECK_FAULT X_GP, TSS_SEL, "CALL to our own (busy) task: #GP(selector)"
        TRY jmp TSS_SEL:0
        CHECK_FAULT X_GP, TSS_SEL, "JMP to a busy task: #GP(selector)"
        mov word [TSS_BASE + T_LINK], TSS_B     ; available, not busy
        pushfd
        or dword [esp], FL_NT
        popfd
        TRY iretd
        pushfd
        and dword [esp], ~FL_NT
        popfd
        CHECK_FAULT X_TS, TSS_B, "IRET with NT to a task that is not busy: #TS(selector)"
        mov word [TSS_BASE + T_LINK], 0
        ret

; ---------------------------------------------------------------------
; A 16-bit TSS (SDM vol. 3, 7.6, figure 7-11): IP, FLAGS, AX..DI and ES CS
; SS DS, no FS/GS.

init_tss16:
        mov edi, T16_BASE
        mov ecx, 0x2C / 2
        xor eax, eax
        rep stosw
        mov word [T16_BASE + 0x0E], task16 - ROM_BASE   ; IP
        mov word [T16_BASE + 0x10], 2                   ; FLAGS
        mov word [T16_BASE + 0x12], 0x1616              ; AX
        mov word [T16_BASE + 0x1A], 0xE000              ; SP
        mov word [T16_BASE + 0x22], KDATA16             ; ES
        mov word [T16_BASE + 0x24], KCODE16             ; CS
        mov word [T16_BASE + 0x26], KDATA16             ; SS
        mov word [T16_BASE + 0x28], KDATA16             ; DS
        ret

test_task16:
        mov dword [scratch], 0
        mov dword [scratch + 4], 0
        mov dword [scratch + 8], 0
        call TSS_16:0
        CHECK_EQ [scratch], 0x1616, "16-bit task: AX loaded from its TSS"
        CHECK_EQ [scratch + 4], TSS_16, "16-bit task: TR"
        CHECK_EQ [scratch + 8], FL_NT, "16-bit task: NT set by CALL"
        movzx eax, word [T16_BASE]
        CHECK_EQ eax, TSS_SEL, "16-bit task: back link"
        movzx eax, TSS_TYPE(TSS_16)
        CHECK_EQ eax, 0x81, "16-bit task: available again after IRET"
        clts
        ret

bits 16
task16:
        mov [gs:scratch], eax           ; GS is not in a 16-bit TSS: still ours
        str ax
        mov [gs:scratch + 4], ax
        pushf
        pop ax
        and ax, FL_NT
        mov [gs:scratch + 8], ax
        iret                            ; 16-bit IRET, NT set: task return
        jmp task16
bits 32

; ---------------------------------------------------------------------
; The T bit of a TSS (byte 64h, bit 0): a debug exception right after a
; switch to the task, before its first instruction, with DR6.BT set (SDM
; vol. 3, 7.2.1 and 17.3.1.5).

D_COUNT equ scratch + 32
D_EIP   equ scratch + 36
D_TR    equ scratch + 40
D_DR6   equ scratch + 44

test_debug_trap:
        mov edi, C_BASE
        mov eax, task_t
        mov ebx, 0x51000
        call init_tss
        mov word [C_BASE + 0x64], 1     ; T
        mov eax, X_DB
        mov bx, KCODE
        mov edx, t_db_handler
        mov cl, 0x8E
        call set_idt_gate
        xor eax, eax
        mov dr6, eax
        mov dword [D_COUNT], 0
        call TSS_C:0
        CHECK_EQ [D_COUNT], 1, "TSS T bit: one #DB on the switch into the task"
        CHECK_EQ [D_EIP], task_t, "TSS T bit: #DB before the task's first instruction"
        CHECK_EQ [D_TR], TSS_C, "TSS T bit: #DB taken in the new task"
        mov eax, [D_DR6]
        and eax, 0x8000
        CHECK_EQ eax, 0x8000, "TSS T bit: DR6.BT set"
        mov eax, X_DB                   ; the harness handler again
        mov bx, KCODE
        mov edx, exc_stubs + X_DB * STUB_SIZE
        mov cl, 0x8E
        call set_idt_gate
        clts
        ret

task_t:
        iretd
        jmp task_t

t_db_handler:
        push eax
        inc dword [D_COUNT]
        mov eax, [esp + 4]
        mov [D_EIP], eax
        xor eax, eax
        str ax
        mov [D_TR], eax
        mov eax, dr6
        mov [D_DR6], eax
        pop eax
        iretd

; ---------------------------------------------------------------------
; An exception while delivering another (SDM vol. 3, 6.15, table 6-5):
; benign then contributory is handled serially (the second is delivered);
; contributory then contributory is a double fault.

test_exception_classes:
        mov byte [IDT_BASE + X_UD * 8 + 5], 0x0E        ; #UD gate not present
        TRY ud2
        mov byte [IDT_BASE + X_UD * 8 + 5], 0x8E
        CHECK_FAULT X_NP, X_UD * 8 + 2 + 1, "#UD through a not-present gate: #NP(6*8+IDT+EXT), not #DF"
        mov byte [IDT_BASE + X_DE * 8 + 5], 0x0E        ; #DE gate not present
        xor ecx, ecx
        TRY div ecx
        mov byte [IDT_BASE + X_DE * 8 + 5], 0x8E
        ; (the saved EIP of a #DF is undefined: only vector and error are checked)
        CHECK_EQ [exc_vector], X_DF, "#DE through a not-present gate: #NP during #DE is #DF"
        CHECK_EQ [exc_error], 0, "#DF error code is 0"
        ret

; ---------------------------------------------------------------------
; A stack switch needs a valid SS0 in the TSS; a read-only one is
; #TS(SS0 selector) (SDM vol. 2, INT n; vol. 3, 6.15 interrupt 10).
; Delivering that #TS would need the same bad stack, so #TS goes to a
; task gate, whose task repairs SS0 and sends the interrupted task on.

V_USER  equ 0x42

test_ts_task:
        mov edi, TS_BASE
        mov eax, task_ts
        mov ebx, 0x55000
        call init_tss
        mov eax, X_TS
        mov bx, TSS_TS
        xor edx, edx
        mov cl, 0x85
        call set_idt_gate
        mov eax, V_USER
        mov cl, 0xEE                    ; DPL 3
        call set_idt_access
        mov word [TSS_BASE + 8], RO_DATA        ; SS0: not writable
        mov eax, user_ts
        call run_user
        movzx eax, word [TSS_BASE + 8]
        CHECK_EQ eax, KDATA, "the #TS task restored SS0"
        mov eax, X_TS
        mov bx, KCODE
        mov edx, exc_stubs + X_TS * STUB_SIZE
        mov cl, 0x8E
        call set_idt_gate
        clts
        ret

user_ts:
        TRY int V_USER
        CHECK_FAULT X_TS, RO_DATA, "INT from CPL 3 with a read-only SS0: #TS(SS0)"
        USER_EXIT

; The #TS task: it does what the harness's handler does -- record, and
; resume the interrupted task after the faulting instruction.
task_ts:
        mov dword [exc_vector], X_TS
        mov eax, [esp]
        mov [exc_error], eax
        mov eax, [TSS_BASE + T_EIP]
        mov [exc_eip], eax
        mov word [TSS_BASE + 8], KDATA          ; repair SS0
        mov eax, [fault_resume]
        mov [TSS_BASE + T_EIP], eax
        mov dword [fault_resume], 0
        add esp, 4
        iretd
        jmp task_ts

; ---------------------------------------------------------------------
; 5. The double fault (SDM vol. 3, 6.15 interrupt 8, table 6-5): a
; contributory exception (#NP) while delivering another (#GP) is #DF.  An
; OS handles #DF with a task gate, so it runs on a known-good stack.  The
; error code (always 0) is pushed on the new task's stack (SDM vol. 3,
; 6.12.2).  The interrupted task's saved CS:EIP is undefined after a #DF,
; so the #DF task sends it on at a chosen place.

test_double_fault:
        mov eax, X_DF
        mov bx, TSS_DF
        xor edx, edx
        mov cl, 0x85
        call set_idt_gate
        mov byte [IDT_BASE + X_GP * 8 + 5], 0x0E    ; #GP gate not present
        mov dword [scratch + 16], 0xFFFFFFFF
        mov ax, GDT_LIMIT + 1
        mov ds, ax                      ; #GP -> #NP (gate) -> #DF (task gate)
.resume:
        mov ax, KDATA
        mov ds, ax
        CHECK_EQ [scratch], TSS_DF, "#DF task: TR = the #DF TSS"
        CHECK_EQ [scratch + 4], TSS_SEL, "#DF task: back link = the faulting task"
        CHECK_EQ [scratch + 8], FL_NT, "#DF task: NT set"
        CHECK_EQ [scratch + 12], 0, "#DF task: error code 0 on its stack"
        CHECK_EQ [scratch + 16], 0x54000 - 4, "#DF task: ESP from its TSS minus the error code"
        movzx eax, TSS_TYPE(TSS_DF)
        CHECK_EQ eax, 0x89, "#DF task: available again after its IRET"
        movzx eax, byte [IDT_BASE + X_GP * 8 + 5]
        CHECK_EQ eax, 0x8E, "#DF task repaired the #GP gate"
        TRY mov ax, [gs:GDT_LIMIT + 1]  ; GS limit is 4 GiB: no fault, just a sanity run
        CHECK_NO_FAULT "exceptions work again after the #DF"
        clts
        ret

task_df:
        xor eax, eax
        str ax
        mov [scratch], eax
        movzx eax, word [DF_BASE + T_LINK]
        mov [scratch + 4], eax
        pushfd
        pop eax
        and eax, FL_NT
        mov [scratch + 8], eax
        mov eax, [esp]
        mov [scratch + 12], eax
        mov [scratch + 16], esp
        mov byte [IDT_BASE + X_GP * 8 + 5], 0x8E    ; repair the #GP gate
        mov dword [TSS_BASE + T_EIP], test_double_fault.resume
        add esp, 4
        iretd                           ; NT: back to the interrupted task
        jmp task_df

        ROM_END
