; keyecho.asm -- a boot sector that echoes the keyboard, for the window
; tests (tests/guests/sdl-window.sh).
;
; Loaded by the BIOS at 0000:7C00 as a hard-disk MBR.  It hides the text
; cursor (so two pictures of the screen taken a moment apart are the same),
; prints a prompt, then reads keys through INT 16h and writes each
; character to the screen (INT 10h teletype) and to COM1.  Enter starts a
; new line with a new prompt; Esc powers the machine off through the
; PIIX4's ACPI registers.  F2 switches to a 1920x1080 32-bit VBE mode
; (through the Bochs DISPI registers) filled with a smooth test picture --
; red grows to the right (x/8), green downwards (y/8), blue along the
; diagonal ((x+y)/16) -- so a scaled copy of it differs little from the
; original.  Other keys without a character (arrows, F-keys) are ignored.

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

        com1_init

        mov     ah, 0x01            ; cursor shape: CH bit 5 = invisible
        mov     cx, 0x2000
        int     0x10

        mov     si, banner
        call    print
prompt:
        mov     si, prompt_text
        call    print
.key:   xor     ah, ah              ; wait for a key: AH scan code, AL character
        int     0x16
        cmp     al, 27
        je      power_off
        cmp     al, 13
        je      .enter
        cmp     ax, 0x3C00          ; F2
        jne     .char
        call    vbe_picture
        jmp     .key
.char:  cmp     al, 0x20
        jb      .key                ; no character, or a control key
        cmp     al, 0x7E
        ja      .key
        call    putc
        jmp     .key
.enter: mov     si, newline
        call    print
        jmp     prompt

; Power off: the PM I/O base is in PCI 00:01.3, register 40h.
power_off:
        mov     si, bye
        call    print
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
.hang:  cli
        hlt
        jmp     .hang

; 1920x1080x32 through DISPI (index port 0x1CE, data 0x1CF), drawn through
; the 64 KiB bank window at A000:0000: 127 banks of 16384 pixels.  The
; window must be mapped at A0000 (GR06), which the VBE BIOS would do.
vbe_picture:
        mov     si, vbe_regs
.reg:   lodsw
        cmp     ax, 0xFFFF
        je      .fill
        mov     dx, 0x1CE
        out     dx, ax
        lodsw
        inc     dx
        out     dx, ax
        jmp     .reg
.fill:  mov     dx, 0x3CE           ; graphics controller: GR06 = 05h, memory
        mov     ax, 0x0506          ; map A0000-AFFFF, graphics (what a VBE BIOS sets)
        out     dx, ax
        push    es
        mov     ax, 0xA000
        mov     es, ax
        cld
        xor     bx, bx              ; x
        xor     bp, bp              ; y
        xor     cx, cx              ; the bank
.bank:  mov     dx, 0x1CE
        mov     ax, 5               ; VBE_DISPI_INDEX_BANK
        out     dx, ax
        inc     dx
        mov     ax, cx
        out     dx, ax
        xor     di, di
.pixel: movzx   eax, bx             ; red: x / 8
        shr     eax, 3
        shl     eax, 16
        movzx   edx, bp             ; green: y / 8
        shr     edx, 3
        shl     edx, 8
        or      eax, edx
        movzx   edx, bx             ; blue: (x + y) / 16
        add     dx, bp
        shr     edx, 4
        or      eax, edx
        stosd
        inc     bx
        cmp     bx, 1920
        jb      .next
        xor     bx, bx
        inc     bp
.next:  test    di, di
        jnz     .pixel
        inc     cx
        cmp     cx, 127
        jb      .bank
        pop     es
        mov     si, vbe_done        ; on COM1 only: the screen is a picture now
.say:   lodsb
        test    al, al
        jz      .said
        call    serial_putc
        jmp     .say
.said:  ret

; The NUL-terminated string at DS:SI to the screen and COM1.
print:
        lodsb
        test    al, al
        jz      .done
        call    putc
        jmp     print
.done:  ret

putc:
        push    ax
        mov     ah, 0x0E
        mov     bx, 0x0007
        int     0x10
        pop     ax
serial_putc:
        push    ax
        mov     dx, COM1 + 5
.wait:  in      al, dx
        test    al, 0x20            ; THR empty
        jz      .wait
        pop     ax
        mov     dx, COM1
        out     dx, al
        ret

banner      db "Trapeze key echo: type a line, Esc powers off", 13, 10, 0
prompt_text db "> ", 0
newline     db 13, 10, 0
bye         db 13, 10, "bye", 13, 10, 0
vbe_done    db 13, 10, "picture done", 13, 10, 0
; DISPI index, value pairs: off, 1920 x 1080, 32 bits, on (banked).
vbe_regs    dw 4, 0, 1, 1920, 2, 1080, 3, 32, 4, 0x01, 0xFFFF

        times 510 - ($ - $$) db 0
        dw      0xAA55
