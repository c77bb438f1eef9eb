#!/bin/sh
# Linux boots on the PC machine and does real work:
#   1. the default guest by direct kernel boot (-kernel/-initrd): commands
#      typed on the serial console, their answers checked, power-off;
#   2. the same kernel from a hard disk through SeaBIOS and SYSLINUX, with
#      its root on an ext2 IDE disk; a file written there, synced and
#      powered off is found intact in the image afterwards;
#   3. the same kernel from an ISOLINUX CD-ROM.
# Budgets are in emulated cycles.  The guest is built by roms/make-guest.sh
# (Debian packages); if it cannot be built here, the checks are skipped.
# Usage: tests/guests/linux-boot.sh BUILD_DIR
build=${1:-build}
trapeze=$build/trapeze
guest=$build/guest
work=$build/tests/guests/linux-boot
pass=0
fail=0
skip=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }
skipped() { skip=$((skip + 1)); echo "skip - $*"; }
check() { d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
finish() { echo "$pass passed, $fail failed, $skip skipped"; [ "$fail" = 0 ]; exit $?; }

mkdir -p "$work"
if ! sh roms/make-guest.sh "$guest" > "$work/make-guest.log" 2>&1; then
    skipped "the default guest could not be built (see $work/make-guest.log)"
    finish
fi
BUDGET=60000000000      # 150 s of a 400 MHz P6

# boot NAME SCRIPT ARGS...: run with a serial script; prints the exit status.
boot() {
    name=$1; script=$2; shift 2
    "$trapeze" -display none --turbo --rtc fixed --max-cycles $BUDGET -m 256 -serial "file:$work/$name.serial" \
        --serial-script "$script" --firmware-log "$work/$name.fwlog" "$@" > "$work/$name.out" 2>&1
    echo $?
}

# ---- 1. direct kernel boot, commands on the serial console --------------
printf trapeze > "$work/known"
known_md5=$(md5sum < "$work/known" | cut -d' ' -f1)
cat > "$work/cmds.script" <<SCRIPT
expect guest:/#
send uname -a
expect guest:/#
send cat /proc/cpuinfo
expect guest:/#
send printf trapeze > /tmp/known; md5sum /tmp/known
expect guest:/#
send ls /sys/bus/pci/devices
expect guest:/#
send dmesg | grep -i error; echo ERRORS-END
expect ERRORS-END
send poweroff
SCRIPT
status=$(boot kernel "$work/cmds.script" -kernel "$guest/vmlinuz" -initrd "$guest/initrd.gz" \
    -append "$(cat "$guest/cmdline.txt")")
s=$work/kernel.serial
check "direct kernel boot reaches the shell and powers off (exit $status)" [ "$status" = 0 ]
check "uname -a names the 686 kernel" grep -q "Linux guest .*686.* i686" "$s"
check "/proc/cpuinfo: GenuineIntel family 6" grep -q "cpu family.*: 6" "$s"
check "/proc/cpuinfo flags include fpu tsc cx8 cmov" grep -q "flags.*fpu.*tsc.*cx8.*cmov" "$s"
check "md5sum of a known file" grep -q "$known_md5  /tmp/known" "$s"
check "PCI devices: host bridge, ISA, IDE, PM, VGA" \
    grep -q "0000:00:00.0.*0000:00:01.0.*0000:00:01.1.*0000:00:01.3.*0000:00:02.0" "$s"
# The one known complaint: without a local APIC the kernel registers no
# processor from SeaBIOS's MP table (docs/known-issues.md).
errors=$(sed -n '/grep -i error; echo ERRORS-END/,/^ERRORS-END/p' "$s" | grep "\[ *[0-9.]*\]" |
    grep -vc "BIOS bug, MP table errors detected")
check "dmesg has no errors besides the MP-table one ($errors lines)" [ "$errors" = 0 ]
check "the kernel saw ACPI power-off" grep -q "reboot: Power down" "$s"

# ---- 2. SeaBIOS -> SYSLINUX -> Linux, root on an ext2 IDE disk -------------
mbr=/usr/lib/syslinux/mbr/mbr.bin
if command -v syslinux >/dev/null && command -v mkfs.fat >/dev/null && command -v mcopy >/dev/null &&
    command -v sfdisk >/dev/null && command -v debugfs >/dev/null && [ -f "$mbr" ]; then
    boot=$work/boot.img
    rm -f "$boot" && truncate -s 32M "$boot"
    printf 'label: dos\nstart=2048, type=6, bootable\n' | sfdisk --no-reread --no-tell-kernel -q "$boot"
    mkfs.fat -F 16 --offset 2048 "$boot" >/dev/null 2>&1
    cat > "$work/syslinux.cfg" <<CFG
SERIAL 0 115200
DEFAULT linux
LABEL linux
  LINUX vmlinuz
  INITRD initrd.gz
  APPEND console=ttyS0,115200 panic=-1 root=/dev/sdb
CFG
    export MTOOLS_SKIP_CHECK=1
    mcopy -i "$boot@@1M" "$guest/vmlinuz" "$guest/initrd.gz" "$work/syslinux.cfg" ::/
    syslinux --offset 1048576 --install "$boot"
    dd if="$mbr" of="$boot" bs=440 count=1 conv=notrunc 2>/dev/null
    cp "$guest/rootfs.ext2" "$work/root.ext2"
    cat > "$work/disk.script" <<SCRIPT
expect guest:/#
send mount | grep sdb; echo written by the guest > /written.txt; sync; echo WRITE-DONE
expect WRITE-DONE
send poweroff
SCRIPT
    status=$(boot disk "$work/disk.script" -hda "$boot" -hdb "$work/root.ext2")
    check "SeaBIOS -> SYSLINUX -> Linux from the hard disk (exit $status)" [ "$status" = 0 ]
    check "SYSLINUX's banner on the serial console" grep -q "SYSLINUX" "$work/disk.serial"
    check "the root filesystem is the ext2 disk" grep -q "/dev/sdb on / type ext" "$work/disk.serial"
    content=$(debugfs -R "cat /written.txt" "$work/root.ext2" 2>/dev/null)
    check "the file written in the guest is in the image" [ "$content" = "written by the guest" ]
else
    skipped "disk boot: syslinux, dosfstools, mtools, fdisk or e2fsprogs missing"
fi

# ---- 3. ISOLINUX CD-ROM --------------------------------------------------------
isolinux=/usr/lib/ISOLINUX/isolinux.bin
ldlinux=/usr/lib/syslinux/modules/bios/ldlinux.c32
if command -v xorriso >/dev/null && [ -f "$isolinux" ] && [ -f "$ldlinux" ]; then
    rm -rf "$work/iso" && mkdir -p "$work/iso/isolinux"
    cp "$isolinux" "$ldlinux" "$work/iso/isolinux/"
    cp "$guest/vmlinuz" "$guest/initrd.gz" "$work/iso/"
    cat > "$work/iso/isolinux/isolinux.cfg" <<CFG
SERIAL 0 115200
DEFAULT linux
LABEL linux
  KERNEL /vmlinuz
  INITRD /initrd.gz
  APPEND console=ttyS0,115200 panic=-1
CFG
    xorriso -as mkisofs -quiet -o "$work/cd.iso" -b isolinux/isolinux.bin -c isolinux/boot.cat \
        -no-emul-boot -boot-load-size 4 -boot-info-table "$work/iso" >/dev/null 2>&1
    cat > "$work/cd.script" <<SCRIPT
expect guest:/#
send poweroff
SCRIPT
    status=$(boot cd "$work/cd.script" -cdrom "$work/cd.iso" -boot d)
    check "SeaBIOS -> ISOLINUX -> Linux from the CD-ROM (exit $status)" [ "$status" = 0 ]
    check "ISOLINUX's banner on the serial console" grep -q "ISOLINUX" "$work/cd.serial"
else
    skipped "CD-ROM boot: xorriso or isolinux missing"
fi

# ---- 4. GRUB 2 (grub-mkrescue's El Torito image) -----------------------------
if command -v grub-mkrescue >/dev/null && [ -d /usr/lib/grub/i386-pc ] && command -v xorriso >/dev/null; then
    rm -rf "$work/grub" && mkdir -p "$work/grub/boot/grub"
    cp "$guest/vmlinuz" "$guest/initrd.gz" "$work/grub/"
    cat > "$work/grub/boot/grub/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=1
menuentry "Trapeze guest" {
  linux /vmlinuz console=ttyS0,115200 panic=-1
  initrd /initrd.gz
}
CFG
    grub-mkrescue -o "$work/grub.iso" "$work/grub" > "$work/grub-mkrescue.log" 2>&1
    cat > "$work/grub.script" <<SCRIPT
expect guest:/#
send poweroff
SCRIPT
    status=$(boot grub "$work/grub.script" -cdrom "$work/grub.iso" -boot d)
    check "SeaBIOS -> GRUB 2 -> Linux from the CD-ROM (exit $status)" [ "$status" = 0 ]
    check "GRUB's menu on the serial console" grep -aq "GNU GRUB" "$work/grub.serial"
else
    skipped "GRUB 2: grub-pc-bin or xorriso missing"
fi
finish
