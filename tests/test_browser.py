# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The web client as a dealer's staff member uses it.

Builds the demo database in a temporary folder (scripts/demo.py), serves it
with trytond and the sao web client on a free localhost port, and drives
Debian's chromium through Playwright.

    python -m unittest tests.test_browser

ScreenWalkTestCase logs in as one user of each demo role and walks every
entry of the Dealer Management menu that the role sees: every view of each
action (list, form, calendar, graph), the first record in its form with
each notebook page, and a New form where the role may create.  Any page
error, error dialog or failed request fails the test, so the screens of a
new module are covered as soon as it adds them to the menu.

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
import base64
import configparser
import datetime as dt
import json
import os
import re
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
# A demo user of the Sales role
LOGIN = 'sales.koeln'
# Seconds
DEMO_TIMEOUT = 600
SERVER_TIMEOUT = 60
UI_TIMEOUT = 30_000  # milliseconds, for Playwright
# Files sao asks for that the server has not: sao runs without them
OPTIONAL_FILES = ('/custom.css', '/custom.js', '/locale/en.json',
    '/locale/en_US.json')

sys.path.insert(0, str(REPOSITORY / 'scripts'))
from demo import ADMIN_PASSWORD, SEED  # noqa: E402
from demo_data import customers as customer_data  # noqa: E402
from demo_data import group as group_data  # noqa: E402
from demo_data import vehicles as vehicle_data  # noqa: E402

PASSWORD = group_data.PASSWORD
CUSTOMER_NAMES = (
    [f'{first} {last}' for first, last, _ in customer_data.PERSONS]
    + [name for name, _ in customer_data.BUSINESSES])


def role_users():
    "Return the first demo user of each role, by role"
    users = {}
    for login, _, _, role, _, _ in group_data.STAFF:
        if login and role:
            users.setdefault(role, login)
    return users


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


class DemoServer:
    "The demo database in a temporary folder, served by trytond with sao"

    def __init__(self):
        self.sao = sao_root()
        self.directory = Path(tempfile.mkdtemp(prefix='dms-browser-'))
        self.database = self.directory / f'{DATABASE}.sqlite'
        self.server = None
        self.server_log = self.directory / 'trytond.log'
        # Mail goes to this port, where a test may run an SMTP server
        self.smtp_port = free_port()

    def check(self):
        "Skip or fail when a part the test needs is missing"
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
        if not self.sao or not (self.sao / 'index.html').is_file():
            missing(
                f"The sao web client is not installed in {self.sao} "
                "(run `make sao`)")
        if not (self.sao / 'node_modules').is_dir():
            missing(
                f"sao's dependencies are not installed in "
                f"{self.sao / 'node_modules'} (run `make sao`)")

    def make_database(self):
        "Put the demo database in the temporary folder"
        demo = os.environ.get('DMS_TEST_DEMO_DATABASE')
        if demo:
            # a copy: the server writes its sessions into the database
            source = sqlite3.connect(f'file:{demo}?mode=ro', uri=True)
            target = sqlite3.connect(self.database)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
            return
        env = os.environ.copy()
        env['TRYTOND_DATABASE_URI'] = 'sqlite://'
        env['TRYTOND_DATABASE__PATH'] = str(self.directory)
        log = self.directory / 'demo.log'
        with open(log, 'w') as output:
            result = subprocess.run([
                    sys.executable, str(REPOSITORY / 'scripts' / 'demo.py'),
                    '--config', str(CONFIG), '--database', DATABASE,
                    ], cwd=REPOSITORY, env=env, stdin=subprocess.DEVNULL,
                stdout=output, stderr=subprocess.STDOUT,
                timeout=DEMO_TIMEOUT)
        if result.returncode or not self.database.is_file():
            raise AssertionError(
                f"scripts/demo.py failed ({result.returncode}):\n"
                + tail(log))

    def start(self):
        "Start trytond on a free port of localhost and wait for it"
        self.port = free_port()
        listen = f'127.0.0.1:{self.port}'
        # The configuration file wins over TRYTOND_* variables in trytond:
        # a second file (later files win) overrides what it sets.
        override = self.directory / 'test.conf'
        override.write_text(
            "[database]\n"
            "uri = sqlite://\n"
            f"path = {self.directory}\n"
            "[web]\n"
            f"listen = {listen}\n"
            f"root = {self.sao}\n"
            "[email]\n"
            f"uri = smtp://127.0.0.1:{self.smtp_port}?timeout=5\n")
        env = os.environ.copy()
        env.update({
                'TRYTOND_DATABASE_URI': 'sqlite://',
                'TRYTOND_WEB__LISTEN': listen,
                'TRYTOND_DATABASE__PATH': str(self.directory),
                'TRYTOND_WEB__ROOT': str(self.sao),
                })
        trytond = Path(sys.executable).parent / 'trytond'
        if not trytond.exists():
            trytond = shutil.which('trytond')
        self.output = open(self.server_log, 'w')
        self.server = subprocess.Popen([
                str(trytond), '-c', str(CONFIG), str(override),
                '-d', DATABASE,
                ], cwd=REPOSITORY, env=env, stdin=subprocess.DEVNULL,
            stdout=self.output, stderr=subprocess.STDOUT)
        self.url = f'http://{listen}/'

        deadline = time.monotonic() + SERVER_TIMEOUT
        while True:
            if self.server.poll() is not None:
                raise AssertionError(
                    f"trytond stopped ({self.server.returncode}):\n"
                    + tail(self.server_log))
            if self.answers():
                break
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"trytond does not answer on {self.url} after "
                    f"{SERVER_TIMEOUT} s:\n" + tail(self.server_log))
            time.sleep(0.5)

    def answers(self):
        "Return whether the web client and the database list are served"
        try:
            with urllib.request.urlopen(self.url, timeout=5) as response:
                if response.status != 200:
                    return False
            request = urllib.request.Request(
                self.url + 'rpc/', method='POST',
                data=json.dumps({
                        'id': 1, 'method': 'common.db.list', 'params': [],
                        }).encode(),
                headers={'Content-Type': 'application/json'})
            with urllib.request.urlopen(request, timeout=5) as response:
                return DATABASE in json.load(response).get('result', [])
        except (OSError, ValueError):
            return False

    def stop(self):
        server = self.server
        if server and server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        if server:
            self.output.close()
        shutil.rmtree(self.directory, True)

    def model_data(self, module, fs_id):
        "Return the id of the record of the XML id module.fs_id"
        database = sqlite3.connect(f'file:{self.database}?mode=ro', uri=True)
        try:
            row = database.execute(
                'SELECT db_id FROM ir_model_data '
                'WHERE module = ? AND fs_id = ?', (module, fs_id)).fetchone()
        finally:
            database.close()
        return row[0]


SERVER = None


def setUpModule():
    global SERVER
    server = DemoServer()
    server.check()
    try:
        server.make_database()
        server.start()
    except BaseException:
        server.stop()
        raise
    SERVER = server


def tearDownModule():
    if SERVER:
        SERVER.stop()


class RPCError(AssertionError):
    "The server answered a JSON-RPC call with an error"

    def __init__(self, method, error):
        super().__init__(f"{method} failed: {error}")
        # [exception name, [message, description]] for user errors
        self.error = error
        self.message = (error[1][0]
            if isinstance(error, list) and len(error) > 1
            and isinstance(error[1], list) and error[1] else str(error))


class RPC:
    "A JSON-RPC session of a user with the demo server"

    def __init__(self, login, password):
        self.login = login
        self.url = f'{SERVER.url}{DATABASE}/rpc/'
        self.user, self.key = self.call(
            'common.db.login', login, {'password': password}, auth=False)[:2]
        self.context = self.call('model.res.user.get_preferences', True, {})

    def call(self, method, *params, auth=True):
        headers = {'Content-Type': 'application/json'}
        if auth:
            token = base64.b64encode(
                f'{self.login}:{self.user}:{self.key}'.encode()).decode()
            headers['Authorization'] = f'Session {token}'
        request = urllib.request.Request(self.url, method='POST',
            data=json.dumps({
                    'id': 1, 'method': method, 'params': list(params),
                    }).encode(), headers=headers)
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.load(response)
        if answer.get('error'):
            raise RPCError(method, answer['error'])
        return answer['result']

    def model(self, model, method, *args):
        return self.call(f'model.{model}.{method}', *args, self.context)


