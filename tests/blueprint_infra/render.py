"""Render the blueprint's infrastructure subtrees (terraform/, .github/, scripts/) with copier.

Copies only those subtrees plus `_macros/` (and the blueprints' `_shared/` macros) into a scratch
template next to the project's own copier.yml, so the files are rendered exactly as
`bbws-scaffold new` renders them, without depending on the Python app parts of the blueprint.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from copier import run_copy

from bbws_scaffold.config.environments import environments_answer
from bbws_scaffold.model import ServiceSpec
from bbws_scaffold.plan.code import plan_answer
from bbws_scaffold.plan.infra import infra_answer
from tests import yamlio
from tests.paths import ROOT

BLUEPRINT = ROOT / "blueprints" / "lambda_service"
SHARED = ROOT / "blueprints" / "_shared"
SUBTREES = ("terraform", ".github", "scripts", "deploy", "_macros")


def scratch_template(root: Path) -> Path:
    """A copy of the project's template (root copier.yml + blueprints/lambda_service) holding only
    the infrastructure subtrees, so copier settings (envops, excludes, answers) are the real ones."""
    tpl = root / "template"
    dst = tpl / "blueprints" / "lambda_service"
    dst.mkdir(parents=True)
    for sub in SUBTREES:
        if (BLUEPRINT / sub).exists():
            shutil.copytree(BLUEPRINT / sub, dst / sub)
    shutil.copytree(SHARED, tpl / "blueprints" / "_shared")
    conf = yamlio.load((ROOT / "copier.yml").read_text(encoding="utf-8"))
    conf.pop("_skip_if_exists", None)
    (tpl / "copier.yml").write_text(yamlio.dump(conf), encoding="utf-8")
    return tpl


def render_infra(spec: ServiceSpec, dst: Path, environments: dict | None = None) -> Path:
    """Render terraform/, .github/ and scripts/ for ``spec`` into ``dst``; returns ``dst``."""
    tpl = scratch_template(dst.parent / (dst.name + "-tpl"))
    environments = environments or environments_answer()
    run_copy(
        str(tpl),
        str(dst),
        data={
            "spec": spec.model_dump(mode="json"),
            "environments": environments,
            "infra": infra_answer(spec, environments),
            "plan": plan_answer(spec),  # copier.yml refuses a spec without it
            "org": "BigBeardWebSolutions",
            "blueprint": "lambda_service",
        },
        defaults=True,
        quiet=True,
        overwrite=True,
    )
    return dst
