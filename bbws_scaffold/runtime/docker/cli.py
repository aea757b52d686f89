"""``bbws-runtime docker {build,validate,push,promote,cleanup}`` (registered in ``cli._COMMAND_MODULES``).

A handler imports its operation when it runs, so ``--help`` and argument errors load no boto3.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bbws_scaffold.runtime.docker.image import ImageConfig, find_image_config, load_image_config
from bbws_scaffold.runtime.docker.runner import Runner, SubprocessRunner


def _runner() -> Runner:
    return SubprocessRunner()


def _image(args: argparse.Namespace) -> ImageConfig:
    if args.image_config:
        return load_image_config(args.image_config)
    if args.config:
        return load_image_config(config_source=Path(args.config))
    return load_image_config(find_image_config())


def _config(args: argparse.Namespace) -> Any:
    from bbws_scaffold.runtime.config import load_config

    return load_config(args.config)


def cmd_build(args: argparse.Namespace) -> int:
    from bbws_scaffold.runtime.docker.ops import build

    print(build(_image(args), _runner(), vcs_ref=args.vcs_ref or ""))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from bbws_scaffold.runtime.docker.ops import validate

    checks = validate(_image(args), _runner(), tag=args.tag)
    for c in checks:
        print(f"{'ok  ' if c.ok else 'FAIL'}  {c.name:<14} {c.detail}")
    return 0 if all(c.ok for c in checks) else 1


def cmd_push(args: argparse.Namespace) -> int:
    from bbws_scaffold.runtime.docker.ops import push

    res = push(_config(args), _image(args), args.env, _runner(), tag=args.tag)
    print(f"pushed {res.ref} ({res.digest})")
    return 0


def cmd_promote(args: argparse.Namespace) -> int:
    from bbws_scaffold.runtime.docker.ops import promote

    res = promote(_config(args), _image(args), args.from_env, args.to_env, _runner(), tag=args.tag)
    verb = "already promoted" if res.already_there else "promoted"
    print(f"{verb}: {res.source} -> {res.target} ({res.digest})")
    return 0


def cmd_cleanup(args: argparse.Namespace) -> int:
    from bbws_scaffold.runtime.docker.ops import cleanup

    res = cleanup(_config(args), _image(args), args.env, keep=args.keep, dry_run=args.dry_run)
    verb = "would delete" if res.dry_run else "deleted"
    gone = [i for i in res.plan.delete if res.dry_run or i.digest in res.deleted]
    print(f"{res.env}: kept {len(res.plan.keep)} newest, {len(res.plan.protected)} deployed; {verb} {len(gone)}")
    for label, images in (("deployed (never deleted)", res.plan.protected), (verb, gone)):
        for i in images:
            print(f"  {label}: {i.digest} {','.join(i.tags) or '<untagged>'} pushed {i.pushed_at:%Y-%m-%d}")
    if res.lifecycle is not None:
        for problem in res.lifecycle.problems:
            print(f"  warning: {problem}")
    for failure in res.failures:
        print(f"  FAILED: {failure}")
    return 1 if res.failures else 0


def add_parser(subparsers: Any) -> None:
    docker = subparsers.add_parser("docker", help="build, validate, push, promote and clean up the WordPress image")
    docker.add_argument(
        "--image-config",
        metavar="FILE",
        help="image configuration (default: $BBWS_IMAGE_CONFIG, else deploy/image.json upwards)",
    )
    sub = docker.add_subparsers(dest="docker_command", metavar="ACTION", required=True)

    p = sub.add_parser("build", help="docker build bbws-wordpress:<wp>-wpcli-<image version>")
    p.add_argument("--vcs-ref", help="git commit recorded in the image's labels (default: unknown)")
    p.set_defaults(handler=cmd_build)

    p = sub.add_parser("validate", help="run the image: wp --version, curl, unzip, mysql, the mu-plugin, labels")
    p.add_argument("--tag", help="image tag (default: from the image configuration)")
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("push", help="log in to ECR through the API and push the build (first environment only)")
    p.add_argument("--env", required=True, help="environment (the first in the promotion order)")
    p.add_argument("--tag", help="image tag (default: from the image configuration)")
    p.set_defaults(handler=cmd_push)

    p = sub.add_parser("promote", help="pull, retag and push to the next environment; the digest must match")
    p.add_argument("--from", dest="from_env", required=True, help="environment the image is taken from")
    p.add_argument("--to", dest="to_env", required=True, help="environment that receives it (the next one)")
    p.add_argument("--tag", help="image tag (default: from the image configuration)")
    p.set_defaults(handler=cmd_promote)

    p = sub.add_parser("cleanup", help="delete images beyond the newest N by push date, never deployed ones")
    p.add_argument("--env", required=True, help="environment whose repository is cleaned")
    p.add_argument("--keep", type=int, help="images kept besides the deployed ones (default: the environment's)")
    p.add_argument("--dry-run", action="store_true", help="report what would go, delete nothing")
    p.set_defaults(handler=cmd_cleanup)
