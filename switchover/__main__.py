"""``python -m switchover``: the same command line as the ``switchover`` script."""

from switchover.cli import main

raise SystemExit(main())
