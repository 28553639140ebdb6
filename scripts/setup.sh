#!/usr/bin/env bash
# Installs whatever is missing, builds, and registers the tslab kernel.
# Idempotent: a second run on a ready machine takes a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[setup] %s\n' "$*" >&2; }

# 1. Debian packages: Jupyter (server, nbclient), the Python peers used as
#    references in tests, and Chromium for the browser tests.
APT_PACKAGES=(jupyter-client jupyter-nbconvert python3-nbclient python3-ipykernel python3-jupyter-server
  python3-jupyterlab-server python3-scipy python3-skimage python3-tifffile chromium fonts-dejavu-core)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "error[MISSING_DEPENDENCY]: need root or sudo to install ${missing[*]}" >&2; exit 3; }
    SUDO=sudo
  fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# 2. npm packages, exactly as locked.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund >&2
fi

# 3. Build the library (incremental) and the JupyterLab app when present.
log "building kernel-lib"
npx tsc -b kernel-lib >&2
# npm links a workspace's bin only when its target exists at install time, which the
# build creates after `npm ci`: make the CLI executable and link it for `npx tomolyte`.
chmod +x kernel-lib/dist/cli/main.js
[ -e node_modules/.bin/tomolyte ] || ln -s ../tomolyte/dist/cli/main.js node_modules/.bin/tomolyte
if [ -f jupyterlab-ext/scripts/build.sh ]; then
  bash jupyterlab-ext/scripts/build.sh >&2
fi

# 4. The tslab kernel, registered in a project-local Jupyter path.
if [ ! -f .jupyter/share/jupyter/kernels/tslab/kernel.json ]; then
  log "registering the tslab kernel in .jupyter/"
  npx tslab install --python=/usr/bin/python3 --binary="$PWD/node_modules/.bin/tslab" --prefix="$PWD/.jupyter" >&2
fi
# Kernels back large typed arrays by transparent huge pages (docs/design-notes.md): glibc
# reads GLIBC_TUNABLES at process start, so it goes into the kernelspecs' env (idempotent).
for spec in .jupyter/share/jupyter/kernels/*/kernel.json; do
  node -e '
    const fs = require("fs"), f = process.argv[1], k = JSON.parse(fs.readFileSync(f, "utf8"));
    if (k.env?.GLIBC_TUNABLES !== process.argv[2]) {
      k.env = { ...k.env, GLIBC_TUNABLES: process.argv[2] };
      fs.writeFileSync(f + ".tmp", JSON.stringify(k, null, 1)); fs.renameSync(f + ".tmp", f);
    }' "$spec" "glibc.malloc.hugetlb=1"
done
