"""Executes one notebook with nbclient and the kernel named in its metadata.

usage: run_notebook.py IN.ipynb OUT.ipynb [timeout_s]
Always writes OUT (with the outputs produced so far). Prints one JSON line:
{"ok": bool, "seconds": float, "cpu_seconds": float, "error": str|null, "cell": int|null}.
"""
import json
import resource
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

src, dst = sys.argv[1], sys.argv[2]
timeout = int(sys.argv[3]) if len(sys.argv) > 3 else 600
nb = nbformat.read(src, as_version=4)
import os

client = NotebookClient(nb, timeout=timeout, startup_timeout=120, resources={"metadata": {"path": os.path.dirname(os.path.abspath(src))}})
result = {"ok": True, "seconds": 0.0, "error": None, "cell": None}
t0 = time.time()
try:
    client.execute()
except CellExecutionError as e:
    result["ok"] = False
    result["error"] = str(e)
    # tslab reports a cell's exception on stderr (its error message is empty): add it.
    for i, cell in enumerate(nb.cells):
        outs = cell.get("outputs", []) if cell.get("cell_type") == "code" else []
        bad = [o for o in outs if o.get("output_type") == "error" or o.get("name") == "stderr"]
        if bad:
            result["cell"] = i
            detail = []
            for o in bad:
                if o.get("output_type") == "error":
                    detail.append(f"{o.get('ename')}: {o.get('evalue')}")
                else:
                    detail.append("".join(o.get("text", "")) if isinstance(o.get("text"), list) else o.get("text", ""))
            result["error"] += "\n" + "\n".join(detail)[-4000:]
except Exception as e:  # kernel died, timeout, missing kernelspec
    result["ok"] = False
    result["error"] = f"{type(e).__name__}: {e}"
result["seconds"] = time.time() - t0
# CPU time of this process and the (exited) kernel: comparable across loaded and idle machines.
ru = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
result["cpu_seconds"] = sum(r.ru_utime + r.ru_stime for r in ru)
nbformat.write(nb, dst)
print(json.dumps(result))
