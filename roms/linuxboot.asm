; Trapeze kernel loader: the option ROM behind direct kernel boot
; (trapeze -kernel bzImage -initrd FILE -append "...").
;
; The emulator has checked the bzImage, filled in its setup header and put
; the pieces into the fw_cfg device (bus/linux_loader.c): for each of setup,
; kernel, initrd and command line an address item, a size item right after
; it, and a data item.  SeaBIOS loads this ROM from fw_cfg file
; "genroms/linuxboot.bin", calls its init entry at POST and, because the PnP
; header names a boot entry vector (BEV), lists it as a boot device; the
; "bootorder" file puts it first.  At boot the BEV copies each piece to its
; address with fw_cfg DMA (which reaches above 1 MiB from real mode, A20 or
; not) and enters the kernel's real-mode setup code as the Linux x86 boot
; protocol says (Documentation/arch/x86/boot.rst, "Running the Kernel"):
; DS = ES = FS = GS = SS = the real-mode segment, SP at the top of the
; setup heap (heap_end_ptr + 0x200), interrupts off, jump to seg+0x20:0.
; If fw_cfg or its DMA interface is missing, or a transfer fails, it says so
; on the screen and returns, and the BIOS goes on to the next boot device.
;
; The ROM's last byte is its checksum: roms/optionrom-checksum.sh sets it.

        bits 16
        cpu 686
        org 0

ROM_BLOCKS      equ 1                   ; size in 512-byte blocks

FW_CFG_SEL      equ 0x510               ; selector, 16-bit
FW_CFG_DATA     equ 0x511               ; data, 8-bit
FW_CFG_DMA_LOW  equ 0x518               ; DMA address, low half (big-endian)

CFG_SIGNATURE   equ 0x00
CFG_ID          equ 0x01
CFG_KERNEL_ADDR equ 0x07                ; each address key has its size key at +1
CFG_INITRD_ADDR equ 0x0a
CFG_KERNEL_DATA equ 0x11
CFG_INITRD_DATA equ 0x12
CFG_CMDLINE_ADDR equ 0x13
CFG_CMDLINE_DATA equ 0x15
CFG_SETUP_ADDR  equ 0x16
CFG_SETUP_DATA  equ 0x18

ID_DMA          equ 0x02                ; FW_CFG_ID feature bit
DMA_ERROR       equ 0x01                ; FWCfgDmaAccess control bits
DMA_READ        equ 0x02
DMA_SELECT      equ 0x08

HDR_HEAP_END_PTR equ 0x224              ; setup header field (boot.rst)

; ---- option ROM header (BIOS Boot Specification 1.01, appendix A) --------
rom_header:
        db 0x55, 0xAA
        db ROM_BLOCKS
        jmp near init                   ; offset 3: initialization entry
        times 0x18 - ($ - $$) db 0
        dw 0                            ; no PCI data structure
        dw pnp_header - $$              ; PnP expansion header

        times 0x20 - ($ - $$) db 0
pnp_header:
        db '$PnP'
        db 1                            ; structure revision
        db 2                            ; length in 16-byte units
        dw 0                            ; no next header
        db 0
        db PNP_CHECKSUM                 ; the 32 header bytes sum to 0
        dd 0                            ; device identifier
        dw 0                            ; manufacturer string: none
        dw product_name - $$            ; SeaBIOS shows this in its boot menu
        db 0, 0, 0                      ; device type code
        db 0x54                         ; IPL device, shadowable, needed only for boot
        dw 0                            ; boot connection vector: none
        dw 0                            ; disconnect vector: none
        dw bev - $$                     ; bootstrap entry vector
        dw 0
        dw 0                            ; static resource information: none

PNP_CHECKSUM equ (0x100 - ((0x24 + 0x50 + 0x6E + 0x50 + 1 + 2 \
                 + ((product_name - $$) & 0xFF) + ((product_name - $$) >> 8) + 0x54 \
                 + ((bev - $$) & 0xFF) + ((bev - $$) >> 8)) & 0xFF)) & 0xFF

product_name:
        db 'Trapeze kernel loader', 0

; ---- init: called once at POST; the work waits for the boot -------------
init:
        xor ax, ax
        retf

