"""Libraries the portal imports on first use instead of at start: pinyin order (pypinyin), the
ranking's and the assignment's sparse algebra (scipy), the cleaning of blind files (lxml,
pypdf), the reading of paper scores (openpyxl). Every `flask` command, `make run`'s two
processes and each test run create the app; these took about a third of its start-up time and
100 MB of its memory.

gunicorn's master imports them before it forks (gunicorn.conf.py, `when_ready`), so that its
workers, recycled ones too, share them and no request pays for them. The module that uses one
imports it inside the function that needs it, with a comment naming this module.
"""
DEFERRED = ("pypinyin", "scipy.linalg", "scipy.sparse", "scipy.sparse.csgraph",
            "scipy.sparse.linalg", "scipy.special", "lxml.etree", "pypdf", "openpyxl")


def import_deferred():
    """Import every deferred library now (a server's master, before it forks its workers)."""
    # Written out, not looped over DEFERRED (the tests check they agree): literal imports
    # are what the security scanners accept without a second look.
    import lxml.etree  # noqa: F401
    import openpyxl  # noqa: F401
    import pypdf  # noqa: F401
    import pypinyin  # noqa: F401
    import scipy.linalg  # noqa: F401
    import scipy.sparse  # noqa: F401
    import scipy.sparse.csgraph  # noqa: F401
    import scipy.sparse.linalg  # noqa: F401
    import scipy.special  # noqa: F401
