; p6insns.asm -- instructions added from the i486 to the P6.
;
;   i486:     BSWAP, XADD, CMPXCHG
;   Pentium:  CMPXCHG8B, CPUID, RDTSC, RDMSR/WRMSR (TSC)
;   P6:       CMOVcc, SYSENTER/SYSEXIT and their MSRs, UD2
;
; Run with --cpu p6.  References are to the Intel SDM, volume 2 (each
; instruction's page) and volume 3 (17.17 time-stamp counter, 5.8.7
; SYSENTER/SYSEXIT, 9.11/appendix B MSRs).

%include "harness.inc"

RO_DATA equ 0x48

align 8
prog_gdt:
        DESC 0x20000, 0xFFF, 0x91, 0x4  ; 48h read-only data
prog_gdt_end:

MSR_TSC             equ 0x10
MSR_SYSENTER_CS     equ 0x174
MSR_SYSENTER_ESP    equ 0x175
MSR_SYSENTER_EIP    equ 0x176
SYSENTER_STACK      equ 0x7C000         ; inside the CPL-0 entry stack area

main:
        call test_bswap
        call test_xadd
        call test_cmpxchg
        call test_cmpxchg8b
        call test_cpuid
        call test_tsc
        call test_msrs
        call test_sysenter
        call test_cmov
        call test_ud2
        call test_control_registers
        ret

; ZF_TO reg: reg = 1 if ZF is set, else 0.
%macro ZF_TO 1
        setz %1 %+ l
        movzx e %+ %1 %+ x, %1 %+ l
%endmacro

; ---------------------------------------------------------------------

test_bswap:
        ; BSWAP reverses the bytes of a 32-bit register (SDM vol. 2, BSWAP).
        mov eax, 0x12345678
        bswap eax
        CHECK_EQ eax, 0x78563412, "BSWAP EAX"
        mov edi, 0xAABBCCDD
        bswap edi
        CHECK_EQ edi, 0xDDCCBBAA, "BSWAP EDI"
        mov ecx, 0x01020304
        bswap ecx
        bswap ecx
        CHECK_EQ ecx, 0x01020304, "BSWAP twice is the identity"
        ret

test_xadd:
        ; XADD: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP; flags as ADD
        ; (SDM vol. 2, XADD).
        mov dword [scratch], 5
        mov eax, 3
        xadd [scratch], eax
        CHECK_EQ [scratch], 8, "XADD m32: destination gets the sum"
        CHECK_EQ eax, 5, "XADD m32: source gets the old destination"
        mov ebx, 0xFFFFFFFF
        mov ecx, 1
        xadd ebx, ecx
        pushfd
        pop edx
        and edx, FL_ZF | FL_CF
        CHECK_EQ ebx, 0, "XADD r32: FFFFFFFFh + 1"
        CHECK_EQ ecx, 0xFFFFFFFF, "XADD r32: source = old destination"
        CHECK_EQ edx, FL_ZF | FL_CF, "XADD r32: ZF and CF as ADD sets them"
        mov eax, 7
        xadd eax, eax                   ; source and destination the same: 2x
        CHECK_EQ eax, 14, "XADD EAX, EAX: the sum is what remains"
        mov byte [scratch], 0x80
        mov al, 0x80
        xadd [scratch], al
        movzx eax, al
        movzx ebx, byte [scratch]
        CHECK_EQ ebx, 0, "XADD m8: 80h + 80h wraps to 0"
        CHECK_EQ eax, 0x80, "XADD m8: source = old destination"
        ; XADD writes: a read-only segment is #GP(0).
        mov ax, RO_DATA
        mov es, ax
        TRY xadd [es:0], ecx
        CHECK_FAULT X_GP, 0, "XADD to read-only data: #GP(0)"
        mov ax, KDATA
        mov es, ax
        ret

