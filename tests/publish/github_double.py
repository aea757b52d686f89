"""A GitHub REST API double on 127.0.0.1 for the publisher's tests.

It implements exactly the endpoints ``bbws_scaffold.publish`` uses, keeps their state in memory,
and checks every request against the shapes in GitHub's REST documentation (written below as
data, one entry per endpoint with its documentation page): a wrong method or path is a 404, a
body with a missing required field, a wrong type, a value outside an enum or range, or a field
the documentation does not list is a 422, so a malformed request fails the test.

It holds a libsodium key pair: secrets arrive sealed with its public key and are decrypted with
its private key, so tests see the plain values the publisher encrypted. Created repositories get
a local bare git repository as their ``clone_url``, so pushes are real.

It can be told to fail: a bad token (401), missing scopes (403 with ``X-Accepted-OAuth-Scopes``),
unknown organisations (404), a name taken by a repository the token cannot see (422), and a rate
limit (403/429 once, with ``Retry-After`` or ``X-RateLimit-Reset``).
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable

from nacl.public import PrivateKey, SealedBox

PREFIX = "/api/v3"  # served like GitHub Enterprise, so --api-url is exercised
UPLOADS = "/api/uploads"  # GitHub Enterprise's upload host path (release assets)

# --- request shapes (GitHub REST documentation) -------------------------------------------------
# A shape: {"type": "object", "required": [...], "props": {name: shape}} | {"type": "string"|
# "boolean"|"integer", "enum": [...], "min": n, "max": n} | {"type": "array", "items": shape};
# "nullable": True allows null. Unknown properties are refused (stricter than GitHub, on purpose).


def obj(required: tuple[str, ...] = (), nullable: bool = False, **props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": list(required), "props": props, "nullable": nullable}


def t(kind: str, nullable: bool = False, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "nullable": nullable, **extra}


STR, BOOL, INT = t("string"), t("boolean"), t("integer")


def arr(items: dict[str, Any], nullable: bool = False, **extra: Any) -> dict[str, Any]:
    return {"type": "array", "items": items, "nullable": nullable, **extra}


SHAPES: dict[str, dict[str, Any]] = {
    # https://docs.github.com/en/rest/repos/repos#create-an-organization-repository
    "create_repo": obj(
        ("name",),
        name=STR,
        description=STR,
        homepage=STR,
        private=BOOL,
        visibility=t("string", enum=["public", "private", "internal"]),
        has_issues=BOOL,
        has_projects=BOOL,
        has_wiki=BOOL,
        is_template=BOOL,
        team_id=INT,
        auto_init=BOOL,
        gitignore_template=STR,
        license_template=STR,
        allow_squash_merge=BOOL,
        allow_merge_commit=BOOL,
        allow_rebase_merge=BOOL,
        allow_auto_merge=BOOL,
        delete_branch_on_merge=BOOL,
    ),
    # https://docs.github.com/en/rest/repos/repos#update-a-repository
    "update_repo": obj(
        (),
        name=STR,
        description=STR,
        homepage=STR,
        private=BOOL,
        visibility=t("string", enum=["public", "private"]),
        has_issues=BOOL,
        has_projects=BOOL,
        has_wiki=BOOL,
        default_branch=STR,
        delete_branch_on_merge=BOOL,
        archived=BOOL,
    ),
    # https://docs.github.com/en/rest/teams/teams#add-or-update-team-repository-permissions
    "team_repo": obj((), permission=t("string", enum=["pull", "triage", "push", "maintain", "admin"])),
    # https://docs.github.com/en/rest/deployments/environments#create-or-update-an-environment
    "environment": obj(
        (),
        wait_timer=t("integer", min=0, max=43200),
        prevent_self_review=BOOL,
        reviewers=arr(obj(("type", "id"), type=t("string", enum=["User", "Team"]), id=INT), nullable=True, max=6),
        deployment_branch_policy=obj(
            ("protected_branches", "custom_branch_policies"),
            nullable=True,
            protected_branches=BOOL,
            custom_branch_policies=BOOL,
        ),
    ),
    # https://docs.github.com/en/rest/deployments/branch-policies#create-a-deployment-branch-policy
    "branch_policy": obj(("name",), name=STR, type=t("string", enum=["branch", "tag"])),
    # https://docs.github.com/en/rest/actions/secrets#create-or-update-an-environment-secret
    "secret": obj(
        ("encrypted_value", "key_id"), encrypted_value=t("string", pattern=r"[A-Za-z0-9+/]+={0,2}"), key_id=STR
    ),
    # https://docs.github.com/en/rest/branches/branch-protection#update-branch-protection
    "protection": obj(
        ("required_status_checks", "enforce_admins", "required_pull_request_reviews", "restrictions"),
        required_status_checks=obj(
            ("strict", "contexts"),
            nullable=True,
            strict=BOOL,
            contexts=arr(STR),
            checks=arr(obj(("context",), context=STR, app_id=INT)),
        ),
        enforce_admins=t("boolean", nullable=True),
        required_pull_request_reviews=obj(
            (),
            nullable=True,
            dismissal_restrictions=obj((), users=arr(STR), teams=arr(STR), apps=arr(STR)),
            dismiss_stale_reviews=BOOL,
            require_code_owner_reviews=BOOL,
            required_approving_review_count=t("integer", min=0, max=6),
            require_last_push_approval=BOOL,
            bypass_pull_request_allowances=obj((), users=arr(STR), teams=arr(STR), apps=arr(STR)),
        ),
        restrictions=obj(("users", "teams"), nullable=True, users=arr(STR), teams=arr(STR), apps=arr(STR)),
        required_linear_history=BOOL,
        allow_force_pushes=t("boolean", nullable=True),
        allow_deletions=BOOL,
        block_creations=BOOL,
        required_conversation_resolution=BOOL,
        lock_branch=BOOL,
        allow_fork_syncing=BOOL,
    ),
    # https://docs.github.com/en/rest/repos/webhooks#create-a-repository-webhook
    "create_hook": obj(
        ("config",),
        name=t("string", enum=["web"]),
        active=BOOL,
        events=arr(STR),
        config=obj(
            ("url",),
            url=t("string", pattern=r"https?://\S+"),
            content_type=t("string", enum=["json", "form"]),
            secret=STR,
            insecure_ssl=t("string", enum=["0", "1"]),
        ),
    ),
    # https://docs.github.com/en/rest/releases/releases#create-a-release
    "create_release": obj(
        ("tag_name",),
        tag_name=STR,
        target_commitish=STR,
        name=STR,
        body=STR,
        draft=BOOL,
        prerelease=BOOL,
        discussion_category_name=STR,
        generate_release_notes=BOOL,
        make_latest=t("string", enum=["true", "false", "legacy"]),
    ),
    # https://docs.github.com/en/rest/repos/webhooks#update-a-repository-webhook
    "update_hook": obj(
        (),
        active=BOOL,
        events=arr(STR),
        add_events=arr(STR),
        remove_events=arr(STR),
        config=obj(
            ("url",),
            url=t("string", pattern=r"https?://\S+"),
            content_type=t("string", enum=["json", "form"]),
            secret=STR,
            insecure_ssl=t("string", enum=["0", "1"]),
        ),
    ),
}


def shape_errors(value: Any, shape: dict[str, Any], where: str = "body") -> list[str]:
    """Everything wrong with ``value`` against ``shape`` (empty when it conforms)."""
    if value is None:
        return [] if shape.get("nullable") else [f"{where} must not be null"]
    kind = shape["type"]
    checks = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "boolean": lambda v: isinstance(v, bool),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    }
    if not checks[kind](value):
        return [f"{where} must be {kind}, not {type(value).__name__}"]
    errors: list[str] = []
    if kind == "object":
        errors += [f"{where}.{k} is required" for k in shape["required"] if k not in value]
        errors += [f"{where}.{k} is not a documented field" for k in value if k not in shape["props"]]
        for k, v in value.items():
            if k in shape["props"]:
                errors += shape_errors(v, shape["props"][k], f"{where}.{k}")
    elif kind == "array":
        if "max" in shape and len(value) > shape["max"]:
            errors.append(f"{where} has more than {shape['max']} items")
        for i, v in enumerate(value):
            errors += shape_errors(v, shape["items"], f"{where}[{i}]")
    else:
        if "enum" in shape and value not in shape["enum"]:
            errors.append(f"{where} must be one of {shape['enum']}")
        if "min" in shape and value < shape["min"] or "max" in shape and value > shape["max"]:
            errors.append(f"{where} must be in [{shape.get('min')}, {shape.get('max')}]")
        if "pattern" in shape and not re.fullmatch(shape["pattern"], value):
            errors.append(f"{where} does not match {shape['pattern']}")
    return errors


# Classic-token scopes that satisfy each endpoint's requirement (GitHub answers a missing one with
# 403 and lists these in X-Accepted-OAuth-Scopes).
ACCEPTED_SCOPES: dict[str, list[str]] = {
    "repo": ["repo"],
    "read:org": ["admin:org", "write:org", "read:org"],
    "admin:org": ["admin:org"],
    "admin:repo_hook": ["admin:repo_hook"],
}

# --- state ---------------------------------------------------------------------------------------


@dataclass
class Failure:
    method: str
    path_re: str
    status: int
    headers: dict[str, str]
    body: dict[str, Any]
    times: int = 1


@dataclass
class Repo:
    org: str
    name: str
    id: int
    bare: Path
    description: str = ""
    private: bool = True
    settings: dict[str, Any] = field(default_factory=dict)
    teams: dict[str, str] = field(default_factory=dict)  # slug -> permission
    environments: dict[str, dict[str, Any]] = field(default_factory=dict)
    branch_policies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    secrets: dict[str, dict[str, str]] = field(default_factory=dict)  # env -> name -> decrypted value
    protection: dict[str, dict[str, Any]] = field(default_factory=dict)  # branch -> PUT body
    signatures: dict[str, bool] = field(default_factory=dict)
    hooks: list[dict[str, Any]] = field(default_factory=list)
    releases: list[dict[str, Any]] = field(default_factory=list)  # with "assets": [{"name", "data", ...}]


@dataclass
class Request:
    method: str
    path: str
    body: Any
    authorization: str


class GitHubDouble:
    """The server and its in-memory state. Use as a context manager or call :meth:`start`/:meth:`stop`."""

    def __init__(self, remotes: Path, token: str, scopes: str = "repo, admin:org, admin:repo_hook") -> None:
        self.remotes = remotes
        self.token = token
        self.scopes = scopes
        self.orgs: dict[str, dict[str, dict[str, Any]]] = {}  # org -> team slug -> team
        self.users: dict[str, int] = {}
        self.repos: dict[tuple[str, str], Repo] = {}
        self.hidden: set[tuple[str, str]] = set()  # names taken by repositories the token cannot see
        self.failures: list[Failure] = []
        self.pre_receive: str | None = None  # a hook script installed in new bare remotes (e.g. to refuse pushes)
        self.requests: list[Request] = []
        self.key = PrivateKey.generate()
        self.key_id = "568250167242549743"
        self._ids = 1000
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- set-up helpers for tests
    def add_org(self, org: str, teams: list[str]) -> None:
        self.orgs[org] = {}
        for slug in teams:
            self.orgs[org][slug] = {"id": self._next_id(), "slug": slug, "name": slug}

    def fail(self, method: str, path_re: str, status: int, headers: dict[str, str] | None = None, **body: Any) -> None:
        self.failures.append(Failure(method, path_re, status, headers or {}, body or {"message": "failure"}))

    def team_id(self, org: str, slug: str) -> int:
        return int(self.orgs[org][slug]["id"])

    @property
    def api_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{PREFIX}"

    @property
    def public_key(self) -> str:
        return base64.b64encode(bytes(self.key.public_key)).decode()

    def mutations(self) -> list[Request]:
        return [r for r in self.requests if r.method != "GET"]

    def start(self) -> GitHubDouble:
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, headers, body = double.handle(
                    self.command,
                    self.path,
                    raw,
                    self.headers.get("Authorization", ""),
                    self.headers.get("Content-Type", ""),
                )
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                for k, v in {"X-OAuth-Scopes": double.scopes, **headers}.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> GitHubDouble:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- request handling
    def _next_id(self) -> int:
        self._ids += 1
        return self._ids

    def handle(
        self, method: str, raw_path: str, raw: bytes, auth: str, content_type: str = ""
    ) -> tuple[int, dict[str, str], Any]:
        with self._lock:
            path, _, query = raw_path.partition("?")
            if path.startswith(UPLOADS + "/"):  # the body is the file, not JSON
                self.requests.append(Request(method, path, None, auth))
                if auth not in (f"token {self.token}", f"Bearer {self.token}"):
                    return 401, {}, {"message": "Bad credentials"}
                return self.upload_asset(method, path[len(UPLOADS) :], query, raw, content_type)
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                return 400, {}, {"message": "Problems parsing JSON"}
            self.requests.append(Request(method, path, body, auth))
            if auth not in (f"token {self.token}", f"Bearer {self.token}"):
                return 401, {}, {"message": "Bad credentials"}
            for f in self.failures:
                if f.times and f.method == method and re.fullmatch(f.path_re, path):
                    f.times -= 1
                    return f.status, f.headers, f.body
            if not path.startswith(PREFIX + "/"):
                return 404, {}, {"message": "Not Found"}
            for route_method, pattern, shape, scope, handler in self.routes():
                m = re.fullmatch(pattern, path[len(PREFIX) :])
                if m and route_method == method:
                    accepted = ACCEPTED_SCOPES.get(scope or "", [])
                    if accepted and not set(accepted) & {s.strip() for s in self.scopes.split(",")}:
                        headers = {"X-Accepted-OAuth-Scopes": ", ".join(accepted)}
                        return 403, headers, {"message": "Resource not accessible by personal access token"}
                    if shape:
                        errors = shape_errors(body, SHAPES[shape])
                        if errors:
                            return 422, {}, {"message": "Invalid request.", "errors": errors}
                    elif body is not None:
                        return 422, {}, {"message": "Invalid request.", "errors": ["this endpoint takes no body"]}
                    return handler(body, *m.groups())
            return 404, {}, {"message": "Not Found"}

    def routes(self) -> list[tuple[str, str, str | None, str | None, Callable[..., tuple[int, dict[str, str], Any]]]]:
        seg = r"([A-Za-z0-9._-]+)"
        repo = rf"/repos/{seg}/{seg}"
        env = rf"{repo}/environments/{seg}"
        return [
            ("GET", rf"/orgs/{seg}/teams/{seg}", None, "read:org", self.get_team),
            ("GET", rf"/users/{seg}", None, None, self.get_user),
            ("GET", repo, None, "repo", self.get_repo),
            ("POST", rf"/orgs/{seg}/repos", "create_repo", "repo", self.create_repo),
            ("PATCH", repo, "update_repo", "repo", self.update_repo),
            ("GET", rf"{repo}/teams", None, "repo", self.list_teams),
            ("PUT", rf"/orgs/{seg}/teams/{seg}/repos/{seg}/{seg}", "team_repo", "admin:org", self.put_team_repo),
            ("GET", env, None, "repo", self.get_environment),
            ("PUT", env, "environment", "repo", self.put_environment),
            ("GET", rf"{env}/deployment-branch-policies", None, "repo", self.list_policies),
            ("POST", rf"{env}/deployment-branch-policies", "branch_policy", "repo", self.create_policy),
            ("DELETE", rf"{env}/deployment-branch-policies/([0-9]+)", None, "repo", self.delete_policy),
            ("GET", rf"{env}/secrets", None, "repo", self.list_secrets),
            ("GET", rf"{env}/secrets/public-key", None, "repo", self.get_public_key),
            ("PUT", rf"{env}/secrets/([A-Za-z_][A-Za-z0-9_]*)", "secret", "repo", self.put_secret),
            ("GET", rf"{repo}/branches/([A-Za-z0-9._/-]+)/protection", None, "repo", self.get_protection),
            ("PUT", rf"{repo}/branches/([A-Za-z0-9._/-]+)/protection", "protection", "repo", self.put_protection),
            ("POST", rf"{repo}/branches/([A-Za-z0-9._/-]+)/protection/required_signatures", None, "repo", self.sign_on),
            (
                "DELETE",
                rf"{repo}/branches/([A-Za-z0-9._/-]+)/protection/required_signatures",
                None,
                "repo",
                self.sign_off,
            ),
            ("GET", rf"{repo}/hooks", None, "admin:repo_hook", self.list_hooks),
            ("POST", rf"{repo}/hooks", "create_hook", "admin:repo_hook", self.create_hook),
            ("PATCH", rf"{repo}/hooks/([0-9]+)", "update_hook", "admin:repo_hook", self.update_hook),
            ("POST", rf"{repo}/releases", "create_release", "repo", self.create_release),
        ]

    # -- endpoint handlers: (status, headers, body)
    NOT_FOUND = (404, {}, {"message": "Not Found"})

    def _repo(self, org: str, name: str) -> Repo | None:
        return self.repos.get((org, name))

    def _repo_json(self, r: Repo) -> dict[str, Any]:
        return {
            "id": r.id,
            "name": r.name,
            "full_name": f"{r.org}/{r.name}",
            "owner": {"login": r.org, "type": "Organization"},
            "private": r.private,
            "visibility": "private" if r.private else "public",
            "description": r.description,
            "html_url": f"https://github.test/{r.org}/{r.name}",
            "clone_url": str(r.bare),
            "default_branch": "main",
            **r.settings,
        }

    def get_team(self, body: Any, org: str, slug: str) -> tuple[int, dict[str, str], Any]:
        team = self.orgs.get(org, {}).get(slug)
        return (200, {}, team) if team else self.NOT_FOUND

    def get_user(self, body: Any, login: str) -> tuple[int, dict[str, str], Any]:
        uid = self.users.get(login)
        return (200, {}, {"login": login, "id": uid, "type": "User"}) if uid else self.NOT_FOUND

    def get_repo(self, body: Any, org: str, name: str) -> tuple[int, dict[str, str], Any]:
        r = self._repo(org, name)
        return (200, {}, self._repo_json(r)) if r else self.NOT_FOUND

    def create_repo(self, body: dict[str, Any], org: str) -> tuple[int, dict[str, str], Any]:
        if org not in self.orgs:
            return self.NOT_FOUND
        name = body["name"]
        if (org, name) in self.repos or (org, name) in self.hidden:
            error = {"resource": "Repository", "code": "custom", "field": "name"}
            return (
                422,
                {},
                {
                    "message": "Repository creation failed.",
                    "errors": [{**error, "message": "name already exists on this account"}],
                },
            )
        bare = self.remotes / f"{name}.git"
        subprocess.run(["git", "init", "--bare", "-q", str(bare)], check=True)
        if self.pre_receive:
            hook = bare / "hooks" / "pre-receive"
            hook.write_text(self.pre_receive, encoding="utf-8")
            hook.chmod(0o755)
        settings = {k: body[k] for k in ("has_wiki", "delete_branch_on_merge") if k in body}
        r = Repo(org, name, self._next_id(), bare, body.get("description", ""), body.get("private", False), settings)
        self.repos[(org, name)] = r
        return 201, {}, self._repo_json(r)

    def update_repo(self, body: dict[str, Any], org: str, name: str) -> tuple[int, dict[str, str], Any]:
        r = self._repo(org, name)
        if not r:
            return self.NOT_FOUND
        r.description = body.get("description", r.description)
        r.private = body.get("private", r.private)
        r.settings.update({k: body[k] for k in ("has_wiki", "delete_branch_on_merge") if k in body})
        return 200, {}, self._repo_json(r)

    def list_teams(self, body: Any, org: str, name: str) -> tuple[int, dict[str, str], Any]:
        r = self._repo(org, name)
        if not r:
            return self.NOT_FOUND
        return 200, {}, [{**self.orgs[org][slug], "permission": p} for slug, p in r.teams.items()]

    def put_team_repo(
        self, body: dict[str, Any], org: str, slug: str, owner: str, name: str
    ) -> tuple[int, dict[str, str], Any]:
        r = self._repo(owner, name)
        if not r or slug not in self.orgs.get(org, {}):
            return self.NOT_FOUND
        r.teams[slug] = body.get("permission", "push")
        return 204, {}, None

    def _env_json(self, r: Repo, env: str) -> dict[str, Any]:
        e = r.environments[env]
        rules: list[dict[str, Any]] = []
        if e.get("wait_timer"):
            rules.append({"id": 1, "type": "wait_timer", "wait_timer": e["wait_timer"]})
        if e.get("reviewers"):
            reviewers = []
            for rv in e["reviewers"]:
                if rv["type"] == "Team":
                    team = next(x for x in self.orgs[r.org].values() if x["id"] == rv["id"])
                    reviewers.append({"type": "Team", "reviewer": team})
                else:
                    login = next(k for k, v in self.users.items() if v == rv["id"])
                    reviewers.append({"type": "User", "reviewer": {"login": login, "id": rv["id"]}})
            rules.append(
                {
                    "id": 2,
                    "type": "required_reviewers",
                    "prevent_self_review": e.get("prevent_self_review", False),
                    "reviewers": reviewers,
                }
            )
        if e.get("deployment_branch_policy"):
            rules.append({"id": 3, "type": "branch_policy"})
        return {"id": e["id"], "name": env, "protection_rules": rules, **{"deployment_branch_policy": e["dbp"]}}

    def get_environment(self, body: Any, org: str, name: str, env: str) -> tuple[int, dict[str, str], Any]:
        r = self._repo(org, name)
        if not r or env not in r.environments:
            return self.NOT_FOUND
        return 200, {}, self._env_json(r, env)

    def put_environment(self, body: Any, org: str, name: str, env: str) -> tuple[int, dict[str, str], Any]:
        r = self._repo(org, name)
        if not r:
            return self.NOT_FOUND
        body = body or {}
        dbp = body.get("deployment_branch_policy")
        if dbp and dbp["protected_branches"] == dbp["custom_branch_policies"]:
            return 422, {}, {"message": "exactly one of protected_branches and custom_branch_policies must be true"}
        for rv in body.get("reviewers") or []:
            known = [x["id"] for x in self.orgs[org].values()] if rv["type"] == "Team" else list(self.users.values())
            if rv["id"] not in known:
                return 422, {}, {"message": f"reviewer {rv} not found"}
        old = r.environments.get(env, {"id": self._next_id()})
        r.environments[env] = {
            "id": old["id"],
            "wait_timer": body.get("wait_timer", 0),
            "reviewers": body.get("reviewers") or [],
            "prevent_self_review": body.get("prevent_self_review", False),
            "deployment_branch_policy": dbp is not None,
            "dbp": dbp,
        }
        r.branch_policies.setdefault(env, [])
        return 200, {}, self._env_json(r, env)

    def list_policies(self, body: Any, org: str, name: str, env: str) -> tuple[int, dict[str, str], Any]:
        r = self._repo(org, name)
        if not r or env not in r.environments:
            return self.NOT_FOUND
        policies = r.branch_policies[env]
        return 200, {}, {"total_count": len(policies), "branch_policies": policies}

    def create_policy(self, body: dict[str, Any], org: str, name: str, env: str) -> tuple[int, dict[str, str], Any]:
        r = self._repo(org, name)
        if not r or env not in r.environments:
            return self.NOT_FOUND
        if not (r.environments[env]["dbp"] or {}).get("custom_branch_policies"):
            return 404, {}, {"message": "custom deployment branch policies are not enabled for this environment"}
        policy = {"id": self._next_id(), "name": body["name"], "type": body.get("type", "branch")}
        r.branch_policies[env].append(policy)
        return 200, {}, policy

    def delete_policy(self, body: Any, org: str, name: str, env: str, pid: str) -> tuple[int, dict[str, str], Any]:
        r = self._repo(org, name)
        if not r or env not in r.environments:
            return self.NOT_FOUND
        r.branch_policies[env] = [p for p in r.branch_policies[env] if p["id"] != int(pid)]
        return 204, {}, None

    def list_secrets(self, body: Any, org: str, name: str, env: str) -> tuple[int, dict[str, str], Any]:
        r = self._repo(org, name)
        if not r or env not in r.environments:
            return self.NOT_FOUND
        names = sorted(r.secrets.get(env, {}))
        stamp = "2024-01-01T00:00:00Z"
        secrets = [{"name": n, "created_at": stamp, "updated_at": stamp} for n in names]
        return 200, {}, {"total_count": len(names), "secrets": secrets}

    def get_public_key(self, body: Any, org: str, name: str, env: str) -> tuple[int, dict[str, str], Any]:
        r = self._repo(org, name)
        if not r or env not in r.environments:
            return self.NOT_FOUND
        return 200, {}, {"key_id": self.key_id, "key": self.public_key}

    def put_secret(self, body: dict[str, Any], org: str, name: str, env: str, secret: str) -> tuple[int, dict, Any]:
        r = self._repo(org, name)
        if not r or env not in r.environments:
            return self.NOT_FOUND
        if body["key_id"] != self.key_id:
            return 422, {}, {"message": "key_id does not match the environment's public key"}
        try:
            value = SealedBox(self.key).decrypt(base64.b64decode(body["encrypted_value"])).decode()
        except Exception:  # noqa: BLE001 - any failure means the payload was not sealed with our key
            return 422, {}, {"message": "encrypted_value cannot be decrypted with the environment's key"}
        existed = secret in r.secrets.get(env, {})
        r.secrets.setdefault(env, {})[secret] = value
        return (204 if existed else 201), {}, None

    def _branch_exists(self, r: Repo, branch: str) -> bool:
        res = subprocess.run(
            ["git", "--git-dir", str(r.bare), "rev-parse", "--verify", "-q", f"refs/heads/{branch}"],
            capture_output=True,
        )
        return res.returncode == 0

    def _protection_json(self, r: Repo, branch: str) -> dict[str, Any]:
        p = r.protection[branch]
        checks = p["required_status_checks"]
        out: dict[str, Any] = {
            "required_signatures": {"enabled": r.signatures.get(branch, False)},
            "enforce_admins": {"enabled": bool(p["enforce_admins"])},
        }
        if checks is not None:
            contexts = checks.get("contexts") or [c["context"] for c in checks.get("checks", [])]
            out["required_status_checks"] = {
                "strict": checks["strict"],
                "contexts": contexts,
                "checks": [{"context": c, "app_id": None} for c in contexts],
            }
        if p["required_pull_request_reviews"] is not None:
            out["required_pull_request_reviews"] = {
                "dismiss_stale_reviews": False,
                "require_code_owner_reviews": False,
                "required_approving_review_count": 0,
                "require_last_push_approval": False,
                **p["required_pull_request_reviews"],
            }
        if p["restrictions"] is not None:
            out["restrictions"] = p["restrictions"]
        for k in ("required_linear_history", "allow_force_pushes", "allow_deletions", "block_creations"):
            out[k] = {"enabled": bool(p.get(k))}
        out["required_conversation_resolution"] = {"enabled": bool(p.get("required_conversation_resolution"))}
        return out

    def get_protection(self, body: Any, org: str, name: str, branch: str) -> tuple[int, dict[str, str], Any]:
        r = self._repo(org, name)
        if not r or not self._branch_exists(r, branch):
            return 404, {}, {"message": "Branch not found"}
        if branch not in r.protection:
            return 404, {}, {"message": "Branch not protected"}
        return 200, {}, self._protection_json(r, branch)

    def put_protection(self, body: dict[str, Any], org: str, name: str, branch: str) -> tuple[int, dict, Any]:
        r = self._repo(org, name)
        if not r or not self._branch_exists(r, branch):
            return 404, {}, {"message": "Branch not found"}
        r.protection[branch] = body
        return 200, {}, self._protection_json(r, branch)

    def sign_on(self, body: Any, org: str, name: str, branch: str) -> tuple[int, dict[str, str], Any]:
        r = self._repo(org, name)
        if not r or branch not in r.protection:
            return 404, {}, {"message": "Branch not protected"}
        r.signatures[branch] = True
        return 200, {}, {"enabled": True}

    def sign_off(self, body: Any, org: str, name: str, branch: str) -> tuple[int, dict[str, str], Any]:
        r = self._repo(org, name)
        if not r or branch not in r.protection:
            return 404, {}, {"message": "Branch not protected"}
        r.signatures[branch] = False
        return 204, {}, None

    def _hook_json(self, hook: dict[str, Any]) -> dict[str, Any]:
        config = {**hook["config"], **({"secret": "********"} if "secret" in hook["config"] else {})}
        return {**hook, "type": "Repository", "name": "web", "config": config}

    def list_hooks(self, body: Any, org: str, name: str) -> tuple[int, dict[str, str], Any]:
        r = self._repo(org, name)
        return (200, {}, [self._hook_json(h) for h in r.hooks]) if r else self.NOT_FOUND

    def create_hook(self, body: dict[str, Any], org: str, name: str) -> tuple[int, dict[str, str], Any]:
        r = self._repo(org, name)
        if not r:
            return self.NOT_FOUND
        hook = {
            "id": self._next_id(),
            "active": body.get("active", True),
            "events": body.get("events", ["push"]),
            "config": body["config"],
        }
        r.hooks.append(hook)
        return 201, {}, self._hook_json(hook)

    def update_hook(self, body: dict[str, Any], org: str, name: str, hid: str) -> tuple[int, dict[str, str], Any]:
        r = self._repo(org, name)
        hook = next((h for h in r.hooks if h["id"] == int(hid)), None) if r else None
        if hook is None:
            return self.NOT_FOUND
        hook.update({k: body[k] for k in ("active", "events", "config") if k in body})
        return 200, {}, self._hook_json(hook)

    # -- releases (https://docs.github.com/en/rest/releases)
    def add_repo(self, org: str, name: str) -> Repo:
        """A repository that exists already (for callers that do not create it through the API)."""
        r = Repo(org, name, self._next_id(), self.remotes / f"{name}.git")
        self.repos[(org, name)] = r
        return r

    def _release_json(self, r: Repo, rel: dict[str, Any]) -> dict[str, Any]:
        host, port = self._server.server_address[:2] if self._server else ("127.0.0.1", 0)
        assets = [{k: v for k, v in a.items() if k != "data"} for a in rel["assets"]]
        return {
            **{k: v for k, v in rel.items() if k != "assets"},
            "html_url": f"https://github.test/{r.org}/{r.name}/releases/tag/{rel['tag_name']}",
            "upload_url": f"http://{host}:{port}{UPLOADS}/repos/{r.org}/{r.name}/releases/{rel['id']}/assets"
            + "{?name,label}",
            "assets": assets,
        }

    @staticmethod
    def _already_exists(resource: str, field_name: str) -> tuple[int, dict[str, str], Any]:
        error = {"resource": resource, "code": "already_exists", "field": field_name}
        return 422, {}, {"message": "Validation Failed", "errors": [error]}

    def create_release(self, body: dict[str, Any], org: str, name: str) -> tuple[int, dict[str, str], Any]:
        r = self._repo(org, name)
        if not r:
            return self.NOT_FOUND
        if any(rel["tag_name"] == body["tag_name"] for rel in r.releases):
            return self._already_exists("Release", "tag_name")
        rel = {
            "id": self._next_id(),
            "draft": False,
            "prerelease": False,
            "name": None,
            "body": None,
            **body,
            "assets": [],
        }
        r.releases.append(rel)
        return 201, {}, self._release_json(r, rel)

    def upload_asset(
        self, method: str, path: str, query: str, data: bytes, content_type: str
    ) -> tuple[int, dict[str, str], Any]:
        """POST /repos/{o}/{r}/releases/{id}/assets?name=N: raw body, Content-Type required, names unique."""

        m = re.fullmatch(r"/repos/([A-Za-z0-9._-]+)/([A-Za-z0-9._-]+)/releases/([0-9]+)/assets", path)
        r = self._repo(*m.groups()[:2]) if m and method == "POST" else None
        rel = next((x for x in r.releases if x["id"] == int(m.group(3))), None) if r and m else None
        if rel is None:
            return self.NOT_FOUND
        names = urllib.parse.parse_qs(query).get("name", [])
        if len(names) != 1 or not content_type or not data:
            return 422, {}, {"message": "name, a Content-Type and a body are required"}
        if any(a["name"] == names[0] for a in rel["assets"]):
            return self._already_exists("ReleaseAsset", "name")
        asset = {
            "id": self._next_id(),
            "name": names[0],
            "content_type": content_type,
            "size": len(data),
            "state": "uploaded",
            "data": data,
        }
        rel["assets"].append(asset)
        return 201, {}, {k: v for k, v in asset.items() if k != "data"}
