"""The world's entities (people, cities, companies, schools) and their facts over time.

Everything is drawn once from the world seed. Facts that change with time are timelines:

* a person's employer: ``jobs = ((start_year, company), ...)``; each year after the first job the
  person moves to another company with probability ``drift_rate``; the home city is the employer's
  HQ city, so it drifts too;
* a city's population: one value per year of ``cfg.years``;
* a company's CEO: ``((year, person or -1), ...)``, always one of its staff that year.

``Entities.fact(entity, attr, year)`` is the single accessor; entity ids look like ``"person:12"``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    idx: int
    first: str
    last: str
    gender: str  # "he" or "she"
    birth_year: int
    birth_month: int
    birth_day: int
    birth_city: int
    school: int
    field: str
    jobs: tuple[tuple[int, int], ...]  # (start_year, company), sorted by year

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    def employer(self, year: int) -> int | None:
        """Company index at ``year`` (None before the first job)."""
        k = bisect.bisect_right([start for start, _ in self.jobs], year) - 1
        return self.jobs[k][1] if k >= 0 else None


@dataclass(frozen=True)
class City:
    idx: int
    name: str
    region: str
    population: tuple[int, ...]  # one value per year of cfg.years


@dataclass(frozen=True)
class School:
    idx: int
    name: str
    city: int


@dataclass(frozen=True)
class Company:
    idx: int
    name: str
    founded: int
    hq_city: int
    ceos: tuple[tuple[int, int], ...]  # (from_year, person or -1)
    staff: tuple[int, ...]  # head count per year of cfg.years


class Entities:
    """All entities of one world plus the ``fact`` accessor."""

    def __init__(self, people, cities, companies, schools, years: tuple[int, int]):
        self.people: list[Person] = people
        self.cities: list[City] = cities
        self.companies: list[Company] = companies
        self.schools: list[School] = schools
        self.years = years

    def _year_index(self, year: int) -> int:
        return min(max(year, self.years[0]), self.years[1]) - self.years[0]

    def get(self, entity: str):
        kind, _, idx = entity.partition(":")
        table = {"person": self.people, "city": self.cities, "company": self.companies,
                 "school": self.schools}.get(kind)
        if table is None or not idx.isdigit() or int(idx) >= len(table):
            raise KeyError(f"unknown entity id {entity!r}")
        return table[int(idx)]

    def name(self, entity: str) -> str:
        return self.get(entity).name

    def ceo(self, company: int, year: int) -> int:
        """Person index of the CEO at ``year`` (-1 if none)."""
        ceos = self.companies[company].ceos
        k = bisect.bisect_right([y for y, _ in ceos], year) - 1
        return ceos[max(k, 0)][1]

    def fact(self, entity: str, attr: str, year: int | None = None):
        """Value of ``attr`` for ``entity`` (as of ``year`` for time-varying attributes).

        Entity-valued facts are returned as ids ("city:3"). Attributes: person: name, gender,
        birth_year, birth_date (y, m, d), birth_city, school, field, first_employer, career_start,
        employer*, home_city*; city: name, region, population*; company: name, founded, hq_city,
        ceo*, staff*; school: name, city. (* needs ``year``.)
        """
        e = self.get(entity)
        kind = entity.partition(":")[0]
        if kind == "person":
            return _person_fact(self, e, attr, year)
        if kind == "company" and attr in ("ceo", "staff", "hq_city"):
            if attr == "hq_city":
                return f"city:{e.hq_city}"
            if attr == "staff":
                return e.staff[self._year_index(_need(year, attr))]
            ceo = self.ceo(e.idx, _need(year, attr))
            return f"person:{ceo}" if ceo >= 0 else None
        if kind == "city" and attr == "population":
            return e.population[self._year_index(_need(year, attr))]
        if kind == "school" and attr == "city":
            return f"city:{e.city}"
        if attr in ("name", "region", "founded") and hasattr(e, attr):
            return getattr(e, attr)
        raise KeyError(f"{entity} has no attribute {attr!r}")


def _need(year: int | None, attr: str) -> int:
    if year is None:
        raise ValueError(f"fact {attr!r} changes over time: pass a year")
    return year


def _person_fact(ents: Entities, p: Person, attr: str, year: int | None):
    if attr in ("employer", "home_city"):
        company = p.employer(_need(year, attr))
        if company is None:
            return None
        if attr == "employer":
            return f"company:{company}"
        return f"city:{ents.companies[company].hq_city}"
    simple = {
        "name": p.name, "gender": p.gender, "birth_year": p.birth_year, "field": p.field,
        "birth_date": (p.birth_year, p.birth_month, p.birth_day),
        "birth_city": f"city:{p.birth_city}", "school": f"school:{p.school}",
        "first_employer": f"company:{p.jobs[0][1]}", "career_start": p.jobs[0][0],
    }
    if attr not in simple:
        raise KeyError(f"person:{p.idx} has no attribute {attr!r}")
    return simple[attr]
