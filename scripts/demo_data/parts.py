# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The demo parts department of the dealer group.

About 2,000 parts of the three makes, loaded from their manufacturers'
price files by the import the wizard runs, one profile per manufacturer
(Volkswagen's file in the default layout, BMW's in Windows-1252 with
German headers and decimal commas, Ford's FINIS file tab-separated without
currency): numbers written as the manufacturers write them, list prices
for each rooftop, discount groups, and about 40 supersessions, some in
chains of two or three.  Almost 400 parts fit the makes, models and
variants of the demo catalog (vehicles.CATALOG).  Each rooftop took a few
hundred parts into stock with a confirmed inventory about three months
ago, and keeps each of them in a bin; its counter recorded the sales it
lost since.

`plan(seed, today)` draws the parts from seeded generators: the same
numbers, prices, stock and lost sales at every run, dates relative to
today.  `load(config, ...)` brings a database to that plan; each step looks
at what is already done, so a second run changes nothing.

parts_price_file.csv (next to this file) is a few hundred Volkswagen rows
of the plan in the default layout, for trying the import; the demo imports
it first.  Write it again after changing the plan with:

    PYTHONPATH=scripts .venv/bin/python -m demo_data.parts

Every number here is invented for the demo."""
import csv
import datetime as dt
import io
import os
import random as random_module
import re
import time
from collections import Counter, defaultdict
from decimal import Decimal

from .vehicles import CATALOG, ROOFTOPS

SAMPLE_FILE = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), 'parts_price_file.csv')
SAMPLE_ROWS = 300
# The columns of the default profile, in its order
DEFAULT_HEADER = [
    'part_number', 'description', 'list_price', 'currency', 'superseded_by',
    'discount_group', 'unit']
# The profile's fields of these columns: <name>_column
PROFILE_COLUMNS = [
    'number', 'description', 'price', 'currency', 'superseded_by',
    'discount_group', 'unit']

# The parts manufacturer of each make of the catalog, the layout of its
# price file (columns in the order of DEFAULT_HEADER, None when the file
# has none; how it writes units and litres), how many parts the demo has of
# it and its price level
MANUFACTURERS = [
    {
        'make': "Volkswagen",
        'party': "Volkswagen AG",
        'profile': "Volkswagen parts price file",
        'filename': 'VW_Teilepreisliste.csv',
        'encoding': 'utf-8',
        'delimiter': ';',
        'decimal_separator': '.',
        'columns': DEFAULT_HEADER,
        'currency': 'EUR',
        'units': {'u': '', 'l': 'l'},
        'parts': 700,
        'price_factor': 1.0,
        },
    {
        'make': "BMW",
        'party': "Bayerische Motoren Werke AG",
        'profile': "BMW Teilepreisliste",
        'filename': 'BMW_Teilepreise.csv',
        'encoding': 'cp1252',
        'delimiter': ';',
        'decimal_separator': ',',
        'columns': [
            'Teilenummer', 'Benennung', 'UPE', 'Währung', 'Ersetzt durch',
            'Rabattgruppe', 'ME'],
        'currency': 'EUR',
        'units': {'u': 'u', 'l': 'L'},
        'parts': 660,
        'price_factor': 1.25,
        },
    {
        'make': "Ford",
        'party': "Ford-Werke GmbH",
        'profile': "Ford FINIS price file",
        'filename': 'Ford_FINIS_prices.txt',
        'encoding': 'utf-8',
        'delimiter': '\t',
        'decimal_separator': '.',
        'columns': [
            'FINIS', 'Description', 'Retail Price', None, 'Superseded By',
            'Discount Code', 'Unit'],
        'currency': None,
        'units': {'u': 'u', 'l': 'l'},
        'parts': 640,
        'price_factor': 0.9,
        },
    ]

# The discount classes: the group code of each manufacturer for it (in
# the order of MANUFACTURERS), its name, the dealer's purchase discount and
# the trade customers' discount, and the aisle of the parts stores
DISCOUNT_CLASSES = {
    'wear': (('A1', '110', 'W1'), "Wear parts", '0.28', '0.10', 'A'),
    'service': (('A5', '120', 'S1'), "Service parts and fluids", '0.32',
        '0.12', 'B'),
    'repair': (('B1', '210', 'R1'), "Repair parts", '0.20', '0.05', 'C'),
    'electrics': (('C2', '310', 'E1'), "Electrics", '0.18', '0.05', 'D'),
    'lighting': (('C3', '320', 'E2'), "Lighting", '0.22', '0.08', 'E'),
    'body': (('D1', '410', 'K1'), "Body parts", '0.15', '0.03', 'F'),
    'standard': (('N1', '900', 'N1'), "Standard parts", '0.35', '0.15',
        'G'),
    'accessories': (('Z1', '810', 'Z1'), "Accessories", '0.25', '0.10',
        'H'),
    }

# Placeholders of the descriptions, drawn for each part
CHOICES = {
    'disc': ['276 x 12', '288 x 25', '300 x 22', '312 x 25', '320 x 28',
        '330 x 30', '340 x 30', '348 x 36', '370 x 30'],
    'rear_disc': ['253 x 10', '272 x 10', '282 x 12', '300 x 12', '310 x 22',
        '330 x 20'],
    'wipers': ['600/400', '650/400', '650/450', '650/475', '700/450',
        '700/500'],
    'rear_wiper': ['280', '300', '330', '350'],
    'ah': ['60', '68', '70', '80', '92'],
    'side': ['left', 'right'],
    'position': ['front', 'rear'],
    'm': ['6', '8', '10', '12'],
    'length': ['16', '20', '25', '30', '35', '40', '50', '60'],
    'seal': ['10 x 14', '12 x 18', '14 x 20', '16 x 22', '18 x 24'],
    'o_ring': ['14 x 2', '17 x 2.5', '24 x 3', '32 x 3'],
    'clamp': ['16', '25', '32', '40', '60'],
    'belt': ['6PK1070', '6PK1153', '6PK1538', '5PK1035', '6PK1795'],
    }

# The parts of the catalog's vehicles: (key, description, discount class,
# Volkswagen main and subgroup ("N" standard parts, "G" fluids), BMW group,
# list price range in EUR, unit, stock range); where "{...}" is drawn from
# CHOICES.  One part per variant of the catalog:
VARIANT_PARTS = [
    ('disc_front', "Brake disc, front, Ø {disc} mm, ventilated", 'wear',
        '615', '34 11', (70, 190), 'u', (2, 6)),
    ('pads_front', "Brake pad set, front", 'wear', '698', '34 10',
        (60, 150), 'u', (1, 4)),
    ('shock_front', "Shock absorber, front", 'repair', '413', '31 31',
        (110, 260), 'u', (1, 2)),
    ]
# One per engine, fitting the variants with it; by fuel type
ENGINE_PARTS = [
    ('oil_filter', "Oil filter element", 'service', '115', '11 42',
        (9, 24), 'u', (4, 12), {'petrol', 'diesel', 'hybrid',
            'plugin_hybrid'}),
    ('air_filter', "Air filter element", 'service', '129', '13 71',
        (18, 45), 'u', (2, 6), {'petrol', 'diesel', 'hybrid',
            'plugin_hybrid'}),
    ('spark_plug', "Spark plug", 'service', '905', '12 12', (9, 22), 'u',
        (8, 24), {'petrol', 'hybrid', 'plugin_hybrid'}),
    ('glow_plug', "Glow plug", 'electrics', '963', '12 23', (18, 40), 'u',
        (4, 8), {'diesel'}),
    ('fuel_filter', "Fuel filter", 'service', '127', '13 32', (25, 70), 'u',
        (1, 4), {'diesel'}),
    ('belt', "V-ribbed belt {belt}", 'repair', '260', '11 28', (20, 45),
        'u', (1, 3), {'petrol', 'diesel', 'hybrid', 'plugin_hybrid'}),
    ]
# One per model
MODEL_PARTS = [
    ('disc_rear', "Brake disc, rear, Ø {rear_disc} mm", 'wear', '615',
        '34 21', (45, 130), 'u', (2, 4)),
    ('pads_rear', "Brake pad set, rear", 'wear', '698', '34 21', (45, 110),
        'u', (1, 3)),
    ('cabin_filter', "Cabin air filter, activated carbon", 'service', '819',
        '64 11', (22, 55), 'u', (2, 8)),
    ('wiper_front', "Wiper blade set, front, {wipers} mm", 'wear', '955',
        '61 61', (35, 75), 'u', (2, 6)),
    ('wiper_rear', "Wiper blade, rear, {rear_wiper} mm", 'wear', '955',
        '61 62', (12, 28), 'u', (1, 4)),
    ('shock_rear', "Shock absorber, rear", 'repair', '513', '33 52',
        (90, 210), 'u', (1, 2)),
    ('arm_left', "Control arm, front left", 'repair', '407', '31 12',
        (110, 290), 'u', (1, 2)),
    ('arm_right', "Control arm, front right", 'repair', '407', '31 12',
        (110, 290), 'u', (1, 2)),
    ('stabiliser_link', "Stabiliser link, front", 'repair', '411', '31 30',
        (25, 60), 'u', (2, 4)),
    ('bearing', "Wheel bearing kit, front", 'repair', '498', '31 20',
        (90, 220), 'u', (1, 2)),
    ('headlamp_left', "LED headlamp, left", 'lighting', '941', '63 11',
        (650, 1650), 'u', (1, 1)),
    ('headlamp_right', "LED headlamp, right", 'lighting', '941', '63 11',
        (650, 1650), 'u', (1, 1)),
    ('tail_lamp', "Tail lamp, outer left", 'lighting', '945', '63 21',
        (180, 420), 'u', (1, 1)),
    ('mirror_glass', "Door mirror glass, left, heated", 'body', '857',
        '51 16', (45, 120), 'u', (1, 2)),
    ('battery', "12 V battery, AGM {ah} Ah", 'electrics', '915', '61 21',
        (190, 330), 'u', (1, 3)),
    ('speed_sensor', "Wheel speed sensor, front", 'electrics', '927',
        '34 52', (55, 140), 'u', (1, 2)),
    ('parking_sensor', "Parking sensor, bumper", 'electrics', '919',
        '66 20', (70, 160), 'u', (1, 4)),
    ('floor_mats', "Rubber floor mats, front and rear", 'accessories',
        '061', '51 47', (55, 110), 'u', (1, 3)),
    ]
# One per make, fitting every model of it
MAKE_PARTS = [
    ('oil_5w30', "Engine oil 5W-30", 'service', 'G', '83 21', (11, 19),
        'l', (60, 200)),
    ('oil_0w20', "Engine oil 0W-20", 'service', 'G', '83 21', (13, 22),
        'l', (40, 120)),
    ('brake_fluid', "Brake fluid DOT 4", 'service', 'G', '83 13', (12, 24),
        'l', (10, 30)),
    ('coolant', "Coolant concentrate", 'service', 'G', '83 51', (9, 18),
        'l', (10, 40)),
    ('screen_wash', "Screen wash concentrate", 'service', 'G', '83 12',
        (5, 11), 'l', (10, 30)),
    ('bulb_h7', "Bulb H7 12 V 55 W", 'lighting', 'N', '63 21', (6, 14), 'u',
        (10, 30)),
    ('bulb_w5w', "Bulb W5W 12 V 5 W", 'lighting', 'N', '63 13', (1, 4), 'u',
        (20, 50)),
    ('bulb_p21w', "Bulb P21W 12 V 21 W", 'lighting', 'N', '63 21', (2, 5),
        'u', (10, 30)),
    ('wheel_bolt', "Wheel bolt M14 x 1.5 x 27 mm", 'standard', 'N', '36 13',
        (3, 7), 'u', (20, 80)),
    ('locking_bolts', "Locking wheel bolt set", 'accessories', '071',
        '36 13', (35, 70), 'u', (2, 6)),
    ('drain_plug', "Oil drain plug with seal", 'standard', 'N', '11 13',
        (4, 12), 'u', (10, 30)),
    ('drain_seal', "Seal ring, oil drain plug, 14 x 20 mm", 'standard', 'N',
        '07 11', (0.5, 2), 'u', (50, 200)),
    ('key_battery', "Key battery CR2032", 'electrics', 'N', '61 21', (3, 7),
        'u', (10, 30)),
    ('first_aid', "First-aid kit DIN 13164", 'accessories', '093', '82 11',
        (14, 29), 'u', (3, 10)),
    ('triangle', "Warning triangle", 'accessories', '093', '71 60',
        (15, 32), 'u', (2, 6)),
    ]
# The rest of a manufacturer's price file: parts of its other models and
# model years, and standard parts, which fit no vehicle of the catalog
OTHER_PARTS = [
    ("Brake disc, front, Ø {disc} mm", 'wear', '615', '34 11', (60, 190)),
    ("Brake pad set, {position}", 'wear', '698', '34 11', (45, 140)),
    ("Brake caliper, front {side}", 'repair', '615', '34 11', (180, 420)),
    ("Brake hose, {position}", 'repair', '611', '34 32', (18, 45)),
    ("Brake pad wear sensor, {position}", 'electrics', '615', '34 35',
        (9, 25)),
    ("Oil filter element", 'service', '115', '11 42', (8, 24)),
    ("Air filter element", 'service', '129', '13 71', (15, 45)),
    ("Cabin air filter", 'service', '819', '64 31', (15, 45)),
    ("Fuel filter", 'service', '127', '13 32', (22, 70)),
    ("Spark plug", 'service', '905', '12 12', (8, 22)),
    ("Ignition coil", 'electrics', '905', '12 13', (45, 110)),
    ("Glow plug", 'electrics', '963', '12 23', (18, 40)),
    ("Wiper blade set, front, {wipers} mm", 'wear', '955', '61 61',
        (30, 75)),
    ("Wiper blade, rear, {rear_wiper} mm", 'wear', '955', '61 62',
        (10, 28)),
    ("Washer pump", 'electrics', '955', '61 66', (25, 60)),
    ("Shock absorber, {position}", 'repair', '413', '31 31', (80, 260)),
    ("Coil spring, {position}", 'repair', '411', '31 33', (60, 140)),
    ("Control arm, front {side}", 'repair', '407', '31 12', (100, 290)),
    ("Tie rod end, {side}", 'repair', '423', '32 10', (30, 80)),
    ("Stabiliser link, {position}", 'repair', '411', '31 30', (22, 60)),
    ("Wheel bearing kit, {position}", 'repair', '498', '31 20', (80, 220)),
    ("Drive shaft, front {side}", 'repair', '407', '31 60', (280, 650)),
    ("CV joint boot kit", 'repair', '498', '31 60', (25, 60)),
    ("Timing belt kit", 'repair', '198', '11 31', (120, 320)),
    ("Water pump", 'repair', '121', '11 51', (90, 260)),
    ("Thermostat with housing", 'repair', '121', '11 53', (45, 130)),
    ("V-ribbed belt {belt}", 'repair', '260', '11 28', (18, 45)),
    ("Belt tensioner", 'repair', '260', '11 28', (60, 150)),
    ("Cylinder head cover gasket", 'repair', '103', '11 12', (25, 70)),
    ("Oil sump gasket", 'repair', '103', '11 13', (15, 45)),
    ("Turbocharger", 'repair', '145', '11 65', (900, 2400)),
    ("Exhaust gas temperature sensor", 'electrics', '906', '13 62',
        (60, 160)),
    ("Lambda sensor", 'electrics', '906', '11 78', (90, 230)),
    ("Alternator", 'electrics', '903', '12 31', (320, 780)),
    ("Starter motor", 'electrics', '911', '12 41', (260, 620)),
    ("12 V battery, AGM {ah} Ah", 'electrics', '915', '61 21', (170, 330)),
    ("Wheel speed sensor, {position}", 'electrics', '927', '34 52',
        (50, 140)),
    ("Parking sensor, bumper", 'electrics', '919', '66 20', (60, 160)),
    ("Window regulator, front {side}", 'body', '837', '51 33', (110, 260)),
    ("Door handle, outer", 'body', '837', '51 21', (40, 120)),
    ("Door mirror glass, {side}, heated", 'body', '857', '51 16',
        (40, 120)),
    ("Bumper cover, front, primed", 'body', '807', '51 11', (280, 650)),
    ("Radiator grille", 'body', '853', '51 13', (90, 260)),
    ("Wing, front {side}", 'body', '821', '41 00', (180, 420)),
    ("Bonnet", 'body', '823', '41 00', (350, 780)),
    ("Headlamp, {side}", 'lighting', '941', '63 11', (350, 1500)),
    ("Fog lamp, {side}", 'lighting', '941', '63 17', (60, 180)),
    ("Tail lamp, inner {side}", 'lighting', '945', '63 21', (120, 380)),
    ("Number plate lamp", 'lighting', '943', '63 26', (12, 35)),
    ("Expanding rivet", 'standard', 'N', '07 14', (0.3, 2)),
    ("Hexagon bolt M{m} x {length}", 'standard', 'N', '07 11', (0.5, 3)),
    ("Hexagon nut M{m}", 'standard', 'N', '07 12', (0.3, 2)),
    ("Self-locking nut M{m}", 'standard', 'N', '07 12', (0.8, 3)),
    ("Seal ring {seal} mm", 'standard', 'N', '07 11', (0.3, 2)),
    ("O-ring {o_ring} mm", 'standard', 'N', '07 11', (0.5, 3)),
    ("Hose clamp {clamp} mm", 'standard', 'N', '07 12', (0.8, 4)),
    ("Clip, trim panel", 'standard', 'N', '51 47', (0.5, 3)),
    ("Roof bars", 'accessories', '071', '82 71', (180, 320)),
    ("Towbar, detachable", 'accessories', '092', '71 60', (450, 950)),
    ("Boot liner", 'accessories', '061', '51 47', (45, 95)),
    ("Mud flaps, {position}", 'accessories', '075', '82 16', (30, 65)),
    ]
# Stock of the other parts by discount class
OTHER_STOCK = {
    'wear': (1, 4), 'service': (2, 8), 'repair': (1, 2), 'electrics': (1, 2),
    'lighting': (1, 2), 'body': (1, 1), 'standard': (10, 60),
    'accessories': (1, 3),
    }

# The first characters of Volkswagen numbers: of the catalog's models,
# engines and other models; and the version suffixes (no I and O)
VW_MODEL_PREFIXES = {
    "Golf": '5H0', "Polo": '2G0', "Tiguan": '5NN', "ID.4": '11A'}
VW_ENGINE_PREFIXES = {
    "1.5 eTSI": '05E', "2.0 TSI": '06K', "1.0 TSI": '04C', "2.0 TDI": '05L',
    "1.5 eTSI plug-in hybrid": '05E'}
VW_PREFIXES = ['1K0', '3C0', '5G0', '3G0', '5TA', '2K5', '7N0', '1T0', '3AA',
    '5NA', '7P6', '1S0', '2GA', '5C0', '6R0', '5Q0', '3Q0', '2Q0', '1EA']
VW_SUFFIXES = ['', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K', 'L', 'M',
    'N', 'P', 'Q', 'R', 'S', 'T', 'AA', 'AB', 'AC', 'AD']

# Supersessions of each manufacturer: chains of 1, 2 or 3 supersessions
# ending in a part of the catalog's vehicles
CHAINS = [1, 1, 1, 1, 1, 1, 1, 2, 2, 3]
# Parts more likely superseded
SUPERSEDED_FAMILIES = {
    'pads_front', 'pads_rear', 'disc_front', 'oil_filter', 'air_filter',
    'cabin_filter', 'spark_plug', 'wiper_front', 'speed_sensor',
    'parking_sensor', 'battery', 'bulb_h7'}

# Lost sales of each rooftop since the inventory, and the share of each
# reason (the rest not on hand)
LOST_SALES = {'KOE': 18, 'DUS': 15, 'BON': 12}
LOST_REASONS = [
    ('not_enough', 0.12), ('delivery_time', 0.15), ('price', 0.15),
    ('superseded', 0.1), ('other', 0.08)]
LOST_COMMENTS = {
    'not_on_hand': [None, None, "Needed today; the customer went to the "
        "independent garage next door.",
        "Not stocked: overnight delivery was too late."],
    'not_enough': [None, "Needed more than the shelf held.",
        "Fleet customer wanted stock for several cars."],
    'delivery_time': ["Back-ordered at the manufacturer: 3 weeks.",
        "Delivery on Tuesday, the customer needs it on Saturday.",
        "Manufacturer's warehouse out of stock until next month."],
    'price': ["Bought an aftermarket part online for half the price.",
        "The independent parts dealer was 25 % cheaper.",
        "Customer found our price too high; no discount possible."],
    'superseded': ["Insisted on the old number for a warranty claim.",
        "Refused the new version: different connector.",
        "Wanted the old part for a restoration."],
    'other': ["Customer ordered the wrong part for the model year.",
        "Customer changed their mind at the counter.",
        "Part needed painting first; customer went to a body shop."],
    }
# Days back the rooftops counted their opening stock
INVENTORY_DAYS = 100
# The account category of the parts
ACCOUNT_CATEGORY = "Parts"
# The counter sales of each rooftop by stage: shipped and invoiced, waiting
# to be picked, quotations
COUNTER_SALES = {'done': 8, 'confirmed': 3, 'draft': 2}
# Bins per shelf of an aisle
LEVELS = 6


def number_key(number):
    "Return the number without separators, as parts are found by it"
    return re.sub(r'[^0-9A-Z]', '', number.upper())


def plan(seed, today):
    """Return the demo parts department as a dict: the parts of each
    manufacturer by make, the stock and bins of each rooftop and the lost
    sales; the same at every run with dates relative to today"""
    return _Planner(seed, today).plan


class _Choices(dict):
    "The values of a description's placeholders, drawn when asked"

    def __init__(self, random):
        super().__init__()
        self.random = random

    def __missing__(self, name):
        return self.random.choice(CHOICES[name])


class _Planner:
    "Draw the demo parts department from seeded generators"

    def __init__(self, seed, today):
        self.seed = seed
        self.today = today
        self.keys = set()
        parts = {}
        for manufacturer in MANUFACTURERS:
            parts[manufacturer['make']] = self.catalog(manufacturer)
        self.parts = [p for ps in parts.values() for p in ps]
        stock, bins = {}, {}
        for code in ROOFTOPS:
            stock[code] = self.stock(code)
            bins[code] = self.bins(stock[code])
        self.plan = {
            'parts': parts,
            'stock': stock,
            'bins': bins,
            'lost_sales': self.lost_sales(stock),
            'counter_sales': self.counter_sales(stock),
            'transfers': self.transfers(stock),
            }

    def random(self, *keys):
        "Return a generator of its own for the keys, the same at every run"
        return random_module.Random('-'.join(
                [str(self.seed), 'parts'] + [str(k) for k in keys]))

    # --- catalog ------------------------------------------------------------

    def number(self, random, make, group, prefix=None):
        "Return a new number of the make in the group"
        while True:
            if make == 'Volkswagen':
                if group == 'N':
                    number = (f'N {random.randint(100, 911):03d} '
                        f'{random.randint(0, 999):03d} '
                        f'{random.randint(1, 4):02d}')
                elif group == 'G':
                    number = (f'G {random.randint(1, 99):03d} '
                        f'{random.randint(100, 999)} '
                        f'M{random.randint(1, 9)}')
                else:
                    number = ' '.join(filter(None, [
                                prefix or random.choice(VW_PREFIXES), group,
                                f'{random.randint(0, 999):03d}',
                                random.choice(VW_SUFFIXES[:12])]))
            elif make == 'BMW':
                number = (f'{group} {random.choice("5678")} '
                    f'{random.randint(0, 999):03d} '
                    f'{random.randint(0, 999):03d}')
            else:
                # Ford's FINIS codes
                number = (f'{random.choice("12")} '
                    f'{random.randint(0, 999):03d} '
                    f'{random.randint(0, 999):03d}')
            if self.take(make, number):
                return number

    def take(self, make, *numbers):
        "Reserve the numbers of the make if none is taken; return whether"
        keys = {(make, number_key(n)) for n in numbers}
        if len(keys) < len(numbers) or keys & self.keys:
            return False
        self.keys |= keys
        return True

    def part(self, random, manufacturer, family, description, class_,
            vw_group, bmw_group, prices, unit, stock, prefix=None):
        make = manufacturer['make']
        group = vw_group if make == 'Volkswagen' else bmw_group
        low, high = prices
        price = Decimal(str(round(random.uniform(low, high)
                    * manufacturer['price_factor'], 1))).quantize(
            Decimal('0.01'))
        return {
            'make': make,
            'number': self.number(random, make, group, prefix=prefix),
            'family': family,
            'description': description.format_map(_Choices(random)),
            'class': class_,
            'price': price,
            'unit': unit,
            'stock': stock,
            'fits': [],
            'superseded_by': None,
            'replaced_date': None,
            'sell_old_stock': None,
            }

    def catalog(self, manufacturer):
        """Return the parts of the manufacturer: those of the catalog's
        vehicles, the others of its price file and the superseded ones, in
        the order of their numbers"""
        make = manufacturer['make']
        spec, = [m for m in CATALOG if m['name'] == make]
        random = self.random('catalog', make)
        parts = []
        engines = {}
        for model in spec['models']:
            vw_prefix = VW_MODEL_PREFIXES.get(model['name'])
            for variant in model['variants']:
                name, engine, fuel_type = variant[:3]
                fit = (make, model['name'], name)
                for family, *values in VARIANT_PARTS:
                    part = self.part(random, manufacturer, family, *values,
                        prefix=vw_prefix)
                    part['fits'].append(fit)
                    parts.append(part)
                for family, *values, fuel_types in ENGINE_PARTS:
                    if fuel_type not in fuel_types:
                        continue
                    part = engines.get((family, engine))
                    if part is None:
                        part = engines[family, engine] = self.part(
                            random, manufacturer, family, *values,
                            prefix=VW_ENGINE_PREFIXES.get(engine))
                        parts.append(part)
                    part['fits'].append(fit)
            for family, *values in MODEL_PARTS:
                part = self.part(random, manufacturer, family, *values,
                    prefix=vw_prefix)
                part['fits'].append((make, model['name'], None))
                parts.append(part)
        for family, *values in MAKE_PARTS:
            part = self.part(random, manufacturer, family, *values)
            part['fits'].append((make, None, None))
            parts.append(part)

        old = self.supersede(random, manufacturer, parts)
        others = manufacturer['parts'] - len(parts) - len(old)
        for i in range(others):
            description, class_, vw_group, bmw_group, prices = (
                random.choice(OTHER_PARTS))
            parts.append(self.part(random, manufacturer, None, description,
                    class_, vw_group, bmw_group, prices, 'u',
                    OTHER_STOCK[class_]))
        parts.extend(old)
        return sorted(parts, key=lambda p: number_key(p['number']))

    def supersede(self, random, manufacturer, parts):
        """Return the superseded parts of the manufacturer: chains of older
        numbers of parts of the catalog's vehicles; a Volkswagen number is
        superseded by its next version"""
        make = manufacturer['make']
        candidates = [p for p in parts if p['family'] in SUPERSEDED_FAMILIES
            and p['number'][0] not in 'NG']
        old = []
        for length in CHAINS:
            newest = random.choice(candidates)
            candidates.remove(newest)
            if make == 'Volkswagen':
                numbers = self.versions(random, newest['number'], length)
                newest['number'] = numbers[-1]
            else:
                group = ' '.join(newest['number'].split()[:2])
                numbers = [self.number(random, make, group)
                    for i in range(length)] + [newest['number']]
            # the supersessions' dates, the latest last
            days = sorted(random.sample(range(20, 900), length), reverse=True)
            successor = newest
            for i in range(length - 1, -1, -1):
                part = dict(successor, number=numbers[i],
                    fits=list(successor['fits']),
                    price=(successor['price'] * Decimal(
                            str(random.uniform(0.85, 0.97)))).quantize(
                        Decimal('0.01')),
                    superseded_by=successor['number'],
                    replaced_date=self.today - dt.timedelta(days=days[i]),
                    sell_old_stock=random.random() < 0.6)
                old.append(part)
                successor = part
        return old

    def versions(self, random, number, length):
        """Return length older versions of the Volkswagen number, oldest
        first, and the number, renamed to a version that leaves room for
        them"""
        base, _, suffix = number.rpartition(' ')
        if suffix not in VW_SUFFIXES:
            base = number
        self.keys.discard(('Volkswagen', number_key(number)))
        while True:
            index = random.randint(length, length + 8)
            numbers = [' '.join(filter(None, [base, VW_SUFFIXES[i]]))
                for i in range(index - length, index + 1)]
            if self.take('Volkswagen', *numbers):
                return numbers

    # --- stock --------------------------------------------------------------

    def stock(self, code):
        """Return the quantities the rooftop counted by (make, number) in
        the order of the catalog"""
        random = self.random('stock', code)
        stock = {}
        for part in self.parts:
            if part['superseded_by'] and not part['sell_old_stock']:
                continue
            if part['superseded_by']:
                share = 0.5
            elif part['fits'] and part['class'] in {'wear', 'service'}:
                share = 0.8
            elif part['fits']:
                share = 0.45
            else:
                share = 0.06
            if random.random() < share:
                low, high = part['stock']
                stock[part['make'], part['number']] = random.randint(
                    low, high)
        return stock

    def bins(self, stock):
        """Return the bin of each part in stock: its discount class's aisle,
        then shelves of LEVELS levels in the order of the numbers"""
        by_aisle = defaultdict(list)
        parts = {(p['make'], p['number']): p for p in self.parts}
        for part_key in stock:
            aisle = DISCOUNT_CLASSES[parts[part_key]['class']][4]
            by_aisle[aisle].append(part_key)
        bins = {}
        for aisle, keys in by_aisle.items():
            keys.sort(key=lambda k: (k[0], number_key(k[1])))
            for i, part_key in enumerate(keys):
                bins[part_key] = (
                    f'{aisle}-{i // LEVELS + 1:02d}-{i % LEVELS + 1:02d}')
        return bins

    # --- lost sales ---------------------------------------------------------

    def lost_sales(self, stock):
        """Return the lost sales of the rooftops: (rooftop code, days ago,
        hour, minute, (make, number), quantity, reason, customer number or
        None, comment), the latest first"""
        sales = []
        fitting = [p for p in self.parts if p['fits']]
        superseded = [p for p in self.parts
            if p['superseded_by'] and not p['sell_old_stock']]
        for code, count in LOST_SALES.items():
            random = self.random('lost_sales', code)
            reasons = [r for r, share in LOST_REASONS
                for i in range(round(count * share))]
            reasons += ['not_on_hand'] * (count - len(reasons))
            random.shuffle(reasons)
            for reason in reasons:
                while True:
                    days = random.randint(1, INVENTORY_DAYS - 10)
                    if (self.today - dt.timedelta(days=days)).weekday() < 6:
                        break
                on_hand = [p for p in fitting
                    if (p['make'], p['number']) in stock[code]]
                if reason == 'superseded':
                    part = random.choice(superseded)
                elif reason == 'not_enough':
                    part = random.choice(on_hand)
                elif reason in {'not_on_hand', 'delivery_time'}:
                    part = random.choice([
                            p for p in (fitting if random.random() < 0.7
                                else self.parts)
                            if (p['make'], p['number']) not in stock[code]
                            and not p['superseded_by']])
                else:
                    part = random.choice(fitting)
                part_key = part['make'], part['number']
                quantity = {'disc_front': 2, 'disc_rear': 2, 'spark_plug': 4,
                    'glow_plug': 4}.get(part['family'], 1)
                if part['unit'] == 'l':
                    quantity = random.choice([1, 5, 5, 6])
                elif part['class'] == 'standard':
                    quantity = random.choice([2, 4, 5, 10])
                if reason == 'not_enough':
                    quantity = stock[code][part_key] + random.randint(1, 4)
                customer = None
                if random.random() < 0.55:
                    customer = random.randint(0, 99)
                comment = random.choice(LOST_COMMENTS[reason])
                sales.append((code, days, random.randint(8, 17),
                        random.choice([0, 5, 10, 20, 25, 35, 40, 50, 55]),
                        part_key, quantity, reason, customer, comment))
        return sorted(sales, key=lambda s: (s[1], -s[2], -s[3]))

    # --- counter sales and group transfers ---------------------------------

    def counter_sales(self, stock):
        """Return the counter sales of the rooftops: (rooftop code,
        customer number, stage, [((make, number), quantity)]) where stage is
        'draft' (a quotation the customer thinks over), 'confirmed' (waiting
        to be picked) or 'done' (shipped and invoiced); quantities stay
        within the stock on hand"""
        sales = []
        for code in ROOFTOPS:
            random = self.random('counter_sales', code)
            left = dict(stock[code])
            stages = (['done'] * COUNTER_SALES['done']
                + ['confirmed'] * COUNTER_SALES['confirmed']
                + ['draft'] * COUNTER_SALES['draft'])
            for stage in stages:
                lines = []
                for part_key in random.sample(
                        sorted(k for k, q in left.items() if q >= 2),
                        random.randint(1, 3)):
                    quantity = random.randint(1, min(left[part_key] // 2, 4))
                    left[part_key] -= quantity
                    lines.append((part_key, quantity))
                sales.append((code, random.randint(0, 99), stage, lines))
        return sales

    def transfers(self, stock):
        """Return the group transfers: (buying rooftop, selling rooftop,
        [((make, number), quantity)]) of parts the seller has and the buyer
        has not"""
        random = self.random('transfers')
        transfers = []
        for buyer, seller in zip(ROOFTOPS, ROOFTOPS[1:] + ROOFTOPS[:1]):
            missing = sorted(k for k, q in stock[seller].items()
                if q >= 4 and k not in stock[buyer])
            lines = [(k, random.randint(1, 2))
                for k in random.sample(missing, 2)]
            transfers.append((buyer, seller, lines))
        return transfers


# --- price files -------------------------------------------------------------

def price_file(manufacturer, parts):
    "Return the bytes of the manufacturer's price file of the parts"
    columns = manufacturer['columns']
    output = io.StringIO(newline='')
    writer = csv.writer(output, delimiter=manufacturer['delimiter'],
        lineterminator='\r\n' if manufacturer['encoding'] == 'cp1252'
        else '\n')
    writer.writerow([c for c in columns if c])
    for part in parts:
        price = f"{part['price']:,.2f}"
        if manufacturer['decimal_separator'] == ',':
            price = price.replace(',', ' ').replace('.', ',').replace(
                ' ', '.')
        else:
            price = price.replace(',', '')
        group = DISCOUNT_CLASSES[part['class']][0][
            MANUFACTURERS.index(manufacturer)]
        values = [part['number'], part['description'], price,
            manufacturer['currency'], part['superseded_by'] or '', group,
            manufacturer['units'][part['unit']]]
        writer.writerow([v for c, v in zip(columns, values) if c])
    return output.getvalue().encode(manufacturer['encoding'])


def sample_file(seed):
    """Return the bytes of the sample price file: the Volkswagen parts of
    the catalog's vehicles, the superseded ones and others up to
    SAMPLE_ROWS, in the default layout"""
    manufacturer = MANUFACTURERS[0]
    parts = plan(seed, dt.date.today())['parts'][manufacturer['make']]
    chosen = [p for p in parts if p['fits'] or p['superseded_by']]
    others = [p for p in parts if not (p['fits'] or p['superseded_by'])]
    random = random_module.Random(f'{seed}-parts-sample')
    chosen += random.sample(others, max(SAMPLE_ROWS - len(chosen), 0))
    return price_file(manufacturer,
        sorted(chosen, key=lambda p: number_key(p['number'])))


# --- loading -----------------------------------------------------------------

def load(config, seed, companies, warehouses, customers, staff, timezone):
    """Bring the database to the plan; return the counts of its parts,
    supersessions, fitted parts, stocked parts and lost sales.

    companies and warehouses by rooftop code; customers as (party, town,
    nearest rooftop code, is a person); staff as group_data.STAFF."""
    from zoneinfo import ZoneInfo
    start = time.monotonic()
    zone = ZoneInfo(timezone)
    loader = _Loader(config, seed, companies, warehouses, customers, staff,
        zone, dt.datetime.now(zone).date())
    loader.load()
    counts = loader.counts()
    print(f"Parts: {counts['parts']} ({counts['superseded']} superseded, "
        f"{counts['fitted']} fitting the catalog, "
        + ', '.join(f"{counts['stock', c]} in stock at {c}"
            for c in ROOFTOPS)
        + f", {counts['lost_sales']} lost sales) "
        f"in {time.monotonic() - start:.1f} s", flush=True)
    return counts


class _Loader:
    "Bring a database to the plan through the price file import and stock"

    def __init__(self, config, seed, companies, warehouses, customers, staff,
            zone, today):
        self.config = config
        self.seed = seed
        self.companies = companies
        self.warehouses = warehouses
        self.zone = zone
        self.today = today
        self.plan = plan(seed, today)
        self.customers = defaultdict(list)
        for party, town, code, person in sorted(
                customers, key=lambda c: c[0].name):
            self.customers[code].append(party)
        self.staff = staff

    def load(self):
        self.load_manufacturers()
        self.load_profiles()
        self.import_price_files()
        self.load_discount_groups()
        self.load_fitments()
        self.load_stock()
        self.load_bins()
        self.load_lost_sales()
        self.load_counter_sales()
        self.load_transfers()

    def create(self, model, values):
        """Create records from values with one call: proteus instances
        would each ask the server for their defaults and on_change values"""
        from proteus import Model
        if not values:
            return []
        return Model.get(model)._proxy.create(values, self.config.context)

    def search_read(self, model, domain, fields):
        from proteus import Model
        return Model.get(model)._proxy.search_read(
            domain, 0, None, None, fields, self.config.context)

    # --- catalog ------------------------------------------------------------

    def load_manufacturers(self):
        from proteus import Model
        Party = Model.get('party.party')
        names = [m['party'] for m in MANUFACTURERS]
        parties = {p.name: p for p in Party.find([('name', 'in', names)])}
        new = [Party(name=n) for n in names if n not in parties]
        if new:
            Party.save(new)
            parties.update({p.name: p for p in new})
        self.manufacturers = {
            m['make']: parties[m['party']] for m in MANUFACTURERS}

    def load_account_category(self):
        """Return the parts' account category, which books their sales and
        purchases on each rooftop's revenue and expense accounts"""
        from proteus import Model
        Category = Model.get('product.category')
        Account = Model.get('account.account')
        categories = Category.find([
                ('name', '=', ACCOUNT_CATEGORY), ('accounting', '=', True)])
        if categories:
            category, = categories
        else:
            category = Category(name=ACCOUNT_CATEGORY, accounting=True)
            category.save()
        for company in self.companies.values():
            with self.config.set_context(company=company.id):
                category = Category(category.id)
                if category.account_revenue and category.account_expense:
                    continue
                for name, type_ in [('account_revenue', 'type.revenue'),
                        ('account_expense', 'type.expense')]:
                    account, = Account.find([
                            ('company', '=', company.id),
                            (type_, '=', True),
                            ('closed', '!=', True),
                            ], order=[('code', 'ASC')], limit=1)
                    setattr(category, name, account)
                category.save()
        return category

    def load_profiles(self):
        "Create the price file profile of each manufacturer"
        from proteus import Model
        Profile = Model.get('dms.part.import.profile')
        category = self.load_account_category()
        profiles = {p.name: p for p in Profile.find([
                    ('name', 'in', [m['profile'] for m in MANUFACTURERS]),
                    ])}
        new = []
        for manufacturer in MANUFACTURERS:
            if manufacturer['profile'] in profiles:
                continue
            profile = Profile(name=manufacturer['profile'],
                account_category=category,
                manufacturer=self.manufacturers[manufacturer['make']],
                encoding=manufacturer['encoding'],
                delimiter=manufacturer['delimiter'],
                decimal_separator=manufacturer['decimal_separator'])
            for name, column in zip(
                    PROFILE_COLUMNS, manufacturer['columns']):
                setattr(profile, f'{name}_column', column)
            new.append(profile)
        Profile.save(new)
        profiles.update({p.name: p for p in new})
        self.profiles = {
            m['make']: profiles[m['profile']] for m in MANUFACTURERS}

    def import_price_files(self):
        """Import each manufacturer's price file for each rooftop, the
        sample file first; then date the supersessions the files created"""
        with open(SAMPLE_FILE, 'rb') as file:
            sample = file.read()
        done = {(r['profile'], r['company'], r['filename'])
            for r in self.search_read('dms.part.price_file', [
                    ('profile', 'in', [p.id for p in
                            self.profiles.values()]),
                    ], ['profile', 'company', 'filename'])}
        first = MANUFACTURERS[0]['make']
        files = [(first, ROOFTOPS[0], os.path.basename(SAMPLE_FILE), sample)]
        for manufacturer in MANUFACTURERS:
            data = price_file(
                manufacturer, self.plan['parts'][manufacturer['make']])
            files.extend((manufacturer['make'], code, manufacturer['filename'],
                    data) for code in ROOFTOPS)
        self.created = set()
        for make, code, filename, data in files:
            profile, company = self.profiles[make], self.companies[code]
            if (profile.id, company.id, filename) in done:
                continue
            if self.import_file(profile, company, filename, data):
                self.created.add(make)
        self.parts = {}
        for template in self.search_read('product.template', [
                    ('part_manufacturer', 'in',
                        [p.id for p in self.manufacturers.values()]),
                    ], ['part_number_key', 'part_manufacturer', 'products']):
            self.parts[template['part_manufacturer'],
                template['part_number_key']] = (
                template['id'], template['products'][0])
        self.date_supersessions()

    def import_file(self, profile, company, filename, data):
        """Import the file for the company as the import wizard does and
        return the number of parts it created; refuse a file with a bad
        row"""
        from proteus import Model
        Profile = Model.get('dms.part.import.profile')
        with self.config.set_context(company=company.id):
            result = Profile.import_file([profile.id], company.id, data,
                filename, False, self.config.context)
        if not result['imported'] or result['refused']:
            raise AssertionError(
                f"Price file {filename} refused for {company.rec_name}:\n"
                f"{result['report']}")
        return result['created']

    def part(self, make, number):
        "Return the (template id, product id) of the part of the make"
        from trytond.modules.dms_parts.product import normalize_number
        return self.parts[
            self.manufacturers[make].id, normalize_number(number)]

    def date_supersessions(self):
        """Set when the manufacturer superseded the parts the price files
        of this run superseded, and whether their stock may be sold"""
        from proteus import Model
        Product = Model.get('product.product')
        values = defaultdict(list)
        for make in self.created:
            for part in self.plan['parts'][make]:
                if not part['superseded_by']:
                    continue
                values[part['replaced_date'], part['sell_old_stock']].append(
                    self.part(make, part['number'])[1])
        for (date, sell_old_stock), ids in sorted(values.items()):
            Product._proxy.write(ids, {
                    'replaced_date': date,
                    'sell_old_stock': sell_old_stock,
                    }, self.config.context)

    def load_discount_groups(self):
        "Name the discount groups the price files created, with discounts"
        from proteus import Model
        Group = Model.get('dms.part.discount_group')
        classes = {}
        for codes, name, purchase, sale, _ in DISCOUNT_CLASSES.values():
            for manufacturer, code in zip(MANUFACTURERS, codes):
                party = self.manufacturers[manufacturer['make']]
                classes[party.id, code] = (
                    name, Decimal(purchase), Decimal(sale))
        groups = Group.find([
                ('manufacturer', 'in',
                    [p.id for p in self.manufacturers.values()]),
                ('name', '=', None),
                ])
        for group in groups:
            name, purchase, sale = classes[group.manufacturer.id, group.code]
            group.name = name
            group.purchase_discount = purchase
            group.sale_discount = sale
        Group.save(groups)

    def load_fitments(self):
        """Record the makes, models and variants of the catalog the parts
        fit"""
        catalog = {}
        for variant in self.search_read('dms.vehicle.variant', [
                    ('model.make.name', 'in', [m['name'] for m in CATALOG]),
                    ], ['name', 'model', 'model.name', 'model.make',
                    'model.make.name']):
            model, make = variant['model.'], variant['model.']['make.']
            catalog[make['name'], model['name'], variant['name']] = (
                make['id'], model['id'], variant['id'])
            catalog[make['name'], model['name'], None] = (
                make['id'], model['id'], None)
            catalog[make['name'], None, None] = (make['id'], None, None)
        templates = [i for i, _ in self.parts.values()]
        existing = {
            (r['template'], r['make'], r['model'], r['variant'])
            for r in self.search_read('dms.part.fitment', [
                    ('template', 'in', templates),
                    ], ['template', 'make', 'model', 'variant'])}
        values = []
        for make, parts in self.plan['parts'].items():
            for part in parts:
                template, _ = self.part(make, part['number'])
                for fit in part['fits']:
                    make_id, model_id, variant_id = catalog[fit]
                    if (template, make_id, model_id, variant_id) in existing:
                        continue
                    values.append({'template': template, 'make': make_id,
                            'model': model_id, 'variant': variant_id})
        self.create('dms.part.fitment', values)

    # --- stock --------------------------------------------------------------

    def load_stock(self):
        """Count each rooftop's opening stock with an inventory of its
        storage zone, confirmed"""
        from proteus import Model
        Inventory = Model.get('stock.inventory')
        date = self.today - dt.timedelta(days=INVENTORY_DAYS)
        # the counter picks from the warehouse's picking zone when it has one
        locations = {
            code: (w.picking_location or w.storage_location).id
            for code, w in self.warehouses.items()}
        counted = {r['location'] for r in self.search_read('stock.inventory', [
                    ('location', 'in', list(locations.values())),
                    ('state', '=', 'done'),
                    ], ['location'])}
        for code in ROOFTOPS:
            if locations[code] in counted:
                continue
            company = self.companies[code]
            lines = [{'product': self.part(make, number)[1],
                    'quantity': quantity}
                for (make, number), quantity in
                self.plan['stock'][code].items()]
            with self.config.set_context(company=company.id):
                inventory, = self.create('stock.inventory', [{
                            'company': company.id,
                            'location': locations[code],
                            'date': date,
                            'lines': [('create', lines)],
                            }])
                Inventory.click([Inventory(inventory)], 'confirm')

    def load_bins(self):
        "Give each part in stock its bin in the rooftop's warehouse"
        existing = {(r['warehouse'], r['template'])
            for r in self.search_read('dms.part.bin', [
                    ('warehouse', 'in',
                        [w.id for w in self.warehouses.values()]),
                    ], ['warehouse', 'template'])}
        values = []
        for code in ROOFTOPS:
            warehouse = self.warehouses[code]
            for (make, number), bin_ in self.plan['bins'][code].items():
                template, _ = self.part(make, number)
                if (warehouse.id, template) in existing:
                    continue
                values.append({'company': self.companies[code].id,
                        'warehouse': warehouse.id, 'template': template,
                        'code': bin_})
        self.create('dms.part.bin', values)

    def load_lost_sales(self):
        "Record the sales the rooftops' counters lost"
        from proteus import Model
        Employee = Model.get('company.employee')
        if self.search_read('dms.part.lost_sale', [
                    ('company', 'in',
                        [c.id for c in self.companies.values()]),
                    ], ['id']):
            return
        employees = {}
        for login, first, last, role, code, _ in self.staff:
            if role == 'parts':
                employee, = Employee.find([
                        ('company', '=', self.companies[code].id),
                        ('party.name', '=', f'{first} {last}'),
                        ])
                employees[code] = employee.id
        values = []
        for (code, days, hour, minute, (make, number), quantity, reason,
                customer, comment) in self.plan['lost_sales']:
            local = dt.datetime.combine(
                self.today - dt.timedelta(days=days), dt.time(hour, minute),
                tzinfo=self.zone)
            customers = self.customers[code]
            values.append({
                    'company': self.companies[code].id,
                    'warehouse': self.warehouses[code].id,
                    'date': local.astimezone(dt.timezone.utc).replace(
                        tzinfo=None),
                    'product': self.part(make, number)[1],
                    'quantity': quantity,
                    'reason': reason,
                    'customer': (customers[customer % len(customers)].id
                        if customer is not None and customers else None),
                    'employee': employees[code],
                    'comment': comment,
                    })
        self.create('dms.part.lost_sale', values)

    def load_counter_sales(self):
        """Sell parts over each rooftop's counter: quotations, sales
        waiting to be picked, and sales shipped and invoiced"""
        from proteus import Model
        Sale = Model.get('sale.sale')
        Invoice = Model.get('account.invoice')
        Shipment = Model.get('stock.shipment.out')
        if self.search_read('sale.sale', [
                    ('company', 'in',
                        [c.id for c in self.companies.values()]),
                    ('lines.product.template.part', '=', True),
                    ('part_transfer', '=', None),
                    ], ['id']):
            return
        for code in ROOFTOPS:
            company = self.companies[code]
            customers = self.customers[code]
            with self.config.set_context(company=company.id):
                sales = []
                for sale_code, customer, stage, lines in (
                        self.plan['counter_sales']):
                    if sale_code != code:
                        continue
                    sale = Sale(party=customers[customer % len(customers)],
                        warehouse=self.warehouses[code],
                        description="Counter sale")
                    for part_key, quantity in lines:
                        line = sale.lines.new()
                        line.product = Model.get('product.product')(
                            self.part(*part_key)[1])
                        line.quantity = quantity
                    sales.append((sale, stage))
                Sale.save([s for s, _ in sales])
                to_quote = [s for s, stage in sales if stage != 'draft']
                Sale.click(to_quote, 'quote')
                Sale.click(to_quote, 'confirm')
                done = [s for s, stage in sales if stage == 'done']
                shipments = [sh for s in done for sh in Sale(s.id).shipments]
                if shipments:
                    Shipment.click(shipments, 'assign_try')
                    Shipment.click(shipments, 'pick')
                    Shipment.click(shipments, 'pack')
                    Shipment.click(shipments, 'do')
                invoices = [i for s in done for i in Sale(s.id).invoices
                    if i.state == 'draft']
                if invoices:
                    Invoice.click(invoices, 'post')

    def load_transfers(self):
        """Ask one rooftop for parts another lacks, as its parts staff
        would from the group availability"""
        from proteus import Model
        Transfer = Model.get('dms.part.transfer')
        if self.search_read('dms.part.transfer', [], ['id']):
            return
        for buyer, seller, lines in self.plan['transfers']:
            with self.config.set_context(company=self.companies[buyer].id):
                transfer = Transfer(
                    company=self.companies[buyer],
                    warehouse=self.warehouses[buyer],
                    supplier_company=self.companies[seller],
                    supplier_warehouse=self.warehouses[seller])
                for part_key, quantity in lines:
                    line = transfer.lines.new()
                    line.product = Model.get('product.product')(
                        self.part(*part_key)[1])
                    line.quantity = quantity
                transfer.save()
                transfer.click('request')

    # --- summary ------------------------------------------------------------

    def counts(self):
        manufacturers = [p.id for p in self.manufacturers.values()]
        counts = Counter()
        counts['parts'] = len(self.search_read('product.template', [
                    ('part_manufacturer', 'in', manufacturers),
                    ], ['id']))
        counts['superseded'] = len(self.search_read('product.product', [
                    ('template.part_manufacturer', 'in', manufacturers),
                    ('replaced_by', '!=', None),
                    ], ['id']))
        counts['fitted'] = len({r['template'] for r in self.search_read(
                    'dms.part.fitment', [
                        ('template.part_manufacturer', 'in', manufacturers),
                        ], ['template'])})
        for code, warehouse in self.warehouses.items():
            counts['stock', code] = len(self.search_read(
                    'stock.inventory.line', [
                        ('inventory.location', '=',
                            (warehouse.picking_location
                                or warehouse.storage_location).id),
                        ('inventory.state', '=', 'done'),
                        ('product.template.part_manufacturer', 'in',
                            manufacturers),
                        ('quantity', '>', 0),
                        ], ['id']))
        counts['lost_sales'] = len(self.search_read('dms.part.lost_sale', [
                    ('company', 'in',
                        [c.id for c in self.companies.values()]),
                    ], ['id']))
        return counts


if __name__ == '__main__':
    from demo import SEED
    with open(SAMPLE_FILE, 'wb') as file:
        file.write(sample_file(SEED))
    print(f"Wrote {SAMPLE_FILE}")
