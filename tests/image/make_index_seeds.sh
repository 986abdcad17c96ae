#!/usr/bin/env bash
# Writes the seeds of fuzz/fuzz_image_index.c from the current index format,
# through the CLI, so that every seed passes the header and reaches the
# record parser (test_image's fuzz_seeds_pass_the_header checks that):
#   tests/image/make_index_seeds.sh SHINSA fuzz/corpus/fuzz_image_index
# Run it by hand after a format change and commit the result.
set -eu
shinsa=$1
out=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
h() { printf '%064x' "$1" | tr 0 "$2"; } # a distinct 64-digit hash
add() { "$shinsa" image add --index "$1" --owner "$2" --hash "$3" --quality "${4:-90}" >/dev/null; }
flip() { # file offset: flips bit 0 of a byte
  local b
  b=$(od -An -tu1 -j"$2" -N1 "$1" | tr -d ' ')
  printf "\\$(printf %o $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
mkdir -p "$out"
rm -f "$out"/*.idx

three=$tmp/three.idx
add "$three" acct-1 "$(h 1 a)"
add "$three" acct-2 "$(h 2 b)" 100
add "$three" 山田-3 "$(h 3 c)"
cp "$three" "$out/three-owners.idx"

# a completed removal, and the owner added again after it
cp "$three" "$tmp/removed.idx"
"$shinsa" image remove --index "$tmp/removed.idx" --owner acct-2 >/dev/null
cp "$tmp/removed.idx" "$out/removed.idx"
add "$tmp/removed.idx" acct-2 "$(h 4 d)"
cp "$tmp/removed.idx" "$out/readded.idx"

# a removal cut short: the REMOVE frame after the owner's ADD frames,
# which are still there (the crash state of issue 12 F8)
size=$(stat -c %s "$three")
{ cat "$three"; tail -c +$((size + 1)) "$out/removed.idx"; } >"$out/cut-removal.idx"

# damage: a frame header's magic byte, a payload bit, a length bit
cp "$three" "$out/flipped-magic.idx"
flip "$out/flipped-magic.idx" $((32 + 3))
cp "$three" "$out/flipped-payload.idx"
flip "$out/flipped-payload.idx" $((32 + 8 + 20))
cp "$three" "$out/flipped-length.idx"
flip "$out/flipped-length.idx" 32

# torn appends: a partial last frame; zeros; garbage longer than a frame
head -c $((size - 20)) "$three" >"$out/torn-frame.idx"
{ cat "$three"; head -c 600 /dev/zero; } >"$out/torn-zeros.idx"
{ cat "$three"; head -c 400 /dev/zero | tr '\0' A; } >"$out/garbage-tail.idx"
ls -l "$out"
