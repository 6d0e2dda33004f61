"""requirements.lock: every dependency, direct and indirect, pinned with its hashes, and the
pins of pyproject.toml the same in both files (`make lock` after changing pyproject.toml)."""
import re
import tomllib


def lock_entries(repo_root):
    """{name: (version, number of hashes)} of requirements.lock."""
    text = (repo_root / "requirements.lock").read_text()
    entries = {}
    for block in re.split(r"\n(?=\S)", text):
        match = re.match(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", block)
        if match:
            entries.setdefault(canonical(match.group(1)), set()).add(
                (match.group(2), block.count("--hash=sha256:")))
    return entries


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_locked_package_has_hashes(repo_root):
    entries = lock_entries(repo_root)
    assert len(entries) > 40
    assert all(hashes > 0 for versions in entries.values() for _version, hashes in versions)


def test_the_lock_pins_what_pyproject_pins(repo_root):
    project = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]
    pins = project["dependencies"] + project["optional-dependencies"]["test"]
    entries = lock_entries(repo_root)
    for pin in pins:
        name, version = re.match(r"([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==(\S+)", pin).groups()
        assert version in {locked for locked, _ in entries.get(canonical(name), ())}, pin


def test_the_supported_pythons_are_3_11_to_3_13(repo_root):
    project = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11,<3.14"
