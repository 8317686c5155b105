"""Files published by others, outside the repository: the registry, where they are found, damaged and missing
copies, and ``urbanmap data fetch`` against a loopback HTTP server."""

from __future__ import annotations

import hashlib
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from etl.build import build, check, input_files
from etl.cli import main
from etl.external.fetch import FetchError, fetch
from etl.external.locate import CACHE_ENV, SOURCES_ENV
from etl.external.registry import RegistryError, load_registry
from etl.sources import RawLayout
from etl.store import input_hashes
from tests.synthetic import SHIPPED, self_contained_raw

GSO_TABLE = "published/gso-en-2018/solid-waste-collected-treated-per-day_2015-2016.csv"


def test_the_registry_names_every_file_with_origin_checksum_and_licence() -> None:
    registry = load_registry(SHIPPED)
    assert [s.id for s in registry.sources] == ["gso-en-2018", "wards-2025"]
    gso, wards = registry.sources
    assert len(gso.files) == 41 and all(len(f.sha256) == 64 and f.size > 0 for f in gso.files)  # 8 imported, 33 of the 2019 additions
    assert gso.url_of(gso.files[0]).startswith("https://raw.githubusercontent.com/choisy/gso/c333b8dea8c40bb527ab01fe86bf2ece1645709d/")
    assert " " not in gso.url_of(gso.files[0])  # origin paths have spaces and commas: quoted
    assert wards.recipe is not None and len(wards.recipe.origin_files(SHIPPED)) == 3356
    assert all(s.licence and s.attribution for s in registry.sources)
    for source in registry.sources:  # the repository keeps only what the project wrote: no registered file is in it
        assert not any((SHIPPED / source.target_of(f)).exists() for f in source.files)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[[source]]\nid = "a"\n', "has no title_vi"),
        ('[[source]]\nid = "A b"\n', "is not a source id"),
        ("[[source]\n", "cannot read the registry"),
    ],
)
def test_a_wrong_registry_is_refused_naming_the_key(tmp_path: Path, text: str, says: str) -> None:
    (tmp_path / "sources.toml").write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError) as caught:
        load_registry(tmp_path)
    assert says in str(caught.value) and "sources.toml" in str(caught.value)


def test_a_file_found_beside_the_checkout_is_read_from_there_verified() -> None:
    layout = RawLayout(SHIPPED)
    states = {s.source.id: s for s in layout.located.sources}
    assert all(s.installed for s in states.values()), [(s.source.id, s.missing) for s in states.values()]
    assert states["gso-en-2018"].places[0].kind == "beside"
    assert layout.file(GSO_TABLE).is_relative_to(SHIPPED.parents[2] / "shared" / "data")


def test_sources_beside_the_checkout_give_the_build_id_of_the_self_contained_layout(tmp_path: Path, shipped_build) -> None:
    """The build id hashes each input under its path below geodata/raw, wherever it was found: the build from
    ../shared/data is the build of today's layout (the files inside the raw folder, no registry)."""
    _, manifest = shipped_build
    assert manifest["uninstalled"] == [] and manifest["counts"]["units_wards_2025"] == 3321
    assert "published/gso-en-2018/average-population-by-province_1995-2016.csv" in manifest["inputs"]
    assert build(self_contained_raw(tmp_path / "raw"), tmp_path / "out")["build_id"] == manifest["build_id"]


def test_a_sources_folder_given_is_looked_in_first_and_names_the_same_inputs(tmp_path: Path) -> None:
    given = _copy_of_gso(tmp_path / "given")
    layout, beside = RawLayout(SHIPPED, given), RawLayout(SHIPPED)
    assert layout.file(GSO_TABLE) == given / "indicators/raw/gso-en-2018" / Path(GSO_TABLE).name
    assert input_hashes(input_files(layout)) == input_hashes(input_files(beside))


