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


def test_lists_are_joined_as_the_language_lists_them(app):
    from portal.i18n import join_list
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert join_list(["Elderly care", "Education aid"]) == "Elderly care, Education aid"
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert join_list(["安老", "助学"]) == "安老、助学"
        assert join_list(["安老", "助学"], "en") == "安老, 助学"


def test_a_chinese_results_mail_has_no_ascii_colon(app):
    from types import SimpleNamespace

    from flask import render_template
    from flask_babel import force_locale
    proposal = SimpleNamespace(reference="ZZCF-2014-0007", title="银龄陪伴计划")
    tier = SimpleNamespace(name_zh="三等奖", name_en="Third prize",
                           localized=lambda field, locale: "三等奖")
    with app.test_request_context(), force_locale("zh_CN"):
        text = render_template("mail/results_final.txt", user=SimpleNamespace(
            display_name="王小明", email="w@example.org"), contest=SimpleNamespace(
            name_zh="大赛", name_en=None, localized=lambda field, locale: "大赛"),
            outcomes=[(proposal, SimpleNamespace(tier=tier)), (proposal, None)],
            feedback=False, results_url="https://portal.example.org/r")
    assert "ZZCF-2014-0007 银龄陪伴计划：三等奖" in text and "计划: " not in text
    assert "ZZCF-2014-0007 银龄陪伴计划：未获奖" in text