class SaoPage:
    """A page of sao in chromium that knows when the client is idle and what
    went wrong: page errors, failed requests and error dialogs"""

    # The dialogs of sao that tell the user something failed
    ERROR_DIALOGS = ', '.join(f'.modal.{c}:visible' for c in [
            'error-dialog', 'warning-dialog', 'user-warning-dialog',
            'message-dialog'])

    def __init__(self, browser, url):
        self.url = url
        self.page = browser.new_page(
            viewport={'width': 1600, 'height': 900}, locale='en-US')
        self.page.set_default_timeout(UI_TIMEOUT)
        self.console = []
        self.problems = []
        self.pending = 0
        self.last_activity = time.monotonic()
        page = self.page
        page.on('console', lambda m: self.console.append(
                f'{m.type}: {m.text}'))
        page.on('pageerror', self._page_error)
        page.on('request', self._request)
        page.on('requestfinished', self._request_done)
        page.on('requestfailed', self._request_failed)
        page.on('response', self._response)

    def _page_error(self, error):
        self.console.append(f'pageerror: {error}')
        self.problems.append(f"page error: {error}")

    @staticmethod
    def _is_call(request):
        return request.resource_type in {'xhr', 'fetch'}

    def _request(self, request):
        if self._is_call(request):
            self.pending += 1
            self.last_activity = time.monotonic()

    def _request_done(self, request):
        if self._is_call(request):
            self.pending -= 1
            self.last_activity = time.monotonic()

    def _optional(self, url):
        return url[len(self.url) - 1:] in OPTIONAL_FILES

    def _request_failed(self, request):
        self._request_done(request)
        if (self._optional(request.url)
                or not request.url.startswith(self.url)):
            return
        self.problems.append(
            f"request failed: {request.method} {request.url} "
            f"({request.failure})")

    def _response(self, response):
        if response.status < 400:
            return
        if response.status in {404, 405} and self._optional(response.url):
            return
        self.console.append(
            f'{response.status}: {response.request.method} {response.url}')
        self.problems.append(
            f"HTTP {response.status}: {response.request.method} "
            f"{response.url}")

    def idle(self, quiet=0.25, timeout=UI_TIMEOUT / 1000):
        """Wait until sao has no request under way for quiet seconds and the
        browser has drawn what they brought"""
        page = self.page
        deadline = time.monotonic() + timeout
        while True:
            page.wait_for_timeout(50)
            now = time.monotonic()
            if self.pending <= 0 and now - self.last_activity >= quiet:
                break
            if now > deadline:
                raise AssertionError(
                    f"sao is still busy after {timeout} s "
                    f"({self.pending} requests under way)")
        page.evaluate('() => new Promise(r => requestAnimationFrame(r))')

    def check(self, where):
        """Fail with what went wrong since the last check: a page error, a
        failed request or an error dialog, saying where"""
        problems, self.problems = self.problems, []
        dialogs = self.page.locator(self.ERROR_DIALOGS)
        if dialogs.count():
            problems.append("dialog: " + ' | '.join(
                    t.strip() for t in dialogs.all_inner_texts()))
        if problems:
            raise AssertionError(f"{where}:\n  " + '\n  '.join(problems))

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
        page.fill('#login', login)
        page.press('#login', 'Enter')
        password_input = page.locator('input[type="password"]:visible')
        password_input.wait_for()
        password_input.fill(password)
        password_input.press('Enter')
        page.locator('#menu .treeview tbody tr').first.wait_for()
        self.idle()

    def menu_entry(self, name):
        "Return the locator of the entry of the main menu named name"
        return self.page.locator('#menu').get_by_text(name, exact=True)

    def menu_row(self, path):
        """Return the row of the menu entry at the path of names, expanding
        the entries above it"""
        rows = self.page.locator('#menu .treeview tbody tr')
        start = 0
        for depth, name in enumerate(path):
            texts = rows.evaluate_all(
                'rows => rows.map(r => { '
                'const c = r.querySelector(".column-char"); '
                'const e = r.querySelector(".expander img"); '
                'return [c ? c.title : null, '
                'e ? parseFloat(e.style.marginLeft) || 0 : 0]; })')
            for index in range(start, len(texts)):
                text, indent = texts[index]
                if indent < depth:
                    # left the entries of the parent
                    index = len(texts)
                    break
                if text == name and indent == depth:
                    break
            else:
                index = len(texts)
            if index >= len(texts):
                raise AssertionError(
                    f"No menu entry {' › '.join(path[:depth + 1])}")
            row = rows.nth(index)
            if depth < len(path) - 1:
                next_indent = (texts[index + 1][1]
                    if index + 1 < len(texts) else -1)
                if next_indent <= depth:
                    row.locator('.expander img').click()
                    self.idle()
            start = index + 1
        return row

    def tab_state(self):
        "Return the state of the current tab's screen"
        return self.page.evaluate('''() => {
            const tab = Sao.Tab.tabs.get_current();
            if (!tab || !tab.screen) {
                return null;
            }
            const screen = tab.screen;
            const view = screen.current_view;
            return {
                name: tab.name,
                model: screen.model_name,
                view: view ? view.view_type : null,
                views: screen.views.length + screen.view_to_load.length,
                records: screen.group ? screen.group.length : 0,
                record: screen.current_record ?
                    screen.current_record.id : null,
                tabs: Sao.Tab.tabs.length,
            };
        }''')

    def pane(self):
        "Return the locator of the current tab's content"
        return self.page.locator('#tabs .tab-content > .tab-pane.active')

    def toolbar_button(self, name):
        "Return the locator of the current tab's toolbar button"
        return self.pane().locator(f'.toolbar button#{name}')

    def screenshot(self, name):
        "Save a screenshot of the page and return its path"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f'{name}.png'
        self.page.screenshot(path=str(path), full_page=True)
        return path


class SaoTestCase(unittest.TestCase):
    "A test driving the web client of the demo server in chromium"

    def setUp(self):
        from playwright.sync_api import sync_playwright
        self.playwright = sync_playwright().start()
        self.addCleanup(self.playwright.stop)
        self.browser = self.playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS,
            headless=not os.environ.get('DMS_TEST_HEADED'))
        self.addCleanup(self.browser.close)
        self.sao = SaoPage(self.browser, SERVER.url)
        self.page = self.sao.page
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def run(self, result=None):
        "Keep a screenshot of the page and say what the server logged"
        failures = len(result.failures) + len(result.errors) if result else 0
        outcome = super().run(result)
        if result and len(result.failures) + len(result.errors) > failures:
            print(f"\nServer log:\n{tail(SERVER.server_log)}\n"
                "Browser console:\n" + '\n'.join(
                    getattr(getattr(self, 'sao', None), 'console', [])[-20:]),
                file=sys.stderr)
        return outcome

    def failure_screenshot(self):
        try:
            self.sao.screenshot(f'failure-{self._testMethodName}')
        except Exception:
            pass


class BrowserTestCase(SaoTestCase):
    "A sales consultant opens the dealer's lists"

    def test_sales_user_opens_customer_documents(self):
        "A sales consultant logs in and lists the customer documents"
        page = self.page
        try:
            self.sao.login(LOGIN, PASSWORD)

            dealer = self.sao.menu_entry("Dealer Management")
            dealer.wait_for(state='visible')
            dealer.click()
            documents = self.sao.menu_entry("Customer Documents")
            documents.wait_for(state='visible')
            self.assertTrue(
                self.sao.menu_entry("Customer Messages").is_visible())

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
            self.failure_screenshot()
            raise

        path = self.sao.screenshot('customer_documents')
        self.assertTrue(path.is_file())
        self.assertGreater(path.stat().st_size, 0)
        with open(path, 'rb') as file:
            self.assertEqual(file.read(8), b'\x89PNG\r\n\x1a\n')

    def test_sales_user_lists_vehicles(self):
        """A sales consultant's vehicle list opens on the rooftop's stock,
        longest in stock first, with the asking price and the rooftop by its
        town; the group's stock is one tab away, where a car of the rooftop
        is found by its VIN"""
        from playwright.sync_api import expect
        page = self.page
        sao = self.sao
        # the demo's vehicles in stock, those of the consultant's rooftop
        # first; a VIN's model year may differ when the demo database was
        # built on another day (DMS_TEST_DEMO_DATABASE), not its serial
        stock = sorted((v for v in vehicle_data.plan(SEED, dt.date.today())
                if v['target'] in {
                    ('available', 'in_stock'), ('held', 'in_stock')}),
            key=lambda v: v['rooftop'] != 'KOE')
        towns = {r['code']: r['city'] for r in group_data.ROOFTOPS}

        def shows(text, vehicle):
            return (vehicle['vin'][:8] in text and vehicle['vin'][10:] in text
                and vehicle['model'] in text)

        try:
            sao.login(LOGIN, PASSWORD)
            sao.menu_row(["Dealer Management", "Vehicles"]).click()
            sao.idle()
            sao.check("open Vehicles")
            pane = sao.pane()
            active = pane.locator('.nav-tabs > li.active')
            expect(active.first).to_contain_text("My Rooftop")
            rows = pane.locator('.treeview tbody tr:not(.more-row):visible')
            rows.first.wait_for(state='visible')
            texts = rows.all_inner_texts()
            shown = [v for v in stock if any(shows(t, v) for t in texts)]
            self.assertTrue(shown, "No demo vehicle in stock in the list:\n"
                + '\n'.join(texts[:10]))
            self.assertEqual({v['rooftop'] for v in shown}, {'KOE'})
            for text in texts:
                self.assertIn(towns['KOE'], text)
                self.assertIn("€", text)
                for code in ['DUS', 'BON']:
                    self.assertNotIn(towns[code], text)
            days = pane.evaluate(
                '() => Sao.Tab.tabs.get_current().screen.group'
                '.map(r => r.field_get_client("days_in_stock"))')
            self.assertEqual(days, sorted(days, key=int, reverse=True))
            self.assertNotIn("Module Configuration", page.content())
            path = sao.screenshot('vehicles')

            # the group's stock, one tab away
            pane.locator('.nav-tabs > li > a').filter(
                has_text="Group Stock").click()
            sao.idle()
            sao.check("Group Stock")
            texts = rows.all_inner_texts()
            self.assertTrue(any(towns['DUS'] in t or towns['BON'] in t
                    for t in texts), '\n'.join(texts[:10]))

            # the rooftop's vehicle, by its serial number
            vehicle = stock[0]
            self.assertEqual(vehicle['rooftop'], 'KOE')
            search = pane.locator('input[placeholder="Search"]:visible')
            search.fill(vehicle['vin'][10:])
            search.press('Enter')
            expect(rows).to_have_count(1)
            expect(rows.first).to_contain_text(vehicle['vin'][10:])
            text = rows.first.inner_text()
            self.assertTrue(shows(text, vehicle), text)
            self.assertIn(towns['KOE'], text)
        except Exception:
            self.failure_screenshot()
            raise

        self.assertTrue(path.is_file())
        with open(path, 'rb') as file:
            self.assertEqual(file.read(8), b'\x89PNG\r\n\x1a\n')

    def test_sales_user_plans_bookings(self):
        """The bookings open on a calendar of the cars planned and out,
        named by plate and model"""
        import re

        from playwright.sync_api import expect
        sao = self.sao
        try:
            sao.login(LOGIN, PASSWORD)
            sao.menu_row(
                ["Dealer Management", "Vehicles", "Bookings"]).click()
            sao.idle()
            sao.check("open Bookings")
            pane = sao.pane()
            expect(pane.locator('.nav-tabs > li.active').first)\
                .to_contain_text("Planned and Out")
            self.assertEqual(sao.tab_state()['view'], 'calendar')
            events = pane.locator('.fc-event:visible')
            texts = events.all_inner_texts()
            for text in texts:
                # a plate (or the end of a VIN) and the model, not a VIN
                self.assertIsNone(
                    re.search(r'[A-HJ-NPR-Z0-9]{17}', text), text)
            sao.screenshot('bookings')
            # the cars out are planned too
            sao.toolbar_button('switch_').click()
            sao.idle()
            sao.check("Bookings list")
            states = pane.evaluate(
                '() => Sao.Tab.tabs.get_current().screen.group'
                '.map(r => r.field_get("state"))')
            self.assertIn('out', states)
            self.assertEqual(set(states), {'reserved', 'out'})
        except Exception:
            self.failure_screenshot()
            raise

    def test_manager_sees_stock_aging(self):
        "The stock aging graph shows its buckets in order"
        from trytond.modules.dms_vehicle.vehicle import AGING
        sao = self.sao
        try:
            sao.login('manager.koeln', PASSWORD)
            sao.menu_row([
                    "Dealer Management", "Reporting",
                    "Vehicle Stock Aging"]).click()
            sao.idle()
            sao.check("open Vehicle Stock Aging")
            self.assertEqual(sao.tab_state()['view'], 'graph')
            ticks = sao.pane().locator('.bb-axis-x .tick text')
            ticks.first.wait_for()
            labels = [t.strip() for t in ticks.evaluate_all(
                'texts => texts.map(t => t.textContent)')]
            buckets = [key for key, _ in AGING if key]
            self.assertGreater(len(labels), 2, labels)
            self.assertEqual(labels, [b for b in buckets if b in labels])
            sao.screenshot('aging')
        except Exception:
            self.failure_screenshot()
            raise


