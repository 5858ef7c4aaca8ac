"""Jurisdiction enforced in the library: imports of every kind, rollback, gap-list exports and map files."""
import datetime as dt
import io

import geopandas as gpd
import openpyxl
import pytest
import shapely

from geo import imports
from geo.auth import audit
from geo.auth.access import OPEN, AccessDenied, Principal, Role, scoped
from geo.core.codes import Scope
from geo.outputs import export
from geo.views import gap_list
from geo.views.map_view import map_view
from test_accounts import REGISTRY

AS_OF = dt.date(2026, 6, 1)
# (village code, name, adviser, phone): two townships of 周至县
LEDGER = [("610124100201", "东村村委会", "顾问甲", "13800000001"),
          ("610124100202", "西村村委会", "顾问乙", "13800000002"),
          ("610124101001", "终南社区居委会", "顾问丙", "13800000003")]
PHONES = [phone for *_, phone in LEDGER]


def who(role: str, digits: str, name: str | None = "u") -> Principal:
    return Principal(name, "", Role(role), Scope(digits))


ANONYMOUS = Principal(None, "", Role.VIEWER, Scope(""))     # logged in as nobody, not open mode


@pytest.fixture
def store(new_store):
    s = new_store("jur")
    with s.transaction() as cur:
        s.load_registry(REGISTRY, cur)
    return s


def ledger(folder, rows=LEDGER, name="周至县台账.csv"):
    path = folder / name
    path.write_text("区划代码,村（社区）名称,法律顾问姓名,联系电话,聘任期限\n"
                    + "".join(f"{c},{n},{a},{p},2026.1-2027.12\n" for c, n, a, p in rows), encoding="utf-8")
    return path


def boundaries(folder, codes=("610124100201", "610124101001")):
    path = folder / "村界.geojson"
    cells = [shapely.box(108.2 + i * 0.01, 34.1, 108.21 + i * 0.01, 34.11) for i in range(len(codes))]
    gpd.GeoDataFrame({"ZLDWDM": list(codes), "ZLDWMC": ["村"] * len(codes)}, geometry=cells,
                     crs="EPSG:4326").to_file(path, driver="GeoJSON")
    return path


def stored_villages(store) -> list[str]:
    return sorted(f"{v:012d}" for v in store.query("SELECT village FROM assignments")["village"])


def test_a_ledger_row_outside_the_jurisdiction_is_rejected_with_its_row(store, tmp_path):
    township_editor = who("editor", "610124100", "yabai")
    result = imports.run_import(store, "assignments", ledger(tmp_path), {}, principal=township_editor)
    assert (result.rows_accepted, result.rows_rejected) == (2, 1)
    (note,) = result.rejected
    assert (note.row, note.reason) == (4, "outside_jurisdiction")         # the file's 4th line
    report = imports.report_table(result, "zh")
    assert report.iloc[0].tolist()[:3] == [4, "不在您的管辖范围内", "610124101001 不在您的管辖范围内"]
    assert imports.report_table(result, "en").iloc[0, 1] == "outside your jurisdiction"
    assert stored_villages(store) == ["610124100201", "610124100202"]
    (row,) = audit.entries(store, OPEN, action="import").itertuples(index=False)
    assert (row.user, row.scope) == ("yabai", "610124100")
    assert row.detail["rows"] == {"read": 3, "accepted": 2, "rejected": 1} and row.detail["file"] == "周至县台账.csv"
    assert row.detail["batch"] == result.batch_id and len(row.detail["sha256"]) == 64


def test_the_preview_is_limited_too(store, tmp_path):
    table, match = imports.preview(store, "assignments", ledger(tmp_path), {}, principal=who("editor", "610124100"))
    assert [a.village_code for a in match.assignments] == ["610124100201", "610124100202"]
    assert [r.reason for r in match.rejects] == ["outside_jurisdiction"]
    assert store.batches().empty


