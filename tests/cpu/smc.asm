; smc.asm -- self-modifying code under paging.
;
; Instructions are bytes in memory: when a program writes over code and
; then executes it, the processor must run the new bytes.  (An emulator
; that decodes instructions once and keeps the result must notice.)
;
;   1. a write to the next instruction, to one further ahead, and by a
;      string instruction, all in the page being executed
;   2. a loop that rewrites its own body
;   3. a write through a second linear address of the same physical page,
;      then execution through the first
;   4. an instruction that straddles two pages, rewritten in the second
;   5. a page table change that maps other code at the same linear address
;
; The rules: Intel SDM vol. 3, 11.6 "Self-modifying code": on P6-family
; processors a write to an instruction already fetched or decoded is
; detected -- by linear address for the prefetched bytes, by physical
; address for the caches -- and the new instruction executes; code that
; must run on every IA-32 processor puts a jump between the write and the
; execution (also 8.1.3).

%include "harness.inc"

align 8
prog_gdt:
prog_gdt_end:

PD      equ 0x100000
PT0     equ 0x101000    ; identity map of 0-4 MiB
PT1     equ 0x102000    ; linear 400000h-7FFFFFh
CODE_PHYS equ 0x300000  ; two physical pages of code: 300000h and 301000h
WRITE_ALIAS equ 0x500000 ; -> CODE_PHYS (two pages)
EXEC_ALIAS equ 0x600000  ; -> CODE_PHYS (two pages)
REMAP_LIN equ 0x602000   ; -> 302000h, then 303000h
PG_PRW  equ 0x003       ; present, writable

%define PTE(lin) dword [PT1 + (((lin) - 0x400000) >> 12) * 4]

; COPY template, destination: copy a code template to RAM.
%macro COPY 2
        mov esi, %1
        mov edi, %2
        mov ecx, %1 %+ _end - %1
        rep movsb
%endmacro

main:
        call setup_paging
        call test_same_page
        call test_loop
        call test_alias
        call test_straddle
        call test_remap
        call test_patch_in_handler
        ret

setup_paging:
        mov edi, PD
        mov ecx, 3 * 1024
        xor eax, eax
        rep stosd
        mov edi, PT0
        mov eax, PG_PRW
        mov ecx, 1024
.id:    stosd
        add eax, 0x1000
        loop .id
        mov dword [PD + 0], PT0 | PG_PRW
        mov dword [PD + 4], PT1 | PG_PRW
        mov PTE(WRITE_ALIAS), CODE_PHYS | PG_PRW
        mov PTE(WRITE_ALIAS + 0x1000), CODE_PHYS + 0x1000 | PG_PRW
        mov PTE(EXEC_ALIAS), CODE_PHYS | PG_PRW
        mov PTE(EXEC_ALIAS + 0x1000), CODE_PHYS + 0x1000 | PG_PRW
        mov PTE(REMAP_LIN), 0x302000 | PG_PRW
        mov eax, PD
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        jmp .on
.on:    ret

; ---------------------------------------------------------------------
; 1. Writes ahead in the page being executed.  Each template runs at the
; address in EBX.

test_same_page:
        COPY tpl_next, CODE_PHYS
        mov ebx, CODE_PHYS
        call ebx
        movzx eax, al
        CHECK_EQ eax, 0x42, "write to the very next instruction: the new byte runs"
        COPY tpl_ahead, CODE_PHYS + 0x40
        mov ebx, CODE_PHYS + 0x40
        call ebx
        movzx eax, al
        CHECK_EQ eax, 0x43, "write to an instruction a few ahead: the new byte runs"
        COPY tpl_movs, CODE_PHYS + 0x80
        mov ebx, CODE_PHYS + 0x80
        call ebx
        CHECK_EQ eax, 0x22222222, "REP MOVSB over the next instruction: the new one runs"
        ; Run it again: the bytes are the new ones from the start now.
        mov ebx, CODE_PHYS + 0x80
        call ebx
        CHECK_EQ eax, 0x22222222, "the rewritten code runs again unchanged"
        COPY tpl_push, CODE_PHYS + 0xC0
        mov ebx, CODE_PHYS + 0xC0
        call ebx
        CHECK_EQ eax, 0x77777777, "PUSH with ESP inside the code: the pushed bytes run"
        ret

tpl_next:
        mov byte [ebx + .op + 1 - tpl_next], 0x42
.op:    mov al, 0x11                    ; B0 11: the write changes the 11h
        ret
tpl_next_end:

tpl_ahead:
        mov byte [ebx + .op + 1 - tpl_ahead], 0x43
        xor ecx, ecx
        inc ecx
        nop
        nop
.op:    mov al, 0x11
        ret
tpl_ahead_end:

tpl_movs:
        lea esi, [ebx + .new - tpl_movs]
        lea edi, [ebx + .op - tpl_movs]
        mov ecx, 5
        rep movsb
.op:    mov eax, 0x11111111             ; replaced by the 5 bytes at .new
        ret
.new:   mov eax, 0x22222222
tpl_movs_end:

tpl_push:
        mov edi, esp
        lea esp, [ebx + .op + 5 - tpl_push]     ; the stack ends after the immediate
        push dword 0x77777777                   ; writes .op+1 .. .op+4
        mov esp, edi