class ScreenWalkTestCase(SaoTestCase):
    """Every screen of the Dealer Management menu opens for every role: each
    view of each action, the first record's form with each of its pages and
    a New form where the role may create"""

    def walk(self, login):
        sao = self.sao
        rpc = RPC(login, PASSWORD)
        entries = self.menu_entries(rpc)
        self.assertTrue(entries, f"{login} sees no Dealer Management entry")
        sao.login(login, PASSWORD)
        sao.check(f"{login} logs in")
        try:
            for path, views in entries:
                self.walk_entry(login, path, views)
        except Exception:
            self.failure_screenshot()
            raise

    def menu_entries(self, rpc):
        """Return the path of names and the view types of each entry of the
        Dealer Management menu with a window action, as the user sees them
        (in the menu's order)"""
        root = SERVER.model_data('dms_base', 'menu_dms')
        menus = rpc.model('ir.ui.menu', 'search_read',
            [('parent', 'child_of', [root])], 0, None,
            [('sequence', 'ASC'), ('id', 'ASC')],
            ['name', 'parent', 'action'])
        by_id = {m['id']: m for m in menus}
        children = {}
        for menu in menus:
            children.setdefault(menu['parent'], []).append(menu)

        actions = {}
        for menu in menus:
            if menu['action'] and menu['action'].startswith(
                    'ir.action.act_window,'):
                actions[int(menu['action'].split(',')[1])] = None
        for action in rpc.model('ir.action.act_window', 'read',
                list(actions), ['views']):
            actions[action['id']] = [t for _, t in action['views']]

        entries = []

        def visit(menu, path):
            path = path + [menu['name']]
            action = menu['action']
            if action and action.startswith('ir.action.act_window,'):
                entries.append((path, actions[int(action.split(',')[1])]))
            for child in children.get(menu['id'], []):
                visit(child, path)
        visit(by_id[root], [])
        return entries

    def walk_entry(self, login, path, views):
        sao = self.sao
        where = f"{login}: {' › '.join(path)}"
        tabs = sao.tab_state()
        tabs = tabs['tabs'] if tabs else 0
        sao.menu_row(path).locator('.column-char').click()
        sao.idle()
        sao.check(f"{where}: open")
        state = sao.tab_state()
        self.assertEqual(state['tabs'], tabs + 1, f"{where}: no tab opened")
        # every view of the action, by the Switch button; the form shows
        # the first record of the list
        seen = []
        while True:
            self.check_view(where, state)
            seen.append(state['view'])
            if state['view'] == 'form' and (state['record'] or -1) >= 0:
                self.walk_pages(f"{where}: record {state['record']}")
            if len(seen) >= len(views):
                break
            switch = sao.toolbar_button('switch_')
            if (state['view'] == 'tree' and state['records']
                    and state['record'] is None):
                # Select a row before switching, as a user does: the
                # Switch button a graph left enabled may not yet say that
                # the list has no selection
                self.select_first_row(where)
                # sao enables the button once it has the selection
                for _ in range(50):
                    if switch.is_enabled():
                        break
                    sao.page.wait_for_timeout(100)
            if not switch.is_enabled():
                break
            switch.click()
            sao.idle()
            state = sao.tab_state()
            sao.check(f"{where}: {state['view']} view")
        expected = set(views)
        if not state['records']:
            # the form of an empty list is the New form
            expected.discard('form')
        self.assertGreaterEqual(set(seen), expected,
            f"{where}: the views shown")
        self.open_new(where)
        self.close_tab(where)

    def check_view(self, where, state):
        "Check that the view of the tab shows what its type shows"
        pane = self.sao.pane()
        selector = {
            'tree': '.treeview',
            'form': '.form',
            'graph': '.graph',
            'calendar': '.calendar',
            }[state['view']]
        self.assertTrue(pane.locator(f'{selector}:visible').count(),
            f"{where}: the {state['view']} view shows nothing")

    def select_first_row(self, where):
        "Select the first row of the list, if any"
        sao = self.sao
        rows = sao.pane().locator('.treeview tbody tr:visible')
        if not sao.tab_state()['records']:
            return
        # A list switched to from a graph may not have drawn its rows yet
        rows.first.wait_for(state='visible', timeout=UI_TIMEOUT)
        # a cell without a link, which would open the linked record; a
        # long list may still be drawing its rows and miss the first click
        for _ in range(3):
            rows.first.locator('td[data-title]:not(:has(a)):visible')\
                .first.click()
            sao.idle()
            sao.check(f"{where}: select the first row")
            if sao.tab_state()['record'] is not None:
                break
            sao.page.wait_for_timeout(500)

    def open_new(self, where):
        "Open a New form where the role may create and walk its pages"
        sao = self.sao
        new = sao.toolbar_button('new_')
        if not new.is_visible() or not new.is_enabled():
            return
        new.click()
        sao.idle()
        state = sao.tab_state()
        sao.check(f"{where}: New")
        self.assertEqual(state['view'], 'form', f"{where}: New")
        self.assertLess(state['record'], 0, f"{where}: New")
        self.walk_pages(f"{where}: New")

    def walk_pages(self, where):
        "Show each page of the form's notebooks"
        sao = self.sao
        pages = sao.pane().locator('.form .nav-tabs > li:visible > a')
        names = [n.strip() for n in pages.all_inner_texts()]
        for name in names:
            page = pages.filter(has_text=name)
            if not page.count():
                # hidden by what the page before it showed
                continue
            page.first.click()
            sao.idle()
            sao.check(f"{where}: page {name}")

    def close_tab(self, where):
        "Close the tab, leaving a new record unsaved"
        from playwright.sync_api import TimeoutError as PlaywrightTimeout
        sao = self.sao
        tabs = sao.tab_state()['tabs']
        sao.page.locator('#tablist > li.active button.close').click()
        sao.idle()
        # "Save the changes?": No
        ask = sao.page.locator('.modal.confirmation-dialog')
        try:
            ask.wait_for(state='visible', timeout=500)
        except PlaywrightTimeout:
            pass
        else:
            ask.locator('.modal-footer button.btn-default').click()
            ask.wait_for(state='detached')
            sao.idle()
        sao.check(f"{where}: close")
        state = sao.tab_state()
        self.assertEqual(state['tabs'] if state else 0, tabs - 1,
            f"{where}: the tab stays open")


def _walk_test(role, login):
    def test(self):
        self.walk(login)
    test.__name__ = f'test_walk_{role}'
    test.__doc__ = f"Every Dealer Management screen opens for {login}"
    return test


for _role, _login in role_users().items():
    setattr(ScreenWalkTestCase, f'test_walk_{_role}',
        _walk_test(_role, _login))
del _role, _login


