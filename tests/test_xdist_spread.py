"""`make test`'s scheduling: `--dist loadfile`, with the fuzz pass's and the accessibility pass's
roles given to the workers one by one (`SPREAD` in tests/conftest.py)."""

from tests.conftest import SPREAD, pytest_xdist_make_scheduler


class _Config:
    """What pytest-xdist's scheduler reads of the configuration, for `make test`'s options."""

    def __init__(self, dist):
        self.values = {"dist": dist, "tx": ["popen", "popen"]}

    def getvalue(self, name):
        return self.values[name]


def test_each_role_of_the_two_passes_is_a_unit_of_work_and_other_files_stay_whole():
    scheduling = pytest_xdist_make_scheduler(_Config("loadfile"), log=None)
    fuzz = "tests/fuzz/test_every_page.py::test_no_page_answers_a_server_error_to_any_input"
    axe = "tests/browser/test_accessibility.py::"
    axe += "test_no_serious_axe_violation_on_any_page_of_the_role"
    for nodeid in (f"{fuzz}[lao_clerk]", f"{fuzz}[anonymous]", f"{axe}[lao_clerk-phone-en]"):
        assert nodeid.startswith(SPREAD)
        assert scheduling._split_scope(nodeid) == nodeid
    # The rest of those files, and every other file, go whole to one worker.
    for nodeid, unit in [
        (
            "tests/fuzz/test_every_page.py::test_every_numbered_path_of_our_apps_names_its_model",
            "tests/fuzz/test_every_page.py",
        ),
        ("tests/circulars/test_chain.py::TestPages::test_inbox", "tests/circulars/test_chain.py"),
    ]:
        assert scheduling._split_scope(nodeid) == unit


def test_other_distributions_are_pytest_xdist_s_own():
    assert pytest_xdist_make_scheduler(_Config("load"), log=None) is None
