#!/bin/sh
# make bench: the benchmarks.  Each prints its figures; none passes or
# fails on speed, but a benchmark that cannot run (a missing program, a
# guest that reports an error) makes this script exit non-zero.
#   sh tests/bench/run-bench.sh BUILD
build=${1:-build}
status=0

image=$build/roms/bench_real.bin
if [ ! -f "$image" ]; then
    echo "x86 benchmark: $image not built (needs nasm: ./configure --install-deps)"
    status=1
elif ! "$build/tests/bench/bench_x86" "$image"; then
    status=1
fi

image=$build/roms/bench_pm.bin
if [ ! -f "$image" ]; then
    echo "x86 benchmark: $image not built"
    status=1
else
    echo
    echo "protected mode with paging (bench_pm):"
    "$build/tests/bench/bench_x86" "$image" --cpu p6 || status=1
fi

if [ -f tests/bench/bench-6502.sh ]; then
    echo
    sh tests/bench/bench-6502.sh "$build" || status=1
fi
if [ -f tests/bench/bench-linux.sh ]; then
    echo
    sh tests/bench/bench-linux.sh "$build" || status=1
fi
exit $status
