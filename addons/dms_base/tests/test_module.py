# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import socket
import threading
from unittest.mock import patch

import trytond.config as config
from trytond.i18n import gettext
from trytond.ir.date import Date
from trytond.model import Unique
from trytond.model.exceptions import SQLConstraintError
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, create_employee, set_company)
from trytond.modules.dms_base.exceptions import DepartmentValidationError
from trytond.modules.dms_base.outbox import _safe_uri
from trytond.modules.dms_base.tests.tools import (
    free_port, untranslated_entries)
from trytond.modules.dms_base.tools import search_any
from trytond.modules.party.tests import (
    PartyCheckEraseMixin, PartyCheckReplaceMixin)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction, TransactionError


class DmsBaseTestCase(
        PartyCheckEraseMixin, PartyCheckReplaceMixin, CompanyTestMixin,
        ModuleTestCase):
    "Test dms_base module"
    module = 'dms_base'

    @with_transaction()
    def test_retry_delay_doubles(self):
        "Test the retry delay doubles after each failure"
        pool = Pool()
        Configuration = pool.get('dms.configuration')
        configuration = Configuration(1)
        self.assertEqual(
            [configuration.get_retry_delay(n) for n in range(1, 5)],
            [dt.timedelta(minutes=m) for m in [10, 20, 40, 80]])

    @with_transaction()
    def test_reminder_days(self):
        "Test reminder offsets are returned largest first without duplicates"
        pool = Pool()
        Configuration = pool.get('dms.configuration')
        configuration = Configuration(1)
        self.assertEqual(configuration.get_reminder_days(), [30, 15])

    def test_search_any(self):
        "Test a name search matches any field, or none for a negation"
        self.assertEqual(
            search_any(('rec_name', 'ilike', '%K-AB%'), ['vin', 'plate']),
            ['OR', ('vin', 'ilike', '%K-AB%'), ('plate', 'ilike', '%K-AB%')])
        for operator in ['!=', 'not ilike', 'not in']:
            self.assertEqual(
                search_any(('rec_name', operator, 'x'), ['code', 'name']),
                ['AND', ('code', operator, 'x'), ('name', operator, 'x')])

    def test_safe_uri(self):
        "Test the password of a server is never shown in errors"
        for uri, result in [
                ('smtp://user:secret@mail.example.com:587',
                    'smtp://user:***@mail.example.com:587'),
                ('https://sms.example.com/send',
                    'https://sms.example.com/send'),
                ('smtp://localhost:25', 'smtp://localhost:25'),
                ]:
            with self.subTest(uri=uri):
                self.assertEqual(_safe_uri(uri), result)

    @with_transaction()
    def test_document_status(self):
        "Test the status of documents and its search"
        pool = Pool()
        Party = pool.get('party.party')
        Document = pool.get('dms.document')
        company = create_company()
        with set_company(company), \
                patch.object(Date, 'today', return_value=dt.date(2026, 6, 1)):
            party = Party(name="Holder")
            party.save()
            expiries = {
                'none': None,
                'expired': dt.date(2026, 5, 31),
                'today': dt.date(2026, 6, 1),
                'in_30': dt.date(2026, 7, 1),
                'in_31': dt.date(2026, 7, 2),
                }
            documents = {}
            for name, expiry in expiries.items():
                documents[name] = Document(
                    holder=party, type='other', number=name,
                    expiry_date=expiry)
            Document.save(documents.values())

            self.assertEqual(
                {n: d.status for n, d in documents.items()}, {
                    'none': 'valid',
                    'expired': 'expired',
                    'today': 'expiring',
                    'in_30': 'expiring',
                    'in_31': 'valid',
                    })
            for clause, names in [
                    (('status', '=', 'expiring'), {'today', 'in_30'}),
                    (('status', '=', 'valid'), {'none', 'in_31'}),
                    (('status', '!=', 'valid'),
                        {'expired', 'today', 'in_30'}),
                    (('status', 'in', ['expired', 'valid']),
                        {'expired', 'none', 'in_31'}),
                    (('status', 'not in', ['expired', 'valid']),
                        {'today', 'in_30'}),
                    ]:
                with self.subTest(clause=clause):
                    self.assertEqual(
                        {d.number for d in Document.search([clause])},
                        names)

    @with_transaction()
    def test_department_codes_per_company(self):
        "Test a department code repeats across companies, not within one"
        pool = Pool()
        Department = pool.get('dms.department')
        north = create_company("North")
        south = create_company("South")
        vlist = [{
                'company': company.id,
                'code': code,
                'name': code,
                'type': 'service',
                } for company in [north, south] for code in ['SVC', 'PRT']]

        Department.create(vlist)

        with self.assertRaises(DepartmentValidationError) as cm:
            Department.create([dict(vlist[0], code='BDY'), vlist[3]])
        self.assertEqual(
            cm.exception.message,
            'The code "PRT" is already used by department "[PRT] PRT" '
            'of company "South".')

    @with_transaction()
    def test_group_manager_companies_taken_back(self):
        "Test a user leaving Group Manager keeps only their own companies"
        pool = Pool()
        User = pool.get('res.user')
        Group = pool.get('res.group')
        ModelData = pool.get('ir.model.data')
        group_manager = Group(
            ModelData.get_id('dms_base', 'group_group_manager'))
        rooftop_manager = Group(
            ModelData.get_id('dms_base', 'group_rooftop_manager'))
        north = create_company("North")
        south = create_company("South")
        east = create_company("East")
        west = create_company("West")

        # The roles come first in the values: North is still the user's own
        user, = User.create([{
                    'login': 'greta',
                    'name': "Greta",
                    'groups': [('add', [group_manager.id])],
                    'companies': [('add', [north.id])],
                    'company': north.id,
                    }])
        self.assertEqual(
            {c.rec_name for c in user.companies},
            {"North", "South", "East", "West"})
        # Given by hand while already granted by the role: her own too
        User.write([user], {
                'companies': [('add', [south.id])],
                'company': east.id,
                })

        User.write([user], {
                'groups': [
                    ('remove', [group_manager.id]),
                    ('add', [rooftop_manager.id]),
                    ],
                })
        user = User(user.id)
        self.assertEqual(
            sorted(c.rec_name for c in user.companies), ["North", "South"])
        self.assertEqual(user.company, north)

        # A group moved under the role and away again
        directors = Group(name="Directors", users=[user])
        directors.save()
        directors.parent = group_manager
        directors.save()
        user = User(user.id)
        self.assertEqual(len(user.companies), 4)
        directors.parent = None
        directors.save()
        user = User(user.id)
        self.assertEqual(
            sorted(c.rec_name for c in user.companies), ["North", "South"])

        # Leaving the group that held the role, by deleting the link
        directors.parent = group_manager
        directors.save()
        User.write([user], {'company': west.id})
        Group.write([directors], {'users': [('remove', [user.id])]})
        user = User(user.id)
        self.assertEqual(
            sorted(c.rec_name for c in user.companies), ["North", "South"])
        self.assertEqual(user.company, north)

    @with_transaction()
    def test_group_manager_company_given_while_leaving(self):
        "Test a company given in the call that removes the role is kept"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        group_manager = ModelData.get_id('dms_base', 'group_group_manager')
        north = create_company("North")
        south = create_company("South")
        east = create_company("East")
        west = create_company("West")

        # Tryton 8 has no 'set' action: a list edited by hand is written as
        # the companies added and removed
        for i, (companies, kept) in enumerate([
                    ([('add', [south.id])], ["North", "South"]),
                    ([('remove', [west.id]), ('add', [east.id])],
                        ["East", "North"]),
                    ]):
            with self.subTest(companies=companies):
                user, = User.create([{
                            'login': f'greta{i}',
                            'name': "Greta",
                            'groups': [('add', [group_manager])],
                            'companies': [('add', [north.id])],
                            'company': north.id,
                            }])
                self.assertEqual(
                    {c.rec_name for c in user.companies},
                    {c.rec_name for c in [north, south, east, west]})

                User.write([user], {
                        'companies': companies,
                        'groups': [('remove', [group_manager])],
                        })
                user = User(user.id)
                self.assertEqual(
                    sorted(c.rec_name for c in user.companies), kept)

    @with_transaction()
    def test_group_manager_employees_taken_back(self):
        "Test a user leaving Group Manager loses its employees there"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        group_manager = ModelData.get_id('dms_base', 'group_group_manager')
        north = create_company("North")
        south = create_company("South")
        north_employee = create_employee(north, "Greta North")
        south_employee = create_employee(south, "Greta South")

        user, = User.create([{
                    'login': 'greta',
                    'name': "Greta",
                    'groups': [('add', [group_manager])],
                    'companies': [('add', [north.id])],
                    }])
        User.write([user], {
                'company': south.id,
                'employees': [
                    ('add', [north_employee.id, south_employee.id])],
                'employee': south_employee.id,
                'company_filter': 'all',
                })

        User.write([user], {'groups': [('remove', [group_manager])]})
        user = User(user.id)
        self.assertEqual(user.companies, (north,))
        self.assertEqual(user.employees, (north_employee,))
        self.assertEqual(
            (user.company, user.employee), (north, north_employee))
        # What the client checks before saving the user form
        User._validate([user])
        with Transaction().set_user(user.id):
            self.assertEqual(User.get_employees(), (north_employee.id,))

    @with_transaction()
    def test_migration_flags_granted_companies(self):
        "Test the upgrade flags the companies the role gave to its members"
        pool = Pool()
        User = pool.get('res.user')
        Group = pool.get('res.group')
        UserCompany = pool.get('res.user-company.company')
        ModelData = pool.get('ir.model.data')
        group_manager = ModelData.get_id('dms_base', 'group_group_manager')
        rooftop_manager = ModelData.get_id(
            'dms_base', 'group_rooftop_manager')
        north = create_company("North")
        south = create_company("South")
        east = create_company("East")
        greta_employee = create_employee(north, "Greta")
        directors, = Group.create([{
                    'name': "Directors",
                    'parent': group_manager,
                    }])
        companies = [('add', [north.id, south.id, east.id])]
        greta, hans, ida = User.create([{
                    'login': 'greta',
                    'name': "Greta",
                    'groups': [('add', [group_manager])],
                    'companies': companies,
                    'employees': [('add', [greta_employee.id])],
                    }, {
                    'login': 'hans',
                    'name': "Hans",
                    'groups': [('add', [directors.id])],
                    'companies': companies,
                    }, {
                    'login': 'ida',
                    'name': "Ida",
                    'groups': [('add', [rooftop_manager])],
                    'companies': companies,
                    }])
        # As the first release left them
        table = UserCompany.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update(
                [table.granted_to_group_manager], [False]))

        UserCompany._flag_granted_to_group_manager()

        links = UserCompany.search([
                ('user', 'in', [greta.id, hans.id, ida.id]),
                ('granted_to_group_manager', '=', True),
                ])
        self.assertEqual(
            sorted((l.user.login, l.company.rec_name) for l in links), [
                ('greta', "East"), ('greta', "South"),
                ('hans', "East"), ('hans', "North"), ('hans', "South"),
                ])

    @with_transaction()
    def test_migration_deletes_duplicate_reminders(self):
        "Test the upgrade keeps the first of duplicate reminders"
        pool = Pool()
        Party = pool.get('party.party')
        Document = pool.get('dms.document')
        Reminder = pool.get('dms.document.reminder')
        company = create_company()
        with set_company(company):
            party = Party(name="Holder")
            party.save()
            document = Document(
                holder=party, type='insurance',
                expiry_date=dt.date(2026, 6, 20))
            document.save()
        table_h = Reminder.__table_handler__()
        table = Reminder.__table__()
        cursor = Transaction().connection.cursor()

        # As the first release left them, without the constraint
        table_h.drop_constraint('document_expiry_days_unique')
        try:
            rows = [
                (30, dt.date(2026, 6, 20)),
                (30, dt.date(2026, 6, 20)),
                (15, dt.date(2026, 6, 20)),
                (30, dt.date(2026, 6, 20)),
                (30, dt.date(2026, 7, 20)),
                (15, dt.date(2026, 6, 20)),
                ]
            cursor.execute(*table.insert(
                    [table.id, table.document, table.days,
                        table.expiry_date, table.date],
                    [[i, document.id, days, expiry_date, dt.date(2026, 6, 1)]
                        for i, (days, expiry_date) in enumerate(rows, 1)]))

            Reminder._delete_duplicates()

            cursor.execute(*table.select(table.id, order_by=[table.id]))
            self.assertEqual([i for i, in cursor], [1, 3, 5])
        finally:
            cursor.execute(*table.delete())
            table_h.add_constraint(
                'document_expiry_days_unique',
                Unique(table, table.document, table.expiry_date, table.days))

    @with_transaction()
    def test_document_reminded_once(self):
        "Test the database refuses a second reminder of the same offset"
        pool = Pool()
        Party = pool.get('party.party')
        Document = pool.get('dms.document')
        Reminder = pool.get('dms.document.reminder')
        company = create_company()
        with set_company(company), \
                patch.object(Date, 'today', return_value=dt.date(2026, 6, 1)):
            party = Party(name="Holder", contact_mechanisms=[
                    {'type': 'email', 'value': 'holder@example.com'},
                    ])
            party.save()
            document = Document(
                holder=party, type='insurance',
                expiry_date=dt.date(2026, 6, 20))
            document.save()

            reminder, = Document.send_expiry_reminders()
            self.assertEqual(
                (reminder.document, reminder.days, reminder.expiry_date),
                (document, 30, dt.date(2026, 6, 20)))
            self.assertEqual(Document.send_expiry_reminders(), [])

            # Last: on SQLite in memory the error rolls everything back
            with self.assertRaises(SQLConstraintError) as cm:
                Reminder.create([{
                            'document': document.id,
                            'days': 30,
                            'expiry_date': dt.date(2026, 6, 20),
                            'date': dt.date(2026, 6, 1),
                            }])
            self.assertEqual(
                cm.exception.message,
                "A document can be reminded only once per offset "
                "and expiry date.")

    @with_transaction()
    def test_email_server_errors(self):
        "Test a message the e-mail server does not take fails with why"
        pool = Pool()
        Party = pool.get('party.party')
        Message = pool.get('dms.message')
        company = create_company()
        with set_company(company):
            party = Party(name="Alice", contact_mechanisms=[
                    {'type': 'email', 'value': 'alice@example.com'},
                    ])
            party.save()

        # A server that closes each connection at once
        listener = socket.create_server(('127.0.0.1', 0))
        self.addCleanup(listener.close)

        def close_connections():
            while True:
                try:
                    connection, _ = listener.accept()
                except OSError:
                    return
                connection.close()
        threading.Thread(target=close_connections, daemon=True).start()

        uri = config.get('email', 'uri')
        self.addCleanup(config.set, 'email', 'uri', uri)
        closing = listener.getsockname()[1]
        down = free_port()
        for uri, error in [
                (f'smtp://user:secret@127.0.0.1:{down}',
                    f"The e-mail server smtp://user:***@127.0.0.1:{down} "
                    "cannot be reached: [Errno 111] Connection refused"),
                (f'smtp://127.0.0.1:{closing}',
                    f"The e-mail server smtp://127.0.0.1:{closing} closed "
                    "the connection while sending the e-mail to "
                    "\"alice@example.com\": Connection unexpectedly closed"),
                ]:
            with self.subTest(uri=uri), set_company(company):
                config.set('email', 'uri', uri)
                message, = Message.create([{
                            'party': party.id,
                            'subject': "Hi",
                            'body': "Hello",
                            }])
                Message.send([message])
                self.assertEqual(
                    (message.state, message.attempts, message.error),
                    ('failed', 1, error))
                self.assertTrue(message.next_attempt)

    @with_transaction()
    def test_send_due_worker_down(self):
        "Test the scheduler adds no task for a message whose task waits"
        pool = Pool()
        Party = pool.get('party.party')
        Message = pool.get('dms.message')
        Queue = pool.get('ir.queue')
        company = create_company()
        worker = config.get('queue', 'worker', default='False')
        self.addCleanup(config.set, 'queue', 'worker', worker)
        config.set('queue', 'worker', 'True')

        def tasks(message):
            return [t for t in Queue.search([('name', '=', 'dms_message')])
                if list(t.data['instances']) == [message.id]]

        with set_company(company):
            party = Party(name="Alice", contact_mechanisms=[
                    {'type': 'email', 'value': 'alice@example.com'},
                    ])
            party.save()
            message, = Message.create([{
                        'party': party.id,
                        'subject': "Hi",
                        'body': "Hello",
                        }])
            self.assertEqual(len(tasks(message)), 1)

            Message.send_due()
            Message.send_due()
            self.assertEqual(len(tasks(message)), 1)

            # The worker took the task and stopped: the scheduler tries again
            Queue.write(tasks(message), {'dequeued_at': dt.datetime.now()})
            Message.send_due()
            self.assertEqual(len(tasks(message)), 2)

    @with_transaction()
    def test_reminder_types_translated(self):
        "Test reminders name the type in the holder's language"
        pool = Pool()
        Party = pool.get('party.party')
        Lang = pool.get('ir.lang')
        Translation = pool.get('ir.translation')
        Document = pool.get('dms.document')
        company = create_company()
        french, = Lang.search([('code', '=', 'fr')])
        french.translatable = True
        french.save()
        Translation.create([{
                    'name': 'dms.document,type',
                    'type': 'selection',
                    'lang': 'fr',
                    'src': "Insurance",
                    'value': "Assurance",
                    'module': 'dms_base',
                    }])
        with set_company(company), \
                patch.object(Date, 'today', return_value=dt.date(2026, 6, 1)):
            documents = []
            for i, lang in enumerate([None, french, None, french, french]):
                party = Party(
                    name=f"Holder {i}", lang=lang, contact_mechanisms=[{
                            'type': 'email',
                            'value': f'holder{i}@example.com',
                            }])
                party.save()
                documents.append(Document(
                        holder=party, type='insurance',
                        expiry_date=dt.date(2026, 6, 20)))
            Document.save(documents)

            reminders = Document.send_expiry_reminders()
            self.assertEqual(
                [r.message.subject.split()[1] for r in reminders],
                ['Insurance', 'Assurance', 'Insurance', 'Assurance',
                    'Assurance'])

    @with_transaction()
    def test_reminder_run_fails_while_locked(self):
        "Test a reminder run without the lock fails before sending anything"
        pool = Pool()
        Party = pool.get('party.party')
        Document = pool.get('dms.document')
        Reminder = pool.get('dms.document.reminder')
        Message = pool.get('dms.message')
        company = create_company()
        with set_company(company), \
                patch.object(Date, 'today', return_value=dt.date(2026, 6, 1)):
            party = Party(name="Holder", contact_mechanisms=[
                    {'type': 'email', 'value': 'holder@example.com'},
                    ])
            party.save()
            Document(
                holder=party, type='insurance',
                expiry_date=dt.date(2026, 6, 20)).save()

            # Tryton asks the cron to retry with the table locked at the
            # start of its transaction, without waiting for another run
            with self.assertRaises(TransactionError):
                Document.send_expiry_reminders()
            self.assertEqual(Reminder.search([]), [])
            self.assertEqual(Message.search([]), [])

    @with_transaction()
    def test_preferred_channel(self):
        "Test customers are reached by e-mail first, then by SMS"
        pool = Pool()
        Party = pool.get('party.party')
        Message = pool.get('dms.message')
        both = Party(name="Both", contact_mechanisms=[
                {'type': 'mobile', 'value': '+33612345678'},
                {'type': 'email', 'value': 'both@example.com'},
                ])
        mobile = Party(name="Mobile", contact_mechanisms=[
                {'type': 'mobile', 'value': '+33612345678'},
                {'type': 'phone', 'value': '+33123456789'},
                ])
        landline = Party(name="Landline", contact_mechanisms=[
                {'type': 'phone', 'value': '+33123456789'},
                ])
        Party.save([both, mobile, landline])
        self.assertEqual(Message.preferred_channel(both), 'email')
        self.assertEqual(Message.preferred_channel(mobile), 'sms')
        self.assertEqual(Message.party_address(mobile, 'sms'), '+33612345678')
        self.assertIsNone(Message.preferred_channel(landline))

    @with_transaction()
    def test_german_translation(self):
        "Test the German translation loads for messages, fields and roles"
        pool = Pool()
        Lang = pool.get('ir.lang')
        Document = pool.get('dms.document')
        Group = pool.get('res.group')
        ModelData = pool.get('ir.model.data')
        german, = Lang.search([('code', '=', 'de')])
        Lang.load_translations([german])
        with Transaction().set_context(language='de'):
            self.assertEqual(
                gettext(
                    'dms_base.msg_department_code_used',
                    code="VK", department="Verkauf Neuwagen",
                    company="Autohaus Köln"),
                "Der Code \"VK\" wird bereits von der Abteilung "
                "\"Verkauf Neuwagen\" des Unternehmens \"Autohaus Köln\" "
                "verwendet.")
            fields = Document.fields_get(['expiry_date', 'type'])
            self.assertEqual(fields['expiry_date']['string'], "Ablaufdatum")
            self.assertIn(
                ('periodic_inspection', "Hauptuntersuchung"),
                fields['type']['selection'])
            group = Group(ModelData.get_id('dms_base', 'group_sales_manager'))
            self.assertEqual(group.name, "Autohaus Verkaufsleiter")

    @with_transaction()
    def test_german_translation_complete(self):
        "Test every string of the module has its German translation"
        missing, obsolete = untranslated_entries('dms_base', 'de')
        self.assertEqual(missing, [], msg="Not translated in locale/de.po")
        self.assertEqual(obsolete, [], msg="No longer in the module")


del ModuleTestCase
