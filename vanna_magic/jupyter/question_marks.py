"""Questions end with ``?``: ``%ask How many orders are in each status?`` is a question, not a help request.

IPython reads a line ending in ``?`` as "show help for the last name" (``Object `status` not
found``). :func:`keep_question_marks` is an input line transform that runs before that rule and
turns such ``%ask`` and ``%vanna`` lines into plain calls of the magic, question mark included.
"""

from __future__ import annotations

_MAGICS = ("ask", "vanna")


def keep_question_marks(lines: list[str]) -> list[str]:
    """The cell's lines, each ``%ask ...?`` or ``%vanna ...?`` line made a call of its magic."""
    return [_call(line) for line in lines]


def _call(line: str) -> str:
    body = line.rstrip("\n")
    text = body.lstrip()
    if not text.startswith("%") or text.startswith("%%") or not text.rstrip().endswith("?"):
        return line
    name, _, rest = text[1:].partition(" ")
    if name not in _MAGICS:
        return line
    indent = body[:len(body) - len(text)]
    return f"{indent}get_ipython().run_line_magic({name!r}, {rest.strip()!r})" + line[len(body):]


def install(ipython) -> None:
    """Add the transform to ``ipython``'s input (once)."""
    transforms = ipython.input_transformer_manager.line_transforms
    if keep_question_marks not in transforms:
        transforms.append(keep_question_marks)


def uninstall(ipython) -> None:
    transforms = ipython.input_transformer_manager.line_transforms
    if keep_question_marks in transforms:
        transforms.remove(keep_question_marks)
