"""Service identity and runtime: header block, Component line, overview table, value micro-grammars."""

from __future__ import annotations

import pytest

from bbws_scaffold.lld.parser import parse_text

FUNCS = (
    "\n## 1.3 Lambda Functions\n\n| Function | Endpoint | Description |\n|---|---|---|\n| get_x | GET /v1.0/x | x |\n"
)


def doc(header: str = "", overview_rows: str = "", title: str = "CPP Cart Lambda - Low-Level Design") -> str:
    table = "| Attribute | Value |\n|---|---|\n" + overview_rows if overview_rows else ""
    return f"# {title}\n\n{header}\n\n## 1. Introduction\n\n### 1.2 Component Overview\n\n{table}\n{FUNCS}"


def test_header_block_and_component_repo():
    spec = parse_text(
        "2.1.7_LLD_Cart_Lambda.md",
        doc(
            "**Version**: 1.2\n**Status**: Draft\n**Component**: Cart Service (2_bbws_cart_lambda)\n"
            "**Parent HLD**: [HLD 2.1](../HLDs/2.1_HLD.md) - Epic 6"
        ),
    )
    assert (spec.lld_number, spec.version, spec.status) == ("2.1.7", "1.2", "Draft")
    assert (spec.repo, spec.repo_source, spec.service) == ("2_bbws_cart_lambda", "component", "cart")
    assert spec.parent_hld == "../HLDs/2.1_HLD.md"


def test_repo_from_overview_row_else_derived_from_the_service_name():
    spec = parse_text("x.md", doc(overview_rows="| Repository | `2_2_bbws_portal_svc_cart` |\n"))
    assert (spec.repo, spec.repo_source) == ("2_2_bbws_portal_svc_cart", "overview")
    spec = parse_text("x.md", doc("**Component**: Generation API (Bedrock Backend)"))
    assert (spec.repo, spec.repo_source) == ("2_bbws_generation_lambda", "derived")
    spec = parse_text("x.md", doc())
    assert spec.repo == "2_bbws_cart_lambda"


@pytest.mark.parametrize(
    "memory,timeout,mb,s,labels",
    [
        ("256MB", "30s", 256, 30, {}),
        ("512 MB", "30 seconds", 512, 30, {}),
        (
            "256MB (default), 512MB (dashboard)",
            "30s (API), 900s (workers)",
            256,
            30,
            {"default": 256, "dashboard": 512},
        ),
        (
            "1024MB (migration workers), 256MB (API handlers)",
            "15 min",
            256,
            900,
            {"migration workers": 1024, "API handlers": 256},
        ),
        ("256-512MB (varies by function)", "10-120s (varies by function)", None, None, {}),
        ("1GB", "30s (search), 60s (registration/transfer)", 1024, None, {}),
    ],
)
def test_runtime_micro_grammar(memory, timeout, mb, s, labels):
    rows = (
        f"| Runtime | Python 3.12 on AWS Lambda |\n| Memory | {memory} |\n"
        f"| Timeout | {timeout} |\n| Architecture | arm64 |\n"
    )
    rt = parse_text("x.md", doc(overview_rows=rows)).runtime
    assert (rt.python_version, rt.memory_mb, rt.timeout_s, rt.architecture) == ("3.12", mb, s, "arm64")
    assert rt.memory_raw == memory
    assert rt.memory_by_label == labels


def test_version_lagging_document_control_is_a_warning_naming_both_lines():
    text = doc("**Version**: 1.5").replace(
        "## 1. Introduction",
        "## Document Control\n\n| Version | Date | Author | Changes |\n|---|---|---|---|\n"
        "| 1.5 | 2025-12-01 | A | x |\n| 1.6 | 2026-01-01 | A | y |\n\n## 1. Introduction",
    )
    spec = parse_text("x.md", text)
    identity = [w.message for w in spec.warnings if ": not generated: " not in w.message and "no auth" not in w.message]
    assert identity == ["header says Version 1.5 (line 3) but Document Control has 1.6 (line 10)"]
    assert spec.warnings[0].line == 3


@pytest.mark.parametrize("inner", ["../../etc", "2_bbws_cart..lambda", "2_bbws/../x", "/abs/2_bbws_x"])
def test_a_path_in_the_component_line_never_becomes_the_repo(inner):
    spec = parse_text("x.md", doc(f"**Component**: Cart Service ({inner})"))
    assert (spec.repo, spec.repo_source) == ("2_bbws_cart_lambda", "derived")