test_cmpxchg:
        ; CMPXCHG: if accumulator = DEST then ZF=1, DEST = SRC, else ZF=0,
        ; accumulator = DEST; flags as CMP accumulator, DEST (SDM vol. 2,
        ; CMPXCHG).
        mov dword [scratch], 5
        mov eax, 5
        mov ecx, 9
        cmpxchg [scratch], ecx
        ZF_TO b
        CHECK_EQ ebx, 1, "CMPXCHG equal: ZF set"
        CHECK_EQ [scratch], 9, "CMPXCHG equal: destination = source"
        CHECK_EQ eax, 5, "CMPXCHG equal: EAX unchanged"
        mov eax, 4
        mov ecx, 1
        cmpxchg [scratch], ecx
        pushfd
        pop edx
        and edx, FL_ZF | FL_CF
        CHECK_EQ edx, FL_CF, "CMPXCHG 4 vs 9: ZF clear, CF set (as CMP 4, 9)"
        CHECK_EQ eax, 9, "CMPXCHG not equal: EAX = destination"
        CHECK_EQ [scratch], 9, "CMPXCHG not equal: destination unchanged"
        mov byte [scratch], 0x33
        mov al, 0x33
        mov cl, 0x44
        cmpxchg [scratch], cl
        movzx ebx, byte [scratch]
        CHECK_EQ ebx, 0x44, "CMPXCHG m8 equal: destination = CL"
        mov edx, 0x10
        mov eax, 0x10
        mov ecx, 0x20
        cmpxchg edx, ecx
        CHECK_EQ edx, 0x20, "CMPXCHG r32, r32 equal"
        ; The destination gets a write cycle whether or not it compares
        ; equal ("the destination operand is written back if the comparison
        ; fails"): a read-only destination is #GP(0) either way.
        mov ax, RO_DATA
        mov es, ax
        mov eax, 0x12345678             ; unequal to what is there
        TRY cmpxchg [es:0], ecx
        CHECK_FAULT X_GP, 0, "CMPXCHG to read-only data, not equal: #GP(0)"
        mov ax, KDATA
        mov es, ax
        ret

test_cmpxchg8b:
        ; CMPXCHG8B: if EDX:EAX = m64 then ZF=1, m64 = ECX:EBX, else ZF=0,
        ; EDX:EAX = m64 (SDM vol. 2, CMPXCHG8B).
        mov dword [scratch], 0x11111111
        mov dword [scratch + 4], 0x22222222
        mov eax, 0x11111111
        mov edx, 0x22222222
        mov ebx, 0x33333333
        mov ecx, 0x44444444
        cmpxchg8b [scratch]
        ZF_TO b
        CHECK_EQ ebx, 1, "CMPXCHG8B equal: ZF set"
        CHECK_EQ [scratch], 0x33333333, "CMPXCHG8B equal: low dword = EBX"
        CHECK_EQ [scratch + 4], 0x44444444, "CMPXCHG8B equal: high dword = ECX"
        mov eax, 0x33333333
        mov edx, 0x55555555             ; high half differs
        cmpxchg8b [scratch]
        ZF_TO b
        CHECK_EQ ebx, 0, "CMPXCHG8B not equal: ZF clear"
        CHECK_EQ eax, 0x33333333, "CMPXCHG8B not equal: EAX = low dword"
        CHECK_EQ edx, 0x44444444, "CMPXCHG8B not equal: EDX = high dword"
        CHECK_EQ [scratch + 4], 0x44444444, "CMPXCHG8B not equal: memory unchanged"
        ; A register operand is #UD (0F C7 /1 with mod = 11b).
        TRY db 0x0F, 0xC7, 0xC9
        CHECK_FAULT X_UD, NO_ERR, "CMPXCHG8B with a register operand: #UD"
        ret

; ---------------------------------------------------------------------

test_cpuid:
        ; CPUID exists when EFLAGS.ID (bit 21) can be toggled (SDM vol. 1, 20.1).
        pushfd
        pop eax
        mov ebx, eax
        xor eax, 0x200000
        push eax
        popfd
        pushfd
        pop eax
        xor eax, ebx
        and eax, 0x200000
        CHECK_EQ eax, 0x200000, "EFLAGS.ID can be toggled"
        push ebx
        popfd
        ; Leaf 0: the highest leaf in EAX, the vendor in EBX EDX ECX.
        xor eax, eax
        cpuid
        CHECK_EQ ebx, 'Genu', "CPUID 0: EBX = 'Genu'"
        CHECK_EQ edx, 'ineI', "CPUID 0: EDX = 'ineI'"
        CHECK_EQ ecx, 'ntel', "CPUID 0: ECX = 'ntel'"
        cmp eax, 1
        setae al
        movzx eax, al
        CHECK_EQ eax, 1, "CPUID 0: the highest leaf is at least 1"
        ; Leaf 1: family in EAX bits 11..8, features in EDX (SDM vol. 2,
        ; CPUID, figure 3-6 and table 3-11).
        mov eax, 1
        cpuid
        mov ebx, eax
        shr ebx, 8
        and ebx, 0xF
        CHECK_EQ ebx, 6, "CPUID 1: family 6 (P6)"
        and edx, FEATURES
        CHECK_EQ edx, FEATURES, "CPUID 1: FPU PSE TSC MSR PAE CX8 SEP PGE CMOV"
        ret

FEATURES equ (1 << 0) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 8) | (1 << 11) | (1 << 13) | (1 << 15)

