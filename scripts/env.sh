# Sourced by the scripts: the project-local Jupyter paths.
export JUPYTER_PATH="$PWD/.jupyter/share/jupyter"
export JUPYTER_CONFIG_DIR="$PWD/.jupyter/config"
export JUPYTER_DATA_DIR="$PWD/.jupyter/share/jupyter"
export JUPYTER_RUNTIME_DIR="$PWD/.jupyter/runtime"
export PYDEVD_DISABLE_FILE_VALIDATION=1
# Large typed arrays on transparent huge pages: in this VM a first touch of a 4 KiB page
# costs ~15 µs, so a fresh 64 MB array took 0.25-0.45 s to fault in; with huge pages 10 ms.
# glibc >= 2.35 reads this at process start (docs/design-notes.md).
case "${GLIBC_TUNABLES:-}" in
  *glibc.malloc.hugetlb*) ;;
  *) export GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1" ;;
esac