def test_a_damaged_copy_is_refused_naming_the_file_and_its_checksum(tmp_path: Path, capsys) -> None:
    given = _copy_of_gso(tmp_path / "given")
    damaged = given / "indicators/raw/gso-en-2018" / Path(GSO_TABLE).name
    data = bytearray(damaged.read_bytes())
    data[100] ^= 0x01  # one byte
    damaged.write_bytes(bytes(data))
    expected = next(f.sha256 for f in load_registry(SHIPPED).sources[0].files if f.name == damaged.name)
    errors = [str(p) for p in check(SHIPPED, sources=given).errors]
    assert len(errors) == 1 and str(damaged) in errors[0] and expected in errors[0] and "github.com/choisy/gso" in errors[0]
    assert main(["build", "--sources", str(given), "--out", str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out").exists()  # nothing written
    assert main(["data", "status", "--sources", str(given)]) == 1
    assert "DAMAGED" in capsys.readouterr().out


@pytest.fixture
def fresh_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checkout with nothing beside it and an empty user cache (an offline machine)."""
    checkout = tmp_path / "checkout"
    shutil.copytree(SHIPPED, checkout / "geodata" / "raw")
    monkeypatch.chdir(checkout)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(SOURCES_ENV, raising=False)
    return checkout


def test_without_its_sources_the_build_goes_on_and_says_what_is_missing(fresh_checkout: Path, tmp_path: Path, caplog) -> None:
    manifest = build(fresh_checkout / "geodata" / "raw", tmp_path / "out")
    lines = [r.getMessage() for r in caplog.records if "is not installed" in r.getMessage()]
    assert len(lines) == 2 and all("urbanmap data fetch" in line and "--sources" in line for line in lines)
    missing = {m["source"]: m for m in manifest["uninstalled"]}
    assert set(missing) == {"gso-en-2018", "wards-2025"}
    assert "solid_waste_collected_per_day" in missing["gso-en-2018"]["indicators"]
    assert "urban_population_share" in missing["gso-en-2018"]["indicators"]  # derived from a missing one
    assert [b["set"] for b in missing["wards-2025"]["boundary_sets"]] == ["wards_2025"]
    assert [b["set"] for b in missing["wards-2025"]["outlines"]] == ["2025"]
    assert "units_wards_2025" not in manifest["counts"] and manifest["counts"]["units_2025"] == 34
    assert "Natural Earth" in manifest["attribution"] and "Thang Le Quoc" not in manifest["attribution"]


def test_the_pages_of_a_build_without_a_source_say_it_is_not_installed(fresh_checkout: Path, tmp_path: Path) -> None:
    from webmap import create_app

    build(fresh_checkout / "geodata" / "raw", tmp_path / "out")
    client = create_app({"DATA_DIR": tmp_path / "out", "TESTING": True}).test_client()
    said = "Nguồn chưa được cài đặt"
    for url, status in [
        ("/?issue=pollution", 404),  # every value of the issue came from the missing tables
        ("/ward/31120", 404),
        ("/ogc/collections/wards_2025", 404),
        ("/api/provinces.csv?boundary=wards_2025&province=92", 404),
        ("/geometry/wards_2025/92/coarse.geojson", 404),
    ]:
        page = client.get(url)
        assert page.status_code == status and said in page.get_data(as_text=True), url
    population = client.get("/?indicator=population&boundary=2008&year=2016").get_data(as_text=True)
    assert population.count(said) > 2  # the notice, the legend, and each unit's tooltip instead of "no value published"
    province = client.get("/province/92").get_data(as_text=True)
    assert 'id="wards"' in province and said in province.split('id="wards"')[1]
    english = client.get("/province/92?lang=en").get_data(as_text=True)
    assert "Source not installed: The 3,321 wards of 2025" in english and "urbanmap data fetch wards-2025" in english


def test_data_status_lists_each_source_and_how_to_get_it(fresh_checkout: Path, capsys) -> None:
    assert main(["data", "status"]) == 1
    out = capsys.readouterr().out
    assert out.count(": MISSING") == 2 and "urbanmap data fetch gso-en-2018" in out and "(cache) - absent" in out


# --- urbanmap data fetch against a loopback server ---


class _Origin(http.server.ThreadingHTTPServer):
    """Files by path; ``cut`` names paths whose body stops halfway (the connection then closes)."""

    def __init__(self, files: dict[str, bytes]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.files, self.cut, self.requests = files, set(), []


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Origin

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.server.requests.append(self.path)
        body = self.server.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2] if self.path in self.server.cut else body)
        self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def origin() -> Iterator[_Origin]:
    server = _Origin({})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _registry(raw: Path, origin: _Origin, files: dict[str, bytes], recipe: str = "") -> None:
    raw.mkdir(parents=True, exist_ok=True)
    base = f"http://127.0.0.1:{origin.server_address[1]}/pinned/"
    text = (
        '[[source]]\nid = "tables"\ntitle_vi = "Bảng"\ntitle_en = "Tables"\nlicence = "CC0"\nattribution = "Test"\n'
        f'origin = "{base}"\nbase_url = "{base}"\nfolder = "indicators/raw/t"\ntarget = "published/t"\n'
    )
    for name, body in files.items():
        origin.files[f"/pinned/data%20raw/{name}"] = body
        text += f'[[source.file]]\nname = "{name}"\norigin_path = "data raw/{name}"\nsha256 = "{_sha(body)}"\nsize = {len(body)}\n'
    (raw / "sources.toml").write_text(text + recipe, encoding="utf-8")


def _sha(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def test_fetch_downloads_verifies_and_caches_and_a_second_run_downloads_nothing(tmp_path: Path, origin: _Origin) -> None:
    files = {"a.csv": b"code;value\n01;1\n" * 50, "b.csv": b"code;value\n92;2\n" * 70}
    raw, cache = tmp_path / "raw", tmp_path / "cache"
    _registry(raw, origin, files)
    [first] = fetch(load_registry(raw), raw, cache)
    assert (first.downloaded, first.bytes, first.present) == (2, sum(map(len, files.values())), 0)
    assert {p.name: p.read_bytes() for p in (cache / "indicators/raw/t").iterdir()} == files
    assert origin.requests == ["/pinned/data%20raw/a.csv", "/pinned/data%20raw/b.csv"]
    [second] = fetch(load_registry(raw), raw, cache)
    assert (second.downloaded, second.present) == (0, 2) and len(origin.requests) == 2
    layout = RawLayout(raw, tmp_path / "nothing here")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(cache))
        assert layout.file("published/t/a.csv") == cache / "indicators/raw/t/a.csv"


def test_an_interrupted_download_leaves_no_partial_file_and_the_next_run_resumes(tmp_path: Path, origin: _Origin) -> None:
    files = {"a.csv": b"a" * 5000, "b.csv": b"b" * 9000}
    raw, cache = tmp_path / "raw", tmp_path / "cache"
    _registry(raw, origin, files)
    origin.cut.add("/pinned/data%20raw/b.csv")
    with pytest.raises(FetchError) as caught:
        fetch(load_registry(raw), raw, cache)
    assert "b.csv" in str(caught.value) and "/pinned/data%20raw/b.csv" in str(caught.value)
    assert [p.name for p in (cache / "indicators/raw/t").iterdir()] == ["a.csv"]  # verified; nothing of b, no temporary file
    origin.cut.clear()
    [done] = fetch(load_registry(raw), raw, cache)
    assert (done.downloaded, done.present) == (1, 1) and origin.requests[-1].endswith("b.csv")


def test_a_download_that_is_not_the_registered_file_is_refused_and_not_kept(tmp_path: Path, origin: _Origin) -> None:
    raw, cache = tmp_path / "raw", tmp_path / "cache"
    _registry(raw, origin, {"a.csv": b"registered"})
    origin.files["/pinned/data%20raw/a.csv"] = b"changed at the origin"
    with pytest.raises(FetchError) as caught:
        fetch(load_registry(raw), raw, cache)
    assert _sha(b"registered") in str(caught.value) and not any((cache / "indicators/raw/t").iterdir())


def test_fetch_offline_says_so_and_keeps_nothing(tmp_path: Path, origin: _Origin) -> None:
    raw, cache = tmp_path / "raw", tmp_path / "cache"
    _registry(raw, origin, {"a.csv": b"x"})
    origin.shutdown()
    origin.server_close()
    with pytest.raises(FetchError) as caught:
        fetch(load_registry(raw), raw, cache)
    assert caught.value.offline and "urbanmap data fetch" in str(caught.value)


RECIPE = """
[source.recipe]
script = "make.py"
inputs = "inputs.csv"
base_url = "{base}"
date = "2026-11-29T13:11:15.062Z"
"""
MAKE = """import sys
from pathlib import Path
src, out = Path(sys.argv[1]), Path(sys.argv[2])
parts = sorted(src.rglob("*.txt"))
(out / "joined.txt").write_bytes(b"".join(p.read_bytes() for p in parts))
"""


@pytest.mark.parametrize("registered", ["right", "wrong"])
def test_a_made_source_is_fetched_from_its_origin_files_and_installed_only_if_it_verifies(
    tmp_path: Path, origin: _Origin, registered: str
) -> None:
    parts = {"p/1.txt": b"one\n", "p/2.txt": b"two\n"}
    joined = b"one\ntwo\n" if registered == "right" else b"something else"
    raw, cache = tmp_path / "raw", tmp_path / "cache"
    raw.mkdir()
    base = f"http://127.0.0.1:{origin.server_address[1]}/origin/"
    (raw / "make.py").write_text(MAKE, encoding="utf-8")
    (raw / "inputs.csv").write_text(
        "path_in_repository,sha256,bytes\n" + "".join(f"{p},{_sha(b)},{len(b)}\n" for p, b in parts.items()), encoding="utf-8"
    )
    origin.files.update({f"/origin/{p}": b for p, b in parts.items()})
    text = (
        '[[source]]\nid = "made"\ntitle_vi = "Làm"\ntitle_en = "Made"\nlicence = "MIT"\nattribution = "Test"\n'
        f'origin = "{base}"\nfolder = "boundaries/m"\ntarget = "boundaries/m"\n'
        + RECIPE.format(base=base)
        + f'[[source.file]]\nname = "joined.txt"\nsha256 = "{_sha(joined)}"\nsize = {len(joined)}\n'
    )
    (raw / "sources.toml").write_text(text, encoding="utf-8")
    if registered == "wrong":
        with pytest.raises(FetchError, match="Nothing was installed"):
            fetch(load_registry(raw), raw, cache)
        assert not (cache / "boundaries/m/joined.txt").exists() and (cache / "origin/made/p/1.txt").exists()  # kept to retry
        return
    [done] = fetch(load_registry(raw), raw, cache)
    assert done.made == 1 and (cache / "boundaries/m/joined.txt").read_bytes() == joined
    assert not (cache / "origin/made").exists()  # the origin files go once the outputs are installed
    [again] = fetch(load_registry(raw), raw, cache)
    assert (again.downloaded, again.made, again.present) == (0, 0, 1)


def _copy_of_gso(dest: Path) -> Path:
    """A sources folder holding a verified copy of the GSO tables only (the wards are then found beside)."""
    folder = dest / "indicators/raw/gso-en-2018"
    folder.mkdir(parents=True)
    layout = RawLayout(SHIPPED)
    for target, path in layout.located.files.items():
        if target.startswith("published/gso-en-2018/"):
            shutil.copyfile(path, folder / path.name)
    return dest


def test_serve_on_an_offline_machine_builds_with_what_it_has(fresh_checkout: Path, tmp_path: Path, caplog, monkeypatch) -> None:
    """`urbanmap serve`'s first step: fetch what is missing (no internet here: one line), then build without it."""
    from etl.external.fetch import fetch_missing

    monkeypatch.setattr("etl.external.fetch.requests.Session.get", _no_network)
    assert fetch_missing(fresh_checkout / "geodata" / "raw") == []
    tried = [r.getMessage() for r in caplog.records if "could not fetch" in r.getMessage()]
    assert len(tried) == 1 and "gso-en-2018" in tried[0]  # offline: the second source is not tried
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]  # no partial file


def _no_network(*args: object, **kwargs: object) -> None:
    import requests

    raise requests.ConnectionError("Name or service not known (test: offline)")
