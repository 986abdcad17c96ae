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
  # accounts engine: the events database; the IP databases' reader
  libsqlite3-dev libmaxminddb-dev
  # Unihan readings (kHangul, kKorean, kJapaneseOn/Kun) for Hanja/Kanji names
  unicode-data
  # image engine: JPEG, PNG, WebP decoding and EXIF orientation
  libjpeg62-turbo-dev libpng-dev libwebp-dev libexif-dev
  # mail engine: GMime parses mail (RFC 2047/2231, charsets); libpsl gives
  # registrable domains, libidn2 reads IDNs; libmagic the true type of an
  # attachment, libarchive its archives; zlib inflates HWP streams
  libgmime-3.0-dev libpsl-dev libidn2-dev libmagic-dev libarchive-dev zlib1g-dev
  # serve: the HTTP service (issue 13), Debian's libmicrohttpd, which does
  # TLS through GnuTLS; curl drives the service's tests
  libmicrohttpd-dev curl
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

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present" >&2
else
  echo "install-deps: installing ${missing[*]}" >&2
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# IP databases for the accounts engine's network signals, from the npm
# registry (pinned): the country of an address (CC0-1.0) and its AS number
# (CSV; CC-BY-4.0, DB-IP and RouteViews: docs/architecture.md). Installed
# only when missing; without node/npm (or offline) the signals run on the
# DPRK ranges and UTC offsets alone and say so.
ipdb_prefix=/usr/local/share/shinsa/npm
ipdb_dir=$ipdb_prefix/node_modules/@ip-location-db
ipdb_version=2.3.2026061719
if [ -f "$ipdb_dir/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb" ] &&
   [ -f "$ipdb_dir/asn/asn-ipv4.csv" ]; then
  echo "install-deps: IP databases present in $ipdb_dir" >&2
elif ! command -v npm >/dev/null 2>&1; then
  echo "install-deps: npm not found; IP databases not installed (network signals limited)" >&2
else
  echo "install-deps: installing IP databases into $ipdb_prefix" >&2
  $SUDO mkdir -p "$ipdb_prefix"
  $SUDO npm install --no-save --no-audit --no-fund --prefix "$ipdb_prefix" \
    "@ip-location-db/geo-whois-asn-country-mmdb@$ipdb_version" \
    "@ip-location-db/asn@$ipdb_version" >&2 ||
    echo "install-deps: IP databases could not be installed (network signals limited)" >&2
fi
