"""Village and township names as people write them, reduced to comparable keys.

The registry says "王家村委会" or "王家村民委员会", a ledger says "王家村" or "王家"; they are one village.
:func:`normalize_village_name` strips the committee / 村 / 社区 suffix; :func:`village_name_keys` gives the
progressively shorter forms used as fallbacks (so "新村" still finds the registry's "新村村委会", whose key
is "新村").  Bracketed notes such as "（原李家村）" are dropped: they are remarks, not part of the name.
"""
from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

# longest first: one suffix is removed by normalize_village_name
VILLAGE_SUFFIXES = (
    "社区居民委员会", "嘎查村民委员会", "社区居委会", "村民委员会", "居民委员会", "牧民委员会",
    "嘎查委员会", "村委员会", "村委会", "居委会", "牧委会", "委员会", "社区", "嘎查", "村",
)
#: suffixes village_name_keys strips one after another at most
MAX_SUFFIXES_STRIPPED = 4
# committee words only: "王家村委会" -> "王家村", "城关社区居委会" -> "城关社区"
_COMMITTEE = (
    ("社区居民委员会", "社区"), ("社区居委会", "社区"), ("嘎查村民委员会", "嘎查"), ("嘎查委员会", "嘎查"),
    ("村民委员会", "村"), ("村委员会", "村"), ("村委会", "村"), ("居民委员会", ""), ("居委会", ""),
    ("牧民委员会", ""), ("牧委会", ""),
)

ETHNIC_GROUPS = (
    "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼",
    "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土",
    "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克",
    "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
)
# matched on the reversed name from its start: anchored at the end, a search would retry from every position
# of a long run of 族 words (quadratic); "苗族乡" reversed is "乡族苗"
_ETHNIC_TOWNSHIP_REVERSED = re.compile(
    "(?:乡|镇|木苏)(?:族民)?(?:族(?:" + "|".join(sorted((g[::-1] for g in ETHNIC_GROUPS), key=len, reverse=True))
    + "))+")
_TOWNSHIP_SUFFIX = re.compile(
    r"(?:街道办事处|街道办|办事处|街道|民族乡|民族镇|民族苏木|苏木|镇|乡)$")

_BRACKETS = re.compile(r"[(\[{【〔［][^)\]}】〕］]*[)\]}】〕］]")
_CLOSERS = ")]}】〕］"
_PUNCT = re.compile(r"[\s\u3000·•.。\"'“”‘’]+")
_SPLIT = re.compile(r"[、,，;；/|\n\r]+")


def clean_name(name: object) -> str:
    """NFKC (full-width -> half-width), no whitespace, no bracketed remark."""
    if name is None:
        return ""
    text = unicodedata.normalize("NFKC", str(name))
    text = without_bracketed(text, _BRACKETS, _CLOSERS)
    return _PUNCT.sub("", text)


def without_bracketed(text: str, pattern: re.Pattern[str], closers: str) -> str:
    """`text` without what `pattern` (an opener, no closer, a closer) finds, in linear time.

    Only the text up to the last closer is searched: there every opener finds its closer, whereas an opener
    with no closer after it would make the search scan to the end from each of a long run of openers.
    """
    last = max(text.rfind(c) for c in closers)
    return pattern.sub("", text[:last + 1]) + text[last + 1:] if last >= 0 else text


def normalize_village_name(name: object) -> str:
    """The comparable key of a village/community name: "王家村民委员会" -> "王家", "城关社区居委会" -> "城关".

    A name that is nothing but a suffix ("村") is returned unchanged rather than emptied.
    """
    text = clean_name(name)
    for suffix in VILLAGE_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def normalize_village_names(names: "pd.Series") -> "pd.Series":
    """Vectorised :func:`normalize_village_name` for a whole registry column (same results, much faster)."""
    text = names.astype(str).str.normalize("NFKC")
    bracketed = text.str.contains(f"[{re.escape(_CLOSERS)}]", regex=True)
    text = text.mask(bracketed, text[bracketed].map(lambda s: without_bracketed(s, _BRACKETS, _CLOSERS)))
    text = text.str.replace(_PUNCT.pattern, "", regex=True)
    suffix = "(?<=.)(?:" + "|".join(VILLAGE_SUFFIXES) + ")$"
    return text.str.replace(suffix, "", regex=True)


def committee_form(name: object) -> str:
    """The village's own name with only the committee words removed: "马村委会" -> "马村", "城关社区居委会" ->
    "城关社区", "乌兰嘎查村民委员会" -> "乌兰嘎查", "巴音牧委会" -> "巴音"; so every form of one committee agrees."""
    text = clean_name(name)
    for long, short in _COMMITTEE:
        if text.endswith(long) and len(text) > len(long):
            return text[: -len(long)] + short
    return text


def village_name_keys(name: object) -> list[str]:
    """All keys a name may be filed under, most specific first, without duplicates.

    "新村村委会" -> ["新村村委会", "新村村", "新村", "新"]; used for the fallback lookups.
    """
    keys: list[str] = []
    text = clean_name(name)
    if not text:
        return keys
    keys.append(text)
    keys.append(committee_form(text))
    current = text
    for _ in range(MAX_SUFFIXES_STRIPPED):  # "新村村委会" needs three; "村村村…" would need one per character
        shorter = normalize_village_name(current)
        if shorter == current:
            break
        keys.append(shorter)
        current = shorter
    out: list[str] = []
    for k in keys:
        if k and k not in out:
            out.append(k)
    return out


def normalize_township_name(name: object) -> str:
    """The comparable key of a township: "城关镇" / "城关街道办事处" / "城关" -> "城关"; "XX苗族乡" -> "XX"."""
    text = clean_name(name)
    ethnic = _ETHNIC_TOWNSHIP_REVERSED.match(text[::-1])
    stripped = text[:len(text) - ethnic.end()] if ethnic else text
    if stripped and stripped != text:
        return stripped
    stripped = _TOWNSHIP_SUFFIX.sub("", text)
    return stripped if stripped else text


def split_village_names(cell: object) -> list[str]:
    """One cell may name several villages: "A村、B村", "A村,B村", "A村；B村", "A村 B村" -> one entry each.

    Whitespace splits only when every piece is at least two characters long, so a stray space inside one
    name ("王 家村") does not cut it in two.  Bracketed remarks are kept with their name.
    """
    if cell is None:
        return []
    text = unicodedata.normalize("NFKC", str(cell)).strip()
    if not text:
        return []
    # protect separators inside brackets: "王家村（含李家、张家组）"
    pieces: list[str] = []
    depth, buf = 0, []
    for ch in text:
        if ch in "([{【〔":
            depth += 1
        elif ch in ")]}】〕" and depth:
            depth -= 1
        if depth == 0 and _SPLIT.fullmatch(ch):
            pieces.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    pieces.append("".join(buf))
    out: list[str] = []
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        words = piece.split()
        if len(words) > 1 and all(len(clean_name(w)) >= 2 for w in words):
            out.extend(words)
        else:
            out.append(re.sub(r"\s+", "", piece))
    return out
