# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The web client as a dealer's staff member uses it.

Builds the demo database in a temporary folder (scripts/demo.py), serves it
with trytond and the sao web client on a free localhost port, and drives
Debian's chromium through Playwright.

    python -m unittest tests.test_browser

Environment variables:

- TRYTOND_WEB__ROOT: the sao folder; by default [web] root of the
  configuration.  The test is skipped when sao is not installed
  (`make sao`).
- DMS_TEST_CONFIG: the trytond configuration (default config/trytond.conf).
- DMS_TEST_DEMO_DATABASE: an existing demo SQLite file (e.g. var/dms.sqlite)
  to copy instead of building the demo, to save time while developing.
- DMS_TEST_CHROMIUM: the chromium executable (default /usr/bin/chromium).
- DMS_TEST_HEADED: set to 1 to watch the browser (needs a display).
- CI: when set (as `.ci/run` and CI services do), a missing Playwright,
  chromium or sao fails the test instead of skipping it, so that CI can
  never pass without having driven the browser.

Screenshots are written to tests/screenshots/.
"""
import configparser
import datetime as dt
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
SCREENSHOTS = REPOSITORY / 'tests' / 'screenshots'
CONFIG = Path(os.environ.get(
        'DMS_TEST_CONFIG', REPOSITORY / 'config' / 'trytond.conf'))
CHROMIUM = os.environ.get('DMS_TEST_CHROMIUM', '/usr/bin/chromium')
CHROMIUM_ARGS = [
    '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-quic', '--no-first-run', '--disable-component-update',
    '--disable-sync',
    ]
DATABASE = 'dms'
# A demo user of the Sales role and the demo password
LOGIN = 'sales.koeln'
PASSWORD = 'dealerdemo'
# Seconds
DEMO_TIMEOUT = 600
SERVER_TIMEOUT = 60
UI_TIMEOUT = 30_000  # milliseconds, for Playwright

sys.path.insert(0, str(REPOSITORY / 'scripts'))
from demo import SEED  # noqa: E402
from demo_data import customers as customer_data  # noqa: E402
from demo_data import vehicles as vehicle_data  # noqa: E402

CUSTOMER_NAMES = (
    [f'{first} {last}' for first, last, _ in customer_data.PERSONS]
    + [name for name, _ in customer_data.BUSINESSES])


def sao_root():
    "Return the folder of the sao web client, as trytond would serve it"
    root = os.environ.get('TRYTOND_WEB__ROOT')
    if not root and CONFIG.is_file():
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(CONFIG)
        root = parser.get('web', 'root', fallback=None)
    if not root:
        return None
    root = Path(root).expanduser()
    if not root.is_absolute():
        # trytond is started from the repository
        root = REPOSITORY / root
    return root


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def tail(path, lines=40):
    try:
        with open(path, errors='replace') as file:
            return ''.join(file.readlines()[-lines:])
    except OSError:
        return ''


def missing(reason):
    "Skip the browser test for a missing part, or fail under CI"
    if os.environ.get('CI'):
        raise RuntimeError(f"{reason}; CI must run the browser test")
    raise unittest.SkipTest(reason)


class BrowserTestCase(unittest.TestCase):
    """Log into sao as a dealer's staff member and open the dealer's lists,
    on the demo database whose content is checked too"""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing(
                "Playwright for Python is not installed "
                "(requirements-test.txt)")
        if not os.access(CHROMIUM, os.X_OK):
            missing(
                f"No chromium at {CHROMIUM} (apt-get install chromium)")
        if not CONFIG.is_file():
            missing(f"No configuration file {CONFIG}")
        cls.sao = sao_root()
        if not cls.sao or not (cls.sao / 'index.html').is_file():
            missing(
                f"The sao web client is not installed in {cls.sao} "
                "(run `make sao`)")
        if not (cls.sao / 'node_modules').is_dir():
            missing(
                f"sao's dependencies are not installed in "
                f"{cls.sao / 'node_modules'} (run `make sao`)")

        cls.directory = Path(tempfile.mkdtemp(prefix='dms-browser-'))
        cls.addClassCleanup(shutil.rmtree, cls.directory, True)
        cls.make_database()
        cls.start_server()

    @classmethod
    def make_database(cls):
        "Put the demo database in the temporary folder"
        filename = cls.directory / f'{DATABASE}.sqlite'
        demo = os.environ.get('DMS_TEST_DEMO_DATABASE')
        if demo:
            # a copy: the server writes its sessions into the database
            source = sqlite3.connect(f'file:{demo}?mode=ro', uri=True)
            target = sqlite3.connect(filename)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
            return
        env = os.environ.copy()
        env['TRYTOND_DATABASE_URI'] = 'sqlite://'
        env['TRYTOND_DATABASE__PATH'] = str(cls.directory)
        log = cls.directory / 'demo.log'
        with open(log, 'w') as output:
            result = subprocess.run([
                    sys.executable, str(REPOSITORY / 'scripts' / 'demo.py'),
                    '--config', str(CONFIG), '--database', DATABASE,
                    ], cwd=REPOSITORY, env=env, stdin=subprocess.DEVNULL,
                stdout=output, stderr=subprocess.STDOUT,
                timeout=DEMO_TIMEOUT)
        if result.returncode or not filename.is_file():
            raise AssertionError(
                f"scripts/demo.py failed ({result.returncode}):\n"
                + tail(log))

    @classmethod
    def start_server(cls):
        "Start trytond on a free port of localhost and wait for it"
        cls.port = free_port()
        listen = f'127.0.0.1:{cls.port}'
        # The configuration file wins over TRYTOND_* variables in trytond:
        # a second file (later files win) overrides what it sets.
        override = cls.directory / 'test.conf'
        override.write_text(
            "[database]\n"
            "uri = sqlite://\n"
            f"path = {cls.directory}\n"
            "[web]\n"
            f"listen = {listen}\n"
            f"root = {cls.sao}\n")
        env = os.environ.copy()
        env.update({
                'TRYTOND_DATABASE_URI': 'sqlite://',
                'TRYTOND_WEB__LISTEN': listen,
                'TRYTOND_DATABASE__PATH': str(cls.directory),
                'TRYTOND_WEB__ROOT': str(cls.sao),
                })
        trytond = Path(sys.executable).parent / 'trytond'
        if not trytond.exists():
            trytond = shutil.which('trytond')
        cls.server_log = cls.directory / 'trytond.log'
        output = open(cls.server_log, 'w')
        cls.addClassCleanup(output.close)
        cls.server = subprocess.Popen([
                str(trytond), '-c', str(CONFIG), str(override),
                '-d', DATABASE,
                ], cwd=REPOSITORY, env=env, stdin=subprocess.DEVNULL,
            stdout=output, stderr=subprocess.STDOUT)
        cls.addClassCleanup(cls.stop_server)
        cls.url = f'http://{listen}/'

        deadline = time.monotonic() + SERVER_TIMEOUT
        while True:
            if cls.server.poll() is not None:
                raise AssertionError(
                    f"trytond stopped ({cls.server.returncode}):\n"
                    + tail(cls.server_log))
            if cls.server_answers():
                break
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"trytond does not answer on {cls.url} after "
                    f"{SERVER_TIMEOUT} s:\n" + tail(cls.server_log))
            time.sleep(0.5)

    @classmethod
    def server_answers(cls):
        "Return whether the web client and the database list are served"
        try:
            with urllib.request.urlopen(cls.url, timeout=5) as response:
                if response.status != 200:
                    return False
            request = urllib.request.Request(
                cls.url + 'rpc/', method='POST',
                data=json.dumps({
                        'id': 1, 'method': 'common.db.list', 'params': [],
                        }).encode(),
                headers={'Content-Type': 'application/json'})
            with urllib.request.urlopen(request, timeout=5) as response:
                return DATABASE in json.load(response).get('result', [])
        except (OSError, ValueError):
            return False

    @classmethod
    def stop_server(cls):
        server = cls.server
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

    def setUp(self):
        from playwright.sync_api import sync_playwright
        self.playwright = sync_playwright().start()
        self.addCleanup(self.playwright.stop)
        self.browser = self.playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS,
            headless=not os.environ.get('DMS_TEST_HEADED'))
        self.addCleanup(self.browser.close)
        self.page = self.browser.new_page(
            viewport={'width': 1600, 'height': 900}, locale='en-US')
        self.page.set_default_timeout(UI_TIMEOUT)
        self.console = []
        self.page.on('console', lambda m: self.console.append(
                f'{m.type}: {m.text}'))
        self.page.on('pageerror', lambda e: self.console.append(
                f'pageerror: {e}'))
        self.page.on('response', lambda r: r.status >= 400
            and self.console.append(f'{r.status}: {r.request.method} {r.url}'))
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / 'failure.png').unlink(missing_ok=True)

    def screenshot(self, name):
        "Save a screenshot of the page and return its path"
        path = SCREENSHOTS / f'{name}.png'
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def run(self, result=None):
        "Keep a screenshot of the page when a test fails"
        failures = len(result.failures) + len(result.errors) if result else 0
        outcome = super().run(result)
        if result and len(result.failures) + len(result.errors) > failures:
            print(f"\nServer log:\n{tail(self.server_log)}\n"
                "Browser console:\n" + '\n'.join(
                    getattr(self, 'console', [])[-20:]), file=sys.stderr)
        return outcome

    def login(self, login, password):
        "Log into sao through its login form"
        page = self.page
        page.goto(self.url)
        page.locator('#login').wait_for(state='visible')
        # a <select> when the server lists several databases, else an input
        database = page.locator('#database:visible')
        database.wait_for()
        if database.evaluate('e => e.tagName') == 'SELECT':
            database.select_option(DATABASE)
        elif database.get_attribute('readonly') is None:
            database.fill(DATABASE)
        else:
            self.assertEqual(database.input_value(), DATABASE)
        page.fill('#login', login)
        page.press('#login', 'Enter')
        password_input = page.locator('input[type="password"]:visible')
        password_input.wait_for()
        password_input.fill(password)
        password_input.press('Enter')

    def menu_entry(self, name):
        "Return the locator of the entry of the main menu named name"
        return self.page.locator('#menu').get_by_text(name, exact=True)

    def test_sales_user_opens_customer_documents(self):
        "A sales consultant logs in and lists the customer documents"
        page = self.page
        try:
            self.login(LOGIN, PASSWORD)

            dealer = self.menu_entry("Dealer Management")
            dealer.wait_for(state='visible')
            dealer.click()
            documents = self.menu_entry("Customer Documents")
            documents.wait_for(state='visible')
            self.assertTrue(
                self.menu_entry("Customer Messages").is_visible())

            documents.click()
            page.locator('#tabs').get_by_text(
                "Customer Documents").filter(visible=True).first.wait_for()
            # the rows of the list: one per document, naming its holder
            rows = page.locator('#tabs .treeview tbody tr')
            rows.first.wait_for(state='visible')
            texts = rows.all_inner_texts()
            shown = [n for n in CUSTOMER_NAMES if any(n in t for t in texts)]
            self.assertTrue(shown, "No demo customer in the list:\n"
                + '\n'.join(texts[:10]))
            self.assertNotIn("Module Configuration", page.content())
        except Exception:
            self.screenshot('failure')
            raise

        path = self.screenshot('customer_documents')
        self.assertTrue(path.is_file())
        self.assertGreater(path.stat().st_size, 0)
        with open(path, 'rb') as file:
            self.assertEqual(file.read(8), b'\x89PNG\r\n\x1a\n')

    def test_sales_user_lists_vehicles(self):
        """A sales consultant lists the vehicles in stock and finds one of
        the rooftop's by its VIN"""
        from playwright.sync_api import expect
        page = self.page
        # the demo's vehicles in stock, those of the consultant's rooftop
        # first; a VIN's model year may differ when the demo database was
        # built on another day (DMS_TEST_DEMO_DATABASE), not its serial
        stock = sorted((v for v in vehicle_data.plan(SEED, dt.date.today())
                if v['target'] in {'in_stock', 'reserved'}),
            key=lambda v: v['rooftop'] != 'KOE')

        def shows(text, vehicle):
            return (vehicle['vin'][:8] in text and vehicle['vin'][10:] in text
                and vehicle['model'] in text)

        try:
            self.login(LOGIN, PASSWORD)

            dealer = self.menu_entry("Dealer Management")
            dealer.wait_for(state='visible')
            dealer.click()
            vehicles = self.menu_entry("Vehicles")
            vehicles.wait_for(state='visible')
            vehicles.click()
            tabs = page.locator('#tabs')
            tabs.get_by_text("Vehicles").filter(visible=True).first.wait_for()
            # the list opens on the vehicles in stock of the whole group
            tabs.get_by_text("In Stock").filter(visible=True).first.wait_for()
            rows = page.locator('#tabs .treeview tbody tr:visible')
            rows.first.wait_for(state='visible')
            texts = rows.all_inner_texts()
            shown = [v['vin'] for v in stock
                if any(shows(t, v) for t in texts)]
            self.assertTrue(shown, "No demo vehicle in stock in the list:\n"
                + '\n'.join(texts[:10]))
            self.assertNotIn("Module Configuration", page.content())
            path = self.screenshot('vehicles')

            # the rooftop's vehicle, by its serial number
            vehicle = stock[0]
            self.assertEqual(vehicle['rooftop'], 'KOE')
            search = page.locator('#tabs input[placeholder="Search"]:visible')
            search.fill(vehicle['vin'][10:])
            search.press('Enter')
            expect(rows).to_have_count(1)
            expect(rows.first).to_contain_text(vehicle['vin'][10:])
            text = rows.first.inner_text()
            self.assertTrue(shows(text, vehicle), text)
            self.assertIn("Köln", text)
        except Exception:
            self.screenshot('failure')
            raise

        self.assertTrue(path.is_file())
        with open(path, 'rb') as file:
            self.assertEqual(file.read(8), b'\x89PNG\r\n\x1a\n')

    def test_demo_group_content(self):
        """The demo database holds the dealer group the README describes:
        three rooftops with their departments and a user of every role,
        customers written to in German with documents expiring this month,
        the vehicle catalog and 150 valid vehicles in every state, aging,
        with photos and bookings this week"""
        from trytond.modules.dms_vehicle import vin as vin_tools
        today = dt.date.today()
        path = self.directory / f'{DATABASE}.sqlite'
        database = sqlite3.connect(f'file:{path}?mode=ro', uri=True)
        self.addCleanup(database.close)

        def value(query, *params):
            return database.execute(query, params).fetchone()[0]

        def column(query, *params):
            return [r[0] for r in database.execute(query, params)]

        self.assertEqual(value('SELECT COUNT(*) FROM company_company'), 3)
        self.assertEqual(value(
                'SELECT COUNT(DISTINCT company) FROM dms_department'), 3)
        self.assertEqual(value('SELECT COUNT(*) FROM dms_department'), 15)
        roles = column(
            'SELECT g.name FROM res_group AS g '
            'JOIN "res_user-res_group" AS l ON l."group" = g.id '
            'JOIN res_user AS u ON u.id = l."user" '
            "WHERE g.name LIKE 'Dealer %' AND u.login != 'admin' "
            'GROUP BY g.name')
        self.assertEqual(len(roles), 9, roles)
        # customers: parties with a mobile number, neither staff nor rooftop
        self.assertEqual(value(
                'SELECT COUNT(DISTINCT party) FROM party_contact_mechanism '
                "WHERE type = 'mobile' "
                'AND party NOT IN (SELECT party FROM company_employee) '
                'AND party NOT IN (SELECT party FROM company_company)'), 40)
        self.assertEqual(value('SELECT COUNT(*) FROM company_employee'), 25)
        # written to in German; Bonn's staff work in German
        self.assertEqual(value(
                'SELECT COUNT(*) FROM party_party_lang AS p '
                'JOIN ir_lang AS l ON l.id = p.lang '
                "WHERE l.code = 'de'"), 40)
        self.assertEqual(set(column(
                'SELECT u.login FROM res_user AS u '
                'JOIN ir_lang AS l ON l.id = u.language '
                "WHERE l.code = 'de'")), {
                'sales.bonn', 'service.bonn', 'technician.bonn',
                'parts.bonn', 'manager.bonn'})
        self.assertEqual(value(
                'SELECT COUNT(*) FROM ir_translation '
                "WHERE lang = 'de' AND module = 'dms_vehicle' "
                "AND name = 'dms.vehicle,vin' AND type = 'field'"), 1)
        self.assertGreaterEqual(value(
                'SELECT COUNT(*) FROM dms_document WHERE vehicle IS NULL'),
            100)
        expiring = value(
            'SELECT COUNT(*) FROM dms_document '
            'WHERE expiry_date BETWEEN ? AND ?',
            today.isoformat(), (today + dt.timedelta(days=31)).isoformat())
        self.assertGreater(expiring, 0)

        self.assertEqual(value('SELECT COUNT(*) FROM dms_vehicle_make'), 3)
        self.assertEqual(value('SELECT COUNT(*) FROM dms_vehicle_model'), 10)
        self.assertEqual(
            value('SELECT COUNT(*) FROM dms_vehicle_variant'), 20)
        vehicles = database.execute(
            'SELECT vin, state FROM dms_vehicle').fetchall()
        self.assertEqual(len(vehicles), 150)
        self.assertEqual({s for _, s in vehicles}, {
                'ordered', 'in_transit', 'in_stock', 'reserved', 'sold',
                'delivered', 'customer', 'scrapped'})
        invalid = [(v, vin_tools.check(v)) for v, _ in vehicles
            if vin_tools.check(v)]
        self.assertEqual(invalid, [])
        # North American VINs carry their mandatory check digit
        self.assertTrue(any(vin_tools.check_digit_required(v)
                for v, _ in vehicles))

        # days in stock vary; each vehicle on hand has stored the date of
        # its last done move into storage from outside the group's stock
        receipts = database.execute(
            'SELECT v.vin, v.receipt_date, MAX(m.effective_date) '
            'FROM dms_vehicle AS v '
            'JOIN stock_move AS m ON m.lot = v.lot '
            'JOIN stock_location AS f ON f.id = m.from_location '
            'JOIN stock_location AS t ON t.id = m.to_location '
            "WHERE v.on_hand AND m.state = 'done' "
            "AND f.type IN ('supplier', 'customer', 'lost_found', "
            "'production') AND t.type = 'storage' "
            'GROUP BY v.id').fetchall()
        self.assertEqual(len(receipts), value(
                'SELECT COUNT(*) FROM dms_vehicle WHERE on_hand'))
        self.assertEqual([r for r in receipts if r[1] != r[2]], [])
        days = [(today - dt.date.fromisoformat(d)).days
            for _, d, _ in receipts]
        self.assertTrue(days and min(days) <= 30 and max(days) > 90, days)

        self.assertGreater(value(
                'SELECT COUNT(DISTINCT resource) FROM ir_attachment '
                "WHERE resource LIKE 'dms.vehicle,%'"), 0)
        week = [(today + dt.timedelta(days=d)).isoformat() for d in [-7, 8]]
        bookings = database.execute(
            'SELECT COUNT(*), COUNT(DISTINCT company) '
            'FROM dms_vehicle_booking WHERE planned_start BETWEEN ? AND ?',
            *[week]).fetchone()
        self.assertGreater(bookings[0], 0)
        self.assertEqual(bookings[1], 3)


if __name__ == '__main__':
    unittest.main()
