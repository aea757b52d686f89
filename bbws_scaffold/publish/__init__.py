"""Publish a generated repository to GitHub (``bbws-scaffold repo ...``).

The publisher never renders: it takes a rendered repository folder and its ``ServiceSpec`` and
makes GitHub match the configuration (``bbws_scaffold/data/github.yaml`` + environments.yaml):

* :mod:`.config`     what GitHub should look like (reviewers, protection, secrets sources, hooks)
* :mod:`.desired`    facts read from the rendered repo (CI check names, CODEOWNERS teams)
* :mod:`.client`     the REST transport (PyGithub's requester), error messages, rate-limit waits,
  and the dry-run recorder
* :mod:`.reconcile`  one function per GitHub resource: read the current state, write only the
  difference
* :mod:`.gitops`     git init, the first commit and the push (GitPython; the token never lands
  in ``.git/config``)
* :mod:`.setup`      :func:`~.setup.publish_repo`, the whole path after rendering
* :mod:`.cli`        the ``repo`` command group
"""
