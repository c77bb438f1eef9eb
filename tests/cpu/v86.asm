; v86.asm -- virtual-8086 mode.
;
; A protected-mode task can run real-mode code with EFLAGS.VM set: segment
; registers work as in real mode (base = selector * 16), the code runs at
; CPL 3, and a monitor at CPL 0 sees every interrupt and every sensitive
; instruction.
;
;   1. IRET with VM=1 in the image enters virtual-8086 mode
;   2. INT n goes to the CPL-0 handler on the TSS stack, with the V86
;      segment registers saved in the frame and nulled
;   3. with IOPL < 3, CLI STI PUSHF POPF INT n IRET raise #GP(0)
;   4. IN/OUT are checked against the TSS I/O bitmap whatever IOPL is
;   5. exceptions from virtual-8086 mode
;
; References are to the Intel SDM, volume 3, chapter 20 (8086 emulation),
; and volume 1, 18.5 (I/O permission bitmap).

%include "harness.inc"

align 8
prog_gdt:
prog_gdt_end:

V_SOFT      equ 0x60    ; DPL-3 interrupt gate to CPL-0 code
V_BADTARGET equ 0x61    ; DPL-3 gate to DPL-3 code: not allowed from V86

RESULTS     equ 0x7000  ; V86_TRY results (below the V86 stack at 0:8000)
V86_BASICS  equ 0x7800  ; what the V86 code stores about itself
V86_TEMP    equ 0x7900

; V86_TRY slot, instruction: TRY16 in virtual-8086 mode, keeping the result
; in slot `slot` for the CPL-0 side to check (the next TRY16 overwrites
; exc_*).
%macro V86_TRY 2+
        TRY16 %2
        mov [gs:V86_TEMP], eax          ; (not PUSH: the test may break the stack)
        mov eax, [gs:exc_vector]
        mov [gs:RESULTS + (%1) * 16], eax
        mov eax, [gs:exc_error]
        mov [gs:RESULTS + (%1) * 16 + 4], eax
        mov eax, [gs:exc_eip]
        mov [gs:RESULTS + (%1) * 16 + 8], eax
        mov eax, [gs:fault_at]
        mov [gs:RESULTS + (%1) * 16 + 12], eax
        mov eax, [gs:V86_TEMP]
%endmacro

; V86_TRY_TRAP slot, instruction: the same for an instruction that traps:
; the exception is reported after it.
%macro V86_TRY_TRAP 2+
        V86_TRY %1, %2
        mov [gs:V86_TEMP], eax
        mov eax, [gs:fault_next]
        mov [gs:RESULTS + (%1) * 16 + 12], eax
        mov eax, [gs:V86_TEMP]
%endmacro

; CHECK_V86 slot, vector, error, "what": CHECK_FAULT on a V86_TRY result.
%macro CHECK_V86 4+
        mov esi, RESULTS + (%1) * 16
        call load_v86_result
        CHECK_FAULT %2, %3, %4
%endmacro

load_v86_result:
        mov eax, [esi]
        mov [exc_vector], eax
        mov eax, [esi + 4]
        mov [exc_error], eax
        mov eax, [esi + 8]
        mov [exc_eip], eax
        mov eax, [esi + 12]
        mov [fault_at], eax
        ret

; io_allow: clear the I/O bitmap bit of port EAX.
io_allow:
        btr [TSS_BASE + TSS_IOMAP], eax
        ret

main:
        mov eax, V_SOFT
        mov cl, 0xEE                    ; P DPL3 32-bit interrupt gate
        call set_idt_access
        mov eax, V_BADTARGET
        mov bx, UCODE | 3
        mov edx, user_handler
        mov cl, 0xEE
        call set_idt_gate
        ; Ports the V86 code may use: 80h, 86h-87h, 27Ch-280h, FFFFh.
        mov eax, 0x80
        call io_allow
        mov eax, 0x86
        call io_allow
        mov eax, 0x87
        call io_allow
        mov eax, 0x27C
.allow: call io_allow
        inc eax
        cmp eax, 0x280
        jbe .allow
        mov eax, 0xFFFF
        call io_allow

        call test_v86_entry_and_int
        call test_iopl0
        call test_io_bitmap
        ret

user_handler:
        iretd

; ---------------------------------------------------------------------
; 1 and 2. Entering V86 mode with IOPL 3, and INT n from it.

