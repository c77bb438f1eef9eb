#!/bin/sh
# The PC speaker recorded with --audio-file, headless: a boot sector
# (roms/beep.asm) plays 1000.15 Hz for 500 ms, pauses 100 ms, plays
# 1998.63 Hz for 250 ms and powers off.  The WAV file must hold those two
# tones at those frequencies and lengths (build/tests/unit/test_speaker
# --check-wav finds them), exactly floor(cycles * 48000 / 400 MHz) samples
# for the cycles the run took, and be the same file whether the run was
# paced to real time or ran flat out (--turbo).
# Usage: tests/guests/speaker-wav.sh BUILD_DIR
build=${1:-build}
trapeze=$build/trapeze
checker=$build/tests/unit/test_speaker
work=$build/tests/guests/speaker-wav
pass=0
fail=0
skip=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }
skipped() { skip=$((skip + 1)); echo "skip - $*"; }
check() { # check DESCRIPTION COMMAND...
    d=$1; shift
    if "$@"; then ok "$d"; else not_ok "$d"; fi
}

mkdir -p "$work"
beep=$build/roms/beep.bin
if [ ! -f "$beep" ] || [ ! -x "$trapeze" ] || [ ! -x "$checker" ]; then
    echo "missing $beep, $trapeze or $checker (run make and make check)"
    echo "0 passed, 1 failed"
    exit 1
fi
cp "$beep" "$work/beep.img" && truncate -s 1M "$work/beep.img"

# run NAME ARGS...: boot the beeper, recording to NAME.wav; prints the exit status.
run() {
    name=$1; shift
    rm -f "$work/$name.wav" "$work/$name.serial"
    "$trapeze" -display none --rtc fixed --max-cycles 4000000000 --stats -serial "file:$work/$name.serial" \
        --audio-file "$work/$name.wav" -hda "$work/beep.img" "$@" > "$work/$name.out" 2> "$work/$name.err"
    echo $?
}

# Adds a checker's "N passed, N failed" to ours, showing its lines.
tally() { # tally LOGFILE
    sed 's/^/    /' "$1"
    s=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
    if [ -z "$s" ]; then not_ok "the WAV checker gave no summary"; return; fi
    pass=$((pass + ${s%% passed*}))
    f=${s#*passed, }
    fail=$((fail + ${f%% failed*}))
}

status=$(run turbo --turbo)
check "the beeper runs and powers off (exit $status)" [ "$status" = 0 ]
check "... having said so on COM1" grep -q "beep done" "$work/turbo.serial"
cycles=$(sed -n 's/.*instructions, \([0-9]*\) cycles.*/\1/p' "$work/turbo.err")
if [ -n "$cycles" ]; then
    samples=$((cycles * 48000 / 400000000))
    "$build/tests/unit/test_speaker" --check-wav "$work/turbo.wav" --samples "$samples" 1000.15:0.5 1998.63:0.25 \
        > "$work/check-turbo.log" 2>&1
    tally "$work/check-turbo.log"
else
    not_ok "no cycle count from --stats"
fi

# The same run paced to real time: the same samples, and it takes about
# as long as the emulated time it covers.
start=$(date +%s%N)
status=$(run paced)
end=$(date +%s%N)
check "paced, the beeper powers off too (exit $status)" [ "$status" = 0 ]
check "paced and turbo runs record the same WAV file" cmp -s "$work/turbo.wav" "$work/paced.wav"
case $start$end in
    *[!0-9]*) skipped "wall-clock check: date has no nanoseconds here" ;;
    *)
        wall_ms=$(((end - start) / 1000000))
        emu_ms=$((${cycles:-0} / 400000))
        echo "    paced run: ${wall_ms} ms of real time for ${emu_ms} ms of emulated time"
        check "pacing: the paced run took at least 90% of its emulated time" [ $((wall_ms * 10)) -ge $((emu_ms * 9)) ]
        ;;
esac

# Bad input: an audio file that cannot be written.
"$trapeze" -display none --max-cycles 1000 -serial none --audio-file /nonexistent-dir/x.wav \
    -hda "$work/beep.img" > "$work/bad.out" 2>&1
status=$?
check "an unwritable --audio-file is exit status 2" [ "$status" = 2 ]
check "... with one line naming it" sh -c '[ "$(wc -l < "$1")" = 1 ] && grep -q nonexistent-dir "$1"' sh "$work/bad.out"
"$trapeze" --audio-file > "$work/bad.out" 2>&1
check "--audio-file without a name is exit status 2" [ $? = 2 ]

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
