"""Reading numbers and dates the way printed briefs write them: full- or half-width digits and
brackets, Arabic or Chinese numerals (第二期, 二〇二四年一月十九日)."""

import re
import unicodedata
from datetime import date

CHINESE_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
                  "七": 7, "八": 8, "九": 9}  # fmt: skip
CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000}
NUMERAL = r"[0-9〇零○一二两三四五六七八九十百千]+"


def fold(text: str) -> str:
    """Full-width digits, letters, brackets and colons become half-width (NFKC); 〇 stays."""
    return unicodedata.normalize("NFKC", text or "")


def squeeze(text: str) -> str:
    """Without any whitespace (ASCII, ideographic, non-breaking), as printed Chinese is read."""
    return re.sub(r"\s+", "", text or "")


def to_int(numeral: str) -> int | None:
    """ "117" → 117; "十九" → 19; "一百一十七" → 117; "二〇二四" → 2024 (digit by digit)."""
    numeral = numeral.strip()
    if not numeral:
        return None
    if numeral.isdigit():
        return int(numeral)
    if not any(ch in CHINESE_UNITS for ch in numeral):
        digits = [CHINESE_DIGITS.get(ch) for ch in numeral]
        if None in digits:
            return None
        return int("".join(str(d) for d in digits))
    total, current = 0, 0
    for ch in numeral:
        if ch in CHINESE_DIGITS:
            current = CHINESE_DIGITS[ch]
        elif ch in CHINESE_UNITS:
            total += (current or 1) * CHINESE_UNITS[ch]
            current = 0
        else:
            return None
    return total + current


TOTAL_RE = re.compile(r"总\s*第\s*(" + NUMERAL + r")\s*期")
NUMBER_RE = re.compile(r"(?<!总)(?<!总\s)第\s*(" + NUMERAL + r")\s*期")
DATE_RE = re.compile(
    r"(" + NUMERAL + r")\s*年\s*(" + NUMERAL + r")\s*月\s*(" + NUMERAL + r")\s*日"
    r"|(\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})"
)


def find_numbers(text: str) -> tuple[int | None, int | None]:
    """(第N期, 总第M期) found in ``text``; None for what is not there."""
    text = fold(text)
    total = TOTAL_RE.search(text)
    # Blank out 总第M期 first, so 第N期 never picks up the running number.
    rest = TOTAL_RE.sub(" ", text)
    number = NUMBER_RE.search(rest)
    return (to_int(number.group(1)) if number else None, to_int(total.group(1)) if total else None)


def find_date(text: str) -> date | None:
    for match in DATE_RE.finditer(fold(text)):
        groups = match.groups()
        parts = groups[:3] if groups[0] else groups[3:]
        values = [to_int(p) for p in parts]
        if None in values:
            continue
        year, month, day = values
        if year < 100:
            continue
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return None
