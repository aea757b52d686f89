"""python-hcl2 parsing, the AWS provider schema check, terraform fmt and checkov skips."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from bbws_scaffold.pipeline.checkov import scan_skip_comments
from bbws_scaffold.pipeline.schema import check_schema, load_schema, rebuild
from bbws_scaffold.pipeline.terraform import check_parse
from tests.paths import AWS_PROVIDER_SCHEMA

from .helpers import gate


def tf_repo(tmp_path: Path, text: str, name: str = "main.tf") -> Path:
    (tmp_path / "terraform").mkdir(exist_ok=True)
    (tmp_path / "terraform" / name).write_text(text, encoding="utf-8")
    return tmp_path


def schema_findings(repo: Path) -> list[tuple[str, int, str]]:
    parse_out, parsed = check_parse(repo)
    assert parse_out.findings == ()
    return [(f.rule, f.line, f.message) for f in check_schema(repo, parsed).findings]


def test_shipped_schema_loads() -> None:
    schema = load_schema()
    assert schema["provider_version"] == "6.25.0"
    assert "memory_size" in schema["resources"]["aws_lambda_function"]["args"]
    assert "statement" in schema["data_sources"]["aws_iam_policy_document"]["blocks"]


def test_shipped_schema_matches_source(tmp_path: Path) -> None:
    """The packaged copy is the shared extraction, rebuilt byte for byte."""
    if AWS_PROVIDER_SCHEMA.is_file():  # shared/ sits beside the checkout in this workplace
        rebuild(AWS_PROVIDER_SCHEMA, tmp_path / "s.json.gz")
        assert json.loads(gzip.decompress((tmp_path / "s.json.gz").read_bytes())) == load_schema()


def test_meta_arguments_dynamic_and_lifecycle_pass(tmp_path: Path) -> None:
    repo = tf_repo(
        tmp_path,
        """
resource "aws_lambda_function" "f" {
  count         = 1
  function_name = "f"
  role          = "arn"
  provider      = aws.west
  depends_on    = [aws_iam_role.r]

  dynamic "vpc_config" {
    for_each = var.vpc == null ? [] : [var.vpc]
    iterator = v
    content {
      subnet_ids         = v.value.subnets
      security_group_ids = v.value.sgs
    }
  }

  lifecycle {
    ignore_changes = [tags]
    precondition {
      condition     = true
      error_message = "x"
    }
  }
}

resource "random_id" "x" {
  anything_goes = 1
}
""",
    )
    assert schema_findings(repo) == []


def test_unknown_names_are_reported_with_lines(tmp_path: Path) -> None:
    repo = tf_repo(
        tmp_path,
        """resource "aws_lambda_function" "f" {
  function_name = "f"
  role          = "arn"
  memory_sise   = 128

  tracing_confg {
    mode = "Active"
  }

  dynamic "vpc_confg" {
    for_each = []
    content {}
  }

  environment {
    variabels = {}
  }

  lifecycle {
    ignore_change = []
  }
}

resource "aws_lamda_function" "g" {}

data "aws_iam_policy_document" "p" {
  statement {
    actions = ["s3:GetObject"]
    principal {
      type = "AWS"
    }
  }
}
""",
    )
    found = schema_findings(repo)
    rules_lines = [(r, ln) for r, ln, _ in found]
    assert rules_lines == [
        ("unknown-argument", 4),
        ("unknown-block", 6),
        ("unknown-block", 10),
        ("unknown-argument", 16),
        ("unknown-argument", 20),
        ("unknown-type", 24),
        ("unknown-block", 29),
    ]
    messages = " ".join(m for _, _, m in found)
    for hint in (
        "`memory_size`",
        "`tracing_config`",
        "`vpc_config`",
        "`variables`",
        "`ignore_changes`",
        "`aws_lambda_function`",
        "`principals`",
    ):
        assert hint in messages


def test_missing_required(tmp_path: Path) -> None:
    repo = tf_repo(
        tmp_path,
        """resource "aws_lambda_function" "f" {
  function_name = "f"
}

resource "aws_api_gateway_method_settings" "s" {
  rest_api_id = "a"
  stage_name  = "b"
  method_path = "*/*"
}
""",
    )
    assert [(r, ln) for r, ln, _ in schema_findings(repo)] == [
        ("missing-argument", 1),
        ("missing-block", 5),
    ]


def test_parse_errors_and_duplicates(tmp_path: Path) -> None:
    repo = tf_repo(tmp_path, 'resource "a" "b" {\n  x = 1\n  x = 2\n}\n')
    tf_repo(tmp_path, 'resource "a" "c" {\n  y = \n}\n', "broken.tf")
    (tmp_path / "terraform" / "backend").mkdir()
    (tmp_path / "terraform" / "backend" / "dev.hcl").write_text('bucket = "x\n', encoding="utf-8")
    out, _ = check_parse(repo)
    assert [(f.file, f.line, f.rule) for f in out.findings] == [
        ("terraform/backend/dev.hcl", 1, "syntax"),
        ("terraform/broken.tf", 2, "syntax"),
        ("terraform/main.tf", 3, "duplicate-argument"),
    ]


def test_skip_comments_need_reasons(tmp_path: Path) -> None:
    repo = tf_repo(
        tmp_path,
        """resource "aws_s3_bucket" "b" {
  #checkov:skip=CKV_AWS_18:Access logs go to the central bucket
  #checkov:skip=CKV_AWS_144
  # checkov:skip=CKV_AWS_21:
  bucket = "b" # checkov:skip=CKV2_AWS_6:\x20\x20
}
""",
    )
    findings, skipped = scan_skip_comments(repo)
    assert [(f.line, f.rule) for f in findings] == [
        (3, "skip-without-reason"),
        (4, "skip-without-reason"),
        (5, "skip-without-reason"),
    ]
    assert ("terraform/main.tf", "CKV_AWS_18") in skipped


def test_fmt_reports_hunks_in_tf_tfvars_and_backend_hcl(tmp_path: Path) -> None:
    repo = tf_repo(tmp_path, 'resource "aws_s3_bucket" "x" {\n  bucket = "a"\n tags = {}\n}\n')
    (tmp_path / "terraform" / "dev.tfvars").write_text('a = 1\nbb="x"\n', encoding="utf-8")
    (tmp_path / "terraform" / "backend").mkdir()
    (tmp_path / "terraform" / "backend" / "dev.hcl").write_text('key = "a"\nbucket="b"\n', encoding="utf-8")
    result = gate(repo, checks=["terraform-fmt"])
    assert [(f.file, f.line, f.rule) for f in result.findings] == [
        ("terraform/backend/dev.hcl", 1, "fmt"),
        ("terraform/dev.tfvars", 1, "fmt"),
        ("terraform/main.tf", 3, "fmt"),
    ]
