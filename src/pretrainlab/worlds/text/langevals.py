"""Held-out eval sets in the world's synthetic languages (``TextWorldConfig.languages``).

* ``fact_qa_<name>``: every ``fact_qa`` item (both groups) in the language: prompt and choices
  translated (names, years and numbers are kept), same ``answer_index``. Group ``test_people`` holds
  facts whose QA line is in no document in any language (their knowledge is only in bios), so it
  measures QA on held-out people whatever QA data an arm trains on.
* ``word_problems_<name>``: ``arith_eval_n`` arithmetic word problems in ``HELD_OUT_TEMPLATES``, a
  phrasing no training document uses (the training word problems are ``arithmetic.WORD_PROBLEMS``),
  over problems of the reserved eval partition (never in training), translated. 5 numeric choices:
  the answer, the results of the other operations on the same operands and near misses (answer +-1,
  +-10); scored as multiple choice (chance 0.2 nominal; choices differ in length, so an arm that only
  prefers short numbers can sit a little off 0.2 -- every arm is scored on the same items).

The templates use only words of the world's fixed vocabulary (``vocab.fixed_words``) and are not
registered as domain templates, so the vocabulary and every corpus are unchanged. Items are split
into prompt and answer after translating the whole line, so the answer is scored as the continuation
the training documents use; for a language whose order rule moves the answer before the cue
(``reverse``) both sets are empty.
"""

from __future__ import annotations

from pretrainlab.seeding import make_rng

from .domains import arithmetic
from .facts import N_CHOICES
from .lexicon import COUNT_NOUNS

HELD_OUT_TEMPLATES = {
    "+": "In the morning {name} found {a} {things}. Later {name} received {b} more. What is the total? A:",
    "-": "{name} started with {a} {things} and lost {b} of them on the way home. "
         "How many {things} does {name} still have? A:",
    "*": "There are {a} boxes and each box holds {b} {things}. How many {things} are there in all the boxes? A:",
}
MAX_TRIES_PER_ITEM = 500


def supported(order: str) -> bool:
    """Whether a language with word-order rule ``order`` keeps an answer after its prompt."""
    return order != "reverse"


def split_translation(lang, prompt: str, answer: str) -> tuple[str, str]:
    """(prompt, answer) in ``lang``: the whole line translated, cut after the translated prompt."""
    full, head = lang.translate(prompt + answer), lang.translate(prompt)
    if not full.startswith(head):
        raise ValueError(f"language {lang.name}: the answer of {prompt!r} does not follow its prompt")
    return head, full[len(head):]


def translate_items(items: list[dict], lang, name: str) -> list[dict]:
    """Multiple-choice ``items`` rendered in ``lang`` (prompt, answer and every choice)."""
    out = []
    for it in items:
        prompt, answer = split_translation(lang, it["prompt"], it["answer"])
        choices = [split_translation(lang, it["prompt"], c)[1] for c in it["choices"]]
        out.append({**it, "id": f"{name}-{it['id']}", "lang": lang.name, "prompt": prompt,
                    "answer": answer, "choices": choices, "english_prompt": it["prompt"]})
    return out


def numeric_choices(a: int, op: str, b: int, rng) -> tuple[list[str], int]:
    """The answer and 4 distractors (other operations' results first, then near misses), shuffled."""
    c = arithmetic.solve(a, op, b)
    pool = [arithmetic.solve(a, o, b) for o in "+-*" if o != op] + [c + 1, c - 1, c + 10, c - 10, c + 2]
    options = [c]
    for x in pool:
        x = abs(x)
        if x not in options and len(options) < N_CHOICES:
            options.append(x)
    rng.shuffle(options)
    return [f" {x}" for x in options], options.index(c)


def word_problems(world) -> list[dict]:
    """``arith_eval_n`` English word problems in the held-out templates (reserved problems only)."""
    cfg, people = world.cfg, world.ents.people
    rng = make_rng(cfg.seed, "eval", "word_problems")
    seen: set[tuple[int, str, int]] = set()
    items: list[dict] = []
    for _ in range(MAX_TRIES_PER_ITEM * max(cfg.arith_eval_n, 1)):
        if len(items) >= cfg.arith_eval_n:
            break
        a, op, b = arithmetic.draw(rng, tuple(cfg.arith_digits), cfg.arith_ops)
        if not arithmetic.reserved(cfg.seed, a, op, b) or (a, op, b) in seen:
            continue
        seen.add((a, op, b))
        name = people[rng.randrange(len(people))].name
        things = rng.choice(COUNT_NOUNS)[1]
        choices, index = numeric_choices(a, op, b, rng)
        items.append({"id": f"word_problems-{len(items):04d}", "a": a, "op": op, "b": b,
                      "prompt": HELD_OUT_TEMPLATES[op].format(name=name, a=a, b=b, things=things),
                      "answer": choices[index], "choices": choices, "answer_index": index})
    return items


def language_eval_sets(world, fact_qa: list[dict]) -> dict[str, list[dict]]:
    """``fact_qa_<name>`` and ``word_problems_<name>`` for every configured language (empty where the
    order rule is not ``supported``)."""
    sets: dict[str, list[dict]] = {}
    problems = word_problems(world) if world.knobs.languages else []
    for name, lang in world.knobs.languages.items():
        ok = supported(lang.order)
        sets[f"fact_qa_{name}"] = translate_items(fact_qa, lang, f"fact_qa_{name}") if ok else []
        sets[f"word_problems_{name}"] = translate_items(problems, lang, f"word_problems_{name}") if ok else []
    return sets
