"""Map features made up for the folium map's tests: a grid of square cells near 周至 whose rates or statuses cycle
through every class, and a map page without the inlined Leaflet (to look for what else it carries)."""
from __future__ import annotations

from geo.outputs.assets import inline_leaflet

RATES = [None, 0.0, 0.3, 0.5999, 0.6, 0.79, 0.8, 0.9, 0.949, 19 / 20, 0.999, 1.0]
STATUSES = ["covered", "expiring", "lapsed", "never", None]


def grid(n: int, *, mode: str = "rate", schematic: bool = False, x0: float = 108.0, y0: float = 34.0) -> dict:
    """n square cells in rows of 50 near 周至, with rates or statuses cycling through every class."""
    feats = []
    for i in range(n):
        x, y = x0 + (i % 50) * 0.01, y0 + (i // 50) * 0.01
        ring = [[round(x, 5), round(y, 5)], [round(x + 0.01, 5), round(y, 5)], [round(x + 0.01, 5), round(y + 0.01, 5)],
                [round(x, 5), round(y + 0.01, 5)], [round(x, 5), round(y, 5)]]
        props = {"code": f"610124{100 + i // 900:03d}{200 + i % 900:03d}", "name": f"第{i}村委会"}
        if mode == "rate":
            props.update(rate=RATES[i % len(RATES)], n_villages=20, n_covered=10)
        else:
            props.update(status=STATUSES[i % len(STATUSES)], adviser="李四", org="某某律师事务所",
                         phone="13800000000", period="2025-01-01—2026-12-31")
        if schematic:
            props["schematic"] = True
        feats.append({"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return {"type": "FeatureCollection", "features": feats}


def page_without_vendor(html: str) -> str:
    js, css = inline_leaflet()
    return html.replace(js, "").replace(css, "")
