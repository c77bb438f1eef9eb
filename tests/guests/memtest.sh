#!/bin/sh
# memtest86+ (Debian's ia32 build, which runs with PAE paging) on the PC
# machine.  Under `make conformance` it must complete its first pass with
# no errors (about 200e9 emulated cycles, several minutes: its bit-fade test
# waits 2 x 80 s of guest time).  Under `make check` it must start, run its
# first tests for 20e9 cycles and report no errors.  It is booted through
# the Linux boot protocol it supports (-kernel), its screen mirrored on
# COM1; budgets are in emulated cycles.
# Usage: tests/guests/memtest.sh BUILD_DIR
build=${1:-build}
work=$build/tests/guests/memtest
mt=/boot/memtest86+ia32.bin
mkdir -p "$work"
if [ ! -f "$mt" ]; then
    echo "skip - $mt is missing (Debian package memtest86+)"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi
# memtest redraws only what changed on its screen, so the checks read the
# emulator's text dump at the end of the budget.
if [ "${TRAPEZE_TEST_MODE:-check}" = conformance ]; then
    budget=250000000000
else
    budget=20000000000
fi
"$build/trapeze" -display none --turbo --rtc fixed -m 16 -kernel "$mt" -append "console=ttyS0,115200" \
    -serial "file:$work/serial.txt" --max-cycles $budget --text-dump "$work/screen.txt" > "$work/out.txt" 2>&1
status=$?
pass=0
fail=0
check() { d=$1; shift; if "$@"; then pass=$((pass + 1)); echo "ok - $d"; else fail=$((fail + 1)); echo "not ok - $d"; fi; }
check "memtest86+ runs until the budget ends (exit $status, 3 = budget)" [ "$status" = 3 ]
check "its screen shows 'Errors: 0'" grep -q "Errors: 0" "$work/screen.txt"
check "it tests with PAE paging" grep -q "PAE" "$work/screen.txt"
test_no=$(sed -n 's/.*Test #\([0-9]*\).*/\1/p' "$work/screen.txt" | head -1)
passes=$(sed -n 's/.*Pass: *\([0-9]*\).*/\1/p' "$work/screen.txt" | head -1)
if [ "${TRAPEZE_TEST_MODE:-check}" = conformance ]; then
    check "it completed its first pass (Pass: ${passes:-?})" [ "${passes:-0}" -ge 1 ]
else
    check "it reached test #3 or later (test #${test_no:-?})" [ "${test_no:-0}" -ge 3 ]
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
