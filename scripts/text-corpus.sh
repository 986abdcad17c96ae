#!/usr/bin/env bash
# Extracts Japanese prose from installed Debian documentation packages
# (manpages-ja, debian-reference-ja, developers-reference-ja, maint-guide-ja,
# debian-faq-ja) into one sentence per line, for the text engine's model of
# natural Japanese. Only Debian tools (find, zcat, sed, awk, sort). The output
# stays in the build tree: never commit it.
#
#   text-corpus.sh OUT [MAX_BYTES]
#
# Missing packages are skipped; with none installed OUT is empty (the model
# trained from it is empty and the tests that need it print SKIP).
set -euo pipefail
out=$1
max=${2:-12000000}
export LC_ALL=C
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Paragraphs to one line each. A line break inside a paragraph becomes a
# space only between two ASCII characters: Japanese has no spaces, and a
# space there would look like the Korean-style spacing the engine flags.
join_paragraphs() {
  awk '
    function flush() { if (p != "") print p; p = "" }
    /^[[:space:]]*$/ { flush(); next }
    /^@@PARA@@$/ { flush(); next }
    {
      sub(/^[[:space:]]+/, ""); sub(/[[:space:]]+$/, "")
      if (p == "") { p = $0; next }
      if (p ~ /[!-~]$/ && $0 ~ /^[!-~]/) p = p " " $0; else p = p $0
    }
    END { flush() }'
}

# man pages: macro lines end paragraphs; inline font and escape codes go.
man_text() {
  zcat -f "$1" 2>/dev/null | sed -E \
    -e 's/^[.'"'"'](SH|SS|PP|P|LP|TP|IP|HP|RS|RE|nf|fi|br|sp|TH|TS|TE|EX|EE|Sh|Ss|Pp|Bl|El|It|Bd|Ed)([[:space:]].*)?$/@@PARA@@/' \
    -e '/^[.'"'"']/d' \
    -e 's/\\f(\[[^]]*\]|\(..|.)//g' -e 's/\\\(..//g' -e 's/\\[-e&|^]//g' -e 's/\\//g'
}

# HTML: block tags end paragraphs; other tags and common entities go.
html_text() {
  sed -E -e 's/<(p|li|div|h[1-6]|br|pre|td|th|tr|dt|dd|title|table)[ >\/][^>]*>|<\/(p|li|div|h[1-6]|pre|td|th|dt|dd|title)>/\n@@PARA@@\n/g' "$1" |
    sed -E -e 's/<[^>]*>//g' -e 's/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&#39;/'"'"'/g; s/&nbsp;/ /g; s/&amp;/\&/g'
}

if [ -d /usr/share/man/ja ]; then
  find /usr/share/man/ja -type f -name '*.gz' | sort | while read -r f; do
    man_text "$f"; echo "@@PARA@@"
  done >"$tmp/man.txt"
fi
for pkg in debian-reference-ja developers-reference-ja maint-guide-ja debian-faq-ja; do
  files=$(dpkg -L "$pkg" 2>/dev/null | grep -E '\.html$' | grep -v '/_static/' | sort || true)
  for f in $files; do
    [ -f "$f" ] && { html_text "$f"; echo "@@PARA@@"; }
  done >"$tmp/$pkg.txt"
done

# Sentences end at 。 (kept); keep those with hiragana (real prose), of 8
# to 400 bytes, without leftover markup; drop duplicates (man pages repeat
# boilerplate) in a stable order. The pipeline may stop early (head) or
# match nothing (no packages): neither is an error.
{ cat "$tmp"/*.txt 2>/dev/null || true; } | join_paragraphs |
  sed -e 's/。/。\n/g' |
  sed -E -e 's/^[[:space:]]+//' -e 's/[[:space:]]+$//' |
  grep -E '。$' | grep -E $'\xe3\x81[\x81-\xbf]|\xe3\x82[\x80-\x9f]' |
  grep -vE '[<>{}\\]|@@PARA@@' |
  awk 'length($0) >= 8 && length($0) <= 400 && !seen[$0]++' |
  head -c "$max" >"$tmp/corpus" || true
# head -c may cut the last line: drop it.
sed -i '$ { /。$/!d }' "$tmp/corpus"
mv "$tmp/corpus" "$out"
echo "text-corpus: $(wc -l <"$out") sentences, $(wc -c <"$out") bytes" >&2