test_tsc:
        ; RDTSC counts up (SDM vol. 3, 17.17).
        rdtsc
        mov esi, eax
        mov edi, edx
        mov ecx, 100
.spin:  loop .spin
        rdtsc
        sub eax, esi
        sbb edx, edi
        setc bl                         ; borrow: went backwards
        or eax, edx
        setnz bh                        ; difference is non-zero
        movzx eax, bx
        CHECK_EQ eax, 0x0100, "RDTSC: a later read is larger"
        ; WRMSR to the TSC on processors before family 0Fh model 3 writes
        ; only the low 32 bits and clears the high 32 (SDM vol. 3, 17.17).
        mov ecx, MSR_TSC
        mov edx, 0x12345678
        mov eax, 0x00001000
        wrmsr
        rdmsr
        CHECK_EQ edx, 0, "WRMSR TSC on a P6: the high dword is cleared"
        sub eax, 0x1000
        cmp eax, 0x10000
        setb al
        movzx eax, al
        CHECK_EQ eax, 1, "RDMSR TSC: counting on from the written low dword"
        rdtsc
        CHECK_EQ edx, 0, "RDTSC agrees with RDMSR"
        ; CR4.TSD makes RDTSC privileged (SDM vol. 2, RDTSC).
        mov eax, user_rdtsc
        call run_user
        mov eax, cr4
        or eax, 4                       ; TSD
        mov cr4, eax
        TRY rdtsc
        CHECK_NO_FAULT "RDTSC at CPL 0 with CR4.TSD"
        mov eax, user_rdtsc_tsd
        call run_user
        mov eax, cr4
        and eax, ~4
        mov cr4, eax
        ret

user_rdtsc:
        TRY rdtsc
        CHECK_NO_FAULT "RDTSC at CPL 3 with CR4.TSD clear"
        USER_EXIT
user_rdtsc_tsd:
        TRY rdtsc
        CHECK_FAULT X_GP, 0, "RDTSC at CPL 3 with CR4.TSD set: #GP(0)"
        USER_EXIT

test_msrs:
        ; The SYSENTER MSRs hold what WRMSR writes (SDM vol. 3, 5.8.7.1).
        mov ecx, MSR_SYSENTER_CS
        mov eax, KCODE
        xor edx, edx
        wrmsr
        mov ecx, MSR_SYSENTER_ESP
        mov eax, SYSENTER_STACK
        wrmsr
        mov ecx, MSR_SYSENTER_EIP
        mov eax, sysenter_entry
        wrmsr
        mov ecx, MSR_SYSENTER_CS
        rdmsr
        CHECK_EQ eax, KCODE, "RDMSR SYSENTER_CS"
        mov ecx, MSR_SYSENTER_ESP
        rdmsr
        CHECK_EQ eax, SYSENTER_STACK, "RDMSR SYSENTER_ESP"
        mov ecx, MSR_SYSENTER_EIP
        rdmsr
        CHECK_EQ eax, sysenter_entry, "RDMSR SYSENTER_EIP"
        ; An MSR the processor does not have: #GP(0) (SDM vol. 2, RDMSR).
        mov ecx, 0x12345678
        TRY rdmsr
        CHECK_FAULT X_GP, 0, "RDMSR of an unknown MSR: #GP(0)"
        TRY wrmsr
        CHECK_FAULT X_GP, 0, "WRMSR of an unknown MSR: #GP(0)"
        mov eax, user_msr
        call run_user
        ret

user_msr:
        mov ecx, MSR_TSC
        TRY rdmsr
        CHECK_FAULT X_GP, 0, "RDMSR at CPL 3: #GP(0)"
        TRY wrmsr
        CHECK_FAULT X_GP, 0, "WRMSR at CPL 3: #GP(0)"
        USER_EXIT

; ---------------------------------------------------------------------
; SYSENTER/SYSEXIT: fast calls between CPL 3 and CPL 0 with flat segments
; derived from SYSENTER_CS: CS, CS+8 (SS) for CPL 0; CS+16, CS+24 for
; CPL 3.  SYSENTER clears IF and VM; SYSEXIT takes ESP from ECX and EIP from
; EDX (SDM vol. 3, 5.8.7; vol. 2, SYSENTER/SYSEXIT).

S_CS    equ scratch + 0     ; what the CPL-0 side saw
S_SS    equ scratch + 4
S_ESP   equ scratch + 8
S_EFL   equ scratch + 12

test_sysenter:
        mov eax, user_sysenter
        mov edx, FL_IF | 2              ; CPL 3 with interrupts enabled
        call run_user_flags
        ret