class WorkshopBrowserTestCase(SaoTestCase):
    """A service advisor plans the workshop; a customer approves an
    estimate from the link of its e-mail"""

    ADVISOR = 'service.koeln'

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.workshop = cls.ensure_workshop()

    @staticmethod
    def decimal(value):
        return {'__class__': 'Decimal', 'decimal': str(value)}

    @classmethod
    def ensure_workshop(cls):
        """Return the ids of the Köln rooftop and of its workshop, which
        the admin creates when the demo has none"""
        admin = RPC('admin', ADMIN_PASSWORD)
        company, = admin.model('company.company', 'search',
            [('party.name', '=', group_data.ROOFTOPS[0]['name'])],
            0, 1, None)
        workshops = admin.model('dms.workshop', 'search',
            [('company', '=', company)], 0, 1, None)
        context = dict(admin.context, company=company)
        if workshops:
            workshop, = workshops
        else:
            warehouse, = admin.model('stock.location', 'search', [
                    ('type', '=', 'warehouse'),
                    ('company', '=', company)], 0, 1, None)
            sequence_type, = admin.model('ir.sequence.type', 'search',
                [('name', '=', "Repair Order")], 0, 1, None)
            sequence, = admin.model('ir.sequence', 'create', [{
                        'name': "Repair Orders Köln",
                        'sequence_type': sequence_type,
                        'company': company,
                        'prefix': 'RO-K',
                        }])
            hour, = admin.model('product.uom', 'search',
                [('symbol', '=', 'h')], 0, 1, None)
            template, = admin.call('model.product.template.create', [{
                        'name': "Workshop Labour",
                        'type': 'service',
                        'default_uom': hour,
                        'salable': True,
                        'sale_uom': hour,
                        'list_price': cls.decimal('120'),
                        'products': [['create', [{}]]],
                        }], context)
            product, = admin.model('product.product', 'search',
                [('template', '=', template)], 0, 1, None)
            workshop, = admin.call('model.dms.workshop.create', [{
                        'company': company,
                        'name': "Service Köln",
                        'code': 'KOE',
                        'warehouse': warehouse,
                        'order_sequence': sequence,
                        'labour_product': product,
                        }], context)
        return {'company': company, 'workshop': workshop}

    def test_advisor_plans_on_workshop_calendar(self):
        """The service advisor's appointments open on the workshop calendar,
        switch to the list and open a New form"""
        sao = self.sao
        try:
            sao.login(self.ADVISOR, PASSWORD)
            sao.menu_row(
                ["Dealer Management", "Workshop", "Appointments"]).click()
            sao.idle()
            sao.check("open Appointments")
            pane = sao.pane()
            self.assertEqual(sao.tab_state()['view'], 'calendar')
            self.assertTrue(pane.locator('.calendar:visible').count())
            self.assertTrue(pane.locator('.fc:visible').count())
            sao.screenshot('workshop_appointments')

            sao.toolbar_button('switch_').click()
            sao.idle()
            sao.check("Appointments list")
            self.assertEqual(sao.tab_state()['view'], 'tree')
            self.assertTrue(pane.locator('.treeview:visible').count())

            sao.toolbar_button('new_').click()
            sao.idle()
            sao.check("New appointment")
            state = sao.tab_state()
            self.assertEqual(state['view'], 'form')
            self.assertLess(state['record'], 0)
        except Exception:
            self.failure_screenshot()
            raise

    def test_customer_approves_estimate_from_email(self):
        """The advisor sends the estimate of a repair order; the customer
        opens the link of the e-mail without logging in, sees the work and
        its amount and approves it with their name"""
        import re
        import urllib.parse

        from playwright.sync_api import expect

        from trytond.modules.dms_base.tests.tools import SMTPServer

        smtp = SMTPServer(port=SERVER.smtp_port).start()
        self.addCleanup(smtp.stop)

        admin = RPC('admin', ADMIN_PASSWORD)
        advisor = RPC(self.ADVISOR, PASSWORD)
        vehicle, = admin.model('dms.vehicle', 'search_read', [
                ('state', '=', 'customer'),
                ('owner.contact_mechanisms.type', '=', 'email'),
                ], 0, 1, [('id', 'ASC')],
            ['owner', 'owner.name', 'mileage', 'make'])
        make = vehicle['make']
        operation, = admin.call('model.dms.workshop.operation.create', [{
                    'make': make,
                    'code': f'T{vehicle["id"]}',
                    'name': "Replace Front Brake Pads",
                    'standard_hours': 1.5,
                    }], admin.context)

        order, = advisor.model('dms.workshop.order', 'create', [{
                    'workshop': self.workshop['workshop'],
                    'customer': vehicle['owner'],
                    'vehicle': vehicle['id'],
                    'mileage': (vehicle['mileage'] or 0) + 500,
                    'complaint': "Squeaking brakes",
                    }])
        advisor.model('dms.workshop.order', 'check_in', [order])
        advisor.model('dms.workshop.order.line', 'create', [{
                    'order': order,
                    'type': 'labour',
                    'operation': operation,
                    'description': "Replace Front Brake Pads",
                    'quantity': 1.5,
                    'unit_price': self.decimal('120.00'),
                    }])
        advisor.model('dms.workshop.order', 'send_estimate', [order])

        # Without a queue worker the outbox sends once the call commits;
        # the scheduler's run is what sends it otherwise
        deadline = time.monotonic() + 30
        while not smtp.messages and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertEqual(len(smtp.messages), 1, smtp.messages)
        mail = smtp.messages[0]['message']
        body = mail.get_body(preferencelist=('plain',)).get_content()
        link = re.search(r'\S+/dms_workshop/estimate/[\w-]+', body).group(0)
        parts = urllib.parse.urlsplit(link)
        server = urllib.parse.urlsplit(SERVER.url)
        link = parts._replace(
            scheme=server.scheme, netloc=server.netloc).geturl()

        page = self.browser.new_page(viewport={'width': 390, 'height': 844})
        page.set_default_timeout(UI_TIMEOUT)
        try:
            response = page.goto(link)
            self.assertEqual(response.status, 200)
            expect(page.locator('.revision')).to_contain_text(
                "Replace Front Brake Pads")
            # 1.5 h at 120.00, in the customer's language (German)
            expect(page.locator('.revision .total')).to_contain_text(
                re.compile(r'180[,.]00'))
            page.screenshot(
                path=str(SCREENSHOTS / 'estimate_link.png'), full_page=True)
            page.fill('input[name="name"]', vehicle['owner.']['name'])
            with page.expect_navigation():
                page.click('button[name="decision"][value="approve"]')
            expect(page.locator('main')).to_contain_text(
                vehicle['owner.']['name'])
        except Exception:
            page.screenshot(path=str(
                    SCREENSHOTS / 'failure-estimate_link.png'),
                full_page=True)
            raise

        revision, = advisor.model('dms.workshop.order.revision',
            'search_read', [('order', '=', order)], 0, None, None,
            ['state', 'channel', 'decided_by'])
        self.assertEqual(
            (revision['state'], revision['channel'], revision['decided_by']),
            ('approved', 'link', vehicle['owner.']['name']))
        state, = advisor.model('dms.workshop.order', 'read', [order],
            ['state'])
        self.assertEqual(state['state'], 'approved')

        # The link is used up
        response = page.goto(link)
        self.assertEqual(response.status, 410)


class DealBrowserTestCase(SaoTestCase):
    """A sales consultant opens a deal in the web client and sees its
    profit tiers; the sales manager's deals open in each of their views"""

    CONSULTANT = LOGIN
    MANAGER = 'salesmanager.koeln'
    # The profit figures of the Deal page, as sale.sale names them
    PROFIT = ['vehicle_revenue', 'vehicle_cost', 'gp1', 'rebate_amount',
        'gp2', 'addon_income', 'commission_amount', 'preparation_cost',
        'delivery_cost', 'over_allowance', 'selling_cost', 'gp3']

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.deal = cls.create_deal()

    @staticmethod
    def decimal(value):
        return {'__class__': 'Decimal', 'decimal': str(value)}

    @staticmethod
    def to_decimal(value):
        from decimal import Decimal
        if value is None:
            return None
        if isinstance(value, dict):
            value = value['decimal']
        return Decimal(str(value))

    @classmethod
    def create_deal(cls):
        """Create the consultant's draft deal of a car in the stock of the
        rooftop (a new one if any) with an option and return what it is
        made of: the demo's deals are random, this one is the test's own"""
        from trytond.modules.dms_vehicle.stock import ENTRY_TYPES
        admin = RPC('admin', ADMIN_PASSWORD)
        consultant = RPC(cls.CONSULTANT, PASSWORD)
        company = consultant.context['company']
        warehouse = consultant.context['warehouse']
        admin_context = dict(admin.context, company=company)

        # the cars for sale in the rooftop's warehouse, new cars first
        cars = [c for c in consultant.model('dms.vehicle', 'search_read', [
                    ('holding_company', '=', company),
                    ('stock_state', '=', 'in_stock'),
                    ('state', '=', 'available'),
                    ('lot', '!=', None),
                    ('variant.product', '!=', None),
                    ], 0, None, [('id', 'ASC')],
                ['vin', 'rec_name', 'usage', 'lot', 'asking_price',
                    'variant.product', 'location.warehouse'])
            if c['location.'] and c['location.']['warehouse'] == warehouse
            and c['asking_price']]
        cars.sort(key=lambda c: c['usage'] != 'new')
        # its stock value: what the rooftop's receipt of it cost
        costs = {}
        for move in admin.call('model.stock.move.search_read', [
                    ('lot', 'in', [c['lot'] for c in cars]),
                    ('company', '=', company),
                    ('state', '=', 'done'),
                    ('from_location.type', 'in', list(ENTRY_TYPES)),
                    ('to_location.type', '=', 'storage'),
                    ('unit_price', '!=', None),
                    ], 0, None, [('id', 'ASC')], ['lot', 'unit_price'],
                admin_context):
            costs[move['lot']] = cls.to_decimal(
                move['unit_price']).quantize(cls.to_decimal('0.01'))
        cars = [c for c in cars if c['lot'] in costs]
        assert cars, "No car of the rooftop's own receipt for sale"
        car = cars[0]
        product = car['variant.']['product']
        template, = admin.model('product.product', 'read', [product],
            ['template', 'salable', 'default_uom'])
        if not template['salable']:
            # a demo built before the deals: its variants are not sold yet
            admin.model('product.template', 'write', [template['template']],
                {'salable': True, 'sale_uom': template['default_uom']})

        fields = ['rec_name', 'list_price_used', 'cost_price', 'sale_uom']
        options = [o for o in consultant.model('product.product',
                'search_read', [
                    ('template.deal_kind', '=', 'option'),
                    ('salable', '=', True),
                    ], 0, None, [('id', 'ASC')], fields)
            if o['list_price_used'] is not None]
        if not options:
            unit, = admin.model('product.uom', 'search',
                [('symbol', '=', 'u')], 0, 1, None)
            template, = admin.call('model.product.template.create', [{
                        'name': "Winter Package",
                        'type': 'service',
                        'default_uom': unit,
                        'salable': True,
                        'sale_uom': unit,
                        'list_price': cls.decimal('1200'),
                        'deal_kind': 'option',
                        'products': [['create', [{
                                        'cost_price': cls.decimal('700'),
                                        }]]],
                        }], admin_context)
            options = consultant.model('product.product', 'search_read',
                [('template', '=', template)], 0, 1, None, fields)
        option = options[0]

        customer, = consultant.model('party.party', 'search_read', [
                ('name', '=', CUSTOMER_NAMES[0]),
                ], 0, 1, None, ['addresses'])
        address = customer['addresses'][0]
        reference = f'GP-{os.getpid()}-{car["id"]}'
        vehicle_uom, = consultant.model('product.product', 'read',
            [product], ['sale_uom'])
        deal, = consultant.model('sale.sale', 'create', [{
                    'party': customer['id'],
                    'invoice_address': address,
                    'shipment_address': address,
                    'warehouse': warehouse,
                    'reference': reference,
                    'preparation_cost': cls.decimal('250.00'),
                    'delivery_cost': cls.decimal('150.00'),
                    'lines': [['create', [{
                                    'type': 'line',
                                    'vehicle': car['id'],
                                    'product': product,
                                    'description': car['rec_name'],
                                    'quantity': 1,
                                    'unit': vehicle_uom['sale_uom'],
                                    'unit_price': car['asking_price'],
                                    }, {
                                    'type': 'line',
                                    'product': option['id'],
                                    'description': option['rec_name'],
                                    'quantity': 1,
                                    'unit': option['sale_uom'],
                                    'unit_price': option['list_price_used'],
                                    }]]],
                    }])
        return {
            'id': deal,
            'reference': reference,
            'car': car,
            'cost': costs[car['lot']],
            'option': option,
            }

    @staticmethod
    def amount_text(value, locale):
        "Return the amount as sao shows it in the language of the user"
        text = f'{value:,.2f}'
        return text.translate(str.maketrans({
                    ',': locale['thousands_sep'],
                    '.': locale['decimal_point'],
                    }))

    def open_deals(self, login):
        "Log in and open Dealer Management › Deals › Deals"
        sao = self.sao
        sao.login(login, PASSWORD)
        sao.menu_row(["Dealer Management", "Deals", "Deals"]).click()
        sao.idle()
        sao.check(f"{login}: open Deals")
        state = sao.tab_state()
        self.assertEqual(
            (state['model'], state['view']), ('sale.sale', 'tree'))
        return state

    def test_consultant_sees_profit_tiers(self):
        """The consultant opens the draft deal: its Deal page shows GP1, GP2
        and GP3 as the server computes them live"""
        from playwright.sync_api import expect
        deal, D = self.deal, self.to_decimal
        consultant = RPC(self.CONSULTANT, PASSWORD)
        figures, = consultant.model('sale.sale', 'read', [deal['id']],
            self.PROFIT + ['state', 'deal', 'deal_vehicle', 'salesperson'])
        self.assertEqual(
            (figures['state'], figures['deal'], figures['deal_vehicle'],
                figures['salesperson']),
            ('draft', True, deal['car']['id'],
                consultant.context['employee']))
        figures = {n: D(figures[n]) for n in self.PROFIT}
        # the tiers as the issue defines them, from the deal's figures
        self.assertEqual(figures['vehicle_revenue'],
            D(deal['car']['asking_price']))
        self.assertEqual(figures['vehicle_cost'], deal['cost'])
        option, cent = deal['option'], D('0.01')
        self.assertEqual(figures['addon_income'],
            D(option['list_price_used']).quantize(cent)
            - D(option['cost_price'] or 0).quantize(cent))
        self.assertEqual(figures['gp1'],
            figures['vehicle_revenue'] - figures['vehicle_cost'])
        self.assertEqual(figures['gp2'],
            figures['gp1'] + figures['rebate_amount'])
        self.assertEqual(figures['selling_cost'],
            figures['commission_amount'] + figures['preparation_cost']
            + figures['delivery_cost'] + figures['over_allowance'])
        self.assertEqual(figures['gp3'], figures['gp2']
            + figures['addon_income'] - figures['selling_cost'])

        sao = self.sao
        locale = consultant.context['locale']
        try:
            self.open_deals(self.CONSULTANT)
            pane = sao.pane()
            # the deal, by its reference
            search = pane.locator('input[placeholder="Search"]:visible')
            search.fill(deal['reference'])
            search.press('Enter')
            sao.idle()
            rows = pane.locator('.treeview tbody tr:not(.more-row):visible')
            expect(rows).to_have_count(1)
            expect(rows.first).to_contain_text(deal['car']['vin'])
            # select it (a cell without a link), then switch to the form
            rows.first.locator('td[data-title]:not(:has(a)):visible')\
                .first.click()
            sao.idle()
            self.assertEqual(sao.tab_state()['record'], deal['id'])
            switch = sao.toolbar_button('switch_')
            expect(switch).to_be_enabled()
            switch.click()
            sao.idle()
            sao.check("open the deal")
            state = sao.tab_state()
            self.assertEqual((state['view'], state['record']),
                ('form', deal['id']))

            pages = pane.locator('.form .nav-tabs > li:visible > a')
            pages.filter(has_text="Deal").first.click()
            sao.idle()
            sao.check("the Deal page")
            shown = {}
            for name in self.PROFIT:
                field = pane.locator(
                    f'.form .tab-pane.active input[type="text"]'
                    f'[name="{name}"]')
                expect(field).to_be_visible()
                shown[name] = field.input_value()
            expected = {n: self.amount_text(figures[n], locale)
                for n in self.PROFIT}
            self.assertEqual(
                {n: shown[n] for n in ['gp1', 'gp2', 'gp3']},
                {n: expected[n] for n in ['gp1', 'gp2', 'gp3']})
            self.assertEqual(shown, expected)
            path = sao.screenshot('deal_profit')
        except Exception:
            self.failure_screenshot()
            raise
        with open(path, 'rb') as file:
            self.assertEqual(file.read(8), b'\x89PNG\r\n\x1a\n')

    def test_manager_opens_deals(self):
        """The sales manager's deals open in the list and the form, with the
        rooftop's deals only (the reporting graphs are walked by
        ScreenWalkTestCase)"""
        sao = self.sao
        manager = RPC(self.MANAGER, PASSWORD)
        deals = manager.model('sale.sale', 'search_read',
            [('deal', '=', True)], 0, None, None, ['company'])
        self.assertIn(self.deal['id'], [d['id'] for d in deals])
        self.assertEqual({d['company'] for d in deals},
            {manager.context['company']})
        try:
            state = self.open_deals(self.MANAGER)
            pane = sao.pane()
            self.assertGreater(state['records'], 0)
            self.assertTrue(pane.locator('.treeview:visible').count())
            rows = pane.locator('.treeview tbody tr:not(.more-row):visible')
            rows.first.locator('td[data-title]:not(:has(a)):visible')\
                .first.click()
            sao.idle()
            switch = sao.toolbar_button('switch_')
            for view, selector in [('form', '.form')]:
                for _ in range(50):
                    if switch.is_enabled():
                        break
                    sao.page.wait_for_timeout(100)
                switch.click()
                sao.idle()
                sao.check(f"{self.MANAGER}: the deals' {view} view")
                self.assertEqual(sao.tab_state()['view'], view)
                self.assertTrue(
                    pane.locator(f'{selector}:visible').count(), view)
                if view == 'form':
                    pane.locator('.form .nav-tabs > li:visible > a')\
                        .filter(has_text="Deal").first.click()
                    sao.idle()
                    sao.check(f"{self.MANAGER}: the Deal page")
                    sao.screenshot('deal_manager')
        except Exception:
            self.failure_screenshot()
            raise


