"""The product uses its dependencies through their public API only (docs/architecture.md): no
attribute access, assignment, `getattr`/`setattr`, import or method override of an underscored
name (`_x`, not a dunder) of an object, module or class that comes from another package.
Tortoise's `Model._meta` is the documented exception. `self._x` and `cls._x` are ours in a class
of our own; in a class with a base from another package only when the class sets `_x` itself and
the base has no `_x`; and any method `_x` of such a class is an override of the base's internals.

An AST scan of classroom_helper/, helpdesk/ and run.py (migrations excluded)."""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
from dataclasses import dataclass, field
from pathlib import Path

from tests.processes import ROOT

OURS = {"classroom_helper", "helpdesk", "run"}
ALLOWED = {"_meta"}  # tortoise's model introspection, documented


def product_files() -> list[Path]:
    files = [ROOT / "run.py"]
    for package in ("classroom_helper", "helpdesk"):
        files += [
            path
            for path in sorted((ROOT / package).rglob("*.py"))
            if "migrations" not in path.relative_to(ROOT).parts
        ]
    return files


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


@dataclass
class Module:
    path: Path
    tree: ast.Module
    foreign: dict[str, str] = field(default_factory=dict)  # local name → where it comes from
    own: set[str] = field(default_factory=set)  # names of our own modules and classes here


