#!/usr/bin/env bash
# Debian packages the portal needs beyond Python: WeasyPrint's libraries and fonts, gettext for the
# catalogues, poppler for reading PDFs back in tests, Chromium for the browser tests, and pg_dump/pg_restore
# for `manage.py backup`/`restore` (the client of the same major version as the PostgreSQL 15 server).
set -euo pipefail
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation gettext poppler-utils chromium postgresql-client-15)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "Missing system packages: ${missing[*]} (install them with apt-get as root)." >&2
  # Locally the portal still runs without them; CI needs every one.
  [ "${CI:-}" = "true" ] && exit 1
  exit 0
fi
echo "Installing system packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
