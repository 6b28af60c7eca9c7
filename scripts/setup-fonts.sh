#!/usr/bin/env bash
# Install the fonts the PDF brief and the PNG/SVG maps draw names with
# (coalition/formats/fonts.py), from Debian, when they are missing:
#   fonts-noto-core       Noto Sans, Noto Sans Arabic, Hebrew and Devanagari
#   fonts-droid-fallback  Droid Sans Fallback: Chinese and Japanese (kanji and kana)
#   fonts-nanum           NanumGothic: Korean (Droid Sans Fallback has no Hangul syllables)
# All three are TrueType: reportlab embeds TrueType only, not the CFF outlines of Noto CJK.
set -euo pipefail

# package -> a file it installs (the one fonts.py reads first).
declare -A FONTS=(
    [fonts-noto-core]=/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf
    [fonts-droid-fallback]=/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf
    [fonts-nanum]=/usr/share/fonts/truetype/nanum/NanumGothic.ttf
)

missing=()
for package in "${!FONTS[@]}"; do
    [ -f "${FONTS[$package]}" ] || missing+=("$package")
done
if [ "${#missing[@]}" -eq 0 ]; then
    echo "setup-fonts: the fonts are installed (${!FONTS[*]})"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-fonts: ${missing[*]} missing and apt-get is not available: install the font files listed in scripts/setup-fonts.sh at those paths; until then the PDF brief and the map images refuse names in their scripts" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
echo "setup-fonts: installing Debian's ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
for package in "${missing[@]}"; do
    if [ ! -f "${FONTS[$package]}" ]; then
        echo "setup-fonts: $package was installed but ${FONTS[$package]} does not exist" >&2
        exit 1
    fi
done
echo "setup-fonts: installed ${missing[*]}"
