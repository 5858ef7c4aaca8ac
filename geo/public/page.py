"""The public village page as HTML: what the board says, large, for a phone, in Chinese, with the feedback form.

Plain HTML and a little inline CSS: no script, no image, no font, nothing fetched from anywhere, no cookie.  Every
text from the store (names, organisations, phones, the county's settings) goes through :func:`html.escape`; the
only markup is this module's own.  :data:`HEADERS` says so to the browser as well (a Content-Security-Policy that
allows no script and no other origin), keeps the token in the address from being sent on (Referrer-Policy) and
keeps the page out of caches and search engines.
"""
from __future__ import annotations

import html
import re

from geo.public.board import SERVICE_KEYS, Board
from geo.text.catalogue import t

#: the headers of every answer of the public routes
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                               "base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex, nofollow",
}
CONTENT_TYPE = "text/html; charset=utf-8"
#: what the satisfaction choices say, 1 (worst) to 5
SATISFACTION_KEYS = ("pub.form.s1", "pub.form.s2", "pub.form.s3", "pub.form.s4", "pub.form.s5")
COMMENT_MAX = 200

_STYLE = """
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;font-size:20px;
line-height:1.6;color:#1a1a1a;background:#f6f3ef}
main{max-width:36rem;margin:0 auto;padding:0 0 2rem}
header{background:#9e1b20;color:#fff;padding:1rem 1rem 1.2rem;text-align:center}
header p{margin:0;font-size:.9em;opacity:.9}
h1{margin:.2rem 0 0;font-size:1.7em;line-height:1.3}
section{background:#fff;margin:.8rem .6rem;padding:.8rem 1rem;border-radius:.5rem}
h2{margin:0 0 .4rem;font-size:1.05em;color:#9e1b20}
.card{border-top:1px solid #eee;padding:.5rem 0}.card:first-of-type{border-top:0}
.name{font-size:1.4em;font-weight:bold;margin:0}.org{color:#555;margin:0}
a.tel{display:inline-block;font-size:1.3em;font-weight:bold;color:#0b57d0;text-decoration:none;padding:.2rem 0}
ol{margin:0;padding-left:1.4em}p{margin:.3rem 0}
.notice{margin:.8rem .6rem;padding:.8rem 1rem;border-radius:.5rem;background:#e6f4ea;border:2px solid #137333}
.notice.warn{background:#fdecea;border-color:#b3261e}
fieldset{border:0;margin:0 0 .8rem;padding:0}legend{font-weight:bold;padding:0;margin-bottom:.3rem}
.choices label{display:block;padding:.45rem .6rem;margin:.25rem 0;border:1px solid #ccc;border-radius:.4rem}
input[type=radio],input[type=checkbox]{width:1.3em;height:1.3em;vertical-align:middle;margin-right:.5em}
textarea{width:100%;font-size:1em;padding:.4rem;border:1px solid #999;border-radius:.4rem}
button{width:100%;font-size:1.15em;padding:.7rem;border:0;border-radius:.5rem;background:#9e1b20;color:#fff}
.small{font-size:.8em;color:#666}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _tel(phone: str) -> str:
    """A phone as a ``tel:`` link: its digits (and a leading +) only, so nothing else reaches the attribute."""
    digits = re.sub(r"[^0-9+]", "", phone)
    return f'<a class="tel" href="tel:{_e(digits)}">{_e(phone)}</a>' if digits else _e(phone)


def _z(key: str, **params: object) -> str:
    """A catalogue text in Chinese, escaped."""
    return _e(t(key, "zh", **params))


def _document(title: str, body: str) -> str:
    return ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            '<meta name="robots" content="noindex,nofollow"><meta name="referrer" content="no-referrer">'
            f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body><main>{body}</main></body></html>")


def _advisers(board: Board) -> str:
    if not board.advisers:
        return f"<p>{_z('pub.board.none')}</p>"
    cards = []
    for a in board.advisers:
        parts = [f'<p class="name">{_e(a.name)}</p>']
        if a.org:
            parts.append(f'<p class="org">{_e(a.org)}</p>')
        if a.phone:
            parts.append(f"<p>{_tel(a.phone)}</p>")
        cards.append(f'<div class="card">{"".join(parts)}</div>')
    if board.last_onsite is not None:
        day = board.last_onsite
        cards.append(f"<p>{_z('pub.page.last_onsite', date=f'{day.year}年{day.month}月{day.day}日')}</p>")
    return "".join(cards)


def _form(action: str) -> str:
    stars = "".join(f'<label><input type="radio" name="satisfaction" value="{n}">{_z(key)}</label>'
                    for n, key in reversed(list(enumerate(SATISFACTION_KEYS, 1))))
    reached = "".join(f'<label><input type="radio" name="reached" value="{v}">{_z(key)}</label>'
                      for v, key in (("yes", "pub.form.yes"), ("no", "pub.form.no")))
    return (f'<form method="post" action="{_e(action)}">'
            f'<fieldset class="choices"><legend>{_z("pub.form.satisfaction")}</legend>{stars}</fieldset>'
            f'<fieldset class="choices"><legend>{_z("pub.form.reached")}</legend>{reached}</fieldset>'
            f'<fieldset class="choices"><label><input type="checkbox" name="never_seen" value="1">'
            f'{_z("pub.form.never_seen")}</label></fieldset>'
            f'<fieldset><legend>{_z("pub.form.comment")}</legend>'
            f'<textarea name="comment" rows="3" maxlength="{COMMENT_MAX}"></textarea>'
            f'<p class="small">{_z("pub.form.comment_hint", n=COMMENT_MAX)}</p></fieldset>'
            f'<button type="submit">{_z("pub.form.send")}</button>'
            f'<p class="small">{_z("pub.form.privacy")}</p></form>')


def village_page(board: Board, form_action: str, notice: tuple[str, bool] | None = None) -> str:
    """The page of `board`; `form_action`: where the form posts (the page's own address, relative);
    `notice`: (catalogue key, whether it is good news) shown above everything else, after a form was sent."""
    s = board.settings
    place = "".join(p for p in (board.county, board.township) if p)
    note = ""
    if notice is not None:
        key, good = notice
        note = f'<p class="notice{"" if good else " warn"}" role="status">{_z(key)}</p>'
    services = "".join(f"<li>{_z(key)}</li>" for key in SERVICE_KEYS)
    supervision = _tel(s.supervision_phone) if s.supervision_phone else _z("pub.board.ask_bureau")
    body = (f'<header><p>{_e(place)}</p><h1>{_e(board.name)}</h1><p>{_z("pub.page.subtitle")}</p></header>{note}'
            f'<section><h2>{_z("pub.board.advisers")}</h2>{_advisers(board)}</section>'
            f'<section><h2>{_z("pub.board.services")}</h2><ol>{services}</ol></section>'
            f'<section><h2>{_z("pub.board.when_where")}</h2>'
            f'<p>{_z("pub.board.time", time=s.service_time or t("pub.default_time", "zh"))}</p>'
            f'<p>{_z("pub.board.place", place=s.service_place or t("pub.default_place", "zh"))}</p></section>'
            f'<section><h2>{_z("pub.page.phones")}</h2>'
            f'<p>{_z("pub.page.supervision")}{supervision}</p>'
            f'<p>{_z("pub.page.hotline")}{_tel(s.hotline)}</p></section>'
            f'<section><h2>{_z("pub.form.title")}</h2>{_form(form_action)}</section>')
    return _document(t("pub.page.title", "zh", village=board.name), body)


def missing_page() -> str:
    """What an address that opens no village shows: the same for a mistyped, made-up or rotated token."""
    body = (f'<header><h1>{_z("pub.page.missing_title")}</h1></header>'
            f'<section><p>{_z("pub.page.missing")}</p><p>{_z("pub.page.hotline")}'
            f'<a class="tel" href="tel:12348">12348</a></p></section>')
    return _document(t("pub.page.missing_title", "zh"), body)


def refusal_page(key: str) -> str:
    """A short page for an answer without a village (too many requests, a body too large, a wrong method)."""
    return _document(t(key, "zh"), f'<section><p>{_z(key)}</p></section>')
