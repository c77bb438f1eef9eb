#!/bin/sh
# /init of Trapeze's default guest (busybox ash as PID 1).  roms/make-guest.sh
# puts it in the initramfs as /init and on the ext2 disk image as /sbin/init.
#
# What it does:
#   - mounts proc, sysfs, devtmpfs and devpts;
#   - loads the IDE, CD-ROM and filesystem modules (ata_piix, sd_mod, sr_mod,
#     ext4, isofs and what they need) unless the command line says noide;
#   - with root=DEVICE (and optional rootfstype=TYPE) on the command line,
#     mounts that disk and continues from its /sbin/init (this script again);
#   - prints "GUEST-READY uptime=<s> kernel=<release> root=<initramfs|DEVICE>"
#     on the serial console (ttyS0) and the VGA console (tty1);
#   - runs a shell on each of them, restarted when it exits; the prompt is
#     "guest:<dir># ";
#   - `poweroff`, `reboot` and `halt` sync the disks and act at once.
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
export HOME=/root
umask 022

mount -t proc proc /proc 2>/dev/null
mount -t sysfs sysfs /sys 2>/dev/null
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts 2>/dev/null
hostname guest

ROOT=
ROOTFSTYPE=
IDE=1
BENCH=0
for w in $(cat /proc/cmdline); do
    case $w in
        root=/dev/*) ROOT=${w#root=} ;;
        rootfstype=*) ROOTFSTYPE=${w#rootfstype=} ;;
        noide) IDE=0 ;;
        bench) BENCH=1 ;;
    esac
done

# Debian builds ATA, SCSI disks, CD-ROM and most filesystems as modules.
# The checksum drivers go first: ext4 and sd_mod ask the crypto layer for
# them by algorithm name, which this modprobe cannot resolve on its own.
if [ "$IDE" = 1 ] || [ -n "$ROOT" ]; then
    modprobe -a crc32c_generic crct10dif_generic crc64_rocksoft_generic 2>/dev/null
    modprobe -a ata_piix sd_mod sr_mod ext4 isofs 2>/dev/null
fi

# Second stage of a disk boot: the initramfs already moved us here.
if [ "${TRAPEZE_STAGE:-}" = disk ]; then
    ROOT_DESC=$ROOT
elif [ -n "$ROOT" ]; then
    ROOT_DESC=initramfs
    i=0
    while [ ! -b "$ROOT" ] && [ $i -lt 20 ]; do
        sleep 1
        i=$((i + 1))
    done
    mkdir -p /newroot
    opts=rw
    [ "$ROOTFSTYPE" = iso9660 ] && opts=ro
    if [ -b "$ROOT" ] && mount -o "$opts" ${ROOTFSTYPE:+-t "$ROOTFSTYPE"} "$ROOT" /newroot &&
       [ -x /newroot/sbin/init ]; then
        for m in dev proc sys; do
            mkdir -p "/newroot/$m"
            mount --move "/$m" "/newroot/$m"
        done
        export TRAPEZE_STAGE=disk
        exec switch_root /newroot /sbin/init
    fi
    echo "GUEST-ROOT-FAILED $ROOT: staying in the initramfs"
else
    ROOT_DESC=initramfs
fi

# busybox poweroff/reboot/halt without -f signal an init that is not this
# script: act directly, after writing the disks out.
trap 'sync; poweroff -f' USR2
trap 'sync; reboot -f' TERM
trap 'sync; halt -f' USR1

export PS1='guest:\w# '
read -r up _ < /proc/uptime
banner="GUEST-READY uptime=$up kernel=$(uname -r) root=$ROOT_DESC"

# `bench` on the command line: time a CPU-bound workload on the guest's own
# clock (/proc/uptime), print the figures and power off.  The same workload
# runs in any emulator, so their figures compare.
now() { read -r t _ < /proc/uptime; echo "$t"; }
timed() { # timed NAME COMMAND...
    t0=$(now)
    "$@" > /tmp/bench.out 2>&1
    t1=$(now)
    echo "GUEST-BENCH $1 $(awk "BEGIN { printf \"%.2f\", $t1 - $t0 }") $(head -c 60 /tmp/bench.out | tr '\n' ' ')"
}
loop() { i=0; while [ $i -lt 50000 ]; do i=$((i + 1)); done; echo $i; }
md5() { dd if=/dev/zero bs=1M count=8 2>/dev/null | md5sum; }
gz() { dd if=/dev/zero bs=1M count=8 2>/dev/null | gzip -1 | wc -c; }
seqgz() { seq 1 100000 | gzip -6 | md5sum; }
if [ "$BENCH" = 1 ]; then
    echo "$banner" > /dev/ttyS0
    start=$(now)
    for w in loop md5 gz seqgz; do
        timed "$w" "$w" > /dev/ttyS0
    done
    echo "GUEST-DONE workload=$(awk "BEGIN { printf \"%.2f\", $(now) - $start }")" > /dev/ttyS0
    sync
    sleep 1     # let the UART drain before the kernel's power-off messages
    poweroff -f
fi

# One shell per console, each the leader of its own session with the
# console as its controlling terminal, so ^C and job control work.
shell_on() {
    while [ -c "/dev/$1" ]; do
        setsid sh -c "exec sh -l <>/dev/$1 >&0 2>&1"
        sleep 1
    done
}
for tty in ttyS0 tty1; do
    if [ -c "/dev/$tty" ] && { echo "$banner" > "/dev/$tty"; } 2>/dev/null; then
        shell_on "$tty" &
    fi
done

# PID 1 must never exit; `wait` returns when a trapped signal arrives.
while :; do
    sleep 3600 &
    wait $!
done
