"""The platform's own rules for generated workflows (tool ``bbws-policy``).

zizmor and actionlint catch generic problems; these rules encode what the BBWS
platform requires of every service repo (DESIGN.md §5), so they are reported
with stable ids even where zizmor overlaps.

========  ====================================================================
BBWS000   repo layout: ``terraform/*.tf``, ``.github/workflows/*.yml``,
          ``src/**/*.py`` (or, in an image repo, ``docker/*/Dockerfile``) exist
BBWS001   every ``uses:`` (steps and reusable-workflow jobs) pinned to a full
          40-hex commit SHA; ``./local`` actions and ``docker://`` excepted
BBWS002   top-level ``permissions: {}`` (every job grants its own)
BBWS003   no static AWS credentials anywhere in a workflow
          (``aws-access-key-id``, ``aws-secret-access-key``,
          ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, any spelling)
BBWS004   AWS job without ``permissions: id-token: write``
BBWS005   AWS job without an OIDC ``aws-actions/configure-aws-credentials``
          step that sets ``role-to-assume``
BBWS006   AWS job without a valid account-validation step
BBWS007   AWS touched before the account was validated (or validation before
          credentials were configured)
BBWS008   job deploying to SIT/PROD not running in GitHub
          ``environment: sit`` / ``environment: prod``
BBWS009   job without ``timeout-minutes``
BBWS010   workflow without ``concurrency`` (top level or on every job)
BBWS011   workflow file is not valid YAML / not a mapping
========  ====================================================================

What counts as "touching AWS" (an *AWS job* has at least one such step):

* ``uses: aws-actions/*`` (configure-aws-credentials, amazon-ecr-login, ...);
* a ``run:`` line invoking the AWS CLI (``aws <command>``; ``aws --version``
  is harmless), or ``terraform`` with any subcommand except ``fmt``,
  ``validate``, ``version``, ``-version``/``--version``, ``-help``, and
  ``init -backend=false``; or ``python -m bbws_scaffold.runtime...``.

The account-validation convention (BBWS006/007): a step whose ``id`` is
``validate-account`` or whose ``name`` contains "validate aws account" (any
case), or any step whose script matches the content below. Its ``run:`` must
call ``aws sts get-caller-identity`` with ``--query Account``, compare the
result with the expected account id and ``exit`` non-zero on mismatch. It must
come after ``configure-aws-credentials`` and before every other step that
touches AWS. ``bbws-runtime guard --env <env>`` (or ``python -m
bbws_scaffold.runtime guard --env <env>``) is accepted as that check: it compares
STS's account with the environment's configured one and exits non-zero on a
mismatch. Canonical shell form (expected id passed through ``env:``, never
``${{ }}`` inside ``run:``, which zizmor flags as template injection)::

    - name: Validate AWS account
      id: validate-account
      env:
        EXPECTED_ACCOUNT_ID: ${{ vars.AWS_ACCOUNT_ID }}
      run: |
        actual="$(aws sts get-caller-identity --query Account --output text)"
        if [ "${actual}" != "${EXPECTED_ACCOUNT_ID}" ]; then
          echo "::error::Credentials are for account ${actual}, expected ${EXPECTED_ACCOUNT_ID}"
          exit 1
        fi

Which environment a job deploys to (BBWS008), first non-empty of: the words
``dev``/``sit``/``prod``/``production`` in the job id or name; in the workflow
file name (``promote-sit.yml``); in the job's own content (``env:``,
``with:``, ``run:``) together with the options of any ``workflow_dispatch``
choice input the job references (``inputs.environment``). A job whose targets
include sit or prod must set ``environment:``: the literal name when there is
one target (or a variant whose name contains it as a word, such as
``prod-hotfix``), or an expression (``${{ inputs.environment }}``) when there are
several.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from .findings import CheckOutput, Finding, ToolStats
from .gha import Job, Step, Workflow, WorkflowError, as_map, load_workflow, text, workflow_files

TOOL = "bbws-policy"

_SHA = re.compile(r"^[0-9a-f]{40}$")
_STATIC_CREDS = re.compile(r"(?i)aws[-_]?(?:access[-_]?key[-_]?id|secret[-_]?access[-_]?key)")
_AWS_CLI = re.compile(r"(?<![\w./$-])aws\s+(?!--version\b)[a-z][a-z0-9-]*")
_TERRAFORM = re.compile(r"(?<![\w./$-])terraform\s+((?:-chdir=\S+\s+)?)(?P<sub>-?-?[a-z][a-z-]*)(?P<rest>.*)")
_SAFE_TF = {"fmt", "validate", "version", "-version", "--version", "-help", "--help", "-v"}
_RUNTIME = re.compile(r"bbws_scaffold\.runtime")
_RUNTIME_GUARD = re.compile(
    r"(?:\bbbws-runtime|python3?\s+-m\s+bbws_scaffold\.runtime)(?:\s+--config\s+\S+)?\s+guard\s+--env\s+\S"
)
_CALLER_ID = re.compile(r"sts\s+get-caller-identity")
_QUERY_ACCOUNT = re.compile(r"--query\s+['\"]?Account")
_EXIT_NONZERO = re.compile(r"\bexit\s+[1-9]")
_VALIDATE_NAME = re.compile(r"validate\s+aws\s+account", re.I)
_ENV_WORDS = {"dev": "dev", "sit": "sit", "prod": "prod", "production": "prod"}
_INPUT_REF = re.compile(r"\b(?:github\.event\.)?inputs\.([A-Za-z_][\w-]*)")
_CONFIGURE = "aws-actions/configure-aws-credentials"


def _strip_comment(line: str) -> str:
    # Good enough for workflow scripts: drop from an unquoted " #" onwards.
    out, quote = [], ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            break
        out.append(ch)
    return "".join(out)


def _script_lines(script: str) -> list[str]:
    return [_strip_comment(ln) for ln in script.splitlines()]


def run_touches_aws(script: str) -> bool:
    for line in _script_lines(script):
        if _AWS_CLI.search(line) or _RUNTIME.search(line):
            return True
        for m in _TERRAFORM.finditer(line):
            sub = m.group("sub")
            if sub in _SAFE_TF:
                continue
            if sub == "init" and "-backend=false" in m.group("rest"):
                continue
            return True
    return False


def _action(uses: str) -> str:
    return uses.split("@", 1)[0].strip().lower()


def is_configure_step(step: Step) -> bool:
    return _action(step.uses) == _CONFIGURE


def step_touches_aws(step: Step) -> bool:
    if step.uses and _action(step.uses).startswith("aws-actions/"):
        return True
    return "run" in step.data and run_touches_aws(step.run)


def _validation_content_ok(step: Step) -> bool:
    script = "\n".join(_script_lines(step.run))
    if _RUNTIME_GUARD.search(script):  # bbws-runtime's guard: STS vs the configured account, exit 2
        return True
    return bool(_CALLER_ID.search(script) and _QUERY_ACCOUNT.search(script) and _EXIT_NONZERO.search(script))


def _is_named_validation(step: Step) -> bool:
    return step.id == "validate-account" or bool(_VALIDATE_NAME.search(step.name))


def _words(value: str) -> set[str]:
    return {_ENV_WORDS[w] for w in re.split(r"[^a-z0-9]+", value.lower()) if w in _ENV_WORDS}


def _flatten(value: Any) -> str:
    if isinstance(value, dict):
        return " ".join(f"{k} {_flatten(v)}" for k, v in value.items())
    if isinstance(value, list):
        return " ".join(_flatten(v) for v in value)
    return text(value)


def _choice_inputs(wf: Workflow) -> dict[str, set[str]]:
    on = wf.data.get("on")
    dispatch = as_map(as_map(on).get("workflow_dispatch"))
    out: dict[str, set[str]] = {}
    for name, spec in as_map(dispatch.get("inputs")).items():
        opts = as_map(spec).get("options")
        if isinstance(opts, list):
            out[str(name)] = set().union(*(_words(text(o)) for o in opts)) if opts else set()
    return out


def job_targets(wf: Workflow, job: Job) -> set[str]:
    """Environments (dev/sit/prod) a job deploys to (see module docstring)."""
    targets = _words(f"{job.id} {text(job.data.get('name'))}")
    if targets:
        return targets
    targets = _words(wf.path.stem)
    if targets:
        return targets
    content = _flatten({k: v for k, v in job.data.items() if k in ("env", "steps", "with")})
    targets = _words(content)
    choices = _choice_inputs(wf)
    for ref in _INPUT_REF.findall(content):
        targets |= choices.get(ref, set())
    return targets


def _permissions(wf: Workflow, job: Job) -> Any:
    if "permissions" in job.data:
        return job.data.get("permissions")
    return wf.data.get("permissions")


def _grants_id_token(perms: Any) -> bool:
    if isinstance(perms, str):
        return perms.strip() == "write-all"
    return text(as_map(perms).get("id-token")).strip() == "write"


class _PolicyChecker:
    def __init__(self, wf: Workflow) -> None:
        self.wf = wf
        self.findings: list[Finding] = []

    def add(self, line: int, rule: str, message: str) -> None:
        self.findings.append(Finding(TOOL, self.wf.rel, line, rule, message))

    def run(self) -> list[Finding]:
        wf = self.wf
        self.top_level()
        self.static_credentials()
        for job in wf.jobs:
            self.pinning(job)
            if job.uses:
                continue  # reusable-workflow call: its own file is checked
            if "timeout-minutes" not in job.data:
                self.add(job.line, "BBWS009", f"job `{job.id}` has no `timeout-minutes`")
            self.aws_job(job)
        return self.findings

    def top_level(self) -> None:
        wf = self.wf
        if "permissions" not in wf.data:
            self.add(1, "BBWS002", "no top-level `permissions: {}`; deny by default and grant per job")
        else:
            perms = wf.data.get("permissions")
            if not (isinstance(perms, dict) and not perms):
                self.add(
                    wf.line_of("permissions"),
                    "BBWS002",
                    "top-level `permissions` must be `{}`; grant what each job needs on the job",
                )
        if "concurrency" not in wf.data and not all("concurrency" in j.data for j in wf.jobs if not j.uses):
            self.add(1, "BBWS010", "no `concurrency` (top level or on every job)")

    def static_credentials(self) -> None:
        for lineno, line in enumerate(self.wf.source.splitlines(), 1):
            m = _STATIC_CREDS.search(line)
            if m:
                self.add(
                    lineno,
                    "BBWS003",
                    f"static AWS credentials (`{m.group(0)}`); use OIDC: "
                    "configure-aws-credentials with `role-to-assume`",
                )

    def pinning(self, job: Job) -> None:
        refs: list[tuple[int, str]] = []
        if job.uses:
            refs.append((job.line_of("uses"), job.uses))
        refs += [(s.line_of("uses"), s.uses) for s in job.steps if s.uses]
        for line, uses in refs:
            if uses.startswith(("./", "$/", "docker://")):
                continue
            ref = uses.split("@", 1)[1] if "@" in uses else ""
            if not _SHA.match(ref):
                self.add(
                    line,
                    "BBWS001",
                    f"`{uses}` is not pinned to a full commit SHA; " f"use `{_action(uses)}@<40-hex sha> # <version>`",
                )

    def aws_job(self, job: Job) -> None:
        aws_steps = [s for s in job.steps if step_touches_aws(s)]
        if not aws_steps:
            return
        if not _grants_id_token(_permissions(self.wf, job)):
            self.add(
                job.line_of("permissions"),
                "BBWS004",
                f"job `{job.id}` touches AWS but lacks `permissions: id-token: write` (OIDC)",
            )
        configure = [s for s in job.steps if is_configure_step(s)]
        oidc = [s for s in configure if text(s.with_.get("role-to-assume")).strip()]
        if not oidc:
            where = configure[0].line if configure else job.line
            self.add(
                where,
                "BBWS005",
                f"job `{job.id}` touches AWS without an OIDC " f"`{_CONFIGURE}` step setting `role-to-assume`",
            )
        # account validation
        named = [s for s in job.steps if _is_named_validation(s)]
        by_content = [s for s in job.steps if "run" in s.data and _validation_content_ok(s)]
        candidates = named or by_content
        if not candidates:
            self.add(
                job.line,
                "BBWS006",
                f"job `{job.id}` touches AWS without validating the account: add a "
                "`validate-account` step (aws sts get-caller-identity --query Account, "
                "compare, exit 1)",
            )
            return
        validation = candidates[0]
        if not _validation_content_ok(validation):
            self.add(
                validation.line,
                "BBWS006",
                f"step '{validation.label}' does not check the account: it must compare "
                "`aws sts get-caller-identity --query Account` with the expected id and "
                "`exit 1` on mismatch",
            )
        if oidc and oidc[0].index > validation.index:
            self.add(
                validation.line,
                "BBWS007",
                f"step '{validation.label}' runs before AWS credentials are configured",
            )
        for s in aws_steps:
            if s is validation or is_configure_step(s):
                continue
            if s.index < validation.index:
                self.add(
                    s.line,
                    "BBWS007",
                    f"step '{s.label}' touches AWS before the account is validated " f"(step '{validation.label}')",
                )
        self.environment(job)

    def environment(self, job: Job) -> None:
        targets = job_targets(self.wf, job)
        gated = targets & {"sit", "prod"}
        if not gated:
            return
        env = job.data.get("environment")
        name = text(as_map(env).get("name") if isinstance(env, dict) else env).strip()
        want = " or ".join(f"`environment: {t}`" for t in sorted(gated))
        if not name:
            self.add(
                job.line,
                "BBWS008",
                f"job `{job.id}` deploys to {'/'.join(sorted(gated)).upper()} "
                f"but has no GitHub environment; add {want}",
            )
            return
        if "${{" in name:
            return
        line = job.line_of("environment")
        if len(targets) > 1:
            self.add(
                line,
                "BBWS008",
                f"job `{job.id}` deploys to {'/'.join(sorted(targets))} but its "
                f"environment is fixed to `{name}`; use an expression such as "
                "`${{ inputs.environment }}`",
            )
        elif next(iter(targets)) not in _words(name):  # `prod`, or a variant such as `prod-hotfix`
            self.add(
                line, "BBWS008", f"job `{job.id}` deploys to {next(iter(targets))} but runs in " f"environment `{name}`"
            )


def check_layout(repo: Path) -> list[Finding]:
    out = []
    if not any((repo / "terraform").glob("*.tf")):
        out.append(Finding(TOOL, "terraform", 0, "BBWS000", "no terraform/*.tf files"))
    if not workflow_files(repo):
        out.append(Finding(TOOL, ".github/workflows", 0, "BBWS000", "no workflow files"))
    # a service repo has Python sources; an image repo (2_bbws_wordpress_container) has docker/<image>/Dockerfile
    if not any((repo / "src").rglob("*.py")) and not any((repo / "docker").glob("*/Dockerfile")):
        out.append(Finding(TOOL, "src", 0, "BBWS000", "no Python sources under src/ (nor an image under docker/)"))
    return out


def check_policy(repo: Path) -> CheckOutput:
    start = time.monotonic()
    findings = check_layout(repo)
    files = workflow_files(repo)
    for path in files:
        try:
            wf = load_workflow(repo, path)
        except WorkflowError as exc:
            findings.append(Finding(TOOL, exc.rel, exc.line, "BBWS011", exc.message))
            continue
        findings += _PolicyChecker(wf).run()
    return CheckOutput(
        tuple(findings),
        ToolStats(TOOL, len(findings), time.monotonic() - start, checked=len(files)),
    )
