"""Allows ``python -m playbook``."""

from playbook.cli import main

raise SystemExit(main())
