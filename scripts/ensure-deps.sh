#!/usr/bin/env bash
# Installs the Debian packages Emoscope needs, if any are missing.
# As root it runs apt-get; otherwise it uses sudo when that needs no password;
# otherwise it prints the exact command to run and fails.
set -euo pipefail

packages=(
  libncurses-dev libasound2-dev libsndfile1-dev libopenblas-dev libfftw3-dev libsoxr-dev
  pkg-config tmux alsa-utils util-linux procps
)

if ! command -v swift >/dev/null 2>&1; then
  echo "emoscope: the Swift toolchain (6.0 or newer) is not on PATH; install it from swift.org first." >&2
  exit 1
fi

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

install_line="apt-get install -y --no-install-recommends ${missing[*]}"
echo "emoscope: installing missing packages: ${missing[*]}"
if [[ $(id -u) -eq 0 ]]; then
  runner=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  runner=(sudo)
else
  echo "emoscope: these packages are missing and I cannot install them without root:" >&2
  echo "    sudo apt-get update && sudo $install_line" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${runner[@]}" apt-get update -qq
"${runner[@]}" $install_line
