"""Place names, demonyms, capitals, month and weekday names, title words and organisation cues: data, one copy.

Everything brief recognises by list lives here, so the entity extractor, the word rules (:mod:`index.terms`) and the
answer checks agree. Importing this module costs no more than parsing the tables below (no third-party import).

Names are kept as written in English news (``"South Korea"``, ``"Belarusian"``); look-ups go through
:func:`key`, which folds case, curly apostrophes and a trailing possessive.
"""

from __future__ import annotations

import re
from types import MappingProxyType

__all__ = [
    "CAPITALS",
    "CAPITALS_FOR_GOVERNMENTS",
    "CITIES",
    "COUNTRIES",
    "COUNTRY_ALIASES",
    "DEMONYMS",
    "GOVERNMENT_METONYMS",
    "MONTHS",
    "MONTH_ABBREVIATIONS",
    "ORGANISATIONS",
    "ORGANISATION_ALIASES",
    "ORG_HEADS",
    "PERSON_TITLES",
    "PLACE_HEADS",
    "REGIONAL_ADJECTIVES",
    "REGIONAL_DEMONYMS",
    "REGIONS",
    "ROLE_NOUNS",
    "SENTENCE_OPENERS",
    "WEEKDAYS",
    "country_of",
    "key",
]

# One row per country: canonical name | demonyms | capitals | other names (comma-separated; any part may be empty).
_COUNTRY_TABLE = """
Afghanistan|Afghan|Kabul|
Albania|Albanian|Tirana|
Algeria|Algerian|Algiers|
Andorra|Andorran|Andorra la Vella|
Angola|Angolan|Luanda|
Antigua and Barbuda|Antiguan|Saint John's|
Argentina|Argentine,Argentinian|Buenos Aires|
Armenia|Armenian|Yerevan|
Australia|Australian|Canberra|
Austria|Austrian|Vienna|
Azerbaijan|Azerbaijani,Azeri|Baku|
Bahamas|Bahamian|Nassau|The Bahamas
Bahrain|Bahraini|Manama|
Bangladesh|Bangladeshi|Dhaka|
Barbados|Barbadian|Bridgetown|
Belarus|Belarusian,Belarussian,Byelorussian|Minsk|Byelorussia
Belgium|Belgian|Brussels|
Belize|Belizean|Belmopan|
Benin|Beninese|Porto-Novo|
Bhutan|Bhutanese|Thimphu|
Bolivia|Bolivian|Sucre,La Paz|
Bosnia and Herzegovina|Bosnian,Herzegovinian|Sarajevo|Bosnia,Bosnia-Herzegovina
Botswana|Botswanan,Motswana|Gaborone|
Brazil|Brazilian|Brasilia,Brasília|
Brunei|Bruneian|Bandar Seri Begawan|
Bulgaria|Bulgarian|Sofia|
Burkina Faso|Burkinabe,Burkinabè|Ouagadougou|
Burundi|Burundian|Gitega|
Cambodia|Cambodian|Phnom Penh|
Cameroon|Cameroonian|Yaounde,Yaoundé|
Canada|Canadian|Ottawa|
Cape Verde|Cape Verdean|Praia|Cabo Verde
Central African Republic|Central African|Bangui|CAR
Chad|Chadian|N'Djamena|
Chile|Chilean|Santiago|
China|Chinese,Sino|Beijing,Peking|People's Republic of China,PRC,Mainland China
Colombia|Colombian|Bogota,Bogotá|
Comoros|Comorian|Moroni|
Congo|Congolese|Brazzaville|Republic of the Congo,Congo-Brazzaville
Democratic Republic of the Congo||Kinshasa|DRC,DR Congo,Congo-Kinshasa
Costa Rica|Costa Rican|San Jose,San José|
Croatia|Croatian,Croat|Zagreb|
Cuba|Cuban|Havana|
Cyprus|Cypriot|Nicosia|
Czech Republic|Czech|Prague|Czechia
Denmark|Danish,Dane|Copenhagen|
Djibouti|Djiboutian|Djibouti City|
Dominica||Roseau|
Dominican Republic||Santo Domingo|
East Timor|Timorese|Dili|Timor-Leste
Ecuador|Ecuadorian|Quito|
Egypt|Egyptian|Cairo|
El Salvador|Salvadoran|San Salvador|
Equatorial Guinea|Equatoguinean|Malabo|
Eritrea|Eritrean|Asmara|
Estonia|Estonian|Tallinn|
Eswatini|Swazi|Mbabane|Swaziland
Ethiopia|Ethiopian|Addis Ababa|
Fiji|Fijian|Suva|
Finland|Finnish,Finn|Helsinki|
France|French|Paris|
Gabon|Gabonese|Libreville|
Gambia|Gambian|Banjul|The Gambia
Georgia|Georgian|Tbilisi|
Germany|German|Berlin|
Ghana|Ghanaian|Accra|
Greece|Greek|Athens|
Grenada|Grenadian|St. George's|
Guatemala|Guatemalan|Guatemala City|
Guinea|Guinean|Conakry|
Guinea-Bissau|Bissau-Guinean|Bissau|
Guyana|Guyanese|Georgetown|
Haiti|Haitian|Port-au-Prince|
Honduras|Honduran|Tegucigalpa|
Hungary|Hungarian|Budapest|
Iceland|Icelandic,Icelander|Reykjavik,Reykjavík|
India|Indian|New Delhi|
Indonesia|Indonesian|Jakarta|
Iran|Iranian,Persian|Tehran,Teheran|Islamic Republic of Iran
Iraq|Iraqi|Baghdad|
Ireland|Irish|Dublin|Republic of Ireland
Israel|Israeli|Jerusalem|
Italy|Italian|Rome|
Ivory Coast|Ivorian|Yamoussoukro|Côte d'Ivoire,Cote d'Ivoire
Jamaica|Jamaican|Kingston|
Japan|Japanese|Tokyo|
Jordan|Jordanian|Amman|
Kazakhstan|Kazakh,Kazakhstani|Astana|
Kenya|Kenyan|Nairobi|
Kiribati|I-Kiribati|Tarawa|
Kosovo|Kosovar,Kosovan|Pristina|
Kuwait|Kuwaiti|Kuwait City|
Kyrgyzstan|Kyrgyz|Bishkek|Kirghizia
Laos|Lao,Laotian|Vientiane|
Latvia|Latvian|Riga|
Lebanon|Lebanese|Beirut|
Lesotho|Basotho|Maseru|
Liberia|Liberian|Monrovia|
Libya|Libyan|Tripoli|
Liechtenstein|Liechtensteiner|Vaduz|
Lithuania|Lithuanian|Vilnius|
Luxembourg|Luxembourgish,Luxembourger|Luxembourg City|
Madagascar|Malagasy|Antananarivo|
Malawi|Malawian|Lilongwe|
Malaysia|Malaysian|Kuala Lumpur|
Maldives|Maldivian|Male,Malé|
Mali|Malian|Bamako|
Malta|Maltese|Valletta|
Marshall Islands|Marshallese|Majuro|
Mauritania|Mauritanian|Nouakchott|
Mauritius|Mauritian|Port Louis|
Mexico|Mexican|Mexico City|
Micronesia|Micronesian|Palikir|
Moldova|Moldovan|Chisinau,Chișinău,Kishinev|
Monaco|Monegasque|Monaco-Ville|
Mongolia|Mongolian|Ulaanbaatar,Ulan Bator|
Montenegro|Montenegrin|Podgorica|
Morocco|Moroccan|Rabat|
Mozambique|Mozambican|Maputo|
Myanmar|Myanma,Burmese|Naypyidaw,Nay Pyi Taw|Burma
Namibia|Namibian|Windhoek|
Nauru|Nauruan|Yaren|
Nepal|Nepali,Nepalese|Kathmandu|
Netherlands|Dutch|Amsterdam,The Hague|Holland,The Netherlands
New Zealand|New Zealander|Wellington|
Nicaragua|Nicaraguan|Managua|
Niger|Nigerien|Niamey|
Nigeria|Nigerian|Abuja|
North Korea|North Korean|Pyongyang|DPRK,Democratic People's Republic of Korea,N. Korea
North Macedonia|Macedonian|Skopje|Macedonia
Norway|Norwegian|Oslo|
Oman|Omani|Muscat|
Pakistan|Pakistani|Islamabad|
Palau|Palauan|Ngerulmud|
Palestine|Palestinian|Ramallah|Palestinian territories,State of Palestine
Panama|Panamanian|Panama City|
Papua New Guinea|Papua New Guinean|Port Moresby|PNG
Paraguay|Paraguayan|Asuncion,Asunción|
Peru|Peruvian|Lima|
Philippines|Philippine,Filipino|Manila|The Philippines
Poland|Polish,Pole|Warsaw|
Portugal|Portuguese|Lisbon|
Qatar|Qatari|Doha|
Romania|Romanian|Bucharest|
Russia|Russian|Moscow|Russian Federation
Rwanda|Rwandan|Kigali|
Saint Kitts and Nevis|Kittitian|Basseterre|
Saint Lucia|Saint Lucian|Castries|
Saint Vincent and the Grenadines|Vincentian|Kingstown|
Samoa|Samoan|Apia|
San Marino|Sammarinese|City of San Marino|
Sao Tome and Principe|Santomean|Sao Tome,São Tomé|São Tomé and Príncipe
Saudi Arabia|Saudi|Riyadh|Saudi
Senegal|Senegalese|Dakar|
Serbia|Serbian,Serb|Belgrade|
Seychelles|Seychellois|Victoria|
Sierra Leone|Sierra Leonean|Freetown|
Singapore|Singaporean||
Slovakia|Slovak|Bratislava|
Slovenia|Slovenian,Slovene|Ljubljana|
Solomon Islands|Solomon Islander|Honiara|
Somalia|Somali|Mogadishu|
South Africa|South African|Pretoria,Cape Town|
South Korea|South Korean|Seoul|Republic of Korea,ROK,S. Korea
South Sudan|South Sudanese|Juba|
Spain|Spanish,Spaniard|Madrid|
Sri Lanka|Sri Lankan|Colombo,Sri Jayawardenepura Kotte|
Sudan|Sudanese|Khartoum|
Suriname|Surinamese|Paramaribo|
Sweden|Swedish,Swede|Stockholm|
Switzerland|Swiss|Bern|
Syria|Syrian|Damascus|
Taiwan|Taiwanese|Taipei|Republic of China
Tajikistan|Tajik|Dushanbe|
Tanzania|Tanzanian|Dodoma|
Thailand|Thai|Bangkok|
Togo|Togolese|Lome,Lomé|
Tonga|Tongan|Nuku'alofa|
Trinidad and Tobago|Trinidadian,Tobagonian|Port of Spain|
Tunisia|Tunisian|Tunis|
Turkey|Turkish,Turk|Ankara|Türkiye,Turkiye
Turkmenistan|Turkmen|Ashgabat|
Tuvalu|Tuvaluan|Funafuti|
Uganda|Ugandan|Kampala|
Ukraine|Ukrainian|Kyiv,Kiev|
United Arab Emirates|Emirati|Abu Dhabi|UAE,Emirates
United Kingdom|British,Briton|London|UK,U.K.,Britain,Great Britain
United States|American|Washington|US,U.S.,USA,U.S.A.,America,United States of America
Uruguay|Uruguayan|Montevideo|
Uzbekistan|Uzbek,Uzbekistani|Tashkent|
Vanuatu|Ni-Vanuatu|Port Vila|
Vatican City||Vatican|Holy See
Venezuela|Venezuelan|Caracas|
Vietnam|Vietnamese|Hanoi|Viet Nam
Yemen|Yemeni|Sanaa,Sana'a|
Zambia|Zambian|Lusaka|
Zimbabwe|Zimbabwean|Harare|
"""

