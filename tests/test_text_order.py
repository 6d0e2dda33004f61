"""Chinese text in pinyin order (portal.text_order), in Python and in SQL."""
import pytest

from portal.database import pinyin_ordered
from portal.extensions import db
from portal.models import User
from portal.text_order import compare_pinyin, pinyin_key
from tests.factories import make_judge


def test_names_sort_by_pinyin_not_by_code_point():
    names = ["张伟", "李娜", "王芳", "安琪", "Bob", "alice", "2014年项目"]
    assert sorted(names, key=pinyin_key) == ["2014年项目", "alice", "安琪", "Bob", "李娜", "王芳",
                                             "张伟"]
    assert sorted(names) != sorted(names, key=pinyin_key)   # code points: 李 < 王 < 安 < 张


def test_words_with_several_readings_take_the_reading_of_the_word():
    # 重 is zhong4 alone but chong2 in 重庆; 行 is xing2 alone but hang2 in 银行.
    assert sorted(["重要", "重庆", "银行", "行动"], key=pinyin_key) == ["重庆", "行动", "银行", "重要"]


def test_homophones_keep_a_total_order():
    assert compare_pinyin("王芳", "王芳") == 0
    assert compare_pinyin("王方", "王芳") == -compare_pinyin("王芳", "王方") != 0
    assert pinyin_key(None) == pinyin_key("") == ((), "")


def test_sql_orders_by_pinyin_on_either_database(app_context):
    """As Python's pinyin_key does: by pinyin, numbers by value (on PostgreSQL, the collation of
    migration 0022; ICU's plain Chinese collation put 专家10 before 专家2)."""
    for number, name in enumerate(["张伟", "专家10", "李娜", "专家2", "安琪", "专家1"]):
        db.session.add(User(email=f"user{number}@example.org", display_name=name,
                            password_hash="x"))
    db.session.flush()
    names = db.session.scalars(db.select(User.display_name).order_by(
        pinyin_ordered(User.display_name, db.engine))).all()
    assert names == ["安琪", "李娜", "张伟", "专家1", "专家2", "专家10"]
    assert names == sorted(names, key=pinyin_key)


def test_the_judges_page_lists_judges_by_pinyin(client, auth, contest, organizer):
    for email, name in [("z@example.org", "张伟"), ("l@example.org", "李娜"),
                        ("a@example.org", "安琪")]:
        make_judge(contest, email, name=name)
    auth.login(organizer)
    page = client.get(f"/admin/contests/{contest.slug}/judges").get_data(as_text=True)
    assert page.index("安琪") < page.index("李娜") < page.index("张伟")


@pytest.mark.parametrize("text", ["", "abc", "中文", "混合 Mixed 123"])
def test_the_key_is_cached_and_stable(text):
    assert pinyin_key(text) is pinyin_key(text)


def test_the_judge_statistics_list_judges_by_pinyin(client, auth, contest, organizer):
    from tests.test_results import build_contest
    build_contest(contest, organizer)   # judges j1 and j2 have both scored
    for email, name in [("j1@example.org", "张伟"), ("j2@example.org", "安琪")]:
        db.session.scalar(db.select(User).filter_by(email=email)).display_name = name
    db.session.commit()
    auth.login(organizer)
    page = client.get(f"/admin/contests/{contest.slug}/ranking/judges").get_data(as_text=True)
    assert page.index("安琪") < page.index("张伟")


def test_numbers_in_names_sort_by_value():
    names = ["评审专家10", "评审专家2", "评审专家1", "judge11", "judge2", "Judge 1"]
    assert sorted(names, key=pinyin_key) == ["Judge 1", "judge2", "judge11", "评审专家1",
                                             "评审专家2", "评审专家10"]
