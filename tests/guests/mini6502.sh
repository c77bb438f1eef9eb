#!/bin/sh
# The mini6502 teaching machine through the real command line:
#   sh tests/guests/mini6502.sh BUILD
# Runs the 6502 programs from roms/6502 (built by make when cc65 is there),
# checks their output and exit status, the bus trace, and that bad input
# ends with a message and status 2.  Programs cc65 could not build are
# counted as skipped, never as passed.  Last line: "N passed, N failed".
build=${1:-build}
trapeze=$build/trapeze
roms=$build/roms/6502
tmp=${TMPDIR:-/tmp}/trapeze-mini6502.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0
skip=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "$2" ] && echo "     $2"; }

# run NAME EXPECTED_STATUS PROGRAM ARGS...: stdout in $tmp/out, stderr in $tmp/err
run() {
    name=$1; want=$2; shift 2
    "$trapeze" --machine mini6502 "$@" > "$tmp/out" 2> "$tmp/err"
    status=$?
    if [ "$status" -ne "$want" ]; then
        bad "$name" "exit status $status, expected $want; stderr: $(head -c 300 "$tmp/err")"
        return 1
    fi
    return 0
}

# expect_line NAME FILE TEXT: FILE has the line TEXT; expect_text: contains TEXT
expect_line() {
    if grep -qxF -e "$3" "$2"; then ok "$1"; else bad "$1" "no line '$3' in: $(head -c 300 "$2")"; fi
}

expect_text() {
    if grep -qF -e "$3" "$2"; then ok "$1"; else bad "$1" "no '$3' in: $(head -c 300 "$2")"; fi
}

have_rom() {
    if [ -f "$roms/$1" ]; then return 0; fi
    skip=$((skip + 1))
    echo "skip $1: not built (cc65's cl65 missing: ./configure --install-deps)"
    return 1
}

if ! "$trapeze" --machine mini6502 --help > "$tmp/help" 2>&1; then
    bad "trapeze --machine mini6502 --help" "$(head -c 300 "$tmp/help")"
    echo "$pass passed, $fail failed, $skip skipped"
    exit 1
fi
expect_text "help names the options" "$tmp/help" "--trace=bus"

# ---- the programs ----
if have_rom hello.rom; then
    run "hello.rom runs" 0 "$roms/hello.rom" &&
        expect_line "hello.rom prints through the console" "$tmp/out" "Hello, world!"
    run "bus trace" 0 --trace=bus "$roms/hello.rom" &&
        expect_text "bus trace: reset vector read" "$tmp/out" "         5  FFFC  00  R" &&
        expect_text "bus trace: first fetch at \$F000" "$tmp/out" "         7  F000  A2  R  SYNC" &&
        expect_text "bus trace: console write cycle" "$tmp/out" "  FFF0  48  W"
    run "instruction trace" 0 --trace "$roms/hello.rom" &&
        expect_text "instruction trace disassembles" "$tmp/out" "STA \$FFF0"
fi

if have_rom timer_irq.rom; then
    run "timer_irq.rom runs" 0 "$roms/timer_irq.rom" &&
        expect_line "timer interrupts served" "$tmp/out" "timer interrupt 5" &&
        expect_line "timer demo ends" "$tmp/out" "five interrupts served, bye"
fi

if have_rom primes.sim; then
    run "C program runs" 0 "$roms/primes.sim" &&
        expect_line "C program prints through the write hypercall" "$tmp/out" \
            "168 primes below 1000, the largest is 997"
    run "C program gets its arguments" 0 "$roms/primes.sim" 100 2 &&
        expect_line "arguments reach main()" "$tmp/out" "25 primes below 100, the largest is 97"
    run "C program exit status" 1 "$roms/primes.sim" nonsense &&
        expect_text "C program writes to stderr" "$tmp/err" "usage:"
    run "--max-cycles stops a program" 2 --max-cycles=1000 "$roms/primes.sim" &&
        expect_text "--max-cycles says so" "$tmp/err" "stopped after 1000 cycles"
    if command -v sim65 > /dev/null 2>&1; then
        sim65 "$roms/primes.sim" 300 > "$tmp/sim65.out" 2>&1
        s1=$?
        "$trapeze" --machine mini6502 "$roms/primes.sim" 300 > "$tmp/t.out" 2>&1
        s2=$?
        if [ "$s1" = "$s2" ] && cmp -s "$tmp/sim65.out" "$tmp/t.out"; then
            ok "same output and status as sim65"
        else
            bad "same output and status as sim65" "sim65: $s1 $(cat "$tmp/sim65.out"); trapeze: $s2 $(cat "$tmp/t.out")"
        fi
    fi
fi

# ---- bad input: a message and status 2 ----
head -c 70000 /dev/zero > "$tmp/huge.bin"
run "program larger than the address space" 2 "$tmp/huge.bin" &&
    expect_text "message for a too large program" "$tmp/err" "larger than the 64 KiB address space"

# 256-byte ROMs at $FF00 with every vector pointing at $FF00.
rom256() { # rom256 FILE BYTES (printf escapes for the first bytes)
    printf "$2" > "$tmp/code"
    n=$(wc -c < "$tmp/code")
    { cat "$tmp/code"; head -c $((250 - n)) /dev/zero; printf '\000\377\000\377\000\377'; } > "$1"
}
rom256 "$tmp/jam.bin" '\352\002'                  # NOP; JAM
run "JAM opcode stops the machine" 2 "$tmp/jam.bin" &&
    expect_text "message for JAM" "$tmp/err" "CPU jammed by opcode \$02 at \$FF01"
rom256 "$tmp/hc.bin" '\040\362\377'               # JSR $FFF2
run "unknown hypercall stops the machine" 2 "$tmp/hc.bin" &&
    expect_text "message for an unknown hypercall" "$tmp/err" "unknown hypercall \$FFF2"
printf 'sim65\002\001\000\000\002\000\002\352' > "$tmp/c02.sim"
run "65C02 program refused" 2 "$tmp/c02.sim" &&
    expect_text "message for a 65C02 program" "$tmp/err" "65C02"
run "missing program file" 2 "$tmp/none.bin" &&
    expect_text "message for a missing file" "$tmp/err" "cannot open"
run "unknown option" 2 --frobnicate "$tmp/jam.bin" &&
    expect_text "message for an unknown option" "$tmp/err" "unknown option --frobnicate"

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
