"""``python -m symgrad``: the command line (``symgrad demo`` by default)."""

from symgrad.cli import main

raise SystemExit(main())
