"""Allows ``python -m playbook``."""

from playbook.cli import main

# Guarded: a worker process started by "spawn" (macOS, Windows) imports this module again.
if __name__ == "__main__":
    raise SystemExit(main())
