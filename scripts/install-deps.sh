#!/usr/bin/env bash
# Installs every Debian package shinsa needs to build, test, fuzz and benchmark.
# Idempotent: packages already present are left alone; apt-get update runs only
# when something is missing. Needs root (or sudo) on Debian 12.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config clang libclang-rt-14-dev
  # core and screen
  libicu-dev libxml2-dev libjansson-dev libcurl4-openssl-dev
  # accounts engine: the events database
  libsqlite3-dev
  # Unihan readings (kHangul, kKorean, kJapaneseOn/Kun) for Hanja/Kanji names
  unicode-data
  # image engine: JPEG, PNG, WebP decoding and EXIF orientation
  libjpeg62-turbo-dev libpng-dev libwebp-dev libexif-dev
  # tests
  libcmocka-dev
  # text engine: MeCab with the IPA dictionary, and Japanese prose to train
  # the natural-Japanese model from at build time (never committed)
  mecab libmecab-dev mecab-ipadic-utf8
  manpages-ja debian-reference-ja developers-reference-ja maint-guide-ja debian-faq-ja
  # benchmark baseline (Jaro-Winkler in Python, per issue 2)
  python3 python3-jellyfish
  # trace benchmark baselines (haircut in networkx, reachability in igraph)
  python3-networkx libigraph-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present" >&2
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}" >&2
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
