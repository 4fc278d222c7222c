"""``%vanna help``."""

from __future__ import annotations

from ...core.config import CONFIGURE_A_MODEL, setting_fields
from . import command

TOPICS = {"model": CONFIGURE_A_MODEL}  # %vanna help TOPIC: one subject in full


class Help:
    """Every magic, option and setting; or, with a topic, that subject in full."""

    def __init__(self, topic: str | None = None):
        self.topic = topic

    def text(self) -> str:
        if self.topic is not None:
            return TOPICS[self.topic]
        from ..cells import ASK, VSQL
        from . import vanna_parser

        settings = "\n".join(f"  {f.name}: {f.metadata['help']}" for f in setting_fields())
        return "\n\n".join([ASK.format_help().strip(), VSQL.format_help().strip(), vanna_parser().format_help().strip(),
                            "Settings (%config VannaMagic.<name>, VANNA_MAGIC_<NAME>, [tool.vanna_magic]):\n"
                            + settings])

    def _repr_pretty_(self, p, cycle):
        p.text(self.text())


def _arguments(parser) -> None:
    parser.add_argument("topic", nargs="?", choices=sorted(TOPICS),
                        help="one subject in full: model (every way to configure a language model)")


@command("help", "every magic, option and setting (help model: every way to configure a model)", _arguments)
def help_(session, args) -> Help:
    return Help(getattr(args, "topic", None))
