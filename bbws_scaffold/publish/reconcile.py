"""One reconciler per GitHub resource: read the current state, write only the difference.

Each function reads through ``api.read`` (``None`` = does not exist yet), compares a normalised
form of what GitHub reports with what the configuration asks for, and calls ``api.write`` only
for what differs, noting each change in the :class:`Report`. Run twice, the second run writes
nothing. Request bodies follow GitHub's REST documentation (cited per function).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bbws_scaffold.config.github import PERMISSIONS, EnvironmentPlan, GitHubConfig, Protection, Reviewer, Webhook
from bbws_scaffold.publish.client import Api, Hidden, Sealed, path

LIST = "?per_page=100"


@dataclass(frozen=True)
class Target:
    org: str
    name: str

    @property
    def full_name(self) -> str:
        return f"{self.org}/{self.name}"

    def repo(self, *more: str) -> str:
        return path("repos", self.org, self.name, *more)


@dataclass
class Report:
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def change(self, line: str) -> None:
        self.changes.append(line)


def ensure_repo(api: Api, t: Target, cfg: GitHubConfig, description: str, report: Report) -> dict[str, Any]:
    """A private repository in the organisation.

    docs: https://docs.github.com/en/rest/repos/repos#create-an-organization-repository
          https://docs.github.com/en/rest/repos/repos#update-a-repository
    """
    want: dict[str, Any] = {"description": description, "private": cfg.private, **cfg.repo_settings}
    current = api.read(t.repo())
    if current is None:
        created = api.write(
            "POST",
            path("orgs", t.org, "repos"),
            {"name": t.name, **want, "auto_init": False},
            errors={
                404: f"organisation {t.org!r} not found (or the token cannot see it)",
                422: f"repository name {t.full_name} is taken (it exists but this token cannot see it)",
            },
        )
        report.change(f"created repository {t.full_name} ({'private' if cfg.private else 'public'})")
        return dict(created or {})
    diff = {k: v for k, v in want.items() if current.get(k) != v}
    if diff:
        api.write("PATCH", t.repo(), diff)
        report.change(f"updated repository settings: {', '.join(sorted(diff))}")
    return dict(current)


def _rank(permission: str) -> int:
    return PERMISSIONS.index(permission) if permission in PERMISSIONS else -1


def ensure_access(api: Api, t: Target, teams: Sequence[tuple[str, str]], report: Report) -> None:
    """Each team has at least the given permission on the repository.

    docs: https://docs.github.com/en/rest/repos/repos#list-repository-teams
          https://docs.github.com/en/rest/teams/teams#add-or-update-team-repository-permissions
    """
    current = {str(x.get("slug")): str(x.get("permission")) for x in api.read(t.repo("teams") + LIST) or []}
    for slug, permission in teams:
        if _rank(current.get(slug, "")) >= _rank(permission):
            continue
        api.write(
            "PUT",
            path("orgs", t.org, "teams", slug, "repos", t.org, t.name),
            {"permission": permission},
            errors={404: f"team {slug!r} not found in organisation {t.org!r}"},
        )
        report.change(f"team {slug}: {permission} access")


class Reviewers:
    """Team and user ids for environment reviewers, looked up once per run."""

    def __init__(self, api: Api, org: str) -> None:
        self.api, self.org = api, org
        self._ids: dict[Reviewer, Any] = {}

    def id(self, r: Reviewer) -> Any:
        if r not in self._ids:
            if r.kind == "Team":
                # docs: https://docs.github.com/en/rest/teams/teams#get-a-team-by-name
                data = self.api.lookup(path("orgs", self.org, "teams", r.name), f"team {r.name}")
            else:
                # docs: https://docs.github.com/en/rest/users/users#get-a-user
                data = self.api.lookup(path("users", r.name), f"user {r.name}")
            self._ids[r] = data["id"]
        return self._ids[r]


def _environment_state(data: dict[str, Any] | None) -> dict[str, Any] | None:
    if data is None:
        return None
    rules = data.get("protection_rules") or []
    wait = next((int(r.get("wait_timer") or 0) for r in rules if r.get("type") == "wait_timer"), 0)
    gate = next((r for r in rules if r.get("type") == "required_reviewers"), None)
    reviewers = sorted((str(x["type"]), x["reviewer"]["id"]) for x in (gate or {}).get("reviewers", []))
    return {
        "wait_timer": wait,
        "reviewers": reviewers,
        "prevent_self_review": bool(gate.get("prevent_self_review")) if gate else False,
        "deployment_branch_policy": data.get("deployment_branch_policy"),
    }


def ensure_environment(
    api: Api, t: Target, env: EnvironmentPlan, cfg: GitHubConfig, ids: Reviewers, report: Report
) -> None:
    """Environment with its wait timer, reviewers and "deployments from ``main`` only" (the hotfix
    environments: from ``hotfix/*`` only).

    docs: https://docs.github.com/en/rest/deployments/environments#create-or-update-an-environment
          https://docs.github.com/en/rest/deployments/branch-policies
    """
    env_path = t.repo("environments", env.name)
    reviewers = [{"type": r.kind, "id": ids.id(r)} for r in env.reviewers]
    branch_policy = {"protected_branches": False, "custom_branch_policies": True}
    want = {
        "wait_timer": env.wait_timer,
        "reviewers": sorted((r["type"], r["id"]) for r in reviewers),
        "prevent_self_review": cfg.prevent_self_review if reviewers else False,
        "deployment_branch_policy": branch_policy,
    }
    if _environment_state(api.read(env_path)) != want:
        body: dict[str, Any] = {
            "wait_timer": env.wait_timer,
            "reviewers": reviewers or None,
            "deployment_branch_policy": branch_policy,
        }
        if reviewers:
            body["prevent_self_review"] = cfg.prevent_self_review
        api.write("PUT", env_path, body)
        who = ", ".join(f"{r.kind.lower()} {r.name}" for r in env.reviewers) or "none"
        report.change(
            f"environment {env.name}: reviewers {who}, wait timer {env.wait_timer} min, "
            f"deployments from {env.branch} only"
        )

    policies_path = t.repo("environments", env.name, "deployment-branch-policies")
    current = (api.read(policies_path + LIST) or {}).get("branch_policies", [])
    if not any(p.get("name") == env.branch and p.get("type", "branch") == "branch" for p in current):
        api.write("POST", policies_path, {"name": env.branch, "type": "branch"})
        report.change(f"environment {env.name}: deployment branch policy {env.branch}")
    for p in current:
        if p.get("name") != env.branch or p.get("type", "branch") != "branch":
            api.write("DELETE", t.repo("environments", env.name, "deployment-branch-policies", str(p["id"])))
            report.change(f"environment {env.name}: removed deployment branch policy {p.get('name')}")


def ensure_secrets(api: Api, t: Target, env: EnvironmentPlan, report: Report, *, update: bool = False) -> None:
    """Environment secrets, sealed with the environment's public key. GitHub never returns a
    secret's value, so an existing secret is only rewritten with ``update``.

    docs: https://docs.github.com/en/rest/actions/secrets#list-environment-secrets
          https://docs.github.com/en/rest/actions/secrets#get-an-environment-public-key
          https://docs.github.com/en/rest/actions/secrets#create-or-update-an-environment-secret
    """
    base = ("environments", env.name, "secrets")
    existing = {s.get("name") for s in (api.read(t.repo(*base) + LIST) or {}).get("secrets", [])}
    todo = [n for n in env.secrets if update or n not in existing]
    if not todo:
        return
    key = api.lookup(t.repo(*base, "public-key"), f"public key of environment {env.name}")
    for name in todo:
        sealed = Sealed(name, env.secrets[name], str(key.get("key") or ""))
        api.write("PUT", t.repo(*base, name), {"encrypted_value": sealed, "key_id": key["key_id"]})
        report.change(f"environment {env.name}: secret {name} {'updated' if name in existing else 'set'}")
    kept = sorted(existing & set(env.secrets) - set(todo))
    if kept:
        report.notes.append(f"environment {env.name}: kept existing secrets {', '.join(kept)}")


def _flag(data: dict[str, Any], key: str) -> bool:
    value = data.get(key)
    return bool(value.get("enabled")) if isinstance(value, dict) else bool(value)


def _protection_state(data: dict[str, Any]) -> dict[str, Any]:
    checks = data.get("required_status_checks") or {}
    reviews = data.get("required_pull_request_reviews") or {}
    contexts = list(checks.get("contexts") or [c["context"] for c in checks.get("checks", [])])
    return {
        "strict": bool(checks.get("strict")),
        "checks": sorted(contexts),
        "enforce_admins": _flag(data, "enforce_admins"),
        "dismiss_stale_reviews": bool(reviews.get("dismiss_stale_reviews")),
        "require_code_owner_reviews": bool(reviews.get("require_code_owner_reviews")),
        "required_approving_review_count": int(reviews.get("required_approving_review_count") or 0),
        "restricted": bool(data.get("restrictions")),
        **{k: _flag(data, k) for k in _TOGGLES},
    }


_TOGGLES = ("required_linear_history", "allow_force_pushes", "allow_deletions", "required_conversation_resolution")


def ensure_protection(api: Api, t: Target, p: Protection, checks: Sequence[str], report: Report) -> None:
    """Branch protection: reviews, the CI checks, no force pushes or deletions; signed commits.

    docs: https://docs.github.com/en/rest/branches/branch-protection#update-branch-protection
          https://docs.github.com/en/rest/branches/branch-protection#create-commit-signature-protection
    """
    base = t.repo("branches", p.branch, "protection")
    body: dict[str, Any] = {
        "required_status_checks": {"strict": p.strict_status_checks, "contexts": list(checks)},
        "enforce_admins": p.enforce_admins,
        "required_pull_request_reviews": {
            "dismiss_stale_reviews": p.dismiss_stale_reviews,
            "require_code_owner_reviews": p.require_code_owner_reviews,
            "required_approving_review_count": p.required_approving_review_count,
        },
        "restrictions": None,
        **{k: getattr(p, k) for k in _TOGGLES},
    }
    current = api.read(base)
    if current is None or _protection_state(current) != _protection_state(body):
        api.write("PUT", base, body)
        report.change(
            f"branch {p.branch}: protected ({p.required_approving_review_count} review(s), "
            f"checks: {', '.join(checks)}; no force pushes, no deletions)"
        )
    signed = bool(current and _flag(current, "required_signatures"))
    if signed != p.required_signatures:
        api.write("POST" if p.required_signatures else "DELETE", f"{base}/required_signatures")
        report.change(f"branch {p.branch}: signed commits {'required' if p.required_signatures else 'not required'}")


def ensure_webhook(api: Api, t: Target, hook: Webhook, report: Report) -> None:
    """A repository webhook for deployment notifications.

    docs: https://docs.github.com/en/rest/repos/webhooks#create-a-repository-webhook
          https://docs.github.com/en/rest/repos/webhooks#update-a-repository-webhook
    """
    config: dict[str, Any] = {"url": hook.url, "content_type": hook.content_type, "insecure_ssl": "0"}
    if hook.secret:
        config["secret"] = Hidden("webhook secret", hook.secret)
    body = {"active": True, "events": list(hook.events), "config": config}
    current = next(
        (h for h in api.read(t.repo("hooks") + LIST) or [] if h.get("config", {}).get("url") == hook.url), None
    )
    if current is None:
        api.write("POST", t.repo("hooks"), {"name": "web", **body})
        report.change(f"webhook {hook.url}: created ({', '.join(hook.events)})")
    elif (
        sorted(current.get("events", [])) != sorted(hook.events)
        or current.get("config", {}).get("content_type") != hook.content_type
        or not current.get("active")
    ):
        api.write("PATCH", t.repo("hooks", str(current["id"])), body)
        report.change(f"webhook {hook.url}: updated ({', '.join(hook.events)})")
