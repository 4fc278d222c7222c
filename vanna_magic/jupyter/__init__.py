"""The notebook front end: magics and rich display on top of :mod:`vanna_magic.core`."""

from __future__ import annotations


def load_ipython_extension(ipython) -> None:
    from .comm import register_comm_target
    from .magics import VannaMagic
    from .question_marks import install

    magic = VannaMagic(shell=ipython)
    ipython.register_magics(magic)
    install(ipython)  # %ask questions may end with "?"
    register_comm_target(ipython, magic.notebook.session)  # the JupyterLab sidebar's channel


def unload_ipython_extension(ipython) -> None:
    from .comm import unregister_comm_target
    from .magics import VannaMagic
    from .question_marks import uninstall

    unregister_comm_target(ipython)
    uninstall(ipython)
    registered = ipython.magics_manager.registry.get(VannaMagic.__name__)
    if registered is not None:
        registered.session.close()
