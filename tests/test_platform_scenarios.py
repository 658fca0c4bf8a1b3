# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The platform's own scenarios, with every dms module activated beside.

A dealer runs the platform's documents with the dms modules in the same
database: their extensions (warehouse companies, vehicle lots, stock
moves of vehicles, party names) must leave the platform's own flows as they
are.  Each scenario of the modules below runs as shipped, except that
activating its modules also activates every dms module.

The dms modules bring platform modules of their own (sale and purchase with
dms_parts), whose documents ask every stock move to or from a customer or a
supplier for its origin; a scenario written without them moves goods
without one.  That check of a module the scenario did not ask for is left
out, so the scenarios still test what the dms modules change."""
import importlib
from importlib.metadata import entry_points

from trytond.modules import get_module_info
from trytond.pool import Pool
from trytond.tests import tools
from trytond.tests.test_tryton import load_doc_tests

PLATFORM = [
    'company', 'party', 'product', 'stock', 'stock_lot', 'sale',
    'sale_opportunity', 'account_invoice',
    ]
# Scenarios that need a module this project does not install
SKIPS = {
    'scenario_stock_lot_move_add.rst',  # stock_split
    'scenario_invoice_payment_means.rst',  # bank
    }
DMS = sorted(
    e.name for e in entry_points(group='trytond.modules')
    if e.name.startswith('dms_'))

# The location types whose stock moves a module asks for their origin
ORIGIN_TYPES = {'sale': 'customer', 'purchase': 'supplier'}
_activate_modules = tools.activate_modules
_check_origin_types = {}


def dependencies(modules):
    "Return the modules with all the modules they depend on"
    result, todo = set(), list(modules)
    while todo:
        name = todo.pop()
        if name not in result:
            result.add(name)
            todo.extend(get_module_info(name).get('depends', []))
    return result


def check_origins_of(database, modules):
    "Check the origin of moves only for the types of the scenario's modules"
    Move = Pool(database).get('stock.move')
    original = _check_origin_types.setdefault(Move, Move.check_origin_types)
    skipped = {
        type_ for module, type_ in ORIGIN_TYPES.items()
        if module not in modules}
    Move.check_origin_types = classmethod(lambda cls: original() - skipped)


def activate_with_dms(modules, *args, **kwargs):
    if isinstance(modules, str):
        modules = [modules]
    config = _activate_modules(list(modules) + DMS, *args, **kwargs)
    check_origins_of(config.database_name, dependencies(modules))
    return config


def load_tests(loader, tests, pattern):
    # The scenarios import activate_modules when they run
    tools.activate_modules = activate_with_dms
    for name in PLATFORM:
        module = f'trytond.modules.{name}.tests.test_scenario'
        try:
            path = importlib.import_module(module).__file__
        except ModuleNotFoundError:
            # A module without scenarios
            continue
        load_doc_tests(module, path, loader, tests, pattern, skips=SKIPS)
    return tests
