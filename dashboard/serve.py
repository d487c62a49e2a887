"""Start the dashboard: ``python -m dashboard.serve`` (what ``make dashboard`` runs).

Listens on 127.0.0.1 only, port ``GOVPERF_DASHBOARD_PORT`` (default 8501); sends no usage statistics
and loads nothing from the internet (Streamlit ships its JavaScript, fonts and Vega with the package).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = Path(__file__).with_name("app.py")
DEFAULT_PORT = 8501


def port_from_env(env: dict[str, str] | os._Environ[str] = os.environ) -> int:
    """``GOVPERF_DASHBOARD_PORT`` as an int (default 8501); a clear error for anything else."""
    raw = env.get("GOVPERF_DASHBOARD_PORT", str(DEFAULT_PORT))
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SystemExit(f"GOVPERF_DASHBOARD_PORT must be a port number, not {raw!r}")
    return int(raw)


def command(port: int) -> list[str]:
    """The ``streamlit run`` command line serving the dashboard on 127.0.0.1:``port``."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.address=127.0.0.1",
        f"--server.port={port}",
        "--server.headless=true",
        "--browser.gatherUsageStats=false",
        "--client.toolbarMode=viewer",
        "--theme.base=light",
    ]


def main() -> None:
    """Replace this process with the Streamlit server."""
    port = port_from_env()
    argv = command(port)
    print(f"govperf dashboard on http://127.0.0.1:{port}", flush=True)
    os.execv(argv[0], argv)


if __name__ == "__main__":
    main()
