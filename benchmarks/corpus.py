"""A deterministic corpus of brief-sized documents, and questions about it, for the performance benchmark."""

from __future__ import annotations

import random
from collections.abc import Iterator

from index.gazetteer import MONTHS

__all__ = ["generate_briefs", "generate_questions"]

_COUNTRIES = (
    "Belarus China Russia Ukraine Moldova Georgia Kazakhstan Uzbekistan Poland Lithuania Latvia Estonia Finland "
    "Turkey Iran Syria Armenia Azerbaijan Serbia Hungary Romania Slovakia Mongolia Japan India"
).split()
_PLACES = (
    "Minsk Brest Grodno Gomel Kursk Belgorod Bryansk Kharkiv Odesa Kherson Zaporizhzhia Pokrovsk Chisinau "
    "Tbilisi Astana Tashkent Vilnius Riga Tallinn Warsaw Rzeszow Kaliningrad Sevastopol Mariupol Donetsk Luhansk "
    "Avdiivka Toretsk Kupiansk Lyman Sumy Chernihiv Mozyr Baranovichi Lida Polotsk Vitebsk Mogilev Orsha Pinsk"
).split()
_FIRST = (
    "Vadim Viktor Pavel Andrei Sergei Oleksandr Yuri Dmitri Nikolai Aleksandr Li Wang Zhang Chen Ivan Mikhail "
    "Olena Iryna Natalia Tatiana Maia Salome Kassym Shavkat Gitanas Edgars Alar Radoslaw Petr Boris"
).split()
_LAST = (
    "Denisenko Khrenin Volfovich Muraveiko Shoigu Gerasimov Syrskyi Budanov Zaluzhnyi Kovalenko Petrenko Sandu "
    "Kobakhidze Tokayev Mirziyoyev Nauseda Rinkevics Karis Duda Lukashenko Wei Jun Hao Ming Orlov Sidorov Melnyk"
).split()
_TITLES = (
    "Major General",
    "Lieutenant General",
    "Colonel",
    "Defence Minister",
    "Foreign Minister",
    "Chief of the General Staff",
    "spokesperson",
    "Deputy Commander",
    "Commander of Special Operations Forces",
    "intelligence chief",
)
_ORGS = (
    "the Institute for the Study of War",
    "the Ministry of Defence",
    "the General Staff",
    "the State Border Committee",
    "the Collective Security Treaty Organization",
    "the Shanghai Cooperation Organisation",
    "NATO",
    "the European Union",
    "the People's Liberation Army",
    "the Wagner Group",
    "Rosgvardia",
    "the Main Intelligence Directorate",
    "the OSCE monitoring mission",
    "the Security Service",
    "the National Guard",
)
_UNITS = (
    "airborne brigade",
    "motorised rifle division",
    "special operations detachment",
    "air defence regiment",
    "drone company",
    "engineering battalion",
    "border guard unit",
    "artillery brigade",
    "naval infantry brigade",
    "electronic warfare unit",
)
_THINGS = (
    "drone use",
    "trench clearing",
    "urban assault techniques",
    "electronic warfare",
    "air defence systems",
    "ammunition supplies",
    "artillery shells",
    "glide bombs",
    "long-range missiles",
    "grain exports",
    "energy infrastructure",
    "rail logistics",
    "satellite imagery",
    "sanctions evasion",
    "cyber operations",
    "disinformation campaigns",
    "border fortifications",
    "joint exercises",
    "military exchanges",
    "recruitment drives",
)
_VERBS = (
    "expanded",
    "observed",
    "reported",
    "confirmed",
    "denied",
    "intensified",
    "suspended",
    "announced",
    "studied",
    "coordinated",
    "deployed",
    "withdrew",
)
_SENTENCES = (
    "{person} said on {date} that {org} had {verb} {thing} near {place}.",
    "According to {person}, forces from {country} have {verb} {thing} over the past {number} months.",
    "{org} reported that a {unit} from {country} {verb} {thing} in the {place} region.",
    "Analysts at {org} believe {country} may be studying {thing} to improve its own {thing2}.",
    "Satellite images taken on {date} show at least {number} vehicles of a {unit} near {place}.",
    "Delegations from {country} and {country2} took part in {thing} near {place} in {month}.",
    "The {unit} was moved to {place} after {org} {verb} {thing} along the border with {country}.",
    "Officials in {place} described the situation as tense, and {org} said {thing} would continue.",
    "{person} told reporters that {country} would not accept further {thing} without consultations.",
    "Losses in the {place} direction reached {number} personnel and {number2} pieces of equipment, {org} said.",
    "The exercise, held near {place}, focused on {thing} and {thing2} under conditions of {thing3}.",
    "It remains unclear whether {country} will extend {thing} beyond {month}, {org} noted.",
)


def _person(rng: random.Random) -> str:
    return f"{rng.choice(_TITLES)} {rng.choice(_FIRST)} {rng.choice(_LAST)}"


def _date(rng: random.Random) -> str:
    return f"{rng.choice(MONTHS)} {rng.randint(1, 28)}, {rng.randint(2021, 2025)}"


def _sentence(rng: random.Random) -> str:
    template = rng.choice(_SENTENCES)
    return template.format(
        person=_person(rng),
        date=_date(rng),
        org=rng.choice(_ORGS),
        verb=rng.choice(_VERBS),
        thing=rng.choice(_THINGS),
        thing2=rng.choice(_THINGS),
        thing3=rng.choice(_THINGS),
        place=rng.choice(_PLACES),
        country=rng.choice(_COUNTRIES),
        country2=rng.choice(_COUNTRIES),
        unit=rng.choice(_UNITS),
        number=rng.randint(2, 40),
        number2=rng.randint(10, 900),
        month=rng.choice(MONTHS),
    )


def _brief(rng: random.Random) -> str:
    """One brief about the size of the seed brief: a title line, then five to seven paragraphs."""
    title = f"{rng.choice(_COUNTRIES)} and {rng.choice(_COUNTRIES)}: {rng.choice(_THINGS)} near {rng.choice(_PLACES)}"
    paragraphs = [" ".join(_sentence(rng) for _ in range(rng.randint(3, 5))) for _ in range(rng.randint(5, 7))]
    return "\n\n".join([title, *paragraphs]) + "\n"


def generate_briefs(count: int, seed: int = 7, start: int = 0) -> Iterator[tuple[str, str]]:
    """``count`` generated briefs as (file name, text), the same for the same seed and start."""
    for number in range(start, start + count):
        rng = random.Random(seed * 1_000_003 + number)
        yield f"brief-{number:06d}.txt", _brief(rng)


def generate_questions(count: int, seed: int = 11) -> list[str]:
    """``count`` questions about the generated briefs, the same for the same seed."""
    rng = random.Random(seed)
    shapes = (
        "What did {org} report about {thing} near {place}?",
        "Which {unit} was moved to {place}?",
        "Who is {first} {last}?",
        "Has {country} taken part in {thing}?",
        "What happened in {place} in {month}?",
    )
    return [
        rng.choice(shapes).format(
            org=rng.choice(_ORGS),
            thing=rng.choice(_THINGS),
            place=rng.choice(_PLACES),
            unit=rng.choice(_UNITS),
            first=rng.choice(_FIRST),
            last=rng.choice(_LAST),
            country=rng.choice(_COUNTRIES),
            month=rng.choice(MONTHS),
        )
        for _ in range(count)
    ]
