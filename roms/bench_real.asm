; bench_real.asm -- the real-mode benchmark for the pc-test machine.
;
; A fixed amount of ordinary 16-bit work, the mix a DOS-era program does:
; ALU operations on registers and memory, loads and stores through several
; addressing modes, calls and returns, conditional branches taken and not
; taken, LOOP, REP STOSW / REP MOVSW / REPE CMPSW over 2 KiB blocks, REPE
; CMPSB on a string, MUL and DIV.  It uses only 8086 instructions and no
; flag an instruction leaves undefined, so every processor model computes
; the same checksum.
;
; At the end it prints "bench_real: checksum XXXX" on the debug console
; (port 0xE9) and writes to the test-exit port (0xF4):
;   0  the checksum is EXPECTED and every self-check passed
;   1  the checksum differs from EXPECTED
;   2  a self-check failed (a block copy, a string compare or a division
;      gave a wrong result)
; EXPECTED was confirmed under QEMU, whose CPU owes nothing to Trapeze's:
; padded in front to 64 KiB, the image runs as QEMU's BIOS with
;   qemu-system-i386 -display none -bios PADDED.bin -debugcon file:OUT
;       -device isa-debug-exit,iobase=0xf4,iosize=1
; prints the same checksum and exits with QEMU's status for 0, (0 << 1) | 1.
;
; The work is OUTER * INNER calls of `kernel`, about 550 instructions each
; (165 million in all).

bits 16
cpu 8086
org 0xF000

DEBUG_PORT equ 0xE9
EXIT_PORT  equ 0xF4

OUTER      equ 300
INNER      equ 1000
EXPECTED   equ 0x43C7

; Data in RAM (DS = ES = SS = 0).
seed       equ 0x0500
checksum   equ 0x0502
errors     equ 0x0504
odd_count  equ 0x0506
iters_lo   equ 0x0508
iters_hi   equ 0x050A
quot       equ 0x050C
rem        equ 0x050E
SRC        equ 0x1000          ; 1024 words; the first 32 are the walked array
TABLE      equ 0x1800          ; 32 words: i * i
DST        equ 0x2000          ; 1024 words
STR1       equ 0x3000          ; 32 bytes
STR2       equ 0x3040          ; 32 bytes, differing from STR1 at byte 21
STACK_TOP  equ 0x7000
BLOCK_WORDS equ 1024
STR_LEN    equ 32
STR_DIFF   equ 21

start:
        cli
        xor     ax, ax
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     sp, STACK_TOP
        cld
        call    init_data

        mov     word [iters_hi], OUTER
.outer:
        mov     word [iters_lo], INNER
.inner:
        call    kernel
        dec     word [iters_lo]
        jnz     .inner
        dec     word [iters_hi]
        jnz     .outer

        mov     si, msg_checksum
        call    print
        mov     ax, [checksum]
        call    print_hex16
        mov     al, 10
        out     DEBUG_PORT, al

        mov     al, 2
        cmp     word [errors], 0
        jne     .exit
        mov     al, 1
        cmp     word [checksum], EXPECTED
        jne     .exit
        mov     al, 0
.exit:
        out     EXIT_PORT, al
.halt:
        hlt
        jmp     .halt

; ---------------------------------------------------------------------
; One unit of work.  Everything it computes is folded into [checksum].
kernel:
        ; A linear congruential step: MUL, ADD, a store.
        mov     ax, [seed]
        mov     dx, 25173
        mul     dx
        add     ax, 13849
        mov     [seed], ax
        xor     [checksum], dx

        ; Walk 32 words: string load, disp8 store, base+index load,
        ; memory increment, a data-dependent branch, LOOP.
        mov     si, SRC
        mov     bp, TABLE
        mov     bx, ax
        mov     cx, 32
.walk:
        lodsw
        add     ax, bx
        rol     ax, 1
        mov     [si-2], ax
        mov     di, ax
        and     di, 0x3E
        add     bx, [bp+di]
        xor     dx, bx
        test    al, 1
        jz      .even
        inc     word [odd_count]
        jmp     short .next
.even:
        sub     bx, ax
        adc     dx, 0
.next:
        loop    .walk
        add     [checksum], bx
        xor     [checksum], dx

        ; Calls and returns.
        mov     cx, 8
