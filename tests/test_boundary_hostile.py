"""Hostile boundary uploads: files whose real type is not a shapefile, GeoJSON or GeoPackage (GDAL VRT
documents pointing at a CSV on the server's disk or at a URL, KML, CSV, HTML, SQLite, zips...) under every
name a clerk can upload, and layers without shapes.  Each is refused with a message naming the file, nothing
on disk or on the network is read, and the store is left as it was."""
from __future__ import annotations

import http.server
import json
import sqlite3
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from conftest import SMALL_REGISTRY
from geo import imports
from geo.sources.boundaries import DRIVERS, BoundaryError, read_boundaries
from geo.store import Store, open_store
from geo.text.catalogue import t

VILLAGE = "610124100201"          # 东村村委会 of conftest's SMALL_REGISTRY
CELL = "POLYGON((108.20 34.10, 108.21 34.10, 108.21 34.11, 108.20 34.11, 108.20 34.10))"


@pytest.fixture
def secret_csv(tmp_path) -> Path:
    """A CSV on the server's disk that would import as a boundary of VILLAGE if anything read it."""
    path = tmp_path / "server" / "secret.csv"
    path.parent.mkdir()
    path.write_text(f'ZLDWDM,WKT\n{VILLAGE},"{CELL}"\n', encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Iterator[Store]:
    """One small store for the refusals (each test checks that it is left exactly as it was)."""
    with open_store(tmp_path_factory.mktemp("hostile") / "store.duckdb") as s:
        with s.transaction() as cur:
            s.load_registry(SMALL_REGISTRY, cur)
        yield s


@pytest.fixture(scope="module")
def listener() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server serving the same CSV at /secret.csv: (base URL, every path it was ever asked for
    while this module ran)."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            seen.append(self.path)
            body = f'ZLDWDM,WKT\n{VILLAGE},"{CELL}"\n'.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command == "GET":
                self.wfile.write(body)

        do_HEAD = do_GET

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def vrt(source: str) -> bytes:
    return (f'<OGRVRTDataSource><OGRVRTLayer name="secret"><SrcDataSource>{source}</SrcDataSource>'
            f'<GeometryType>wkbPolygon</GeometryType><LayerSRS>EPSG:4326</LayerSRS>'
            f'<GeometryField encoding="WKT" field="WKT"/></OGRVRTLayer></OGRVRTDataSource>').encode()


def geojson(properties: dict, geometry: dict | None) -> bytes:
    feature = {"type": "Feature", "properties": properties, "geometry": geometry}
    return json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()


POLYGON = json.loads(shapely.to_geojson(shapely.from_wkt(CELL)))


def village(code: str = VILLAGE) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"ZLDWDM": [code]}, geometry=[shapely.from_wkt(CELL)], crs=4326)

# payload name -> bytes, given (local CSV path, URL of the listener's CSV)
PAYLOADS: dict[str, Callable[[str, str], bytes]] = {
    "vrt_disk": lambda csv, url: vrt(csv),
    "vrt_url": lambda csv, url: vrt(f"/vsicurl/{url}/secret.csv"),
    "vrt_disk_csv_prefix": lambda csv, url: vrt(f"CSV:{csv}"),
    "vrt_in_json": lambda csv, url: geojson({"ZLDWDM": VILLAGE, "x": vrt(csv).decode()}, POLYGON),
    "geojson_vsicurl": lambda csv, url: geojson({"ZLDWDM": VILLAGE, "src": f"/vsicurl/{url}/secret.csv"}, POLYGON),
    "geojson_vsizip": lambda csv, url: geojson({"ZLDWDM": VILLAGE, "src": f"/VSIZIP/{csv}.zip/x.shp"}, POLYGON),
    "kml": lambda csv, url: (b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Placemark>'
                             b'<Polygon><outerBoundaryIs><LinearRing><coordinates>108.2,34.1 108.21,34.1 '
                             b'108.21,34.11 108.2,34.1</coordinates></LinearRing></outerBoundaryIs></Polygon>'
                             b'</Placemark></kml>'),
    "gml": lambda csv, url: (b'<?xml version="1.0"?><ogr:FeatureCollection xmlns:ogr="http://ogr.maptools.org/" '
                             b'xmlns:gml="http://www.opengis.net/gml"></ogr:FeatureCollection>'),
    "csv_wkt": lambda csv, url: f'ZLDWDM,WKT\n{VILLAGE},"{CELL}"\n'.encode(),
    "html": lambda csv, url: b"<!DOCTYPE html><html><body>login</body></html>",
    "json_not_geojson": lambda csv, url: json.dumps({"ZLDWDM": VILLAGE, "WKT": CELL}).encode(),
    "xlsx_zip": lambda csv, url: b"PK\x03\x04" + b"\x00" * 200,
    "dbf": lambda csv, url: bytes([0x03, 126, 1, 1]) + (1).to_bytes(4, "little") + (65).to_bytes(2, "little")
    + b"\x00" * 22 + b"ZLDWDM" + b"\x00" * 5 + b"C" + b"\x00" * 4 + bytes([12]) + b"\x00" * 15 + b"\r"
    + b" " + VILLAGE.encode() + b"\x1a",
    "sqlite_not_gpkg": None,  # built by sqlite_bytes below
}
REFUSALS = {"vrt_disk": "bnd.real.vrt", "vrt_url": "bnd.real.vrt", "vrt_disk_csv_prefix": "bnd.real.vrt",
            "vrt_in_json": "bnd.real.vrt", "geojson_vsicurl": "bnd.gdal_path", "geojson_vsizip": "bnd.gdal_path",
            "kml": "bnd.real.xml", "gml": "bnd.real.xml", "csv_wkt": "bnd.real.text", "html": "bnd.real.html",
            "json_not_geojson": "bnd.real.json", "xlsx_zip": "bnd.real.zip", "dbf": "bnd.real.dbf",
            "sqlite_not_gpkg": "bnd.real.sqlite"}


