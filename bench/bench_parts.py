#!/usr/bin/env python3
# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of dms_parts: the manufacturer's price file import.

A price file of ROWS parts of one manufacturer, as the import profile reads
it by default (UTF-8, `;`, header
part_number;description;list_price;currency;superseded_by;discount_group;
unit), generated in memory and the same on every run: numbers written with
spaces as the makers print them ("1K0 615 301 AA"), all different,
descriptions in English and German, list prices with two decimals, some in
the company's currency written out (EUR), the others empty, 1 % of the
parts superseded by a part further down the file that is not superseded
itself (so no chain and no cycle), DISCOUNT_GROUPS discount group codes and
the unit empty or "u".

1. First import: `dms.part.import.profile.import_file` of the file into a
   database with no parts, as the Import Price File wizard does it, in one
   transaction whose commit is part of the timing; every part created.
2. Re-import: the same file with the list price of 10 % of the parts
   changed, into the database the first import left; those parts and only
   those updated, none created, nothing superseded again.
3. Peak memory: ru_maxrss of the process that ran both imports
   (resource.getrusage), which includes loading the pool, restoring the
   database and the bytes of the file; the benchmark writes the file row
   by row and keeps only its first rows to check them, so that its own
   memory adds little to the import's.  The figures before the first
   import and after it come with it.

