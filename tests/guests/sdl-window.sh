#!/bin/sh
# The SDL window under a real X server (Xvfb), driven with xdotool.
#
# The guest is roms/keyecho.asm booted by SeaBIOS from a hard disk: it
# echoes typed characters to the screen and COM1.  The test types into the
# window, then checks that the emulator's own screenshot (Ctrl+Alt+S) and
# text dump show the text, and that the window's pixels on the X screen
# (Xvfb keeps its screen in an XWD file, -fbdir) match the emulator's
# framebuffer where the emulator says it drew it: pixel for pixel with
# --integer-scale, within linear filtering's reach with the default 4:3
# aspect scaling, and again after the window was resized.  Also: mouse
# grab by a click and release with Ctrl+Alt+G, pause, quit, and what
# happens without a display (one line, headless, no crash) -- that part
# runs everywhere; the X part is skipped (never passed) without Xvfb,
# xdotool, SDL2 or libpng.
# Usage: tests/guests/sdl-window.sh BUILD_DIR
build=${1:-build}
trapeze=$build/trapeze
compare=$build/tests/unit/test_screen_compare
work=$build/tests/guests/sdl-window
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
finish() {
    echo "$pass passed, $fail failed, $skip skipped"
    [ "$fail" = 0 ]
    exit $?
}
# wait_for SECONDS COMMAND...: poll every 0.1 s until COMMAND succeeds.
wait_for() {
    n=$(($1 * 10)); shift
    while [ $n -gt 0 ]; do
        "$@" 2>/dev/null && return 0
        sleep 0.1
        n=$((n - 1))
    done
    return 1
}

rm -rf "$work" && mkdir -p "$work/shots"
echo_bin=$build/roms/keyecho.bin
if [ ! -f "$echo_bin" ] || [ ! -x "$trapeze" ]; then
    echo "missing $echo_bin or $trapeze (run make)"
    echo "0 passed, 1 failed"
    exit 1
fi
cp "$echo_bin" "$work/hd.img" && truncate -s 1M "$work/hd.img"

# ---- No display: one line, then the run goes on headless -----------------
(
    unset DISPLAY WAYLAND_DISPLAY
    exec "$trapeze" -display sdl --max-cycles 200000000 -serial "file:$work/nodisp.serial" -hda "$work/hd.img"
) > "$work/nodisp.out" 2> "$work/nodisp.err"
status=$?
check "-display sdl without a display runs headless to its cycle budget (exit $status)" [ "$status" = 3 ]
check "... saying so in one line" grep -q -E "no display available|has no window" "$work/nodisp.err"
check "... and only that line (besides the budget message)" [ "$(wc -l < "$work/nodisp.err")" = 2 ]
check "... while the guest ran (its prompt on COM1)" grep -q "key echo" "$work/nodisp.serial"
"$trapeze" -display gtk > "$work/bad.out" 2>&1
check "an unknown -display is exit status 2" [ $? = 2 ]

# A timed screenshot without a window, named with a timestamp.
(
    unset DISPLAY WAYLAND_DISPLAY
    exec "$trapeze" --turbo --max-cycles 200000000 -serial none --screenshot-after 0.3 \
        --screenshot-dir "$work/shots" -hda "$work/hd.img"
) > /dev/null 2> "$work/timed.err"
if grep -q '^HAVE_PNG = 1' config.mk 2>/dev/null; then
    check "--screenshot-after writes trapeze-YYYYMMDD-HHMMSS.png" \
        sh -c 'ls "$1"/trapeze-[0-9]*-[0-9]*.png > /dev/null' sh "$work/shots"
else
    skipped "--screenshot-after: this build has no libpng"
