"""Exports open cleanly in Excel and cannot carry formula injection."""
import csv
import datetime as dt
import io
import zipfile

import openpyxl
import pandas as pd

from geo.outputs import export
from geo.text.formats import day
from geo.views import gap_list

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
    path = gap_list.write(tmp_path / "g.xlsx", villages_frame())
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
    path = gap_list.write(tmp_path / "g.csv", villages_frame())
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["区划代码", "村（社区）", "乡镇（街道）", "状态"]
    for r in rows[1:]:
        assert all(not v or v[0] not in "=+-@\t" for v in r)
    assert rows[1][3] == "从未配备"


def test_english_headers(tmp_path):
    path = gap_list.write(tmp_path / "g.csv", villages_frame(), lang="en")
    header = next(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert header[:4] == ["Code", "Village", "Township", "Status"]


def test_every_english_table_header_is_capitalised():
    from geo.text.catalogue import TEXT

    headers = {k: en for k, (_zh, en) in TEXT.items() if k.startswith(("col.", "imp.col."))}
    assert len(headers) > 20
    assert {k: en for k, en in headers.items() if not en[:1].isupper()} == {}


# ------------------------------------------------------------------ cell types: numbers, dates, text (issue 19.5)

DAY = "2026-11-27"


def typed_columns(data: bytes, sheet: int = 0) -> dict[str, set[str]]:
    """Each column's header -> the kinds of its cells as openpyxl reads them back: 'text', 'number', 'date'."""
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[sheet]
    rows = list(ws.iter_rows(values_only=True))
    kinds: dict[str, set[str]] = {h: set() for h in rows[0]}
    for row in rows[1:]:
        for head, v in zip(rows[0], row):
            if v is None:
                continue
            kinds[head].add("text" if isinstance(v, str) else "date" if isinstance(v, dt.datetime) else
                            "number" if isinstance(v, (int, float)) else type(v).__name__)
    return kinds


def assert_no_number_as_text(kinds: dict[str, set[str]], text_ok: set[str]) -> None:
    """No column but the text ones holds text that reads as a number or a date."""
    assert kinds
    for head, got in kinds.items():
        if head not in text_ok:
            assert got <= {"number", "date", "text"}, (head, got)


def text_cells(data: bytes, head: str) -> list[str]:
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(values_only=True))
    j = rows[0].index(head)
    return [r[j] for r in rows[1:] if isinstance(r[j], str)]


NUMBERISH = __import__("re").compile(r"^-?\d+(\.\d+)?$|^\d{4}-\d{2}-\d{2}")


def test_gap_list_dates_are_date_cells_and_codes_stay_text(demo_store):
    from geo.auth.access import OPEN
    from geo.core.codes import Scope

    gap = gap_list.gap_list(demo_store, OPEN, Scope.parse("610124"), DAY)
    data = export.to_xlsx_bytes(gap_list.village_table(gap.villages))
    kinds = typed_columns(data)
    assert kinds["区划代码"] == {"text"} and kinds["联系电话"] <= {"text"}
    assert "date" in kinds["合同到期"] and "date" in kinds["最近到村服务"]
    for head in ("合同到期", "最近到村服务"):          # the only text left is 长期 (an open-ended contract)
        assert not [v for v in text_cells(data, head) if NUMBERISH.match(v)], head
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    dated = [c for c in ws["H"][1:] if isinstance(c.value, dt.datetime)]
    assert dated and all(c.number_format == "yyyy-mm-dd" for c in dated)
    expected = {dt.date.fromisoformat(v) if isinstance(v, str) else v.date()
                for v in gap.villages["contract_end"].dropna()}
    assert {c.value.date() for c in dated} == expected


def test_plan_distances_are_numbers(demo_store):
    from geo.core.codes import Scope
    from geo.planning import plan_gaps
    from geo.planning.output import xlsx_bytes

    plan = plan_gaps(demo_store, Scope.parse("610124"), DAY, max_km=8)
    data = xlsx_bytes(plan)
    kinds, towns = typed_columns(data), typed_columns(data, 1)
    assert kinds["距离（公里）"] == {"number"} and kinds["区划代码"] == {"text"}
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    distances = [c.value for c in ws["H"][1:] if c.value is not None]
    taken = plan.villages.loc[plan.villages["adviser_id"].notna(), "distance_km"]
    assert distances == [round(float(d), 1) for d in taken]
    assert towns["区划代码"] == {"text"} and towns["剩余缺口村居"] == {"number"}


