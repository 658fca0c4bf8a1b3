# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The demo customers and the kinds of documents they hold.

Names and addresses are invented; mobile numbers come from small fixed
blocks that phonenumbers accepts as German mobile numbers; e-mail
addresses use the domains reserved for examples."""

# Private customers: (first name, last name, has e-mail)
PERSONS = [
    ("Lukas", "Müller", True),
    ("Sophie", "Schmidt", True),
    ("Maximilian", "Schneider", True),
    ("Marie", "Fischer", False),
    ("Felix", "Weber", True),
    ("Emma", "Meyer", True),
    ("Paul", "Wagner", True),
    ("Hannah", "Becker", False),
    ("Leon", "Schulz", True),
    ("Mia", "Hoffmann", True),
    ("Elias", "Koch", True),
    ("Lea", "Bauer", True),
    ("Jonas", "Richter", False),
    ("Laura", "Klein", True),
    ("Noah", "Wolf", True),
    ("Lina", "Schröder", True),
    ("Ben", "Neumann", True),
    ("Clara", "Schwarz", False),
    ("Finn", "Zimmermann", True),
    ("Ida", "Braun", True),
    ("Karl-Heinz", "Hofmann", True),
    ("Ursula", "Hartmann", False),
    ("Wolfgang", "Lange", True),
    ("Renate", "Schmitt", True),
    ("Jürgen", "Werner", True),
    ("Gisela", "Krause", True),
    ("Dieter", "Meier", False),
    ("Monika", "Lehmann", True),
    ("Ahmet", "Demir", True),
    ("Elif", "Kaya", True),
    ("Piotr", "Nowak", True),
    ("Katarzyna", "Kowalski", False),
    ("Giuseppe", "Romano", True),
    ("Anastasia", "Iwanowa", True),
    ("Björn", "Engels", True),
    ("Friederike", "von Bülow", True),
    ]

# Business customers (fleets): (name, e-mail local part or None)
BUSINESSES = [
    ("Pflegedienst Sonnenschein GmbH", 'fuhrpark.sonnenschein'),
    ("Elektro Kurth GmbH & Co. KG", 'buero.kurth'),
    ("Rheinufer Catering UG", None),
    ("Kanzlei Dr. Albers & Partner", 'kanzlei.albers'),
    ]

EMAIL_DOMAINS = ['example.com', 'example.org']

# Addresses in the region of the rooftops: (street, postal code, city,
# rooftop code of the nearest rooftop)
STREETS = [
    ("Subbelrather Straße", "50823", "Köln", 'KOE'),
    ("Venloer Straße", "50672", "Köln", 'KOE'),
    ("Zülpicher Straße", "50674", "Köln", 'KOE'),
    ("Neusser Straße", "50670", "Köln", 'KOE'),
    ("Bonner Straße", "50677", "Köln", 'KOE'),
    ("Dürener Straße", "50931", "Köln", 'KOE'),
    ("Frankfurter Straße", "51065", "Köln", 'KOE'),
    ("Hauptstraße", "50996", "Köln", 'KOE'),
    ("Kölner Straße", "50226", "Frechen", 'KOE'),
    ("Friedrich-Ebert-Straße", "51373", "Leverkusen", 'KOE'),
    ("Kölner Landstraße", "40591", "Düsseldorf", 'DUS'),
    ("Nordstraße", "40477", "Düsseldorf", 'DUS'),
    ("Bilker Allee", "40219", "Düsseldorf", 'DUS'),
    ("Luegallee", "40545", "Düsseldorf", 'DUS'),
    ("Ackerstraße", "40233", "Düsseldorf", 'DUS'),
    ("Düsseldorfer Straße", "40878", "Ratingen", 'DUS'),
    ("Krefelder Straße", "41460", "Neuss", 'DUS'),
    ("Endenicher Allee", "53115", "Bonn", 'BON'),
    ("Kölnstraße", "53111", "Bonn", 'BON'),
    ("Reuterstraße", "53113", "Bonn", 'BON'),
    ("Königswinterer Straße", "53227", "Bonn", 'BON'),
    ("Bahnhofstraße", "53721", "Siegburg", 'BON'),
    ("Hauptstraße", "53604", "Bad Honnef", 'BON'),
    ]

# Blocks of mobile numbers: (prefix, first, last) of the subscriber part
MOBILE_BLOCKS = [
    ('+49 171 39200', 0, 99),
    ('+49 172 99259', 4, 99),
    ('+49 176 040690', 0, 99),
    ]

# The town halls that issue licences, ID cards and registrations, by town
# ("Stadt <town>" for the others)
AUTHORITIES = {
    'Düsseldorf': "Landeshauptstadt Düsseldorf",
    'Bonn': "Bundesstadt Bonn",
    'Siegburg': "Kreisstadt Siegburg",
    }

INSURERS = [
    "Rheinische Kraftfahrt-Versicherung AG",
    "Domstadt Assekuranz VVaG",
    "Niederrhein Autoversicherung AG",
    ]
INSPECTORS = ["TÜV Rheinland", "DEKRA", "GTÜ"]
WARRANTY_ISSUER = "Rheinblick Anschlussgarantie"
BANKS = ["Rheinische Autobank AG", "Kreditbank Siebengebirge eG"]

# Document types: (type, share of customers holding one, years of
# validity or None for documents that do not expire)
DOCUMENT_TYPES = [
    ('driving_licence', 0.9, 15),
    ('id_card', 0.5, 10),
    ('insurance', 0.6, 1),
    ('periodic_inspection', 0.5, 2),
    ('registration_certificate', 0.25, None),
    ('warranty', 0.2, 2),
    ('finance_contract', 0.15, 4),
    ]
