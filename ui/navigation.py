"""The app's navigation: which pages a user's role lists, and the hidden pages that say why a guarded one is not
there.  The page scripts live in pages/ at the repository root."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from geo.auth.access import Principal
from geo.text.catalogue import t

#: the page scripts
PAGES = Path(__file__).resolve().parent.parent / "pages"

#: the pages a role may not reach: url path -> title key
GUARDED_PAGES = {"imports": "page.imports", "users": "page.users", "audit": "page.audit"}


def refused_pages(lang: str, shown: list) -> list:
    """The guarded pages missing from `shown`, as hidden pages under their own links: a link to one says why it
    is not there (pages/denied.py) instead of landing on the map without a word."""
    listed = {page.url_path for page in shown}
    return [st.Page(PAGES / "denied.py", title=t(key, lang), url_path=path, visibility="hidden")
            for path, key in GUARDED_PAGES.items() if path not in listed]


def app_pages(principal: Principal | None, lang: str) -> list | dict:
    """The navigation: maps, gap list and summary for everyone; imports for editors and administrators (and
    in open mode); the account and audit pages for administrators who logged in.  Any other guarded page is
    there, hidden, only to say that the role does not allow it."""
    pages = [st.Page(PAGES / "map.py", title=t("page.map", lang), url_path="map", default=True),
             st.Page(PAGES / "gaps.py", title=t("page.gaps", lang), url_path="gaps"),
             st.Page(PAGES / "summary.py", title=t("page.summary", lang), url_path="summary"),
             st.Page(PAGES / "advisers.py", title=t("page.advisers", lang), url_path="advisers")]
    pages.append(st.Page(PAGES / "assess.py", title=t("page.assess", lang), url_path="assess"))
    if principal is None or principal.may("import"):
        pages.append(st.Page(PAGES / "imports.py", title=t("page.imports", lang), url_path="imports"))
    if principal is None:
        return pages
    if not principal.logged_in or not principal.may("manage_accounts"):
        return pages + refused_pages(lang, pages)
    admin = [st.Page(PAGES / "users.py", title=t("page.users", lang), url_path="users"),
             st.Page(PAGES / "audit.py", title=t("page.audit", lang), url_path="audit")]
    return {"": pages, t("nav.admin", lang): admin}
