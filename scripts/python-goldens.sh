#!/usr/bin/env bash
# Regenerates the golden files of our Python ports (test/goldens/*.json) by running every
# scripts/goldens/*.py with Debian's python3 (apt-get install python3-croniter python3-dateutil
# python3-jinja2 python3-jsonschema python3-tz apprise). Review the diff, run the golden tests, commit.
#
# notification_blocks.py runs Apprise 1.13.0 (the `apprise` package's dependencies, its own source
# from APPRISE_SRC: a directory holding the `apprise` package, else downloaded from GitHub).
#
# cron.py needs the croniter Prefect 3.8.3 vendors (Debian's is far older): give its file as
# PREFECT_CRONITER, or a Prefect checkout as PREFECT_SRC (its src/ directory); otherwise it is
# downloaded from GitHub into a temporary directory. json_schema.py and datetime.py want newer
# jsonschema / pydantic 2 than Debian has and re-run themselves with the first python3 on PATH
# that has them. cors.py wants Starlette 1.3.1 (downloaded, or a checkout's root as STARLETTE_SRC)
# and anyio, and re-runs itself likewise.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=/usr/bin/python3
PREFECT_TAG=3.8.3

if [[ -z "${PREFECT_CRONITER:-}" ]]; then
  if [[ -n "${PREFECT_SRC:-}" ]]; then
    PREFECT_CRONITER="$PREFECT_SRC/prefect/_vendor/croniter/croniter.py"
  else
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    PREFECT_CRONITER="$tmp/croniter.py"
    curl -fsSL "https://raw.githubusercontent.com/PrefectHQ/prefect/$PREFECT_TAG/src/prefect/_vendor/croniter/croniter.py" -o "$PREFECT_CRONITER"
  fi
fi
export PREFECT_CRONITER

for script in scripts/goldens/*.py; do
  echo "== $script"
  "$PYTHON" "$script"
done
