#!/bin/sh
# Build Trapeze's default guest from Debian's own i386 packages.
#
#   usage: roms/make-guest.sh [OUTDIR]        (default: build/guest)
#
# Makes, in OUTDIR:
#   vmlinuz       Debian's 686 kernel (linux-image-<abi>-686, i386), a bzImage
#   initrd.gz     gzip'd newc cpio: busybox-static (i386), /init = roms/guest-init.sh,
#                 the IDE/CD-ROM/filesystem modules with a modules.dep for them
#   rootfs.ext2   an ext2 filesystem image (mkfs.ext2 -d) with the same userland,
#                 /sbin/init = guest-init.sh, and /boot/{vmlinuz,initrd.gz}
#   cmdline.txt   a kernel command line for the initramfs guest
#   versions.txt  the package versions used;  kernel-config  the kernel's .config
#
# The packages come from the archives the host's apt is set up for, through
# a private apt state under OUTDIR/apt (its own lists, cache, architecture
# i386 and an empty dpkg status): the host's apt configuration and dpkg
# database are only read, never changed.  Outputs are rebuilt only when
# older than what they are made from; the same packages give byte-identical
# vmlinuz and initrd.gz (fixed mtimes and owners, sorted entries).
#
# Environment: KPKG=linux-image-...  picks the kernel package (default: what
#   linux-image-686 depends on);  REFRESH=1 resolves and downloads again.
# Host tools: apt-get, apt-cache, dpkg-deb, tar, gzip, od, mkfs.ext2 (e2fsprogs).
set -eu

die() { echo "make-guest: $*" >&2; exit 1; }
say() { echo "make-guest: $*"; }

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE/../build/guest}
mkdir -p "$OUT" || die "cannot create $OUT"
OUT=$(cd "$OUT" && pwd)
INIT_SCRIPT=$HERE/guest-init.sh
SELF=$HERE/make-guest.sh
[ -f "$INIT_SCRIPT" ] || die "missing $INIT_SCRIPT"

for t in apt-get apt-cache dpkg-deb tar gzip od find sort awk head cmp; do
    command -v "$t" >/dev/null 2>&1 || die "missing host tool: $t"
done
MKFS=$(command -v mkfs.ext2 || command -v /sbin/mkfs.ext2 || command -v /usr/sbin/mkfs.ext2 || true)
[ -n "$MKFS" ] || die "missing host tool: mkfs.ext2 (Debian package e2fsprogs)"

# Newer than every input (all of which must exist)?
up_to_date() {
    out=$1; shift
    [ -e "$out" ] || return 1
    for src in "$@"; do
        [ -e "$src" ] && [ "$out" -nt "$src" ] || return 1
    done
}

# ---- 1. packages: a private apt for i386 ------------------------------------
A=$OUT/apt
DEBS=$OUT/debs
mkdir -p "$A/lists/partial" "$A/archives/partial" "$A/cache" "$A/preferences.d" "$DEBS"
[ -e "$A/status" ] || : > "$A/status"
case $OUT in *[[:space:]]*) die "the output directory must not contain spaces: $OUT" ;; esac
APT_OPTS="-o Dir::State=$A -o Dir::State::Lists=$A/lists -o Dir::State::status=$A/status
 -o Dir::Cache=$A/cache -o Dir::Cache::Archives=$A/archives
 -o Dir::Etc::Preferences=$A/preferences -o Dir::Etc::PreferencesParts=$A/preferences.d
 -o APT::Architecture=i386 -o APT::Architectures::=i386 -o Debug::NoLocking=1
 -o Acquire::Languages=none"
[ "$(id -u)" = 0 ] && APT_OPTS="$APT_OPTS -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
apt_private() { tool=$1; shift; "$tool" $APT_OPTS "$@"; }

deb_of() { ls "$DEBS"/"$1"_*_i386.deb 2>/dev/null | LC_ALL=C sort | tail -n 1; }

