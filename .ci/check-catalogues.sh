#!/usr/bin/env bash
# Every message of the code must be in the fr, nl, de and en catalogues, translated and not fuzzy.
# The catalogues are refreshed in a copy of the tree, so a local run changes no file.
set -euo pipefail
backup=$(mktemp -d)
trap 'rm -rf locale && cp -r "$backup/locale" locale && rm -rf "$backup"' EXIT
cp -r locale "$backup/locale"
make -s makemessages >/dev/null
status=0
for po in locale/*/LC_MESSAGES/*.po; do
  stats=$(msgfmt --check --statistics -o /dev/null "$po" 2>&1)
  echo "$po: $stats"
  case "$stats" in *untranslated*|*fuzzy*|*error*) status=1;; esac
done
if [ $status -ne 0 ]; then
  echo "Some messages are not translated: run 'make makemessages' and translate the catalogues." >&2
fi
exit $status