fi
rm -f "$work/shots"/*

# ---- The window under Xvfb --------------------------------------------------
missing=
grep -q '^HAVE_SDL = 1' config.mk 2>/dev/null || missing="$missing SDL2-in-this-build"
grep -q '^HAVE_PNG = 1' config.mk 2>/dev/null || missing="$missing libpng-in-this-build"
command -v Xvfb > /dev/null 2>&1 || missing="$missing xvfb"
command -v xdotool > /dev/null 2>&1 || missing="$missing xdotool"
[ -x "$compare" ] || missing="$missing $compare"
if [ -n "$missing" ]; then
    skipped "the window under Xvfb: missing$missing (./configure --install-deps)"
    finish
fi

mkdir -p "$work/fb"
Xvfb -displayfd 3 -screen 0 1024x768x24 -fbdir "$work/fb" -nolisten tcp 3> "$work/display" 2> "$work/xvfb.log" &
xvfb=$!
emu=
trap 'kill $emu $xvfb 2>/dev/null' EXIT INT TERM
if ! wait_for 20 grep -q '[0-9]' "$work/display"; then
    skipped "the window under Xvfb: Xvfb did not start (see $work/xvfb.log)"
    finish
fi
DISPLAY=:$(head -n 1 "$work/display")
export DISPLAY

# start NAME ARGS...: the emulator in a window, in the background ($emu).
start() {
    name=$1; shift
    "$trapeze" -display sdl --no-sound --rtc fixed --max-cycles 48000000000 -serial "file:$work/$name.serial" \
        --screenshot-dir "$work/shots" --text-dump "$work/$name.screen" -hda "$work/hd.img" "$@" \
        > "$work/$name.out" 2> "$work/$name.err" &
    emu=$!
    wid=
    if wait_for 30 sh -c 'xdotool search --name "^Trapeze" > "$1"' sh "$work/wid"; then
        wid=$(head -n 1 "$work/wid")
    fi
}

stop() { # stop: the emulator is gone one way or the other; its exit status in $status
    if ! wait_for 20 sh -c '! kill -0 "$1"' sh "$emu"; then
        kill "$emu" 2>/dev/null
    fi
    wait "$emu"
    status=$?
    emu=
}

# type_line TEXT: into the window, then Enter; waits for the guest's echo on COM1.
type_line() {
    xdotool type --delay 40 "$1"
    xdotool key Return
    wait_for 30 grep -q -F "> $1" "$work/$name.serial"
}

# shot_matches DESCRIPTION [--exact | --tolerance N]: Ctrl+Alt+S, then compare the window
# on the X screen with the PNG, where the emulator said it drew it.
shot_matches() {
    desc=$1; shift
    before=$(grep -c "screenshot saved" "$work/$name.err")
    xdotool key ctrl+alt+s
    if ! wait_for 10 sh -c '[ "$(grep -c "screenshot saved" "$1")" -gt "$2" ]' sh "$work/$name.err" "$before"; then
        not_ok "$desc: no screenshot"
        return
    fi
    line=$(grep "screenshot saved" "$work/$name.err" | tail -n 1)
    echo "    $line"
    png=$(echo "$line" | sed 's/.*saved to \([^ ]*\) .*/\1/')
    set -- $(echo "$line" | sed 's/.*shown at \([0-9]*\),\([0-9]*\) size \([0-9]*\)x\([0-9]*\) .*/\1 \2 \3 \4/') "$@"
    eval "$(xdotool getwindowgeometry --shell "$wid")"
    sleep 0.3                       # a frame or two for the window
    if "$compare" --compare "$work/fb/Xvfb_screen0" "$png" $((X + $1)) $((Y + $2)) "$3" "$4" $5 $6 \
        > "$work/compare.log" 2>&1; then
        ok "$desc"
    else
        not_ok "$desc"
    fi
    sed 's/^/    /' "$work/compare.log"
}

# 1. Aspect scaling (the default): text mode is 720x400 shown 4:3.
name=aspect
start aspect
if [ -z "$wid" ]; then
    not_ok "the window appears (see $work/aspect.err)"
    kill "$emu" 2>/dev/null
    finish
fi
ok "the window appears"
check "the guest's prompt arrives on COM1" wait_for 60 grep -q "^> " "$work/aspect.serial"
xdotool windowfocus --sync "$wid"
check "typed text reaches the guest" type_line "Hello, Trapeze!"
check "shifted and unshifted keys, digits" type_line "The 3 quick (brown) foxes: #42 & 'C:\\dos' ~ 50% + <x>?"
shot_matches "the window shows the framebuffer, scaled to 4:3"
check "... a 720x540 picture" grep -q "720x400 picture shown at 0,0 size 720x540" "$work/aspect.err"
xdotool windowsize --sync "$wid" 860 400
sleep 0.5
shot_matches "resized to 860x400, the picture is centred at 4:3"
check "... 533x400 at 163,0" grep -q "shown at 163,0 size 533x400 in a 860x400" "$work/aspect.err"