[ -n "${KPKG:-}" ] || KPKG=$(cat "$DEBS/kernel-package" 2>/dev/null || true)
KDEB=
[ -n "$KPKG" ] && KDEB=$(deb_of "$KPKG")
BDEB=$(deb_of busybox-static)
if [ "${REFRESH:-0}" = 1 ] || [ -z "$KDEB" ] || [ -z "$BDEB" ]; then
    say "updating the private i386 package lists in $A"
    # One index failing (a mirror mid-sync) is survivable when the others
    # name the packages; no lists at all is not.
    if ! apt_private apt-get -q -y update > "$A/update.log" 2>&1 &&
       ! apt_private apt-get -q -y update >> "$A/update.log" 2>&1; then
        say "warning: apt-get update reported errors (see $A/update.log); using the lists it got"
    fi
    apt_private apt-cache show busybox-static > /dev/null 2>&1 ||
        die "apt-get update fetched no i386 package lists (no network or no reachable Debian archive); see $A/update.log"
    if [ -z "$KPKG" ] || [ "${REFRESH:-0}" = 1 ]; then
        KPKG=$(apt_private apt-cache depends linux-image-686 2>/dev/null |
               awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9].*-686(-unsigned)?$/ { print $2; exit }')
        [ -n "$KPKG" ] || die "cannot resolve linux-image-686 to a kernel package"
    fi
    say "downloading $KPKG busybox-static (i386)"
    rm -f "$DEBS"/*.deb
    (cd "$DEBS" && apt_private apt-get -q download "$KPKG" busybox-static > "$A/download.log" 2>&1) ||
        die "apt-get download $KPKG busybox-static failed; see $A/download.log"
    echo "$KPKG" > "$DEBS/kernel-package"
    KDEB=$(deb_of "$KPKG")
    BDEB=$(deb_of busybox-static)
    [ -n "$KDEB" ] && [ -n "$BDEB" ] || die "downloaded packages not found in $DEBS"
fi
for d in "$KDEB" "$BDEB"; do
    dpkg-deb -I "$d" > /dev/null 2>&1 || die "$d is not a valid .deb (REFRESH=1 downloads again)"
done
{
    for d in "$KDEB" "$BDEB"; do
        echo "$(dpkg-deb -f "$d" Package) $(dpkg-deb -f "$d" Version) $(dpkg-deb -f "$d" Architecture)"
    done
} > "$OUT/versions.txt.new"
if cmp -s "$OUT/versions.txt.new" "$OUT/versions.txt"; then rm -f "$OUT/versions.txt.new"
else mv "$OUT/versions.txt.new" "$OUT/versions.txt"; fi

# ---- 2. kernel and the modules the guest needs ----------------------------------
W=$OUT/work
INPUTS="$KDEB $BDEB $INIT_SCRIPT $SELF"
# Wanted modules: IDE disks and CD-ROMs through ata_piix, ext2/ext4 (ext4
# serves both) and iso9660 (isofs), and the checksum drivers the block and
# filesystem layers ask for by name.  Their dependencies are read from each
# module's .modinfo "depends=" (Debian's package has no modules.dep: depmod
# makes it at install time), and a modules.dep is written for the guest.
WANTED="ata_piix sd_mod sr_mod ext4 isofs crc32c_generic crct10dif_generic crc64_rocksoft_generic"

modname() { n=${1##*/}; n=${n%%.ko*}; echo "$n" | tr - _; }

module_depends() { # the depends= list of a module file, comma-separated
    case $1 in
        *.ko) cat "$1" ;;
        *.ko.xz) xz -dc "$1" ;;
        *) die "cannot read compressed module $1" ;;
    esac | tr '\0' '\n' | sed -n 's/^depends=//p' | head -n 1
}