_AMBIGUOUS_CAPITALS = frozenset({"Washington", "London", "Victoria", "Kingston", "Santiago", "Lima", "Male", "Sucre"})
"""Capitals that are also common surnames or words: they name a place, but not their country's government."""

_REGION_LIST = """
Africa, Asia, Europe, North America, South America, Latin America, Oceania, Antarctica, Arctic, Eurasia,
Middle East, Near East, Far East, Central Asia, South Asia, Southeast Asia, East Asia, Western Europe,
Eastern Europe, Central Europe, Northern Europe, Southern Europe, Balkans, Baltics, Caucasus, South Caucasus,
North Caucasus, Scandinavia, Sahel, Horn of Africa, North Africa, West Africa, East Africa, Sub-Saharan Africa,
Maghreb, Levant, Persian Gulf, Gulf, Indo-Pacific, Asia-Pacific, Pacific, Atlantic, Indian Ocean,
Pacific Ocean, Atlantic Ocean, Arctic Ocean, Mediterranean, Mediterranean Sea, Black Sea, Baltic Sea,
Caspian Sea, Red Sea, Arabian Sea, South China Sea, East China Sea, Yellow Sea, Sea of Japan, Sea of Azov,
Taiwan Strait, Strait of Hormuz, Bab el-Mandeb, Suez Canal, Panama Canal, Bosporus, Korean Peninsula,
Arabian Peninsula, Crimean Peninsula, Sinai, Gaza, Gaza Strip, West Bank, Golan Heights, Kashmir, Tibet,
Xinjiang, Hong Kong, Macau, Crimea, Donbas, Donbass, Donetsk, Luhansk, Kharkiv, Kherson, Zaporizhzhia,
Mariupol, Bakhmut, Avdiivka, Odesa, Odessa, Lviv, Dnipro, Kursk, Belgorod, Bryansk, Kaliningrad, Siberia,
Chechnya, Dagestan, Transnistria, Abkhazia, South Ossetia, Nagorno-Karabakh, Kurdistan, Darfur, Tigray,
Kordofan, Cabo Delgado, Donbas region, Greenland, Svalbard, Balochistan, Punjab, Idlib, Aleppo, Mosul, Kirkuk,
Benghazi, Sinjar, Rafah, Khan Younis, Hodeidah, Aden, Marib, Scarborough Shoal, Spratly Islands,
Paracel Islands, Senkaku Islands, Kuril Islands, Okinawa, Hokkaido, Guam, Hawaii, Alaska, Mindanao, Luzon,
Borneo, Java, Sumatra, Bavaria, Catalonia, Scotland, Wales, England, Northern Ireland, Quebec, Ontario,
British Columbia, New England, Alabama, Alaska, Arizona, Arkansas, California, Colorado, Connecticut, Delaware,
Florida, Idaho, Illinois, Indiana, Iowa, Kansas, Kentucky, Louisiana, Maine, Maryland, Massachusetts, Michigan,
Minnesota, Mississippi, Missouri, Montana, Nebraska, Nevada, New Hampshire, New Jersey, New Mexico,
North Carolina, North Dakota, Ohio, Oklahoma, Oregon, Pennsylvania, Rhode Island, South Carolina, South Dakota,
Tennessee, Utah, Vermont, Virginia, West Virginia, Wisconsin, Wyoming
"""

