"""``bbws-runtime docker ...``: build, validate, push, promote and clean up the WordPress image.

* :mod:`.runner` runs the docker CLI (argument lists only, never a shell) and is the one seam tests
  replace to assert the exact command lines;
* :mod:`.image` reads the generated repo's ``deploy/image.json`` (names, versions, tag);
* :mod:`.ecr` is every ECR API call (login token, describe, digests, lifecycle, cleanup);
* :mod:`.ops` composes them into the operations; :mod:`.cli` registers the subcommands.

Every operation that calls ECR first proves the credentials belong to the environment's account
(:func:`bbws_scaffold.runtime.guard.require_account`). Imports stay light: boto3 and the standard
library only.
"""
