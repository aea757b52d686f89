"""The JSON Schema of each command's ``--json`` document (tests validate every command against it).

Every document is one JSON object on stdout with ``command``, ``ok`` and ``exit_code`` (the same
exit code as without ``--json``) and its diagnostics inside it. A command refused before it could
report (exit 2) prints :data:`ERROR`. Two commands print a document of their own kind:
``lld parse --json FILE`` (one file, no ``--diagram``) prints the ``ServiceSpec`` itself
(``bbws-scaffold lld schema``; its ``warnings`` are the diagnostics), and ``lld schema``/``config
schema`` print a JSON Schema. ``bbws-runtime --json`` documents are in :data:`RUNTIME`.

    python -c "import json, bbws_scaffold.output_schemas as s; print(json.dumps(s.SCHEMAS['update'], indent=2))"
"""

from __future__ import annotations

from typing import Any

_STR_LIST: dict[str, Any] = {"type": "array", "items": {"type": "string"}}

DIAGNOSTIC: dict[str, Any] = {
    "type": "object",
    "required": ["file", "line", "severity", "message"],
    "additionalProperties": False,
    "properties": {
        "file": {"type": "string"},
        "line": {"type": "integer", "minimum": 1},
        "severity": {"enum": ["warning", "error"]},
        "message": {"type": "string"},
    },
}
_DIAGNOSTICS: dict[str, Any] = {"type": "array", "items": DIAGNOSTIC}


def document(command: str, properties: dict[str, Any], *, exit_codes: tuple[int, ...] = (0, 1, 2)) -> dict[str, Any]:
    """A command's document: the common head plus its own ``properties`` (all required)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"bbws-scaffold {command} --json",
        "type": "object",
        "required": ["command", "ok", "exit_code", *properties],
        "additionalProperties": False,
        "properties": {
            "command": {"const": command},
            "ok": {"type": "boolean"},
            "exit_code": {"enum": list(exit_codes)},
            **properties,
        },
    }


ERROR: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "bbws-scaffold COMMAND --json, refused (exit 2)",
    "type": "object",
    "required": ["command", "ok", "exit_code", "diagnostics"],
    "additionalProperties": False,
    "properties": {
        "command": {"type": "string"},
        "ok": {"const": False},
        "exit_code": {"const": 2},
        "diagnostics": {**_DIAGNOSTICS, "minItems": 1},
    },
}

_VALIDATED = {
    "type": "object",
    "required": ["file", "status", "exit_code", "diagnostics"],
    "additionalProperties": False,
    "properties": {
        "file": {"type": "string"},
        "status": {"type": "string", "description": "clean, N warning(s) or N error(s)"},
        "exit_code": {"enum": [0, 1, 2]},
        "diagnostics": _DIAGNOSTICS,
    },
}
_PARSED = {
    "type": "object",
    "required": ["file", "ok", "diagnostics"],
    "additionalProperties": False,
    "properties": {
        "file": {"type": "string"},
        "ok": {"type": "boolean"},
        "diagnostics": _DIAGNOSTICS,
        "spec": {"type": "object", "description": "the ServiceSpec (bbws-scaffold lld schema)"},
        "diagram": {"type": "string", "description": "the Mermaid flowchart in a ```mermaid fence"},
    },
}
_BINDINGS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["method", "path", "kind", "reason"],
        "additionalProperties": False,
        "properties": {
            "method": {"type": "string"},
            "path": {"type": "string"},
            "kind": {"enum": ["crud", "stub"]},
            "reason": {"type": "string"},
        },
    },
}
_FINDING = {
    "type": "object",
    "required": ["tool", "file", "line", "rule", "message"],
    "properties": {
        "tool": {"type": "string"},
        "file": {"type": "string"},
        "line": {"type": ["integer", "null"]},
        "rule": {"type": "string"},
        "message": {"type": "string"},
    },
}
_CHANGES = {
    "type": "object",
    "additionalProperties": False,
    "properties": {k: _STR_LIST for k in ("added", "modified", "removed")},
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "lld validate": document(
        "lld validate", {"documents": {"type": "array", "items": _VALIDATED, "minItems": 1}}, exit_codes=(0, 1, 2)
    ),
    "lld parse": document("lld parse", {"documents": {"type": "array", "items": _PARSED, "minItems": 1}}),
    "lld next-number": document(
        "lld next-number",
        {
            "dir": {"type": "string"},
            "hld_prefix": {"type": "string"},
            "next": {"type": "string", "pattern": r"^\d+(\.\d+)*$"},
        },
        exit_codes=(0,),
    ),
    "new": document(
        "new",
        {
            "target": {"type": "string", "description": "the repository folder (absent after --dry-run)"},
            "dry_run": {"type": "boolean"},
            "files": {**_STR_LIST, "description": "every file written (or that would be), relative to target"},
            "bindings": _BINDINGS,
            "diagnostics": _DIAGNOSTICS,
        },
        exit_codes=(0,),
    ),
    "update": document(
        "update",
        {
            "repo": {"type": "string"},
            "dry_run": {"type": "boolean"},
            "from_ref": {"type": "string"},
            "to_ref": {"type": "string"},
            "plan": {
                "type": "object",
                "additionalProperties": False,
                "required": ["added", "modified", "removed", "edited"],
                "properties": {k: _STR_LIST for k in ("added", "modified", "removed", "edited")},
            },
            "diffs": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "path -> unified diff (update --dry-run --diff)",
            },
            "changes": _CHANGES,
            "kept": _STR_LIST,
            "diagnostics": {**_DIAGNOSTICS, "description": "one error per conflict block left to resolve"},
        },
        exit_codes=(0, 1),
    ),
    "pipeline validate": document(
        "pipeline validate",
        {
            "repo": {"type": "string"},
            "checks": _STR_LIST,
            "duration_s": {"type": "number"},
            "findings": {"type": "array", "items": _FINDING},
            "stats": {"type": "array", "items": {"type": "object", "required": ["tool", "findings"]}},
            "errors": {
                "type": "array",
                "items": {"type": "object", "required": ["tool", "message", "hint"]},
                "description": "why the gate could not run completely (exit 2)",
            },
        },
    ),
}
_REPO = {
    "repository": {"type": "string", "description": "OWNER/NAME"},
    "url": {"type": "string"},
    "dry_run": {"type": "boolean"},
    "changes": _STR_LIST,
    "notes": _STR_LIST,
    "calls": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["method", "path"],
            "additionalProperties": False,
            "properties": {"method": {"type": "string"}, "path": {"type": "string"}},
        },
        "description": "every GitHub API call made (or, with --dry-run, that would be)",
    },
    "diagnostics": _DIAGNOSTICS,
}
for _name in ("setup-from-lld", "create", "push", "configure", "secrets", "branches", "codeowners", "webhooks"):
    SCHEMAS[f"repo {_name}"] = document(f"repo {_name}", _REPO, exit_codes=(0,))
SCHEMAS["new --publish"] = document("new", _REPO, exit_codes=(0,))  # new --publish is repo setup-from-lld

RUNTIME: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "bbws-runtime --json COMMAND",
    "type": "object",
    "required": ["command", "ok", "exit_code", "result", "diagnostics"],
    "additionalProperties": False,
    "properties": {
        "command": {"type": "string"},
        "ok": {"type": "boolean"},
        "exit_code": {"enum": [0, 1, 2]},
        "result": {"description": "what the command reports (the same data its text output shows)"},
        "diagnostics": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["severity", "message"],
                "properties": {
                    "severity": {"enum": ["error"]},
                    "kind": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}
