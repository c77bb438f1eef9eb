; spin.asm -- a pc-test program that never ends.
;
; It says so on the debug console (port 0xE9) and then jumps to itself
; forever, never writing the test-exit port: the program for testing
; `trapeze --max-cycles`, which must stop it (exit status 3).

bits 16
cpu 8086
org 0xF000

DEBUG_PORT equ 0xE9

start:
        cli
        mov     si, message
.print:
        cs lodsb
        test    al, al
        jz      .spin
        out     DEBUG_PORT, al
        jmp     .print
.spin:
        jmp     .spin

message db "spinning forever", 10, 0

        times 0xFF0 - ($ - $$) db 0xFF
reset:  jmp     0xF000:start            ; F000:FFF0, the reset vector
        times 0x1000 - ($ - $$) db 0xFF
