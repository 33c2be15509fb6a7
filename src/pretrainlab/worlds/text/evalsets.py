"""Eval sets of the text world, each held out from the training corpus by construction.

* ``fact_qa``: "Q: What is the birth city of X? A:" with answer " Y" and 5 choices of the same
  attribute type. Group ``train_people``: facts whose QA line is in training docs (all of them when
  ``qa_in_pretrain=1``); group ``test_people``: facts of people whose QA never appears anywhere
  (their knowledge is only in bios). Up to ``qa_eval_per_group`` facts per group, sampled
  deterministically over (person, attribute) pairs.
* ``arithmetic``: ``arith_eval_n`` problems, half in range (drawn from the reserved partition, never
  in training) and half out of distribution (one operand has one more digit than training allows).
* ``code_exec``: ``code_eval_n`` snippets from the reserved partition; the prompt ends with the
  ``#`` of the output comment and the answer is the printed value.
* ``temporal_qa`` (data age, Longpre et al. 2023): "Q: In 2016, where did X work? A:" with the
  employer from the person's timeline (``fact(person, "employer", year)``). ``year_gap`` is 0 for a
  year inside ``train_years`` and 1-5 for the years after its end (capped by ``years``); items
  cycle over the gaps. Docs are stamped only with train years, so gap > 0 answers are never stated
  in training. ``last_train_answer`` is the employer in the last train year and ``changed`` says
  whether the true answer differs from it (drift, ``drift_rate``); 5 choices include both.
  The prompt format never appears in training.
* ``parallel_<name>`` for each configured language (``langdocs.parallel_eval``), and
  ``fact_qa_<name>`` / ``word_problems_<name>`` (QA and held-out-template arithmetic word problems in
  the language, ``langevals.py``).
"""

from __future__ import annotations

from pretrainlab.seeding import derive_seed, make_rng

from .domains import arithmetic, code
from .facts import N_CHOICES, QA_ATTRS, Fact, choices, qa_answer, qa_prompt
from .langdocs import parallel_eval
from .langevals import language_eval_sets

MAX_TRIES_PER_ITEM = 500


def build_eval_sets(world) -> dict[str, list[dict]]:
    """All eval sets of ``world``."""
    sets = {"fact_qa": fact_qa(world), "arithmetic": arithmetic_set(world),
            "code_exec": code_exec(world), "temporal_qa": temporal_qa(world)}
    for name, lang in world.knobs.languages.items():
        sets[f"parallel_{name}"] = parallel_eval(world, lang)
    sets.update(language_eval_sets(world, sets["fact_qa"]))
    return sets


def temporal_qa(world) -> list[dict]:
    """The ``temporal_qa`` eval set (see module docstring)."""
    cfg, ents = world.cfg, world.ents
    (t0, t1), max_gap = cfg.train_years, min(5, cfg.years[1] - cfg.train_years[1])
    rng = make_rng(cfg.seed, "eval", "temporal")
    companies = [" " + c.name for c in ents.companies]
    items = []
    for k in range(cfg.temporal_eval_n):
        gap = k % (max_gap + 1)
        year = rng.randint(t0, t1) if gap == 0 else t1 + gap
        p = rng.randrange(len(ents.people))
        employer = ents.fact(f"person:{p}", "employer", year)
        answer = " " + ents.name(employer)
        last = " " + ents.name(ents.fact(f"person:{p}", "employer", t1))
        options = list(dict.fromkeys([answer, last]))
        options += rng.sample([c for c in companies if c not in options], N_CHOICES - len(options))
        rng.shuffle(options)
        items.append({
            "id": f"temporal_qa-{k:04d}", "person": f"person:{p}", "year": year,
            "year_gap": gap, "prompt": f"Q: In {year}, where did {ents.people[p].name} work? A:",
            "answer": answer, "employer": employer, "last_train_answer": last,
            "changed": answer != last, "choices": options, "answer_index": options.index(answer),
        })
    return items


def _sample(seed: int, group: str, facts: list[Fact], n: int) -> list[Fact]:
    return sorted(facts, key=lambda f: derive_seed(seed, "fact_qa", group, f[0], f[1]))[:n]


def fact_qa(world) -> list[dict]:
    cfg, ents = world.cfg, world.ents
    groups = {
        "train_people": world.trained_qa_facts(),
        "test_people": [(p, a) for p in world.test_people for a in QA_ATTRS],
    }
    items = []
    for group, facts in groups.items():
        for k, (p, attr) in enumerate(_sample(cfg.seed, group, facts, cfg.qa_eval_per_group)):
            options, index = choices(ents, p, attr, make_rng(cfg.seed, "fact_qa_choices", p, attr))
            items.append({
                "id": f"fact_qa-{group}-{k:04d}", "group": group, "person": f"person:{p}",
                "attr": attr, "prompt": qa_prompt(ents, p, attr),
                "answer": qa_answer(ents, p, attr),
                "choices": options, "answer_index": index,
            })
    return items


def _arith_item(k: int, a: int, op: str, b: int, ood: bool) -> dict:
    return {"id": f"arithmetic-{k:04d}", "prompt": arithmetic.prompt(a, op, b),
            "answer": f" {arithmetic.solve(a, op, b)}", "ood": ood, "a": a, "op": op, "b": b}


def _ood_problem(rng, digits: tuple[int, int], ops: str) -> tuple[int, str, int]:
    """A problem with one operand one digit longer than training allows."""
    long = arithmetic.operand(rng, digits[1] + 1)
    short = arithmetic.operand(rng, rng.randint(*digits))
    a, b = (long, short) if rng.random() < 0.5 else (short, long)
    op = rng.choice(ops)
    return (b, op, a) if op == "-" and b > a else (a, op, b)


def arithmetic_set(world) -> list[dict]:
    cfg = world.cfg
    rng = make_rng(cfg.seed, "eval", "arithmetic")
    digits = tuple(cfg.arith_digits)
    n_ood = cfg.arith_eval_n // 2
    wanted = {False: cfg.arith_eval_n - n_ood, True: n_ood}
    seen: set[tuple[int, str, int]] = set()
    items: list[dict] = []
    for ood, n in wanted.items():
        got = 0
        for _ in range(MAX_TRIES_PER_ITEM * max(n, 1)):
            if got >= n:
                break
            if ood:
                a, op, b = _ood_problem(rng, digits, cfg.arith_ops)
            else:
                a, op, b = arithmetic.draw(rng, digits, cfg.arith_ops)
                if not arithmetic.reserved(cfg.seed, a, op, b):
                    continue
            if (a, op, b) not in seen:
                seen.add((a, op, b))
                items.append(_arith_item(len(items), a, op, b, ood=ood))
                got += 1
    return items


def code_exec(world) -> list[dict]:
    cfg = world.cfg
    rng = make_rng(cfg.seed, "eval", "code")
    seen: set[str] = set()
    items: list[dict] = []
    for _ in range(MAX_TRIES_PER_ITEM * max(cfg.code_eval_n, 1)):
        if len(items) >= cfg.code_eval_n:
            break
        source, output = code.snippet(rng, cfg.code_depth)
        if code.reserved(cfg.seed, source) and source not in seen:
            seen.add(source)
            items.append({"id": f"code_exec-{len(items):04d}", "prompt": f"{source}  #",
                          "answer": f" {output}"})
    return items
