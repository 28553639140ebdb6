"""Serves the tomolyte JupyterLab application (build/) with Debian's jupyter_server.

jupyterlab_server's LabServerApp provides /lab, settings, themes, workspaces and
translations; this subclass only points it at the webpack build. Every other option is a
jupyter_server one, passed on the command line (see scripts/start.sh), e.g.

    /usr/bin/python3 jupyterlab-ext/app/main.py --ServerApp.ip=127.0.0.1 \
        --ServerApp.port=8888 --ServerApp.root_dir=notebooks

User settings and workspaces go to $TOMOLYTE_LAB_STATE_DIR (default:
$JUPYTER_CONFIG_DIR/tomolyte-lab, else ~/.jupyter/tomolyte-lab), never into the build.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tomolyte_lab import BUILD, TomolyteLab  # noqa: E402


def main(argv=None):
    if not os.path.exists(os.path.join(BUILD, "bundle.js")):
        sys.stderr.write(
            "error[NOT_BUILT]: the JupyterLab app is not built; run `bash jupyterlab-ext/scripts/build.sh`\n"
        )
        return 3
    os.makedirs(TomolyteLab.user_settings_dir, exist_ok=True)
    os.makedirs(TomolyteLab.workspaces_dir, exist_ok=True)
    TomolyteLab.launch_instance(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