_CITY_LIST = """
New York, Los Angeles, Chicago, San Francisco, Boston, Houston, Seattle, Miami, Toronto, Montreal, Vancouver,
Sydney, Melbourne, Shanghai, Hong Kong, Shenzhen, Guangzhou, Wuhan, Chengdu, Osaka, Busan, Mumbai, Kolkata,
Chennai, Bangalore, Karachi, Lahore, Istanbul, Izmir, St. Petersburg, Saint Petersburg, Novosibirsk,
Yekaterinburg, Vladivostok, Sevastopol, Simferopol, Homs, Basra, Mecca, Medina, Jeddah, Dubai, Tel Aviv,
Haifa, Alexandria, Lagos, Kano, Johannesburg, Durban, Casablanca, Marrakesh, Omdurman, El Fasher, Nyala,
Geneva, Zurich, Munich, Hamburg, Frankfurt, Milan, Naples, Barcelona, Marseille, Lyon, Manchester,
Birmingham, Edinburgh, Glasgow, Rotterdam, Antwerp, Gdansk, Krakow, Kraków, Salisbury, Hiroshima, Nagasaki,
Ho Chi Minh City, Saigon, Rio de Janeiro, Sao Paulo, São Paulo, Davos, Brussels, Strasbourg, The Hague
"""

