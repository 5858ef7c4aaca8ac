"""The kinds of service the statistics sent upward count (法律咨询, 法治宣传/讲座, 人民调解 ...), read from the free
text a service log writes in its category column.

A log writes its category as the clerk typed it ("矛盾纠纷调解", "法治讲座", "普法"); the service log reader keeps
that text as it is (``services.category``).  :func:`category_class` reads it into one of :data:`CLASSES` by the
first matching word of :data:`CATEGORY_WORDS`, in that order: "法治宣传讲座" is a lecture, "村规民约审查" a part in
village rules, not a contract review.  Anything else is ``other``.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

CONSULTATION, LECTURE, MEDIATION, CONTRACT, DOCUMENT, GOVERNANCE, OTHER = (
    "consultation", "lecture", "mediation", "contract", "document", "governance", "other")
#: the classes in the order of the provincial forms' columns
CLASSES = (CONSULTATION, LECTURE, MEDIATION, CONTRACT, DOCUMENT, GOVERNANCE, OTHER)

#: class -> the words that name it in a log's category column, looked for in this order
CATEGORY_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (MEDIATION, ("调解", "纠纷化解", "化解纠纷", "mediation")),
    (LECTURE, ("讲座", "宣传", "普法", "法治教育", "法制教育", "培训", "授课", "lecture", "publicity")),
    (GOVERNANCE, ("村规民约", "居规民约", "居民公约", "自治章程", "重大决策", "决策", "村务", "重大事项",
                  "governance")),
    (CONTRACT, ("合同", "协议", "contract")),
    (DOCUMENT, ("代写", "代书", "文书", "起草", "document")),
    (CONSULTATION, ("咨询", "解答", "答疑", "consultation")),
)


@lru_cache(maxsize=4096)
def category_class(text: str | None) -> str:
    """The class of a log's category text (``other`` when blank or not recognised)."""
    if not text:
        return OTHER
    compact = "".join(unicodedata.normalize("NFKC", str(text)).split()).lower()
    for cls, words in CATEGORY_WORDS:
        if any(word in compact for word in words):
            return cls
    return OTHER