def test_another_countys_ledger_is_rejected_row_by_row(store, tmp_path):
    result = imports.run_import(store, "assignments", ledger(tmp_path), {}, principal=who("editor", "610118"))
    assert not result.ok and result.rows_accepted == 0
    assert [n.row for n in result.rejected] == [2, 3, 4]
    assert stored_villages(store) == []
    # the line (the CLI's, the page's) says why, not only the report's table
    zh, en = result.text("zh"), result.text("en")
    assert "导入 0，拒绝 3" in zh and zh.endswith("；主要原因：不在您的管辖范围内（3）")
    assert "0 accepted, 3 rejected" in en and en.endswith("; main reasons: outside your jurisdiction (3)")


@pytest.mark.parametrize("kind", ["assignments", "boundaries"])
def test_a_viewer_imports_nothing(store, tmp_path, kind):
    path = ledger(tmp_path) if kind == "assignments" else boundaries(tmp_path)
    with pytest.raises(AccessDenied):
        imports.run_import(store, kind, path, {}, principal=who("viewer", "610124"))
    assert store.batches().empty


def test_a_boundary_file_of_another_county_is_refused(store, tmp_path):
    with pytest.raises(imports.ImportRefused) as e:
        imports.run_import(store, "boundaries", boundaries(tmp_path), {}, principal=who("editor", "610118"))
    assert e.value.key == "acc.e.boundary_county" and "周至县" in e.value.text("zh")
    assert store.batches().empty and store.scalar("SELECT count(*) FROM village_geoms") == 0


def test_boundary_features_outside_a_township_jurisdiction_are_rejected(store, tmp_path):
    result = imports.run_import(store, "boundaries", boundaries(tmp_path), {},
                                principal=who("editor", "610124100"))
    assert [(n.row, n.reason) for n in result.rejected] == [(2, "outside_jurisdiction")]
    geoms = store.query("SELECT code FROM village_geoms")["code"].tolist()
    assert geoms == [610124100201]
    assert audit.entries(store, OPEN, action="import")["scope"].tolist() == ["610124100201"]   # what it wrote


def registry_file(folder):
    path = folder / "区划.csv"
    path.write_text("统计用区划代码,名称\n610124100203,新村村委会\n620100000000,兰州市\n", encoding="utf-8")
    return path


def test_a_provincial_admin_imports_only_their_provinces_divisions(store, tmp_path):
    result = imports.run_import(store, "registry", registry_file(tmp_path), {}, principal=who("admin", "61"))
    assert [(n.row, n.reason) for n in result.rejected] == [(3, "outside_jurisdiction")]
    assert store.division("610124100203").name == "新村村委会" and store.division("620100000000") is None


@pytest.mark.parametrize("role, digits", [("admin", "6101"), ("admin", "610124"), ("editor", ""), ("viewer", "")])
def test_division_lists_are_for_national_or_provincial_admins(store, tmp_path, role, digits):
    with pytest.raises(AccessDenied):
        imports.run_import(store, "registry", registry_file(tmp_path), {}, principal=who(role, digits))
    assert store.batches().empty


def test_a_rollback_reaching_outside_the_jurisdiction_is_refused(store, tmp_path):
    batch = imports.run_import(store, "assignments", ledger(tmp_path), {}).batch_id     # open mode: both townships
    for principal in (who("editor", "610124100"), who("editor", "610118"), who("viewer", "610124")):
        with pytest.raises(AccessDenied):
            imports.rollback(store, batch, principal)
    assert len(stored_villages(store)) == 3
    imports.rollback(store, batch, who("editor", "610124", "zz"))
    assert stored_villages(store) == []
    (row,) = audit.entries(store, OPEN, action="rollback").itertuples(index=False)
    assert (row.user, row.scope, row.detail) == ("zz", "610124", {"batch": batch, "kind": "assignments"})


def test_a_township_editor_rolls_back_their_own_batch(store, tmp_path):
    batch = imports.run_import(store, "assignments", ledger(tmp_path), {}, principal=who("editor", "610124100"))
    imports.rollback(store, batch.batch_id, who("editor", "610124100"))
    assert stored_villages(store) == []


