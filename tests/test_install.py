"""The virtualenv holds exactly what requirements.lock pins: ./scripts/setup installs the lock, nothing floats."""

import re
from importlib import metadata
from pathlib import Path

LOCK = Path(__file__).resolve().parent.parent / "requirements.lock"


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_installed_packages_are_exactly_the_locked_ones():
    locked = dict(re.findall(r"(?m)^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", LOCK.read_text(encoding="utf-8")))
    locked = {_normal(name): version for name, version in locked.items()}
    installed = {_normal(d.metadata["Name"]): d.version for d in metadata.distributions()}
    # pip is pinned by scripts/setup itself; the project is installed editable from this checkout
    installed.pop("pip")
    assert installed.pop("zhengce-wenda") == "0.1.0"
    assert installed == locked