def imports(tree: ast.Module) -> dict[str, str]:
    """Names bound by imports from other packages → their dotted origin."""
    foreign = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] not in OURS:
                    foreign[alias.asname or alias.name.split(".")[0]] = alias.name
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module
            and node.module.split(".")[0] not in OURS
        ):
            for alias in node.names:
                foreign[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return foreign


def own_names(tree: ast.Module) -> set[str]:
    """Names bound by imports from our own packages, and the module's own classes."""
    own = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            own |= {
                alias.asname or alias.name.split(".")[0]
                for alias in node.names
                if alias.name.split(".")[0] in OURS
            }
        elif isinstance(node, ast.ImportFrom) and (
            node.level > 0 or (node.module or "").split(".")[0] in OURS
        ):
            own |= {alias.asname or alias.name for alias in node.names}
    return own


def root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def resolve(dotted: str):
    """The object a dotted origin names, or None when it cannot be imported here."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for part in parts[cut:]:
                found = getattr(found, part)
        except AttributeError:
            return None
        return found
    return None


def assigned(node: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    return node.targets if isinstance(node, ast.Assign) else [node.target]


def has_private(base, name: str) -> bool:
    """Whether a class of another package (or one we cannot import: assumed) has `name`, as a
    class attribute or set on its instances in its source."""
    if base is None:
        return True
    if hasattr(base, name):
        return True
    for klass in inspect.getmro(base) if inspect.isclass(base) else ():
        try:
            if f".{name}" in inspect.getsource(klass):
                return True
        except (OSError, TypeError):
            continue
    return False


class Scan:
    def __init__(self, files: list[Path]):
        self.modules = [Module(p, ast.parse(p.read_text(), str(p))) for p in files]
        for module in self.modules:
            module.foreign = imports(module.tree)
            module.own = own_names(module.tree)
        # our classes by name: where, and how
        self.classes: dict[str, tuple[Module, ast.ClassDef]] = {
            node.name: (module, node)
            for module in self.modules
            for node in module.tree.body
            if isinstance(node, ast.ClassDef)
        }
        # attributes our own classes (no base from another package) define
        self.own_attributes: set[str] = set()
        for module in self.modules:
            for cls in ast.walk(module.tree):
                if not isinstance(cls, ast.ClassDef) or self.foreign_bases(module, cls):
                    continue
                for node in ast.walk(cls):
                    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                        self.own_attributes.add(node.name)
                    elif (
                        isinstance(node, ast.Attribute)
                        and isinstance(node.ctx, ast.Store)
                        and root_name(node.value) in {"self", "cls"}
                    ):
                        self.own_attributes.add(node.attr)
                for node in cls.body:
                    if isinstance(node, ast.Assign | ast.AnnAssign):
                        self.own_attributes |= {
                            t.id for t in assigned(node) if isinstance(t, ast.Name)
                        }
        self.problems: list[str] = []

    def foreign_bases(self, module: Module, cls: ast.ClassDef) -> list[str]:
        bases = []
        for base in cls.bases:
            while isinstance(base, ast.Subscript):  # Generic[T]: Generic
                base = base.value
            name = root_name(base)
            if name in module.foreign:
                bases.append(
                    ast.unparse(base).replace(name, module.foreign[name], 1)
                )  # e.g. socketio.AsyncManager
            elif name in module.own and name in self.classes and self.classes[name][1] is not cls:
                bases += self.foreign_bases(*self.classes[name])  # through a class of ours
            elif name is not None and hasattr(builtins, name) and name != "object":
                bases.append(f"builtins.{ast.unparse(base)}")
        return bases

    def problem(self, module: Module, node: ast.AST, what: str) -> None:
        where = f"{module.path.relative_to(ROOT)}:{node.lineno}"
        self.problems.append(f"{where}: {what}")

    def run(self) -> list[str]:
        for module in self.modules:
            self.scan_imports(module)
            self.scan_scope(module, module.tree, cls=None)
        return self.problems

    def scan_imports(self, module: Module) -> None:
        for node in ast.walk(module.tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module.split(".")[0] in OURS:
                    continue
                if any(private(part) for part in node.module.split(".")):
                    self.problem(module, node, f"imports the private module {node.module}")
                for alias in node.names:
                    if private(alias.name):
                        self.problem(module, node, f"imports {node.module}.{alias.name}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    parts = alias.name.split(".")
                    if parts[0] not in OURS and any(private(p) for p in parts):
                        self.problem(module, node, f"imports the private module {alias.name}")

    def scan_scope(self, module: Module, scope: ast.AST, cls: ast.ClassDef | None) -> None:
        for node in ast.iter_child_nodes(scope):
            if isinstance(node, ast.ClassDef):
                self.scan_class(module, node)
                continue
            self.scan_node(module, node, cls)
            self.scan_scope(module, node, cls)

    def scan_class(self, module: Module, cls: ast.ClassDef) -> None:
        bases = self.foreign_bases(module, cls)
        if bases:
            for node in cls.body:
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and private(node.name):
                    self.problem(
                        module,
                        node,
                        f"{cls.name}.{node.name} overrides or adds a private method in a "
                        f"subclass of {', '.join(bases)}",
                    )
        for node in cls.body:
            if isinstance(node, ast.ClassDef):
                self.scan_class(module, node)
                continue
            self.scan_node(module, node, cls)
            self.scan_scope(module, node, cls)

    def scan_node(self, module: Module, node: ast.AST, cls: ast.ClassDef | None) -> None:
        if isinstance(node, ast.Attribute) and private(node.attr):
            self.check(module, node, node.value, node.attr, cls)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"getattr", "setattr", "hasattr", "delattr"}
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and private(node.args[1].value)
        ):
            self.check(module, node, node.args[0], node.args[1].value, cls)

    def check_class(
        self,
        module: Module,
        node: ast.AST,
        owner: ast.expr,
        name: str,
        defined_in: Module,
        cls: ast.ClassDef,
    ) -> None:
        """`self._x`, `cls._x` or `OurClass._x`: ours unless the class has a base from another
        package that has `_x`, or does not set `_x` itself."""
        bases = self.foreign_bases(defined_in, cls)
        if not bases:
            return
        set_here = any(
            isinstance(n, ast.Attribute)
            and n.attr == name
            and isinstance(n.ctx, ast.Store)
            and root_name(n.value) in {"self", "cls"}
            for n in ast.walk(cls)
        ) or any(
            isinstance(n, ast.Assign | ast.AnnAssign)
            and name in {t.id for t in assigned(n) if isinstance(t, ast.Name)}
            for n in cls.body
        )
        if set_here and not any(has_private(resolve(base), name) for base in bases):
            return
        self.problem(
            module, node, f"{ast.unparse(owner)}.{name} in a subclass of {', '.join(bases)}"
        )

    def check(
        self, module: Module, node: ast.AST, owner: ast.expr, name: str, cls: ast.ClassDef | None
    ) -> None:
        if name in ALLOWED:
            return
        root = root_name(owner)
        if isinstance(owner, ast.Name) and owner.id in {"self", "cls"} and cls is not None:
            self.check_class(module, node, owner, name, module, cls)
            return
        if isinstance(owner, ast.Name) and owner.id in self.classes and owner.id in module.own:
            self.check_class(module, node, owner, name, *self.classes[owner.id])
            return
        if isinstance(owner, ast.Call) and root_name(owner) == "super":
            self.problem(module, node, f"super().{name}: a base class's private name")
            return
        if root in module.foreign:
            self.problem(module, node, f"{ast.unparse(owner)}.{name} ({module.foreign[root]})")
            return
        if isinstance(owner, ast.Name) and owner.id in module.own:
            return  # one of our modules or classes
        if name not in self.own_attributes:
            self.problem(module, node, f"{ast.unparse(owner)}.{name}: not a name of our own")


def test_the_product_uses_no_private_name_of_another_package():
    problems = Scan(product_files()).run()
    assert not problems, "private names of other packages:\n" + "\n".join(problems)


# --- the scan itself ---------------------------------------------------------------------------


def scan_source(tmp_path: Path, source: str) -> list[str]:
    path = tmp_path / "sample.py"
    path.write_text(source)
    scan = Scan([path])
    scan.problems = []
    original = ROOT
    try:
        globals()["ROOT"] = tmp_path
        return scan.run()
    finally:
        globals()["ROOT"] = original


def test_the_scan_finds_each_kind_of_use(tmp_path):
    problems = scan_source(
        tmp_path,
        "import socketio\n"
        "from engineio import packet\n"
        "from aiohttp.web import _private\n"
        "class Manager(socketio.AsyncManager):\n"
        "    async def _publish(self, data):\n"  # an override
        "        self._listen()\n"  # a base's private method
        "        await super()._publish(data)\n"
        "def f(server, request):\n"
        "    server.eio._async = {}\n"  # assignment on someone else's object
        "    packet._binary = 1\n"  # a module of another package
        "    getattr(request, '_message')\n",
    )
    assert len(problems) == 7, problems


def test_the_scan_lets_our_own_names_and_dunders_and_meta_be(tmp_path):
    problems = scan_source(
        tmp_path,
        "from tortoise.models import Model\n"
        "class Ticket(Model):\n"
        "    pass\n"
        "class Ours:\n"
        "    def __init__(self):\n"
        "        self._people = {}\n"
        "    def _count(self):\n"
        "        return len(self._people), self.__class__.__name__\n"
        "def g(other: Ours):\n"
        "    return other._people, Ticket._meta.fields_map\n",
    )
    assert problems == []
