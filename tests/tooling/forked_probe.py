"""``python -m tests.tooling.forked_probe MODE ...``: a program that shows what a process sees,
for test_forked_runs (the same output forked as in a fresh interpreter)."""

from __future__ import annotations

import atexit
import os
import signal
import sys
import time

if __name__ == "__main__":
    mode, *rest = sys.argv[1:]
    atexit.register(print, "atexit handlers ran")
    print(f"argv {sys.argv[1:]} cwd {os.getcwd()} PROBE={os.environ.get('PROBE')!r}")
    print("in the error stream: é", file=sys.stderr)
    if mode == "exit":
        sys.exit(int(rest[0]))
    if mode == "message":
        sys.exit("a message for sys.exit")
    if mode == "raise":
        raise LookupError("raised to the top")
    if mode == "path":  # where imports come from, and which of our packages are loaded
        print("path", sys.path[:2])
        print("ours", sorted(name for name in sys.modules if name.startswith("plaid_")))
    if mode == "ctrl-c":  # what a Ctrl-C would do: KeyboardInterrupt, or nothing if ignored
        print(
            "SIGINT",
            "default"
            if signal.getsignal(signal.SIGINT) is signal.default_int_handler
            else "not default",
        )
    if mode == "sleep":
        with open("pid", "w") as pid:
            pid.write(str(os.getpid()))
        time.sleep(60)
