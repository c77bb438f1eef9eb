; hello.s: the smallest mini6502 program.  It prints a line through the
; console device, one STA per character, and ends with the exit hypercall.
;
;   (in roms/6502) cl65 -t none -C mini6502.cfg -o hello.rom hello.s
;   trapeze --machine mini6502 hello.rom

        .include "mini6502.inc"

        .code
reset:  ldx     #$FF            ; a known stack
        txs
        ldx     #0
next:   lda     message,x       ; the next character...
        beq     done            ; ...until the terminating zero
        sta     CONSOLE_DATA    ; a write cycle to $FFF0 prints it
        inx
        bne     next
done:   lda     #0              ; exit status 0
        jmp     HC_EXIT

nmi:
irq:    rti

        .rodata
message:
        .byte   "Hello, world!", 10, 0

        .segment "VECTORS"
        .word   nmi, reset, irq
