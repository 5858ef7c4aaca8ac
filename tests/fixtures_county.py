"""Two counties of 西安市 and a province without data, and files for their villages: the small registry of the
accounts, jurisdiction and audit tests, a ledger and a service log of 周至县, village boundaries, and who is
asking (a principal of a role and a jurisdiction)."""
from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import pandas as pd
import shapely

from geo.auth.access import Principal, Role
from geo.core.codes import Scope
from geo.store import Store

# two counties of 西安市 (one with two townships), so that one jurisdiction can lie outside another
REGISTRY = pd.DataFrame(
    [("610000000000", "陕西省", 1), ("610100000000", "西安市", 2), ("610124000000", "周至县", 3),
     ("610124100000", "哑柏镇", 4), ("610124100201", "东村村委会", 5), ("610124100202", "西村村委会", 5),
     ("610124101000", "终南镇", 4), ("610124101001", "终南社区居委会", 5),
     ("610118000000", "鄠邑区", 3), ("610118100000", "甘亭街道", 4), ("610118100201", "南村村委会", 5),
     ("620000000000", "甘肃省", 1)],
    columns=["code", "name", "level"])
#: the password of the accounts the library tests add
PASSWORD = "Zhouzhi-2026!"
# (village code, name, adviser, phone): two townships of 周至县
LEDGER = [("610124100201", "东村村委会", "顾问甲", "13800000001"),
          ("610124100202", "西村村委会", "顾问乙", "13800000002"),
          ("610124101001", "终南社区居委会", "顾问丙", "13800000003")]


def county_store(make: Callable[[str], Store], name: str) -> Store:
    """A fresh store named `name`, of the backend `make` opens (``new_store``, a StoreMaker), holding REGISTRY."""
    store = make(name)
    with store.transaction() as cur:
        store.load_registry(REGISTRY, cur)
    return store


def who(role: str, digits: str, name: str | None = "u") -> Principal:
    return Principal(name, "", Role(role), Scope(digits))


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


def service_log(folder, name="周至县服务台账.csv"):
    path = folder / name
    path.write_text("服务日期,服务村（社区）,法律顾问,服务方式,服务时长\n"
                    "2026-05-06,东村村委会,顾问甲,到村服务,2小时\n"
                    "2026-05-07,西村村委会,顾问乙,到村服务,2小时\n"
                    "2026-05-08,终南社区居委会,顾问丙,到村服务,2小时\n", encoding="utf-8")
    return path
