"""The sheets of a contest export, in workbook order, from one ranking of the chosen round."""
from portal.exports.ranking_sheets import ranking_notes_sheet, ranking_sheet
from portal.exports.sheets import awards_sheet, contest_awards, judge_codes, judges_sheet, \
    proposals_sheet, reviews_sheet

# Every sheet, in workbook order; `ranking` alone is the CSV download.
SHEET_KEYS = ("ranking", "ranking_notes", "reviews", "proposals", "judges", "awards")


def contest_sheets(contest, options, ranked, keys=SHEET_KEYS, done=lambda count: None):
    """The sheets named by `keys`, in that order, from one ranking of the chosen round;
    `done(count)` is told how many are made, after each one."""
    codes = judge_codes(contest) if {"reviews", "judges"} & set(keys) else {}
    awards = contest_awards(contest) if {"ranking", "awards"} & set(keys) else []
    builders = {
        "ranking": lambda: ranking_sheet(ranked, awards),
        "ranking_notes": lambda: ranking_notes_sheet(ranked),
        "reviews": lambda: reviews_sheet(contest, options, codes),
        "proposals": lambda: proposals_sheet(contest),
        "judges": lambda: judges_sheet(contest, options, codes, ranked),
        "awards": lambda: awards_sheet(awards),
    }
    sheets = []
    for key in keys:
        sheets.append(builders[key]())
        done(len(sheets))
    return sheets
