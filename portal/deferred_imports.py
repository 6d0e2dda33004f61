"""Libraries the portal imports on first use instead of at start: pinyin order (pypinyin), the
ranking's and the assignment's sparse algebra (scipy), the cleaning of blind files (lxml,
pypdf), the reading of paper scores (openpyxl). Every `flask` command, `make run`'s two processes and each test run create the app,
and these took about 0.65 s of its 1.9 s start on this project's machines.

gunicorn's master imports them before it forks (gunicorn.conf.py, `when_ready`), so that its
workers, recycled ones too, share them and no request pays for them. The module that uses one
imports it inside the function that needs it, with a comment naming this module.
"""
import importlib

DEFERRED = ("pypinyin", "scipy.linalg", "scipy.sparse", "scipy.sparse.csgraph",
            "scipy.sparse.linalg", "scipy.special", "lxml.etree", "pypdf", "openpyxl")


def import_deferred():
    """Import every deferred library now (a server's master, before it forks its workers)."""
    for name in DEFERRED:
        importlib.import_module(name)
