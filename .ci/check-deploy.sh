#!/usr/bin/env bash
# `check --deploy` under production-like settings must print no warning at all.
set -euo pipefail
output=$(env -u DEBUG DEBUG=0 \
  SECRET_KEY="ci-$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')" \
  ALLOWED_HOSTS=portail.asetw.be \
  DATABASE_URL="${DATABASE_URL:-sqlite:////tmp/asetw-deploy-check.sqlite3}" \
  .venv/bin/python manage.py check --deploy --fail-level WARNING 2>&1) || { echo "$output"; exit 1; }
echo "$output"
