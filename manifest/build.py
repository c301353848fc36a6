"""Build the Teams app package: ``python manifest/build.py --out build/switchover-app.zip``.

The same as ``switchover manifest build``; the code lives in :mod:`switchover.manifest`.
Importable too: ``build(out, values)`` writes the zip.
"""

from __future__ import annotations

import argparse
import sys

from switchover.manifest import ManifestValues, add_parser, build_package

__all__ = ["ManifestValues", "build", "main"]

build = build_package


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` like ``switchover manifest build`` and build the package."""
    parser = argparse.ArgumentParser(prog="manifest/build.py")
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["manifest", "build", *(sys.argv[1:] if argv is None else argv)])
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
