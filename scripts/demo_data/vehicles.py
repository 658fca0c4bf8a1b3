# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The demo vehicles of the dealer group.

A catalog of three makes (10 models, 20 variants), two PDI checklists and
about 150 vehicles in every state across the three rooftops, both the
group's decisions (available, on hold for a customer, sold, a customer's
own, scrapped) and the stock's (not received, in transit between
rooftops, in stock, delivered, written off): ordered cars, some sold or
held before they arrive, cars in stock for a few days to more than 200,
held until a day ahead (two until today), sold and waiting for their PDI,
delivered, traded in, customers' own cars and scrapped ones.  Vehicles
were received, transferred, held, sold and delivered through the
vehicles' buttons and wizards, as the staff would; used and customer cars
have their mileage history, some stock vehicles photos, some vehicles their
papers, and the demonstrators, loaners and company cars their bookings of
the week around the day the demo is built.

`plan(seed, today)` draws the vehicles from seeded generators: the same
VINs, models, rooftops and states at every run, dates relative to today.
`load(config, ...)` brings a database to that plan; each step looks at what
is already done, so a second run changes nothing.

VINs are valid ISO 3779 numbers; the North American ones (BMW X5 from
Spartanburg, Ford Mustang Mach-E from Mexico) carry their check digit.
Every name and number is invented for the demo."""
import datetime as dt
import functools
import io
import random as random_module
import time
from collections import Counter, defaultdict
from decimal import Decimal

ROOFTOPS = ['KOE', 'DUS', 'BON']
CITIES = {'KOE': "Köln", 'DUS': "Düsseldorf", 'BON': "Bonn"}
# The (state, stock state) pairs of the demo vehicles, in the order the
# summary names them
STATES = [
    ('available', 'none'), ('held', 'none'), ('sold', 'none'),
    ('available', 'in_transit'), ('sold', 'in_transit'),
    ('available', 'in_stock'), ('held', 'in_stock'), ('sold', 'in_stock'),
    ('sold', 'delivered'), ('customer', 'none'), ('scrapped', 'none'),
    ('scrapped', 'written_off')]

# --- catalog -------------------------------------------------------------

# Each make: its name (as vininfo decodes its WMIs, or `manufacturer` for
# the name vininfo gives), the company that issues its certificates of
# conformity, the importer the group buys new cars from, its paints (name,
# RGB) and upholstery, and its models with the first 9 characters of their
# VINs, the plant (position 11), the first model year and the variants:
# (trim, engine, fuel type, transmission, body type, kW, list price)
CATALOG = [
    {
        'name': "Volkswagen",
        'code': 'VW',
        'manufacturer': None,
        'issuer': "Volkswagen AG, Wolfsburg",
        'supplier': "Autoimport Rhein-Ruhr GmbH",
        'colours': [
            ("Pure White", (236, 238, 240)),
            ("Deep Black Pearl", (24, 26, 30)),
            ("Moonstone Grey", (118, 124, 130)),
            ("Kings Red Metallic", (150, 22, 34)),
            ("Atlantic Blue Metallic", (32, 62, 118)),
            ("Reflex Silver Metallic", (188, 192, 196)),
            ],
        'interiors': [
            "Titanium Black cloth", "Storm Grey ArtVelours",
            "Black Vienna leather"],
        'models': [
            {
                'name': "Golf", 'code': 'CD', 'vin': 'WVWZZZCDZ',
                'plant': 'W', 'since': 2020,
                'variants': [
                    ("Life", "1.5 eTSI", 'petrol', 'dual_clutch',
                        'hatchback', 85, '33485'),
                    ("GTI", "2.0 TSI", 'petrol', 'dual_clutch', 'hatchback',
                        195, '47225'),
                    ],
                },
            {
                'name': "Polo", 'code': 'AW', 'vin': 'WVWZZZAWZ',
                'plant': 'Y', 'since': 2018,
                'variants': [
                    ("Life", "1.0 TSI", 'petrol', 'manual', 'hatchback', 70,
                        '22490'),
                    ("R-Line", "1.0 TSI", 'petrol', 'dual_clutch',
                        'hatchback', 85, '28930'),
                    ],
                },
            {
                'name': "Tiguan", 'code': 'CT', 'vin': 'WVGZZZCTZ',
                'plant': 'W', 'since': 2024,
                'variants': [
                    ("Life", "2.0 TDI", 'diesel', 'dual_clutch', 'suv', 110,
                        '43195'),
                    ("R-Line eHybrid", "1.5 eTSI plug-in hybrid",
                        'plugin_hybrid', 'dual_clutch', 'suv', 150,
                        '56215'),
                    ],
                },
            {
                'name': "ID.4", 'code': 'E2', 'vin': 'WVGZZZE2Z',
                'plant': 'P', 'since': 2021,
                'variants': [
                    ("Pure", "52 kWh", 'electric', 'single_speed', 'suv',
                        125, '40335'),
                    ("Pro", "77 kWh", 'electric', 'single_speed', 'suv', 210,
                        '48475'),
                    ],
                },
            ],
        },
    {
        'name': "BMW",
        'code': 'BMW',
        'manufacturer': None,
        'issuer': "Bayerische Motoren Werke AG, München",
        'supplier': "Premium Fahrzeugvertrieb West GmbH",
        'colours': [
            ("Alpine White", (240, 240, 238)),
            ("Black Sapphire Metallic", (20, 22, 28)),
            ("Mineral White Metallic", (222, 224, 226)),
            ("Portimao Blue Metallic", (28, 78, 160)),
            ("Brooklyn Grey Metallic", (96, 100, 106)),
            ("Fire Red Metallic", (140, 18, 24)),
            ],
        'interiors': [
            "Black Sensatec", "Cognac Vernasca leather",
            "Oyster Vernasca leather"],
        'models': [
            {
                'name': "3 Series", 'code': 'G2', 'vin': 'WBA21FY09',
                'plant': 'N', 'since': 2019,
                'variants': [
                    ("320d Touring", "2.0 diesel", 'diesel', 'automatic',
                        'estate', 140, '54700'),
                    ("330e Sedan", "2.0 plug-in hybrid", 'plugin_hybrid',
                        'automatic', 'sedan', 215, '57300'),
                    ],
                },
            {
                # Built in Spartanburg, South Carolina: check digit
                'name': "X5", 'code': 'G05', 'vin': '5UXCR6C00',
                'plant': '9', 'since': 2019,
                'variants': [
                    ("xDrive30d", "3.0 diesel", 'diesel', 'automatic', 'suv',
                        219, '89500'),
                    ("xDrive50e M Sport", "3.0 plug-in hybrid",
                        'plugin_hybrid', 'automatic', 'suv', 360, '99900'),
                    ],
                },
            {
                'name': "i4", 'code': 'G26', 'vin': 'WBY71AW01',
                'plant': 'F', 'since': 2022,
                'variants': [
                    ("eDrive35", "70 kWh", 'electric', 'single_speed',
                        'coupe', 210, '56900'),
                    ("eDrive40 M Sport", "81 kWh", 'electric',
                        'single_speed', 'coupe', 250, '62300'),
                    ],
                },
            ],
        },
    {
        'name': "Ford",
        'code': 'FORD',
        # vininfo names the WMI WF0 "Ford of Europe"; 3FM decodes as "Ford"
        'manufacturer': "Ford of Europe",
        'issuer': "Ford-Werke GmbH, Köln",
        'supplier': "Niederrhein Automobilvertrieb GmbH",
        'colours': [
            ("Frozen White", (238, 240, 242)),
            ("Agate Black", (26, 26, 30)),
            ("Magnetic Grey", (84, 88, 94)),
            ("Lucid Red", (168, 24, 30)),
            ("Grabber Blue Metallic", (24, 110, 190)),
            ("Solar Silver", (176, 180, 184)),
            ],
        'interiors': [
            "Ebony cloth", "Ebony partial leather", "Space Grey Sensico"],
        'models': [
            {
                'name': "Kuga", 'code': 'DFK', 'vin': 'WF0FXXWPM',
                'plant': 'L', 'since': 2020,
                'variants': [
                    ("Titanium", "1.5 EcoBoost", 'petrol', 'manual', 'suv',
                        110, '35900'),
                    ("ST-Line FHEV", "2.5 Duratec hybrid", 'hybrid', 'cvt',
                        'suv', 134, '42100'),
                    ],
                },
            {
                # Built in Cuautitlán, Mexico: check digit
                'name': "Mustang Mach-E", 'code': 'CX727',
                'vin': '3FMTK1SS0', 'plant': 'M', 'since': 2021,
                'variants': [
                    ("Standard Range RWD", "72 kWh", 'electric',
                        'single_speed', 'suv', 198, '52900'),
                    ("GT AWD", "91 kWh", 'electric', 'single_speed', 'suv',
                        358, '66900'),
                    ],
                },
            {
                'name': "Transit Custom", 'code': 'V710', 'vin': 'WF0YXXTTG',
                'plant': 'K', 'since': 2019,
                'variants': [
                    ("Trend", "2.0 EcoBlue", 'diesel', 'manual', 'van', 100,
                        '41900'),
                    ("Limited", "2.0 EcoBlue", 'diesel', 'automatic', 'van',
                        125, '52400'),
                    ],
                },
            ],
        },
    ]

# Model years as position 10 of a VIN
YEAR_CODES = dict(zip(range(2010, 2040), 'ABCDEFGHJKLMNPRSTVWXY123456789'))

# --- PDI checklists --------------------------------------------------------

# (name, items as (item, description)); the electric one for electric cars
PDI_TEMPLATES = [
    ("Pre-delivery inspection: combustion and hybrid", [
            ("Transport protection removed",
                "Remove protective films, wheel covers and seat covers."),
            ("Paint and body",
                "Check paint, glass and trim for scratches, dents and "
                "transport damage in daylight."),
            ("Tyre pressure",
                "Set to the door-pillar placard; check the repair kit."),
            ("Wheel bolts", "Torque to specification."),
            ("Fluid levels",
                "Engine oil, coolant, brake fluid, washer fluid with "
                "winter mix."),
            ("12 V battery", "Test, charge, note the state of health."),
            ("Lights and signals",
                "Headlamps and their aim, indicators, brake, reversing and "
                "fog lights."),
            ("Transport mode off",
                "Switch off transport mode with the diagnosis tester."),
            ("Infotainment set-up",
                "Language, date and time, radio stations, pair the "
                "customer's phone, activate connected services."),
            ("Road test",
                "Brakes, steering, noises, driver assistance systems."),
            ("Interior cleaning", "Vacuum, clean glass and screens."),
            ("Documents and equipment",
                "Owner's manual, service booklet, two keys, warning "
                "triangle, first-aid kit, high-visibility vest."),
            ]),
    ("Pre-delivery inspection: electric", [
            ("Transport protection removed",
                "Remove protective films, wheel covers and seat covers."),
            ("Paint and body",
                "Check paint, glass and trim for scratches, dents and "
                "transport damage in daylight."),
            ("Tyre pressure", "Set to the door-pillar placard."),
            ("Wheel bolts", "Torque to specification."),
            ("Coolant and brake fluid",
                "Levels of the battery coolant circuit and brake fluid."),
            ("High-voltage battery",
                "Charge to at least 80 %; read the fault memory of the "
                "high-voltage system."),
            ("Charging cables",
                "Type 2 public charging cable and home charging cable "
                "present and undamaged."),
            ("AC and DC charging test",
                "Charge at the wallbox and at the rooftop's DC charger."),
            ("Lights and signals",
                "Headlamps and their aim, indicators, brake and reversing "
                "lights."),
            ("Software update", "Install the latest over-the-air update."),
            ("Infotainment, app and charging card",
                "Pair the customer's phone, link the manufacturer's app, "
                "activate the charging card."),
            ("Road test",
                "Brakes, recuperation levels, noises, driver assistance "
                "systems."),
            ("Documents and equipment",
                "Owner's manual, two keys, warning triangle, first-aid kit, "
                "high-visibility vest."),
            ]),
    ]
# Findings of technicians: (item, note) of fixed and of failed items
PDI_FIXES = [
    ("Tyre pressure", "Set from 3.2 bar (transport) to 2.5 bar."),
    ("Fluid levels", "Washer fluid topped up with winter mix."),
    ("12 V battery", "Charged overnight, state of health 96 %."),
    ("Software update", "Updated to the latest release."),
    ("High-voltage battery", "Charged from 31 % to 85 %."),
    ("Lights and signals", "Headlamp aim corrected."),
    ]
PDI_FAILURES = [
    ("Paint and body",
        "Scratch on the rear bumper, 4 cm: to the body shop."),
    ("Lights and signals", "Left fog light without function: part ordered."),
    ("Charging cables", "Home charging cable missing: claimed at the OEM."),
    ("Road test", "Rattle from the passenger door: trim clip to replace."),
    ]

# --- parties ---------------------------------------------------------------

# The authorised treatment facilities that scrap vehicles for the rooftops
DISMANTLERS = {
    'KOE': ("Autoverwertung Rheinland GmbH", "Industriestraße", "41",
        "50735", "Köln"),
    'DUS': ("Autoverwertung Rheinland GmbH", "Industriestraße", "41",
        "50735", "Köln"),
    'BON': ("Autoverwertung Siebengebirge e.K.", "Gewerbepark", "7",
        "53639", "Königswinter"),
    }
SCRAP_REASONS = [
    ('end_of_life', None),
    ('accident', "Frontal collision, airbags deployed; total loss."),
    ('flood_fire', "Flooded up to the dashboard in an underground car "
        "park."),
    ('uneconomic', "Engine damage: the repair exceeds the vehicle's value."),
    ]

# Registration plate prefixes of the customers' towns and the rooftops
PLATE_PREFIXES = {
    "Köln": 'K', "Frechen": 'BM', "Leverkusen": 'LEV', "Düsseldorf": 'D',
    "Ratingen": 'ME', "Neuss": 'NE', "Bonn": 'BN', "Siegburg": 'SU',
    "Bad Honnef": 'SU',
    }
AUTHORITIES = {
    "Köln": "Stadt Köln", "Düsseldorf": "Landeshauptstadt Düsseldorf",
    "Bonn": "Bundesstadt Bonn", "Frechen": "Rhein-Erft-Kreis",
    "Leverkusen": "Stadt Leverkusen", "Ratingen": "Kreis Mettmann",
    "Neuss": "Rhein-Kreis Neuss", "Siegburg": "Rhein-Sieg-Kreis",
    "Bad Honnef": "Rhein-Sieg-Kreis",
    }

# --- the plan --------------------------------------------------------------

# Vehicles of each kind at each rooftop (Köln, Düsseldorf, Bonn); each
# vehicle's plan says the state and stock state it ends in (its target)
KINDS = [
    ('ordered', (6, 5, 4)),
    ('in_transit', (3, 2, 2)),
    ('stock_new', (11, 9, 7)),
    ('stock_used', (6, 5, 4)),
    ('fleet', (4, 3, 3)),
    ('held', (4, 3, 3)),
    ('sold', (4, 3, 3)),
    ('delivered', (5, 5, 4)),
    ('customer', (13, 12, 11)),
    ('scrapped', (2, 2, 2)),
    ]
# The demonstrators, loaners and company cars of each rooftop
FLEET = {
    'KOE': ['demo', 'demo', 'loaner', 'company_car'],
    'DUS': ['demo', 'loaner', 'loaner'],
    'BON': ['demo', 'loaner', 'company_car'],
    }
# Days in stock of new vehicles: (share, first, last day)
AGING = [(35, 2, 30), (20, 31, 60), (15, 61, 90), (20, 91, 180),
    (10, 181, 260)]
# The share of the list price a rooftop pays for a new vehicle
DEALER_COST = Decimal('0.84')
# Why the sales consultants hold cars for their customers
HOLD_REASONS = [
    "Test drive on Saturday; the customer decides after it.",
    "Waiting for the bank's decision on the financing.",
    "Appraisal of the customer's trade-in on Monday.",
    "Customer compares our leasing offer with their employer's.",
    "Deposit promised by bank transfer this week.",
    "Customer comes back with their partner to see the car.",
    ]


def variants():
    "Return the catalog's variants as (make, model, variant tuple)"
    return [(make, model, variant)
        for make in CATALOG
        for model in make['models']
        for variant in model['variants']]


def vin_key(vin):
    """Return what identifies a demo vehicle in its VIN: all but the check
    digit and the model year, which follow today's date"""
    return vin[:8] + vin[10:]


