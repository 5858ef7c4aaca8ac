"""Every upload is read in a worker process under a memory and a time limit: a hostile or buggy file is refused
with a message naming the limit, nothing is stored, and the server goes on serving meanwhile."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from fixtures_ledger import ledger_csv
from fixtures_stores import snapshot
from geo import imports
from geo.core import limits
from geo.imports.worker import read_limited
from geo.sources.ledger import read_ledger
from geo.text.catalogue import t

ROOT = Path(__file__).resolve().parent.parent


def allocate(n: int) -> int:
    return len(bytearray(n))


def die() -> None:
    os._exit(3)


def _zh(key: str, **params) -> str:
    return t(key, "zh", **params)


def test_memory_past_the_limit_is_refused_naming_it():
    with pytest.raises(imports.ImportRefused) as refused:
        read_limited(allocate, 3 * 1024**3, file_name="台账.xlsx", memory=512 * 1024**2)
    assert _zh("limit.memory", file="台账.xlsx", mb="512") in str(refused.value)
    assert read_limited(allocate, 1024**2, file_name="台账.xlsx", memory=512 * 1024**2) == 1024**2


def test_time_past_the_limit_is_refused_naming_it():
    start = time.monotonic()
    with pytest.raises(imports.ImportRefused) as refused:
        read_limited(time.sleep, 60, file_name="台账.xlsx", seconds=2)
    assert time.monotonic() - start < 20
    assert _zh("limit.time", file="台账.xlsx", seconds="2") in str(refused.value)


def test_a_reader_refusal_or_a_crash_comes_back_as_a_refusal(tmp_path):
    with pytest.raises(imports.ImportRefused, match="nothing.csv"):
        read_limited(read_ledger, tmp_path / "nothing.csv", file_name="nothing.csv")
    with pytest.raises(imports.ImportRefused, match="台账.csv"):
        read_limited(die, file_name="台账.csv")
    table = read_limited(read_ledger, ledger_csv(tmp_path / "台账.csv", 3), file_name="台账.csv")
    assert [r.village_names for r in table.rows] == [["东村村"]] * 3     # the result comes back whole


def refuse_with_a_key(file: str) -> None:
    raise imports.ImportRefused(key="limit.time", params={"file": file, "seconds": "7"})


@pytest.mark.parametrize("in_process", [False, True])
def test_a_reader_refusal_keeps_its_words_so_the_page_says_it_in_one_language(monkeypatch, in_process):
    monkeypatch.setattr("geo.imports.worker.IN_PROCESS", in_process)
    with pytest.raises(imports.ImportRefused) as refused:
        read_limited(refuse_with_a_key, "台账.xlsx", file_name="台账.xlsx")
    assert refused.value.key == "limit.time"
    assert refused.value.text("zh") == _zh("limit.time", file="台账.xlsx", seconds="7")
    assert refused.value.text("en") == t("limit.time", "en", file="台账.xlsx", seconds="7")


def test_the_server_keeps_serving_while_one_upload_is_refused(tmp_path):
    """Two requests at once: a file that runs into the time limit, and an ordinary one read meanwhile."""
    outcome: list[BaseException] = []

    def hostile() -> None:
        try:
            read_limited(time.sleep, 60, file_name="hostile.xlsx", seconds=8)
        except imports.ImportRefused as e:
            outcome.append(e)

    slow = threading.Thread(target=hostile)
    slow.start()
    time.sleep(0.5)
    start = time.monotonic()
    table = read_limited(read_ledger, ledger_csv(tmp_path / "台账.csv", 5), file_name="台账.csv")
    served_in = time.monotonic() - start
    assert len(table.rows) == 5 and slow.is_alive() and served_in < 8
    slow.join(30)
    assert outcome and "hostile.xlsx" in str(outcome[0])


@pytest.mark.parametrize("limit, value, key", [("PARSE_MEMORY_BYTES", 16 * 1024**2, "limit.memory"),
                                              ("PARSE_SECONDS", 0.01, "limit.time")])
def test_an_import_over_a_limit_changes_nothing(store, tmp_path, monkeypatch, limit, value, key):  # noqa: F811
    """A real ledger, refused by the worker's limits set low: through run_import, as the page and the CLI."""
    monkeypatch.setattr(limits, limit, value)
    path = ledger_csv(tmp_path / "台账.csv", 30_000)
    before = snapshot(store)
    with pytest.raises(imports.ImportRefused, match="台账.csv") as refused:
        imports.run_import(store, "assignments", path, {})
    assert t(key, "zh", file="台账.csv", mb="16", seconds="0.01").split("，")[0] in str(refused.value)
    assert snapshot(store) == before


def test_a_worker_started_from_the_app_does_not_run_the_app(tmp_path):
    """Under ``streamlit run app.py`` the script is ``__main__``, and multiprocessing runs the main script again in
    every child before the child reads: app.py must then load nothing of the app (it cost each upload seconds)."""
    (tmp_path / "probe.py").write_text("import sys\n\ndef loaded():\n"
                                       "    return sorted(m for m in ('streamlit', 'ui.run') if m in sys.modules)\n")
    script = (
        "import sys, types\n"
        "main = types.ModuleType('__main__')\n"                 # as Streamlit sets it for a run of app.py
        f"main.__file__ = {str(ROOT / 'app.py')!r}\n"
        "sys.modules['__main__'] = main\n"
        "import probe\n"
        "from geo.imports.worker import read_limited\n"
        "print(read_limited(probe.loaded, file_name='x.xlsx'))\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
           "VILLAGE_COVERAGE_IN_PROCESS_READS": "0"}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", out.stdout
