"""Mermaid ``classDiagram`` blocks -> declared classes with members, stereotypes and parents.

Only classes the diagram *declares* count (``class X``, ``class X { ... }``, ``class X~T~``,
``X : +member``); names that appear only in relationships are references, not declarations.
Attributes are written type-first (``+str tenantId``, ``+List~OrderItem~ items``) or name-first
(``-site_service: SiteService``); generics ``~T~`` become ``[T]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_CLASS_RE = re.compile(
    r"^class\s+`?(?P<name>[A-Za-z_][\w]*)`?(?:~(?P<generic>[^~]*)~)?(?:\s*\[\"[^\"]*\"\])?(?::::\w+)?\s*(?P<open>\{)?\s*(?P<rest>.*)$"  # noqa: E501 (one mermaid grammar rule)
)
_STEREO_RE = re.compile(r"^<<\s*(?P<s>[^<>]+?)\s*>>\s*(?P<name>[A-Za-z_]\w*)?\s*;?$")
_MEMBER_LINE_RE = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*:\s*(?P<member>.+)$")
_REL_RE = re.compile(
    r"^(?P<a>[A-Za-z_]\w*)\s*(?:\"[^\"]*\"\s*)?(?P<arrow><\|--|--\|>|<\|\.\.|\.\.\|>|\*--|--\*|o--|--o|-->|<--|--|\.\.>|<\.\.|\.\.)"  # noqa: E501 (one mermaid grammar rule)
    r"\s*(?:\"[^\"]*\"\s*)?(?P<b>[A-Za-z_]\w*)"
)
_GENERIC_RE = re.compile(r"~([^~]*)~")
_VISIBILITY = "+-#~"


@dataclass
class Member:
    name: str
    type: str | None
    line: int
    visibility: str = ""


@dataclass
class MermaidClass:
    name: str
    line: int
    stereotype: str | None = None
    generic: str | None = None
    attributes: list[Member] = field(default_factory=list)
    methods: list[Member] = field(default_factory=list)
    literals: list[Member] = field(default_factory=list)  # bare names: enum values
    parents: list[str] = field(default_factory=list)


def is_class_diagram(content: str) -> bool:
    for line in content.splitlines():
        s = line.strip()
        if not s or s.startswith("%%") or s.startswith("---") or s.startswith("title"):
            continue
        return s.split()[0] == "classDiagram" or s.startswith("classDiagram")
    return False


def generic_to_python(text: str) -> str:
    """``List~OrderItem~`` -> ``List[OrderItem]``; ``Dict~str,X~`` -> ``Dict[str, X]``."""
    prev = None
    while prev != text:
        prev = text
        text = _GENERIC_RE.sub(lambda m: "[" + ", ".join(p.strip() for p in m.group(1).split(",")) + "]", text)
    return text


def _member(text: str, line: int) -> tuple[str, Member] | None:
    """Classify one body line: ("method" | "attribute" | "literal", member)."""
    s = text.strip().rstrip(";")
    if not s:
        return None
    vis = s[0] if s[0] in _VISIBILITY else ""
    s = s[1:].strip() if vis else s
    s = s.rstrip("$*").strip()
    if "(" in s:
        name = s.split("(", 1)[0].strip()
        ret = s.rsplit(")", 1)[-1].strip().lstrip(":").strip() or None
        if not re.fullmatch(r"[A-Za-z_]\w*", name):
            return None
        return "method", Member(name, generic_to_python(ret) if ret else None, line, vis)
    if ":" in s:
        name, typ = (p.strip() for p in s.split(":", 1))
        if not re.fullmatch(r"[A-Za-z_]\w*", name):
            return None
        return "attribute", Member(name, generic_to_python(typ) or None, line, vis)
    parts = s.split()
    if len(parts) == 1 and re.fullmatch(r"[A-Za-z_]\w*", parts[0]):
        return "literal", Member(parts[0], None, line, vis)
    if len(parts) >= 2 and re.fullmatch(r"[A-Za-z_]\w*", parts[-1]):
        return "attribute", Member(parts[-1], generic_to_python(" ".join(parts[:-1])), line, vis)
    return None


def _add_member(cls: MermaidClass, text: str, line: int) -> None:
    stereo = _STEREO_RE.match(text.strip())
    if stereo and not stereo.group("name"):
        cls.stereotype = cls.stereotype or stereo.group("s").strip()
        return
    got = _member(text, line)
    if got is None:
        return
    kind, member = got
    if kind == "method":
        cls.methods.append(member)
    elif kind == "literal" and not member.visibility:
        cls.literals.append(member)
    else:
        cls.attributes.append(member)


def parse(content: str, first_line: int) -> list[MermaidClass]:
    """Classes of one diagram; ``first_line`` is the LLD line of the content's first line."""
    classes: dict[str, MermaidClass] = {}
    current: MermaidClass | None = None
    parents: list[tuple[str, str]] = []
    for i, raw in enumerate(content.splitlines()):
        line_no = first_line + i
        s = raw.split("%%", 1)[0].strip()
        if not s:
            continue
        if current is not None:
            if s.startswith("}"):
                current = None
                continue
            body, closes = (s[:-1], True) if s.endswith("}") else (s, False)
            _add_member(current, body, line_no)
            current = None if closes else current
            continue
        m = _CLASS_RE.match(s)
        if m:
            cls = classes.setdefault(m.group("name"), MermaidClass(m.group("name"), line_no))
            cls.generic = cls.generic or m.group("generic")
            if m.group("open"):
                rest = m.group("rest").strip()
                if rest.endswith("}"):
                    for part in rest[:-1].split(";"):
                        _add_member(cls, part, line_no)
                else:
                    current = cls
                    if rest:
                        _add_member(cls, rest, line_no)
            continue
        stereo = _STEREO_RE.match(s)
        if stereo and stereo.group("name") in classes:
            classes[stereo.group("name")].stereotype = stereo.group("s").strip()
            continue
        rel = _REL_RE.match(s)
        if rel:
            arrow = rel.group("arrow")
            if arrow in ("<|--", "<|.."):
                parents.append((rel.group("b"), rel.group("a")))
            elif arrow in ("--|>", "..|>"):
                parents.append((rel.group("a"), rel.group("b")))
            continue
        mm = _MEMBER_LINE_RE.match(s)
        if mm and not s.startswith(("classDiagram", "direction", "note", "link", "click", "style", "cssClass")):
            cls = classes.setdefault(mm.group("name"), MermaidClass(mm.group("name"), line_no))
            _add_member(cls, mm.group("member"), line_no)
    for child, parent in parents:
        if child in classes and parent not in classes[child].parents:
            classes[child].parents.append(parent)
    return list(classes.values())
