#!/bin/sh
# Real firmware boots a boot sector written here (roms/bootsect.asm) on the
# PC machine: SeaBIOS from a hard disk and from an El Torito CD-ROM, and the
# Bochs BIOS from a hard disk.  The boot sector prints a line to COM1 and to
# the screen and powers the machine off; each run has a budget of emulated
# cycles, so the test does not depend on how busy the host is.
# Usage: tests/guests/pc-boot.sh BUILD_DIR
build=${1:-build}
trapeze=$build/trapeze
work=$build/tests/guests/pc-boot
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
boot=$build/roms/bootsect.bin
if [ ! -f "$boot" ] || [ ! -x "$trapeze" ]; then
    echo "missing $boot or $trapeze (run make)"
    echo "0 passed, 1 failed"
    exit 1
fi

# A 10 MiB hard disk whose MBR is the boot sector.
cp "$boot" "$work/hd.img" && truncate -s 10M "$work/hd.img"

# run NAME ARGS...: boot with a budget of 2e9 cycles (5 s of a 400 MHz P6).
run() {
    name=$1; shift
    rm -f "$work/$name.serial" "$work/$name.screen" "$work/$name.fwlog"
    "$trapeze" -display none --turbo --max-cycles 2000000000 --rtc fixed -serial "file:$work/$name.serial" \
        --firmware-log "$work/$name.fwlog" --text-dump "$work/$name.screen" "$@" \
        > "$work/$name.out" 2>&1
    echo $?
}

status=$(run seabios-hd -hda "$work/hd.img")
check "SeaBIOS boots the hard disk and the guest powers off (exit $status)" [ "$status" = 0 ]
check "SeaBIOS's log reaches 'Booting from Hard Disk'" grep -q "Booting from Hard Disk" "$work/seabios-hd.fwlog"
check "the boot sector's line on COM1" grep -q "booted from drive 0x80" "$work/seabios-hd.serial"
check "the boot sector's line on the VGA text screen" grep -q "booted from drive 0x80" "$work/seabios-hd.screen"
check "SeaBIOS's banner on the screen" grep -q "SeaBIOS (version" "$work/seabios-hd.screen"

# A 1.44 MB floppy whose boot sector is ours.
cp "$boot" "$work/fd.img" && truncate -s 1474560 "$work/fd.img"
status=$(run seabios-fd -fda "$work/fd.img" -boot a)
check "SeaBIOS boots the floppy through the 82077 and DMA (exit $status)" [ "$status" = 0 ]
check "the floppy boot sector's line on COM1 (drive 0x00)" grep -q "booted from drive 0x00" "$work/seabios-fd.serial"
check "SeaBIOS's log reaches 'Booting from Floppy'" grep -q "Booting from Floppy" "$work/seabios-fd.fwlog"

if command -v xorriso >/dev/null 2>&1; then
    rm -rf "$work/iso" && mkdir -p "$work/iso"
    cp "$boot" "$work/iso/boot.bin" && truncate -s 2048 "$work/iso/boot.bin"
    xorriso -as mkisofs -quiet -o "$work/cd.iso" -b boot.bin -no-emul-boot -boot-load-size 4 "$work/iso" \
        > /dev/null 2>&1
    status=$(run seabios-cd -cdrom "$work/cd.iso" -boot d)
    check "SeaBIOS boots the El Torito CD-ROM (exit $status)" [ "$status" = 0 ]
    check "the CD boot sector's line on COM1 (drive 0xE0)" grep -q "booted from drive 0xE0" "$work/seabios-cd.serial"
    check "the CD boot on the screen" grep -q "booted from drive 0xE0" "$work/seabios-cd.screen"
else
    skipped "CD-ROM boot: xorriso is missing (./configure --install-deps)"
fi

bochs_bios=/usr/share/bochs/BIOS-bochs-latest
if [ -f "$bochs_bios" ]; then
    status=$(run bochs-hd --bios "$bochs_bios" -hda "$work/hd.img")
    check "the Bochs BIOS boots the hard disk (exit $status)" [ "$status" = 0 ]
    check "the Bochs BIOS's log reaches 'Booting from'" grep -q "Booting from" "$work/bochs-hd.fwlog"
    check "the boot sector's line on COM1 under the Bochs BIOS" grep -q "booted from drive 0x80" "$work/bochs-hd.serial"
else
    skipped "Bochs BIOS: $bochs_bios is missing (Debian package bochsbios)"
fi

# Bad input: one clear line and exit status 2.
"$trapeze" -hda "$work/does-not-exist.img" > "$work/bad.out" 2>&1
status=$?
check "a missing disk image is exit status 2" [ "$status" = 2 ]
check "... with one line on stderr" [ "$(wc -l < "$work/bad.out")" = 1 ]
"$trapeze" --bios "$work/does-not-exist.bin" > "$work/bad.out" 2>&1
status=$?
check "missing firmware is exit status 2 naming the package" grep -q "seabios" "$work/bad.out"
: > "$work/empty.img"
"$trapeze" -hda "$work/empty.img" > "$work/bad.out" 2>&1
check "an empty disk image is refused" [ $? = 2 ]

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