user_sysenter:
        mov ecx, esp                    ; where SYSEXIT will put us back
        mov edx, .back
        mov ebp, esp
        sysenter
.back:
        mov eax, cs
        movzx eax, ax
        CHECK_EQ eax, UCODE | 3, "SYSEXIT: CS = SYSENTER_CS + 16, RPL 3"
        mov eax, ss
        movzx eax, ax
        CHECK_EQ eax, UDATA | 3, "SYSEXIT: SS = SYSENTER_CS + 24, RPL 3"
        mov eax, esp
        CHECK_EQ eax, ebp, "SYSEXIT: ESP = ECX"
        CHECK_EQ [S_CS], KCODE, "SYSENTER: CS = SYSENTER_CS"
        CHECK_EQ [S_SS], KDATA, "SYSENTER: SS = SYSENTER_CS + 8"
        CHECK_EQ [S_ESP], SYSENTER_STACK, "SYSENTER: ESP = SYSENTER_ESP"
        mov eax, [S_EFL]
        and eax, FL_IF
        CHECK_EQ eax, 0, "SYSENTER clears IF"
        ; SYSEXIT is for CPL 0 only.
        TRY sysexit
        CHECK_FAULT X_GP, 0, "SYSEXIT at CPL 3: #GP(0)"
        USER_EXIT

sysenter_entry:
        xor eax, eax
        mov ax, cs
        mov [gs:S_CS], eax
        mov ax, ss
        mov [gs:S_SS], eax
        mov [gs:S_ESP], esp
        pushfd
        pop eax
        mov [gs:S_EFL], eax
        sysexit

; ---------------------------------------------------------------------

test_cmov:
        ; CMOVcc moves when the condition holds, else leaves the
        ; destination alone (SDM vol. 2, CMOVcc).
        mov eax, 1
        mov ebx, 2
        cmp eax, eax
        cmovz eax, ebx
        CHECK_EQ eax, 2, "CMOVZ with ZF=1 moves"
        mov eax, 1
        cmp eax, ebx
        cmovz eax, ebx
        CHECK_EQ eax, 1, "CMOVZ with ZF=0 does not move"
        mov dword [scratch], 0x0C0C0C0C
        mov eax, 5
        cmp eax, 6                      ; 5 < 6: below, less
        cmovb ecx, [scratch]
        CHECK_EQ ecx, 0x0C0C0C0C, "CMOVB m32 when below"
        mov edx, 0x77
        cmova edx, [scratch]
        CHECK_EQ edx, 0x77, "CMOVA m32 when not above"
        mov eax, -1
        cmp eax, 1                      ; -1 < 1 signed, above unsigned
        mov esi, 0
        mov edi, 1
        cmovl esi, edi
        CHECK_EQ esi, 1, "CMOVL: signed less"
        mov esi, 0
        cmovb esi, edi
        CHECK_EQ esi, 0, "CMOVB: not unsigned below"
        mov eax, 0xFFFF1111
        mov ebx, 0x00002222
        cmp eax, eax
        cmove ax, bx                    ; 16-bit form: upper half kept
        CHECK_EQ eax, 0xFFFF2222, "CMOVE r16"
        ret

test_ud2:
        ; UD2 always raises #UD, at the UD2 itself (SDM vol. 2, UD2).
        TRY ud2
        CHECK_FAULT X_UD, NO_ERR, "UD2: #UD"
        ret

test_control_registers:
        ; Reserved CR4 bits and impossible CR0 combinations are #GP(0)
        ; (SDM vol. 3, 2.5; vol. 2, MOV to control registers).
        mov eax, cr4
        or eax, 1 << 11                 ; reserved on the P6
        TRY mov cr4, eax
        CHECK_FAULT X_GP, 0, "MOV CR4 with a reserved bit: #GP(0)"
        mov eax, cr0
        or eax, 0x80000000
        and eax, ~1                     ; PG without PE
        TRY mov cr0, eax
        CHECK_FAULT X_GP, 0, "MOV CR0 with PG=1 and PE=0: #GP(0)"
        mov eax, cr0
        or eax, 0x20000000
        and eax, ~0x40000000            ; NW without CD
        TRY mov cr0, eax
        CHECK_FAULT X_GP, 0, "MOV CR0 with NW=1 and CD=0: #GP(0)"
        ; SYSENTER needs a non-null SYSENTER_CS (SDM vol. 2, SYSENTER).
        mov ecx, MSR_SYSENTER_CS
        xor eax, eax
        xor edx, edx
        wrmsr
        TRY sysenter
        CHECK_FAULT X_GP, 0, "SYSENTER with SYSENTER_CS = 0: #GP(0)"
        ret

        ROM_END
