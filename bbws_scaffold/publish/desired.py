"""Facts the publisher reads from the rendered repository (never from the templates):

* the required status checks are the check names the generated CI workflow's jobs report;
* the teams that need write access are the ones its CODEOWNERS names.

Reading them from the rendered files means a blueprint change cannot leave protection asking
for a check that no longer exists (a pull request could then never merge).
"""

from __future__ import annotations

import re
from pathlib import Path

from bbws_scaffold.errors import RepoFactsError
from bbws_scaffold.yamlfile import read_yaml

CI_WORKFLOW = Path(".github/workflows/ci.yml")
CODEOWNERS_PATHS = (Path(".github/CODEOWNERS"), Path("CODEOWNERS"), Path("docs/CODEOWNERS"))


def ci_check_names(repo: Path) -> list[str]:
    """Check-run names of the jobs in ``.github/workflows/ci.yml``: a job's ``name`` (else its id).

    A name computed from an expression or a matrix job has no fixed check name, so it cannot be a
    required check: that is refused rather than guessed.
    """
    path = repo / CI_WORKFLOW
    doc = read_yaml(path, "the CI workflow", RepoFactsError)
    jobs = doc.get("jobs") if isinstance(doc, dict) else None
    if not isinstance(jobs, dict) or not jobs:
        raise RepoFactsError(f"{path}: no jobs, so there are no status checks to require")
    names: list[str] = []
    for job_id, job in jobs.items():
        job = job if isinstance(job, dict) else {}
        name = str(job.get("name") or job_id)
        if "${{" in name or "strategy" in job:
            raise RepoFactsError(f"{path}: job {job_id!r} has no fixed check name (expression or matrix)")
        names.append(name)
    return names


def codeowner_teams(repo: Path, org: str) -> list[str]:
    """Slugs of the ``@org/team`` owners in the repository's CODEOWNERS (first file GitHub reads)."""
    for rel in CODEOWNERS_PATHS:
        path = repo / rel
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            break
    else:
        return []
    teams: list[str] = []
    pattern = re.compile(r"(?<!\S)@([A-Za-z0-9-]+)/([A-Za-z0-9._-]+)")
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        for owner, slug in pattern.findall(line):
            if owner.lower() == org.lower() and slug not in teams:
                teams.append(slug)
    return teams
