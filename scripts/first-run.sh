#!/bin/sh
# The first run of a portal (README, "Production" › "First run"), after `manage.py migrate`:
#   1. the national registry from REGISTRY_DATA_DIR (provinces, districts, every LAO);
#   2. the circulars (circulars/data/) and their access rules;
#   3. the first DLA officer or administrator, when FIRST_OFFICER_EMAIL is set (with
#      FIRST_OFFICER_NAME and FIRST_OFFICER_ROLE, default dla_officer): a one-time link to set a
#      password is printed and sent through the outbox; TOTP is set up at the first login.
# Each step is idempotent: run again, it changes nothing. `scripts/prod.sh start` and the
# `setup` service of docker-compose.yml both run this file. PYTHON names the interpreter.
set -eu
cd "$(dirname "$0")/.."
python=${PYTHON:-python}
registry=${REGISTRY_DATA_DIR:-../shared/data/registry}

if [ -f "$registry/dla_lao_registry.csv" ]; then
  "$python" manage.py load_registry "$registry"
else
  echo "first-run: no registry files in $registry (REGISTRY_DATA_DIR): the portal has no LAOs until manage.py load_registry PATH_OR_URL" >&2
fi
"$python" manage.py load_circulars
if [ -n "${FIRST_OFFICER_EMAIL:-}" ]; then
  "$python" manage.py create_officer --email "$FIRST_OFFICER_EMAIL" \
    --name "${FIRST_OFFICER_NAME:-}" --role "${FIRST_OFFICER_ROLE:-dla_officer}"
fi