; ---- BEV: called by the BIOS to boot from this device -------------------
bev:
        cld
        push cs
        pop ds                          ; messages live in the ROM

        xor ax, ax                      ; is there a fw_cfg device?
        call cfg_read32
        cmp eax, 'QEMU'
        jne .no_fw_cfg
        mov ax, CFG_ID                  ; with DMA?
        call cfg_read32
        test al, ID_DMA
        jz .no_dma

        mov bx, CFG_SETUP_DATA << 8 | CFG_SETUP_ADDR
        call load_piece
        jc .dma_failed
        mov bx, CFG_KERNEL_DATA << 8 | CFG_KERNEL_ADDR
        call load_piece
        jc .dma_failed
        mov bx, CFG_INITRD_DATA << 8 | CFG_INITRD_ADDR
        call load_piece
        jc .dma_failed
        mov bx, CFG_CMDLINE_DATA << 8 | CFG_CMDLINE_ADDR
        call load_piece
        jc .dma_failed

        mov ax, CFG_SETUP_ADDR          ; the real-mode segment
        call cfg_read32
        shr eax, 4
        mov bx, ax
        mov es, bx
        mov ax, [es:HDR_HEAP_END_PTR]   ; stack at the top of the setup heap
        add ax, 0x200
        cli
        mov ds, bx
        mov fs, bx
        mov gs, bx
        mov ss, bx
        mov sp, ax
        add bx, 0x20                    ; enter at seg+0x20:0
        push bx
        push word 0
        retf

.no_fw_cfg:
        mov si, msg_no_fw_cfg
        jmp .fail
.no_dma:
        mov si, msg_no_dma
        jmp .fail
.dma_failed:
        mov si, msg_dma_failed
.fail:
        push si
        mov si, msg_prefix
        call print
        pop si
        call print
        retf                            ; back to the BIOS: next boot device

; Copy one piece into memory.
;   bl = its address key (the size key is bl+1), bh = its data key.
;   Returns CF set when the transfer failed.  A size of 0 copies nothing.
load_piece:
        movzx ax, bl
        call cfg_read32
        mov edi, eax                    ; destination
        movzx ax, bl
        inc ax
        call cfg_read32
        mov ecx, eax                    ; length
        clc
        jecxz .done
        movzx ax, bh
        call dma_read
.done:
        ret

; Select item ax and read its first four bytes: eax, little-endian.
cfg_read32:
        mov dx, FW_CFG_SEL
        out dx, ax
        inc dx
%rep 4
        in al, dx
        ror eax, 8
%endrep
        ret

; DMA read of item ax (selected first), ecx bytes to physical address edi.
; The FWCfgDmaAccess structure (big-endian control, length, 64-bit address)
; is built on the stack; its physical address, byte-swapped, goes to the
; low half of the DMA address register, which starts the transfer.  The
; device clears the control field when done, or leaves the error bit.
; Returns CF set on error.
dma_read:
        push bp
        sub sp, 16
        mov bp, sp
        movzx eax, ax
        shl eax, 16
        or al, DMA_SELECT | DMA_READ
        bswap eax
        mov [bp + 0], eax               ; control
        mov eax, ecx
        bswap eax
        mov [bp + 4], eax               ; length
        xor eax, eax
        mov [bp + 8], eax               ; address, high half
        mov eax, edi
        bswap eax
        mov [bp + 12], eax              ; address, low half
        xor eax, eax
        mov ax, ss
        shl eax, 4
        movzx edx, bp
        add eax, edx
        bswap eax
        mov dx, FW_CFG_DMA_LOW
        out dx, eax
.wait:
        mov eax, [bp + 0]
        bswap eax
        test eax, ~DMA_ERROR
        jnz .wait
        add sp, 16
        pop bp
        test al, DMA_ERROR
        jnz .error
        clc
        ret
.error:
        stc
        ret

; Print the NUL-terminated string at ds:si with the video BIOS.
print:
        lodsb
        test al, al
        jz .done
        mov ah, 0x0E
        mov bx, 0x0007
        int 0x10
        jmp print
.done:
        ret

msg_prefix:     db 'Trapeze kernel loader: ', 0
msg_no_fw_cfg:  db 'no fw_cfg device', 13, 10, 0
msg_no_dma:     db 'fw_cfg has no DMA interface', 13, 10, 0
msg_dma_failed: db 'fw_cfg DMA transfer failed', 13, 10, 0

        times ROM_BLOCKS * 512 - 1 - ($ - $$) db 0
        db 0                            ; checksum, set after assembly
