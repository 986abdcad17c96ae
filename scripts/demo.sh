#!/usr/bin/env bash
# The main job on built-in sample data: build a watchlist index from the
# fictional demo list (and the real OFAC/UN/crypto lists when ../shared/data
# is present), then screen names in several scripts and a few identifiers.
set -euo pipefail
shinsa=${1:?usage: demo.sh SHINSA_BINARY [SHARED_DATA_DIR]}
shared=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
work_dir=${SHINSA_DEMO_DIR:-$root/build/demo} # the ctest run sets its own
mkdir -p "$work_dir"

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

# The image engine: the same ID-document image re-uploaded by another
# account after shrinking or blurring. The reference images in
# ../shared/data/pdq stand in for licence scans (images are never stored,
# only their hashes).
pdq="$shared/pdq/images"
if [ -n "$shared" ] && [ -d "$pdq/bridge-mods" ]; then
  echo
  echo "== image: the same ID image on several accounts (PDQ near-duplicates)"
  images="$work_dir/ids.idx"
  rm -f "$images"
  "$shinsa" image add --index "$images" --owner acct-1001 "$pdq/bridge-mods/aaa-orig.jpg" >/dev/null
  "$shinsa" image add --index "$images" --owner acct-1002 "$pdq/misc-images/c.png" >/dev/null
  "$shinsa" image add --index "$images" --owner acct-1003 "$pdq/reg-test-input/pen-and-coaster.png" >/dev/null
  for f in shrink-a-lot.jpg blur-a-lot.jpg; do
    echo "\$ shinsa image match --index ids.idx $f --json"
    "$shinsa" image match --index "$images" "$pdq/bridge-mods/$f" --json
  done
else
  echo "== image demo skipped: reference images not found under '$pdq'"
fi

# The accounts engine end to end: a synthetic platform (ordinary freelancers
# and DPRK IT-worker cells, all fictional, with the ground truth beside it),
# ingested, scored with every signal, and the top alerts explained.
echo
echo "== accounts: a synthetic platform, ingested and scored"
platform=$work_dir/platform
db=$work_dir/accounts.db
rm -rf "$platform" "$db" "$db-wal" "$db-shm"
"$shinsa" accounts gen --out "$platform"
"$shinsa" accounts ingest --db "$db" "$platform/events.jsonl"
"$shinsa" accounts score --db "$db" --index "$index" >"$work_dir/verdicts.txt"
echo
echo "== the top 10 verdicts (shinsa accounts score: account, score, level, signals)"
# sorted into a file first: head closing a pipe early is a failure under pipefail
sort -k2,2 -gr "$work_dir/verdicts.txt" >"$work_dir/verdicts-sorted.txt"
head -10 "$work_dir/verdicts-sorted.txt" | cut -c1-200
"$shinsa" accounts score --db "$db" --index "$index" --json --no-alerts 2>/dev/null |
  python3 "$root/scripts/eval-truth.py" "$platform/truth.jsonl" 0.9
top=$(head -2 "$work_dir/verdicts-sorted.txt" | awk '{print $1}')
for account in $top; do
  echo
  echo "\$ shinsa accounts explain $account"
  "$shinsa" accounts explain --db "$db" --index "$index" "$account"
done
first=${top%%$'\n'*}
echo
echo "\$ shinsa accounts explain --lang ja $first"
"$shinsa" accounts explain --db "$db" --index "$index" --lang ja "$first"
echo
echo "\$ shinsa alerts list --limit 5"
"$shinsa" alerts list --db "$db" --limit 5