def with_check_digit(vin):
    "Return the VIN with its check digit in position 9"
    from trytond.modules.dms_vehicle.vin import check, with_check_digit
    vin = with_check_digit(vin)
    assert check(vin) is None, vin
    return vin


def plan(seed, today):
    """Return the demo vehicles as dicts, the same at every run with dates
    relative to today"""
    return _Planner(seed, today).vehicles


class _Planner:
    "Draw the demo vehicles from seeded generators"

    def __init__(self, seed, today):
        self.today = today
        self.random = random_module.Random(f'{seed}-vehicles')
        self.variants = variants()
        self.serials = set()
        self.plates = set()
        self.vehicles = []
        for index, code in enumerate(ROOFTOPS):
            self.rooftop(code, index)

    # --- helpers --------------------------------------------------------

    def days_ago(self, days):
        return self.today - dt.timedelta(days=days)

    def vin(self, model, year):
        "Return a new VIN of the model and model year"
        random = self.random
        while True:
            serial = f'{random.randint(0, 999999):06d}'
            vin = (model['vin'][:9] + YEAR_CODES[year] + model['plant']
                + serial)
            if vin_key(vin) not in self.serials:
                break
        self.serials.add(vin_key(vin))
        if vin[0] in '12345L':
            vin = with_check_digit(vin)
        return vin

    def plate_tail(self, electric):
        "Return the letters and number of a plate, E for electric cars"
        random = self.random
        letters = 'ABCDEFGHJKLMNPRSTUVWXYZ'
        while True:
            tail = (''.join(random.choice(letters)
                    for _ in range(random.choice([1, 2, 2])))
                + f' {random.randint(1, 9999)}' + ('E' if electric else ''))
            if tail not in self.plates:
                self.plates.add(tail)
                return tail

    def stock_days(self):
        share, first, last = self.random.choices(
            AGING, weights=[a[0] for a in AGING])[0]
        return self.random.randint(first, last)

    def vehicle(self, code, kind, variant=None, usage='new', year=None):
        "Return a new vehicle of the rooftop with its catalog values"
        random = self.random
        if variant is None:
            variant = random.choice(self.variants)
        make, model, values = variant
        next_year = random.random() < 0.5
        if year is None:
            year = self.today.year + (
                1 if self.today.month >= 7 and next_year else 0)
        colour, rgb = random.choice(make['colours'])
        vin = self.vin(model, year)
        vehicle = {
            'key': vin_key(vin),
            'rooftop': code,
            'kind': kind,
            'make': make['name'],
            'model': model['name'],
            'variant': values[0],
            'fuel_type': values[2],
            'body_type': values[4],
            'list_price': Decimal(values[6]),
            'issuer': make['issuer'],
            'vin': vin,
            'model_year': year,
            'exterior_colour': colour,
            'rgb': rgb,
            'interior_colour': random.choice(make['interiors']),
            'usage': usage,
            'owner': None,
            'plate': None,
            'first_registration': None,
            'steps': (),
            'target': None,
            'receipt': None,
            'transfer': None,
            'hold': None,
            'pdis': [],
            'mileage': [],
            'photos': False,
            'papers': [],
            'scrap': None,
            }
        self.vehicles.append(vehicle)
        return vehicle

    def hold(self, vehicle, party, days=None):
        """Plan the hold of the vehicle for the customer until days from
        today (a few days when not given)"""
        if days is None:
            days = self.random.randint(2, 10)
        vehicle['hold'] = {
            'party': party,
            'reason': self.random.choice(HOLD_REASONS),
            'days': days,
            }

    def register(self, vehicle, date, owner):
        vehicle['first_registration'] = date
        vehicle['plate'] = self.plate_tail(vehicle['fuel_type'] == 'electric')
        vehicle['owner'] = owner

    def used_year(self, variant):
        "Return the model year of a used car of the variant"
        since = variant[1]['since']
        last = self.today.year - 1
        return min(last, max(since, last - int(self.random.expovariate(0.3))))

    def history(self, vehicle, until_days, intake=None):
        """Give a registered vehicle readings from its registration until
        until_days ago, and an intake reading when given"""
        # as many readings as the dates give: a generator of their own
        random = random_module.Random(vehicle['key'])
        start = vehicle['first_registration']
        per_day = random.randint(6000, 24000) / 365
        readings = []
        day = start + dt.timedelta(days=random.randint(300, 420))
        end = self.days_ago(until_days)
        reading = 0
        year = 1
        while day < end:
            reading = int((day - start).days * per_day
                * random.uniform(0.94, 1.06))
            reading = max(reading, readings[-1][1] + 200 if readings else 0)
            source = 'inspection' if year >= 3 and year % 2 else 'workshop'
            readings.append([day, reading, source, False, None])
            day += dt.timedelta(days=random.randint(330, 400))
            year += 1
        if readings and random.random() < 0.3:
            # taken over from the previous dealer management system
            readings[0][2] = 'import'
        if intake is not None:
            reading = max(reading + random.randint(300, 4000), int(
                    (self.days_ago(intake) - start).days * per_day))
            readings.append([self.days_ago(intake), reading, 'intake', False,
                    None])
        vehicle['mileage'] = [tuple(r) for r in readings]

    # --- rooftops -------------------------------------------------------

    def rooftop(self, code, index):
        counts = {kind: numbers[index] for kind, numbers in KINDS}
        customers = iter(range(1000))

        def customer():
            return ('customer', code, next(customers))

        # New vehicles received from the manufacturer in lots of one
        # variant on one day: the shuffled slots go to the kinds in stock
        new_stock = (counts['stock_new'] + counts['in_transit']
            + len([i for i in range(counts['held']) if i < 2])
            + counts['sold'] - 1 + counts['delivered'] + 1
            + len(FLEET[code]))
        slots = []
        while len(slots) < new_stock:
            variant = self.random.choice(self.variants)
            days = self.stock_days()
            size = self.random.choice([2, 3, 4, 4, 5, 6])
            slots.extend([(variant, days)] * size)
        slots = slots[:new_stock]
        self.random.shuffle(slots)

        def received(kind, usage='new', choices=()):
            """Return a vehicle of the first slot that suits the first
            choice that any suits"""
            position = 0
            for choose in choices:
                suiting = [i for i, (v, d) in enumerate(slots) if choose(v, d)]
                if suiting:
                    position = suiting[0]
                    break
            variant, days = slots.pop(position)
            vehicle = self.vehicle(code, kind, variant, usage=usage,
                year=(self.days_ago(days + 60)).year)
            price = vehicle['list_price'] * DEALER_COST
            vehicle['receipt'] = (
                code, days, price.quantize(Decimal('1')))
            return vehicle

        for i in range(counts['ordered']):
            vehicle = self.vehicle(code, 'ordered')
            vehicle['target'] = ('available', 'none')

        for i in range(counts['in_transit']):
            # received here last month, on their way to the next rooftop
            # since a day or two: that rooftop has not taken them in yet
            def recent(variant, days):
                return days <= 30
            other = ROOFTOPS[(index + 1) % 3]
            vehicle = received('in_transit', choices=[recent])
            vehicle['rooftop'] = other
            vehicle['transfer'] = (other, self.random.randint(
                    0, min(2, vehicle['receipt'][1])), False)
            vehicle['steps'] = ('receive', 'transfer')
            vehicle['target'] = ('available', 'in_transit')
            if i == 0:
                # sold to a customer of that rooftop on the way
                vehicle['owner'] = ('customer', other, next(customers))
                vehicle['steps'] += ('sell',)
                vehicle['target'] = ('sold', 'in_transit')

        for usage in FLEET[code]:
            # taken from the deliveries: electric demonstrators, all on
            # the road for weeks
            def electric(variant, days, usage=usage):
                return days >= 45 and (usage != 'demo'
                    or variant[2][2] in {'electric', 'plugin_hybrid'})

            def weeks(variant, days):
                return days >= 45
            vehicle = received('fleet', usage=usage,
                choices=[electric, weeks])
            days = vehicle['receipt'][1]
            vehicle['steps'] = ('receive',)
            vehicle['target'] = ('available', 'in_stock')
            registration = self.days_ago(
                max(0, days - self.random.randint(1, 5)))
            self.register(vehicle, registration, ('company', code))
            vehicle['plate'] = 'RB ' + str(
                {'demo': 100, 'loaner': 300, 'company_car': 500}[usage]
                + len(self.vehicles) % 100)
            if vehicle['fuel_type'] == 'electric':
                vehicle['plate'] += 'E'
            per_day = self.random.randint(30, 90)
            readings = [(registration, self.random.randint(5, 25), 'delivery',
                    False, None)]
            day = registration + dt.timedelta(days=30)
            while day < self.days_ago(4):
                readings.append((day, readings[-1][1] + per_day * 30
                        + self.random.randint(-300, 300), 'manual', False,
                        None))
                day += dt.timedelta(days=30)
            vehicle['mileage'] = readings
            vehicle['papers'] = ['registration_certificate']

        for i in range(counts['stock_new']):
            vehicle = received('stock_new')
            vehicle['steps'] = ('receive',)
            vehicle['target'] = ('available', 'in_stock')
            if i == 1:
                # received here, then brought to the next rooftop (which
                # brings one to the next in turn)
                other = ROOFTOPS[(index + 1) % 3]
                vehicle['rooftop'] = other
                vehicle['transfer'] = (other, self.random.randint(
                        0, max(0, vehicle['receipt'][1] - 2)), True)
                vehicle['steps'] += ('transfer',)
            elif i == 2:
                # held for a customer who changed their mind
                self.hold(vehicle, customer())
                vehicle['steps'] += ('hold', 'release')
            elif i == 3:
                # the sale fell through: the financing was refused
                vehicle['steps'] += ('sell', 'cancel_sale')
            if i < 2:
                vehicle['papers'] = ['certificate_of_conformity']
            if i < 4:
                vehicle['photos'] = True

        for i in range(counts['stock_used']):
            variant = self.random.choice(self.variants)
            vehicle = self.vehicle(code, 'stock_used', variant, usage='used',
                year=self.used_year(variant))
            registration = dt.date(vehicle['model_year'],
                self.random.randint(1, 12), self.random.randint(1, 28))
            days = self.random.randint(2, 150)
            registration = min(registration, self.days_ago(days + 200))
            age = (self.today - registration).days / 365
            value = vehicle['list_price'] * Decimal(
                str(round(0.82 ** (age + 1), 2)))
            vehicle['receipt'] = (
                code, days, value.quantize(Decimal('100')))
            vehicle['target'] = ('available', 'in_stock')
            vehicle['photos'] = i < 4
            if i % 3 == 2:
                # bought at an auction
                self.register(vehicle, registration, None)
                vehicle['plate'] = None
                self.history(vehicle, days + 10, intake=days)
                intake = vehicle['mileage'][-1][1]
                vehicle['mileage'].insert(-1, (
                        self.days_ago(days + 7),
                        intake - self.random.randint(5, 40), 'import',
                        False, "Auction report"))
                vehicle['steps'] = ('receive',)
            else:
                # traded in by a customer
                self.register(vehicle, registration, customer())
                self.history(vehicle, days + 5, intake=days)
                vehicle['steps'] = ('to_customer', 'receive')

        for i in range(counts['held']):
            # in stock, or ordered and held before they arrive; the first
            # of Köln and Düsseldorf until today
            if i < 2:
                vehicle = received('held')
                vehicle['steps'] = ('receive', 'hold')
                vehicle['target'] = ('held', 'in_stock')
            else:
                vehicle = self.vehicle(code, 'held')
                vehicle['steps'] = ('hold',)
                vehicle['target'] = ('held', 'none')
            self.hold(vehicle, customer(),
                days=0 if i == 0 and index < 2 else None)

        for i in range(counts['sold']):
            # sold off an order, or held, sold and in stock waiting for a
            # PDI, after a failed PDI, or with a passed PDI for the handover
            vehicle_owner = customer()
            if i == 0:
                vehicle = self.vehicle(code, 'sold')
                vehicle['steps'] = ('sell',)
                vehicle['target'] = ('sold', 'none')
            else:
                vehicle = received('sold')
                vehicle['steps'] = ('receive', 'hold', 'sell')
                vehicle['target'] = ('sold', 'in_stock')
                self.hold(vehicle, vehicle_owner)
                vehicle['pdis'] = [{
                        1: 'draft', 2: 'failed', 3: 'passed'}[i]]
            vehicle['owner'] = vehicle_owner
            if i == 3:
                self.register(vehicle, self.today, vehicle['owner'])

        def delivered(kind):
            vehicle = received(kind)
            vehicle['steps'] = ('receive', 'sell', 'deliver')
            pdis = ['passed']
            if self.random.random() < 0.25:
                pdis.insert(0, 'failed')
            vehicle['pdis'] = pdis
            self.register(
                vehicle, self.days_ago(self.random.randint(0, 2)),
                customer())
            vehicle['mileage'] = [(self.today, self.random.randint(8, 40),
                    'delivery', False, None)]
            vehicle['target'] = ('sold', 'delivered')
            return vehicle

        for i in range(counts['delivered']):
            vehicle = delivered('delivered')
            if i == 1:
                # received here, sold to a customer of another rooftop and
                # delivered there
                other = ROOFTOPS[(index + 2) % 3]
                vehicle['rooftop'] = other
                vehicle['owner'] = ('customer', other, vehicle['owner'][2])
                vehicle['transfer'] = (other, self.random.randint(
                        0, max(0, vehicle['receipt'][1] - 2)), True)
                vehicle['steps'] = ('receive', 'transfer', 'sell', 'deliver')
            if i < 2:
                vehicle['papers'] = ['registration_certificate']

        for i in range(counts['customer']):
            if i == 0:
                # bought here: delivered, and looked after as a customer's
                # vehicle from now on
                vehicle = delivered('customer')
            else:
                variant = self.random.choice(self.variants)
                vehicle = self.vehicle(code, 'customer', variant,
                    usage='used', year=self.used_year(variant))
                registration = dt.date(vehicle['model_year'],
                    self.random.randint(1, 12), self.random.randint(1, 28))
                registration = min(registration, self.days_ago(120))
                self.register(vehicle, registration, customer())
                self.history(vehicle, self.random.randint(10, 200))
                vehicle['steps'] = ('to_customer',)
                if i == 1:
                    vehicle['papers'] = ['registration_certificate']
                if i == 2 and len(vehicle['mileage']) >= 2:
                    self.odometer_exchange(vehicle)
                vehicle['target'] = ('customer', 'none')

        for i in range(counts['scrapped']):
            variant = self.random.choice(self.variants)
            vehicle = self.vehicle(code, 'scrapped', variant, usage='used',
                year=max(variant[1]['since'], self.today.year - 6))
            registration = dt.date(vehicle['model_year'],
                self.random.randint(1, 12), self.random.randint(1, 28))
            self.register(vehicle, registration, customer())
            if i == 0:
                # a customer's car scrapped through the rooftop
                days = self.random.randint(3, 40)
                self.history(vehicle, days + 30)
                vehicle['steps'] = ('to_customer', 'scrap')
                vehicle['target'] = ('scrapped', 'none')
                reason, description = SCRAP_REASONS[[1, 2, 0][index]]
            else:
                # a trade-in not worth repairing
                days = self.random.randint(20, 90)
                self.history(vehicle, days + 5, intake=days)
                vehicle['receipt'] = (code, days, Decimal('800'))
                vehicle['steps'] = ('to_customer', 'receive', 'scrap')
                vehicle['target'] = ('scrapped', 'written_off')
                reason, description = SCRAP_REASONS[3]
                days = self.random.randint(1, days - 1)
            vehicle['scrap'] = {
                'days': days,
                'reason': reason,
                'description': description,
                'certificate_number': (
                    f'VN-{self.days_ago(days).year}-'
                    f'{self.random.randint(10000, 99999)}'),
                }

    def odometer_exchange(self, vehicle):
        "Restart the readings after the second one at a new instrument"
        readings = vehicle['mileage']
        random = random_module.Random(vehicle['key'] + '-odometer')
        offset = readings[1][1] - random.randint(100, 900)
        date, reading, source, _, _ = readings[1]
        readings[1] = (date, reading - offset, 'workshop', True,
            "Instrument cluster replaced under warranty")
        for j in range(2, len(readings)):
            date, reading, source, _, comment = readings[j]
            readings[j] = (date, reading - offset, source, False, comment)


