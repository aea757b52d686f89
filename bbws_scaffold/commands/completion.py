"""``bbws-scaffold completion bash|zsh|fish``: print the shell completion script.

argcomplete, not shtab: shtab writes static scripts (no start-up cost at all) but knows no fish.
argcomplete's script calls ``bbws-scaffold`` back with ``_ARGCOMPLETE`` set; only then does
:func:`bbws_scaffold.cli.main` import argcomplete and build the whole parser, so an ordinary run
pays nothing for completion.

    eval "$(bbws-scaffold completion bash)"        # ~/.bashrc (zsh: the same with zsh)
    bbws-scaffold completion fish | source         # ~/.config/fish/config.fish
"""

from __future__ import annotations

import argparse
from typing import Any

import argcomplete

SHELLS = ("bash", "zsh", "fish")


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "completion",
        help="print the shell completion script (bash, zsh, fish)",
        description=__doc__.split("\n\n", 1)[0] if __doc__ else None,
    )
    p.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    p.add_argument("--prog", default="bbws-scaffold", help="the command name to complete (default: %(default)s)")
    p.set_defaults(func=cmd_completion)


def cmd_completion(args: argparse.Namespace) -> int:
    print(argcomplete.shellcode([args.prog], shell=args.shell), end="")
    return 0
