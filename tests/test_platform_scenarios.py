# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The platform's own scenarios, with every dms module activated beside.

A dealer runs the platform's documents with the dms modules in the same
database: their extensions (warehouse companies, vehicle lots, stock
moves of vehicles, party names) must leave the platform's own flows as they
are.  Each scenario of the modules below runs as shipped, except that
activating its modules also activates every dms module."""
import importlib
from importlib.metadata import entry_points

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

_activate_modules = tools.activate_modules


def activate_with_dms(modules, *args, **kwargs):
    if isinstance(modules, str):
        modules = [modules]
    return _activate_modules(list(modules) + DMS, *args, **kwargs)


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
