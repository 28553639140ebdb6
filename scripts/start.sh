#!/usr/bin/env bash
# Starts the tomolyte JupyterLab (jupyterlab-ext/app) on the notebooks/ folder, in the
# foreground, listening on the loopback interface only. Ctrl-C stops it (and its kernels).
#   TOMOLYTE_PORT=9000   port to use (default 8888; when 8888 is busy the next free one is used)
#   TOMOLYTE_TOKEN=...   access token (default: a fresh random one, printed in the URL)
# Run `bash scripts/setup.sh` first (npm start does both).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
PY=/usr/bin/python3

if [ ! -f jupyterlab-ext/app/build/bundle.js ]; then
  echo "error[NOT_BUILT]: the JupyterLab app is not built; run 'bash scripts/setup.sh' (or npm start)" >&2
  exit 3
fi
if [ ! -f .jupyter/share/jupyter/kernels/tslab/kernel.json ]; then
  echo "error[NO_KERNEL]: the tslab kernel is not registered; run 'bash scripts/setup.sh'" >&2
  exit 3
fi

port_free() {
  "$PY" - "$1" <<'PYEOF'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PYEOF
}

if [ -n "${TOMOLYTE_PORT:-}" ]; then
  PORT="$TOMOLYTE_PORT"
  if ! port_free "$PORT"; then
    echo "error[PORT_BUSY]: port $PORT on 127.0.0.1 is in use (another JupyterLab?)." >&2
    echo "  Stop that one (Ctrl-C in its terminal, or 'bash scripts/stop.sh'), or choose another: TOMOLYTE_PORT=9000 npm start" >&2
    exit 4
  fi
else
  PORT=8888
  while ! port_free "$PORT"; do
    if [ "$PORT" -ge 8908 ]; then
      echo "error[PORT_BUSY]: ports 8888-8908 are all in use; set TOMOLYTE_PORT" >&2
      exit 4
    fi
    echo "[start] port $PORT is in use, trying $((PORT + 1))" >&2
    PORT=$((PORT + 1))
  done
fi

TOKEN="${TOMOLYTE_TOKEN:-$("$PY" -c 'import secrets; print(secrets.token_hex(24))')}"
URL="http://127.0.0.1:$PORT/lab?token=$TOKEN"
ARGS=(
  --ServerApp.ip=127.0.0.1
  "--ServerApp.port=$PORT"
  --ServerApp.port_retries=0
  "--ServerApp.token=$TOKEN"
  --ServerApp.open_browser=False
  --ServerApp.answer_yes=True
  "--ServerApp.root_dir=$PWD/notebooks"
)
[ "$(id -u)" = 0 ] && ARGS+=(--ServerApp.allow_root=True)

cat >&2 <<MSG

  tomolyte JupyterLab on the notebooks/ folder
  Open:  $URL
         (loopback only; the token in the URL is your key, as usual with Jupyter)
  Stop:  Ctrl-C here (or 'bash scripts/stop.sh' from another terminal)

MSG
exec "$PY" jupyterlab-ext/app/main.py "${ARGS[@]}"
