#!/usr/bin/env bash
# Every message of the code must be in the fr, nl, de and en catalogues, translated and not fuzzy.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r locale "$work/before"
make -s makemessages >/dev/null
status=0
for po in locale/*/LC_MESSAGES/*.po; do
  stats=$(msgfmt --statistics -o /dev/null "$po" 2>&1)
  echo "$po: $stats"
  case "$stats" in *untranslated*|*fuzzy*) status=1;; esac
done
if [ $status -ne 0 ]; then
  echo "Some messages are not translated: run 'make makemessages' and translate the catalogues." >&2
fi
exit $status
