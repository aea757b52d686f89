"""Every error a user can see, in one hierarchy.

A :class:`BBWSError` is a failure the user can act on: the CLI prints it as one line, ``WHERE:
error: message``, and exits 2 (an :class:`LLDError` prints each of its ``FILE:LINE`` diagnostics).
``WHERE`` is the thing that is wrong: the code that raises knows it (an output folder, a
repository, an option such as ``--hld-prefix``) and passes it as ``where=``; only an error raised
without one falls back to the file the command was given. Any other exception is a bug: the CLI
reports it as an internal error (``BBWS_DEBUG=1`` shows the traceback). Callers catch
``BBWSError`` and print ``exc.format(default)``; they never need to know which stage raised it.

This module is a leaf: it imports nothing from ``bbws_scaffold`` at run time, so every stage can
raise from it without an import cycle.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - types only
    from bbws_scaffold.model import Diagnostic


class BBWSError(Exception):
    """A failure with a clear message for the user; ``where`` names what it is about, when the
    raising code knows (a path, or an option of the command line)."""

    def __init__(self, message: str = "", *, where: str | None = None):
        super().__init__(message)
        self.where = where

    def format(self, default: str) -> str:
        """What the CLI prints: ``WHERE: error: message`` (``default``, the file the command was
        given, when the error carries no place of its own)."""
        return f"{self.where or default}: error: {self}"


class LLDError(BBWSError):
    """The document cannot be turned into a spec. Carries every error found, sorted by line."""

    def __init__(self, file: str, diagnostics: Sequence[Diagnostic]):
        self.file = file
        self.diagnostics = sorted(diagnostics, key=lambda d: (d.line or 0, d.message))
        super().__init__("\n".join(d.format(file) for d in self.diagnostics), where=file)

    def format(self, default: str) -> str:
        return "\n".join(d.format(self.file) for d in self.diagnostics)


class ConfigError(BBWSError, ValueError):
    """A configuration file (or an override of one) is unusable; the message names the file and
    the field."""


class EnvironmentsError(ConfigError):
    """The deployment environments configuration (``environments.yaml``) is unusable."""


class GitHubConfigError(ConfigError):
    """The GitHub publishing configuration (``github.yaml``) is unusable."""


class WordPressConfigError(ConfigError):
    """The WordPress image configuration (``wordpress_image.yaml``) or an override is unusable."""


class RenderError(BBWSError):
    """The spec cannot be rendered (nothing was written)."""


class UpdateError(RenderError):
    """The update cannot start (the repository is untouched)."""


class PublishError(BBWSError):
    """Publishing cannot continue; the message is one clear line for the user."""


class RepoFactsError(PublishError, ValueError):
    """The rendered repository lacks what publishing needs."""


class RepoError(BBWSError):
    """A folder is not the generated repository an operation needs (no answers file, not a git
    work tree, uncommitted changes, a git command failed)."""
