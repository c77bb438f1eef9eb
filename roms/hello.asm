; hello.asm -- the first program for the pc-test machine.
;
; The CPU starts at F000:FFF0, sixteen bytes below the top of the first
; megabyte; this image is one 4 KiB page ending there.  It prints a greeting
; and the processor generation it finds (using the classic FLAGS tests that
; tell an 8086 from a 286 from a 386 and later) on the debug console at port
; 0xE9, then reports success on the test-exit port 0xF4.

bits 16
cpu 386
org 0xF000

DEBUG_PORT equ 0xE9
EXIT_PORT  equ 0xF4

start:
        cli
        xor     ax, ax
        mov     ss, ax
        mov     sp, 0x7000
        push    cs
        pop     ds

        mov     si, msg_hello
        call    print

        ; 8086: FLAGS bits 12-15 always read as 1.
        pushf
        pop     ax
        and     ax, 0x0FFF
        push    ax
        popf
        pushf
        pop     ax
        and     ax, 0xF000
        cmp     ax, 0xF000
        mov     si, msg_8086
        je      .found

        ; 286 in real mode: bits 12-15 cannot be set.
        or      ax, 0xF000
        push    ax
        popf
        pushf
        pop     ax
        test    ax, 0xF000
        mov     si, msg_286
        jz      .found

        ; 386: the AC flag (bit 18) cannot be changed; 486: it can.
        pushfd
        pop     eax
        mov     ebx, eax
        xor     eax, 0x40000
        push    eax
        popfd
        pushfd
        pop     eax
        xor     eax, ebx
        test    eax, 0x40000
        mov     si, msg_386
        jz      .found

        ; 486 without CPUID: the ID flag (bit 21) cannot be changed.
        mov     eax, ebx
        xor     eax, 0x200000
        push    eax
        popfd
        pushfd
        pop     eax
        xor     eax, ebx
        test    eax, 0x200000
        mov     si, msg_486
        jz      .found
        mov     si, msg_586
.found:
        call    print

        mov     al, 0
        out     EXIT_PORT, al
        hlt
        jmp     $

; Print the NUL-terminated string at DS:SI.
print:
        lodsb
        test    al, al
        jz      .done
        out     DEBUG_PORT, al
        jmp     print
.done:
        ret

msg_hello db "Hello from Trapeze!", 10, "This processor is ", 0
msg_8086  db "an 8086.", 10, 0
msg_286   db "an 80286.", 10, 0
msg_386   db "an 80386.", 10, 0
msg_486   db "an 80486 (no CPUID).", 10, 0
msg_586   db "a CPUID-capable processor (Pentium or later).", 10, 0

        times 0xFF0 - ($ - $$) db 0xFF
reset:  jmp     0xF000:start            ; F000:FFF0, the reset vector
        times 0x1000 - ($ - $$) db 0
