#!/usr/bin/env bash
# The main job on built-in sample data: build a watchlist index from the
# fictional demo list (and the real OFAC/UN/crypto lists when ../shared/data
# is present), then screen names in several scripts and a few identifiers.
set -euo pipefail
shinsa=${1:?usage: demo.sh SHINSA_BINARY [SHARED_DATA_DIR]}
shared=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
# The demo builds the default index (shinsa's data directory, see
# 'shinsa lists build --help'), so that afterwards a plain
# 'shinsa screen --name 리만건' works without --index.

sources=(--custom "$root/data/demo/demo-list.jsonl")
sanctions="$shared/sanctions"
if [ -n "$shared" ] && [ -d "$sanctions/ofac-2021" ]; then
  echo "== real lists found under $sanctions: adding OFAC SDN + consolidated, UN, crypto"
  sources+=(--ofac-csv "$sanctions/ofac-2021" --un-xml "$sanctions/un_consolidated.xml"
            --crypto-dir "$sanctions/crypto-2024")
else
  echo "== real lists not found (looked in '$sanctions'): demo list only"
fi

echo "== shinsa lists build (default index)"
"$shinsa" lists build "${sources[@]}" | tee /tmp/shinsa-demo-info.$$
index=$(sed -n 's/^index //p' /tmp/shinsa-demo-info.$$)
rm -f /tmp/shinsa-demo-info.$$
echo

run() {
  echo "\$ shinsa screen $*"
  "$shinsa" screen "$@"
  echo
}

run --name "김철웅" --dob 1984-03-15
run --name "キム・チョルン"
run --name "Hahn Tae-ryong"
run --name "鈴木花子" --reading "すずき はなこ"
run --crypto 0xdead00000000000000000000000000000000beef
run --name "Tanaka Taro"
if [ -d "$sanctions/ofac-2021" ]; then
  run --name "리만건"
  run --name "Lazarus Group" --json
  run --name "Kim Yong-chol" --dob 1947
fi

echo "== batch: shinsa screen --file data/demo/demo-queries.jsonl (JSON Lines out, cut to 200 columns)"
"$shinsa" screen --file "$root/data/demo/demo-queries.jsonl" | cut -c1-200
echo
echo "The index is $index; try: $shinsa screen --name 'Kim Jong Un' --dob 1984"
