"""The Lambda-service subcommands of ``bbws-runtime`` (registered through ``cli._COMMAND_MODULES``).

Each handler loads the configuration, calls one operation and turns its result into output:
human-readable lines on stdout, structured JSON logs on stderr, an exit code. A handler imports its
operation module when it runs: the operations import boto3 (~150 ms), which ``--help``, argument
errors and ``package`` do not need.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bbws_scaffold.runtime.config import RuntimeConfig, load_config
from bbws_scaffold.runtime.context import RunContext
from bbws_scaffold.runtime.errors import RuntimeOpError
from bbws_scaffold.runtime.manifest import ServiceManifest, load_manifest


def _config(args: argparse.Namespace) -> RuntimeConfig:
    return load_config(args.config)


def _both(args: argparse.Namespace) -> tuple[RuntimeConfig, ServiceManifest]:
    cfg = _config(args)
    return cfg, load_manifest(cfg)


def _version(args: argparse.Namespace, run: RunContext) -> str:
    version = args.version or run.default_version()
    if not version:
        raise RuntimeOpError("no --version given and no GITHUB_SHA to derive one from")
    return str(version)


def _steps(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of percentages") from None


def _terraform(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from bbws_scaffold.runtime.deploy import TerraformStep

    if args.no_terraform:
        return None
    return TerraformStep(workdir=Path(args.terraform_dir), outputs_file=Path(args.outputs))


def _print(obj: Any) -> None:
    print(json.dumps(obj, indent=2, sort_keys=True, default=str))


# -- handlers ------------------------------------------------------------------------------
def cmd_guard(args: argparse.Namespace) -> int:
    from bbws_scaffold.runtime.guard import require_account

    env = _config(args).env(args.env)
    account = require_account(env)
    print(f"account {account} is {env.name}'s")
    return 0


def cmd_package(args: argparse.Namespace) -> int:
    from bbws_scaffold.runtime.artifact import build_zip

    print(build_zip(args.source, args.output))
    return 0


def cmd_deploy(args: argparse.Namespace) -> int:
    from bbws_scaffold.runtime.deploy import deploy

    cfg, manifest = _both(args)
    run = RunContext.from_env()
    record = deploy(
        cfg,
        manifest,
        args.env,
        artifact=Path(args.artifact),
        version=_version(args, run),
        run=run,
        terraform=_terraform(args),
    )
    _print({"env": record.env, "version": record.version, "outcome": record.outcome, "functions": record.functions})
    return 0


def cmd_promote(args: argparse.Namespace) -> int:
    from bbws_scaffold.runtime.deploy import promote

    cfg, manifest = _both(args)
    run = RunContext.from_env()
    record = promote(
        cfg,
        manifest,
        args.source,
        args.target,
        artifact=Path(args.artifact),
        version=args.version,
        run=run,
        terraform=_terraform(args),
        shift=not args.no_shift,
    )
    _print({"env": record.env, "version": record.version, "outcome": record.outcome, "functions": record.functions})
    return 0


def cmd_canary(args: argparse.Namespace) -> int:
    from bbws_scaffold.runtime.canary import DEFAULT_STEPS, canary

    cfg, manifest = _both(args)
    env = cfg.env(args.env)
    steps = args.steps or DEFAULT_STEPS
    # the environment's canary_wait_seconds is the whole bake time, spread over the steps
    wait = args.wait if args.wait is not None else float(env.setting("canary_wait_seconds", 0)) / len(steps)
    result = canary(
        cfg,
        manifest,
        env.name,
        version=args.version,
        run=RunContext.from_env(),
        steps=steps,
        wait_seconds=wait,
        ignore_alarms=args.ignore_alarm,
    )
    _print({"outcome": result.outcome, "steps": result.steps, "alarms": result.alarms})
    return 1 if result.outcome == "rolled_back" else 0


def cmd_rollback(args: argparse.Namespace) -> int:
    from bbws_scaffold.runtime.rollback import format_history, history, rollback

    cfg = _config(args)
    if args.list:
        print(format_history(history(cfg, args.env, limit=args.limit)))
        return 0
    record = rollback(cfg, load_manifest(cfg), args.env, run=RunContext.from_env(), to_version=args.to)
    _print({"env": record.env, "version": record.version, "detail": record.detail, "functions": record.functions})
    return 0


def cmd_smoke(args: argparse.Namespace) -> int:
    from bbws_scaffold.runtime.smoke import base_url_from_outputs, run_checks, write_results

    cfg, manifest = _both(args)
    cfg.env(args.env)
    base = args.base_url or base_url_from_outputs(args.outputs)
    checks = run_checks(manifest, base, timeout=args.timeout)
    write_results(checks, args.results)
    for c in checks:
        verdict = "skip" if c.skipped else ("ok" if c.passed else "FAIL")
        print(f"{verdict:4} {c.method:6} {c.path} -> {c.status if c.status is not None else c.error or '-'}")
    return 0 if all(c.passed for c in checks) else 1


def cmd_backup(args: argparse.Namespace) -> int:
    from bbws_scaffold.runtime.backup import backup

    cfg, manifest = _both(args)
    run = RunContext.from_env()
    done = backup(cfg, manifest, args.env, label=args.label or run.default_version())
    _print([{"table": b.table, "backup": b.name, "arn": b.arn, "created": b.created} for b in done])
    return 0


def cmd_notify(args: argparse.Namespace) -> int:
    from bbws_scaffold.runtime.notify import notify

    cfg = _config(args)
    run = RunContext.from_env()
    outcome = {"success": "succeeded", "failure": "failed"}.get(args.outcome, args.outcome)
    message_id = notify(cfg, args.env, version=_version(args, run), outcome=outcome, run=run, note=args.note or "")
    print(message_id)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from bbws_scaffold.runtime import report
    from bbws_scaffold.runtime.rollback import history
    from bbws_scaffold.runtime.smoke import read_results

    cfg = _config(args)
    run = RunContext.from_env()
    records = [r for r in history(cfg, args.env, limit=50) if run.run_id and r.run_id == run.run_id]
    text = report.render(cfg.service, args.env, records, read_results(args.smoke))
    print(report.write(text, args.output))
    return 0


def cmd_destroy(args: argparse.Namespace) -> int:
    from bbws_scaffold.runtime.deploy import is_production
    from bbws_scaffold.runtime.errors import Refused
    from bbws_scaffold.runtime.guard import require_account
    from bbws_scaffold.runtime.terraform import Terraform

    cfg = _config(args)
    env = cfg.env(args.env)
    if is_production(cfg, env):
        raise Refused(f"terraform destroy in {env.name} (production) is refused, always")
    require_account(env)
    tf = Terraform(args.terraform_dir, env.name, production=False)
    tf.init(f"backend/{env.name}.hcl")
    tf.destroy(var_file=f"environments/{env.name}.tfvars")
    print(f"destroyed {cfg.service} in {env.name}")
    return 0


_OUTCOMES = ["succeeded", "failed", "rolled_back", "cancelled"]


# -- parsers -------------------------------------------------------------------------------
def _env(p: argparse.ArgumentParser) -> None:
    p.add_argument("--env", required=True, help="environment name (dev, sit, prod, ...)")


def _release_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--artifact", default="dist/lambda.zip", help="the deployment package (default: %(default)s)")
    p.add_argument("--terraform-dir", default="terraform", help="Terraform working directory (default: %(default)s)")
    p.add_argument("--no-terraform", action="store_true", help="only publish and shift (infrastructure unchanged)")
    p.add_argument("--outputs", default="build/terraform-outputs.json", help="save terraform outputs here")


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("guard", help="check the credentials belong to the environment's account")
    _env(p)
    p.set_defaults(handler=cmd_guard)

    p = subparsers.add_parser("package", help="zip a directory reproducibly; print its sha256 digest")
    p.add_argument("--source", required=True)
    p.add_argument("--output", required=True)
    p.set_defaults(handler=cmd_package)

    p = subparsers.add_parser("deploy", help="terraform plan+apply, publish versions, move live (first env only)")
    _env(p)
    p.add_argument("--version", help="release label (default: $GITHUB_SHA, the commit)")
    _release_options(p)
    p.set_defaults(handler=cmd_deploy)

    p = subparsers.add_parser("promote", help="release a version that succeeded in the environment before")
    p.add_argument("--from", dest="source", required=True)
    p.add_argument("--to", dest="target", required=True)
    p.add_argument("--version", required=True)
    p.add_argument("--no-shift", action="store_true", help="publish only; `canary` moves the traffic")
    _release_options(p)
    p.set_defaults(handler=cmd_promote)

    p = subparsers.add_parser("canary", help="shift live onto a published version in steps, watching alarms")
    _env(p)
    p.add_argument("--version", required=True)
    p.add_argument("--steps", type=_steps, help="percentages, default 10,25,50,100")
    p.add_argument(
        "--wait", type=float, help="seconds between steps (default: canary_wait_seconds spread over the steps)"
    )
    p.add_argument("--ignore-alarm", action="append", default=[], metavar="NAME")
    p.set_defaults(handler=cmd_canary)

    p = subparsers.add_parser("rollback", help="list deployments, or move live back to an earlier one")
    _env(p)
    p.add_argument("--to", help="version to restore (default: the one before the current)")
    p.add_argument("--list", action="store_true", help="show the recorded deployments and change nothing")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(handler=cmd_rollback)

    p = subparsers.add_parser("smoke", help="HTTP checks of the deployed API's routes")
    _env(p)
    p.add_argument("--base-url", help="stage URL (default: api_url from --outputs)")
    p.add_argument("--outputs", default="build/terraform-outputs.json")
    p.add_argument("--results", default="build/smoke.json")
    p.add_argument("--timeout", type=float, default=10.0)
    p.set_defaults(handler=cmd_smoke)

    p = subparsers.add_parser("backup", help="on-demand backups of the service's tables")
    _env(p)
    p.add_argument("--label", help="backup label (default: $GITHUB_SHA)")
    p.set_defaults(handler=cmd_backup)

    p = subparsers.add_parser("notify", help="publish the deployment outcome to the environment's SNS topic")
    _env(p)
    p.add_argument("--version")
    p.add_argument(
        "--outcome",
        required=True,
        choices=[*_OUTCOMES, "success", "failure"],
        help="the outcome; GitHub's job.status values success/failure/cancelled are accepted too",
    )
    p.add_argument("--note")
    p.set_defaults(handler=cmd_notify)

    p = subparsers.add_parser("report", help="markdown deployment report of this run")
    _env(p)
    p.add_argument("--smoke", default="build/smoke.json")
    p.add_argument("--output", default="build/deployment-report.md")
    p.set_defaults(handler=cmd_report)

    p = subparsers.add_parser("destroy", help="terraform destroy (refused in production, always)")
    _env(p)
    p.add_argument("--terraform-dir", default="terraform")
    p.set_defaults(handler=cmd_destroy)

    _add_delivery_parsers(subparsers)


# -- delivery: releases, metrics, health (issue 17) ------------------------------------------
def cmd_release(args: argparse.Namespace) -> int:
    from bbws_scaffold.runtime import release
    from bbws_scaffold.runtime.github import GitHubRelease

    repo = Path(args.repo)
    if args.release_command == "plan":
        p = release.plan(repo)
    else:
        gh = None if args.no_github else GitHubRelease.from_env()
        p = release.create(repo, artifact=Path(args.artifact), github=gh, push=args.push, on_github=args.on_github)
    if args.json:
        _print(p.__dict__)
        return 0
    if p.version is None:
        since = f"since {p.current_tag}" if p.current_tag else "in the history"
        print(
            f"no release: none of the {p.commits} commit(s) {since} is a feat, fix, perf, refactor or breaking change"
        )
        return 0
    verb = "next version" if args.release_command == "plan" else "released"
    print(f"{verb}: {p.version} (tag {p.tag}; {p.increment} from {p.current}, {p.commits} commit(s))")
    print()
    print(p.changelog, end="")
    return 0


def cmd_metrics(args: argparse.Namespace) -> int:
    from datetime import datetime, timezone

    from bbws_scaffold.runtime import metrics
    from bbws_scaffold.runtime.aws import session_for
    from bbws_scaffold.runtime.guard import require_account
    from bbws_scaffold.runtime.records import RecordStore

    cfg = _config(args)
    env = cfg.env(args.env)
    since = metrics.parse_since(args.since)
    session = session_for(env)
    require_account(env, session)
    records = list(RecordStore.for_env(env, session).history(cfg.service, env.name))
    m = metrics.compute(records, env.name, since=since, now=datetime.now(timezone.utc))
    if args.json:
        _print(m.to_json())
    else:
        text = metrics.render(cfg.service, m)
        print(text, end="")
        if args.summary:
            with open(args.summary, "a", encoding="utf-8") as out:
                out.write(text)
    return 0


def cmd_health(args: argparse.Namespace) -> int:
    from bbws_scaffold.runtime import health
    from bbws_scaffold.runtime.aws import session_for
    from bbws_scaffold.runtime.guard import require_account
    from bbws_scaffold.runtime.smoke import base_url_from_outputs

    cfg, manifest = _both(args)
    env = cfg.env(args.env)
    session = session_for(env)
    require_account(env, session)
    base = args.base_url or (base_url_from_outputs(args.outputs) if args.outputs else None)
    report = health.check(manifest, env.name, session, base_url=base, timeout=args.timeout)
    print(health.render(report), end="")
    return 0 if report.healthy else 1


def _with_progress(handler: Any) -> Any:
    """``handler`` with its log events shown as progress on stderr (live on a terminal, plain in CI)."""
    import sys

    from bbws_scaffold.runtime import log as runtime_log
    from bbws_scaffold.runtime.progress import for_terminal

    def run(args: argparse.Namespace) -> int:
        progress = for_terminal(sys.stderr)
        runtime_log.set_stream(progress)  # type: ignore[arg-type]
        try:
            return int(handler(args))
        finally:
            runtime_log.set_stream(None)
            progress.close()

    return run


def _add_delivery_parsers(subparsers: Any) -> None:
    # deploy, promote and canary show their progress (the handlers themselves are unchanged)
    for name in ("deploy", "promote", "canary"):
        parser = subparsers.choices[name]
        parser.set_defaults(handler=_with_progress(parser.get_default("handler")))

    p = subparsers.add_parser("release", help="semantic release from conventional commits (commitizen)")
    sub = p.add_subparsers(dest="release_command", metavar="ACTION", required=True)
    for name, text in (
        ("plan", "print the next version and its CHANGELOG section; writes nothing"),
        ("create", "write CHANGELOG.md, commit, tag vX, create the GitHub Release with the package and its sha256"),
    ):
        q = sub.add_parser(name, help=text)
        q.add_argument("--repo", default=".", help="the git repository (default: the current directory)")
        q.add_argument("--json", action="store_true", help="print the plan as JSON")
        if name == "create":
            q.add_argument(
                "--artifact", default="dist/lambda.zip", help="the deployment package (default: %(default)s)"
            )
            q.add_argument("--push", metavar="REMOTE", help="push the release commit and the tag to REMOTE")
            q.add_argument("--no-github", action="store_true", help="tag only; create no GitHub Release")
            q.add_argument(
                "--on-github",
                action="store_true",
                help="CI: no local commit or tag; GitHub tags this commit with the release (notes = changelog)",
            )
        q.set_defaults(handler=cmd_release)

    p = subparsers.add_parser("metrics", help="DORA metrics of an environment from its deployment records")
    _env(p)
    p.add_argument("--since", default="30d", help="window: Nh, Nd or Nw (default: %(default)s)")
    p.add_argument("--json", action="store_true", help="print the numbers as JSON (durations in seconds)")
    p.add_argument("--summary", metavar="FILE", help="also append the markdown table to FILE ($GITHUB_STEP_SUMMARY)")
    p.set_defaults(handler=cmd_metrics)

    p = subparsers.add_parser("health", help="functions active, live alias, alarms, smoke routes; exit 1 if unhealthy")
    _env(p)
    p.add_argument("--base-url", help="stage URL to smoke-test the routes (default: none, or api_url of --outputs)")
    p.add_argument("--outputs", help="saved terraform outputs with api_url (e.g. build/terraform-outputs.json)")
    p.add_argument("--timeout", type=float, default=10.0)
    p.set_defaults(handler=cmd_health)
