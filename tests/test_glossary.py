"""The zh wording follows docs/glossary.md: no forbidden variant of a term, and no ASCII
punctuation inside Chinese text, in the catalog and in the Chinese written outside it."""
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "portal/translations/zh_Hans_CN/LC_MESSAGES/messages.po"
GLOSSARY = ROOT / "docs/glossary.md"
CJK = "\u3400-\u9fff\u3000-\u303f\uff00-\uffef“”‘’"
# What may hold ASCII punctuation inside Chinese text: placeholders, URLs, code, file names.
ALLOWED = re.compile(r"%\(\w+\)[sdf]|%%|\{\w+\}|https?://\S+|`[^`]*`|[\w.-]+\.(?:pdf|docx?|xlsx?|png|jpe?g|csv|zip)\b",
                     re.IGNORECASE)
ASCII_NEXT_TO_CJK = re.compile(rf"[{CJK}]\s*[:,;?!()]|[:,;?!()]\s*[{CJK}]")


def forbidden_terms():
    """The variants in the last column of the glossary's table."""
    terms = set()
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in ("中文", "---") and not cells[0].startswith("-"):
            terms.update(term.strip() for term in cells[3].split(",") if term.strip())
    return terms


def catalog_texts():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        for text in strings:
            if text:
                yield msgid, text


def chinese_outside_catalog():
    """Chinese lines of the seed files, the mail samples and the templates."""
    files = [*ROOT.glob("portal/seed/*.yaml"), *ROOT.glob("portal/**/*.py"),
             *ROOT.glob("templates/**/*.html"), *ROOT.glob("templates/**/*.txt")]
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(f"[{CJK}]", line):
                yield f"{path.relative_to(ROOT)}:{number}", line


def ascii_punctuation(text):
    return ASCII_NEXT_TO_CJK.search(ALLOWED.sub("X", text))


def test_the_glossary_lists_forbidden_variants():
    assert {"评委", "申报者", "账户", "组织方", "评审意见"} <= forbidden_terms()


def test_no_catalog_entry_uses_a_forbidden_term():
    terms = forbidden_terms()
    bad = [(msgid, text) for msgid, text in catalog_texts() if any(t in text for t in terms)]
    assert bad == []


def test_no_chinese_text_outside_the_catalog_uses_a_forbidden_term():
    terms = forbidden_terms()
    bad = [(where, line) for where, line in chinese_outside_catalog()
           if any(term in line for term in terms)]
    assert bad == []


def test_no_ascii_punctuation_inside_chinese_catalog_text():
    bad = [(msgid, text) for msgid, text in catalog_texts() if ascii_punctuation(text)]
    assert bad == []


@pytest.mark.parametrize("text, wrong", [
    ("计划: 三等奖", True), ("请填写项目名称,谢谢", True), ("（选填)", True), ("真的吗?", True),
    ("%(title)s：%(tier)s", False), ("见 https://example.org/a,b 页面", False),
    ("上传 plan.pdf 文件", False), ("北京时间 10:00", False), ("共 %(count)d 项", False),
])
def test_the_punctuation_check_tells_wrong_from_right(text, wrong):
    assert bool(ascii_punctuation(text)) is wrong


def test_no_page_shows_a_command_line():
    found = [str(path.relative_to(ROOT)) for path in (ROOT / "templates").rglob("*.*")
             if re.search(r"flask --app|make (run|install)|pybabel", path.read_text("utf-8"))]
    assert found == []


def zh_values(node, path=""):
    """The `zh:` texts of a contest file, with where they are."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from zh_values(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from zh_values(value, f"{path}[{index}]")
    elif isinstance(node, str) and path.endswith(".zh"):
        yield path, node


def test_no_ascii_punctuation_in_the_chinese_of_seed_files_and_mail_samples():
    import yaml

    from portal.mail_templates.catalog import KINDS
    texts = [(f"{path.name}{where}", text) for path in ROOT.glob("portal/seed/*.yaml")
             for where, text in zh_values(yaml.safe_load(path.read_text(encoding="utf-8")))]
    texts += [(f"{kind.code}.{name}", placeholder.sample) for kind in KINDS.values()
              for name, placeholder in kind.placeholders.items()]
    assert len(texts) > 50
    assert [(where, text) for where, text in texts if ascii_punctuation(text)] == []