# The mouse: a click grabs it, Ctrl+Alt+G lets it go (the title says which).
xdotool mousemove --window "$wid" 300 200 click 1
check "a click grabs the mouse" wait_for 5 sh -c 'xdotool getwindowname "$1" | grep -q "releases the mouse"' sh "$wid"
xdotool key ctrl+alt+g
check "Ctrl+Alt+G releases it" wait_for 5 sh -c '! xdotool getwindowname "$1" | grep -q "releases the mouse"' sh "$wid"
check "the title shows the speed and the disk" \
    sh -c 'xdotool getwindowname "$1" | grep -q -E "MIPS, [0-9]+% - hda:"' sh "$wid"

# Pause: keys typed meanwhile are not the guest's; after resuming they are.
xdotool key ctrl+alt+p
check "Ctrl+Alt+P pauses" wait_for 5 sh -c 'xdotool getwindowname "$1" | grep -q paused' sh "$wid"
xdotool type --delay 40 "zzz"
sleep 0.5
check "... and nothing typed while paused reaches the guest" sh -c '! grep -q zzz "$1"' sh "$work/aspect.serial"
xdotool key ctrl+alt+p
check "resumed, typing works again" type_line "after the pause"

# A VBE mode (F2 in the guest): 1920x1080 with square pixels, the window
# shrunk to fit the 1024x768 screen at 16:9, the smooth test picture
# scaled within a few levels.
xdotool key F2
check "the guest draws its 1920x1080 picture" wait_for 30 grep -q "picture done" "$work/aspect.serial"
check "the window follows the guest into 1920x1080" wait_for 10 sh -c \
    'eval "$(xdotool getwindowgeometry --shell "$1")"; [ "$WIDTH" = 1024 ] && [ "$HEIGHT" = 576 ]' sh "$wid"
shot_matches "the VBE picture, scaled to 1024x576" --tolerance 8
check "... a 1920x1080 picture in a 1024x576 window" \
    grep -q "1920x1080 picture shown at 0,0 size 1024x576 in a 1024x576 window" "$work/aspect.err"

# Ctrl+Alt+R resets the machine: the firmware boots the guest again.
xdotool key ctrl+alt+r
check "Ctrl+Alt+R resets the machine (the guest starts again)" \
    wait_for 30 sh -c '[ "$(grep -c "key echo" "$1")" = 2 ]' sh "$work/aspect.serial"
check "... and the window follows it back to text mode" wait_for 10 sh -c \
    'eval "$(xdotool getwindowgeometry --shell "$1")"; [ "$WIDTH" = 720 ] && [ "$HEIGHT" = 540 ]' sh "$wid"
xdotool key ctrl+alt+m
xdotool key ctrl+alt+q
stop
check "Ctrl+Alt+Q quits with exit status 0 ($status)" [ "$status" = 0 ]
check "the text dump at exit shows the rebooted guest" grep -q "key echo" "$work/aspect.screen"
check "Ctrl+Alt+M says there is no monitor yet, in one line" grep -q "no x86 monitor" "$work/aspect.err"

# 2. Integer scaling: 720x400 at 1:1, every pixel the framebuffer's.
name=integer
start integer --integer-scale
if [ -n "$wid" ]; then
    ok "the window appears with --integer-scale"
    wait_for 60 grep -q "^> " "$work/integer.serial"
    xdotool windowfocus --sync "$wid"
    check "typed text reaches the guest" type_line "pixel for pixel"
    shot_matches "the window shows the framebuffer pixel for pixel" --exact
    check "... at 720x400" grep -q "720x400 picture shown at 0,0 size 720x400" "$work/integer.err"
    xdotool key Escape                  # the guest powers off
    stop
    check "the guest powering off closes the window with exit status 0 ($status)" [ "$status" = 0 ]
    check "the screenshot was named with a timestamp" \
        sh -c 'ls "$1"/trapeze-[0-9]*-[0-9]*.png > /dev/null' sh "$work/shots"
else
    not_ok "the window appears with --integer-scale (see $work/integer.err)"
    kill "$emu" 2>/dev/null
fi
finish
