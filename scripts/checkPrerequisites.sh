#!/usr/bin/env bash
# What `npm test` needs besides node_modules, checked before anything is installed, so that a fresh machine learns
# everything it lacks at once. The one list of these prerequisites: `npm run setup`, test/e2e/setupCodeServer.sh and
# .ci/run all ask this script.
#
#   scripts/checkPrerequisites.sh                 check; name what is missing and the command that installs it (exit 1)
#   scripts/checkPrerequisites.sh --apt-packages  print the Debian packages that provide everything (for .ci/run)
#
# Debian's Chromium drives the end-to-end tests; ripgrep and the Kerberos headers are needed to build code-server;
# PyTorch, ONNX and NumPy (for /usr/bin/python3, or $LLEMMA_PYTHON) run the training workspace's tests, and OpenBLAS
# keeps Debian's torch off its slow reference BLAS.
set -uo pipefail

apt_packages=(chromium ripgrep libkrb5-dev python3-torch python3-onnx python3-numpy libopenblas0-openmp)
if [[ "${1:-}" == "--apt-packages" ]]; then
  echo "${apt_packages[*]}"
  exit 0
fi

python="${LLEMMA_PYTHON:-/usr/bin/python3}"
missing=()
[[ -x /usr/bin/chromium ]] || missing+=("Chromium at /usr/bin/chromium (package chromium)")
command -v rg >/dev/null 2>&1 || missing+=("ripgrep (package ripgrep)")
[[ -e /usr/include/krb5.h || -e /usr/include/gssapi/gssapi.h ]] || missing+=("the Kerberos headers (package libkrb5-dev)")
if ! "$python" -c 'import torch, onnx, numpy' >/dev/null 2>&1; then
  missing+=("PyTorch, ONNX and NumPy for $python (packages python3-torch python3-onnx python3-numpy, or set LLEMMA_PYTHON)")
fi
# The library list is read whole first: `ldconfig -p | grep -q` under pipefail fails whenever grep's early exit
# cuts ldconfig off (SIGPIPE), which made the check say OpenBLAS was missing now and then.
libraries="$(ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null)"
if ! grep -q 'libopenblas' <<<"$libraries"; then
  missing+=("OpenBLAS (package libopenblas0-openmp)")
fi

if ((${#missing[@]})); then
  {
    echo "npm test needs, and this machine lacks:"
    printf '  - %s\n' "${missing[@]}"
    echo "On Debian or Ubuntu: sudo apt-get install --no-install-recommends ${apt_packages[*]}"
  } >&2
  exit 1
fi
