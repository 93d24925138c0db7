"""The contract every registered reader keeps, checked on every real file of ../shared/realdata.

A reader satisfies the :class:`interphase.readers.Reader` protocol; its sniff recognises its
own files and no other reader's; reading one of its files gives the documented layout (or a
ReadError that says why, for the files a reader must refuse). Value checks by hand are in
each reader's own test module; this one holds every reader to the same rules.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from pathlib import Path

import pytest

from interphase import datasets, readers
from interphase.errors import ReadError
from tests.conftest import real_file, real_files_sniffed_by


@dataclass(frozen=True)
class Case:
    """One real file: the reader that owns it, the technique it is read as, a refusal expected."""

    path: str
    reader: str
    technique: str
    refused: str | None = None

    @property
    def folder(self) -> str:
        """The MANIFEST folder of the file (one folder, one format)."""
        return self.path.rsplit("/", 1)[0] + "/"


EC = "electrochem"
ONE = "an EDX line needs two or more positions"
CASES = [
    # galvanostatic battery records (Modulo Bat): refused as cv, a voltammogram (issue 15.3)
    Case(f"{EC}/battery/biologic_mpr/yadg_mb_issue95.mpr", "biologic_mpr", "cv", "Modulo Bat"),
    Case(
        f"{EC}/battery/biologic_mpt/yadg_mb_issue95_de_decimalcomma.mpt",
        "biologic",
        "cv",
        refused="Modulo Bat",
    ),
    Case(f"{EC}/cv/autolab_nova_txt/chemotion_Cu-TMG2cHexqu2-PF6_comma.txt", "autolab", "cv"),
    Case(f"{EC}/cv/biologic_mpr/yadg_cv.mpr", "biologic_mpr", "cv"),
    Case(f"{EC}/cv/biologic_mpt/yadg_cv.mpt", "biologic", "cv"),
    Case(f"{EC}/cv/gamry_dta/chemotion_01_CV.DTA", "gamry", "cv"),
    Case(f"{EC}/eis/autolab_z60w_txt/impedancepy_exampleDataAutolab.txt", "autolab", "eis"),
    Case(
        f"{EC}/eis/biologic_mpr/chemotion_CHD048_CHD050_60C_C01.mpr",
        "biologic_mpr",
        "eis",
        refused="no data points",
    ),
    Case(f"{EC}/eis/biologic_mpr/yadg_peis.mpr", "biologic_mpr", "eis"),
    Case(f"{EC}/eis/biologic_mpt/impedancepy_exampleDataBioLogic.mpt", "biologic", "eis"),
    Case(f"{EC}/eis/biologic_mpt/yadg_peis.mpt", "biologic", "eis"),
    Case(f"{EC}/eis/chi_txt/impedancepy_exampleDataCHInstruments.txt", "chi", "eis"),
    Case(f"{EC}/eis/gamry_dta/impedancepy_exampleDataGamry.DTA", "gamry", "eis"),
    Case(f"{EC}/eis/generic_csv/impedancepy_exampleData.csv", "generic_table", "eis"),
    Case(f"{EC}/eis/parstat_txt/impedancepy_exampleDataParstat.txt", "parstat", "eis"),
    Case(f"{EC}/eis/powersuite_txt/impedancepy_exampleDataPowersuite.txt", "parstat", "eis"),
    Case(f"{EC}/eis/versastudio_par/impedancepy_exampleDataVersaStudio.par", "versastudio", "eis"),
    Case(f"{EC}/eis/zplot_z/impedancepy_Circuit1_EIS_1.z", "zplot", "eis"),
    Case(f"{EC}/eis/zplot_z/impedancepy_exampleDataZPlot.z", "zplot", "eis"),
    Case(f"{EC}/eis/zplot_z/impedancepy_exampleDataZPlot_noComments.z", "zplot", "eis"),
    # one EDX spectrum is not a line (issue 15.4): refused as edx_line
    Case("tem/dm_edx/rsciio_test-EDS_spectrum.dm3", "gatan_dm", "edx_line", ONE),
    Case("tem/dm_eels/pytemlib_EELS_STO_TiL23_OK.dm3", "gatan_dm", "eels_line"),
    Case("tem/dm_eels/rsciio_test-EELS_spectrum.dm3", "gatan_dm", "eels_line"),
    Case("tem/msa_edx/nexl_IIIE_K412_0_4.msa", "emsa", "edx_line", ONE),
    Case("tem/msa_edx/rsciio_example2_EMSA-spec_NiO_EDS.msa", "emsa", "edx_line", ONE),
    Case("tem/msa_eels/exspy_coreloss_spectrum_MnL23_OK.msa", "emsa", "eels_line"),
    Case("tem/msa_eels/exspy_lowloss_spectrum.msa", "emsa", "eels_line"),
    Case("tem/msa_eels/rsciio_example1_EMSA-spec_NiO_OK.msa", "emsa", "eels_line"),
    Case("xrd/bruker_brml/genx_BRML_alt.brml", "bruker_brml", "xrd", refused="reflectivity"),
    Case("xrd/bruker_raw/chemotion_PD-01-02_2.raw", "bruker_raw", "xrd"),
    Case("xrd/bruker_raw/nomad_TwoTheta_scan_scrambled_RAW4.raw", "bruker_raw", "xrd"),
    Case("xrd/bruker_raw/xylib_BT86.raw", "bruker_raw", "xrd"),
    Case("xrd/bruker_raw/xylib_Cu3Au-1.raw", "bruker_raw", "xrd"),
    Case("xrd/bruker_uxd/chemotion_PD-01-02_2.UXD", "bruker_uxd", "xrd"),
    Case("xrd/bruker_uxd/xylib_BT86_.UXD", "bruker_uxd", "xrd"),
    Case("xrd/panalytical_csv/yadg_210520step1_30min.csv", "panalytical_csv", "xrd"),
    Case("xrd/rigaku_ras/genx_rigaku_test.ras", "rigaku", "xrd"),
    Case("xrd/rigaku_rasx/genx_rigaku_test.rasx", "rigaku", "xrd"),
    Case("xrd/stoe_raw/chemotion_LA_P-37cd_DUT-52Zr_act_EtOH_RAW106.raw", "stoe_raw", "xrd"),
    Case("xrd/xrdml/chemotion_LA_P37cd_DUT52Zr-Thermo-XRD-5-90-45min_25C_1.xrdml", "xrdml", "xrd"),
    Case("xrd/xrdml/genx_XRDML_alt.xrdml", "xrdml", "xrd", refused="reflectivity"),
    Case("xrd/xrdml/xylib_empyrean.xrdml", "xrdml", "xrd"),
    Case("xrd/xrdml/yadg_210520step1_30min.xrdml", "xrdml", "xrd"),
    Case("xrd/xy/chemotion_LA_P-37cd_DUT-52Zr_act_EtOH.xyd", "xy", "xrd"),
    Case("xrd/xy/chemotion_LA_P37cd_DUT52Zr-Thermo-XRD-5-90-45min_25C_1.xy", "xy", "xrd"),
    Case("xrd/xy/yadg_210520step1_30min.xy", "xy", "xrd"),
]

# Readers with no real file in ../shared/realdata: a file of their format written here.
EDX_TABLE = "Distance (nm),O (at%),Ti (at%),Co (at%)\n" + "".join(
    f"{2 * i},{50 + i},{i},{40 - 2 * i}\n" for i in range(12)
)
WRITTEN = {"edx_table": ("profile.csv", EDX_TABLE, "edx_line")}

MODULES = {module.__name__.rsplit(".", 1)[-1]: module for module in readers.registered()}


def module(name: str):
    """The registered reader module of this module name."""
    return MODULES[name]


@pytest.mark.parametrize("name", list(MODULES))
def test_every_reader_satisfies_the_protocol(name):
    reader = module(name)
    assert isinstance(reader, readers.Reader)
    assert isinstance(reader.NAME, str) and reader.NAME
    assert isinstance(reader.VERSION, str) and reader.VERSION
    assert reader.TECHNIQUES and set(reader.TECHNIQUES) <= set(datasets.TECHNIQUES)
    parameters = inspect.signature(reader.read).parameters
    assert list(parameters)[:2] == ["path", "technique"]
    for option in reader.OPTIONS:
        assert parameters[option].default is not inspect.Parameter.empty, option
    assert list(inspect.signature(reader.sniff).parameters) == ["path", "head"]


def test_reader_names_are_unique():
    names = [m.NAME for m in MODULES.values()]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("name", list(MODULES))
def test_every_reader_is_tested_on_a_file_of_its_format(name):
    assert name in WRITTEN or any(case.reader == name for case in CASES)


@pytest.mark.parametrize("name", list(MODULES))
def test_no_reader_claims_an_empty_file(name, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert not module(name).sniff(empty, b"")


@pytest.mark.parametrize("case", CASES, ids=[c.path.rsplit("/", 1)[-1] for c in CASES])
def test_real_file_is_detected_and_read_into_the_layout(case):
    path = real_file(case.path)
    reader = module(case.reader)
    assert readers.detect(path, case.technique) is reader
    if case.refused:
        with pytest.raises(ReadError, match=case.refused) as info:
            readers.read(path, case.technique, declared=True)  # as the clean step reads
        assert info.value.path == str(path)
        return
    ds = readers.read(path, case.technique)
    datasets.validate(ds, case.technique)
    assert ds.attrs["reader"] == reader.NAME


@pytest.mark.parametrize("name", list(WRITTEN))
def test_written_file_is_detected_and_read_into_the_layout(name, tmp_path):
    file_name, text, technique = WRITTEN[name]
    path = tmp_path / file_name
    path.write_text(text, encoding="utf-8")
    assert readers.detect(path, technique) is module(name)
    datasets.validate(readers.read(path, technique), technique)


@pytest.mark.parametrize("name", list(MODULES))
def test_sniff_refuses_every_other_readers_real_file(name, realdata):
    own = tuple(sorted({case.folder for case in CASES if case.reader == name}))
    assert real_files_sniffed_by(module(name), own) == []


def test_every_real_file_is_a_case(realdata):
    listed = {case.path for case in CASES}
    paths = (p.relative_to(realdata).as_posix() for p in Path(realdata).rglob("*") if p.is_file())
    data_files = {p for p in paths if not p.startswith("cif/") and "/" in p}
    assert data_files - listed == set()


# Readers depend on the layouts, the error type and their own toolkit, never on an analysis
# (issue 16.3): readers -> datasets / errors / readers._text, _cv, _positions.
ALLOWED_IMPORTS = ("interphase.datasets", "interphase.errors", "interphase.readers")


def interphase_imports(path: Path) -> set[str]:
    """The interphase modules a source file imports (at any depth of the file)."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "interphase":
            found.update(f"interphase.{a.name}" for a in node.names)  # from interphase import x
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("interphase"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("interphase"))
    return found


@pytest.mark.parametrize("name", list(MODULES) + ["__init__", "_text", "_cv", "_positions"])
def test_readers_import_no_analysis(name):
    path = Path(readers.__file__).with_name(f"{name}.py")
    imported = interphase_imports(path)
    assert all(m.startswith(ALLOWED_IMPORTS) for m in imported), imported
