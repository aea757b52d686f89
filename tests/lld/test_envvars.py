"""Environment variables: shell blocks, tables, HCL maps, Python assignments and os.environ reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bbws_scaffold.lld.parser import parse_file, parse_text
from bbws_scaffold.model import EnvVar, ServiceSpec
from tests.paths import CORPUS, ground_truth_files

HEAD = "# Widget Lambda - Low-Level Design\n\n**Version**: 1.0\n\n## 5. Data Models\n\nModels.\n\n"


def parse(body: str) -> ServiceSpec:
    return parse_text("2.9.9_LLD_Widget.md", HEAD + body)


def env(spec: ServiceSpec) -> dict[str, EnvVar]:
    return {e.name: e for e in spec.env_vars}


def test_bash_block_under_env_section():
    body = (
        "## Appendix B: Environment Variables\n\n```bash\n# Lambda environment variables\n"
        "DYNAMODB_TABLE_NAME=bbws-widgets-{env}\nENVIRONMENT={dev|sit|prod}\n"
        'export LOG_LEVEL="INFO"  # log verbosity\nlower_case=1\nMERCHANT_ID=<LIVE_MERCHANT_ID>\n```\n'
    )
    spec = parse(body)
    got = env(spec)
    assert list(got) == ["DYNAMODB_TABLE_NAME", "ENVIRONMENT", "LOG_LEVEL", "MERCHANT_ID"]
    assert got["DYNAMODB_TABLE_NAME"].example == "bbws-widgets-{env}"
    assert got["ENVIRONMENT"].example == "{dev|sit|prod}"
    assert got["LOG_LEVEL"].example == "INFO" and got["LOG_LEVEL"].description == "log verbosity"
    assert (HEAD + body).splitlines()[got["ENVIRONMENT"].line - 1] == "ENVIRONMENT={dev|sit|prod}"
    assert all(e.functions == [] for e in spec.env_vars)


def test_bash_outside_env_section_is_not_config():
    body = "## 10. Deployment\n\n```bash\nexport AWS_PROFILE=dev\nTOKEN=$(aws sts ...)\n```\n"
    assert parse(body).env_vars == []


def test_variable_tables():
    body = (
        "## 9.2 Environment Variables\n\n| Variable | Description | Example Value | Required |\n|---|---|---|---|\n"
        "| `SITES_TABLE` | DynamoDB table | `sites` | Yes |\n| `LOG_LEVEL` | Logging level | `INFO` | No |\n"
        "| not_a_var | x | y | z |\n\n"
        "### 9.3 Environment-Specific Configuration\n\n| Variable | DEV | SIT | PROD | Description |\n"
        "|---|---|---|---|---|\n| API_URL | https://dev.x | https://sit.x | https://x | Base URL |\n"
    )
    got = env(parse(body))
    assert list(got) == ["SITES_TABLE", "LOG_LEVEL", "API_URL"]
    assert got["SITES_TABLE"].required is True and got["SITES_TABLE"].example == "sites"
    assert got["SITES_TABLE"].description == "DynamoDB table"
    assert got["LOG_LEVEL"].required is False
    assert got["API_URL"].example == "https://dev.x" and got["API_URL"].description == "Base URL"


def test_labelled_per_function_table_is_scoped():
    body = (
        "## 12. Function Details\n\n### 12.7 `sync_tenant_state`\n\n**Environment Variables:**\n\n"
        "| Variable | Value | Description |\n|---|---|---|\n| EVENT_BUS | bus-{env} | Bus name |\n"
    )
    got = env(parse(body))
    assert got["EVENT_BUS"].functions == ["sync_tenant_state"] and got["EVENT_BUS"].example == "bus-{env}"


HCL = """## Appendix C: Terraform

