"""defusedxml is what keeps openpyxl from expanding an .xlsx's XML entities (billion laughs) or reading files
they name (XXE): openpyxl uses it only when it is installed, so it is pinned as a direct dependency."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from geo.sources.ledger.fields import read_ledger

ROOT = Path(__file__).resolve().parent.parent
_LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE worksheet [\n<!ENTITY a0 "ha">\n'
           + "".join(f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">\n' for i in range(1, 10))
           + "]>\n")


def _xlsx_with(sheet_xml_head: str, cell_text: str) -> bytes:
    """A real workbook whose first sheet starts with `sheet_xml_head` (a DTD) and has `cell_text` in A2."""
    wb = openpyxl.Workbook()
    wb.active.append(["村（社区）", "法律顾问"])
    wb.active.append(["MARKER", "张三"])
    plain = io.BytesIO()
    wb.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = re.sub(r"^<\?xml[^>]*\?>", "", data.decode())
                data = (sheet_xml_head + text.replace("MARKER", cell_text)).encode()
            dst.writestr(item, data)
    return out.getvalue()


def _defused(error: BaseException | None) -> bool:
    """Whether defusedxml refused the XML: the error or one it was raised from (openpyxl wraps it)."""
    from defusedxml import DefusedXmlException

    while error is not None:
        if isinstance(error, DefusedXmlException):
            return True
        error = error.__cause__ or error.__context__
    return False


def _load_all(path: Path, read_only: bool) -> list:
    wb = openpyxl.load_workbook(path, read_only=read_only)
    return [list(r) for r in wb.active.iter_rows(values_only=True)]


def test_defusedxml_is_a_direct_pinned_dependency():
    pins = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    assert any(re.fullmatch(r"defusedxml==\d+(\.\d+)+", p) for p in pins)


def test_openpyxl_parses_through_defusedxml():
    from openpyxl import xml

    assert xml.DEFUSEDXML is True


@pytest.mark.parametrize("read_only", [True, False])
def test_openpyxl_refuses_a_billion_laughs_sheet(tmp_path, read_only):
    path = tmp_path / "laughs.xlsx"
    path.write_bytes(_xlsx_with(_LAUGHS, "&a9;"))
    with pytest.raises(Exception) as caught:
        _load_all(path, read_only)
    assert _defused(caught.value)


def test_openpyxl_refuses_an_external_entity(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    head = f'<?xml version="1.0"?>\n<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file://{secret}">]>\n'
    path = tmp_path / "xxe.xlsx"
    path.write_bytes(_xlsx_with(head, "&x;"))
    with pytest.raises(Exception) as caught:
        _load_all(path, True)
    assert _defused(caught.value)


def test_the_ledger_reader_refuses_a_billion_laughs_ledger(tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(_xlsx_with(_LAUGHS, "&a9;"))
    with pytest.raises(Exception) as caught:
        read_ledger(path)
    assert "ha" * 1000 not in str(caught.value)
