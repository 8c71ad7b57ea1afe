import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from tests.fakes import register_fakes  # noqa: E402

register_fakes()
SAMPLES = ROOT / "cchc" / "samples"


@pytest.fixture(scope="session")
def samples() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def built_home(tmp_path_factory) -> Path:
    """One index of the five samples with the fake embedder, shared read-only by tests."""
    from index.embedders import get_embedder
    from index.ingestion import ingest_paths
    from index.store import Index

    home = tmp_path_factory.mktemp("home")
    index = Index(home, get_embedder("fake"))
    ingest_paths(index, [SAMPLES])
    return home


@pytest.fixture
def home_copy(built_home, tmp_path) -> Path:
    """A private copy of the built index that a test may modify."""
    dest = tmp_path / "home"
    shutil.copytree(built_home, dest)
    return dest
