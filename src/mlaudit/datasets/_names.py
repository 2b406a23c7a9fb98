"""Synthetic personal data for the sample: names, e-mail addresses, phone numbers, national ids.

Everything here is fabricated so that no value can belong to a real person or reach one:

- names are combinations drawn from two short lists of common given names and surnames;
- e-mail domains are only ``example.com``, ``example.org`` and ``example.net``, which RFC 2606
  reserves for documentation and which never deliver mail;
- UK phone numbers come from the ranges Ofcom reserves for drama and fiction
  (e.g. ``020 7946 0000``-``0999``, ``0161 496 0000``-``0999``, ``07700 900000``-``900999``) and
  North American ones from ``555-0100``-``0199``, which is reserved for fiction;
- national ids have the prefix ``ZZ``, which the UK never issues for National Insurance numbers.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "EMAIL_DOMAINS",
    "FIRST_NAMES_FEMALE",
    "FIRST_NAMES_MALE",
    "FIRST_NAMES_NEUTRAL",
    "LAST_NAMES",
    "make_emails",
    "make_full_names",
    "make_national_ids",
    "make_phones",
]

FIRST_NAMES_FEMALE: tuple[str, ...] = (
    "Alice", "Amara", "Anna", "Beatrice", "Chloe", "Clara", "Daria", "Elena", "Emma", "Eva",
    "Fatima", "Grace", "Hannah", "Ines", "Isla", "Julia", "Lea", "Lena", "Lucia", "Maja",
    "Maria", "Mila", "Nadia", "Nora", "Olivia", "Priya", "Rosa", "Sara", "Sofia", "Zoe",
)  # fmt: skip
FIRST_NAMES_MALE: tuple[str, ...] = (
    "Adam", "Ahmed", "Arjun", "Ben", "Carlos", "Daniel", "David", "Elias", "Felix", "Finn",
    "Hugo", "Ivan", "Jakob", "James", "Jonas", "Karim", "Leon", "Luca", "Lukas", "Marco",
    "Mateo", "Noah", "Omar", "Oscar", "Paul", "Rafael", "Samuel", "Theo", "Tom", "Victor",
)  # fmt: skip
FIRST_NAMES_NEUTRAL: tuple[str, ...] = (
    "Alex", "Ari", "Charlie", "Robin", "Sam", "Kim", "Jordan", "Quinn", "River", "Sasha",
)  # fmt: skip
LAST_NAMES: tuple[str, ...] = (
    "Andersen", "Baker", "Becker", "Bianchi", "Brown", "Costa", "Dubois", "Fischer", "Garcia",
    "Hansen", "Horvat", "Jansen", "Kowalski", "Lambert", "Larsen", "Lopez", "Martin", "Meyer",
    "Moreau", "Novak", "Nowak", "Olsen", "Peeters", "Petrov", "Rossi", "Santos", "Schmidt",
    "Silva", "Smith", "Taylor", "Varga", "Walker", "Weber", "Wilson", "Wright", "Young",
)  # fmt: skip
EMAIL_DOMAINS: tuple[str, ...] = ("example.com", "example.org", "example.net")

# (prefix, number of digits drawn after it): each prefix + digits stays inside a reserved range.
_PHONE_RANGES: tuple[tuple[str, int], ...] = (
    ("+44 20 7946 0", 3),  # London drama range 020 7946 0000-0999
    ("+44 161 496 0", 3),  # Manchester drama range 0161 496 0000-0999
    ("+44 113 496 0", 3),  # Leeds drama range 0113 496 0000-0999
    ("+44 7700 900", 3),  # mobile drama range 07700 900000-900999
    ("+1 555-01", 2),  # North American fiction range 555-0100-0199
)
_PHONE_WEIGHTS = (0.3, 0.2, 0.1, 0.3, 0.1)


def make_full_names(
    rng: np.random.Generator, genders: list[str]
) -> tuple[list[str], list[str], list[str]]:
    """Draw a first and last name per row, with given names matching the row's gender.

    Returns the full names, the first names and the last names.
    """
    pools = {"female": FIRST_NAMES_FEMALE, "male": FIRST_NAMES_MALE}
    n = len(genders)
    u = rng.random(n)
    last_idx = rng.integers(0, len(LAST_NAMES), size=n)
    first: list[str] = []
    for g, ui in zip(genders, u, strict=True):
        pool = pools.get(g, FIRST_NAMES_NEUTRAL)
        first.append(pool[int(ui * len(pool))])
    last = [LAST_NAMES[int(i)] for i in last_idx]
    full = [f"{f} {s}" for f, s in zip(first, last, strict=True)]
    return full, first, last


def make_emails(rng: np.random.Generator, first: list[str], last: list[str]) -> list[str]:
    """Lower-case ``first.last<NN>@example.*`` addresses, on documentation domains only."""
    n = len(first)
    numbers = rng.integers(1, 100, size=n)
    domains = rng.integers(0, len(EMAIL_DOMAINS), size=n)
    return [
        f"{f.lower()}.{s.lower()}{int(k)}@{EMAIL_DOMAINS[int(d)]}"
        for f, s, k, d in zip(first, last, numbers, domains, strict=True)
    ]


def make_phones(rng: np.random.Generator, n: int) -> list[str]:
    """Phone numbers from the UK drama ranges and the North American fiction range."""
    which = rng.choice(len(_PHONE_RANGES), size=n, p=_PHONE_WEIGHTS)
    digits = rng.integers(0, 1000, size=n)
    out: list[str] = []
    for w, d in zip(which, digits, strict=True):
        prefix, width = _PHONE_RANGES[int(w)]
        out.append(f"{prefix}{int(d) % 10**width:0{width}d}")
    return out


def make_national_ids(rng: np.random.Generator, n: int) -> list[str]:
    """Unique, obviously fake national ids: ``ZZ`` followed by seven digits."""
    numbers = rng.choice(10_000_000, size=n, replace=False)
    return [f"ZZ{int(k):07d}" for k in numbers]
