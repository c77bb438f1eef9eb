#!/bin/sh
# The bare-metal CPU test suite: runs every program of tests/cpu (assembled
# by make into BUILD/tests/cpu/*.bin) on the pc-test machine and adds up
# their "N passed, N failed" lines.
#   sh tests/cpu/run-suite.sh BUILD
# A program that crashes, runs out of its cycle budget or prints no summary
# counts as a failure (its "ok"/"not ok" lines are still counted).  Prints
# one line per program, then "cpu-suite: N passed, N failed" and the plain
# "N passed, N failed"; exits non-zero when anything failed.
build=${1:-build}
trapeze=$build/trapeze
# Emulated cycles per program (the programs need well under a million).
budget=${CPU_SUITE_CYCLES:-50000000}
tmp=${TMPDIR:-/tmp}/trapeze-cpu-suite.$$
trap 'rm -f "$tmp"' EXIT INT TERM
pass=0
fail=0
count=0

show_failures() {
    grep -E '^not ok' "$tmp" | sed 's/^/     /'
}

for image in "$build"/tests/cpu/*.bin; do
    [ -f "$image" ] || continue
    count=$((count + 1))
    name=$(basename "$image" .bin)
    "$trapeze" --cpu p6 -m 32 --max-cycles "$budget" "$image" > "$tmp" 2>&1
    status=$?
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$tmp" | tail -n 1)
    if [ -z "$summary" ]; then
        p=$(grep -c '^ok - ' "$tmp")
        f=$(grep -c '^not ok' "$tmp")
        pass=$((pass + p))
        fail=$((fail + f + 1))
        echo "FAIL $name: no summary line (exit $status, $p ok, $f not ok before it stopped)"
        show_failures
        tail -n 3 "$tmp" | grep -v -E '^(not )?ok' | sed 's/^/     /'
        continue
    fi
    p=${summary%% passed*}
    f=${summary#* passed, }
    f=${f%% failed*}
    pass=$((pass + p))
    fail=$((fail + f))
    if [ "$f" -ne 0 ]; then
        echo "FAIL $name: $summary"
        show_failures
    elif [ "$status" -ne 0 ]; then
        fail=$((fail + 1))
        echo "FAIL $name: $summary but exit status $status"
    else
        echo "ok   $name: $summary"
    fi
done

if [ "$count" -eq 0 ]; then
    echo "FAIL no programs in $build/tests/cpu (is nasm installed? run make)"
    fail=$((fail + 1))
fi
echo "cpu-suite: $pass passed, $fail failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
