#!/usr/bin/env bash
# Sets up qualicall in ./.venv on a fresh Debian/Ubuntu machine.
#   ./install.sh          the product (scoring, audio, API, reports)
#   ./install.sh --dev    the product and everything the test suite needs
# System packages are installed with apt-get when running as root; otherwise
# the missing ones are listed and the script stops.
set -euo pipefail
cd "$(dirname "$0")"

DEV=0
[ "${1:-}" = "--dev" ] && DEV=1

# Debian packages: what the product needs, then what the tests need.
APT_RUNTIME=(
  ffmpeg
)
APT_DEV=(
  postgresql
  chromium
  espeak-ng
  sox
)
# Python extras installed by default, and for the tests.
EXTRAS_RUNTIME=(
  api
  web
  privacy
  report
  audio
  models-base
)
EXTRAS_DEV=(
  apitest
  browser
  dev
  transformers
  models-tiny-en
  ray
  openai-whisper
  mono
)
# Installed with --no-deps before the extras (the extra of the same name lists their real dependencies):
# openai-whisper's metadata pulls triton (1 GB, GPU-only); resemblyzer's pulls webrtcvad, which no longer
# builds or imports with current setuptools (webrtcvad-wheels replaces it).
NODEPS_DEV=(
  openai-whisper==20250625
  resemblyzer==0.1.4
)

packages=("${APT_RUNTIME[@]}")
[ $DEV = 1 ] && packages+=("${APT_DEV[@]}")
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "install.sh: installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "install.sh: missing system packages: ${missing[*]} (install them with apt-get as root)" >&2
    exit 1
  fi
fi

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
PIP=(.venv/bin/python -m pip -q --disable-pip-version-check)
"${PIP[@]}" install --upgrade pip setuptools wheel
extras=("${EXTRAS_RUNTIME[@]}")
if [ $DEV = 1 ]; then
  # The CPU build of torch first: an unpinned torch would pull a multi-GB CUDA build.
  # Online, add: --index-url https://download.pytorch.org/whl/cpu
  "${PIP[@]}" install "torch==2.13.0"
  "${PIP[@]}" install --no-deps "${NODEPS_DEV[@]}"
  extras+=("${EXTRAS_DEV[@]}")
fi
"${PIP[@]}" install -e ".[$(IFS=,; echo "${extras[*]}")]"
# What a first score would derive (compiled patterns, lexicons, the example banks' vectors), derived now: the first
# command after installing then answers in seconds, like every later one.
.venv/bin/qualicall models warm
echo "install.sh: ready — .venv/bin/qualicall --help"
