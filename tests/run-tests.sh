#!/bin/sh
# Runs the test programs and adds up their "N passed, N failed" lines.
#   tests/run-tests.sh check BUILD        everything that needs no display
#   tests/run-tests.sh conformance BUILD  the full conformance sets
# Exits non-zero when any program fails, crashes or prints no summary.
mode=$1
build=${2:-build}
total_pass=0
total_fail=0
bad=0
log=$build/test-logs
mkdir -p "$log"

run() { # run NAME COMMAND...
    name=$1; shift
    out=$log/$(echo "$name" | tr '/ ' '__').log
    "$@" > "$out" 2>&1
    status=$?
    summary=$(grep -E '^([A-Za-z0-9_-]+: )?[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
    if [ -z "$summary" ]; then
        echo "FAIL $name (exit $status, no summary line; log: $out)"
        tail -n 20 "$out"
        bad=1
        return
    fi
    p=$(echo "$summary" | sed -E 's/^([A-Za-z0-9_-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2/')
    f=$(echo "$summary" | sed -E 's/^([A-Za-z0-9_-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\3/')
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    if [ "$status" -ne 0 ] || [ "$f" -ne 0 ]; then
        echo "FAIL $name: $summary (exit $status; log: $out)"
        grep -v -E '^[0-9]+ passed' "$out" | tail -n 30
        bad=1
    else
        echo "ok   $name: $summary"
    fi
}

for t in "$build"/tests/unit/test_*; do
    [ -x "$t" ] && run "unit/${t##*/}" "$t"
done

case $mode in
    check) conf_args=--sample ;;
    conformance) conf_args=--all ;;
    *) echo "usage: run-tests.sh check|conformance [BUILD]" >&2; exit 2 ;;
esac
for t in "$build"/tests/conformance/test_*; do
    [ -x "$t" ] && run "conformance/${t##*/}" "$t" $conf_args
done
# Guest tests may do a longer run under `make conformance`.
TRAPEZE_TEST_MODE=$mode
export TRAPEZE_TEST_MODE
for t in tests/guests/*.sh; do
    [ -f "$t" ] && run "guests/${t##*/}" sh "$t" "$build"
done
# The bare-metal CPU test programs (tests/cpu), run on the pc-test machine.
[ -f tests/cpu/run-suite.sh ] && run "cpu/run-suite.sh" sh tests/cpu/run-suite.sh "$build"

echo "$total_pass passed, $total_fail failed"
[ $bad = 0 ] && [ $total_fail = 0 ]
