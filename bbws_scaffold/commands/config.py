"""``bbws-scaffold config schema NAME``: print the JSON Schema of a configuration file.

Registered by ``bbws_scaffold.cli`` under the ``config`` group through :func:`add_parser`. Exit 0;
an unknown NAME is an argparse error (exit 2).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from bbws_scaffold.config.schema import FILES, json_schema


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``schema`` under the ``config`` sub-command group."""
    files = ", ".join(f"{name} ({config.packaged.name})" for name, config in FILES.items())
    p: argparse.ArgumentParser = subparsers.add_parser(
        "schema",
        help="print the JSON Schema of a configuration file",
        description=f"Print the JSON Schema of a configuration file: {files}.",
    )
    p.add_argument("name", choices=list(FILES), help="which configuration file")
    p.add_argument("--json", action="store_true", help="accepted for symmetry: the schema is JSON")
    p.set_defaults(func=cmd_schema)
    return p


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(args.name), indent=2))
    return 0