test_v86_entry_and_int:
        mov dword [0x12350], 0
        mov ax, v86_basics - ROM_BASE
        mov edx, FL_IOPL3 | 2
        call run_v86
        ; IRET with VM=1 loaded CS and SS as real-mode selectors (SDM vol.
        ; 3, 20.2.1 and vol. 2, IRET "RETURN-TO-VIRTUAL-8086-MODE").
        CHECK_EQ [V86_BASICS], ROM_BASE >> 4, "V86 entry: CS from the IRET frame"
        CHECK_EQ [V86_BASICS + 4], V86_SP, "V86 entry: SP from the IRET frame"
        mov eax, [V86_BASICS + 8]
        and eax, FL_VM | FL_IOPL3
        CHECK_EQ eax, FL_IOPL3, "V86: PUSHFD stores IOPL and clears VM in the image"
        CHECK_EQ [0x12350], 0x7E57AB1E, "V86: DS=1234h, offset 10h is linear 12350h"

        ; INT n from V86 (IOPL 3) through a DPL-3 gate to CPL-0 code: a
        ; stack switch to SS0:ESP0 and the frame GS FS DS ES SS ESP EFLAGS
        ; CS EIP; DS ES FS GS are then nulled (SDM vol. 3, 20.3.1.1, figure
        ; 20-5; vol. 2, INT n "INTERRUPT-FROM-VIRTUAL-8086-MODE").
        mov esi, V86_BASICS + 16
        call load_v86_result
        CHECK_EQ [exc_vector], V_SOFT, "INT n from V86 reaches the CPL-0 handler"
        CHECK_EQ [exc_esp], ISTACK_TOP - 36, "INT from V86: 9-dword frame at ESP0"
        CHECK_EQ [V86_BASICS + 32], [V86_BASICS + 36], "INT from V86: the pushed EIP is the next IP"
        CHECK_EQ [V86_BASICS + 40], ROM_BASE >> 4, "INT from V86: the pushed CS"
        mov eax, [V86_BASICS + 44]
        and eax, FL_VM | FL_IOPL3
        CHECK_EQ eax, FL_VM | FL_IOPL3, "INT from V86: the pushed EFLAGS has VM set"
        CHECK_EQ [V86_BASICS + 48], V86_SP, "INT from V86: the pushed ESP"
        CHECK_EQ [V86_BASICS + 52], 0, "INT from V86: the pushed SS"
        CHECK_EQ [V86_BASICS + 56], 0x2222, "INT from V86: the pushed ES"
        CHECK_EQ [V86_BASICS + 60], 0x5555, "INT from V86: the pushed DS"
        CHECK_EQ [V86_BASICS + 64], 0x4444, "INT from V86: the pushed FS"
        CHECK_EQ [V86_BASICS + 68], 0, "INT from V86: the pushed GS"
        CHECK_EQ [V86_BASICS + 72], 0, "INT from V86: DS null in the handler"
        CHECK_EQ [V86_BASICS + 76], 0, "INT from V86: ES null in the handler"
        CHECK_EQ [V86_BASICS + 80], 0, "INT from V86: FS null in the handler"
        CHECK_EQ [V86_BASICS + 84], 0x5555, "IRET to V86 reloads DS from the frame"
        CHECK_EQ [V86_BASICS + 88], 0x4444, "IRET to V86 reloads FS from the frame"
        mov eax, [V86_BASICS + 92]
        and eax, FL_IF
        CHECK_EQ eax, 0, "CLI with IOPL 3 in V86 clears IF"
        mov eax, [V86_BASICS + 96]
        and eax, FL_IF | FL_IOPL3
        CHECK_EQ eax, FL_IF | FL_IOPL3, "POPFD in V86 sets IF, cannot change IOPL"
        ; A gate whose code is not DPL 0 cannot be used from V86:
        ; #GP(code selector) (SDM vol. 2, INT n).
        CHECK_V86 0, X_GP, UCODE, "INT from V86 to DPL-3 code: #GP(code selector)"
        ; Even with IOPL 3, V86 I/O goes through the bitmap (SDM vol. 3, 20.2.8.1).
        CHECK_V86 1, X_GP, 0, "IN from V86 with IOPL 3, port denied by the bitmap: #GP(0)"
        ; Exceptions leave V86 mode through the IDT like interrupts.
        CHECK_V86 2, X_DE, NO_ERR, "DIV by zero in V86: #DE to the CPL-0 handler"
        CHECK_V86 3, X_UD, NO_ERR, "UD2 in V86: #UD"
        CHECK_V86 4, X_GP, 0, "HLT in V86 (CPL 3): #GP(0)"
        ; Offsets are limited to 64 KiB: a word at FFFFh is #GP(0) (SDM vol.
        ; 3, 20.2.1 and 20.1.1).
        CHECK_V86 5, X_GP, 0, "V86: a word at offset FFFFh: #GP(0)"
        CHECK_V86 6, X_GP, 0, "V86: a 32-bit offset above FFFFh: #GP(0)"
        CHECK_V86 7, X_SS, 0, "V86: a push wrapping below SP=1: #SS(0)"
        CHECK_EQ [V86_BASICS + 100], 0x1234, "IRET in V86 with IOPL 3: a real-mode IRET"
        ret

