"""Heavy modules imported on first use, through one helper (as polars does).

scikit-learn, scipy.stats and altair each cost 0.3-1 s to import; a drift run or a JSON report
needs none of them.  A module that uses one binds it at the top with :func:`lazy_import`, which
returns a stand-in that imports the real module the first time an attribute is read::

    if TYPE_CHECKING:
        from scipy import special
    else:
        special = lazy_import("scipy.special")

Type checkers see the real module; at run time nothing is imported until ``special.ndtr`` is
first used.  A module that is not installed raises :class:`~mlaudit.errors.ExtraNotInstalledError`
naming the extra to install, when it is first used.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any

from mlaudit.errors import ExtraNotInstalledError

__all__ = ["lazy_import"]


class _LazyModule(ModuleType):
    """Stands in for a module until one of its attributes is read."""

    def __init__(self, name: str, extra: str | None) -> None:
        super().__init__(name)
        self._mlaudit_extra = extra

    def _load(self) -> ModuleType:
        try:
            module = importlib.import_module(self.__name__)
        except ImportError:
            if self._mlaudit_extra is None:
                raise
            raise ExtraNotInstalledError(self.__name__.split(".")[0], self._mlaudit_extra) from None
        # Later reads find the attributes here and never come back to __getattr__.
        self.__dict__.update(module.__dict__)
        return module

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") and attr.endswith("__"):  # introspection of the stand-in
            raise AttributeError(attr)
        return getattr(self._load(), attr)


def lazy_import(name: str, *, extra: str | None = None) -> Any:
    """``name``'s module if already imported, else a stand-in that imports it on first use.

    ``extra`` names the mlaudit extra that installs the module (``pip install
    'mlaudit[extra]'``), for the error raised when it is missing.
    """
    loaded = sys.modules.get(name)
    if loaded is not None:
        return loaded
    return _LazyModule(name, extra)