def sqlite_bytes(folder: Path) -> bytes:
    path = folder / "plain.sqlite"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE t (ZLDWDM TEXT, WKT TEXT)")
        con.execute("INSERT INTO t VALUES (?, ?)", (VILLAGE, CELL))
    con.close()
    return path.read_bytes()


def payload(name: str, secret_csv: Path, url: str) -> bytes:
    if name == "sqlite_not_gpkg":
        return sqlite_bytes(secret_csv.parent)
    return PAYLOADS[name](str(secret_csv), url)


def disguise(data: bytes, how: str, folder: Path) -> Path:
    """The payload uploaded the way ``how`` says: under a boundary extension, as the .shp of a shapefile whose
    other parts are real, or inside a zip under each of those names."""
    folder.mkdir(parents=True, exist_ok=True)
    if how in (".geojson", ".json", ".gpkg"):
        path = folder / f"村界{how}"
        path.write_bytes(data)
        return path
    if how == ".shp":
        path = folder / "cun.shp"
        village().to_file(path)
        path.write_bytes(data)       # the real .shx, .dbf and .prj stay beside it
        return path
    inner = disguise(data, how.removeprefix("zip"), folder / "村界")
    zip_path = folder / "村界.zip"
    with zipfile.ZipFile(zip_path, "w") as zf:
        for part in sorted(inner.parent.iterdir()):
            zf.write(part, f"村界/{part.name}")
    return zip_path


DISGUISES = (".geojson", ".json", ".gpkg", ".shp", "zip.geojson", "zip.gpkg", "zip.shp")


def state(store: Store) -> dict[str, str]:
    return {name: store.query(f"SELECT * FROM {name} ORDER BY ALL").to_csv()
            for name in ("batches", "village_geoms", "geom_history", "divisions")}


def assert_refused(store: Store, path: Path, *keys: str) -> str:
    """Importing ``path`` raises the reader's bilingual message naming the file; the store is unchanged."""
    before = state(store)
    with pytest.raises(imports.ImportRefused) as e:
        imports.import_boundaries(store, path)
    message = str(e.value)
    assert path.name in message and " / " in message, message
    for key in keys:
        zh, en = t(key, "zh"), t(key, "en")
        assert zh.split("{")[0] in message and en.split("{")[0] in message, message
    assert state(store) == before
    return message


@pytest.mark.parametrize("how", DISGUISES)
@pytest.mark.parametrize("kind", sorted(REFUSALS))
def test_disguised_file_is_refused_and_nothing_is_read(kind, how, store, secret_csv, listener, tmp_path):
    url, requests = listener
    path = disguise(payload(kind, secret_csv, url), how, tmp_path / "upload")
    message = assert_refused(store, path, REFUSALS[kind])
    assert VILLAGE not in store.query("SELECT CAST(code AS VARCHAR) AS c FROM village_geoms")["c"].tolist()
    assert requests == [], f"{kind} as {how} made the server fetch {requests}"
    if REFUSALS[kind].startswith("bnd.real."):
        assert t("bnd.refused", "en", real=t(REFUSALS[kind], "en")) in message