# --- loading -------------------------------------------------------------

def load(config, seed, companies, warehouses, customers, staff, timezone):
    """Bring the database to the plan; return the number of demo vehicles
    by (state, stock state).

    companies and warehouses by rooftop code; customers as (party, town,
    nearest rooftop code, is a person); staff as group_data.STAFF."""
    from zoneinfo import ZoneInfo
    start = time.monotonic()
    zone = ZoneInfo(timezone)
    now = dt.datetime.now(zone)
    loader = _Loader(
        config, seed, companies, warehouses, customers, staff, zone,
        now.date())
    loader.load()
    counts = loader.counts()
    print(f"Vehicles: {sum(counts.values())} ("
        + ', '.join(f'{counts[s]} {s[0]}/{s[1]}'
            for s in STATES + sorted(set(counts) - set(STATES))
            if counts[s])
        + f") in {time.monotonic() - start:.1f} s", flush=True)
    return counts


class _Loader:
    "Bring a database to the plan through buttons and wizards"

    def __init__(self, config, seed, companies, warehouses, customers, staff,
            zone, today):
        self.config = config
        self.seed = seed
        self.companies = companies
        self.warehouses = warehouses
        self.zone = zone
        self.today = today
        self.plan = plan(seed, today)
        self.by_key = {v['key']: v['vin'] for v in self.plan}
        # customers by nearest rooftop, in a fixed order
        self.customers = defaultdict(list)
        for party, town, code, person in sorted(
                customers, key=lambda c: c[0].name):
            self.customers[code].append((party, town))
        self.staff = staff
        self.fresh = set()

    def random(self, *keys):
        "Return a generator of its own for the keys, the same at every run"
        return random_module.Random('-'.join(
                [str(self.seed), 'vehicles'] + [str(k) for k in keys]))

    def load(self):
        self.load_parties()
        self.load_catalog()
        self.load_pdi_templates()
        self.create_vehicles()
        # customers' own cars, before some are traded in
        self.click('to_customer', {'available'}, {'none'})
        self.receive()
        self.transfer()
        self.hold()
        self.click('release', {'held'}, fresh=True)
        self.click('sell', {'available', 'held'})
        self.click('cancel_sale', {'sold'}, fresh=True)
        self.load_pdis()
        self.deliver()
        self.scrap()
        self.load_mileage()
        self.load_photos()
        self.load_papers()
        self.load_bookings()
        self.check_targets()

    # --- reading ------------------------------------------------------------

    def status(self, fields=()):
        """Return the values of the fields of the demo vehicles by their
        planned VIN; a vehicle loaded on another day may have another
        model year in its VIN"""
        from proteus import Model
        Vehicle = Model.get('dms.vehicle')
        records = Vehicle._proxy.search_read(
            [('make.name', 'in', [m['name'] for m in CATALOG])], 0, None,
            None, ['vin', 'state', 'stock_state'] + list(fields),
            self.config.context)
        return {self.by_key[vin_key(r['vin'])]: r for r in records
            if vin_key(r['vin']) in self.by_key}

    def records(self, model, ids, company=None):
        """Return instances of the ids in the context of the company (the
        context the server runs their buttons in)"""
        from proteus import Model
        Model_ = Model.get(model)
        if company is None:
            return [Model_(i) for i in ids]
        with self.config.set_context(company=company.id):
            return [Model_(i) for i in ids]

    def owner(self, vehicle):
        "Return the owner party of the planned vehicle and its town"
        return self.party(vehicle['owner'], vehicle['rooftop'])

    def party(self, key, code):
        """Return the party and town a plan names by ('customer', rooftop
        code, number) or ('company', rooftop code), for a vehicle of the
        rooftop code"""
        if key is None:
            return None, CITIES[code]
        if key[0] == 'company':
            return self.companies[key[1]].party, CITIES[code]
        customers = self.customers[key[1]] or [
            c for code in ROOFTOPS for c in self.customers[code]]
        return customers[key[2] % len(customers)]

    def employee(self, code, roles):
        "Return the first employee of the rooftop with one of the roles"
        return self._employees[code, roles]

    def load_employees(self):
        from proteus import Model
        Employee = Model.get('company.employee')
        by_name = {}
        for employee in Employee.find([
                    ('company', 'in',
                        [c.id for c in self.companies.values()]),
                    ]):
            by_name[employee.company.id, employee.party.name] = employee
        self._employees = {}
        for roles in [('technician',), ('sales', 'sales_manager'),
                ('service_advisor',), ('rooftop_manager',)]:
            for code in ROOFTOPS:
                company = self.companies[code]
                for login, first, last, role, code_, _ in self.staff:
                    if code_ == code and role in roles:
                        self._employees[code, roles] = by_name[
                            company.id, f'{first} {last}']
                        break

    # --- reference data -----------------------------------------------------

    def load_parties(self):
        "Create the dismantlers; keep the employees at hand"
        from proteus import Model
        Party = Model.get('party.party')
        Country = Model.get('country.country')
        names = sorted({d[0] for d in DISMANTLERS.values()})
        parties = {p.name: p for p in Party.find([('name', 'in', names)])}
        new = []
        country, = Country.find([('code', '=', 'DE')])
        for name, street, number, postal_code, city in sorted(
                set(DISMANTLERS.values())):
            if name in parties:
                continue
            party = Party(name=name)
            address, = party.addresses
            address.street_name = street
            address.building_number = number
            address.postal_code = postal_code
            address.city = city
            address.country = country
            new.append(party)
        Party.save(new)
        parties.update({p.name: p for p in new})
        self.dismantlers = {
            code: parties[d[0]] for code, d in DISMANTLERS.items()}
        self.load_employees()

    def load_catalog(self):
        "Create the makes, models and variants not yet in the catalog"
        from proteus import Model
        Make = Model.get('dms.vehicle.make')
        Party = Model.get('party.party')
        Variant = Model.get('dms.vehicle.variant')
        currency = self.companies[ROOFTOPS[0]].currency
        makes = {m.name: m for m in Make.find([
                    ('name', 'in', [m['name'] for m in CATALOG]),
                    ])}
        names = [m['supplier'] for m in CATALOG]
        suppliers = {p.name: p for p in Party.find([('name', 'in', names)])}
        new = [Party(name=n) for n in names if n not in suppliers]
        if new:
            Party.save(new)
            suppliers.update({p.name: p for p in new})
        to_save = []
        for spec in CATALOG:
            make = makes.get(spec['name'])
            changed = make is None
            if make is None:
                make = Make(name=spec['name'], code=spec['code'],
                    manufacturer=spec['manufacturer'])
            if make.supplier != suppliers[spec['supplier']]:
                make.supplier = suppliers[spec['supplier']]
                changed = True
            models = {m.name: m for m in make.models}
            for model_spec in spec['models']:
                model = models.get(model_spec['name'])
                if model is None:
                    model = make.models.new(
                        name=model_spec['name'], code=model_spec['code'])
                    changed = True
                names = {v.name for v in model.variants}
                for (name, engine, fuel_type, transmission, body_type, power,
                        price) in model_spec['variants']:
                    if name in names:
                        continue
                    model.variants.new(
                        name=name, engine=engine, fuel_type=fuel_type,
                        transmission=transmission, body_type=body_type,
                        power=power, list_price=Decimal(price),
                        currency=currency)
                    changed = True
            if changed:
                to_save.append(make)
        if to_save:
            Make.save(to_save)
        self.variants = {}
        for variant in Variant._proxy.search_read([
                    ('model.make.name', 'in', [m['name'] for m in CATALOG]),
                    ], 0, None, None,
                ['name', 'model.name', 'model.make.name'],
                self.config.context):
            key = (variant['model.']['make.']['name'],
                variant['model.']['name'], variant['name'])
            self.variants[key] = variant['id']

    def load_pdi_templates(self):
        from proteus import Model
        Template = Model.get('dms.vehicle.pdi.template')
        names = [t[0] for t in PDI_TEMPLATES]
        templates = {t.name: t for t in Template.find([
                    ('name', 'in', names)])}
        new = []
        for name, items in PDI_TEMPLATES:
            if name in templates:
                continue
            template = Template(name=name)
            for i, (item, description) in enumerate(items, 1):
                template.lines.new(
                    sequence=i * 10, name=item, description=description)
            new.append(template)
        Template.save(new)
        templates.update({t.name: t for t in new})
        self.templates = [templates[n] for n in names]

    # --- vehicles -----------------------------------------------------------

    def plate(self, vehicle, town):
        if not vehicle['plate']:
            return None
        if vehicle['owner'] and vehicle['owner'][0] == 'company':
            town = CITIES[vehicle['rooftop']]
        return f"{PLATE_PREFIXES.get(town, 'K')}-{vehicle['plate']}"

    def create(self, model, values):
        """Create records from values with one call: proteus instances
        would each ask the server for their defaults and on_change values"""
        from proteus import Model
        if not values:
            return []
        return Model.get(model)._proxy.create(values, self.config.context)

    def create_vehicles(self):
        """Create the planned vehicles whose VIN is not yet known; the
        server fills make and model from the variant"""
        existing = self.status()
        values = []
        # the head office's last: lists show the latest vehicles first
        for spec in reversed(self.plan):
            if spec['vin'] in existing:
                continue
            owner, town = self.owner(spec)
            values.append({
                    'vin': spec['vin'],
                    'variant': self.variants[
                        spec['make'], spec['model'], spec['variant']],
                    'model_year': spec['model_year'],
                    'exterior_colour': spec['exterior_colour'],
                    'interior_colour': spec['interior_colour'],
                    'usage': spec['usage'],
                    'owner': owner.id if owner else None,
                    'plate': self.plate(spec, town),
                    'first_registration': spec['first_registration'],
                    })
        self.create('dms.vehicle', values)
        self.fresh = {v['vin'] for v in values}

    def selected(self, step, states, stock_states=None, fresh=False):
        """Return the plans and the ids of the vehicles whose plan has the
        step and whose state is one of states (and stock state one of
        stock_states), as (plan, id) pairs.  Vehicles whose plan goes back
        and forth (held then released, sold then cancelled) are taken only
        when they are created by this run."""
        status = self.status()
        result = []
        for spec in self.plan:
            record = status[spec['vin']]
            if step not in spec['steps'] or record['state'] not in states:
                continue
            if (stock_states is not None
                    and record['stock_state'] not in stock_states):
                continue
            to_and_fro = {'release', 'cancel_sale'} & set(spec['steps'])
            if (fresh or to_and_fro) and spec['vin'] not in self.fresh:
                continue
            result.append((spec, record['id']))
        return result

    def click(self, button, states, stock_states=None, fresh=False):
        from proteus import Model
        Vehicle = Model.get('dms.vehicle')
        ids = [i for _, i in self.selected(
                button, states, stock_states=stock_states, fresh=fresh)]
        if ids:
            Vehicle.click(self.records('dms.vehicle', ids), button)

    def hold(self):
        """Hold the vehicles planned so for their customer, as a sales
        consultant fills the Sale page and presses Hold"""
        from proteus import Model
        Vehicle = Model.get('dms.vehicle')
        vehicles = []
        for spec, id_ in self.selected('hold', {'available'}):
            hold = spec['hold']
            vehicle = Vehicle(id_)
            vehicle.hold_party, _ = self.party(hold['party'], spec['rooftop'])
            vehicle.hold_reason = hold['reason']
            vehicle.hold_until = self.today + dt.timedelta(days=hold['days'])
            vehicles.append(vehicle)
        if vehicles:
            Vehicle.save(vehicles)
            Vehicle.click(vehicles, 'hold')

    def receive(self):
        """Receive the vehicles that never moved, a lot (same rooftop, day
        and cost) at a time in the context of the receiving rooftop"""
        from proteus import Model, Wizard
        Move = Model.get('stock.move')
        status = self.status(('lot',))
        lots = {r['lot']: vin for vin, r in status.items() if r['lot']}
        moved = {m['lot'] for m in Move._proxy.search_read(
                [('lot', 'in', list(lots))], 0, None, None, ['lot'],
                self.config.context)}
        groups = defaultdict(list)
        for spec in self.plan:
            record = status[spec['vin']]
            if ('receive' not in spec['steps'] or not record['lot']
                    or record['lot'] in moved):
                continue
            groups[spec['receipt']].append(record['id'])
        for (code, days, cost), ids in sorted(
                groups.items(), key=lambda g: (-g[0][1], g[0][0])):
            company = self.companies[code]
            with self.config.set_context(company=company.id):
                receive = Wizard('dms.vehicle.receive',
                    self.records('dms.vehicle', ids, company))
                receive.form.company = company
                receive.form.warehouse = self.warehouses[code]
                receive.form.date = self.today - dt.timedelta(days=days)
                receive.form.cost_price = cost
                receive.execute('receive')

    def transfer(self):
        """Bring the vehicles received at another rooftop to theirs, in the
        context of the sending rooftop"""
        from proteus import Wizard
        status = self.status(('holding_company',))
        groups = defaultdict(list)
        for spec in self.plan:
            record = status[spec['vin']]
            # in transit: on its way already
            if not spec['transfer'] or record['stock_state'] != 'in_stock':
                continue
            code, days, arrived = spec['transfer']
            if record['holding_company'] == self.companies[code].id:
                continue
            groups[record['holding_company'], code, days, arrived].append(
                record['id'])
        companies = {c.id: c for c in self.companies.values()}
        for (source, code, days, arrived), ids in sorted(groups.items()):
            company = companies[source]
            with self.config.set_context(company=company.id):
                transfer = Wizard('dms.vehicle.transfer',
                    self.records('dms.vehicle', ids, company))
                transfer.form.company = self.companies[code]
                transfer.form.warehouse = self.warehouses[code]
                transfer.form.date = self.today - dt.timedelta(days=days)
                transfer.form.arrived = arrived
                transfer.execute('transfer')

    def load_pdis(self):
        """Inspect the vehicles sold from stock: passed, failed or still
        in progress; the checklist fills the items"""
        from proteus import Model
        PDI = Model.get('dms.vehicle.pdi')
        Vehicle = Model.get('dms.vehicle')
        status = self.status()
        ids = [status[s['vin']]['id'] for s in self.plan if s['pdis']]
        done = {p['vehicle'] for p in PDI._proxy.search_read(
                [('vehicle', 'in', ids)], 0, None, None, ['vehicle'],
                self.config.context)}
        pdis, results = [], []
        for spec in self.plan:
            record = status[spec['vin']]
            if not spec['pdis'] or record['id'] in done:
                continue
            random = self.random('pdi', spec['key'])
            code = spec['rooftop']
            received = self.today - dt.timedelta(days=spec['receipt'][1])
            date = self.today - dt.timedelta(days=random.randint(0, 2))
            if spec['pdis'][-1] == 'draft':
                date = self.today
            dates = [date]
            for _ in spec['pdis'][1:]:
                dates.insert(0, dates[0] - dt.timedelta(
                        days=random.randint(1, 4)))
            template = self.templates[
                1 if spec['fuel_type'] == 'electric' else 0]
            for result, date in zip(spec['pdis'], dates):
                pdi = PDI(company=self.companies[code],
                    vehicle=Vehicle(record['id']),
                    date=max(date, received),
                    technician=self.employee(code, ('technician',)))
                pdi.template = template
                self.fill_pdi(pdi, result, random)
                pdis.append(pdi)
                results.append(result)
        PDI.save(pdis)
        for result, button in [('passed', 'pass_'), ('failed', 'fail')]:
            PDI.click([p for p, r in zip(pdis, results) if r == result],
                button)

    @staticmethod
    def fill_pdi(pdi, result, random):
        lines = list(pdi.lines)
        names = [l.name for l in lines]
        for line in lines:
            line.result = 'ok'
        if result == 'draft':
            for line in lines[random.randint(2, len(lines) - 3):]:
                line.result = 'pending'
            return
        fixes = [f for f in PDI_FIXES if f[0] in names]
        for name, note in random.sample(fixes, random.randint(0, 2)):
            line = lines[names.index(name)]
            line.result, line.note = 'fixed', note
        if result == 'failed':
            failures = [f for f in PDI_FAILURES if f[0] in names]
            for name, note in random.sample(failures, random.randint(1, 2)):
                line = lines[names.index(name)]
                line.result, line.note = 'failed', note
            pdi.comment = "Back to the technician after the repair."

    def deliver(self):
        """Hand the sold vehicles in stock over, in the context of their
        rooftop"""
        from proteus import Model
        Vehicle = Model.get('dms.vehicle')
        status = self.status(('holding_company',))
        companies = {c.id: c for c in self.companies.values()}
        groups = defaultdict(list)
        for spec in self.plan:
            record = status[spec['vin']]
            if ('deliver' in spec['steps'] and record['state'] == 'sold'
                    and record['stock_state'] == 'in_stock'):
                groups[record['holding_company']].append(record['id'])
        for company_id, ids in sorted(
                groups.items(), key=lambda g: g[0] or 0):
            company = companies.get(company_id)
            Vehicle.click(
                self.records('dms.vehicle', ids, company), 'deliver')

    def scrap(self):
        """Scrap the vehicles planned so with a certificate of destruction,
        in the context of their rooftop"""
        from proteus import Wizard
        status = self.status()
        for spec in self.plan:
            record = status[spec['vin']]
            if not spec['scrap'] or record['state'] == 'scrapped':
                continue
            code = spec['rooftop']
            company = self.companies[code]
            scrap = spec['scrap']
            date = self.today - dt.timedelta(days=scrap['days'])
            with self.config.set_context(company=company.id):
                wizard = Wizard('dms.vehicle.scrap',
                    self.records('dms.vehicle', [record['id']], company))
                wizard.form.company = company
                wizard.form.date = date
                wizard.form.reason = scrap['reason']
                wizard.form.description = scrap['description']
                wizard.form.dismantler = self.dismantlers[code]
                wizard.form.certificate_number = scrap['certificate_number']
                wizard.form.certificate = certificate_scan(
                    spec, scrap, self.dismantlers[code].name, date)
                wizard.form.certificate_name = (
                    f"{scrap['certificate_number']}.jpg")
                wizard.execute('scrap')

    def load_mileage(self):
        "Record the odometer history of the vehicles that have none"
        from proteus import Model
        Mileage = Model.get('dms.vehicle.mileage')
        status = self.status()
        ids = [status[s['vin']]['id'] for s in self.plan if s['mileage']]
        done = {m['vehicle'] for m in Mileage._proxy.search_read(
                [('vehicle', 'in', ids)], 0, None, None, ['vehicle'],
                self.config.context)}
        readings = []
        for spec in self.plan:
            record = status[spec['vin']]
            if not spec['mileage'] or record['id'] in done:
                continue
            for date, reading, source, correction, comment in spec[
                    'mileage']:
                readings.append({
                        'vehicle': record['id'],
                        'date': date,
                        'reading': reading,
                        'source': source,
                        'correction': correction,
                        'comment': comment,
                        })
        self.create('dms.vehicle.mileage', readings)

    def load_photos(self):
        """Give generated photos to the vehicles planned with photos and
        none yet; the side view is the cover"""
        from proteus import Model
        Photo = Model.get('dms.vehicle.photo')
        status = self.status()
        ids = [status[s['vin']]['id'] for s in self.plan if s['photos']]
        done = {p['vehicle'] for p in Photo._proxy.search_read(
                [('vehicle', 'in', ids)], 0, None, None, ['vehicle'],
                self.config.context)}
        photos = []
        for spec in self.plan:
            record = status[spec['vin']]
            if not spec['photos'] or record['id'] in done:
                continue
            views = ['side', 'front', 'rear']
            if self.random('photos', spec['key']).random() < 0.6:
                views.append('interior')
            for sequence, view in enumerate(views, 1):
                photos.append({
                        'vehicle': record['id'],
                        'image': car_photo(view, spec),
                        'description': PHOTO_VIEWS[view],
                        'sequence': sequence * 10,
                        'cover': view == 'side',
                        })
        self.create('dms.vehicle.photo', photos)

    def load_papers(self):
        """Record the registration certificates and certificates of
        conformity planned and not yet recorded"""
        from proteus import Model
        Document = Model.get('dms.document')
        Vehicle = Model.get('dms.vehicle')
        status = self.status()
        types = ['registration_certificate', 'certificate_of_conformity']
        ids = [status[s['vin']]['id'] for s in self.plan if s['papers']]
        done = {(d['vehicle'], d['type'])
            for d in Document._proxy.search_read([
                    ('vehicle', 'in', ids),
                    ('type', 'in', types),
                    ], 0, None, None, ['vehicle', 'type'],
                self.config.context)}
        documents = []
        for spec in self.plan:
            record = status[spec['vin']]
            for type_ in spec['papers']:
                if (record['id'], type_) in done:
                    continue
                random = self.random('paper', spec['key'], type_)
                code = spec['rooftop']
                company = self.companies[code]
                owner, town = self.owner(spec)
                if type_ == 'certificate_of_conformity':
                    holder = company.party
                    number = f"COC {random.randint(1000000, 9999999)}"
                    issuer = spec['issuer']
                    issue_date = self.today - dt.timedelta(
                        days=spec['receipt'][1] + random.randint(10, 30))
                else:
                    holder = owner or company.party
                    number = (''.join(random.choice('ABCDEFGHKLMNPRSTUVWXYZ')
                            for _ in range(2))
                        + f'{random.randint(0, 9999999):07d}')
                    issuer = (
                        f"{AUTHORITIES.get(town, 'Stadt ' + town)}, "
                        "Straßenverkehrsamt")
                    issue_date = spec['first_registration']
                documents.append(Document(
                        company=company, holder=holder,
                        vehicle=Vehicle(record['id']), type=type_,
                        number=number, issuer=issuer,
                        issue_date=issue_date))
        Document.save(documents)

    # --- bookings -----------------------------------------------------------

    def at(self, day, hour, minute=0):
        "Return the naive UTC time of the local time on the day from today"
        local = dt.datetime.combine(
            self.today + dt.timedelta(days=day), dt.time(hour, minute),
            tzinfo=self.zone)
        return local.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def booking_plan(self, spec):
        """Return the bookings of a demonstrator, loaner or company car in
        the week around today, as (purpose, start, end) without overlap"""
        random = self.random('bookings', spec['key'])
        usage = spec['usage']
        bookings = []
        if usage == 'loaner':
            # customers' cars stay in the workshop for a day or more
            bookings = [
                ('workshop_loaner', self.at(-3, 7, 30), self.at(-2, 18)),
                ('workshop_loaner', self.at(-1, 7, 30), self.at(1, 18)),
                ('workshop_loaner', self.at(2, 7, 30), self.at(
                        random.choice([2, 3]), 18)),
                ]
        elif usage == 'company_car':
            bookings = [
                ('internal_use', self.at(-3, 8), self.at(-3, 13)),
                ('internal_use', self.at(-1, 8), self.at(1, 19)),
                ('reservation', self.at(3, 9), self.at(3, 17)),
                ]
        else:
            for day in range(-3, 4):
                weekday = (self.today + dt.timedelta(days=day)).weekday()
                if weekday == 6:
                    continue
                hours = [9, 11, 14, 16] if weekday < 5 else [9, 11]
                for hour in sorted(random.sample(
                            hours, random.choice([0, 1, 1, 2]))):
                    bookings.append(('test_drive', self.at(day, hour),
                            self.at(day, hour, random.choice([0, 30])
                                ) + dt.timedelta(hours=1)))
        return bookings

    def load_bookings(self):
        """Book the demonstrators, loaners and company cars that have no
        booking for the week around today; hand out and take back those
        whose time has come, in the order of their bookings"""
        from proteus import Model
        Booking = Model.get('dms.vehicle.booking')
        Vehicle = Model.get('dms.vehicle')
        status = self.status()
        fleet = [s for s in self.plan if s['kind'] == 'fleet'
            and status[s['vin']]['state'] == 'available'
            and status[s['vin']]['stock_state'] == 'in_stock']
        ids = [status[s['vin']]['id'] for s in fleet]
        existing = {(b['vehicle'], b['planned_start']): b['id']
            for b in Booking._proxy.search_read(
                [('vehicle', 'in', ids)], 0, None, None,
                ['vehicle', 'planned_start'], self.config.context)}
        booked = {v for v, _ in existing}
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        cancelled = False
        planned, new = [], []
        for spec in fleet:
            vehicle = status[spec['vin']]['id']
            code = spec['rooftop']
            random = self.random('borrowers', spec['key'])
            customers = self.customers[code]
            mileage = spec['mileage'][-1][1] if spec['mileage'] else 0
            for purpose, start, end in self.booking_plan(spec):
                if purpose == 'workshop_loaner':
                    employee = self.employee(code, ('service_advisor',))
                    borrower = random.choice(customers)[0]
                    distance = 60 * ((end - start).days + 1)
                elif purpose == 'test_drive':
                    employee = self.employee(code, ('sales', 'sales_manager'))
                    borrower = random.choice(customers)[0]
                    distance = 25
                else:
                    employee = self.employee(code, ('rooftop_manager',))
                    borrower = employee.party
                    distance = 180
                if end <= now:
                    state = 'returned'
                elif start <= now:
                    state = 'out'
                elif purpose == 'test_drive' and not cancelled:
                    # the first test drive ahead was called off
                    state = cancelled = 'cancelled'
                else:
                    state = 'reserved'
                mileage_out = mileage + random.randint(0, 5)
                mileage_in = mileage_out + int(
                    distance * random.uniform(0.5, 1.5))
                if state == 'returned':
                    mileage = mileage_in
                values = {
                    'mileage_out': mileage_out,
                    'fuel_out': random.randint(60, 100),
                    'mileage_in': mileage_in,
                    'fuel_in': random.randint(15, 55),
                    }
                booking = None
                if (vehicle, start) in existing:
                    booking = Booking(existing[vehicle, start])
                elif vehicle not in booked:
                    booking = Booking(
                        company=self.companies[code],
                        vehicle=Vehicle(vehicle), purpose=purpose,
                        borrower=borrower, employee=employee,
                        planned_start=start, planned_end=end)
                    new.append(booking)
                if booking is not None:
                    planned.append((booking, state, values))
        Booking.save(new)
        Booking.click([b for b, s, _ in planned
                if s == 'cancelled' and b.state == 'reserved'], 'cancel')
        # a vehicle's bookings one after the other, the vehicles together
        queues = defaultdict(list)
        for booking, state, values in planned:
            if state in {'out', 'returned'}:
                queues[booking.vehicle.id].append((booking, state, values))
        while queues:
            buttons = defaultdict(list)
            for vehicle, queue in list(queues.items()):
                booking, state, values = queue[0]
                if (state in {'out', 'returned'}
                        and booking.state == 'reserved'):
                    booking.mileage_out = values['mileage_out']
                    booking.fuel_out = values['fuel_out']
                    buttons['check_out'].append(booking)
                elif state == 'returned' and booking.state == 'out':
                    booking.mileage_in = values['mileage_in']
                    booking.fuel_in = values['fuel_in']
                    buttons['check_in'].append(booking)
                else:
                    queue.pop(0)
                    if not queue:
                        del queues[vehicle]
            for button, bookings in buttons.items():
                Booking.click(bookings, button)

    # --- summary ------------------------------------------------------------

    def counts(self):
        return Counter((r['state'], r['stock_state'])
            for r in self.status().values())

    def check_targets(self):
        """Refuse a vehicle created by this run that did not end in the
        state and stock state of its plan"""
        status = self.status()
        wrong = [f"{s['vin']} ({s['kind']}): {r['state']}/{r['stock_state']}"
            f" instead of {s['target'][0]}/{s['target'][1]}"
            for s in self.plan
            for r in [status[s['vin']]]
            if s['vin'] in self.fresh
            and (r['state'], r['stock_state']) != s['target']]
        if wrong:
            raise AssertionError(
                "Vehicles not as planned:\n" + '\n'.join(wrong))


