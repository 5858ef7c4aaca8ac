"""Division codes: the short and long forms users and survey files bring, scopes, levels, village kinds."""
import pytest

from geo.core.codes import CodeError, Scope, level_of, normalize_code, prefix, village_kind


@pytest.mark.parametrize("raw, code", [
    ("61", "610000000000"), ("6101", "610100000000"), ("610124", "610124000000"),
    ("610124100", "610124100000"), ("610124100200", "610124100200"),
    ("6101241002000000123", "610124100200"),          # ZLDWDM: the 12-digit code plus 7 more
    (610124100200.0, "610124100200"), (" 610124 ", "610124000000"),
])
def test_normalize_accepts_the_usual_forms(raw, code):
    assert normalize_code(raw) == code


@pytest.mark.parametrize("raw", ["", None, "61x", "610", "6101241", "61012410020000001234"])
def test_normalize_refuses_what_is_not_a_code(raw):
    with pytest.raises(CodeError):
        normalize_code(raw)


def test_scope_levels_and_ranges():
    assert Scope.parse("0").digits == "" and Scope.parse(None).level == 0
    s = Scope.parse("610124000000")
    assert (s.digits, s.level, s.code) == ("610124", 3, "610124000000")
    low, high = s.int_range
    assert low == 610124000000 and high == 610125000000
    assert s.contains("610124100200") and not s.contains("610125100200")


def test_levels_prefixes_and_village_kinds():
    assert [level_of(c) for c in ("610000000000", "610100000000", "610124000000", "610124100000",
                                  "610124100200")] == [1, 2, 3, 4, 5]
    assert prefix("441900003001", 3) == "441900000000"
    assert [village_kind(c) for c in ("610124001001", "610124100200", "610124100401")] == \
        ["community", "village", "other"]
