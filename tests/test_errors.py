"""One base class: every exception sopflow defines derives from SopflowError."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import sopflow


def test_every_exception_class_derives_from_the_base() -> None:
    """Walking every module of the package finds no exception outside the tree."""
    strays = []
    for info in pkgutil.walk_packages(sopflow.__path__, "sopflow."):
        module = importlib.import_module(info.name)
        for name, obj in inspect.getmembers(module, inspect.isclass):
            if (
                obj.__module__ == info.name
                and issubclass(obj, BaseException)
                and not issubclass(obj, sopflow.SopflowError)
            ):
                strays.append(f"{info.name}.{name}")
    assert [] == strays
