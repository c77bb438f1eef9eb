; beep.asm -- a boot sector that plays two tones on the PC speaker, for
; the sound test (tests/guests/speaker-wav.sh).
;
; PIT counter 2 in mode 3 (square wave) drives the speaker while port 61h
; bits 0 (counter 2 gate) and 1 (speaker data) are set.  The tones:
;   1000 Hz (divisor 1193: 1193182 / 1193 = 1000.15 Hz) for 500 ms,
;   100 ms of silence,
;   2000 Hz (divisor 597: 1998.63 Hz) for 250 ms.
; Time is measured by counting flips of port 61h bit 4, the refresh
; request toggle, which changes every 18 PIT clocks (15.0857 us) -- the
; way firmware times short delays.  Then "beep done" goes to COM1 and the
; machine powers off through the PIIX4's ACPI registers.

bits 16
cpu 386
org 0x7C00

%include "com1.inc"
FLIPS_PER_100MS equ 6629            ; 100 ms / 15.0857 us

start:
        cli
        xor     ax, ax
        mov     ds, ax
        mov     ss, ax
        mov     sp, 0x7C00

        com1_init

        mov     bx, 1193
        call    tone_on
        mov     cx, 5 * FLIPS_PER_100MS
        call    wait_flips
        call    tone_off
        mov     cx, FLIPS_PER_100MS
        call    wait_flips
        mov     bx, 597
        call    tone_on
        mov     cx, 25 * FLIPS_PER_100MS / 10
        call    wait_flips
        call    tone_off

        mov     si, done
.print: lodsb
        test    al, al
        jz      power_off
        mov     ah, al
        mov     dx, COM1 + 5
.wait:  in      al, dx
        test    al, 0x20            ; THR empty
        jz      .wait
        mov     al, ah
        mov     dx, COM1
        out     dx, al
        jmp     .print

; Power off: the PM I/O base is in PCI 00:01.3, register 40h.
power_off:
        mov     eax, 0x8000_0B40
        mov     dx, 0xCF8
        out     dx, eax
        mov     dx, 0xCFC
        in      eax, dx
        and     ax, 0xFFC0
        add     ax, 4               ; PMCNTRL
        mov     dx, ax
        mov     ax, 0x2000          ; SUS_EN, SUS_TYP 0: soft off
        out     dx, ax
.hang:  hlt
        jmp     .hang

; Counter 2 divides by BX in mode 3; the gate and the speaker go on.
tone_on:
        mov     al, 0xB6            ; counter 2, LSB then MSB, mode 3, binary
        out     0x43, al
        mov     ax, bx
        out     0x42, al
        mov     al, ah
        out     0x42, al
        in      al, 0x61
        or      al, 0x03
        out     0x61, al
        ret

tone_off:
        in      al, 0x61
        and     al, 0xFC
        out     0x61, al
        ret

; Wait for CX flips of the refresh toggle (port 61h bit 4).
wait_flips:
        in      al, 0x61
        and     al, 0x10
        mov     ah, al
.same:  in      al, 0x61
        and     al, 0x10
        cmp     al, ah
        je      .same
        mov     ah, al
        loop    .same
        ret

done    db "beep done", 13, 10, 0

        times 510 - ($ - $$) db 0
        dw      0xAA55