bits 16
v86_basics:
        mov ax, cs
        mov [gs:V86_BASICS], ax
        mov [gs:V86_BASICS + 4], sp
        pushfd
        pop eax
        mov [gs:V86_BASICS + 8], eax
        ; Real-mode addressing: base = selector * 16.
        mov ax, 0x1234
        mov ds, ax
        mov dword [0x10], 0x7E57AB1E
        ; INT n with recognisable segment registers.
        mov ax, 0x2222
        mov es, ax
        mov ax, 0x4444
        mov fs, ax
        mov ax, 0x5555
        mov ds, ax
        TRY16 int V_SOFT
        mov ax, ds
        mov [gs:V86_BASICS + 84], ax
        mov ax, fs
        mov [gs:V86_BASICS + 88], ax
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov fs, ax
        ; Keep what the handler recorded.
        mov eax, [gs:exc_vector]
        mov [gs:V86_BASICS + 16], eax
        mov eax, [gs:exc_error]
        mov [gs:V86_BASICS + 20], eax
        mov eax, [gs:exc_eip]
        mov [gs:V86_BASICS + 24], eax
        mov eax, [gs:fault_at]
        mov [gs:V86_BASICS + 28], eax
        mov eax, [gs:exc_frame]         ; EIP
        mov [gs:V86_BASICS + 32], eax
        mov eax, [gs:fault_next]
        mov [gs:V86_BASICS + 36], eax
        mov si, 4
.frame: mov eax, [gs:exc_frame + si]    ; CS EFLAGS ESP SS ES DS FS GS
        mov [gs:V86_BASICS + 36 + si], eax
        add si, 4
        cmp si, 32
        jbe .frame
        mov eax, [gs:exc_ds]
        mov [gs:V86_BASICS + 72], eax
        mov eax, [gs:exc_es]
        mov [gs:V86_BASICS + 76], eax
        mov eax, [gs:exc_fs]
        mov [gs:V86_BASICS + 80], eax
        ; CLI/STI/POPF work with IOPL 3; POPF cannot change IOPL.
        cli
        pushfd
        pop eax
        mov [gs:V86_BASICS + 92], eax
        push dword FL_IF | 2            ; IOPL 0, IF set
        popfd
        pushfd
        pop eax
        mov [gs:V86_BASICS + 96], eax
        cli
        V86_TRY 0, int V_BADTARGET
        V86_TRY 1, in al, 0x81
        xor dx, dx
        xor ax, ax
        xor bx, bx
        V86_TRY 2, div bx
        V86_TRY 3, ud2
        V86_TRY 4, hlt
        V86_TRY 5, mov ax, [0xFFFF]
        V86_TRY 6, mov al, [dword 0x10000]
        mov bx, sp
        mov sp, 1
        V86_TRY 7, push ax
        mov sp, bx
        ; IRET with IOPL 3 pops IP, CS, FLAGS like real mode.
        pushf
        push cs
        push word .after - ROM_BASE
        mov word [gs:V86_BASICS + 100], 0
        iret
        mov word [gs:V86_BASICS + 100], 0xDEAD
.after: add word [gs:V86_BASICS + 100], 0x1234
        USER_EXIT
bits 32

; ---------------------------------------------------------------------
; 3. IOPL < 3: the IOPL-sensitive instructions fault to the monitor, which
; would emulate them (SDM vol. 3, 20.2.7; without CR4.VME).