def test_a_shapefile_with_a_hostile_companion_is_refused(store, secret_csv, listener, tmp_path):
    url, requests = listener
    gdf = village()
    for i, (ext, data, key) in enumerate(((".dbf", vrt(str(secret_csv)), "bnd.bad_sidecar"),
                                          (".shx", b"ZLDWDM,WKT\n" * 20, "bnd.bad_sidecar"),
                                          (".prj", f"/vsicurl/{url}/epsg.prj".encode(), "bnd.gdal_path"),
                                          (".cpg", b"/vsistdin/", "bnd.gdal_path"))):
        shp = tmp_path / str(i) / "cun.shp"
        shp.parent.mkdir()
        gdf.to_file(shp)
        shp.with_suffix(ext).write_bytes(data)
        assert_refused(store, shp, key)
        zipped = tmp_path / f"{i}.zip"
        with zipfile.ZipFile(zipped, "w") as zf:
            for part in shp.parent.iterdir():
                zf.write(part, f"村/{part.name}")
        assert_refused(store, zipped, key)
    assert requests == []


def test_a_tampered_geopackage_is_refused(store, tmp_path):
    path = tmp_path / "村界.gpkg"
    village().to_file(path)
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA application_id = 0")
    con.close()
    assert_refused(store, path, "bnd.real.sqlite")


def test_a_hostile_file_next_to_a_good_one_in_a_zip_is_never_opened(small_store, secret_csv, listener, tmp_path):
    url, requests = listener
    folder = tmp_path / "z"
    folder.mkdir()
    village("610124100202").to_file(folder / "good.geojson")
    (folder / "evil.geojson").write_bytes(vrt(str(secret_csv)))
    (folder / "evil2.gpkg").write_bytes(vrt(f"/vsicurl/{url}/secret.csv"))
    zipped = folder / "mixed.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for name in ("good.geojson", "evil.geojson", "evil2.gpkg"):
            zf.write(folder / name, name)
    read = read_boundaries(zipped, imports.store_registry(small_store))
    assert read.matched["code"].tolist() == ["610124100202"]
    skipped = [w for w in read.warnings if t("bnd.real.vrt", "en") in w]
    assert len(skipped) == 2 and any("evil.geojson" in w for w in skipped) and any("evil2.gpkg" in w for w in skipped)
    result = imports.import_boundaries(small_store, zipped)
    small_stored = small_store.query("SELECT CAST(code AS VARCHAR) AS c FROM village_geoms")["c"].tolist()
    assert small_stored == ["610124100202"] and result.rows_accepted == 1
    assert requests == []


def no_geometry_files(folder: Path) -> list[Path]:
    """Layers holding attributes only, as each format allows."""
    folder.mkdir()
    null = folder / "null.geojson"
    null.write_bytes(geojson({"ZLDWDM": VILLAGE}, None))
    table = folder / "table.gpkg"
    pyogrio.write_dataframe(pd.DataFrame({"ZLDWDM": [VILLAGE]}), table, layer="villages", driver="GPKG")
    zipped = folder / "table.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.write(null, "村/null.geojson")
        zf.write(table, "村/table.gpkg")
    return [null, table, zipped]


def test_a_layer_without_shapes_gets_a_message(store, tmp_path):
    for path in no_geometry_files(tmp_path / "nogeom"):
        assert_refused(store, path, "bnd.no_geometry")


@pytest.mark.parametrize("name", ["村界.geojson", "村界.json", "村界.gpkg"])
@pytest.mark.parametrize("driver", ["GeoJSON", "GPKG"])
def test_real_files_are_read_by_content_whatever_their_boundary_extension(driver, name, store, tmp_path):
    source = tmp_path / f"source.{driver.lower()}"
    village().to_file(source, driver=driver)
    path = tmp_path / name
    path.write_bytes(source.read_bytes())
    read = read_boundaries(path, imports.store_registry(store))
    assert read.matched["code"].tolist() == [VILLAGE]


def test_gdal_is_left_only_the_product_drivers_and_no_network(listener):
    url, requests = listener
    assert set(pyogrio.list_drivers()) == set(DRIVERS)
    with pytest.raises(pyogrio.errors.DataSourceError):
        pyogrio.read_info(f"/vsicurl/{url}/secret.csv")
    assert requests == []


def test_refusal_names_the_file_inside_the_zip(store, secret_csv, tmp_path):
    path = disguise(vrt(str(secret_csv)), "zip.geojson", tmp_path / "u")
    with pytest.raises(BoundaryError) as e:
        read_boundaries(path, imports.store_registry(store))
    assert "村界.zip/村界/村界.geojson" in str(e.value)