class LeadBrowserTestCase(SaoTestCase):
    """A salesperson opens the lead pool in the web client: the owned
    leads show the time left before they go back to the pool, and sort by
    it"""

    def test_salesperson_sees_time_left(self):
        from playwright.sync_api import expect
        sales = RPC(LOGIN, PASSWORD)
        company = sales.context['company']
        employee = sales.context['employee']
        pool, = sales.model('dms.lead.pool', 'search_read', [
                ('company', '=', company)], 0, 1, None, ['name'])
        party, = sales.model('party.party', 'search_read', [], 0, 1,
            [('id', 'ASC')], ['id'])
        # A walk-in of the salesperson: owned at once, its clock runs
        lead_id, = sales.model('sale.opportunity', 'create', [{
                    'party': party['id'], 'company': company,
                    'pool': pool['id'], 'employee': employee,
                    'lead_type': 'new_vehicle', 'channel': 'walk_in',
                    'description': "Browser test walk-in",
                    }])
        lead, = sales.model('sale.opportunity', 'read', [lead_id],
            ['number', 'reclaim_at', 'time_left'])
        self.assertIsNotNone(lead['reclaim_at'])
        owned = sales.model('sale.opportunity', 'search_read', [
                ('pool', '!=', None), ('employee', '!=', None),
                ('state', 'in', ['lead', 'opportunity']),
                ('reclaim_at', '!=', None)],
            0, None, [('time_left', 'ASC')], ['number', 'reclaim_at'])

        def moment(value):
            return tuple(value[k] for k in [
                    'year', 'month', 'day', 'hour', 'minute', 'second'])
        self.assertEqual(
            [moment(o['reclaim_at']) for o in owned],
            sorted(moment(o['reclaim_at']) for o in owned))

        sao = self.sao
        try:
            sao.login(LOGIN, PASSWORD)
            sao.menu_row(["Dealer Management", "Leads", "Lead Pool"]).click()
            sao.idle()
            sao.check("open the Lead Pool")
            state = sao.tab_state()
            self.assertEqual(
                (state['model'], state['view']), ('sale.opportunity', 'tree'))
            pane = sao.pane()
            pane.locator('.nav-tabs a').filter(has_text="Owned").first.click()
            sao.idle()
            sao.check("the owned leads")
            header = pane.locator('.treeview thead th').filter(
                has_text="Time Left")
            expect(header.first).to_be_visible()
            number = pane.locator(
                '.treeview tbody tr:visible td[data-title="Number: "]').filter(
                has_text=re.compile(rf'^\s*{re.escape(lead["number"])}\s*$'))
            expect(number).to_have_count(1)
            row = number.locator('xpath=..')
            cell = row.locator('td[data-title="Time Left: "]')
            expect(cell).not_to_have_text('')
            # sort by the time left: the tab asks the server again
            header.first.click()
            sao.idle()
            sao.check("sort by time left")
            expect(number).to_have_count(1)
            sao.screenshot('lead_pool_time_left')
        except Exception:
            self.failure_screenshot()
            raise
        finally:
            # the walk-in was the test's own
            sales.model('sale.opportunity', 'cancel', [lead_id])


class DemoRPCTestCase(unittest.TestCase):
    """A Köln sales consultant of the demo, over JSON-RPC, gets around
    neither the workflow, the stock nor the company"""

    def setUp(self):
        self.rpc = RPC(LOGIN, PASSWORD)
        database = sqlite3.connect(
            f'file:{SERVER.database}?mode=ro', uri=True)
        self.addCleanup(database.close)
        self.koeln, self.duesseldorf = [database.execute(
                'SELECT c.id FROM company_company AS c '
                'JOIN party_party AS p ON p.id = c.party '
                'WHERE p.name = ?', (r['name'],)).fetchone()[0]
            for r in group_data.ROOFTOPS[:2]]

    def refused(self, model, method, *args):
        "Return the message that refuses the call"
        with self.assertRaises(RPCError) as context:
            self.rpc.model(model, method, *args)
        return context.exception.message

    def stock_car(self, company):
        "Return the id of a car available in the stock of the company"
        car, = self.rpc.model('dms.vehicle', 'search', [
                ('holding_company', '=', company),
                ('stock_state', '=', 'in_stock'),
                ('state', '=', 'available')], 0, 1, [('id', 'ASC')])
        return car

    def test_workflow_and_stock_fields(self):
        """The state, the stock state and the stock position are refused on
        write and create"""
        rpc = self.rpc
        for car in [self.stock_car(self.duesseldorf),
                self.stock_car(self.koeln)]:
            for values in [{'state': 'sold'}, {'state': 'scrapped'},
                    {'state': 'held'}, {'stock_state': 'delivered'},
                    {'stock_state': 'none'}, {'on_hand': False},
                    {'scrap_date': '2026-01-01'}, {'manufacturer': "X"}]:
                self.assertIn("You cannot set the field",
                    self.refused('dms.vehicle', 'write', [car], values))
            state, = rpc.model('dms.vehicle', 'read', [car],
                ['state', 'stock_state', 'on_hand'])
            self.assertEqual(
                (state['state'], state['stock_state'], state['on_hand']),
                ('available', 'in_stock', True))
        for values in [{'holding_company': self.duesseldorf},
                {'on_hand': True}, {'receipt_date': '2020-01-01'},
                {'state': 'sold'}, {'stock_state': 'in_stock'}]:
            self.assertIn("You cannot set the field", self.refused(
                    'dms.vehicle', 'create', [{
                            'vin': 'WVWZZZCDZSW000017', **values}]))
        self.assertEqual(rpc.model('dms.vehicle', 'search', [
                    ('vin', '=', 'WVWZZZCDZSW000017')], 0, None, None), [])

    def test_another_rooftops_car(self):
        "Another rooftop's car is neither held nor sold"
        car = self.stock_car(self.duesseldorf)
        for button in ['sell', 'hold']:
            self.assertIn("holds it, and only its staff can",
                self.refused('dms.vehicle', button, [car]))

    def test_hold(self):
        """A car of the rooftop is held for a customer until a day, once
        the customer, the reason and the day are given, and released"""
        rpc = self.rpc
        car = self.stock_car(self.koeln)
        self.assertIn("customer", self.refused('dms.vehicle', 'hold', [car]))
        customer, = rpc.model('party.party', 'search', [
                ('name', '=', CUSTOMER_NAMES[0])], 0, 1, None)
        until = dt.date.today() + dt.timedelta(days=3)
        rpc.model('dms.vehicle', 'write', [car], {
                'hold_party': customer,
                'hold_reason': "Test drive on Saturday",
                'hold_until': {'__class__': 'date', 'year': until.year,
                    'month': until.month, 'day': until.day},
                })
        try:
            rpc.model('dms.vehicle', 'hold', [car])
            state, = rpc.model('dms.vehicle', 'read', [car],
                ['state', 'stock_state'])
            self.assertEqual((state['state'], state['stock_state']),
                ('held', 'in_stock'))
            # the hold is the group's decision, not the stock's
            self.assertIn("You cannot set the field",
                self.refused('dms.vehicle', 'write', [car],
                    {'state': 'available'}))
        finally:
            rpc.model('dms.vehicle', 'release', [car])
        state, = rpc.model('dms.vehicle', 'read', [car],
            ['state', 'hold_party', 'hold_reason', 'hold_until'])
        self.assertEqual(state, {'id': car, 'state': 'available',
                'hold_party': None, 'hold_reason': None,
                'hold_until': None})

    def test_search_through_relations(self):
        "Another rooftop's bookings and their customers are not found"
        rpc = self.rpc
        self.assertEqual(rpc.model('dms.vehicle', 'search', [
                    ('bookings.company', '=', self.duesseldorf)],
                0, None, None), [])
        own = rpc.model('dms.vehicle', 'search', [
                ('bookings.company', '=', self.koeln)], 0, None, None)
        self.assertTrue(own)
        self.assertEqual(rpc.model('dms.vehicle', 'search', [
                    ('documents', 'where', [('private', '=', True)])],
                0, None, None), [])

    def test_employees(self):
        "The staff of the user's rooftop only"
        companies = {e['company'] for e in self.rpc.model(
                'company.employee', 'search_read', [], 0, None, None,
                ['company'])}
        self.assertEqual(companies, {self.koeln})


