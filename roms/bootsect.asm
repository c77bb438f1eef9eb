; bootsect.asm -- a boot sector for the PC machine's boot tests.
;
; The BIOS loads it at 0000:7C00 from a floppy, a hard disk or (as an El
; Torito no-emulation image) a CD-ROM, with the boot drive in DL.  It
; prints a line naming the drive to the screen (INT 10h teletype) and to
; COM1 (polling the 16550's line status), then powers the machine off
; through the PIIX4's ACPI registers (SLP_TYP 0 = S5, SLP_EN).

bits 16
cpu 386
org 0x7C00

%include "com1.inc"

start:
        cli
        xor     ax, ax
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     sp, 0x7C00
        sti
        mov     [boot_drive], dl

        com1_init

        mov     si, msg
        call    print
        mov     al, [boot_drive]
        call    print_hex
        mov     si, msg_end
        call    print

        ; Power off: find the PM I/O base in PCI 00:01.3, register 40h.
        mov     eax, 0x8000_0B40
        mov     dx, 0xCF8
        out     dx, eax
        mov     dx, 0xCFC
        in      eax, dx
        and     ax, 0xFFC0
        add     ax, 4               ; PMCNTRL
        mov     dx, ax
        mov     ax, 0x2000          ; SUS_EN with SUS_TYP 0: soft off
        out     dx, ax
.hang:  cli
        hlt
        jmp     .hang

; Print the NUL-terminated string at DS:SI on the screen and COM1.
print:
        lodsb
        test    al, al
        jz      .done
        call    putc
        jmp     print
.done:  ret

; Print AL as two hex digits.
print_hex:
        push    ax
        shr     al, 4
        call    .digit
        pop     ax
        and     al, 0x0F
.digit: add     al, '0'
        cmp     al, '9'
        jbe     putc
        add     al, 'A' - '9' - 1
putc:
        push    ax
        mov     ah, 0x0E
        mov     bx, 0x0007
        int     0x10
        mov     dx, COM1 + 5
.wait:  in      al, dx
        test    al, 0x20            ; THR empty
        jz      .wait
        pop     ax
        mov     dx, COM1
        out     dx, al
        ret

msg     db "Trapeze boot sector: booted from drive 0x", 0
msg_end db 13, 10, 0
boot_drive db 0

        times 510 - ($ - $$) db 0
        dw      0xAA55
