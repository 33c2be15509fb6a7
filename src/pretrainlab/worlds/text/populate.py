"""Draw the world's entities and simulate their timelines (``build_entities``).

Each entity kind has its own RNG stream (``seed, "world", kind``), so adding, say, a company field
does not reshuffle the people. Birth years are 25-60 years before ``years[0]`` and careers start at
age 21-25, so everyone is employed throughout ``cfg.years``. Companies are founded before any
career starts, and each one's CEO is drawn from its staff of that year.
"""

from __future__ import annotations

from random import Random

from pretrainlab.seeding import make_rng

from .entities import City, Company, Entities, Person, School
from .lexicon import COMPANY_SUFFIXES, FIELDS, REGIONS, SCHOOL_KINDS
from .names import NamePools


def build_entities(cfg, pools: NamePools) -> Entities:
    """All entities of the world described by ``cfg`` (a ``TextWorldConfig``)."""
    years = tuple(cfg.years)
    cities = _cities(make_rng(cfg.seed, "world", "cities"), pools, years)
    schools = _schools(make_rng(cfg.seed, "world", "schools"), cities)
    n_companies = len(pools.company_stems)
    people = _people(make_rng(cfg.seed, "world", "people"), cfg, pools, len(cities),
                     len(schools), n_companies)
    companies = _companies(make_rng(cfg.seed, "world", "companies"), cfg, pools, people,
                           len(cities))
    return Entities(people, cities, companies, schools, years)


def _cities(rng: Random, pools: NamePools, years: tuple[int, int]) -> list[City]:
    out = []
    for i, name in enumerate(pools.cities):
        base = rng.randint(20, 900) * 1000
        growth = rng.uniform(-0.01, 0.03)
        series = tuple(round(base * (1 + growth) ** k, -2) for k in range(years[1] - years[0] + 1))
        out.append(City(i, name, rng.choice(REGIONS), tuple(int(x) for x in series)))
    return out


def _schools(rng: Random, cities: list[City]) -> list[School]:
    n = min(len(cities), max(5, len(cities) // 3))
    hosts = rng.sample(range(len(cities)), n)
    return [School(i, f"{cities[c].name} {SCHOOL_KINDS[i % len(SCHOOL_KINDS)]}", c)
            for i, c in enumerate(hosts)]


def _unique_names(rng: Random, pools: NamePools, n: int) -> list[tuple[str, str]]:
    """``n`` distinct (first, last) pairs, drawn by rejection as in bioS."""
    seen: set[tuple[str, str]] = set()
    out = []
    while len(out) < n:
        pair = (rng.choice(pools.first), rng.choice(pools.last))
        if pair not in seen:
            seen.add(pair)
            out.append(pair)
    return out


def _jobs(rng: Random, start: int, end: int, n_companies: int, drift: float) -> tuple:
    company = rng.randrange(n_companies)
    jobs = [(start, company)]
    for year in range(start + 1, end + 1):
        if rng.random() < drift:
            company = (company + rng.randrange(1, n_companies)) % n_companies
            jobs.append((year, company))
    return tuple(jobs)


def _people(rng, cfg, pools, n_cities, n_schools, n_companies) -> list[Person]:
    y0, y1 = cfg.years
    out = []
    for i, (first, last) in enumerate(_unique_names(rng, pools, cfg.n_people)):
        birth_year = rng.randint(y0 - 60, y0 - 25)
        career = birth_year + rng.randint(21, 25)
        out.append(Person(
            idx=i, first=first, last=last, gender=rng.choice(("he", "she")),
            birth_year=birth_year, birth_month=rng.randint(1, 12), birth_day=rng.randint(1, 28),
            birth_city=rng.randrange(n_cities), school=rng.randrange(n_schools),
            field=rng.choice(FIELDS), jobs=_jobs(rng, career, y1, n_companies, cfg.drift_rate),
        ))
    return out


def _companies(rng, cfg, pools, people: list[Person], n_cities: int) -> list[Company]:
    y0, y1 = cfg.years
    n = len(pools.company_stems)
    staff = {year: [[] for _ in range(n)] for year in range(y0, y1 + 1)}
    for p in people:
        for year in range(y0, y1 + 1):
            staff[year][p.employer(year)].append(p.idx)
    out = []
    for c, stem in enumerate(pools.company_stems):
        founded = rng.randint(y0 - 150, y0 - 90)
        suffix = rng.choice(COMPANY_SUFFIXES)
        teams = [staff[year][c] for year in range(y0, y1 + 1)]
        ceos = _ceo_timeline(rng, teams, y0, cfg.drift_rate)
        heads = tuple(len(staff[year][c]) for year in range(y0, y1 + 1))
        out.append(Company(c, f"{stem} {suffix}", founded, rng.randrange(n_cities), ceos, heads))
    return out


def _ceo_timeline(rng: Random, teams: list[list[int]], y0: int, drift: float) -> tuple:
    """CEO changes ``((year, person or -1), ...)``; the CEO is always on that year's team."""
    ceos: list[tuple[int, int]] = []
    ceo = -1
    for k, team in enumerate(teams):
        if team and (ceo not in team or rng.random() < drift):
            ceo = rng.choice(team)
        elif not team:
            ceo = -1
        if not ceos or ceos[-1][1] != ceo:
            ceos.append((y0 + k, ceo))
    return tuple(ceos)
