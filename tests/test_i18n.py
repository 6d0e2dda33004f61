"""Every user-facing string is translated into Chinese, and the catalog matches the code."""
import re
import subprocess
import sys

from babel.messages.pofile import read_po

CATALOG = "portal/translations/zh_Hans_CN/LC_MESSAGES/messages.po"


def extract_messages(repo_root, tmp_path):
    template = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract",
         "-F", "portal/translations/babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-k", "N_",
         "-o", str(template), "."],
        cwd=repo_root, check=True, capture_output=True)
    with open(template, "rb") as handle:
        return read_po(handle)


def test_every_message_in_the_code_has_a_chinese_translation(repo_root, tmp_path):
    extracted = extract_messages(repo_root, tmp_path)
    with open(repo_root / CATALOG, "rb") as handle:
        catalog = read_po(handle, locale="zh_Hans_CN")
    missing = [message.id for message in extracted if message.id and (
        message.id not in catalog or not catalog[message.id].string
        or (isinstance(catalog[message.id].string, tuple)
            and not all(catalog[message.id].string)))]
    assert not missing, f"untranslated (run `make update-messages`): {missing}"
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    assert not fuzzy, f"fuzzy translations: {fuzzy}"


def test_placeholders_survive_translation(repo_root):
    import re
    with open(repo_root / CATALOG, "rb") as handle:
        catalog = read_po(handle, locale="zh_Hans_CN")
    pattern = re.compile(r"%\(\w+\)[sd]")
    for message in catalog:
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        target = message.string if isinstance(message.string, str) else message.string[0]
        assert set(pattern.findall(source)) == set(pattern.findall(target)), message.id


def test_a_label_takes_the_colon_of_the_language(client, contest):
    chinese = client.get("/").get_data(as_text=True)
    english = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "截止时间：" in chinese and "截止时间:" not in chinese
    assert "Submission deadline: " in english


def test_templates_put_no_ascii_colon_after_a_translated_label(repo_root):
    # "{{ _('Deadline') }}: " reads "截止时间: " in Chinese; the labelled filter gives "截止时间：".
    found = [f"{path.relative_to(repo_root)}: {match.group(0)}"
             for path in sorted((repo_root / "templates").rglob("*.*"))
             for match in re.finditer(r"\{\{ _\('[^']*'\) \}\}:", path.read_text("utf-8"))]
    assert found == []