# --- images ----------------------------------------------------------------

# Outlines of the side views: (x, height) as shares of the length and of
# the tallest body, front to the left, and the height of the waistline
SIDE_OUTLINES = {
    'hatchback': ([(0, .15), (0, .40), (.04, .46), (.27, .52), (.42, .80),
            (.80, .81), (.96, .55), (1, .48), (1, .15)], .52),
    'sedan': ([(0, .15), (0, .38), (.04, .44), (.27, .49), (.41, .76),
            (.71, .77), (.86, .53), (1, .49), (1, .15)], .49),
    'estate': ([(0, .15), (0, .40), (.04, .46), (.27, .51), (.40, .78),
            (.93, .78), (.99, .56), (1, .15)], .51),
    'suv': ([(0, .18), (0, .50), (.04, .57), (.24, .62), (.36, .92),
            (.90, .92), (.98, .66), (1, .18)], .62),
    'coupe': ([(0, .15), (0, .37), (.04, .43), (.28, .48), (.43, .74),
            (.66, .75), (.93, .50), (1, .45), (1, .15)], .48),
    'van': ([(0, .16), (0, .56), (.06, .63), (.17, .98), (.99, .98),
            (1, .16)], .63),
    }
SHOWROOM = [(226, 230, 236), (196, 202, 210)]
PHOTO_VIEWS = {
    'side': "Side view", 'front': "Front view", 'rear': "Rear view",
    'interior': "Interior",
    }
