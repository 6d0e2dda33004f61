"""Operations commands: backup, restore, demo data."""
from pathlib import Path

import click

from portal.ops.backup import create_backup, restore_backup


@click.command("backup")
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False, path_type=Path))
def backup_command(out_file):
    """Back up the database and the uploads into one .tar.gz file."""
    manifest = create_backup(out_file)
    click.echo(f"backup of the {manifest['database']} database and uploads written to {out_file}")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(archive, yes):
    """Replace the database and uploads with a backup (stop the portal first)."""
    if not yes:
        click.confirm("This replaces the current database and uploads. Continue?", abort=True)
    manifest = restore_backup(archive)
    click.echo(f"restored the {manifest['database']} database and uploads from {archive}")


COMMANDS = (backup_command, restore_command)
