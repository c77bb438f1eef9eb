; bench_pm.asm -- the protected-mode benchmark for the pc-test machine.
;
; The 32-bit counterpart of bench_real.asm: it enters protected mode with
; flat 4 GiB segments, turns paging on (the first 8 MiB identity-mapped
; with 4 KiB pages, so every access goes through the TLB), and runs a
; fixed amount of ordinary 32-bit work: ALU operations on registers and
; memory, loads and stores through base+index*scale addressing, calls and
; returns, conditional branches, LOOP, REP MOVSD / REP STOSD / REPE CMPSD
; over 4 KiB blocks, IMUL and DIV, and a walk over 64 pages with a 4 KiB
; stride that keeps the TLB busy.
;
; At the end it prints "bench_pm: checksum XXXXXXXX" on the debug console
; (port 0xE9) and exits through port 0xF4 with 0 when the checksum is
; EXPECTED, 1 when it is not, 2 when a self-check (block copy, compare,
; division) failed.  Any fault ends the
; run with a triple fault, which the pc-test machine reports (exit 4).
; Needs -m 16.

bits 16
cpu 686
org 0xF000

DEBUG_PORT equ 0xE9
EXIT_PORT  equ 0xF4
OUTER      equ 2000
INNER      equ 100
EXPECTED   equ 0x47B73E41      ; confirmed by running this image as QEMU's BIOS

PD         equ 0x00080000       ; page directory
PT0        equ 0x00081000       ; two page tables: 8 MiB
SRC        equ 0x00200000       ; 4 KiB blocks above 1 MiB
DST        equ 0x00201000
WALK       equ 0x00300000       ; 64 pages walked with a 4 KiB stride
STACK_TOP  equ 0x00400000
; Labels are offsets in segment F000 (org 0xF000); flat 32-bit code sees
; them at linear 0xF0000 + label.
LINEAR     equ 0xF0000

start16:
        cli
        xor     ax, ax
        mov     ds, ax
        o32 lgdt [cs:gdt_desc]
        mov     eax, cr0
        or      al, 1
        mov     cr0, eax
        jmp     dword 0x08:start32 + LINEAR

        align 8
gdt:    dq      0
        dq      0x00CF9A000000FFFF      ; 0x08: flat code, 32-bit
        dq      0x00CF92000000FFFF      ; 0x10: flat data
gdt_desc:
        dw      gdt_desc - gdt - 1
        dd      gdt + LINEAR

bits 32
start32:
        mov     ax, 0x10
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     esp, STACK_TOP

        ; Page tables: identity map 0-8 MiB, present + writable.
        mov     edi, PT0
        mov     eax, 0x003
        mov     ecx, 2048
.pte:   mov     [edi], eax
        add     eax, 0x1000
        add     edi, 4
        loop    .pte
        mov     dword [PD], PT0 + 3
        mov     dword [PD + 4], PT0 + 0x1000 + 3
        mov     eax, PD
        mov     cr3, eax
        mov     eax, cr0
        or      eax, 0x80000000
        mov     cr0, eax

        ; Initial data.
        mov     edi, SRC
        mov     eax, 0x12345678
        mov     ecx, 1024
.fill:  stosd
        rol     eax, 3
        add     eax, ecx
        loop    .fill

        xor     ebp, ebp                ; checksum
        xor     esi, esi                ; error count
        mov     ebx, OUTER
.outer: mov     ecx, INNER
.inner: push    ecx
        call    kernel
        pop     ecx
        loop    .inner
        dec     ebx
        jnz     .outer

        ; Report.
        mov     edx, ebp
        mov     edi, msg + LINEAR
        call    print
        mov     ecx, 8
.hex:   rol     edx, 4
        mov     al, dl
        and     al, 0x0F
        add     al, '0'
        cmp     al, '9'
        jbe     .digit
        add     al, 'A' - '9' - 1
.digit: out     DEBUG_PORT, al
        loop    .hex
        mov     al, 10
        out     DEBUG_PORT, al
        mov     al, 2
        test    esi, esi
        jnz     .exit
        cmp     ebp, EXPECTED
        setne   al
.exit:  out     EXIT_PORT, al
        hlt

; The work of one iteration.  Uses eax, ecx, edx, edi; updates ebp, esi.
kernel:
        ; ALU on registers and memory.
        mov     eax, ebp
        imul    eax, eax, 1103515245
        add     eax, 12345
        xor     [SRC + 4 * 7], eax
        add     ebp, [SRC + 4 * 7]
        mov     ecx, ebx
        and     ecx, 1023
        add     ebp, [SRC + ecx * 4]
        rol     ebp, 5
        ; Branches, taken and not.
        test    ebp, 1
        jz      .even
        inc     ebp
        jmp     .joined
.even:  sub     ebp, 3
.joined:
        ; Division, checked.
        mov     eax, ebp
        and     eax, 0x7FFFFFFF
        xor     edx, edx
        mov     ecx, 1009
        div     ecx
        mov     ecx, eax
        imul    ecx, 1009
        add     ecx, edx
        mov     eax, ebp
        and     eax, 0x7FFFFFFF
        cmp     eax, ecx
        je      .div_ok
        inc     esi
.div_ok:
        add     ebp, edx
        ; Walk 64 pages, one dword each.
        mov     ecx, 64
        mov     edi, WALK
.walk:  add     [edi], ebp
        add     ebp, [edi]
        add     edi, 4096 + 4
        loop    .walk
        ; Every 16th iteration: a block copy and compare.
        test    ebx, 15
        jnz     .done
        push    esi
        mov     esi, SRC
        mov     edi, DST
        mov     ecx, 1024
        rep     movsd
        mov     esi, SRC
        mov     edi, DST
        mov     ecx, 1024
        repe    cmpsd
        pop     esi
        je      .same
        inc     esi
.same:  mov     edi, DST
        mov     eax, ebp
        mov     ecx, 256
        rep     stosd
.done:  ret

print:  mov     al, [edi]
        test    al, al
        jz      .ret
        out     DEBUG_PORT, al
        inc     edi
        jmp     print
.ret:   ret

msg     db      "bench_pm: checksum ", 0

bits 16
        times 0xFF0 - ($ - $$) db 0xFF
reset:  jmp     0xF000:start16
        times 0x1000 - ($ - $$) db 0