FLOOR = [(150, 152, 156), (118, 120, 124)]


def _blend(a, b, t):
    return tuple(int(x + (y - x) * t) for x, y in zip(a, b))


def _shade(rgb, factor):
    return tuple(max(0, min(255, int(c * factor))) for c in rgb)


def _clip_above(points, level):
    "Return the part of the polygon with a height of at least level"
    result = []
    for i, (x1, y1) in enumerate(points):
        x2, y2 = points[(i + 1) % len(points)]
        if y1 >= level:
            result.append((x1, y1))
        if (y1 >= level) != (y2 >= level):
            t = (level - y1) / (y2 - y1)
            result.append((x1 + (x2 - x1) * t, level))
    return result


@functools.cache
def _fonts():
    from PIL import ImageFont
    return ImageFont.load_default(size=30), ImageFont.load_default(size=18)


@functools.cache
def _showroom(width=800, height=600, horizon=400):
    "Return the background of the photos: a wall and the floor"
    from PIL import Image, ImageDraw
    image = Image.new('RGB', (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        if y < horizon:
            colour = _blend(*SHOWROOM, y / horizon)
        else:
            colour = _blend(*FLOOR, (y - horizon) / (height - horizon))
        draw.line([(0, y), (width, y)], fill=colour)
    return image


def car_photo(view, spec):
    """Return a JPEG of 800 x 600 pixels of a view ('side', 'front',
    'rear' or 'interior') of the planned vehicle, drawn from its body type,
    colour and name: the same bytes at every run"""
    from PIL import ImageDraw
    image = _showroom().copy()
    width, height = image.size
    draw = ImageDraw.Draw(image)
    rgb = spec['rgb']
    body_type = spec['body_type'] if spec['body_type'] in SIDE_OUTLINES \
        else 'hatchback'
    if view == 'side':
        _draw_side(draw, body_type, rgb, spec['fuel_type'])
    elif view in {'front', 'rear'}:
        _draw_front(draw, body_type, rgb, spec['fuel_type'], view == 'rear')
    else:
        _draw_interior(draw, spec)
    title, small = _fonts()
    draw.rectangle([0, 0, width, 78], fill=(34, 38, 46))
    draw.text((24, 10), f"{spec['make']} {spec['model']} {spec['variant']}",
        font=title, fill=(255, 255, 255))
    draw.text((24, 48), f"{spec['exterior_colour']}  ·  {spec['vin']}",
        font=small, fill=(200, 206, 214))
    draw.text((width - 230, height - 30), "Rheinblick Automobile",
        font=small, fill=(240, 240, 240))
    output = io.BytesIO()
    image.save(output, format='JPEG', quality=85)
    return output.getvalue()


def _draw_side(draw, body_type, rgb, fuel_type):
    outline, waist = SIDE_OUTLINES[body_type]
    left, length, ground, tallest = 110, 580, 500, 250

    def point(x, y):
        return (left + x * length, ground - y * tallest)

    draw.ellipse([left - 10, ground - 14, left + length + 10, ground + 14],
        fill=(90, 92, 96))
    draw.polygon([point(*p) for p in outline], fill=rgb,
        outline=_shade(rgb, 0.6))
    glass = _clip_above(outline, waist + 0.03)
    if glass:
        xs = [p[0] for p in glass]
        centre = (min(xs) + max(xs)) / 2
        top = max(p[1] for p in glass)
        inner = [(centre + (x - centre) * 0.9,
                waist + 0.05 + (y - waist - 0.03) * 0.8) for x, y in glass]
        draw.polygon([point(*p) for p in inner], fill=(46, 56, 68))
        pillar = min(xs) + (max(xs) - min(xs)) * 0.48
        draw.rectangle([point(pillar - 0.012, top), point(pillar + 0.012,
                    waist)], fill=rgb)
    draw.line([point(0.02, waist - 0.08), point(0.98, waist - 0.08)],
        fill=_shade(rgb, 0.75), width=3)
    draw.rectangle([point(0, 0.40), point(0.04, 0.34)],
        fill=(250, 248, 230))
    draw.rectangle([point(0.975, 0.44), point(1, 0.36)], fill=(190, 20, 24))
    radius = 0.078 * length
    for x in (0.17, 0.81):
        cx, cy = point(x, 0)
        cy -= radius
        draw.ellipse([cx - radius - 6, cy - radius - 6, cx + radius + 6,
                cy + radius + 6], fill=_shade(rgb, 0.35))
        draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius],
            fill=(28, 28, 30))
        rim = radius * 0.62
        draw.ellipse([cx - rim, cy - rim, cx + rim, cy + rim],
            fill=(170, 174, 180), outline=(120, 124, 130), width=3)
        draw.ellipse([cx - 8, cy - 8, cx + 8, cy + 8], fill=(90, 94, 100))
    if fuel_type in {'electric', 'plugin_hybrid'}:
        x, y = point(0.90 if fuel_type == 'electric' else 0.12, waist - 0.03)
        draw.rectangle([x - 12, y - 8, x + 12, y + 8],
            outline=_shade(rgb, 0.55), width=2)


