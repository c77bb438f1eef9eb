#!/bin/sh
# 6502 benchmark: one C program (roms/6502/primes.c, built with
# `cl65 -t sim6502`) under Trapeze's mini6502 and under cc65's sim65.
#   sh tests/bench/bench-6502.sh BUILD
# Each emulator runs it 5 times; the median wall time and the emulator's
# own cycle count give the emulated MHz.  BENCH_6502_ARGS overrides the
# program's arguments (LIMIT REPEAT).
build=${1:-build}
trapeze=$build/trapeze
program=$build/roms/6502/primes.sim
args=${BENCH_6502_ARGS:-16000 20}
runs=5
tmp=${TMPDIR:-/tmp}/trapeze-bench6502.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ ! -f "$program" ]; then
    echo "6502 benchmark: $program not built (needs cc65's cl65: ./configure --install-deps)"
    exit 1
fi

now_ns() { date +%s%N; }

# time_runs NAME COMMAND...: median wall time of $runs runs, in seconds;
# the command's stdout+stderr of the last run is left in $tmp/NAME.out.
time_runs() {
    name=$1; shift
    : > "$tmp/$name.times"
    i=0
    while [ $i -lt $runs ]; do
        t0=$(now_ns)
        "$@" > "$tmp/$name.out" 2>&1
        t1=$(now_ns)
        echo "$t0 $t1" | awk '{ printf "%.6f\n", ($2 - $1) / 1e9 }' >> "$tmp/$name.times"
        i=$((i + 1))
    done
    sort -n "$tmp/$name.times" | awk -v n=$runs 'NR == int((n + 1) / 2) { print }'
}

cycles_of() { sed -n 's/^\([0-9][0-9]*\) cycles$/\1/p' "$1" | tail -n 1; }

mhz() { echo "$1 $2" | awk '{ printf "%.1f", $1 / $2 / 1e6 }'; }

# shellcheck disable=SC2086 # $args is a word list on purpose
t_trapeze=$(time_runs trapeze "$trapeze" --machine mini6502 --cycles "$program" $args)
c_trapeze=$(cycles_of "$tmp/trapeze.out")
if [ -z "$c_trapeze" ]; then
    echo "6502 benchmark: trapeze did not run the program:"
    cat "$tmp/trapeze.out"
    exit 1
fi
result=$(grep -v ' cycles$' "$tmp/trapeze.out")
echo "6502 benchmark: primes.sim $args ($result), median of $runs runs"
line() { printf '  %-30s %10s cycles %9s s %7s MHz emulated\n' "$1" "$2" "$3" "$(mhz "$2" "$3")"; }
line "trapeze mini6502:" "$c_trapeze" "$t_trapeze"

if ! command -v sim65 > /dev/null 2>&1; then
    echo "  sim65: not installed (Debian package cc65); no ratio"
    exit 0
fi
# shellcheck disable=SC2086
t_sim65=$(time_runs sim65 sim65 -c "$program" $args)
c_sim65=$(cycles_of "$tmp/sim65.out")
if [ -z "$c_sim65" ]; then
    echo "  sim65 did not run the program:"
    cat "$tmp/sim65.out"
    exit 1
fi
line "$(sim65 --version 2>&1 | head -n 1 | sed 's/ - / /'):" "$c_sim65" "$t_sim65"
echo "$c_trapeze $t_trapeze $c_sim65 $t_sim65" |
    awk '{ printf "  ratio trapeze/sim65 (emulated MHz): %.2f\n", ($1 / $2) / ($3 / $4) }'