.op:    mov eax, 0x11111111
        ret
tpl_push_end:

; ---------------------------------------------------------------------
; 2. A loop whose body changes the immediate of an instruction it has
; already executed: each pass must see the byte the last one wrote.

test_loop:
        COPY tpl_loop, CODE_PHYS + 0x100
        mov ebx, CODE_PHYS + 0x100
        call ebx
        CHECK_EQ eax, 0 + 1 + 2 + 3 + 4, "a loop rewriting its own body: 0+1+2+3+4"
        ret

tpl_loop:
        xor eax, eax
        mov ecx, 5
.top:
.op:    add eax, byte 0                 ; 83 C0 ib
        inc byte [ebx + .op + 2 - tpl_loop]
        loop .top
        ret
tpl_loop_end:

; ---------------------------------------------------------------------
; 3. Two linear addresses, one physical page: write through one, execute
; through the other.  The cached code is found by physical address (SDM
; vol. 3, 11.6).

test_alias:
        COPY tpl_value, CODE_PHYS + 0x200
        mov eax, EXEC_ALIAS + 0x200
        call eax
        CHECK_EQ eax, 0x11111111, "code run through the execute alias"
        mov dword [WRITE_ALIAS + 0x200 + 1], 0x33333333
        mov eax, EXEC_ALIAS + 0x200
        call eax
        CHECK_EQ eax, 0x33333333, "after a write through the other alias: the new code runs"
        ; The same from inside: code running at the execute alias rewrites
        ; an instruction ahead through the write alias, then jumps to it.
        COPY tpl_self_alias, CODE_PHYS + 0x300
        mov ebx, EXEC_ALIAS + 0x300
        mov edx, WRITE_ALIAS + 0x300
        call ebx
        CHECK_EQ eax, 0x44444444, "code rewriting itself through an alias, then a jump"
        ret

tpl_value:
        mov eax, 0x11111111             ; B8 imm32: the immediate is at +1
        ret
tpl_value_end:

tpl_self_alias:
        mov dword [edx + .op + 1 - tpl_self_alias], 0x44444444
        jmp .op
.op:    mov eax, 0x11111111
        ret
tpl_self_alias_end:

; ---------------------------------------------------------------------
; 4. An instruction across a page boundary: B8 and two immediate bytes at
; the end of the first page, two more bytes and RET in the second.
; Writing the second page must drop the decoded instruction that starts
; in the first.

STRADDLE equ 0xFFD

test_straddle:
        COPY tpl_straddle, CODE_PHYS + STRADDLE
        mov eax, EXEC_ALIAS + STRADDLE
        call eax
        CHECK_EQ eax, 0x55555555, "an instruction straddling two pages runs"
        mov byte [WRITE_ALIAS + STRADDLE + 4], 0x66     ; top byte: in the second page
        mov eax, EXEC_ALIAS + STRADDLE
        call eax
        CHECK_EQ eax, 0x66555555, "its bytes in the second page rewritten: the new value"
        ret

tpl_straddle:
        mov eax, 0x55555555
        ret
tpl_straddle_end:

; ---------------------------------------------------------------------
; 5. Remapping: the same linear address, another physical page of code,
; after INVLPG (SDM vol. 3, 4.10.4).

test_remap:
        COPY tpl_code_a, 0x302000
        COPY tpl_code_b, 0x303000
        mov eax, REMAP_LIN
        call eax
        CHECK_EQ eax, 0xAAAAAAAA, "code page A at the remapped address"
        mov PTE(REMAP_LIN), 0x303000 | PG_PRW
        invlpg [REMAP_LIN]
        mov eax, REMAP_LIN
        call eax
        CHECK_EQ eax, 0xBBBBBBBB, "PTE changed and INVLPG: code page B runs"
        ret

tpl_code_a:
        mov eax, 0xAAAAAAAA
        ret
tpl_code_a_end:

tpl_code_b:
        mov eax, 0xBBBBBBBB
        ret
tpl_code_b_end:

; ---------------------------------------------------------------------
; 6. A fault handler patches the faulting instruction and returns to it:
; UD2 becomes two NOPs, and the IRET re-executes the patched bytes (faults
; return to the faulting instruction: SDM vol. 3, 6.5).

test_patch_in_handler:
        COPY tpl_patched, CODE_PHYS + 0x400
        mov eax, X_UD
        mov bx, KCODE
        mov edx, patch_ud_handler
        mov cl, 0x8E
        call set_idt_gate
        mov ebx, CODE_PHYS + 0x400
        call ebx
        CHECK_EQ eax, 0x0BADC0DE, "a #UD handler patched UD2 into NOPs: they ran"
        CHECK_EQ [scratch], 1, "the patching handler ran once"
        ret

tpl_patched:
        mov eax, 0x0BAD0000
        ud2
        mov ax, 0xC0DE
        ret
tpl_patched_end:

patch_ud_handler:
        push eax
        mov eax, [esp + 4]              ; the faulting EIP
        mov word [eax], 0x9090          ; NOP NOP
        inc dword [scratch]
        pop eax
        iretd

        ROM_END