def _draw_front(draw, body_type, rgb, fuel_type, rear):
    heights = {'hatchback': 200, 'sedan': 185, 'estate': 195, 'suv': 235,
        'coupe': 180, 'van': 255}
    total = heights[body_type]
    centre, ground, half = 400, 500, 190
    body = total * 0.56
    draw.ellipse([centre - half - 30, ground - 14, centre + half + 30,
            ground + 14], fill=(90, 92, 96))
    for side in (-1, 1):
        x = centre + side * (half - 40)
        draw.rectangle([x - 28, ground - 60, x + 28, ground],
            fill=(28, 28, 30))
    draw.rounded_rectangle([centre - half, ground - 30 - body, centre + half,
            ground - 30], radius=28, fill=rgb, outline=_shade(rgb, 0.6))
    top = ground - 30 - body
    roof = top - (total - body)
    draw.polygon([(centre - half * 0.88, top + 4), (centre - half * 0.62,
                roof), (centre + half * 0.62, roof),
            (centre + half * 0.88, top + 4)], fill=rgb,
        outline=_shade(rgb, 0.6))
    draw.polygon([(centre - half * 0.80, top), (centre - half * 0.60,
                roof + 10), (centre + half * 0.60, roof + 10),
            (centre + half * 0.80, top)], fill=(46, 56, 68))
    lamp = (190, 20, 24) if rear else (250, 248, 230)
    for side in (-1, 1):
        x = centre + side * (half - 44)
        draw.rounded_rectangle([x - 34, top + 18, x + 34, top + 40],
            radius=8, fill=lamp, outline=_shade(rgb, 0.5))
    if not rear:
        grille = _shade(rgb, 1.0) if fuel_type == 'electric' else (30, 32, 36)
        draw.rounded_rectangle([centre - 70, top + 22, centre + 70,
                top + 58], radius=10, fill=grille,
            outline=(30, 32, 36), width=3)
    draw.rectangle([centre - 60, ground - 70, centre + 60, ground - 46],
        fill=(245, 245, 245), outline=(40, 40, 40))
    draw.rectangle([centre - 60, ground - 70, centre - 48, ground - 46],
        fill=(20, 60, 160))