REGIONAL_ADJECTIVES = frozenset(
    """
    Asian European African American Western Eastern Northern Southern Central Arab Arabic Latin Nordic Baltic
    Balkan Caucasian Pacific Atlantic Arctic Mediterranean Soviet Islamic Muslim Christian Jewish Sunni Shia
    Shiite Kurdish Pashtun Tamil Slavic Hispanic Anglo Euro Transatlantic Allied
    """.split()
)
"""Adjectives of regions, peoples and faiths: not names of a person or a country on their own."""

REGIONAL_DEMONYMS = MappingProxyType(
    {
        "Asian": "Asia",
        "European": "Europe",
        "African": "Africa",
        "Western": "West",
        "Soviet": "Soviet Union",
        "Korean": "Korea",
        "Arab": "Arab world",
        "Latin American": "Latin America",
        "Middle Eastern": "Middle East",
        "Central Asian": "Central Asia",
        "Baltic": "Baltics",
        "Balkan": "Balkans",
        "Caucasian": "Caucasus",
    }
)
"""Adjectives of regions to the region (``"European"`` -> ``"Europe"``): a term matcher may fold them; the
entity extractor does not count them as place mentions."""

GOVERNMENT_METONYMS = MappingProxyType(
    {
        "Kremlin": "Russia",
        "White House": "United States",
        "Pentagon": "United States",
        "Downing Street": "United Kingdom",
        "Whitehall": "United Kingdom",
        "Elysee": "France",
        "Élysée": "France",
        "Zhongnanhai": "China",
        "Blue House": "South Korea",
    }
)
"""Places that stand for a government (``"the Kremlin said"``), to the country."""

