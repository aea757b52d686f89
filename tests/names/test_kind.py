"""Issue 13, "Not an LLD, not a service": a BRS, an HLD or a runbook is refused with a message naming
what is missing; every real LLD (the corpus, the examples) is read, and a real LLD under an
unconventional file name is read with one warning.

The documents below are minimal but written the way the platform writes them: the headings of a
business requirements specification, a high-level design and an operations runbook.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bbws_scaffold.diagnostics import DiagnosticSink
from bbws_scaffold.errors import LLDError
from bbws_scaffold.lld import kind
from bbws_scaffold.lld.parser import parse_file
from bbws_scaffold.lld.readers import document
from bbws_scaffold.lld.readers.grammar import load_grammar
from tests.paths import CATALOGUE_LLD, ROOT, corpus_llds, example_llds

BRS = """# Commerce Platform - Business Requirements Specification

**Version**: 1.2
**Status**: Approved

## 1. Introduction

### 1.1 Purpose

Business requirements of the commerce platform: carts, orders and payments.

## 2. Stakeholders

| Stakeholder | Role |
|-------------|------|
| Head of Sales | Sponsor |

## 3. Functional Requirements

| ID | Requirement | Priority |
|----|-------------|----------|
| FR-01 | A customer can add a product to a cart | Must |
| FR-02 | A customer can pay for an order by card | Must |

## 4. User Stories

| User Story # | Epic | User Story | Test Scenario(s) |
|--------------|------|------------|------------------|
| US-001 | Cart | As a customer, I want to add an item to my cart | Given a product, then the cart holds it |
"""

HLD = """# Commerce Platform - High-Level Design

**Version**: 1.0

## 1. Architecture Overview

The platform is a set of Lambda services behind one API Gateway.

## 2. Service Decomposition

| Service | Responsibility | LLD |
|---------|----------------|-----|
| Cart | Carts and cart items | 2.1.3 |
| Order | Orders | 2.1.8 |

## 3. Integration

Services publish domain events to EventBridge.

## 4. Non-Functional Requirements

| Metric | Target |
|--------|--------|
| Availability | 99.9% |
"""

RUNBOOK = """# Order Lambda - Operations Runbook

**Version**: 1.0

## 1. Service Overview

The order service stores orders in DynamoDB.

## 2. Alarms and Responses

| Alarm | Meaning | Action |
|-------|---------|--------|
| OrderErrors | 5xx above 1% | Check the logs, roll back |

## 3. Rollback Procedure

1. Run `bbws-runtime rollback --env prod`.
2. Confirm the alarm clears.

## 4. Escalation

| Level | Contact |
|-------|---------|
| L1 | On-call engineer |
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        ("2.1_BRS_Commerce_Platform.md", BRS, "says it is a BRS"),
        ("commerce-requirements.md", BRS, "title 'Commerce Platform - Business Requirements Specification'"),
        ("2.1_HLD_Commerce_Platform.md", HLD, "says it is a HLD"),
        ("2.1.8_Runbook_Order_Lambda.md", RUNBOOK, "says it is a runbook"),
    ],
)
def test_documents_that_are_not_service_llds_are_refused(tmp_path: Path, name: str, text: str, said: str) -> None:
    with pytest.raises(LLDError) as err:
        parse_file(_write(tmp_path, name, text))
    (diag,) = err.value.diagnostics
    assert diag.line == 1 and "not a service LLD" in diag.message and said in diag.message
    assert "--assume-lld" in diag.message


def test_a_document_nothing_in_which_is_an_lld_section_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LLDError) as err:
        parse_file(_write(tmp_path, "order-notes.md", RUNBOOK.replace("Operations Runbook", "Notes")))
    (diag,) = err.value.diagnostics
    assert diag.line == 1 and "not an LLD: no recognised section (functions, endpoints" in diag.message


def test_structure_alone_names_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(LLDError) as err:
        parse_file(_write(tmp_path, "2.1.9_LLD_Commerce.md", HLD.replace("High-Level Design", "Design")))
    message = err.value.diagnostics[0].message
    assert "no function inventory" in message and "no endpoint inventory" in message


@pytest.mark.parametrize("lld", corpus_llds() + example_llds(), ids=lambda p: p.name)
def test_every_real_lld_is_a_service_lld(lld: Path) -> None:
    text = lld.read_text(encoding="utf-8")
    spec = parse_file(lld)
    doc = document.build(str(lld), text, load_grammar(), DiagnosticSink())
    verdict = kind.judge(str(lld), doc, spec.endpoints, spec.functions)
    assert verdict.other_kind is None and verdict.inventory_line is not None and verdict.conventional_name
    assert not [w for w in spec.warnings if "naming convention" in w.message]


def test_an_lld_under_an_unconventional_name_is_read_with_one_warning(tmp_path: Path) -> None:
    odd = _write(tmp_path, "catalogue design (final).md", CATALOGUE_LLD.read_text(encoding="utf-8"))
    spec = parse_file(odd)
    assert len(spec.endpoints) == len(parse_file(CATALOGUE_LLD).endpoints)
    assert [w.message for w in spec.warnings if "naming convention" in w.message] == [
        "file name 'catalogue design (final).md' does not follow the LLD naming convention "
        "[phase].[sub-phase].[n]_LLD_[Name].md"
    ]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env_path = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bbws_scaffold.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
    )


def test_an_inventory_under_an_unknown_heading_is_still_an_inventory(tmp_path: Path) -> None:
    text = CATALOGUE_LLD.read_text(encoding="utf-8").replace("### 1.3 Lambda Functions (9 Total)", "### 1.3 Scope")
    assert "### 1.3 Scope" in text
    spec = parse_file(_write(tmp_path, "2.9.1_LLD_Catalogue_Lambda.md", text))
    assert len(spec.endpoints) == 9 and not [w for w in spec.warnings if "LLD" in w.message]


def test_the_title_outweighs_a_wrong_file_name(tmp_path: Path) -> None:
    spec = parse_file(_write(tmp_path, "2.9_HLD_Catalogue.md", CATALOGUE_LLD.read_text(encoding="utf-8")))
    assert [w.message for w in spec.warnings if "naming convention" in w.message]  # a warning, not a refusal


def test_the_cli_refuses_and_assume_lld_overrides(tmp_path: Path) -> None:
    # a service LLD filed under a BRS name with a title that does not say LLD: refused, unless told
    text = CATALOGUE_LLD.read_text(encoding="utf-8").replace("# Catalogue Lambda - Low-Level Design", "# Catalogue")
    misfiled = _write(tmp_path, "2.9_BRS_Catalogue.md", text)
    res = _cli("lld", "validate", str(misfiled), cwd=tmp_path)
    assert res.returncode == 2 and f"{misfiled}:1: error: not a service LLD: its file name" in res.stderr
    assert _cli("lld", "validate", "--assume-lld", str(misfiled), cwd=tmp_path).returncode == 0
    assert _cli("lld", "parse", "--assume-lld", "--json", str(misfiled), cwd=tmp_path).returncode == 0
    # new refuses a BRS and creates nothing
    brs = _write(tmp_path, "2.1_BRS_Commerce_Platform.md", BRS)
    res = _cli("new", "--lld", str(brs), "--output", str(tmp_path / "out"), cwd=tmp_path)
    assert res.returncode == 2 and "not a service LLD" in res.stderr and not (tmp_path / "out").exists()
