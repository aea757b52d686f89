"""A test-only, offline stand-in for the ``hashicorp/aws`` provider (6.25.0).

``terraform init`` cannot download providers on machines without internet access, so generated
Terraform could never meet ``terraform validate`` or ``terraform plan``. This package serves the
AWS provider's real (typed) schema over Terraform's plugin protocol, which is all Terraform core
needs to check names, types, required arguments, blocks and references, and to plan.

    from bbws_scaffold.pipeline.offline_provider import install
    cli_config = install(Path("/tmp/x"))      # TF_CLI_CONFIG_FILE=<cli_config> terraform init ...

Modules: :mod:`.schema` (the typed schema and its tfplugin6 form), :mod:`.values` (planned and
fake values), :mod:`.server` (the plugin server; its docstring lists what this can NOT catch),
``__main__`` (the launcher Terraform starts). The schema comes from
``scripts/extract-tf-schema.py``. Needs the ``tfoffline`` extra (``tf``: tfplugin6 stubs,
grpcio, protobuf, msgpack).
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from .schema import PROVIDER_VERSION, provider_schema_response

PROVIDER_ADDRESS = "registry.terraform.io/hashicorp/aws"


def available() -> str | None:
    """``None`` when the offline provider can run, else why not (a missing dependency)."""
    for module in ("tf.gen.tfplugin_pb2", "grpc", "msgpack", "cryptography"):
        try:
            __import__(module)
        except ImportError as exc:
            return (
                f"the offline AWS provider needs {module.split('.')[0]} ({exc}); pip install 'bbws-scaffold[tfoffline]'"
            )
    return None


def _target() -> str:
    machine = os.uname().machine
    arch = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    return f"{sys.platform if sys.platform != 'darwin' else 'darwin'}_{arch}"


def install(dest: Path) -> Path:
    """Lay out a filesystem mirror holding the provider under ``dest`` and return the CLI
    configuration file to point ``TF_CLI_CONFIG_FILE`` at (no other provider is installable)."""
    dest = Path(dest).resolve()
    plugin_dir = dest / "mirror" / PROVIDER_ADDRESS / PROVIDER_VERSION / _target()
    plugin_dir.mkdir(parents=True, exist_ok=True)
    exe = plugin_dir / f"terraform-provider-aws_v{PROVIDER_VERSION}"
    package_root = Path(__file__).resolve().parents[3]
    schema_pb = dest / f"aws-{PROVIDER_VERSION}-schema.pb"
    schema_pb.write_bytes(provider_schema_response())
    exe.write_text(
        "#!/bin/sh\n"
        f"BBWS_OFFLINE_AWS_SCHEMA_PB={shlex.quote(str(schema_pb))} "
        f"PYTHONPATH={shlex.quote(str(package_root))}${{PYTHONPATH:+:$PYTHONPATH}} "
        f'exec {shlex.quote(sys.executable)} -m bbws_scaffold.pipeline.offline_provider "$@"\n',
        encoding="utf-8",
    )
    exe.chmod(0o755)
    cli = dest / "terraform.rc"
    cli.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{dest / "mirror"}"\n    include = ["{PROVIDER_ADDRESS}"]\n  }}\n'
        "}\n"
        f'plugin_cache_dir = ""\n',
        encoding="utf-8",
    )
    (dest / "plugin-cache").mkdir(exist_ok=True)
    return cli
