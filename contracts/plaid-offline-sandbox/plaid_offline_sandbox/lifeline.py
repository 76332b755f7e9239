"""A sandbox started by another program never outlives it.

``serving.serve`` starts the sandbox in a session of its own (so a Ctrl-C in a terminal reaches
only the caller, which then stops it), so when the caller is killed outright (SIGKILL, or a
SIGTERM it does not handle) no signal reaches the sandbox. Instead the caller passes its pid in
``PARENT_PID_ENV``; the sandbox polls its parent pid and stops as on SIGTERM once it changes
(the parent died and the sandbox was re-parented), for certain a few seconds later. The CLI hands
its own pid to its uvicorn workers the same way, so they never outlive it either. A poll rather
than Linux's PR_SET_PDEATHSIG: that fires when the *thread* that started the process ends, which
may be long before the caller does.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Mapping
from typing import Final

PARENT_PID_ENV: Final = "PLAID_SANDBOX_PARENT_PID"  # internal: set by serve() and by the CLI
POLL_SECONDS: Final = 0.25
# After the SIGTERM to itself: uvicorn's graceful shutdown waits for open requests.
GRACE_SECONDS: Final = 5.0

_started = threading.Event()


def watch_parent(environ: Mapping[str, str] | None = None) -> None:
    """Stop this process when the one named in ``PARENT_PID_ENV`` is no longer its parent."""
    raw = (os.environ if environ is None else environ).get(PARENT_PID_ENV, "")
    if not raw.isdigit() or int(raw) == os.getpid() or _started.is_set():
        return  # not asked for, or this process is the one its workers watch
    _started.set()
    threading.Thread(
        target=_watch, args=(int(raw),), name="plaid-sandbox-lifeline", daemon=True
    ).start()


def _watch(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(POLL_SECONDS)
    os.kill(os.getpid(), signal.SIGTERM)  # uvicorn stops as on any SIGTERM, workers included
    time.sleep(GRACE_SECONDS)
    os._exit(1)
