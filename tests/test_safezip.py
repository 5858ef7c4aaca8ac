"""safe_extract on hostile, broken and legacy-encoded zips built here."""
from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

from fixtures_zip import forge_sizes
from geo.privacy.safezip import UnsafeZipError, entry_name, safe_extract


class GbkName(zipfile.ZipInfo):
    """Entry name stored in GBK without the UTF-8 flag (Chinese Windows zip tools)."""

    def _encodeFilenameFlags(self):  # noqa: N802
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def make_zip(path: Path, entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in entries:
            if isinstance(info, zipfile.ZipInfo):
                info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return path


def test_gbk_names_are_decoded(tmp_path):
    z = make_zip(tmp_path / "a.zip", [(GbkName("陕西省/周至县/村级调查区.dbf"), b"x" * 10),
                                      ("utf8/名称.txt", b"y")])
    infos = zipfile.ZipFile(z).infolist()
    assert not infos[0].flag_bits & 0x800 and infos[0].filename != "陕西省/周至县/村级调查区.dbf"
    assert entry_name(infos[0]) == "陕西省/周至县/村级调查区.dbf"
    out = safe_extract(z, tmp_path / "out", max_total_bytes=1000, max_files=10)
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in out) == ["utf8/名称.txt",
                                                                                "陕西省/周至县/村级调查区.dbf"]
    assert (tmp_path / "out" / "陕西省" / "周至县" / "村级调查区.dbf").read_bytes() == b"x" * 10


def test_unicode_path_extra_field(tmp_path):
    info = GbkName("旧名.txt")
    name = "新名.txt".encode("utf-8")
    info.extra = struct.pack("<HHB", 0x7075, 5 + len(name), 1) + struct.pack("<I", 0) + name
    z = make_zip(tmp_path / "e.zip", [(info, b"1")])
    assert entry_name(zipfile.ZipFile(z).infolist()[0]) == "新名.txt"


@pytest.mark.parametrize("bad", ["/etc/passwd", "\\windows\\evil.txt", "C:/evil.txt", "../evil.txt",
                                 "a/../../evil.txt", "a\\..\\..\\evil.txt"])
def test_hostile_names_reject_whole_zip(tmp_path, bad):
    z = make_zip(tmp_path / "h.zip", [("good.txt", b"fine"), (zipfile.ZipInfo(bad), b"evil")])
    with pytest.raises(UnsafeZipError) as e:
        safe_extract(z, tmp_path / "out")
    assert "h.zip" in str(e.value) and " / " in str(e.value)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*"))
    assert not (tmp_path / "evil.txt").exists()


def test_symlink_rejected(tmp_path):
    link = zipfile.ZipInfo("link")
    link.external_attr = (0o120777 << 16)
    z = make_zip(tmp_path / "l.zip", [(link, b"/etc/passwd")])
    with pytest.raises(UnsafeZipError, match="symbolic link"):
        safe_extract(z, tmp_path / "out")


def test_declared_size_limit_and_file_count(tmp_path):
    z = make_zip(tmp_path / "bomb.zip", [("big.bin", b"\0" * (20 * 1024**2))])
    assert z.stat().st_size < 100_000
    with pytest.raises(UnsafeZipError, match="limit"):
        safe_extract(z, tmp_path / "out", max_total_bytes=5 * 1024**2)
    assert not (tmp_path / "out").exists()
    many = make_zip(tmp_path / "many.zip", [(f"f{i}.txt", b"x") for i in range(12)])
    with pytest.raises(UnsafeZipError, match="12 entries"):
        safe_extract(many, tmp_path / "out", max_files=10)
    assert len(safe_extract(many, tmp_path / "out2", max_files=12)) == 12


def test_lying_header_is_caught_while_extracting(tmp_path):
    z = make_zip(tmp_path / "liar.zip", [("a.bin", b"\0" * (3 * 1024**2)), ("b.bin", b"\0" * (3 * 1024**2))])
    forge_sizes(z, 1000)
    assert sum(i.file_size for i in zipfile.ZipFile(z).infolist()) == 2000
    with pytest.raises(UnsafeZipError):
        safe_extract(z, tmp_path / "out", max_total_bytes=1024**2)
    assert not any((tmp_path / "out").rglob("*.bin"))


def test_streamed_bytes_counted_across_entries(tmp_path):
    """Each entry is under the limit, and honest; the running total still stops extraction."""
    z = make_zip(tmp_path / "t.zip", [("a.bin", b"\0" * 600_000), ("b.bin", b"\0" * 600_000)])
    with pytest.raises(UnsafeZipError, match="limit"):
        safe_extract(z, tmp_path / "out", max_total_bytes=1_000_000)
    assert not any((tmp_path / "out").rglob("*.bin"))


def test_corrupt_and_truncated(tmp_path):
    (tmp_path / "c.zip").write_bytes(b"not a zip at all" * 100)
    with pytest.raises(UnsafeZipError, match="not a valid zip"):
        safe_extract(tmp_path / "c.zip", tmp_path / "out")
    good = make_zip(tmp_path / "g.zip", [("a.txt", bytes(range(256)) * 400)])
    raw = bytearray(good.read_bytes())
    raw[60:200] = b"\xff" * 140  # damage the compressed data, keep the directory
    (tmp_path / "d.zip").write_bytes(bytes(raw))
    with pytest.raises(UnsafeZipError, match="corrupt"):
        safe_extract(tmp_path / "d.zip", tmp_path / "out")
    assert not any((tmp_path / "out").rglob("*.txt"))
