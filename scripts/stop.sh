#!/usr/bin/env bash
# Stops the tomolyte JupyterLab servers started by scripts/start.sh from this checkout
# (found through the server info files jupyter_server writes in .jupyter/runtime/).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
stopped=0
shopt -s nullglob
for f in "$JUPYTER_RUNTIME_DIR"/jpserver-*.json; do
  pid=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' "$f" 2>/dev/null || true)
  url=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$f" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    echo "[stop] stopping the server at $url (pid $pid)" >&2
    kill -TERM "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    stopped=$((stopped + 1))
  else
    rm -f "$f"  # stale: the server is gone
  fi
done
[ "$stopped" = 0 ] && echo "[stop] no running tomolyte JupyterLab found" >&2
exit 0
