"""The type stubs (stance/__init__.pyi, stance/sklearn.pyi) cover the
package: every public name, method and keyword that exists at run time is
in a stub with the same parameters, and the stubs ship with the package."""

import ast
import inspect
from pathlib import Path

import stance
import stance.sklearn


def stub(module) -> ast.Module:
    path = Path(module.__file__).with_suffix(".pyi")
    assert path.exists(), f"{path} is not installed"
    return ast.parse(path.read_text())


def params(fn: ast.FunctionDef) -> list:
    a = fn.args
    return [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs if x.arg != "self"]


def stub_names(tree: ast.Module) -> dict:
    """{name: FunctionDef | ClassDef | None} of the stub's top level."""
    out = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            out[node.name] = node
        elif isinstance(node, ast.AnnAssign):
            out[node.target.id] = None
    return out


def check_function(runtime, node: ast.FunctionDef, what: str):
    want = [p for p in inspect.signature(runtime).parameters if p != "self"]
    assert params(node) == want, what


def check_class(cls, node: ast.ClassDef):
    members = {n.name: n for n in node.body if isinstance(n, ast.FunctionDef)}
    for name, value in vars(cls).items():
        if name.startswith("_") and name != "__init__":
            continue
        if isinstance(value, property):
            assert name in members, f"{cls.__name__}.{name}"
            continue
        fn = value.__func__ if isinstance(value, staticmethod) else value
        if callable(fn):
            assert name in members, f"{cls.__name__}.{name} has no stub"
            check_function(fn, members[name], f"{cls.__name__}.{name}")


def check_module(module, public):
    names = stub_names(stub(module))
    for name in public:
        assert name in names, f"{module.__name__}.{name} has no stub"
        value, node = getattr(module, name), names[name]
        if inspect.isclass(value) and not issubclass(value, BaseException):
            check_class(value, node)
        elif inspect.isfunction(value):
            check_function(value, node, name)


def test_package_stubs_are_complete():
    check_module(stance, stance.__all__)


def test_sklearn_stubs_are_complete():
    check_module(stance.sklearn, ["StanceClassifier"])
    node = stub_names(stub(stance.sklearn))["StanceClassifier"]
    attrs = {n.target.id for n in node.body if isinstance(n, ast.AnnAssign)}
    # Every hyper-parameter (get_params) and the fitted attributes are declared.
    assert set(stance.sklearn.StanceClassifier().get_params()) | {"model_", "classes_"} <= attrs