.calls:
        mov     ax, cx
        add     ax, [seed]
        call    mix
        add     [checksum], ax
        loop    .calls

        ; Every 16th time: the block and string instructions.
        test    word [iters_lo], 15
        jnz     .no_strings
        call    strings
.no_strings:

        ; Divide, and check the division by multiplying back.
        mov     ax, [seed]
        xor     dx, dx
        mov     bx, ax
        and     bx, 0xFF
        add     bx, 1000
        div     bx
        mov     [quot], ax
        mov     [rem], dx
        mul     bx
        add     ax, [rem]
        cmp     ax, [seed]
        je      .div_ok
        inc     word [errors]
.div_ok:
        cmp     [rem], bx
        jb      .rem_ok
        inc     word [errors]
.rem_ok:
        mov     ax, [quot]
        add     ax, [odd_count]
        add     [checksum], ax
        ret

; AX -> AX: shifts, XOR, a comparison and two ways out.
mix:
        mov     dx, ax
        shl     ax, 1
        xor     ax, dx
        cmp     ax, 0x4000
        jb      .small
        sub     ax, 0x1234
        ret
.small:
        add     ax, 0x0F0F
        ret

; Fill, copy and compare 2 KiB blocks; compare two strings.
strings:
        mov     ax, [seed]
        mov     di, DST
        mov     cx, BLOCK_WORDS
        rep     stosw
        mov     si, SRC
        mov     di, DST
        mov     cx, BLOCK_WORDS
        rep     movsw
        mov     si, SRC
        mov     di, DST
        mov     cx, BLOCK_WORDS
        repe    cmpsw
        je      .copied
        inc     word [errors]
.copied:
        mov     bx, [seed]
        and     bx, 0x07FE
        mov     ax, [DST+bx]
        xor     [checksum], ax

        mov     si, STR1
        mov     di, STR2
        mov     cx, STR_LEN
        repe    cmpsb
        jne     .differ
        inc     word [errors]
.differ:
        cmp     cx, STR_LEN - STR_DIFF - 1
        je      .string_ok
        inc     word [errors]
.string_ok:
        add     [checksum], cx
        ret

; ---------------------------------------------------------------------
init_data:
        mov     word [seed], 12345
        xor     ax, ax
        mov     [checksum], ax
        mov     [errors], ax
        mov     [odd_count], ax

        ; SRC[i] = 7 * i + 3
        mov     di, SRC
        mov     cx, BLOCK_WORDS
        mov     ax, 3
.fill:
        stosw
        add     ax, 7
        loop    .fill

        ; TABLE[i] = i * i
        mov     di, TABLE
        xor     bx, bx
        mov     cx, 32
.squares:
        mov     ax, bx
        mul     bx
        stosw
        inc     bx
        loop    .squares

        ; Two copies of the ROM string, the second changed at STR_DIFF.
        mov     di, STR1
        call    copy_string
        mov     di, STR2
        call    copy_string
        mov     byte [STR2+STR_DIFF], '#'
        ret

; Copies rom_string (STR_LEN bytes, from CS) to ES:DI.
copy_string:
        mov     si, rom_string
        mov     cx, STR_LEN
.byte:
        cs lodsb
        stosb
        loop    .byte
        ret

; Prints the NUL-terminated string at CS:SI.
print:
        cs lodsb
        test    al, al
        jz      .done
        out     DEBUG_PORT, al
        jmp     print
.done:
        ret

; Prints AX as four hex digits.
print_hex16:
        mov     bx, ax
        mov     cx, 4
.digit:
        push    cx
        mov     cl, 4
        rol     bx, cl
        pop     cx
        mov     al, bl
        and     al, 0x0F
        add     al, '0'
        cmp     al, '9'
        jbe     .put
        add     al, 'A' - '0' - 10
.put:
        out     DEBUG_PORT, al
        loop    .digit
        ret

rom_string   db "Trapeze: one string to compare.."
msg_checksum db "bench_real: checksum ", 0

        times 0xFF0 - ($ - $$) db 0xFF
reset:  jmp     0xF000:start            ; F000:FFF0, the reset vector
        times 0x1000 - ($ - $$) db 0xFF
