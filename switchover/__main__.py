"""``python -m switchover``: the same command line as the ``switchover`` script."""

from switchover.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
