"""``%vanna help``."""

from __future__ import annotations

from ...core.config import setting_fields
from . import command


class Help:
    """Every magic, option and setting."""

    def text(self) -> str:
        from ..cells import ASK, VSQL
        from . import vanna_parser

        settings = "\n".join(f"  {f.name}: {f.metadata['help']}" for f in setting_fields())
        return "\n\n".join([ASK.format_help().strip(), VSQL.format_help().strip(), vanna_parser().format_help().strip(),
                            "Settings (%config VannaMagic.<name>, VANNA_MAGIC_<NAME>, [tool.vanna_magic]):\n"
                            + settings])

    def _repr_pretty_(self, p, cycle):
        p.text(self.text())


@command("help", "every magic, option and setting")
def help_(session, args) -> Help:
    return Help()
