"""Operations commands: backup, restore, demo data."""
from pathlib import Path

import click

from portal.audit.anchors import logged_anchors, verify_log
from portal.audit.chain import Anchor
from portal.extensions import db
from portal.ops.backup import create_backup, restore_backup
from portal.ops.demo import DEMO_PASSWORD, seed_demo


@click.command("backup")
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False, path_type=Path))
def backup_command(out_file):
    """Back up the database and the uploads into one .tar.gz file."""
    manifest = create_backup(out_file)
    click.echo(f"backup of the {manifest['database']} database and uploads written to {out_file}")
    if "audit_head" in manifest:
        head = manifest["audit_head"]
        click.echo(f"audit log anchor: {head['entry']}:{head['hash']}")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(archive, yes):
    """Replace the database and uploads with a backup (stop the portal first)."""
    if not yes:
        click.confirm("This replaces the current database and uploads. Continue?", abort=True)
    manifest = restore_backup(archive)
    click.echo(f"restored the {manifest['database']} database and uploads from {archive}")


@click.command("seed-demo")
@click.option("--contest", "slug", default="demo", show_default=True)
@click.option("--proposals", default=200, show_default=True)
@click.option("--judges", default=20, show_default=True)
@click.option("--reviews-per-proposal", default=3, show_default=True)
@click.option("--seed", default=2014, show_default=True)
@click.option("--replace", is_flag=True, help="Delete an existing contest with this slug first.")
@click.option("--grants", default=0, show_default=True,
              help="Award this many proposals and fill their grants with reports and releases.")
def seed_demo_command(slug, proposals, judges, reviews_per_proposal, seed, replace, grants):
    """Create a demo contest full of realistic proposals, judges and scores."""
    seed_file = Path(__file__).resolve().parent.parent / "seed" / "zzcf-2014.yaml"
    try:
        counts = seed_demo(slug, proposals, judges, reviews_per_proposal, seed, seed_file,
                           replace=replace, grants=grants)
    except ValueError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"demo contest {counts['contest']}: {counts['proposals']} proposals, "
               f"{counts['judges']} judges, {counts['reviews']} reviews, "
               f"{counts['grants']} grants "
               f"(password for every demo account: {DEMO_PASSWORD})")


PROBLEMS = {
    "content": "its content no longer matches its hash (changed in the database)",
    "link": "it does not follow the entry before it (an entry deleted, inserted or reordered)",
    "anchor": "its hash differs from the anchor written down earlier (the chain was "
              "recomputed after a change at or before it)",
    "anchor-missing": "no entry carries this anchor's hash (the chain was recomputed after a "
                      "change at or before the anchored entry, or entries were deleted)",
}


@click.command("verify-audit")
@click.option("--anchor", "anchors", multiple=True, metavar="HASH",
              help="A hash written down earlier (HASH or ENTRY:HASH), e.g. the console's daily "
                   "anchor or a backup's; may be repeated.")
@click.option("--no-anchor-file", is_flag=True,
              help="Do not check the anchors the portal appended to its anchor file.")
def verify_audit_command(anchors, no_anchor_file):
    """Check the audit log's hash chain; report the first broken link (exit status 1)."""
    try:
        given = [Anchor.parse(text) for text in anchors]
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--anchor") from None
    checked = given + ([] if no_anchor_file else logged_anchors())
    report = verify_log(checked)
    if report.intact:
        click.echo(f"audit log intact: {report.checked} entries, "
                   f"{len(checked)} anchors checked")
        return
    where = f"entry {report.broken_at}" if report.broken_at is not None else "an entry"
    anchor = f" (anchor {report.anchor.entry_hash})" if report.anchor else ""
    click.echo(f"audit log BROKEN at {where}{anchor}: {PROBLEMS[report.problem]}; "
               f"{report.checked} entries before it hold", err=True)
    raise SystemExit(1)


COMMANDS = (backup_command, restore_command, seed_demo_command, verify_audit_command)
