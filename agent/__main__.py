"""`python -m agent ...`: the headless command line (see agent/cli.py)."""

from agent.cli import main

raise SystemExit(main())