def test_register_and_renewals_counts_and_dates(demo_store):
    from geo.core.codes import Scope
    from geo.views import advisers

    reg = advisers.register(demo_store, Scope.parse("610124"), dt.date.fromisoformat(DAY))
    table = advisers.register_table(reg)
    data = advisers.table_bytes(table, ".xlsx", "顾问")
    kinds = typed_columns(data)
    assert kinds["联系电话"] == {"text"} and kinds["执业证号"] <= {"text"}
    assert kinds["在聘村（社区）数"] == {"number"}
    assert "date" in kinds["最早到期"] and not [v for v in text_cells(data, "最早到期") if NUMBERISH.match(v)]
    ren = advisers.renewals(demo_store, Scope.parse("610124"), dt.date.fromisoformat(DAY), days=365)
    assert len(ren.frame)
    data = advisers.table_bytes(advisers.renewal_table(ren), ".xlsx", "续聘")
    kinds = typed_columns(data)
    assert kinds["区划代码"] == {"text"} and kinds["合同到期"] == {"date"}
    assert kinds["该顾问在聘村数"] == {"number"}
    csv_text = advisers.table_bytes(advisers.renewal_table(ren), ".csv", "").decode("utf-8-sig")
    assert day(ren.frame["end_date"].iloc[0]) in csv_text and "00:00:00" not in csv_text   # CSV: the day


def test_import_report_row_numbers_are_numbers(tmp_path):
    from geo.imports import Note, write_report
    from geo.imports.results import ImportResult, Verbatim

    notes = (Note(12, "bad_code", Verbatim("坏 / bad"), {"代码": "6101", "电话": "13912345678", "金额": "=1+1"}),
             Note(None, "no_column", Verbatim("缺列 / missing")))
    result = ImportResult("registry", "x.csv", "imported", 1, rejected=notes)
    data = write_report(result, tmp_path / "r.xlsx").read_bytes()
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert rows[0][0] == 12 and rows[1][0] is None
    assert rows[0][3:] == ("6101", "13912345678", "=1+1")          # file cells stay text, inert


def test_cell_kinds_of_values():
    assert [export.cell_kind(v) for v in ("", None, pd.NaT, float("nan"), "12.0", "=1", 3, 2.5,
                                          dt.date(2026, 1, 2), pd.Timestamp("2026-01-02"),
                                          pd.Timestamp("2026-01-02 08:30"))] == \
        ["blank", "blank", "blank", "blank", "text", "text", "number", "number", "date", "date", "time"]


def test_a_page_shows_the_gap_list_s_dates_as_text_arrow_can_carry(demo_store):
    """The table keeps dates for the spreadsheet, beside "长期" and "": Arrow, which carries a page's table to
    the browser, refuses such a column (Streamlit then re-types it, serialising the table twice).  The page's
    copy writes those dates as text, the same text a CSV shows; other columns are untouched."""
    import pyarrow as pa

    from geo.auth.access import OPEN
    from geo.core.codes import Scope
    from geo.text.formats import dates_as_text

    table = gap_list.village_table(gap_list.gap_list(demo_store, OPEN, Scope.parse("610124"), DAY).villages)
    ends = table["合同到期"]
    assert {type(v) for v in ends} >= {dt.date, str}
    try:
        pa.Table.from_pandas(table)
        refused = False
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        refused = True
    assert refused
    shown = dates_as_text(table)
    pa.Table.from_pandas(shown)
    assert list(shown["合同到期"]) == [day(v) if isinstance(v, dt.date) else v for v in ends]
    assert all(isinstance(v, str) for v in shown["合同到期"])
    unchanged = [c for c in table.columns if c not in ("合同到期", "最近到村服务")]
    pd.testing.assert_frame_equal(shown[unchanged], table[unchanged])
