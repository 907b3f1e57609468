"""``import lancedb`` without paying for its REST namespace client's validators up front.

``lancedb`` 0.40 imports ``lance_namespace``, which imports every API class of the generated
``lance_namespace_urllib3_client`` REST client. Each of its ~370 methods is decorated with pydantic's
``validate_call``, and each decoration builds a validator when the class body runs: about 0.4 s of CPU per process
(a third of ``import lancedb``), paid by ``careeros memory search`` although a local table never calls that client.

:func:`import_lancedb` imports lancedb while ``pydantic.validate_call`` builds those validators on a method's first
call instead (same validation, deferred). Only functions defined in ``lance_namespace_urllib3_client`` are deferred;
any other decoration during the import goes straight to pydantic. The original ``validate_call`` is restored as soon
as the import returns, and an already imported lancedb is returned as it is.
"""

from __future__ import annotations

import functools
import importlib
import sys
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

#: the generated REST client whose method validators are deferred
DEFERRED_PACKAGE = "lance_namespace_urllib3_client"
_LOCK = threading.Lock()


def deferred_validate_call(original: Callable[..., Any]) -> Callable[..., Any]:
    """A ``validate_call`` that builds the validator of a :data:`DEFERRED_PACKAGE` function on its first call."""

    def validate_call(func: Callable[..., Any] | None = None, /, **kwargs: Any) -> Any:
        def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
            module = getattr(f, "__module__", None) or ""
            if module != DEFERRED_PACKAGE and not module.startswith(DEFERRED_PACKAGE + "."):
                return original(f, **kwargs)  # type: ignore[no-any-return]
            validated: Callable[..., Any] | None = None

            @functools.wraps(f)
            def wrapper(*args: Any, **kw: Any) -> Any:
                nonlocal validated
                if validated is None:
                    validated = original(f, **kwargs)
                return validated(*args, **kw)

            return wrapper

        return decorate if func is None else decorate(func)

    return validate_call


def import_lancedb() -> ModuleType:
    """The ``lancedb`` module, imported with :func:`deferred_validate_call` in place when not imported yet."""
    if "lancedb" in sys.modules:
        return sys.modules["lancedb"]
    with _LOCK:
        if DEFERRED_PACKAGE in sys.modules:  # the client is already built: nothing left to defer
            return importlib.import_module("lancedb")
        import pydantic

        original = pydantic.validate_call
        pydantic.validate_call = deferred_validate_call(original)  # type: ignore[assignment]
        try:
            return importlib.import_module("lancedb")
        finally:
            pydantic.validate_call = original