ORGANISATIONS = frozenset(
    """
    NATO UN EU AU ASEAN OSCE CSTO SCO BRICS OPEC IAEA WHO IMF ICC ICJ OECD G7 G20 WTO UNESCO UNICEF UNHCR
    UNSC UNGA INTERPOL Europol Frontex CIA FBI NSA DIA NRO DHS DoD Pentagon GCHQ MI5 MI6 NCSC FSB SVR GRU KGB
    Kremlin Mossad Shin Bet IRGC PLA PLAN Hamas Hezbollah Houthis Wagner Taliban ISIS ISIL Daesh al-Qaeda
    Reuters AP AFP BBC CNN TASS Xinhua ISW RAND CSIS IISS RUSI SIPRI Lockheed Boeing Raytheon Airbus BAE
    """.split()
) | frozenset(
    {
        "White House",
        "Downing Street",
        "State Department",
        "United Nations",
        "European Union",
        "African Union",
        "Security Council",
        "Wagner Group",
        "Islamic State",
        "Lockheed Martin",
        "Northrop Grumman",
        "General Dynamics",
        "Associated Press",
    }
)
"""Organisations often named without a cue word (``NATO``, ``the Kremlin``)."""

ORGANISATION_ALIASES = MappingProxyType(
    {
        "UN": "United Nations",
        "EU": "European Union",
        "AU": "African Union",
        "UNSC": "United Nations Security Council",
        "UNGA": "United Nations General Assembly",
        "AP": "Associated Press",
        "DoD": "Department of Defense",
        "Daesh": "ISIS",
        "ISIL": "ISIS",
        "Islamic State": "ISIS",
    }
)
"""Other names of organisations in :data:`ORGANISATIONS`, to the name they are listed under."""

