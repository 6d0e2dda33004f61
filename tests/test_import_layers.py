"""No import loop between the portal's top-level packages and modules (issue 17).

Every `import` and `from ... import` under portal/, at any depth of a module (inside functions
too: an import deferred into a function is still a dependency), is mapped to the top-level
package or module of portal/ it names; a loop between two of them fails the test with the
import lines that make it. The walker itself is tested on a small planted package tree.
"""
import ast
from pathlib import Path

import portal

PORTAL = Path(portal.__file__).parent


def _module_name(path, root):
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return parts


def _imported_modules(node, module_parts, is_package):
    """The dotted names an import node brings in (for `from portal import x`, `portal.x`)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:   # relative: from the module's package, one level up per extra dot
        package = module_parts if is_package else module_parts[:-1]
        base = package[:len(package) - node.level + 1]
        stem = ".".join(base + ([node.module] if node.module else []))
    else:
        stem = node.module or ""
    return [stem] + [f"{stem}.{alias.name}" for alias in node.names]


def _top_level(dotted, root_name):
    """'portal.judging.services' -> 'judging'; None outside the package and for the package
    itself (every module of it runs the package's __init__ first anyway)."""
    parts = dotted.split(".")
    return parts[1] if parts[0] == root_name and len(parts) > 1 else None


def import_graph(root=PORTAL):
    """{importer: {imported: ["path:line", ...]}} between the top-level names under `root`;
    the package's own __init__ (the application factory) counts as the importer `__init__`."""
    graph = {}
    for path in sorted(root.rglob("*.py")):
        parts = _module_name(path, root)
        source = _top_level(".".join(parts), root.name) or "__init__"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            place = f"{path.relative_to(root.parent)}:{node.lineno}"
            for dotted in _imported_modules(node, parts, path.name == "__init__.py"):
                target = _top_level(dotted, root.name)
                if target in (None, source):
                    continue
                if not (root / target).is_dir() and not (root / f"{target}.py").is_file():
                    continue   # `from portal import create_app`: a name, not a module
                places = graph.setdefault(source, {}).setdefault(target, [])
                if place not in places:
                    places.append(place)
    return graph


def import_loops(graph):
    """The strongly connected groups of more than one name (Tarjan), each sorted."""
    index, low, on_stack, stack, loops = {}, {}, set(), [], []

    def visit(name):
        index[name] = low[name] = len(index)
        stack.append(name)
        on_stack.add(name)
        for other in graph.get(name, {}):
            if other not in index:
                visit(other)
                low[name] = min(low[name], low[other])
            elif other in on_stack:
                low[name] = min(low[name], index[other])
        if low[name] == index[name]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == name:
                    break
            if len(group) > 1:
                loops.append(sorted(group))

    names = set(graph) | {target for targets in graph.values() for target in targets}
    for name in sorted(names):
        if name not in index:
            visit(name)
    return sorted(loops)


def describe(graph, loops):
    lines = []
    for group in loops:
        lines.append("loop: " + ", ".join(group))
        for source in group:
            for target, places in sorted(graph.get(source, {}).items()):
                if target in group:
                    lines.append(f"  {source} -> {target}: {', '.join(places[:3])}")
    return "\n".join(lines)


def test_no_import_loop_between_the_portals_packages():
    graph = import_graph()
    assert {"judging", "contests", "policy", "console"} <= set(graph)   # the walk saw them
    loops = import_loops(graph)
    assert not loops, describe(graph, loops)


def _plant(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_a_planted_loop_is_caught_even_inside_a_function(tmp_path):
    root = tmp_path / "portal"
    _plant(root, {
        "__init__.py": "def create_app():\n    from portal.stage import views\n",
        "floor/__init__.py": "",
        "floor/rules.py": "import json\n",
        "stage/__init__.py": "",
        "stage/views.py": "from portal.floor import rules\nfrom . import services\n",
        "stage/services.py": "from ..floor.rules import x\n",
        "policy.py": "from portal.floor import rules\n",
    })
    assert import_loops(import_graph(root)) == []
    assert set(import_graph(root)["stage"]) == {"floor"}    # relative imports resolved

    _plant(root, {"floor/rules.py": "def check():\n    from portal import policy\n"})
    graph = import_graph(root)
    assert import_loops(graph) == [["floor", "policy"]]
    assert "portal/floor/rules.py:2" in describe(graph, import_loops(graph))

    _plant(root, {"policy.py": "import json\n",
                  "floor/rules.py": "def check():\n    from ..stage.services import y\n"})
    assert import_loops(import_graph(root)) == [["floor", "stage"]]
