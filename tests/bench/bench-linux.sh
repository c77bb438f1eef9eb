#!/bin/sh
# "Boot to shell" and a guest-side CPU workload, in Trapeze and -- when they
# are installed -- QEMU (TCG) and Bochs, on the same default guest.
#
# The guest's /init, given `bench` on the kernel command line, prints
# GUEST-READY when userspace is up, times four workloads on its own clock
# (an ash loop of 50,000 iterations, md5sum and gzip -1 of 8 MiB of zeros,
# seq 1 100000 | gzip -6 | md5sum), prints GUEST-DONE and powers off.  Each
# serial line is stamped with the wall time since the emulator started.
#
#   sh tests/bench/bench-linux.sh BUILD     (BENCH_RUNS=N for N rounds)
build=${1:-build}
guest=$build/guest
out=$build/bench/linux
runs=${BENCH_RUNS:-1}
append="console=ttyS0,115200 panic=-1 bench"
mkdir -p "$out"

if ! sh roms/make-guest.sh "$guest" > "$out/make-guest.log" 2>&1; then
    echo "linux benchmark: the default guest could not be built (see $out/make-guest.log)"
    exit 1
fi

now_ns() { date +%s%N; }

# stamp T0 < serial  ->  "seconds line" for every line (POSIX sh + GNU date)
stamp() {
    t0=$1
    while IFS= read -r line; do
        t=$(now_ns)
        printf '%s %s\n' "$(awk "BEGIN { printf \"%.2f\", ($t - $t0) / 1e9 }")" "$line"
    done
}

# run_stamped NAME COMMAND... (the command writes COM1 to $out/NAME.fifo)
run_stamped() {
    name=$1; shift
    rm -f "$out/$name.fifo" && mkfifo "$out/$name.fifo"
    t0=$(now_ns)
    stamp "$t0" < "$out/$name.fifo" > "$out/$name.log" &
    reader=$!
    "$@" > "$out/$name.stdout" 2>&1
    status=$?
    t1=$(now_ns)
    wait $reader
    echo "$(awk "BEGIN { printf \"%.2f\", ($t1 - $t0) / 1e9 }") EXIT status=$status" >> "$out/$name.log"
}

field() { # field LOG PATTERN: the stamp of the first line matching
    grep -m1 "$2" "$1" | cut -d' ' -f1
}

# --- the emulators -------------------------------------------------------
run_trapeze() {
    run_stamped "trapeze-$1" "$build/trapeze" -display none --turbo --rtc fixed -m 256 -kernel "$guest/vmlinuz" \
        -initrd "$guest/initrd.gz" -append "$append" -serial "file:$out/trapeze-$1.fifo" --stats \
        --serial-script "$out/marks.script"
}

run_qemu() {
    run_stamped "qemu-$1" qemu-system-i386 -machine pc -accel tcg -cpu pentium3 -smp 1 -m 256 -nodefaults \
        -vga std -nic none -display none -monitor none -serial "file:$out/qemu-$1.fifo" -no-reboot \
        -kernel "$guest/vmlinuz" -initrd "$guest/initrd.gz" -append "$append"
}

# Bochs has no direct kernel boot: a SYSLINUX disk with the same kernel.
make_bochs_disk() {
    img=$out/bochs-disk.img
    [ -f "$img" ] && return 0
    command -v syslinux >/dev/null && command -v mcopy >/dev/null && command -v sfdisk >/dev/null || return 1
    rm -f "$img" && truncate -s 33546240 "$img"     # 65 x 16 x 63 sectors
    printf 'label: dos\nstart=2048, type=6, bootable\n' | sfdisk --no-reread --no-tell-kernel -q "$img" || return 1
    mkfs.fat -F 16 --offset 2048 "$img" >/dev/null 2>&1 || return 1
    printf 'SERIAL 0 115200\nDEFAULT linux\nLABEL linux\n  LINUX vmlinuz\n  INITRD initrd.gz\n  APPEND %s\n' \
        "$append" > "$out/syslinux.cfg"
    MTOOLS_SKIP_CHECK=1 mcopy -i "$img@@1M" "$guest/vmlinuz" "$guest/initrd.gz" "$out/syslinux.cfg" ::/ &&
        syslinux --offset 1048576 --install "$img" &&
        dd if=/usr/lib/syslinux/mbr/mbr.bin of="$img" bs=440 count=1 conv=notrunc 2>/dev/null
}

run_bochs() {
    cat > "$out/bochsrc" <<RC
display_library: sdl2
memory: guest=256, host=256
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
cpu: model=p3_katmai, count=1, ips=50000000, reset_on_triple_fault=1, ignore_bad_msrs=1
pci: enabled=1, chipset=i440fx
ata0-master: type=disk, path=$out/bochs-disk.img, mode=volatile, cylinders=65, heads=16, spt=63, translation=lba
boot: disk
clock: sync=none, time0=946684800
com1: enabled=1, mode=file, dev=$out/bochs-$1.fifo
log: $out/bochs-$1.bxlog
panic: action=fatal
RC
    printf 'continue\n' > "$out/bochs.rc"
    SDL_VIDEODRIVER=dummy run_stamped "bochs-$1" bochs-bin -q -f "$out/bochsrc" -rc "$out/bochs.rc"
}

printf 'expect GUEST-READY\nmark ready\nexpect GUEST-DONE\nmark done\n' > "$out/marks.script"
peers=trapeze
command -v qemu-system-i386 >/dev/null && peers="$peers qemu"
if command -v bochs-bin >/dev/null && [ -f /usr/share/bochs/BIOS-bochs-latest ] && make_bochs_disk; then
    peers="$peers bochs"
fi

# Interleaved rounds, one emulator at a time.
r=1
while [ $r -le "$runs" ]; do
    for p in $peers; do
        echo "round $r: $p ..."
        "run_$p" "$r"
    done
    r=$((r + 1))
done

# --- the table (medians over the rounds) ---------------------------------
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { # col PEER what
    r=1
    while [ $r -le "$runs" ]; do
        log=$out/$1-$r.log
        case $2 in
            ready) field "$log" GUEST-READY ;;
            done) field "$log" GUEST-DONE ;;
            exit) field "$log" "EXIT status" ;;
            workload) grep -m1 GUEST-DONE "$log" | sed 's/.*workload=//' ;;
            *) grep -m1 "GUEST-BENCH $2 " "$log" | cut -d' ' -f4 ;;
        esac
        r=$((r + 1))
    done | median
}

echo
echo "Linux boot and workload (median of $runs; wall seconds from process start, guest-clock seconds for the workload)"
printf '%-8s %10s %10s %10s %12s %6s %6s %6s %6s\n' emulator READY DONE exit "workload(g)" loop md5 gzip seqgz
for p in $peers; do
    printf '%-8s %10s %10s %10s %12s %6s %6s %6s %6s\n' "$p" "$(col $p ready)" "$(col $p done)" "$(col $p exit)" \
        "$(col $p workload)" "$(col $p loop)" "$(col $p md5)" "$(col $p gz)" "$(col $p seqgz)"
done
ready_t=$(col trapeze ready)
for p in $peers; do
    [ "$p" = trapeze ] && continue
    pr=$(col $p ready)
    echo "time to shell, $p / trapeze: $(awk "BEGIN { if ($ready_t > 0) printf \"%.2f\", $pr / $ready_t }")"
done
marks=$(grep "mark ready" "$out/trapeze-1.stdout" 2>/dev/null)
echo "trapeze, round 1: ${marks#trapeze: }"
grep -q "GUEST-DONE" "$out/trapeze-1.log"
