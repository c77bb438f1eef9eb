#!/bin/sh
# Set an option ROM image's checksum byte: BIOSes add up all bytes of a ROM
# (its length byte times 512) and skip the ROM unless the sum is 0 mod 256.
# The image's last byte is the one that is set.
#   usage: optionrom-checksum.sh ROM.bin
set -eu
rom=${1:?usage: optionrom-checksum.sh ROM.bin}
size=$(wc -c < "$rom")
sig=$(od -An -v -tx1 -N 3 "$rom" | tr -d ' \n')
case $sig in
    55aa??) ;;
    *) echo "$rom: no 0x55AA option ROM signature" >&2; exit 1 ;;
esac
blocks=$(od -An -v -tu1 -j 2 -N 1 "$rom" | tr -d ' \n')
if [ "$blocks" -eq 0 ] || [ $((blocks * 512)) -ne "$size" ]; then
    echo "$rom: $size bytes, but its header says $blocks blocks of 512" >&2
    exit 1
fi
sum=$(od -An -v -tu1 -N $((size - 1)) "$rom" | awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s % 256 }')
fix=$(( (256 - sum) % 256 ))
# shellcheck disable=SC2059
printf "$(printf '\\%03o' "$fix")" | dd of="$rom" bs=1 seek=$((size - 1)) count=1 conv=notrunc 2>/dev/null