build_kernel_tree() {
    rm -rf "$W/k"
    mkdir -p "$W/k"
    dpkg-deb --fsys-tarfile "$KDEB" | tar -t > "$W/k.list" || die "cannot list $KDEB"
    vmlinuz=$(grep -E '^\./boot/vmlinuz-' "$W/k.list" | head -n 1)
    config=$(grep -E '^\./boot/config-' "$W/k.list" | head -n 1)
    [ -n "$vmlinuz" ] || die "$KDEB has no kernel image"
    KVER=${vmlinuz#./boot/vmlinuz-}
    MODDIR=$(grep -E "^\\./(usr/)?lib/modules/$KVER/\$" "$W/k.list" | head -n 1)
    MODDIR=${MODDIR%/}
    [ -n "$MODDIR" ] || die "$KDEB has no modules for $KVER"
    # name -> member path, for every module in the package
    grep -E '\.ko(\.xz)?$' "$W/k.list" | while read -r m; do echo "$(modname "$m") $m"; done \
        > "$W/k.modules"
    dpkg-deb --fsys-tarfile "$KDEB" | tar -x -C "$W/k" "$vmlinuz" $config || die "cannot unpack $KDEB"
    # Breadth-first closure over depends=, one unpacking pass per level.
    : > "$W/k.deps"
    todo=$WANTED
    while [ -n "$todo" ]; do
        members=
        for n in $todo; do
            m=$(awk -v n="$n" '$1 == n { print $2; exit }' "$W/k.modules")
            [ -n "$m" ] || { say "note: no module $n in this kernel (built in?)"; continue; }
            members="$members $m"
        done
        [ -n "$members" ] || break
        # shellcheck disable=SC2086
        dpkg-deb --fsys-tarfile "$KDEB" | tar -x -C "$W/k" $members || die "cannot unpack modules from $KDEB"
        next=
        for m in $members; do
            deps=$(module_depends "$W/k/$m" | tr ',-' ' _')
            echo "$(modname "$m") $m $deps" >> "$W/k.deps"
            for d in $deps; do
                grep -q "^$d " "$W/k.deps" || case " $next " in *" $d "*) ;; *) next="$next $d" ;; esac
            done
        done
        todo=$next
    done
    # modules.dep: "path: deps", each module's dependencies in the order
    # modprobe expects (it loads them from the last one back).
    awk -v dir="${MODDIR#./}/" '
        { path[$1] = $2; sub("^\\./" dir, "", path[$1]); nd[$1] = NF - 2; for (i = 3; i <= NF; i++) dep[$1, i - 2] = $i }
        function visit(n,    i) {
            if (n in seen) return
            seen[n] = 1
            for (i = 1; i <= nd[n]; i++) visit(dep[n, i])
            order[++len] = n
        }
        END {
            for (m in path) {
                split("", seen); len = 0
                visit(m)
                line = path[m] ":"
                for (i = len - 1; i >= 1; i--) line = line " " path[order[i]]
                print line
            }
        }' "$W/k.deps" | LC_ALL=C sort > "$W/modules.dep"
    cut -d: -f1 "$W/modules.dep" > "$W/modules.txt"
    echo "$KVER" > "$W/kver"
    echo "${MODDIR#./}" > "$W/moddir"
}

if ! up_to_date "$W/kver" "$KDEB" "$SELF"; then
    say "unpacking the kernel from ${KDEB##*/}"
    build_kernel_tree
fi
KVER=$(cat "$W/kver")
MODDIR=$(cat "$W/moddir")
if ! up_to_date "$OUT/vmlinuz" "$W/kver"; then
    cp "$W/k/boot/vmlinuz-$KVER" "$OUT/vmlinuz.new" && mv "$OUT/vmlinuz.new" "$OUT/vmlinuz"
    cp "$W/k/boot/config-$KVER" "$OUT/kernel-config" 2>/dev/null || true
fi

