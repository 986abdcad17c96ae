#!/usr/bin/env bash
# The module boundary as a test (issue 11): every quoted #include must be a
# public header (shinsa/...), or a header of the including file's own module.
#   src/<m>/, tests/<m>/, bench/<m>/  -> include/shinsa/... or src/<m>/*.h
#                                        (tests and benches also their own folder)
#   fuzz/fuzz_<m>_*.c                 -> include/shinsa/... or src/<m>/*.h
#                                        (the screen list formats: src/screen)
#   include/shinsa/...                -> include/shinsa/... only
# No "../" anywhere. The build enforces most of this through include paths;
# this check also catches relative paths and a public header that leans on
# an internal one. Prints every crossing and exits 1 if there is any.
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"
bad=0

# Known crossings, to be removed as they are fixed ("file -> header");
# none today.
allowed=(
)

is_allowed() {
  local x
  for x in "${allowed[@]}"; do [ "$x" = "$1" ] && return 0; done
  return 1
}

check_file() { # file, module (may be empty), extra folder (may be empty)
  local f=$1 m=$2 extra=$3 inc
  while IFS= read -r inc; do
    if [[ $inc == *..* ]]; then
      echo "check-includes: $f includes \"$inc\": relative paths are not allowed"
      bad=1
      continue
    fi
    if [[ $inc == shinsa/* ]]; then
      [ -f "include/$inc" ] && continue
      echo "check-includes: $f includes \"$inc\", which is not a public header"
      bad=1
      continue
    fi
    if [[ $f == include/* ]]; then
      echo "check-includes: public header $f includes \"$inc\" (only shinsa/... may be)"
      bad=1
      continue
    fi
    [ -n "$m" ] && [ -f "src/$m/$inc" ] && continue
    [ -n "$extra" ] && [ -f "$extra/$inc" ] && continue
    is_allowed "$f -> $inc" && continue
    echo "check-includes: $f includes \"$inc\", an internal header of another module"
    bad=1
  done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
}

while IFS= read -r f; do
  case $f in
  include/*) check_file "$f" "" "" ;;
  src/*/*) m=${f#src/}; m=${m%%/*}; check_file "$f" "$m" "" ;;
  tests/*/* | bench/*/*)
    d=${f%/*}; m=${d#*/}; m=${m%%/*}
    check_file "$f" "$m" "$d" ;;
  fuzz/*.c)
    n=${f#fuzz/fuzz_}; m=${n%%_*}; m=${m%.c}
    [ -d "src/$m" ] || m=screen
    check_file "$f" "$m" "" ;;
  esac
done < <(git ls-files '*.c' '*.h' 2>/dev/null || find include src tests bench fuzz -name '*.[ch]')

if [ $bad -ne 0 ]; then
  echo "check-includes: module boundaries crossed (docs/architecture.md)"
  exit 1
fi
echo "check-includes: every include respects the module boundaries"
