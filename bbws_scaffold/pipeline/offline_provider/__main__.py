"""Launcher: ``python -m bbws_scaffold.pipeline.offline_provider`` (started by Terraform)."""

import sys

from .server import serve

sys.exit(serve())
