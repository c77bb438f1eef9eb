; timer_irq.s: interrupts on the mini6502.  The timer raises IRQ every
; 40 x 256 = 10240 cycles; the handler acknowledges it, counts and prints
; a line; the main program waits until five have happened, then exits.
;
;   (in roms/6502) cl65 -t none -C mini6502.cfg -o timer_irq.rom timer_irq.s
;   trapeze --machine mini6502 timer_irq.rom

        .include "mini6502.inc"

TICKS   = 5

        .zeropage
ticks:  .res    1               ; written by the interrupt handler
ptr:    .res    2               ; string pointer for puts

        .code
reset:  ldx     #$FF
        txs
        lda     #0
        sta     ticks
        lda     #40             ; period: 40 x 256 cycles
        sta     TIMER_PERIOD
        lda     #TIMER_ENABLE
        sta     TIMER_CONTROL
        cli                     ; let IRQ in

wait:   lda     ticks           ; the main program only watches the counter
        cmp     #TICKS
        bne     wait

        sei
        lda     #0              ; stop the timer
        sta     TIMER_CONTROL
        lda     #<bye
        ldx     #>bye
        jsr     puts
        lda     #0
        jmp     HC_EXIT

; IRQ handler: the CPU has pushed PC and P and set I.
irq:    pha
        txa
        pha
        lda     #TIMER_ACK | TIMER_ENABLE   ; lower IRQ, keep counting
        sta     TIMER_CONTROL
        inc     ticks
        lda     #<tick
        ldx     #>tick
        jsr     puts
        lda     ticks
        ora     #'0'            ; one digit is enough for TICKS < 10
        sta     CONSOLE_DATA
        lda     #10
        sta     CONSOLE_DATA
        pla
        tax
        pla
        rti                     ; pulls P (I clear again) and PC

nmi:    rti

; puts: print the zero-terminated string at A (low), X (high).
puts:   sta     ptr
        stx     ptr+1
        ldy     #0
@loop:  lda     (ptr),y
        beq     @done
        sta     CONSOLE_DATA
        iny
        bne     @loop
@done:  rts

        .rodata
tick:   .byte   "timer interrupt ", 0
bye:    .byte   "five interrupts served, bye", 10, 0

        .segment "VECTORS"
        .word   nmi, reset, irq
