#!/bin/sh
# The trapeze command line on the pc-test machine:
#   - hello.bin on every CPU model names that model and exits 0 (a
#     program on the command line selects the pc-test machine);
#   - the guest's test-exit value becomes the exit status; a guest that
#     halts for good gives 4;
#   - bad input (unknown option or CPU, missing, empty or too-large file,
#     a bad -m value...) gives exit status 2 and exactly one line on stderr;
#   - --trace prints one disassembled line per instruction;
#   - --max-cycles stops a program that never ends, with exit status 3.
#
#   sh tests/guests/pctest.sh BUILD
# Prints "ok"/"FAIL" per check and ends with "N passed, N failed".
build=${1:-build}
trapeze=$build/trapeze
hello=$build/roms/hello.bin
spin=$build/roms/spin.bin
tmp=${TMPDIR:-/tmp}/trapeze-pctest.$$
mkdir -p "$tmp" || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0
failed=0

pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }

# A run that hangs must not hang the test suite: each gets a minute when
# timeout(1) is there (its status 124 then fails the check).
limit=
if command -v timeout >/dev/null 2>&1; then limit="timeout 60"; fi

# run ARGS...: runs trapeze; leaves the status in $status, the output in
# $tmp/out and $tmp/err.
run() {
    $limit "$trapeze" "$@" > "$tmp/out" 2> "$tmp/err"
    status=$?
}

lines() { wc -l < "$1" | tr -d ' '; }

for f in "$trapeze" "$hello" "$spin"; do
    if [ ! -f "$f" ]; then
        echo "pctest: $f is missing (run make)"
        echo "0 passed, 1 failed"
        exit 1
    fi
done

# ---- every CPU model runs hello.bin and is recognised
for pair in "8086:an 8086." "286:an 80286." "386:an 80386." "486:an 80486 (no CPUID)." \
            "pentium:a CPUID-capable processor" "p6:a CPUID-capable processor"; do
    cpu=${pair%%:*}
    want=${pair#*:}
    run --cpu "$cpu" "$hello"
    if [ $status -eq 0 ] && grep -q "^Hello from Trapeze!" "$tmp/out" &&
       grep -qF "This processor is $want" "$tmp/out"; then
        pass "--cpu $cpu: hello.bin says '$want', exit 0"
    else
        fail "--cpu $cpu: status $status, output: $(tr '\n' '|' < "$tmp/out")"
    fi
done

run --machine pc-test "$hello"
if [ $status -eq 0 ] && grep -qF "an 80386." "$tmp/out"; then
    pass "--machine pc-test, default CPU 386"
else
    fail "--machine pc-test: status $status"
fi

# ---- the guest's exit value passes through; a halted guest gives 4.
# 16-byte ROMs at F000:FFF0: "mov al, 42; out 0xF4, al; hlt" and "cli; hlt".
printf '\260\052\346\364\364\353\375\377\377\377\377\377\377\377\377\377' > "$tmp/exit42.bin"
run "$tmp/exit42.bin"
if [ $status -eq 42 ]; then pass "guest exit value 42 is the exit status"; else fail "exit42.bin: status $status"; fi
printf '\372\364\353\375\377\377\377\377\377\377\377\377\377\377\377\377' > "$tmp/halt.bin"
run "$tmp/halt.bin"
if [ $status -eq 4 ] && [ "$(lines "$tmp/err")" = 1 ]; then
    pass "HLT with interrupts off: exit 4, one line on stderr"
else
    fail "halt.bin: status $status, stderr: $(cat "$tmp/err")"
fi

# ---- bad input: exit status 2 and exactly one line on stderr
: > "$tmp/empty.bin"
dd if=/dev/zero of="$tmp/big.bin" bs=1024 count=129 2>/dev/null
bad_input() { # DESCRIPTION ARGS...
    what=$1; shift
    run "$@"
    n=$(lines "$tmp/err")
    if [ $status -eq 2 ] && [ "$n" = 1 ] && [ ! -s "$tmp/out" ]; then
        pass "$what: exit 2, one line: $(cat "$tmp/err")"
    else
        fail "$what: status $status, $n lines on stderr: $(cat "$tmp/err")"
    fi
}
bad_input "unknown option" --frobnicate "$hello"
bad_input "unknown CPU" --cpu z80 "$hello"
bad_input "--cpu without a model" "$hello" --cpu
bad_input "missing file" "$tmp/no-such-file.bin"
bad_input "empty file" "$tmp/empty.bin"
bad_input "too-large file" "$tmp/big.bin"
bad_input "a directory as the program" "$tmp"
bad_input "-m garbage" -m lots "$hello"
bad_input "-m 0" -m 0 "$hello"
bad_input "-m negative" -m -4 "$hello"
bad_input "-m too big" -m 99999 "$hello"
bad_input "-m without a value" "$hello" -m
bad_input "--max-cycles garbage" --max-cycles soon "$hello"
bad_input "unknown machine" --machine pc-xt "$hello"
bad_input "pc-test without a program" --machine pc-test --cpu 386
bad_input "two programs" "$hello" "$hello"

# ---- --trace: one disassembled line per instruction, on stderr
run --trace "$hello"
n=$(grep -c 'EAX=' "$tmp/err")
if [ $status -eq 0 ] && [ "$n" -gt 50 ] &&
   grep -q '^f000:0000fff0 ea00f000f0 *jmp' "$tmp/err" &&
   grep -q 'cli' "$tmp/err" && grep -q 'out' "$tmp/err" &&
   grep -qF "This processor is" "$tmp/out"; then
    pass "--trace: $n disassembled lines, starting at the reset vector"
else
    fail "--trace: status $status, $n lines; first: $(head -n 1 "$tmp/err")"
fi

# ---- --max-cycles stops a program that never ends (exit 3), and does not
# disturb one that ends in time.
run --max-cycles 200000 "$spin"
if [ $status -eq 3 ] && [ "$(lines "$tmp/err")" = 1 ] && grep -q "spinning forever" "$tmp/out"; then
    pass "--max-cycles on spin.bin: exit 3, one line: $(cat "$tmp/err")"
else
    fail "--max-cycles on spin.bin: status $status, stderr: $(cat "$tmp/err")"
fi
for cpu in 8086 p6; do
    run --cpu $cpu --max-cycles 1000 "$spin"
    if [ $status -eq 3 ]; then pass "--cpu $cpu --max-cycles 1000: exit 3"; else fail "--cpu $cpu --max-cycles 1000: status $status"; fi
done
run --max-cycles 10000000 "$hello"
if [ $status -eq 0 ]; then pass "--max-cycles with room to spare: exit 0"; else fail "--max-cycles on hello: status $status"; fi

# ---- --stats
run --stats "$hello"
if [ $status -eq 0 ] && grep -q "instructions, [0-9]* cycles" "$tmp/err"; then
    pass "--stats: $(cat "$tmp/err")"
else
    fail "--stats: status $status, stderr: $(cat "$tmp/err")"
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
