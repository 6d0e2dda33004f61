"""Templates compiled once: Jinja's bytecode on disk in the instance folder, and every
template compiled in gunicorn's master before it forks its workers."""
from pathlib import Path

from jinja2 import FileSystemBytecodeCache

FOLDER = "jinja-bytecode"


def template_bytecode_cache(instance_path):
    """Jinja's bytecode cache in `<instance>/jinja-bytecode/`. Jinja keys each entry by the
    template's name and a checksum of its source, and writes it through a temporary file
    renamed into place: an edited template is compiled again, and workers writing at once
    never read half a file."""
    folder = Path(instance_path) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return FileSystemBytecodeCache(str(folder))


def compile_all_templates(app):
    """Load every template into the environment's cache (from the bytecode cache, or compiled
    and stored there). Called in gunicorn's master (gunicorn.conf.py): the workers it forks
    start with every template ready, and a recycled worker compiles none. Returns the count."""
    environment = app.jinja_env
    names = environment.list_templates(filter_func=lambda name: name.endswith((".html",
                                                                              ".txt")))
    for name in names:
        environment.get_template(name)
    return len(names)
