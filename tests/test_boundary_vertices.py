"""A boundary file may not hold more vertices per feature or per file than geo.core.limits allows: generated files
of a million vertices are refused with a message naming the limit, before any repair, matching or drawing."""
from __future__ import annotations

import json
import math
import time
from pathlib import Path

import pytest

from conftest import SMALL_REGISTRY
from fixtures_stores import snapshot
from geo import imports
from geo.core import limits
from geo.sources.boundaries import BoundaryError, read_boundaries
from geo.text.catalogue import t


def ring(vertices: int, cx: float = 108.2, cy: float = 34.1, r: float = 0.01) -> list[list[float]]:
    """A closed circle of `vertices` points around (cx, cy)."""
    points = [[round(cx + r * math.cos(2 * math.pi * i / vertices), 7),
               round(cy + r * math.sin(2 * math.pi * i / vertices), 7)] for i in range(vertices - 1)]
    return points + [points[0]]


def geojson(path: Path, rings: list[list[list[float]]]) -> Path:
    features = [{"type": "Feature", "properties": {"name": f"村{i}"},
                 "geometry": {"type": "Polygon", "coordinates": [r]}} for i, r in enumerate(rings)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def test_a_feature_of_a_million_vertices_is_refused(tmp_path):
    path = geojson(tmp_path / "村界.geojson", [ring(100), ring(1_000_000)])
    start = time.perf_counter()
    with pytest.raises(BoundaryError) as refused:
        read_boundaries(path, SMALL_REGISTRY)
    assert time.perf_counter() - start < 60
    message = str(refused.value)
    assert "村界.geojson" in message and "1,000,000" in message
    assert t("limit.vertices_feature", "zh", n=2, count="1,000,000", limit=f"{limits.MAX_FEATURE_VERTICES:,}") \
        in message


def test_a_file_of_too_many_vertices_in_all_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_VERTICES", 50_000)
    path = geojson(tmp_path / "村界.geojson", [ring(10_000, cx=108.2 + i * 0.03) for i in range(6)])
    with pytest.raises(BoundaryError) as refused:
        read_boundaries(path, SMALL_REGISTRY)
    assert t("limit.vertices_file", "zh", count="60,000", limit="50,000") in str(refused.value)


def test_at_the_limits_a_file_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_VERTICES", 60_000)
    monkeypatch.setattr(limits, "MAX_FEATURE_VERTICES", 10_000)
    path = geojson(tmp_path / "村界.geojson", [ring(10_000, cx=108.2 + i * 0.03) for i in range(6)])
    assert read_boundaries(path, SMALL_REGISTRY).feature_count == 6


def test_a_boundary_import_of_a_million_vertices_changes_nothing(store, tmp_path):  # noqa: F811
    path = geojson(tmp_path / "村界.geojson", [ring(1_000_000)])
    before = snapshot(store)
    with pytest.raises(imports.ImportRefused, match="村界.geojson") as refused:
        imports.run_import(store, "boundaries", path, {})
    assert f"{limits.MAX_FEATURE_VERTICES:,}" in str(refused.value)
    assert snapshot(store) == before