@pytest.fixture
def covered(store, tmp_path):
    """周至县's three villages under contract, phones on record; 鄠邑区's one village lapsed (a county with no
    contract on record at all would be no data, and its village no gap)."""
    imports.run_import(store, "assignments", ledger(tmp_path), {})
    huyi = tmp_path / "鄠邑区台账.csv"
    huyi.write_text("区划代码,村（社区）名称,法律顾问姓名,聘任期限\n610118100201,,顾问丁,2024.1-2025.12\n",
                    encoding="utf-8")
    imports.run_import(store, "assignments", huyi, {})
    return store


ALL = ("covered", "expiring", "lapsed", "never")


def test_a_county_editors_gap_list_holds_only_their_villages(covered):
    gap = gap_list.gap_list(covered, who("editor", "610118"), Scope("61"), AS_OF, ALL)
    assert gap.scope == Scope("610118") and gap.narrowed
    assert gap.villages["code"].tolist() == ["610118100201"]
    zz = gap_list.gap_list(covered, who("editor", "610124"), Scope(""), AS_OF, ALL)
    assert zz.villages["code"].tolist() == [c for c, *_ in LEDGER]
    # a township asked for outside the jurisdiction gives nothing
    assert gap_list.gap_list(covered, who("editor", "610118"), Scope("610118"), AS_OF, ALL,
                           township="610124100000").villages.empty


def cells(data: bytes, fmt: str) -> str:
    if fmt == "csv":
        return data.decode("utf-8-sig")
    book = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join(str(v) for row in book.active.iter_rows(values_only=True) for v in row)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_phones_only_for_logged_in_users_or_open_mode(covered, fmt):
    def file_of(principal):
        table = gap_list.village_table(gap_list.gap_list(covered, principal, Scope("610124"), AS_OF, ALL).villages)
        return cells(export.to_csv_bytes(table) if fmt == "csv" else export.to_xlsx_bytes(table), fmt)

    for principal in (OPEN, who("viewer", "610124")):
        text = file_of(principal)
        assert all(p in text for p in PHONES) and "联系电话" in text
    hidden = file_of(ANONYMOUS)
    assert not any(p in hidden for p in PHONES) and "联系电话" not in hidden
    assert "顾问甲" in hidden                                    # the rest of the list is there


def test_a_geojson_export_without_contacts_has_no_phones(covered):
    gap = gap_list.gap_list(covered, ANONYMOUS, Scope("610124"), AS_OF, ALL)
    assert not any(p in export.to_geojson_bytes(gap.villages, {}).decode() for p in PHONES)


def test_an_export_is_audited_with_what_where_statuses_and_rows(covered):
    editor = who("editor", "610118", "huyi")
    gap = gap_list.gap_list(covered, editor, Scope("61"), AS_OF, ("lapsed",))
    gap_list.record_export(covered, editor, gap, "gap_list", "xlsx")
    (row,) = audit.entries(covered, OPEN, action="export").itertuples(index=False)
    assert (row.user, row.scope) == ("huyi", "610118")
    assert row.detail == {"what": "gap_list", "format": "xlsx", "as_of": "2026-06-01", "statuses": ["lapsed"],
                          "township": None, "rows": 1, "contacts": True}


def test_a_map_shows_only_the_jurisdiction_and_phones_only_to_those_who_may(covered, tmp_path):
    imports.run_import(covered, "boundaries", boundaries(tmp_path, ("610124100201", "610124100202")), {})
    assert map_view(covered, Scope(""), AS_OF, principal=who("viewer", "610118")).scope == Scope("610118")
    township = Scope("610124100")
    seen = map_view(covered, township, AS_OF, principal=who("viewer", "610124"))
    assert {f["properties"]["phone"] for f in seen.features["features"]} == set(PHONES[:2])
    assert set(seen.table["phones"]) == set(PHONES[:2])
    hidden = map_view(covered, township, AS_OF, principal=ANONYMOUS)
    assert [f["properties"]["phone"] for f in hidden.features["features"]] == [None, None]
    assert hidden.table["phones"].isna().all()