# ---- 3. the userland tree ----------------------------------------------------------
APPLETS_BIN="sh ash awk basename cat chmod chown clear cmp cp cpio cut date dd df diff dirname dmesg du echo
egrep env expr false fgrep find free grep gunzip gzip hd head hexdump hostname id kill killall less ln ls
md5sum mkdir mknod mktemp more mount mv nproc od printf ps pwd readlink realpath reset rm rmdir sed seq
setsid sha1sum sha256sum sleep sort stat stty sync tail tar tee test time top touch tr true tty umount
uname uniq uptime usleep vi watch wc which xargs xxd yes zcat [ [["
APPLETS_SBIN="blkid blockdev depmod fdisk hwclock ifconfig insmod lsmod lspci mdev mke2fs mkfs.ext2 modinfo
modprobe rmmod switch_root sysctl"

# make_tree DIR KIND: KIND initramfs (with /init) or disk (with /sbin/init).
make_tree() {
    t=$1
    rm -rf "$t"
    mkdir -p "$t/bin" "$t/sbin" "$t/etc" "$t/dev" "$t/proc" "$t/sys" "$t/tmp" "$t/root" "$t/mnt" \
             "$t/newroot" "$t/lib/modules/$KVER"
    chmod 1777 "$t/tmp"
    chmod 0700 "$t/root"
    dpkg-deb --fsys-tarfile "$BDEB" | tar -x -O ./bin/busybox > "$t/bin/busybox" ||
        die "no bin/busybox in $BDEB"
    chmod 0755 "$t/bin/busybox"
    for a in $APPLETS_BIN; do ln -s busybox "$t/bin/$a"; done
    for a in $APPLETS_SBIN; do ln -s ../bin/busybox "$t/sbin/$a"; done
    # poweroff, reboot, halt: write the disks out, then act at once.
    for a in poweroff reboot halt; do
        printf '#!/bin/sh\nsync\nexec /bin/busybox %s -f "$@"\n' "$a" > "$t/sbin/$a"
        chmod 0755 "$t/sbin/$a"
    done
    printf 'root:x:0:0:root:/root:/bin/sh\n' > "$t/etc/passwd"
    printf 'root:x:0:\n' > "$t/etc/group"
    printf 'trapeze default guest (Debian %s kernel, busybox)\n' "$KVER" > "$t/etc/issue"
    # Modules at their paths, with a modules.dep (and aliases) for just them.
    while read -r m; do
        mkdir -p "$t/lib/modules/$KVER/$(dirname "$m")"
        cp "$W/k/$MODDIR/$m" "$t/lib/modules/$KVER/$m"
    done < "$W/modules.txt"
    cp "$W/modules.dep" "$t/lib/modules/$KVER/modules.dep"
    if [ "$2" = initramfs ]; then
        cp "$INIT_SCRIPT" "$t/init"
        chmod 0755 "$t/init"
    else
        cp "$INIT_SCRIPT" "$t/sbin/init"
        chmod 0755 "$t/sbin/init"
        mkdir -p "$t/boot"
        cp "$OUT/vmlinuz" "$t/boot/vmlinuz"
        cp "$OUT/initrd.gz" "$t/boot/initrd.gz"
    fi
    find "$t" -exec touch -h -d @0 {} +
}

# ---- 4. initrd.gz: a newc cpio written here, so its bytes depend only on
# the tree (sorted names, inode numbers in that order, mtime 0, owner root).
cpio_pad() { [ "$1" -gt 0 ] && head -c "$1" /dev/zero; return 0; }
cpio_entry() { # cpio_entry NAME MODE SIZE INO NLINK RDEVMAJOR RDEVMINOR
    namesize=$(( ${#1} + 1 ))
    printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s\0' \
        "$4" "$2" 0 0 "$5" 0 "$3" 0 0 "$6" "$7" "$namesize" 0 "$1"
    cpio_pad $(( (4 - (110 + namesize) % 4) % 4 ))
}
write_cpio() { # write_cpio DIR: the archive on stdout
    ino=0
    (cd "$1" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort) > "$W/cpio.list"
    # The console node: the kernel opens /dev/console before /init runs.
    echo dev/console >> "$W/cpio.list"
    LC_ALL=C sort -o "$W/cpio.list" "$W/cpio.list"
    while IFS= read -r p; do
        ino=$((ino + 1))
        f=$1/$p
        if [ "$p" = dev/console ]; then
            cpio_entry "$p" $((0020600)) 0 "$ino" 1 5 1
        elif [ -L "$f" ]; then
            target=$(readlink "$f")
            cpio_entry "$p" $((0120777)) "${#target}" "$ino" 1 0 0
            printf '%s' "$target"
            cpio_pad $(( (4 - ${#target} % 4) % 4 ))
        elif [ -d "$f" ]; then
            mode=$((0040755)); [ "$p" = tmp ] && mode=$((0041777)); [ "$p" = root ] && mode=$((0040700))
            cpio_entry "$p" "$mode" 0 "$ino" 2 0 0
        else
            size=$(wc -c < "$f")
            mode=$((0100644)); [ -x "$f" ] && mode=$((0100755))
            cpio_entry "$p" "$mode" "$size" "$ino" 1 0 0
            cat "$f"
            cpio_pad $(( (4 - size % 4) % 4 ))
        fi
    done < "$W/cpio.list"
    cpio_entry TRAILER!!! 0 0 0 1 0 0
}

if ! up_to_date "$OUT/initrd.gz" $INPUTS "$W/kver"; then
    say "building initrd.gz"
    make_tree "$W/initramfs" initramfs
    write_cpio "$W/initramfs" | gzip -9n > "$OUT/initrd.gz.new"
    mv "$OUT/initrd.gz.new" "$OUT/initrd.gz"
fi

# ---- 5. rootfs.ext2: the same userland as an ext2 root for disk boots ------------
if ! up_to_date "$OUT/rootfs.ext2" $INPUTS "$OUT/vmlinuz" "$OUT/initrd.gz"; then
    say "building rootfs.ext2"
    make_tree "$W/rootfs" disk
    rm -f "$OUT/rootfs.ext2.new"
    # Fixed UUID, hash seed and time: the same tree gives the same image.
    E2FSPROGS_FAKE_TIME=1 SOURCE_DATE_EPOCH=0 "$MKFS" -q -F -t ext2 -b 1024 -m 0 -L trapeze-root \
        -U 7e1a9e2e-0000-4000-8000-000000000001 -E hash_seed=7e1a9e2e-0000-4000-8000-000000000002,root_owner=0:0 \
        -d "$W/rootfs" "$OUT/rootfs.ext2.new" 64M > "$W/mkfs.log" 2>&1 ||
        die "mkfs.ext2 -d failed (e2fsprogs 1.43 or later needed); see $W/mkfs.log"
    # mkfs copies each file's change time from the host tree: pin them too.
    DEBUGFS=$(command -v debugfs || command -v /sbin/debugfs || command -v /usr/sbin/debugfs || true)
    if [ -n "$DEBUGFS" ]; then
        (cd "$W/rootfs" && find . | LC_ALL=C sort | sed 's|^\.||; s|^$|/|; s|^\(.*\)$|sif "\1" ctime 19700101000000|'
         echo 'sif /lost+found ctime 19700101000000') > "$W/debugfs.cmd"
        E2FSPROGS_FAKE_TIME=1 "$DEBUGFS" -w -f "$W/debugfs.cmd" "$OUT/rootfs.ext2.new" > "$W/debugfs.log" 2>&1 ||
            die "debugfs failed; see $W/debugfs.log"
    fi
    mv "$OUT/rootfs.ext2.new" "$OUT/rootfs.ext2"
fi

echo "console=ttyS0,115200 console=tty0 panic=-1" > "$OUT/cmdline.txt"

say "guest in $OUT (kernel $KVER):"
for f in vmlinuz initrd.gz rootfs.ext2; do
    printf '  %-12s %10s bytes\n' "$f" "$(wc -c < "$OUT/$f")"
done
sed 's/^/  /' "$OUT/versions.txt"
echo "  modules: $(sed 's|.*/||; s|\.ko.*||' "$W/modules.txt" | tr '\n' ' ')"