ORG_HEADS = frozenset(
    """
    Ministry Ministries Court Courts Forces Force Institute Agency Council Guard Guards Army Navy Corps Command
    Committee Commission Department Office Union Organization Organisation Party Bank Fund University College
    Corporation Company Inc Ltd LLC Group Service Services Parliament Assembly Senate Congress Government
    Administration Alliance Coalition Front Movement Brigade Battalion Division Regiment Fleet Directorate
    Bureau Centre Center Foundation Association Federation Authority Tribunal Cabinet Police Militia Mission
    Panel Board Secretariat Intelligence Academy Observatory Network News Times Post Press Herald Journal
    Television Radio Telegraph Gazette Review Monitor Daily Industries Systems Technologies Airlines Holdings
    Society Institution Commissariat Duma Knesset Bundestag Rada Majlis Diet Chamber Prosecutor Ombudsman
    Military Defence Defense Staff Laboratory Laboratories Lab Labs
    """.split()
)
"""A capitalised run holding one of these words names an organisation (``Constitutional Court``)."""

PLACE_HEADS = frozenset(
    """
    Sea Ocean Strait Straits Gulf Bay Shoal Reef Island Islands Isles Peninsula River Lake Mountains Mountain
    Mount Valley Desert Plain Plains Basin Canal Coast Cape Region Province Oblast Krai District County State
    City Town Village Square Street Avenue Airport Airbase Port Harbour Harbor Base Border Corridor Pass
    """.split()
)
"""A capitalised run ending with one of these words names a place (``Second Thomas Shoal``, ``Kursk Region``)."""

PERSON_TITLES = (
    "Secretary General",
    "Secretary-General",
    "Deputy Secretary General",
    "Under-Secretary-General",
    "Prime Minister",
    "Deputy Prime Minister",
    "Foreign Minister",
    "Defence Minister",
    "Defense Minister",
    "Interior Minister",
    "Finance Minister",
    "Foreign Secretary",
    "Defence Secretary",
    "Defense Secretary",
    "Home Secretary",
    "Secretary of State",
    "Secretary of Defense",
    "National Security Adviser",
    "National Security Advisor",
    "Chief of Staff",
    "Chief Cabinet Secretary",
    "Cabinet Secretary",
    "Chief Executive",
    "Chief of the General Staff",
    "Vice President",
    "President",
    "Chancellor",
    "Minister",
    "Secretary",
    "Ambassador",
    "Envoy",
    "Spokesperson",
    "Spokesman",
    "Spokeswoman",
    "Commander",
    "Chairman",
    "Chairwoman",
    "Chair",
    "Director",
    "Director General",
    "Director-General",
    "Governor",
    "Mayor",
    "Senator",
    "Representative",
    "Congressman",
    "Congresswoman",
    "Judge",
    "Justice",
    "King",
    "Queen",
    "Prince",
    "Princess",
    "Sheikh",
    "Emir",
    "Pope",
    "Premier",
    "Leader",
    "Supreme Leader",
    "Marshal",
    "Field Marshal",
    "General",
    "Major General",
    "Lieutenant General",
    "Brigadier General",
    "Brigadier",
    "Colonel",
    "Lieutenant Colonel",
    "Major",
    "Captain",
    "Lieutenant",
    "Sergeant",
    "Admiral",
    "Vice Admiral",
    "Rear Admiral",
    "Commodore",
    "Gen.",
    "Lt. Gen.",
    "Maj. Gen.",
    "Brig. Gen.",
    "Col.",
    "Lt.",
    "Capt.",
    "Adm.",
    "Sgt.",
    "Dr.",
    "Dr",
    "Prof.",
    "Mr.",
    "Mr",
    "Mrs.",
    "Mrs",
    "Ms.",
    "Ms",
    "Sir",
    "Dame",
    "Lord",
    "Lady",
)
"""Words that stand before a person's name (``Major General Vadim Denisenko``); longest first when matched."""

