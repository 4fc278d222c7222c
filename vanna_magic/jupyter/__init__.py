"""The notebook front end: magics and rich display on top of :mod:`vanna_magic.core`."""

from __future__ import annotations


def load_ipython_extension(ipython) -> None:
    from .magics import VannaMagic

    ipython.register_magics(VannaMagic(shell=ipython))


def unload_ipython_extension(ipython) -> None:
    from .magics import VannaMagic

    registered = ipython.magics_manager.registry.get(VannaMagic.__name__)
    if registered is not None:
        registered.session.close()
