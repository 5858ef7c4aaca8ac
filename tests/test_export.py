"""Exports open cleanly in Excel and cannot carry formula injection."""
import csv
import io
import zipfile

import openpyxl
import pandas as pd

from geo import export

HOSTILE = ["=HYPERLINK(\"http://x\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "正常文字"]


def villages_frame():
    n = len(HOSTILE)
    return pd.DataFrame({"code": [f"61012410020{i}" for i in range(n)], "name": HOSTILE,
                         "township": ["哑柏镇"] * n, "status": ["never"] * n, "advisers": HOSTILE,
                         "orgs": [None] * n, "phones": ["13912345678"] * n,
                         "contract_end": [pd.NaT] * n, "service_status": ["never"] * n,
                         "last_onsite": [pd.NaT] * n})


def test_xlsx_cells_are_plain_text_never_formulas(tmp_path):
    """A text cell cannot run, so it keeps the exact text: no apostrophe, no formula, type string."""
    path = export.write(tmp_path / "g.xlsx", villages_frame())
    ws = openpyxl.load_workbook(path).active
    rows = list(ws.iter_rows(min_row=2))
    assert [r[1].value for r in rows] == HOSTILE and [r[4].value for r in rows] == HOSTILE
    for row in rows:
        for cell in row:
            assert cell.value is None or cell.data_type == "s", (cell.coordinate, cell.value)
        assert isinstance(row[0].value, str) and len(row[0].value) == 12
        assert row[6].value == "13912345678"
    with zipfile.ZipFile(path) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any("<f>" in x or "<f " in x for x in sheets)


def test_csv_has_bom_and_is_neutralised(tmp_path):
    path = export.write(tmp_path / "g.csv", villages_frame())
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["区划代码", "村（社区）", "乡镇（街道）", "状态"]
    for r in rows[1:]:
        assert all(not v or v[0] not in "=+-@\t" for v in r)
    assert rows[1][3] == "从未配备"


def test_english_headers(tmp_path):
    path = export.write(tmp_path / "g.csv", villages_frame(), lang="en")
    header = next(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert header[:4] == ["Code", "Village", "Township", "Status"]


def test_every_english_table_header_is_capitalised():
    from geo.i18n import TEXT

    headers = {k: en for k, (_zh, en) in TEXT.items() if k.startswith(("col.", "imp.col."))}
    assert len(headers) > 20
    assert {k: en for k, en in headers.items() if not en[:1].isupper()} == {}