def _draw_interior(draw, spec):
    interior = spec['interior_colour']
    seat = (36, 36, 40)
    for word, colour in [("Cognac", (150, 86, 42)),
            ("Oyster", (208, 198, 176)), ("Grey", (112, 112, 118))]:
        if word in interior:
            seat = colour
    draw.rectangle([0, 300, 800, 600], fill=(40, 42, 46))
    draw.polygon([(0, 600), (0, 470), (150, 430), (230, 600)], fill=seat)
    draw.polygon([(800, 600), (800, 470), (650, 430), (570, 600)], fill=seat)
    draw.rounded_rectangle([180, 250, 380, 320], radius=12,
        fill=(18, 20, 24), outline=(70, 74, 80), width=2)
    draw.rounded_rectangle([430, 240, 660, 360], radius=12,
        fill=(20, 24, 32), outline=(70, 74, 80), width=2)
    title, small = _fonts()
    draw.text((448, 258), spec['model'], font=small, fill=(220, 230, 240))
    draw.text((448, 290), spec['variant'], font=small, fill=(150, 190, 230))
    draw.ellipse([150, 330, 410, 560], outline=(22, 22, 24), width=26)
    draw.ellipse([245, 410, 315, 470], fill=(30, 30, 34))


def certificate_scan(spec, scrap, dismantler, date):
    """Return a JPEG of the certificate of destruction of the vehicle, as
    scanned by the rooftop"""
    from PIL import Image, ImageDraw
    title, small = _fonts()
    image = Image.new('L', (620, 860), 246)
    draw = ImageDraw.Draw(image)
    draw.text((40, 40), "Verwertungsnachweis", font=title, fill=20)
    lines = [
        f"Nr. {scrap['certificate_number']}",
        "",
        f"Fahrzeug: {spec['make']} {spec['model']}",
        f"FIN: {spec['vin']}",
        f"Erstzulassung: {spec['first_registration']}",
        "",
        f"Annahme am {date:%d.%m.%Y} durch",
        dismantler,
        "anerkannter Demontagebetrieb",
        ]
    for i, line in enumerate(lines):
        draw.text((40, 110 + i * 30), line, font=small, fill=30)
    draw.line([(40, 760), (300, 760)], fill=60, width=2)
    draw.text((40, 770), "Unterschrift, Stempel", font=small, fill=90)
    output = io.BytesIO()
    image.save(output, format='JPEG', quality=70)
    return output.getvalue()