Generating a file, the checks of the summaries and of the database are not
timed.  Both imports run in one child process (`bench_parts.py child TASK
OUTPUT`) per backend, as in bench_vehicle.py: SQLite (a temporary file
database) and, when TRYTOND_DATABASE_URI is a postgresql:// URI (`make
bench` starts a throwaway cluster through scripts/pg-test-cluster.sh),
PostgreSQL.  The databases have only dms_parts (and its dependencies)
activated, through trytond.tests.test_tryton.activate_module with DB_CACHE:
on SQLite the folder in BENCH_SQLITE_DB_CACHE (`make bench` gives the test
suite's cache, keyed on the code) or a temporary one, on PostgreSQL
template databases ("postgresql://") dropped at the end.
"""
import io
import random
import resource
import sys
import time
from decimal import Decimal

from bench_vehicle import _child, _write, drop_databases, run_backends

ROWS = 200_000
# 1 % of the parts superseded, 10 % of the prices changed on re-import
SUPERSEDED_EVERY = 100
CHANGED_EVERY = 10
DISCOUNT_GROUPS = 50
FILENAME = 'vw-parts-2026-01.csv'
MANUFACTURER = "Volkswagen AG"

TARGET_FIRST_S = 30
TARGET_REIMPORT_S = 30
TARGET_MEMORY_MB = 500

DATABASE = 'bench_parts_import'

HEADER = [
    'part_number', 'description', 'list_price', 'currency', 'superseded_by',
    'discount_group', 'unit']
# The first group of the numbers: the model or platform of the part
PREFIXES = [
    '1K0', '1K1', '1K5', '1K8', '1T0', '3C0', '3C8', '5G0', '5Q0', '5N0',
    '6R0', '7N0', '8V0', '8W0', '4M0', '2G0', '2Q0', '3G0', '5K0', '06K',
    '03L', '04E', '0AM', 'JZW', 'N90', 'WHT', '000', '1J0', '1Z0', '7E0',
    ]
SUFFIXES = ['', '', '', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'AA', 'AB',
    'AC', 'AD', 'AE', 'AF', 'AG', 'AH', 'AJ', 'AK', 'AL', 'AM', 'AN', 'AP',
    'AQ', 'BA', 'BB', 'BC', 'BD', 'JA', 'JB', 'JC', 'ZZ', 'ZAA', 'ZAB']
NAMES = [
    "Brake disc", "Brake pad set", "Oil filter", "Air filter",
    "Pollen filter", "Fuel filter", "Spark plug", "Wiper blade",
    "Timing belt kit", "Water pump", "Thermostat", "Shock absorber",
    "Control arm", "Tie rod end", "Wheel bearing", "Clutch kit",
    "Headlight", "Tail light", "Door mirror glass", "Bumper cover",
    "Bremsscheibe", "Bremsbeläge", "Ölfilter", "Luftfilter",
    "Stoßdämpfer", "Querlenker", "Spurstangenkopf", "Radlager",
    "Kühlmittelschlauch", "Zündspule", "Glühkerze", "Keilrippenriemen",
    ]
QUALIFIERS = [
    "front", "rear", "front left", "front right", "rear left",
    "rear right", "vorn", "hinten", "links", "rechts", "", "", "",
    ]


def discount_group_codes():
    "DISCOUNT_GROUPS codes as the makers give them: 2 digits and a letter"
    return [f'{10 + i // 5:02d}{"ABCDE"[i % 5]}'
        for i in range(DISCOUNT_GROUPS)]


def part_numbers(count):
    """Return count part numbers, all different once normalised, the same
    for the same count"""
    from trytond.modules.dms_parts.product import normalize_number
    rng = random.Random(2026)
    keys = set()
    numbers = []
    while len(numbers) < count:
        number = ' '.join(filter(None, [
                    rng.choice(PREFIXES), f'{rng.randrange(1000):03d}',
                    f'{rng.randrange(1000):03d}', rng.choice(SUFFIXES)]))
        key = normalize_number(number)
        if key not in keys:
            keys.add(key)
            numbers.append(number)
    return numbers


def make_parts(count, change=False):
    """Yield count parts as lists of the columns of HEADER (the list price
    a Decimal), the same for the same count: the parts whose index is a
    multiple of SUPERSEDED_EVERY superseded by one of the next parts, whose
    index is not.  With change, the list price of the parts of
    changed_indexes() changed by -5 % to +8 % (at least a cent)."""
    numbers = part_numbers(count)
    rng = random.Random(2027)
    change_rng = random.Random(2028)
    groups = discount_group_codes()
    for i, number in enumerate(numbers):
        name = rng.choice(NAMES)
        qualifier = rng.choice(QUALIFIERS)
        description = f"{name} {qualifier}" if qualifier else name
        if rng.random() < 0.2:
            description += f", {rng.randrange(15, 40)} mm"
        price = Decimal(rng.randrange(50, 250_000)).scaleb(-2)
        currency = 'EUR' if rng.random() < 0.2 else ''
        group = rng.choice(groups) if rng.random() < 0.95 else ''
        unit = 'u' if rng.random() < 0.3 else ''
        superseded_by = ''
        if i % SUPERSEDED_EVERY == 0 and i < count - 1:
            j = i + 1 + rng.randrange(
                min(SUPERSEDED_EVERY - 1, count - 1 - i))
            superseded_by = numbers[j]
        if change and i % CHANGED_EVERY == CHANGED_EVERY // 2:
            factor = change_rng.choice([-5, -3, -2, 2, 3, 4, 5, 8])
            delta = (price * factor / 100).quantize(Decimal('0.01'))
            price += delta or Decimal('0.01')
        yield [number, description, price, currency, superseded_by, group,
            unit]


def superseded_count(count):
    return len(range(0, count - 1, SUPERSEDED_EVERY))


def changed_count(count):
    return len(range(CHANGED_EVERY // 2, count, CHANGED_EVERY))


def price_file(parts, keep=range(0)):
    """Return the bytes of the price file of the parts, written row by row
    (the benchmark keeps no list of the parts: its memory would add to the
    import's peak), and the parts of the indexes in keep"""
    out = io.BytesIO()
    out.write((';'.join(HEADER) + '\n').encode('utf-8'))
    kept = {}
    for i, part in enumerate(parts):
        if i in keep:
            kept[i] = part
        out.write((';'.join(map(str, part)) + '\n').encode('utf-8'))
    return out.getvalue(), kept


# --- parent: child processes per backend -------------------------------

def run():
    return run_backends('bench_parts', _bench_backend,
        lambda env: _child('drop', env, 'bench_parts_drop', __file__))


def _bench_backend(backend, env, note):
    result = _child('import', env, DATABASE, __file__)
    rows = result['rows']
    common = {
        'backend': backend,
        'database': note,
        'driver': result['driver'],
        'rows': rows,
        'file_mb': result['file_mb'],
        'commit': "one transaction per import, its commit timed",
        }
    first, again = result['first'], result['reimport']
    results = [{
            'name': f"price file first import, {rows:,} rows "
            f"({100 // SUPERSEDED_EVERY} % superseded)",
            'value': round(first['seconds'], 2), 'unit': 's',
            'target': f'<= {TARGET_FIRST_S}',
            'met': first['seconds'] <= TARGET_FIRST_S,
            'rows_per_second': round(rows / first['seconds'], 1),
            **{k: first[k] for k in [
                    'created', 'updated', 'unchanged', 'superseded']},
            'discount_groups': DISCOUNT_GROUPS,
            **common,
            }, {
            'name': f"price file re-import, {rows:,} rows, "
            f"{100 // CHANGED_EVERY} % prices changed",
            'value': round(again['seconds'], 2), 'unit': 's',
            'target': f'<= {TARGET_REIMPORT_S}',
            'met': again['seconds'] <= TARGET_REIMPORT_S,
            'rows_per_second': round(rows / again['seconds'], 1),
            **{k: again[k] for k in [
                    'created', 'updated', 'unchanged', 'superseded']},
            'changed': result['changed'],
            **common,
            }, {
            'name': "price file import peak memory",
            'value': result['maxrss_mb'], 'unit': 'MB',
            'target': f'<= {TARGET_MEMORY_MB}',
            'met': result['maxrss_mb'] <= TARGET_MEMORY_MB,
            'before_imports_mb': result['before_imports_mb'],
            'after_first_import_mb': result['after_first_import_mb'],
            'measured': "ru_maxrss of the child process "
            "(resource.getrusage) after both imports; includes loading "
            "the pool, restoring the database and the file's bytes",
            **common,
            }]
    return results


# --- children ------------------------------------------------------------

def _maxrss_mb():
    # Linux reports ru_maxrss in kilobytes
    return round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _activate():
    """Restore or activate the database DB_NAME with dms_parts, then leave
    the test mode that importing trytond.tests.test_tryton switched on"""
    from trytond.pool import Pool
    from trytond.tests.test_tryton import activate_module
    activate_module('dms_parts')
    Pool.test = False


def _setup():
    """Create the company (in EUR), the manufacturer and its profile with
    the defaults; return the ids of the company, the manufacturer and the
    profile, and the user's context"""
    from trytond.modules.company.tests import create_company, set_company
    from trytond.modules.currency.tests import (
        add_currency_rate, create_currency)
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    pool = Pool()
    Party = pool.get('party.party')
    Profile = pool.get('dms.part.import.profile')
    User = pool.get('res.user')
    currency = create_currency('EUR')
    add_currency_rate(currency, 1)
    company = create_company("Autohaus Bench GmbH", currency)
    with set_company(company):
        manufacturer, = Party.create([{'name': MANUFACTURER}])
        profile, = Profile.create([{
                    'name': MANUFACTURER,
                    'manufacturer': manufacturer.id,
                    }])
        context = User.get_preferences(context_only=True)
    Transaction().commit()
    return company.id, manufacturer.id, profile.id, context


def import_file(profile, company, data, context):
    """Import the file as the wizard does, in its own transaction; return
    the summary and the seconds it took, commit included"""
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME, USER
    from trytond.transaction import Transaction
    Profile = Pool(DB_NAME).get('dms.part.import.profile')
    start = time.perf_counter()
    with Transaction().start(DB_NAME, USER, context=context):
        summary = Profile.import_file(
            [Profile(profile)], company, data, FILENAME)
    return summary, time.perf_counter() - start


def _check_database(manufacturer, rows, kept, context):
    """Check the parts in the database against the count of rows and the
    parts kept by their index in the file, untimed"""
    from trytond.modules.dms_parts.product import normalize_number
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME, USER
    from trytond.transaction import Transaction
    pool = Pool(DB_NAME)
    Template = pool.get('product.template')
    Product = pool.get('product.product')
    with Transaction().start(DB_NAME, USER, context=context):
        assert Template.search_count([
                ('part', '=', True),
                ('part_manufacturer', '=', manufacturer),
                ]) == rows
        assert Product.search_count([
                ('template.part_manufacturer', '=', manufacturer),
                ('replaced_by', '!=', None),
                ]) == superseded_count(rows)
        templates = {
            t.part_number_key: t for t in Template.search([
                    ('part_manufacturer', '=', manufacturer),
                    ('part_number_key', 'in', [
                            normalize_number(p[0]) for p in kept.values()]),
                    ])}
        for number, description, price, _, superseded_by, *_ in (
                kept.values()):
            template = templates[normalize_number(number)]
            # "[number] description", the number as the file writes it
            assert template.rec_name == f'[{number}] {description}', (
                template.rec_name, number, description)
            assert template.list_price == price, (
                number, template.list_price, price)
            product, = template.products
            assert (product.replaced_by.template.part_number_key
                if product.replaced_by else '') == (
                normalize_number(superseded_by) or ''), number


def child_import(output, rows=ROWS):
    from trytond.tests.test_tryton import DB_NAME, USER
    from trytond.transaction import Transaction
    _activate()
    with Transaction().start(DB_NAME, USER):
        company, manufacturer, profile, context = _setup()
    # The first parts: some changed, some superseded
    keep = range(min(rows, 2 * SUPERSEDED_EVERY))

    data, kept = price_file(make_parts(rows), keep)
    before_imports_mb = _maxrss_mb()
    first, seconds = import_file(profile, company, data, context)
    first['seconds'] = seconds
    after_first_mb = _maxrss_mb()
    assert first['imported'], first['report'][:2000]
    assert first['refused'] == 0
    assert first['created'] == rows, first
    assert (first['updated'], first['unchanged']) == (0, 0), first
    assert first['superseded'] == superseded_count(rows), first
    del data
    _check_database(manufacturer, rows, kept, context)

    changed = changed_count(rows)
    data, kept = price_file(make_parts(rows, change=True), keep)
    again, seconds = import_file(profile, company, data, context)
    again['seconds'] = seconds
    maxrss_mb = _maxrss_mb()
    assert again['imported'], again['report'][:2000]
    assert again['refused'] == 0
    assert (again['created'], again['superseded']) == (0, 0), again
    assert again['updated'] == changed, (again, changed)
    assert again['unchanged'] == rows - changed, again
    _check_database(manufacturer, rows, kept, context)
    for summary in [first, again]:
        summary.pop('report')
    _write(output, {
            'rows': rows,
            'changed': changed,
            'file_mb': round(len(data) / 2**20, 1),
            'first': first,
            'reimport': again,
            'before_imports_mb': before_imports_mb,
            'after_first_import_mb': after_first_mb,
            'maxrss_mb': maxrss_mb,
            })


def child_drop(output):
    "Drop the benchmark database and the template of DB_CACHE"
    drop_databases(output, [DATABASE], 'dms_parts')


def child(task, output):
    if task == 'import':
        child_import(output)
    elif task == 'drop':
        child_drop(output)
    else:
        raise ValueError(task)


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == 'child':
        child(sys.argv[2], sys.argv[3])
    else:
        sys.exit(f"usage: {sys.argv[0]} child TASK OUTPUT "
            "(run the benchmarks with bench/run.py)")