test_iopl0:
        mov ax, v86_iopl0 - ROM_BASE
        mov edx, 2                      ; IOPL 0
        call run_v86
        CHECK_V86 0, X_GP, 0, "CLI in V86 with IOPL 0: #GP(0)"
        CHECK_V86 1, X_GP, 0, "STI in V86 with IOPL 0: #GP(0)"
        CHECK_V86 2, X_GP, 0, "PUSHF in V86 with IOPL 0: #GP(0)"
        CHECK_V86 3, X_GP, 0, "PUSHFD in V86 with IOPL 0: #GP(0)"
        CHECK_V86 4, X_GP, 0, "POPF in V86 with IOPL 0: #GP(0)"
        CHECK_V86 5, X_GP, 0, "INT n in V86 with IOPL 0: #GP(0)"
        CHECK_V86 6, X_GP, 0, "IRET in V86 with IOPL 0: #GP(0)"
        CHECK_V86 7, NO_FAULT, 0, "IN in V86 with IOPL 0 from a port the bitmap allows"
        ; Only INT n is IOPL-sensitive: INT3 (CC) goes through the IDT and
        ; the gate's DPL decides (SDM vol. 2, INT n "IF VM = 1 and IOPL < 3
        ; AND INT n").
        CHECK_V86 8, X_GP, X_BP * 8 + 2, "INT3 in V86, IOPL 0, DPL-0 gate: #GP(3*8+2)"
        CHECK_V86 9, X_BP, NO_ERR, "INT3 in V86, IOPL 0, DPL-3 gate: #BP at CPL 0, after the INT3"
        CHECK_V86 10, NO_FAULT, 0, "CPUID in V86 mode"
        CHECK_EQ [V86_BASICS], 0x5A5A, "the faulting PUSHF/POPF left SP and memory alone"
        ret

bits 16
v86_iopl0:
        V86_TRY 0, cli
        V86_TRY 1, sti
        mov bx, sp
        V86_TRY 2, pushf
        V86_TRY 3, pushfd
        push word 0x5A5A
        V86_TRY 4, popf
        pop ax
        sub bx, sp                      ; 0 if SP came back
        add ax, bx
        mov [gs:V86_BASICS], ax
        V86_TRY 5, int V_SOFT
        push word 0
        push cs
        push word .after - ROM_BASE
        V86_TRY 6, iret
        add sp, 6
.after:
        V86_TRY 7, in al, 0x80
        V86_TRY 8, int3
        mov byte [gs:IDT_BASE + X_BP * 8 + 5], 0xEE    ; (IDT writable: no paging here)
        V86_TRY_TRAP 9, int3
        mov byte [gs:IDT_BASE + X_BP * 8 + 5], 0x8E
        xor eax, eax
        V86_TRY 10, cpuid
        USER_EXIT                       ; INT faults with IOPL 0: still leaves
bits 32

; ---------------------------------------------------------------------
; 4. The I/O permission bitmap: one bit per port, every byte of a multi-
; byte access must be allowed, and the processor reads two bitmap bytes,
; hence the all-ones byte after the map (SDM vol. 1, 18.5.2, figure 18-2).

test_io_bitmap:
        mov ax, v86_io - ROM_BASE
        mov edx, 2
        call run_v86
        CHECK_V86 0, NO_FAULT, 0, "IN AL from allowed port 80h"
        CHECK_V86 1, X_GP, 0, "IN AL from denied port 81h: #GP(0)"
        CHECK_V86 2, X_GP, 0, "OUT to denied port 81h: #GP(0)"
        CHECK_V86 3, NO_FAULT, 0, "IN AX from 86h-87h, both allowed"
        CHECK_V86 4, X_GP, 0, "IN AX from 87h-88h, 88h denied: #GP(0)"
        CHECK_V86 5, NO_FAULT, 0, "IN EAX from 27Ch-27Fh (one bitmap byte)"
        CHECK_V86 6, NO_FAULT, 0, "IN EAX from 27Dh-280h (across two bitmap bytes)"
        CHECK_V86 7, X_GP, 0, "IN EAX from 27Eh-281h, 281h denied: #GP(0)"
        CHECK_V86 8, NO_FAULT, 0, "IN AL from port FFFFh, allowed"
        CHECK_V86 9, X_GP, 0, "IN AX from port FFFFh: the byte after the map denies: #GP(0)"
        CHECK_V86 10, NO_FAULT, 0, "OUT DX, AL to allowed port 80h"
        ret

bits 16
v86_io:
        V86_TRY 0, in al, 0x80
        V86_TRY 1, in al, 0x81
        V86_TRY 2, out 0x81, al
        V86_TRY 3, in ax, 0x86
        V86_TRY 4, in ax, 0x87
        mov dx, 0x27C
        V86_TRY 5, in eax, dx
        inc dx
        V86_TRY 6, in eax, dx
        inc dx
        V86_TRY 7, in eax, dx
        mov dx, 0xFFFF
        V86_TRY 8, in al, dx
        V86_TRY 9, in ax, dx
        mov dx, 0x80
        V86_TRY 10, out dx, al
        USER_EXIT
bits 32

        ROM_END
