"""The tomolyte JupyterLab application as a jupyter_server extension (see main.py)."""
import json
import os

from jupyterlab_server import LabServerApp

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, "build")


def _state_dir():
    explicit = os.environ.get("TOMOLYTE_LAB_STATE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("JUPYTER_CONFIG_DIR") or os.path.join(os.path.expanduser("~"), ".jupyter")
    return os.path.join(base, "tomolyte-lab")


with open(os.path.join(HERE, "package.json"), encoding="utf-8") as f:
    _VERSION = json.load(f)["version"]

_STATE = _state_dir()


class TomolyteLab(LabServerApp):
    name = "tomolyte_lab"
    app_name = "tomolyte JupyterLab"
    extension_url = "/lab"
    default_url = "/lab"
    # Standalone: Debian's other server extensions (if any) are not loaded.
    load_other_extensions = False
    app_version = _VERSION
    app_settings_dir = os.path.join(BUILD, "application_settings")
    schemas_dir = os.path.join(BUILD, "schemas")
    themes_dir = os.path.join(BUILD, "themes")
    static_dir = BUILD
    templates_dir = os.path.join(HERE, "templates")
    user_settings_dir = os.path.join(_STATE, "user-settings")
    workspaces_dir = os.path.join(_STATE, "workspaces")



def _jupyter_server_extension_points():
    # jupyter_server finds the extension app through its module, whose name must equal TomolyteLab.name.
    return [{"module": __name__, "app": TomolyteLab}]
