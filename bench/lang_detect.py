"""The question-language detector on every labelled set: what would switch language, and how fast.

Every examples/*/questions*.yaml and tuning*.yaml set is read twice:

- as from an English (en-US) Teams, its ``locale`` stripped: a set in another language
  (``questions.es.yaml``, or a question with ``locale: es-..``) should be detected as that language;
  an English set must never switch (``wrongly switched`` 0);
- a set in another language is also read in its own language's Teams (its ``locale``): it must never
  switch to a third language (also ``wrongly switched``).

Counts are per set and split (train / held-out, as ``switchover answers evaluate`` splits every set,
tuning sets too). ``--wrong`` lists the misses of train splits only (held-out questions are never listed).
With ``--answers``, every set in another language is also answered by the engine twice: in its own
Teams language (its ``locale``), and from an English (en-US) Teams through the detector, as the bot
edge does it (``reading_language``); right answers per split, as ``switchover answers evaluate`` judges.

The last line printed is one JSON object with every figure.

Usage: python bench/lang_detect.py [--quick] [--wrong] [--train] [--answers]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from switchover import i18n  # noqa: E402
from switchover.answers.evaluate import LabelledQuestion, evaluate, load_questions, roster_domain  # noqa: E402
from switchover.answers.lang.detect import reading_language, written_in  # noqa: E402
from switchover.directory.roster import RosterDirectory  # noqa: E402
from switchover.plan.loader import load_plan  # noqa: E402

EXAMPLES = REPO / "examples"


def _sets() -> list[tuple[str, Path]]:
    """(language of the file name, path) of every labelled set."""
    out = []
    for path in sorted([*EXAMPLES.glob("*/questions*.yaml"), *EXAMPLES.glob("*/tuning*.yaml")]):
        parts = path.name.split(".")
        out.append((parts[1] if len(parts) == 3 else "en", path))
    return out


async def _answers(path: Path, questions: list[LabelledQuestion], lang: str, splits: tuple[str, ...]) -> dict:
    """Right answers of a set in language ``lang``: in its own Teams language, and from an English Teams."""
    plan = load_plan(path.parent / "plan.yaml")
    directory = RosterDirectory.from_csv(path.parent / "roster.csv")
    english = i18n.language("en-US")
    own = [q if q.locale else dataclasses.replace(q, locale=lang) for q in questions]
    detected = [dataclasses.replace(q, locale=reading_language(q.text, english).tag) for q in questions]
    out = {}
    for name, asked in (("own Teams language", own), ("English Teams, detected", detected)):
        report = await evaluate(plan, directory, asked)
        out[name] = {split: report.accuracy(split=None if split == "all" else split) for split in splits}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wrong", action="store_true", help="list misses (train splits only)")
    parser.add_argument("--train", action="store_true", help="leave the held-out splits out (while tuning)")
    parser.add_argument("--answers", action="store_true", help="answer sets in other languages both ways")
    parser.add_argument("--quick", action="store_true", help="the same as without it (detection is quick)")
    args = parser.parse_args()
    figures: dict[str, dict[str, int]] = {}
    answered: dict[str, dict] = {}
    timings: list[float] = []
    for file_lang, path in _sets():
        domain = roster_domain(RosterDirectory.from_csv(path.parent / "roster.csv")._users)
        questions = load_questions(path, domain=domain)
        if args.answers and file_lang != "en":
            splits = ("train",) if args.train else ("train", "held-out")
            answered[f"{path.parent.name}/{path.name}"] = asyncio.run(_answers(path, questions, file_lang, splits))
        for q in questions:
            lang = i18n.primary(q.locale) if q.locale else file_lang
            split = q.split
            if args.train and split == "held-out":
                continue
            key = f"{path.parent.name}/{path.name} {split}"
            row = figures.setdefault(key, {"questions": 0, "detected": 0, "wrongly switched": 0})
            row["questions"] += 1
            started = time.perf_counter()
            as_english = written_in(q.text, "en-US")
            timings.append(time.perf_counter() - started)
            miss = None
            if lang == "en":
                row["wrongly switched"] += as_english is not None
                if as_english is not None:
                    miss = f"switched to {as_english}"
            else:
                own = written_in(q.text, q.locale or lang)
                row["detected"] += as_english == lang
                row["wrongly switched"] += own is not None
                if as_english != lang:
                    miss = f"not detected ({as_english})"
                elif own is not None:
                    miss = f"switched to {own} from its own language"
            if args.wrong and miss and split != "held-out":
                print(f"  {key}: {miss}: {q.text!r}")
    print(f"{'set / split':42} {'questions':>9} {'detected':>9} {'wrongly switched':>17}")
    for key, row in figures.items():
        print(f"{key:42} {row['questions']:>9} {row['detected']:>9} {row['wrongly switched']:>17}")
    timings.sort()
    micro = {
        "median_us": round(timings[len(timings) // 2] * 1e6, 1),
        "p99_us": round(timings[int(len(timings) * 0.99)] * 1e6, 1),
    }
    print(f"detection per question: median {micro['median_us']} µs, p99 {micro['p99_us']} µs")
    for name, ways in answered.items():
        for way, splits in ways.items():
            said = ", ".join(f"{split} {right}/{total}" for split, (right, total) in splits.items())
            print(f"{name}, {way}: right {said}")
    print(json.dumps({"sets": figures, "detection": micro, "answers": answered}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
