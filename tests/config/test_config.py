"""The configuration files (environments.yaml, github.yaml, wordpress_image.yaml): one loader that
reports each problem as one line naming the file and the field, and the JSON Schema of each file
(``bbws-scaffold config schema NAME``) that the shipped files satisfy."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bbws_scaffold.cli import main
from bbws_scaffold.config import github, wordpress
from bbws_scaffold.config.environments import load_environments
from bbws_scaffold.config.schema import FILES, json_schema
from bbws_scaffold.errors import ConfigError, EnvironmentsError, GitHubConfigError, WordPressConfigError
from bbws_scaffold.yamlfile import read_yaml

Edit = Callable[[dict[str, Any]], None]


def shipped(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = read_yaml(FILES[name].packaged, "a shipped configuration file", ValueError)
    return doc


def load(name: str, path: Path) -> Any:
    if name == "environments":
        return load_environments(path)
    if name == "github":
        return github.load_config(path, environments=load_environments(service="catalogue"), environ={})
    return wordpress.load_config(path)


def edited(name: str, edit: Edit, tmp_path: Path) -> Path:
    """The shipped file of ``name`` with ``edit`` applied (written as JSON, which is YAML)."""
    doc = shipped(name)
    edit(doc)
    path = tmp_path / FILES[name].packaged.name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _set(value: Any, *keys: str) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        for key in keys[:-1]:
            doc = doc[key]
        doc[keys[-1]] = value

    return edit


def _drop(*keys: str) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        for key in keys[:-1]:
            doc = doc[key]
        del doc[keys[-1]]

    return edit


ERROR = {"environments": EnvironmentsError, "github": GitHubConfigError, "wordpress_image": WordPressConfigError}

# Problems the file's own structure rules out: the exported JSON Schema refuses them too.
STRUCTURAL = [
    # a wrong type ("abc" where a number goes)
    (
        "environments",
        _set("abc", "environments", "prod", "required_reviewers"),
        r"environments\.prod\.required_reviewers: must be an integer in \[0, 6\]",
    ),
    (
        "github",
        _set("abc", "branch_protection", "required_approving_review_count"),
        r"branch_protection\.required_approving_review_count: must be an integer in \[1, 6\]",
    ),
    ("wordpress_image", _set("abc", "container_port"), r"container_port: must be an integer in \[1024, 65535\]"),
    # an unknown key where the file refuses them
    (
        "github",
        _set({"env": "X", "form": "deploy_role_arn"}, "secrets", "AWS_ROLE_ARN"),
        r"secrets\.AWS_ROLE_ARN\.form: unknown key",
    ),
    (
        "github",
        _set([{"team": "a", "role": "x"}, {"team": "b"}], "environments", "prod", "reviewers"),
        r"environments\.prod\.reviewers\[0\]\.role: unknown key",
    ),
    # a missing required key
    (
        "environments",
        _drop("environments", "sit", "account_id"),
        r"environments\.sit\.account_id: required key is missing",
    ),
    ("wordpress_image", _drop("versions", "php"), r"versions\.php: required key is missing"),
    ("github", _set([{"team": "ops"}], "access", "teams"), r"access\.teams\[0\]\.permission: required key is missing"),
    # patterns and ranges
    (
        "environments",
        _set("12345", "environments", "sit", "account_id"),
        r"environments\.sit\.account_id: '12345' is not a 12-digit AWS account id",
    ),
    (
        "environments",
        _set(False, "state", "encrypt"),
        r"state\.encrypt: must be true: state holds resource attributes.*",
    ),
    (
        "github",
        _set([{"team": "-bad"}, {"team": "b"}], "environments", "prod", "reviewers"),
        r"environments\.prod\.reviewers\[0\]\.team: '-bad' is not a valid team slug",
    ),
    ("wordpress_image", _set("8", "versions", "php"), r"versions\.php: '8' is not a PHP version like 8\.3"),
    (
        "environments",
        _set("arn:aws:sns:eu-west-1:815856636111:pool", "environments", "sit", "cognito_user_pool_arn"),
        r"environments\.sit\.cognito_user_pool_arn: 'arn:aws:sns:eu-west-1:815856636111:pool' "
        r"is not a Cognito user pool ARN",
    ),
    (
        "environments",
        _set("yes", "environments", "sit", "attach_auth_layer"),
        r"environments\.sit\.attach_auth_layer: .*",
    ),
]

# Rules across fields (and, for github.yaml, across files): only the models check these.
CROSS_FIELD = [
    (
        "environments",
        _set(["dev", "prod"], "promotion_order"),
        r"promotion_order: must list every environment exactly once",
    ),
    (
        "environments",
        _set("prod", "environments", "prod", "hotfix_github_environment"),
        r"environments\.prod\.hotfix_github_environment: 'prod' is not a valid, separate name",
    ),
    (
        "environments",
        _set("Bad-{env}", "state", "bucket"),
        r"state\.bucket: 'Bad-dev' \(for dev\) is not a valid S3 bucket name",
    ),
    (
        "github",
        _set([{"team": "business-owners"}], "environments", "prod", "reviewers"),
        r"environments\.prod\.reviewers: lists 1 reviewer\(s\) but the environments configuration requires 2",
    ),
    (
        "github",
        _set([], "environments", "prod", "hotfix_reviewers"),
        r"environments\.prod\.hotfix_reviewers: is empty, but the environment itself requires reviewers",
    ),
    (
        "github",
        _set({"reviewers": []}, "environments", "qa"),
        r"environments: \['qa'\] are not in the environments configuration",
    ),
    (
        "github",
        _set({"from": "no_such_field"}, "secrets", "EXTRA"),
        r"secrets\.EXTRA\.from: environment 'dev' has no field 'no_such_field'",
    ),
    ("wordpress_image", _drop("ecr_lifecycle", "default"), r"ecr_lifecycle: needs a `default` entry.*"),
    (
        "environments",
        _set("kimmy-ai/{env}/pool", "environments", "dev", "cognito_user_pool_ssm_parameter"),
        r"environments\.dev\.cognito_user_pool_ssm_parameter: 'kimmy-ai/dev/pool' is not a valid SSM parameter name",
    ),
    (
        "environments",
        _set("/kimmy ai/{env}/layer", "environments", "prod", "auth_layer_ssm_parameter"),
        r"environments\.prod\.auth_layer_ssm_parameter: '/kimmy ai/prod/layer' is not a valid SSM parameter name",
    ),
]


@pytest.mark.parametrize("name, edit, expected", STRUCTURAL + CROSS_FIELD)
def test_a_problem_is_one_line_naming_the_file_and_the_field(
    name: str, edit: Edit, expected: str, tmp_path: Path
) -> None:
    path = edited(name, edit, tmp_path)
    with pytest.raises(ERROR[name]) as caught:
        load(name, path)
    assert isinstance(caught.value, ConfigError)
    assert re.fullmatch(re.escape(f"{path}: ") + expected, str(caught.value)), str(caught.value)


def test_every_problem_is_reported_one_per_line(tmp_path: Path) -> None:
    def two_problems(doc: dict[str, Any]) -> None:
        doc["container_port"] = 80
        doc["versions"]["image"] = "1.0"

    path = edited("wordpress_image", two_problems, tmp_path)
    with pytest.raises(WordPressConfigError) as caught:
        wordpress.load_config(path)
    assert str(caught.value).splitlines() == [
        f"{path}: versions.image: '1.0' is not a MAJOR.MINOR.PATCH version",
        f"{path}: container_port: must be an integer in [1024, 65535]",
    ]


def test_an_unquoted_account_id_keeps_its_leading_zeros(tmp_path: Path) -> None:
    path = edited("environments", _set(93646564004, "environments", "prod", "account_id"), tmp_path)
    prod = load_environments(path, service="catalogue")["envs"]["prod"]
    assert prod["account_id"] == "093646564004"
    assert prod["deploy_role_arn"] == "arn:aws:iam::093646564004:role/bbws-catalogue-deploy"


def test_yaml_numbers_are_read_as_the_versions_they_spell(tmp_path: Path) -> None:
    path = edited("wordpress_image", _set(8.2, "versions", "php"), tmp_path)
    assert wordpress.load_config(path)["versions"]["php"] == "8.2"


# --- JSON Schema ----------------------------------------------------------------------------------

TOP_LEVEL = {
    "environments": {"promotion_order", "state", "deploy_role_name", "runtime", "environments"},
    "github": {
        "repository",
        "commit_author",
        "environments",
        "deployment_branch",
        "hotfix_branch",
        "prevent_self_review",
        "secrets",
        "branch_protection",
        "access",
        "webhook",
    },
    "wordpress_image": {
        "versions",
        "image_name",
        "repository_name",
        "container_port",
        "deployed_tag_prefix",
        "ecr_lifecycle",
    },
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_config_schema_prints_the_json_schema(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "schema", name]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema == json_schema(name)
    assert schema["title"] == FILES[name].packaged.name and schema["type"] == "object"
    assert set(schema["properties"]) == TOP_LEVEL[name]


def test_config_schema_refuses_an_unknown_name(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["config", "schema", "nope"])
    assert caught.value.code == 2
    assert "invalid choice: 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(FILES))
def test_the_shipped_files_satisfy_their_schema_and_their_model(name: str) -> None:
    schema = json_schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(shipped(name), schema, cls=jsonschema.Draft202012Validator)
    assert load(name, FILES[name].packaged)


@pytest.mark.parametrize("name, edit, expected", STRUCTURAL)
def test_the_schema_refuses_what_the_model_refuses(name: str, edit: Edit, expected: str) -> None:
    doc = shipped(name)
    edit(doc)
    assert not jsonschema.Draft202012Validator(json_schema(name)).is_valid(doc), expected


def test_auth_settings_default_per_environment_and_take_a_configured_pool(tmp_path: Path) -> None:
    envs = load_environments()["envs"]
    for name in ("dev", "sit", "prod"):
        assert envs[name]["cognito_user_pool_arn"] is None
        assert envs[name]["cognito_user_pool_ssm_parameter"] == f"/kimmy-ai/{name}/cognito/user-pool-arn"
        assert envs[name]["auth_layer_ssm_parameter"] == f"/kimmy-ai/{name}/bbws-auth/layer-arn"
        assert envs[name]["attach_auth_layer"] is False
    pool = "arn:aws:cognito-idp:af-south-1:093646564004:userpool/af-south-1_AbC123"
    path = edited("environments", _set(pool, "environments", "prod", "cognito_user_pool_arn"), tmp_path)
    got = load_environments(path)["envs"]
    assert got["prod"]["cognito_user_pool_arn"] == pool
    assert got["sit"]["cognito_user_pool_arn"] is None
