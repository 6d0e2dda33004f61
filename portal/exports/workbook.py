"""The sheets of a contest export, in workbook order, from one ranking of the chosen round."""
from portal.exports.ranking_sheets import ranking_notes_sheet, ranking_sheet
from portal.exports.sheets import awards_sheet, contest_awards, judge_codes, judges_sheet, \
    proposals_sheet, reviews_sheet

# Every sheet, in workbook order; `ranking` alone is the CSV download.
SHEET_KEYS = ("ranking", "ranking_notes", "reviews", "proposals", "judges", "awards")


# Sheets about the whole ranking or every judge: not in an export limited to themes.
SPANNING_THEMES = ("ranking_notes", "judges")


def contest_sheets(contest, options, ranked, keys=SHEET_KEYS):
    """The sheets named by `keys`, in that order, from one ranking of the chosen round (the
    big ones' rows are read as they are written). An export limited to themes
    (`options.themes`, a theme chair's) keeps their proposals, reviews and awards, and leaves
    out the sheets that span themes (notes, judge statistics)."""
    if options.themes is not None:
        keys = [key for key in keys if key not in SPANNING_THEMES]
        ranked = ranked.within_themes(options.themes)
    codes = judge_codes(contest) if {"reviews", "judges"} & set(keys) else {}
    awards = contest_awards(contest, options.themes) if {"ranking", "awards"} & set(keys) else []
    builders = {
        "ranking": lambda: ranking_sheet(ranked, awards),
        "ranking_notes": lambda: ranking_notes_sheet(ranked),
        "reviews": lambda: reviews_sheet(contest, options, codes),
        "proposals": lambda: proposals_sheet(contest, options.themes),
        "judges": lambda: judges_sheet(contest, options, codes, ranked),
        "awards": lambda: awards_sheet(awards),
    }
    return [builders[key]() for key in keys]