```hcl
module "get_me_lambda" {
  source = "../modules/lambda"
  environment_variables = {
    TABLE_NAME  = var.table_name
    LOG_LEVEL   = var.log_level
  }
  tags = merge(var.common_tags, { Function = "get_me" })
}

module "logout_lambda" {
  environment_variables = {
    LOG_LEVEL = var.log_level
  }
}

resource "aws_lambda_function" "payments" {
  environment {
    variables = {
      PAYFAST_URL = "https://sandbox.payfast.co.za"
    }
  }
}

variable "common_tags" {
  default = {
    Project = "BBWS"
  }
}
```
"""


def test_hcl_environment_maps_with_function_scope():
    got = env(parse(HCL))
    assert list(got) == ["TABLE_NAME", "LOG_LEVEL", "PAYFAST_URL"]
    assert got["TABLE_NAME"].functions == ["get_me"]
    assert got["LOG_LEVEL"].functions == ["get_me", "logout"]
    assert (
        got["PAYFAST_URL"].functions == ["payments"] and got["PAYFAST_URL"].example == "https://sandbox.payfast.co.za"
    )
    assert "Project" not in got


def test_global_declaration_wins_over_scoped_ones():
    body = "## Appendix B: Environment Variables\n\n```bash\nLOG_LEVEL=INFO\n```\n\n" + HCL
    got = env(parse(body))
    assert got["LOG_LEVEL"].functions == [] and got["LOG_LEVEL"].source == "bash"
    assert got["TABLE_NAME"].functions == ["get_me"]


def test_python_assignments_under_env_section():
    body = (
        "## 9. Environment Variables\n\n```python\nENVIRONMENT = os.environ.get('ENVIRONMENT', 'dev')\n"
        'DYNAMODB_TABLE = f"bbws-{ENVIRONMENT}-generation"\nENABLE_CACHE = True\nKMS_KEY = None\nlocal = 1\n```\n\n'
        "## 10. Templates\n\n```python\nEMAIL_TEMPLATE = '''<html></html>'''\n```\n"
    )
    got = env(parse(body))
    assert list(got) == ["ENVIRONMENT", "DYNAMODB_TABLE", "ENABLE_CACHE", "KMS_KEY"]
    assert got["ENVIRONMENT"].example == "dev" and got["ENVIRONMENT"].required is False
    assert got["DYNAMODB_TABLE"].example == 'f"bbws-{ENVIRONMENT}-generation"'
    assert got["ENABLE_CACHE"].example == "True"


def test_environ_reads_in_lambda_code_but_not_in_tests():
    body = (
        "## 6. Messaging\n\n```python\nimport os\n\ndef handler(event, context):\n"
        "    bucket = f\"tpl-{os.environ['ENVIRONMENT']}\"\n    table = os.getenv('TABLE_NAME')\n"
        "    region = os.environ.get('REGION', 'af-south-1')\n    os.environ['WRITTEN'] = 'x'\n```\n\n"
        "```python\nclass TestFlow:\n    def test_real_api(self):\n        key = os.getenv('COZA_API_KEY_DEV')\n\n"
        "def test_other():\n    os.environ['OTHER_TEST']\n\n"
        "@pytest.fixture\ndef env():\n    return os.getenv('FIXTURE_VAR')\n```\n\n"
        "## Appendix C: Integration Tests\n\n```python\nurl = os.getenv('ORDER_SERVICE_URL_DEV')\n```\n\n"
        "## 7. More\n\n**File**: `tests/unit/test_x.py`\n\n```python\nx = os.environ['IN_TEST_FILE']\n```\n\n"
        "```python\nimport pytest\n\nx = os.environ['PYTEST_BLOCK']\n```\n"
    )
    got = env(parse(body))
    assert list(got) == ["ENVIRONMENT", "TABLE_NAME", "REGION"]
    assert got["ENVIRONMENT"].required is True and got["ENVIRONMENT"].source == "code"
    assert got["TABLE_NAME"].required is None
    assert got["REGION"].example == "af-south-1" and got["REGION"].required is False


def test_sam_environment_variables():
    body = (
        "## 11. Deployment\n\n```yaml\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      Environment:\n        Variables:\n          TABLE_NAME: widgets\n          lower: x\n```\n"
    )
    got = env(parse(body))
    assert list(got) == ["TABLE_NAME"] and got["TABLE_NAME"].example == "widgets"
    assert (HEAD + body).splitlines()[got["TABLE_NAME"].line - 1].strip() == "TABLE_NAME: widgets"


def test_dedupe_first_declaration_wins_and_gaps_filled():
    body = (
        "## 6. Code\n\n```python\nt = os.environ['SITES_TABLE']\n```\n\n"
        "## 9. Environment Variables\n\n| Variable | Description | Example |\n|---|---|---|\n"
        "| SITES_TABLE | Sites table | `sites` |\n"
    )
    got = env(parse(body))
    assert len(got) == 1
    v = got["SITES_TABLE"]
    assert v.source == "code" and v.description == "Sites table" and v.example == "sites" and v.required is True


@pytest.mark.parametrize("gt_file", ground_truth_files(), ids=lambda p: p.stem)
def test_corpus_ground_truth(gt_file: Path):
    lld = CORPUS / f"{gt_file.stem}.md"
    if not lld.exists():
        pytest.skip("LLD not in the corpus")
    gt = json.loads(gt_file.read_text(encoding="utf-8"))
    spec = parse_file(lld)
    assert {e.name for e in spec.env_vars} == set(gt.get("env_vars") or [])
    assert all(e.line for e in spec.env_vars)
    assert not [w for w in spec.warnings if "environment variables:" in w.message]


def test_environment_names_are_not_variables():
    body = "## 9. Environment Variables\n\n| Name | Account |\n|---|---|\n| DEV | 123 |\n| PROD | 456 |\n"
    assert parse(body).env_vars == []
