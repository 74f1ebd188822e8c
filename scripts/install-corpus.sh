#!/usr/bin/env bash
# Installs the pretraining corpus: the King James Bible from Debian's `bible-kjv-text` package (public domain),
# decoded by the package's own `bible` program and written as plain text, one chapter per document:
#
#   Genesis 1
#   1 In the beginning God created the heaven and the earth.
#   ...
#   <blank line>
#   Genesis 2
#
# Documents are separated by blank lines (the format examples/Pretrain and Lrnn.Data.TextCorpus read).
# Needs no root: when `bible` is not installed, the two packages are fetched with `apt-get download` and
# unpacked into a temporary folder. Idempotent: an existing corpus file is kept.
# Usage: scripts/install-corpus.sh [output file]   (default: artifacts/corpus/kjv.txt)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-artifacts/corpus/kjv.txt}
say() { printf '\033[1;34m[corpus]\033[0m %s\n' "$*"; }

if [ -s "$OUT" ]; then say "corpus present: $OUT"; exit 0; fi
mkdir -p "$(dirname "$OUT")"

if command -v bible >/dev/null 2>&1 && [ -f /usr/lib/bible.data ]; then
  BIBLE=(bible)
else
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
  say "fetching bible-kjv and bible-kjv-text with apt-get download"
  (cd "$WORK" && apt-get download -qq bible-kjv bible-kjv-text >/dev/null 2>&1) || {
    $([ "$(id -u)" = 0 ] || echo sudo) apt-get update -qq
    (cd "$WORK" && apt-get download -qq bible-kjv bible-kjv-text >/dev/null)
  }
  for deb in "$WORK"/*.deb; do dpkg -x "$deb" "$WORK/root"; done
  BIBLE=("$WORK/root/usr/bin/bible" -p "$WORK/root/usr/lib")
fi

# -l: one verse per line. The program prints "\nBook N\n\n  v text" per chapter; keep "Book N", then the verses
# without their indentation, then one blank line.
"${BIBLE[@]}" -l1000000 "gen1:1-rev22:21" | awk '
  /^[[:space:]]*$/ { next }
  /^[^[:space:]]/  { if (n++) print ""; print; next }
  { sub(/^[[:space:]]+/, ""); print }
' > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
say "wrote $OUT ($(wc -c < "$OUT") bytes, $(grep -c '^$' "$OUT") chapter breaks)"