class DemoContentTestCase(unittest.TestCase):
    "The demo database the browser tests run on"

    def test_demo_group_content(self):
        """The demo database holds the dealer group the README describes:
        three rooftops with their departments and a user of every role,
        customers written to in German with documents expiring this month,
        the vehicle catalog and 150 valid vehicles in every state and stock
        state, aging, held, traded in, with photos and bookings this
        week; and about 2,000 parts with supersessions, each rooftop's stock
        of parts in bins, its counter sales and the sales its counter
        lost, and group transfers of parts between rooftops"""
        from trytond.modules.dms_vehicle import vin as vin_tools
        today = dt.date.today()
        path = SERVER.database
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
        # the staff and the workshops' technicians without login
        self.assertEqual(value('SELECT COUNT(*) FROM company_employee'),
            25 + 4)
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
            'SELECT vin, state, stock_state FROM dms_vehicle').fetchall()
        self.assertEqual(len(vehicles), 150)
        # every decision of the group and every stock state, the pairs
        # the plan names
        self.assertEqual({(s, t) for _, s, t in vehicles},
            set(vehicle_data.STATES))
        invalid = [(v, vin_tools.check(v)) for v, _, _ in vehicles
            if vin_tools.check(v)]
        self.assertEqual(invalid, [])
        # North American VINs carry their mandatory check digit
        self.assertTrue(any(vin_tools.check_digit_required(v)
                for v, _, _ in vehicles))
        # the stock state says where the lot is; on hand: in a storage
        # location
        self.assertEqual(value(
                'SELECT COUNT(*) FROM dms_vehicle '
                "WHERE on_hand != (stock_state IN ('in_stock', 'in_transit'))"
                ), 0)
        # held for a customer, for a reason, until a day: two until the
        # day the demo was built
        held = database.execute(
            'SELECT hold_party, hold_reason, hold_until FROM dms_vehicle '
            "WHERE state = 'held'").fetchall()
        self.assertEqual([h for h in held if not all(h)], [])
        # the day of the demo's deliveries, in the rooftops' time zone
        built = dt.date.fromisoformat(value(
                'SELECT MAX(date) FROM dms_vehicle_mileage '
                "WHERE source = 'delivery'"))
        self.assertEqual(len([h for h in held
                    if dt.date.fromisoformat(h[2]) == built]), 2)
        self.assertEqual(value(
                'SELECT COUNT(*) FROM dms_vehicle '
                "WHERE state != 'held' AND hold_party IS NOT NULL "
                "AND state != 'sold'"), 0)
        # traded in: customers' cars received back through a customer
        # return shipment, available as used cars
        self.assertGreater(value(
                'SELECT COUNT(DISTINCT v.id) FROM dms_vehicle AS v '
                'JOIN stock_move AS m ON m.lot = v.lot '
                'JOIN stock_location AS f ON f.id = m.from_location '
                "WHERE f.type = 'customer' AND m.state = 'done' "
                "AND m.shipment LIKE 'stock.shipment.out.return,%' "
                "AND v.state = 'available' AND v.stock_state = 'in_stock' "
                "AND v.usage = 'used'"), 0)

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
                'SELECT COUNT(DISTINCT vehicle) FROM dms_vehicle_photo '
                'WHERE cover'), 0)
        week = [(today + dt.timedelta(days=d)).isoformat() for d in [-7, 8]]
        bookings = database.execute(
            'SELECT COUNT(*), COUNT(DISTINCT company) '
            'FROM dms_vehicle_booking WHERE planned_start BETWEEN ? AND ?',
            *[week]).fetchone()
        self.assertGreater(bookings[0], 0)
        self.assertEqual(bookings[1], 3)

        # the parts of the three makes, imported from their manufacturers'
        # price files for every rooftop without a bad row, superseded in
        # chains, some fitting the catalog
        self.assertGreaterEqual(value(
                'SELECT COUNT(*) FROM product_template WHERE part'), 1900)
        self.assertEqual(value(
                'SELECT COUNT(DISTINCT part_manufacturer) '
                'FROM product_template WHERE part'), 3)
        self.assertEqual(value(
                'SELECT COUNT(DISTINCT company) FROM dms_part_price_file '
                'WHERE refused = 0'), 3)
        replaced_by = dict(database.execute(
                'SELECT p.id, p.replaced_by FROM product_product AS p '
                'JOIN product_template AS t ON t.id = p.template '
                'WHERE t.part AND p.replaced_by IS NOT NULL').fetchall())
        self.assertGreaterEqual(len(replaced_by), 30)
        self.assertTrue(any(n in replaced_by for n in replaced_by.values()))
        self.assertGreater(value(
                'SELECT COUNT(DISTINCT template) FROM dms_part_fitment'), 100)
        # each rooftop's opening stock of parts, counted into its warehouse
        # by a confirmed inventory, each part in stock in a bin there
        stocked = database.execute(
            'SELECT DISTINCT w.company, w.id, p.template '
            'FROM stock_move AS m '
            'JOIN product_product AS p ON p.id = m.product '
            'JOIN product_template AS t ON t.id = p.template '
            'JOIN stock_location AS l ON l.id = m.to_location '
            'JOIN stock_location AS w ON w."left" < l."left" '
            'AND l."right" < w."right" '
            "WHERE t.part AND m.state = 'done' AND l.type = 'storage' "
            "AND w.type = 'warehouse' "
            "AND m.origin LIKE 'stock.inventory.line,%'").fetchall()
        bins = database.execute(
            'SELECT b.company, b.warehouse, b.template FROM dms_part_bin AS b '
            'JOIN stock_location AS w ON w.id = b.warehouse '
            'WHERE w.company = b.company').fetchall()
        for rows in [stocked, bins]:
            counts = {}
            for company, _, _ in rows:
                counts[company] = counts.get(company, 0) + 1
            self.assertEqual(len(counts), 3, counts)
            self.assertGreaterEqual(min(counts.values()), 100, counts)
        self.assertEqual(set(stocked) - set(bins), set())
        # the sales the rooftops' counters lost since, for several reasons,
        # some for known customers
        lost = database.execute(
            'SELECT COUNT(*), COUNT(DISTINCT company), '
            'COUNT(DISTINCT reason), COUNT(customer), MIN(date), MAX(date) '
            'FROM dms_part_lost_sale').fetchone()
        self.assertTrue(30 <= lost[0] <= 60, lost)
        self.assertEqual(lost[1], 3)
        self.assertGreaterEqual(lost[2], 4)
        self.assertGreater(lost[3], 0)
        self.assertGreaterEqual(dt.datetime.fromisoformat(lost[4]).date(),
            built - dt.timedelta(days=100))
        self.assertLessEqual(dt.datetime.fromisoformat(lost[5]).date(),
            built + dt.timedelta(days=1))
        # each rooftop's counter sales of parts: quotations, sales waiting
        # to be picked, and sales shipped with their invoice posted
        counter = database.execute(
            'SELECT s.company, s.state, COUNT(DISTINCT s.id) '
            'FROM sale_sale AS s '
            'JOIN sale_line AS l ON l.sale = s.id '
            'JOIN product_product AS p ON p.id = l.product '
            'JOIN product_template AS t ON t.id = p.template '
            'WHERE t.part AND s.part_transfer IS NULL '
            'GROUP BY s.company, s.state').fetchall()
        states = {}
        for company, state, count in counter:
            states.setdefault(company, {})[state] = count
        self.assertEqual(len(states), 3, states)
        for by_state in states.values():
            self.assertGreaterEqual(by_state.get('processing', 0), 5, states)
            self.assertGreater(by_state.get('draft', 0), 0, states)
        shipped = database.execute(
            'SELECT COUNT(DISTINCT i.id), COUNT(DISTINCT m.shipment) '
            'FROM sale_sale AS s '
            'JOIN sale_line AS l ON l.sale = s.id '
            'JOIN account_invoice_line AS il '
            "ON il.origin = 'sale.line,' || l.id "
            'JOIN account_invoice AS i ON i.id = il.invoice '
            'JOIN stock_move AS m '
            "ON m.origin = 'sale.line,' || l.id "
            'WHERE s.part_transfer IS NULL '
            "AND i.state = 'posted' AND m.state = 'done'").fetchone()
        self.assertGreaterEqual(min(shipped), 15, shipped)
        # group transfers between rooftops: the seller's sale and the
        # buyer's purchase, each in its own company
        transfers = database.execute(
            'SELECT t.company, t.supplier_company, s.company, p.company '
            'FROM dms_part_transfer AS t '
            'JOIN sale_sale AS s ON s.id = t.sale '
            'JOIN purchase_purchase AS p ON p.id = t.purchase '
            "WHERE t.state = 'requested'").fetchall()
        self.assertEqual(len(transfers), 3, transfers)
        for company, supplier, sale_company, purchase_company in transfers:
            self.assertNotEqual(company, supplier)
            self.assertEqual(
                (sale_company, purchase_company), (supplier, company))

    def test_demo_workshop_week(self):
        """Each rooftop's workshop had a week: its bays, technicians and
        labour rates, the makes' labour operations, appointments in every
        state without booking a bay or a technician twice, one with a loaner
        car, repair orders in every state with their estimate revisions,
        parts issued from the rooftop's stock, the technicians' clocks,
        posted invoices per payer and warranty claims, and the customers'
        notices queued in the outbox; over RPC the service advisor sees
        the rooftop's orders and the technician the job they are on"""
        from decimal import Decimal
        database = sqlite3.connect(
            f'file:{SERVER.database}?mode=ro', uri=True)
        self.addCleanup(database.close)

        def rows(query, *params):
            return database.execute(query, params).fetchall()

        states = {'draft', 'checked_in', 'estimate_sent', 'approved',
            'in_progress', 'waiting_parts', 'quality_check', 'ready',
            'invoiced', 'done', 'cancelled'}
        companies = dict(rows(
                'SELECT p.name, c.id FROM company_company AS c '
                'JOIN party_party AS p ON p.id = c.party'))
        koeln = companies[group_data.ROOFTOPS[0]['name']]
        # a workshop per rooftop, issuing from the rooftop's warehouse
        workshops = rows(
            'SELECT w.id, w.company, w.code, l.company, w.labour_product '
            'FROM dms_workshop AS w '
            'JOIN stock_location AS l ON l.id = w.warehouse')
        self.assertEqual({(c, code) for _, c, code, _, _ in workshops},
            {(companies[r['name']], r['code'])
                for r in group_data.ROOFTOPS})
        self.assertEqual([w for w in workshops if w[1] != w[3]], [])
        self.assertEqual(len({w[4] for w in workshops}), 1)
        rates = {}
        for workshop, payer, rate in rows(
                'SELECT workshop, payer, rate FROM dms_workshop_labour_rate'):
            # SQLite keeps Numeric values as text bytes
            rates.setdefault(workshop, {})[payer] = Decimal(
                rate.decode() if isinstance(rate, bytes) else str(rate))
        self.assertEqual(list(rates.values()), [{
                    'customer': 129, 'warranty': 98, 'insurance': 118,
                    'internal': 85}] * 3)
        for workshop, bays, types in rows(
                'SELECT workshop, COUNT(*), COUNT(DISTINCT type) '
                'FROM dms_workshop_bay GROUP BY workshop'):
            self.assertGreaterEqual((bays, types), (3, 2))
        # the technician user and colleagues without login, with skills
        technicians = rows(
            'SELECT e.workshop, e.id, u.login, e.attendance_ratio, '
            '(SELECT COUNT(*) FROM "company_employee-dms_workshop_skill" '
            'AS s WHERE s.employee = e.id) '
            'FROM company_employee AS e '
            'LEFT JOIN res_user AS u ON u.employee = e.id '
            'WHERE e.workshop IS NOT NULL')
        for workshop, *_ in workshops:
            own = [t for t in technicians if t[0] == workshop]
            self.assertGreaterEqual(len(own), 2, own)
            self.assertEqual(len([t for t in own if t[2]
                        and t[2].startswith('technician.')]), 1, own)
            self.assertTrue(any(t[2] is None for t in own), own)
            self.assertEqual([t for t in own if not t[4]], [])
        # the labour operations of each make, some with times per model
        operations = rows(
            'SELECT make, COUNT(*) FROM dms_workshop_operation '
            'GROUP BY make')
        self.assertEqual(len(operations), 3, operations)
        self.assertGreaterEqual(min(n for _, n in operations), 10)
        self.assertGreater(rows(
                'SELECT COUNT(*) FROM dms_workshop_operation_time')[0][0], 0)

        # repair orders in every state at every rooftop
        by_state = {}
        for company, state in rows(
                'SELECT company, state FROM dms_workshop_order'):
            by_state.setdefault(company, set()).add(state)
        self.assertEqual(by_state, dict.fromkeys(companies.values(), states))
        # the week's appointments, around the day the demo was built
        built = max(dt.datetime.fromisoformat(r).date() for r, in rows(
                'SELECT received FROM dms_workshop_order '
                'WHERE received IS NOT NULL'))
        appointments = rows(
            'SELECT workshop, state, planned_start, planned_end, bay, '
            'technician, loaner FROM dms_workshop_appointment')
        for workshop, *_ in workshops:
            self.assertEqual({a[1] for a in appointments
                    if a[0] == workshop}, {
                    'arrived', 'no_show', 'confirmed', 'requested',
                    'rescheduled', 'cancelled'})
        for appointment in appointments:
            days = (dt.datetime.fromisoformat(appointment[2]).date()
                - built).days
            self.assertLessEqual(abs(days), 7, appointment)
        self.assertEqual(rows(
                'SELECT COUNT(*) FROM dms_workshop_appointment AS a '
                'JOIN dms_workshop_appointment AS b ON a.id < b.id '
                'AND (a.bay = b.bay OR a.technician = b.technician) '
                'AND a.planned_start < b.planned_end '
                'AND b.planned_start < a.planned_end '
                "WHERE a.state NOT IN ('cancelled', 'no_show') "
                "AND b.state NOT IN ('cancelled', 'no_show')")[0][0], 0)
        loaners = rows(
            'SELECT b.purpose, b.state, a.planned_start = b.planned_start '
            'FROM dms_workshop_appointment AS a '
            'JOIN dms_vehicle_booking AS b ON b.id = a.loaner')
        self.assertTrue(loaners)
        self.assertEqual(set(loaners), {('workshop_loaner', 'reserved', 1)})
        # arrived customers' orders from their appointment
        self.assertEqual(rows(
                'SELECT COUNT(*) FROM dms_workshop_appointment AS a '
                "WHERE a.state = 'arrived' AND NOT EXISTS (SELECT 1 "
                'FROM dms_workshop_order AS o WHERE o.appointment = a.id)'
                )[0][0], 0)

        # a second revision approved at each rooftop, another awaiting
        # the customer while the work goes on
        revisions = rows(
            'SELECT o.company, o.state, r.state '
            'FROM dms_workshop_order_revision AS r '
            'JOIN dms_workshop_order AS o ON o.id = r."order" '
            'WHERE r.number = 2')
        for company in companies.values():
            own = {(s, r) for c, s, r in revisions if c == company}
            self.assertIn(('in_progress', 'sent'), own)
            self.assertTrue(any(r == 'approved' for _, r in own), own)
        # one technician user still on a job at each rooftop; the closed
        # clocks count their time and none is ahead
        open_clocks = rows(
            'SELECT c.company, u.login, o.state '
            'FROM dms_workshop_clock AS c '
            'JOIN dms_workshop_order AS o ON o.id = c."order" '
            'JOIN res_user AS u ON u.employee = c.technician '
            'WHERE c."end" IS NULL')
        self.assertEqual(sorted(c for c, _, _ in open_clocks),
            sorted(companies.values()))
        self.assertEqual({(l.split('.')[0], s) for _, l, s in open_clocks},
            {('technician', 'in_progress')})
        clocks = rows(
            'SELECT start, "end", hours FROM dms_workshop_clock '
            'WHERE "end" IS NOT NULL')
        self.assertGreaterEqual(len(clocks), 15)
        for start, end, hours in clocks:
            start = dt.datetime.fromisoformat(start)
            end = dt.datetime.fromisoformat(end)
            self.assertLess(start, end)
            self.assertAlmostEqual(
                hours, (end - start).total_seconds() / 3600, places=1)
            self.assertLessEqual(
                end, dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))
        # parts issued from the rooftop's warehouse through shipments; the
        # order waiting for parts has its shipment waiting
        issued = rows(
            'SELECT o.company, s.state, COUNT(*) FROM stock_move AS m '
            "JOIN dms_workshop_order_line AS l "
            "ON m.origin = 'dms.workshop.order.line,' || l.id "
            'JOIN dms_workshop_order AS o ON o.id = l."order" '
            'JOIN stock_shipment_out AS s '
            "ON m.shipment = 'stock.shipment.out,' || s.id "
            'GROUP BY o.company, s.state')
        self.assertEqual({c for c, s, _ in issued if s == 'done'},
            set(companies.values()))
        self.assertEqual({c for c, s, _ in issued if s == 'waiting'},
            set(companies.values()))
        # each payer invoiced, posted; the warranty to the make's supplier
        invoices = rows(
            'SELECT DISTINCT o.company, o.state, i.state, l.payer, '
            'i.party = mk.supplier '
            'FROM account_invoice_line AS il '
            'JOIN dms_workshop_order_line AS l '
            "ON il.origin = 'dms.workshop.order.line,' || l.id "
            'JOIN dms_workshop_order AS o ON o.id = l."order" '
            'JOIN account_invoice AS i ON i.id = il.invoice '
            'JOIN dms_vehicle AS v ON v.id = o.vehicle '
            'JOIN dms_vehicle_make AS mk ON mk.id = v.make')
        self.assertEqual({o for _, o, _, _, _ in invoices},
            {'invoiced', 'done'})
        self.assertLessEqual({i for _, _, i, _, _ in invoices},
            {'posted', 'paid'})
        self.assertEqual({c for c, _, _, p, s in invoices
                if p == 'warranty' and s}, set(companies.values()))
        # the warranty claims, one paid
        claims = rows(
            'SELECT o.company, c.state, c.claimed_hours '
            'FROM dms_workshop_warranty_claim AS c '
            'JOIN dms_workshop_order AS o ON o.id = c."order"')
        self.assertEqual({c for c, _, _ in claims}, set(companies.values()))
        self.assertIn('paid', {s for _, s, _ in claims})
        # the customers' notices wait in the outbox
        self.assertGreater(rows(
                'SELECT COUNT(*) FROM dms_message '
                "WHERE state = 'queued' "
                "AND (origin LIKE 'dms.workshop.order,%' "
                "OR origin LIKE 'dms.workshop.appointment,%')")[0][0], 0)

        advisor = RPC('service.koeln', PASSWORD)
        orders = advisor.model('dms.workshop.order', 'search_read', [],
            0, None, None, ['state', 'company'])
        self.assertEqual({o['company'] for o in orders}, {koeln})
        self.assertEqual({o['state'] for o in orders}, states)
        technician = RPC('technician.koeln', PASSWORD)
        clock, = technician.model('dms.workshop.clock', 'search_read',
            [('end', '=', None)], 0, None, None, ['technician', 'order'])
        self.assertEqual(clock['technician'], technician.context['employee'])

    def test_demo_leads(self):
        """Each rooftop's pool and the group's hold leads in every state,
        taken in from the mailbox (one hostile document refused), the web,
        calls and walk-ins, answered by the autoresponder, claimed,
        assigned, round-robined, transferred and reclaimed; Köln tracks
        calls, search orders fired on a car received and a campaign was
        opened and clicked"""
        database = sqlite3.connect(
            f'file:{SERVER.database}?mode=ro', uri=True)
        self.addCleanup(database.close)

        def rows(query, *params):
            return database.execute(query, params).fetchall()

        pools = dict(rows('SELECT name, company FROM dms_lead_pool'))
        companies = {c for c, in rows('SELECT id FROM company_company')}
        self.assertEqual(
            {c for c in pools.values() if c}, companies)
        self.assertIn(None, pools.values())
        states = {}
        for company, state in rows(
                'SELECT o.company, o.state FROM sale_opportunity AS o '
                'WHERE o.pool IS NOT NULL'):
            states.setdefault(company, set()).add(state)
        self.assertEqual(states, dict.fromkeys(companies, {
                    'lead', 'opportunity', 'converted', 'lost',
                    'cancelled'}))
        # waiting in every pool and owned with their clock running
        waiting = {p for p, in rows(
                'SELECT DISTINCT pool FROM sale_opportunity '
                "WHERE employee IS NULL AND state = 'lead'")}
        self.assertEqual(len(waiting), len(pools))
        self.assertTrue(rows(
                'SELECT id FROM sale_opportunity WHERE reclaim_at IS NOT NULL '
                'AND employee IS NOT NULL'))
        actions = {a for a, in rows('SELECT action FROM dms_lead_history')}
        self.assertEqual(actions, {'intake', 'claim', 'assign', 'round_robin',
                'transfer', 'reclaim'})
        lost, = rows('SELECT COUNT(*) FROM sale_opportunity '
            "WHERE state = 'lost' AND lost_reason_code IS NULL")
        self.assertEqual(lost, (0,))
        # intake: structured ADF leads, a refused hostile document
        self.assertTrue(rows(
                'SELECT id FROM sale_opportunity WHERE vehicle IS NOT NULL '
                "AND channel = 'marketplace'"))
        errors = [e for e, in rows('SELECT lead_error FROM inbound_email '
                'WHERE lead_error IS NOT NULL')]
        self.assertEqual(len(errors), 1)
        self.assertIn('DTD', errors[0])
        answered, = rows("SELECT COUNT(*) FROM dms_message "
            "WHERE origin LIKE 'sale.opportunity,%'")
        self.assertGreater(answered[0], 0)
        calls = dict(rows(
                'SELECT state, COUNT(*) FROM dms_lead_call GROUP BY state'))
        self.assertEqual(set(calls), {'assigned', 'unassigned'})
        self.assertTrue(rows('SELECT id FROM dms_lead_call '
                'WHERE lead IS NOT NULL AND answered = 0'))
        matches = rows('SELECT message FROM dms_lead_search_order_match')
        self.assertTrue(matches)
        self.assertTrue(all(m for m, in matches))
        opened, clicked, sent = rows(
            'SELECT SUM(opened_at IS NOT NULL), '
            'SUM(call_at IS NOT NULL OR site_at IS NOT NULL '
            'OR booking_at IS NOT NULL), COUNT(*) '
            'FROM dms_lead_campaign_recipient')[0]
        self.assertGreater(sent, opened)
        self.assertGreater(opened, 0)
        self.assertGreater(clicked, 0)

    def test_demo_deals(self):
        """Each rooftop sold vehicles through deals in every state, worked
        by its sales consultants: approvals decided by a manager, trade-ins
        taken into stock, cars delivered after a passed PDI, invoices
        posted and paid; two manufacturers' rebate policies, one with
        volume tiers, accrue rebates on invoicing, one manufacturer paid a
        claim with a difference written off, and the consultants earn
        commissions; over RPC a consultant sees the rooftop's deals with
        their profit tiers"""
        database = sqlite3.connect(
            f'file:{SERVER.database}?mode=ro', uri=True)
        self.addCleanup(database.close)

        def rows(query, *params):
            return database.execute(query, params).fetchall()

        def number(value):
            # SQLite keeps Numeric values as text bytes
            return float(value.decode() if isinstance(value, bytes)
                else value)

        companies = dict(rows(
                'SELECT p.name, c.id FROM company_company AS c '
                'JOIN party_party AS p ON p.id = c.party'))
        koeln = companies[group_data.ROOFTOPS[0]['name']]
        deals = rows(
            'SELECT s.id, s.company, s.state, s.price_approval, '
            'u.login, l.vehicle, v.state, v.stock_state, '
            's.vehicle_revenue_cache '
            'FROM sale_sale AS s '
            'JOIN sale_line AS l ON l.sale = s.id '
            'JOIN dms_vehicle AS v ON v.id = l.vehicle '
            'LEFT JOIN res_user AS u ON u.id = s.price_approved_by')
        states = {'draft', 'quotation', 'confirmed', 'processing', 'done',
            'cancelled'}
        by_company = {}
        for _, company, state, *_ in deals:
            by_company.setdefault(company, set()).add(state)
        self.assertEqual(by_company, dict.fromkeys(companies.values(), states))
        # below the price limit: waiting, rejected and approved, decided
        # by a sales manager or the group manager
        self.assertEqual({d[3] for d in deals} - {None},
            {'pending', 'rejected', 'approved'})
        self.assertEqual({d[4].split('.')[0] for d in deals if d[4]},
            {'salesmanager', 'groupmanager'})
        # a confirmed deal holds its car; the stored profit is set
        for deal in deals:
            state, vehicle_state, stock_state, revenue = (
                deal[2], *deal[6:])
            if state in {'confirmed', 'processing', 'done'}:
                self.assertEqual(vehicle_state, 'sold')
                self.assertIsNotNone(revenue)
            if state == 'done':
                self.assertEqual(stock_state, 'delivered')
        # delivered after a passed PDI, invoiced, and paid when done
        done = rows(
            "SELECT s.state, sh.state, i.state, "
            "(SELECT COUNT(*) FROM dms_vehicle_pdi AS p "
            "WHERE p.vehicle = l.vehicle AND p.state = 'passed') "
            'FROM sale_sale AS s '
            'JOIN sale_line AS l ON l.sale = s.id '
            'JOIN stock_move AS m '
            "ON m.origin = 'sale.line,' || l.id "
            'JOIN stock_shipment_out AS sh '
            "ON m.shipment = 'stock.shipment.out,' || sh.id "
            'JOIN account_invoice_line AS il '
            "ON il.origin = 'sale.line,' || l.id "
            'JOIN account_invoice AS i ON i.id = il.invoice '
            "WHERE l.vehicle IS NOT NULL AND sh.state = 'done'")
        self.assertEqual({(s, i) for s, _, i, _ in done}, {
                ('processing', 'draft'), ('processing', 'posted'),
                ('done', 'paid')})
        self.assertEqual([d for d in done if not d[3]], [])
        # the customers' cars taken in part-exchange, now used cars in
        # stock
        trade_ins = rows(
            'SELECT v.state, v.stock_state, v.usage, s.state '
            'FROM dms_sale_trade_in AS t '
            'JOIN sale_sale AS s ON s.id = t.sale '
            'JOIN dms_vehicle AS v ON v.id = t.vehicle')
        self.assertTrue(trade_ins)
        self.assertEqual({t[:3] for t in trade_ins},
            {('available', 'in_stock', 'used')})

        # two manufacturers' policies, one with volume tiers
        policies = rows(
            'SELECT p.manufacturer, p.calculation, '
            '(SELECT COUNT(*) FROM dms_rebate_policy_tier AS t '
            'WHERE t.policy = p.id) FROM dms_rebate_policy AS p')
        self.assertEqual(len({p[0] for p in policies}), 2, policies)
        self.assertIn('tiers', {p[1] for p in policies})
        self.assertGreaterEqual(
            max(n for _, c, n in policies if c == 'tiers'), 2)
        # rebates estimated, accrued on invoicing, paid and cancelled
        self.assertLessEqual({'estimated', 'accrued', 'paid', 'cancelled'},
            {s for s, in rows('SELECT state FROM dms_rebate_line')})
        # a claim paid with a difference written off
        claims = rows(
            'SELECT c.id, c.paid_amount, m.state, '
            '(SELECT SUM(estimated_amount) FROM dms_rebate_line AS l '
            'WHERE l.claim = c.id), '
            '(SELECT SUM(actual_amount) FROM dms_rebate_line AS l '
            "WHERE l.claim = c.id AND l.state = 'paid') "
            'FROM dms_rebate_claim AS c '
            'JOIN account_move AS m ON m.id = c.payment_move '
            "WHERE c.state = 'paid'")
        self.assertEqual(len(claims), 1, claims)
        _, paid, move_state, claimed, actual = claims[0]
        self.assertEqual(move_state, 'posted')
        self.assertLess(number(paid), number(claimed))
        self.assertAlmostEqual(number(actual), number(paid), places=2)

        # the consultants' commissions on the posted invoices
        commissions = rows(
            'SELECT u.login, c.amount FROM commission AS c '
            'JOIN commission_agent AS a ON a.id = c.agent '
            'JOIN company_employee AS e ON e.party = a.party '
            'JOIN res_user AS u ON u.employee = e.id')
        self.assertTrue(commissions)
        self.assertEqual({l.split('.')[0] for l, _ in commissions},
            {'sales', 'sales2'})
        self.assertTrue(all(number(a) > 0 for _, a in commissions))

        consultant = RPC('sales.koeln', PASSWORD)
        seen = consultant.model('sale.sale', 'search_read',
            [('deal', '=', True)], 0, None, None,
            ['company', 'state', 'gp1', 'gp2', 'gp3'])
        self.assertEqual({d['company'] for d in seen}, {koeln})
        self.assertEqual({d['state'] for d in seen}, states)
        self.assertEqual([d for d in seen if d['gp3'] is None], [])


if __name__ == '__main__':
    unittest.main()
