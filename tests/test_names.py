from pathlib import Path

import pandas as pd
import pytest

from geo.sources.names import normalize_township_name, normalize_village_name, split_village_names, village_name_keys

REGISTRY = Path(__file__).resolve().parent.parent / "data" / "registry_national.parquet"


@pytest.mark.parametrize("names, key", [
    (["王家村", "王家村委会", "王家村民委员会", "王家", " 王 家 村 ", "王家村（原李家村）",
      "王家村(原李家村)"], "王家"),
    (["城关社区", "城关社区居委会", "城关社区居民委员会", "城关居委会", "城关居民委员会", "城关"], "城关"),
    (["新村村委会", "新村村", "新村村民委员会"], "新村"),
    (["巴彦嘎查", "巴彦嘎查村民委员会", "巴彦嘎查委员会"], "巴彦"),
])
def test_spellings_of_one_village_share_a_key(names, key):
    assert {normalize_village_name(n) for n in names} == {key}


def test_a_bare_suffix_is_not_emptied():
    assert normalize_village_name("村") == "村"
    assert normalize_village_name("") == ""


def test_keys_go_from_specific_to_bare():
    assert village_name_keys("新村村委会") == ["新村村委会", "新村村", "新村", "新"]
    assert village_name_keys("城关社区居委会") == ["城关社区居委会", "城关社区", "城关"]


@pytest.mark.parametrize("names, key", [
    (["城关镇", "城关", "城关街道", "城关街道办事处", "城关街道办", "城关乡"], "城关"),
    (["大河苗族乡", "大河乡", "大河苗族侗族乡", "大河民族乡"], "大河"),
    (["乌兰苏木", "乌兰"], "乌兰"),
])
def test_township_spellings(names, key):
    assert {normalize_township_name(n) for n in names} == {key}


@pytest.mark.parametrize("cell, names", [
    ("A村、B村", ["A村", "B村"]),
    ("A村,B村", ["A村", "B村"]),
    ("A村，B村", ["A村", "B村"]),
    ("A村；B村", ["A村", "B村"]),
    ("A村;B村", ["A村", "B村"]),
    ("A村 B村", ["A村", "B村"]),
    ("王家村\n李家村", ["王家村", "李家村"]),
    ("王 家村", ["王家村"]),  # a stray space inside one name
    ("王家村（含李家、张家组）、赵村", ["王家村(含李家、张家组)", "赵村"]),
    ("", []),
    (None, []),
])
def test_split_village_names(cell, names):
    assert split_village_names(cell) == names


def test_registry_spellings_of_zhouzhi_match_the_short_forms():
    """Every 村委会 / 社区居委会 of 周至县 in the registry is found again from "<name>村" / "<name>社区"."""
    reg = pd.read_parquet(REGISTRY, filters=[("level", "=", 5)])
    zz = reg[reg["code"].str.startswith("610124")]
    assert len(zz) > 250
    checked = 0
    for name in zz["name"]:
        if name.endswith("村委会"):
            short = name[: -len("村委会")] + "村"
        elif name.endswith("社区居委会"):
            short = name[: -len("居委会")]
        else:
            continue
        assert normalize_village_name(short) == normalize_village_name(name), name
        checked += 1
    assert checked > 250


def test_vectorised_normaliser_agrees_with_the_scalar_one():
    reg = pd.read_parquet(REGISTRY, filters=[("level", "=", 5)])
    sample = pd.concat([reg["name"].sample(20000, random_state=1),
                        pd.Series(["王家村（原李家村）", " 城关 社区居委会", "村", "新村村委会", "巴彦嘎查委员会"])])
    from geo.sources.names import normalize_village_names
    assert normalize_village_names(sample).tolist() == [normalize_village_name(n) for n in sample]