ROLE_NOUNS = frozenset(
    """
    leader president minister secretary ambassador envoy spokesperson spokesman spokeswoman commander chief
    general admiral colonel officer official director chairman chairwoman governor mayor senator lawmaker
    diplomat analyst researcher expert journalist reporter correspondent judge prosecutor lawyer head founder
    ceo premier chancellor king queen prince emperor dictator counterpart adviser advisor aide negotiator
    """.split()
)
"""Lower-case nouns that, just before a capitalised name, make it a person's (``Russian leader Vladimir Putin``)."""

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

SENTENCE_OPENERS = frozenset(
    """
    a about according additionally after against all also although amid among an and another any as at before
    both but by despite during each earlier either even every finally first following for from further
    furthermore however if in instead it its last later many meanwhile moreover most much my neither next no
    nor not now on once one only or other our over recent recently second several she since so some still
    such than that the their then there these they this those though thus to today under unlike until we
    what when where whether which while who why with within without yesterday yet
    """.split()
)
"""Words that open sentences: capitalised there, they are not names (``Meanwhile``, ``According``)."""

_POSSESSIVE = re.compile(r"[’']s?$")


def key(name: str) -> str:
    """The look-up form of a name: case folded, curly apostrophes straightened, a final possessive or period dropped."""
    return _POSSESSIVE.sub("", " ".join(name.replace("’", "'").split())).rstrip(".").casefold()


def _parts(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(",") if part.strip()]


def _split_list(block: str) -> list[str]:
    return [name.strip() for name in block.replace("\n", " ").split(",") if name.strip()]


def _tables() -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    countries: dict[str, str] = {}
    demonyms: dict[str, str] = {}
    capitals: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for row in _COUNTRY_TABLE.strip().splitlines():
        country, demonym_cell, capital_cell, alias_cell = row.split("|")
        countries[key(country)] = country
        for alias in _parts(alias_cell):
            aliases[key(alias)] = country
        for demonym in _parts(demonym_cell):
            demonyms[key(demonym)] = country
        for capital in _parts(capital_cell):
            capitals[key(capital)] = country
    return countries, demonyms, capitals, aliases


_COUNTRIES, _DEMONYMS, _CAPITALS, _ALIASES = _tables()

COUNTRIES = MappingProxyType(_COUNTRIES)
"""Every country by :func:`key` of its canonical name: ``COUNTRIES["south korea"] == "South Korea"``."""
COUNTRY_ALIASES = MappingProxyType(_ALIASES)
"""Other names of countries: ``COUNTRY_ALIASES["prc"] == "China"``, ``COUNTRY_ALIASES["uk"] == "United Kingdom"``."""
DEMONYMS = MappingProxyType(_DEMONYMS)
"""Adjectives and nouns of nationality to the country: ``DEMONYMS["belarusian"] == "Belarus"``."""
CAPITALS = MappingProxyType(_CAPITALS)
"""Capital cities to their country: ``CAPITALS["beijing"] == "China"``."""
CAPITALS_FOR_GOVERNMENTS = frozenset(name for name in _CAPITALS if name.title() not in _AMBIGUOUS_CAPITALS)
"""Capitals news uses for their country's government (``Beijing said``); not ``Washington`` or ``London``,
which are also surnames."""
REGIONS = frozenset(key(name) for name in _split_list(_REGION_LIST))
"""Continents, regions, seas, provinces and contested areas, by :func:`key`."""
CITIES = frozenset(key(name) for name in _split_list(_CITY_LIST))
"""Large cities that are not capitals, by :func:`key`."""


def country_of(name: str, capitals: bool = True) -> str | None:
    """The country a name, alias, demonym or capital stands for (``"Chinese"`` -> ``"China"``), or None.

    With ``capitals=False`` a capital is a place of its own (``"Moscow"`` -> None).
    """
    folded = key(name)
    found = _COUNTRIES.get(folded) or _ALIASES.get(folded) or _DEMONYMS.get(folded)
    return found or (_CAPITALS.get(folded) if capitals else None)
