# Sourced by the scripts: the project-local Jupyter paths.
export JUPYTER_PATH="$PWD/.jupyter/share/jupyter"
export JUPYTER_CONFIG_DIR="$PWD/.jupyter/config"
export JUPYTER_DATA_DIR="$PWD/.jupyter/share/jupyter"
export JUPYTER_RUNTIME_DIR="$PWD/.jupyter/runtime"
export PYDEVD_DISABLE_FILE_VALIDATION=1
