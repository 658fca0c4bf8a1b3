#!/usr/bin/env python3
# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Import a manufacturer's parts price file into a rooftop, as the wizard
"Import Price File" of the Parts menu does.

    .venv/bin/python scripts/import_parts.py --config config/trytond.conf \\
        --database dms --company "Autohaus Rheinblick Köln GmbH" \\
        --manufacturer "Volkswagen AG" scripts/demo_data/parts_price_file.csv

The file is read with the manufacturer's import profile (--profile names
one when the manufacturer has several).  The whole file is checked first: a
bad row refuses it and nothing is written, unless --good-rows imports the
good rows and keeps the report of the bad ones.  The summary goes to
standard output, the bad rows to standard error.

Exit status: 0 when the file is imported, 1 when it is refused, 2 when the
command line names something that does not exist.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from demo import connect, load_configuration  # noqa: E402


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Import a manufacturer's parts price file")
    parser.add_argument('--config', action='append', default=[],
        help="a trytond configuration file (repeatable)")
    parser.add_argument('--database', required=True)
    parser.add_argument('--company', required=True,
        help="the name of the rooftop whose list prices are set")
    parser.add_argument('--manufacturer', required=True,
        help="the name of the manufacturer's party")
    parser.add_argument('--profile',
        help="the name of the import profile, when the manufacturer has "
        "several")
    parser.add_argument('--good-rows', action='store_true',
        help="import the good rows of a file with bad rows")
    parser.add_argument('file')
    return parser.parse_args(argv)


def find_one(Model, domain, what, name):
    records = Model.find(domain)
    if len(records) != 1:
        sys.exit(
            f"{len(records) or 'No'} {what} named {name!r}"
            + (" (give a more precise name)" if records else ""))
    return records[0]


def main(argv=None, config=None):
    args = parse_args(argv)
    try:
        with open(args.file, 'rb') as file:
            data = file.read()
    except OSError as exception:
        print(exception, file=sys.stderr)
        return 2
    if config is None:
        load_configuration(args.config)
        config = connect(args.database)
    from proteus import Model
    from trytond.exceptions import UserError
    Company = Model.get('company.company')
    Party = Model.get('party.party')
    Profile = Model.get('dms.part.import.profile')
    try:
        company = find_one(Company, [('party.name', '=', args.company)],
            "company", args.company)
        manufacturer = find_one(Party, [('name', '=', args.manufacturer)],
            "manufacturer", args.manufacturer)
        domain = [('manufacturer', '=', manufacturer.id)]
        if args.profile:
            domain.append(('name', '=', args.profile))
        profile = find_one(Profile, domain, "import profile",
            args.profile or args.manufacturer)
    except SystemExit as exit:
        print(exit.code, file=sys.stderr)
        return 2
    context = dict(config.context, company=company.id)
    try:
        result = Profile.import_file([profile.id], company.id, data,
            os.path.basename(args.file), args.good_rows, context)
    except UserError as error:
        print(error.message, file=sys.stderr)
        return 1
    for key in ['created', 'updated', 'unchanged', 'superseded', 'refused']:
        print(f"{key}: {result[key]}")
    if result['report']:
        print(result['report'], file=sys.stderr)
    if not result['imported']:
        print("The file is refused: nothing was imported.", file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