@pytest.mark.parametrize("jurisdiction, asked, limited", [
    ("", "610124", "610124"), ("610124", "610124100", "610124100"), ("610124", "61", "610124"),
    ("610124", "", "610124"), ("610124", "610118", "610124"), ("61", "62", "61"), ("610124", "610124", "610124")])
def test_scoped_limits_any_scope_to_the_jurisdiction(jurisdiction, asked, limited):
    assert scoped(who("viewer", jurisdiction), Scope(asked)) == Scope(limited)


def test_a_division_list_with_nothing_inside_is_refused(store, tmp_path):
    path = tmp_path / "甘肃.csv"
    path.write_text("统计用区划代码,名称\n620100000000,兰州市\n", encoding="utf-8")
    with pytest.raises(imports.ImportRefused) as e:
        imports.run_import(store, "registry", path, {}, principal=who("admin", "61"))
    assert e.value.key == "acc.e.registry_outside" and store.batches().empty


def service_log(folder, name="周至县服务台账.csv"):
    path = folder / name
    path.write_text("服务日期,服务村（社区）,法律顾问,服务方式,服务时长\n"
                    "2026-05-06,东村村委会,顾问甲,到村服务,2小时\n"
                    "2026-05-07,西村村委会,顾问乙,到村服务,2小时\n"
                    "2026-05-08,终南社区居委会,顾问丙,到村服务,2小时\n", encoding="utf-8")
    return path


@pytest.fixture
def with_advisers(store, tmp_path):
    imports.run_import(store, "assignments", ledger(tmp_path), {})
    return store


def test_a_service_log_row_outside_a_township_jurisdiction_is_rejected_with_its_row(with_advisers, tmp_path):
    result = imports.run_import(with_advisers, "services", service_log(tmp_path), {},
                                principal=who("editor", "610124100", "yabai"))
    assert (result.rows_accepted, result.rows_rejected) == (2, 1)
    assert [(n.row, n.reason) for n in result.rejected] == [(4, "outside_jurisdiction")]
    stored = with_advisers.query("SELECT village FROM services ORDER BY village")["village"].tolist()
    assert stored == [610124100201, 610124100202]
    assert audit.entries(with_advisers, OPEN, action="import")["user"].tolist()[-1] == "yabai"


def test_a_service_log_of_another_county_is_refused(with_advisers, tmp_path):
    with pytest.raises(imports.ImportRefused) as e:
        imports.run_import(with_advisers, "services", service_log(tmp_path), {}, principal=who("editor", "610118"))
    assert e.value.key == "acc.e.services_county" and "周至县" in e.value.text("zh")
    assert with_advisers.scalar("SELECT count(*) FROM services") == 0


@pytest.mark.parametrize("kind, file_of", [("assignments", ledger), ("services", service_log)])
def test_a_file_imported_in_one_jurisdiction_is_no_earlier_import_in_another(with_advisers, tmp_path, kind, file_of):
    """The same file from a township next door is read afresh (its rows outside the township rejected), never
    answered with the other township's batch; inside the first township it is 'unchanged', naming its batch."""
    path = file_of(tmp_path, name=f"{kind}.csv")
    yabai = who("editor", "610124100", "yabai")
    first = imports.run_import(with_advisers, kind, path, {}, principal=yabai)
    assert first.status == "imported" and first.rows_accepted == 2
    again = imports.run_import(with_advisers, kind, path, {}, principal=yabai)
    assert (again.status, again.batch_id) == ("unchanged", first.batch_id)
    zhongnan = imports.run_import(with_advisers, kind, path, {}, principal=who("editor", "610124101", "zn"))
    assert zhongnan.status == "imported" and zhongnan.batch_id != first.batch_id
    assert (zhongnan.rows_accepted, [n.reason for n in zhongnan.rejected]) == \
        (1, ["outside_jurisdiction", "outside_jurisdiction"])
