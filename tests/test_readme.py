"""The README for a newcomer: the two commands at the top set up a virtual environment on Python 3.11+, the
Chinese font is named before the long sections, and "使用说明 / How to use it" has one heading, one paragraph and
one screenshot for every page of the app's navigation, each screenshot committed under docs/; the layout is the
tree's (tests/readme_layout.py builds it)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import readme_layout
from benchmarks.screenshots import OUT, pages, shot_path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")


def section(title: str) -> str:
    """The text of the ``## <title>`` section, up to the next second-level heading."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match, f"no section '{title}' in README.md"
    return match.group(1)


def test_every_image_the_readme_shows_is_committed():
    shown = IMAGE.findall(README)
    assert shown
    for path in shown:
        assert (ROOT / path).is_file(), path


def test_the_two_commands_make_a_virtual_environment_on_python_311():
    commands = re.findall(r"```bash\n(.*?)\n```", section("两条命令 · The two commands"), re.S)
    assert len(commands) == 2
    for command in commands:
        assert command.startswith("python3 -m venv .venv && . .venv/bin/activate && pip install -r requirements")
    assert re.search(r"Python 3\.11", section("两条命令 · The two commands"))
    assert "requirements.txt" in commands[0] and commands[0].endswith("streamlit run app.py")
    assert "fonts-noto-cjk" in section("两条命令 · The two commands")       # up front, not only in the briefing


@pytest.fixture(scope="module")
def guide() -> dict[str, str]:
    """使用说明's subsections: heading -> body."""
    parts = re.split(r"^### (.+)\n", section("使用说明 · How to use it"), flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


@pytest.mark.parametrize("page", pages(), ids=lambda p: p.url_path)
def test_every_page_of_the_navigation_has_a_paragraph_and_its_screenshot(guide, page):
    [body] = [body for heading, body in guide.items() if heading.split(" · ")[0] == page.title]
    paragraphs = [b for b in body.split("\n\n") if b.strip() and not IMAGE.search(b)]
    assert paragraphs and len(paragraphs[0]) > 40
    shot = shot_path(page.url_path)
    assert IMAGE.findall(body) == [shot.relative_to(ROOT).as_posix()]
    assert shot.is_file() and shot.stat().st_size < 200_000


def test_the_guide_has_no_page_the_app_does_not_have(guide):
    titles = {p.title for p in pages()}
    assert {heading.split(" · ")[0] for heading in guide} == titles
    assert {f.name for f in OUT.glob("*.png")} == {shot_path(p.url_path).name for p in pages()}


def test_the_layout_is_the_trees():
    written = readme_layout.block_in(README)
    assert written is not None, f"README.md has lost its layout markers ({readme_layout.BEGIN!r})"
    assert written == readme_layout.block(), (
        f"README.md's layout differs from the tree: run `{readme_layout.COMMAND}` and commit README.md")
