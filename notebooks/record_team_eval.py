"""Write ``team_eval.replay.jsonl``, the responses ``team_eval.ipynb`` replays.

They are scripted, not a language model's: for each question of the demo knowledge base the "model"
(``scripted/demo-answers``) answers with that example's own SQL, except for the questions in
:data:`MISTAKES`, where it makes a mistake a model makes (a filter forgotten, a discount ignored,
``>`` for ``>=``, one status too many), so the evaluation has failures to show. They are recorded
through the product's own record mode, prompt by prompt, as a real model's would be.

Run from the repository root after a change to the prompt: ``python notebooks/record_team_eval.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPLAY = HERE / "team_eval.replay.jsonl"
MODEL = "scripted/demo-answers"
MISTAKES = {  # question -> (text in the example's SQL, what the scripted answer writes instead)
    "What is the total revenue by region?": ("WHERE o.status NOT IN ('cancelled', 'returned')\n", ""),
    "Who were the top 10 customers by revenue in 2023?": (" * (1 - oi.discount)", ""),
    "How many customers are repeat customers?": ("order_count >= 2", "order_count > 2"),
    "What is the cancellation rate per month?": ("status = 'cancelled'", "status IN ('cancelled', 'returned')"),
}


class ScriptedAnswers:
    """A model seam answering each demo question with its example's SQL, or with the mistake scripted for it."""

    name = MODEL

    def __init__(self, examples: dict[str, str]):
        self.answers = dict(examples)
        for question, (right, wrong) in MISTAKES.items():
            assert right in self.answers[question], f"the example for {question!r} changed: update MISTAKES"
            self.answers[question] = self.answers[question].replace(right, wrong)

    def complete(self, messages: list[dict], *, sample: int = 0):
        from vanna_magic.core.generate.model import Completion
        from vanna_magic.core.generate.replay import question_of

        text = f"```sql\n{self.answers[question_of(messages)]}\n```"
        return Completion(text=text, model=MODEL, prompt_tokens=0, completion_tokens=0, cost=None, elapsed=0.0)


def main() -> int:
    sys.path.insert(0, str(HERE.parent))
    from vanna_magic import Session
    from vanna_magic.core.generate.replay import ReplayModel

    examples = {e.question: e.sql for e in Session().knowledge_base.examples}
    REPLAY.unlink(missing_ok=True)
    model = ReplayModel(REPLAY, model_name=MODEL, inner=ScriptedAnswers(examples), mode="record")
    evaluation = Session(model=model, rate_limit=1_000_000).evaluate()
    print(evaluation.text())
    return 0 if evaluation.stopped is None else 1


if __name__ == "__main__":
    sys.exit(main())
