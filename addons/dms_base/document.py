# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import logging
from collections import defaultdict

from sql.aggregate import Min

from trytond import backend
from trytond.i18n import gettext
from trytond.ir.attachment import AttachmentCopyMixin
from trytond.ir.note import NoteCopyMixin
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .exceptions import DocumentValidationError
from .model import (
    FieldSizeMixin, ReadonlyFieldsMixin, RelationRulesMixin)
from .tools import search_any

logger = logging.getLogger(__name__)

DOCUMENT_TYPES = [
    ('driving_licence', "Driving Licence"),
    ('id_card', "ID Card"),
    ('insurance', "Insurance"),
    ('registration_certificate', "Registration Certificate"),
    ('periodic_inspection', "Periodic Inspection"),
    ('warranty', "Warranty"),
    ('finance_contract', "Finance Contract"),
    ('other', "Other"),
    ]


class Document(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin,
        AttachmentCopyMixin, NoteCopyMixin, ModelSQL, ModelView):
    __name__ = 'dms.document'
    __string__ = "Customer Document"

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='RESTRICT',
        states={
            'readonly': Eval('id', -1) >= 0,
            },
        help="The rooftop that holds the document and sends its reminders.")
    holder = fields.Many2One(
        'party.party', "Holder", required=True, ondelete='RESTRICT',
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="The customer the document belongs to.")
    type = fields.Selection(
        DOCUMENT_TYPES, "Type", required=True, sort=False)
    type_string = type.translated('type')
    number = fields.Char("Number", size=50, strip=True)
    issuer = fields.Char(
        "Issued By", size=100,
        help="The authority, insurer or bank that issued it.")
    issue_date = fields.Date("Issue Date")
    expiry_date = fields.Date(
        "Expiry Date",
        help="The holder is reminded before this date.")
    status = fields.Function(fields.Selection([
                ('valid', "Valid"),
                ('expiring', "Expiring"),
                ('expired', "Expired"),
                ], "Status",
            help="Expiring: within the largest reminder offset."),
        'get_status', searcher='search_status')
    private = fields.Boolean(
        "Private", readonly=True,
        help="Marked private by the customer: "
        "never shown to dealer staff nor reminded through the outbox.")
    comment = fields.Text("Comment")
    attachments = fields.One2Many(
        'ir.attachment', 'resource', "Attachments",
        help="Scans and photos of the document.")
    reminders = fields.One2Many(
        'dms.document.reminder', 'document', "Reminders", readonly=True)

    @classmethod
    def __setup__(cls):
        cls.number.search_unaccented = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.holder, Index.Range())),
                Index(
                    t, (t.expiry_date, Index.Range()),
                    where=t.private == False),  # noqa: E712
                })
        cls._order = [
            ('expiry_date', 'ASC NULLS LAST'),
            ('id', 'DESC'),
            ]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_private(cls):
        return False

    @classmethod
    def default_type(cls):
        return 'driving_licence'

    def get_rec_name(self, name):
        items = [self.type_string]
        if self.number:
            items.append(self.number)
        if self.holder:
            items.append(f'({self.holder.rec_name})')
        return ' '.join(items)

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, [
            'number',
            'holder.rec_name',
            ])

    @classmethod
    def _status_dates(cls):
        pool = Pool()
        Configuration = pool.get('dms.configuration')
        Date = pool.get('ir.date')
        days = Configuration(1).get_reminder_days()
        today = Date.today()
        return today, today + dt.timedelta(days=days[0] if days else 0)

    @classmethod
    def get_status(cls, documents, name):
        today, limit = cls._status_dates()
        status = {}
        for document in documents:
            if not document.expiry_date or document.expiry_date > limit:
                status[document.id] = 'valid'
            elif document.expiry_date < today:
                status[document.id] = 'expired'
            else:
                status[document.id] = 'expiring'
        return status

    @classmethod
    def search_status(cls, name, clause):
        _, operator, value = clause
        today, limit = cls._status_dates()
        domains = {
            'valid': ['OR',
                ('expiry_date', '=', None),
                ('expiry_date', '>', limit),
                ],
            'expiring': [
                ('expiry_date', '>=', today),
                ('expiry_date', '<=', limit),
                ],
            'expired': [('expiry_date', '<', today)],
            }
        if operator in {'=', '!='}:
            values = {value}
        elif operator in {'in', 'not in'}:
            values = set(value)
        else:
            raise ValueError(f"Unsupported operator {operator!r}")
        if operator in {'!=', 'not in'}:
            values = domains.keys() - values
        return [['OR'] + [domains[v] for v in sorted(values & domains.keys())]]

    @classmethod
    def validate_fields(cls, documents, field_names):
        super().validate_fields(documents, field_names)
        cls.check_dates(documents, field_names)

    @classmethod
    def check_dates(cls, documents, field_names=None):
        if field_names and not (field_names & {'issue_date', 'expiry_date'}):
            return
        for document in documents:
            if (document.issue_date and document.expiry_date
                    and document.expiry_date < document.issue_date):
                raise DocumentValidationError(gettext(
                        'dms_base.msg_document_expiry_before_issue',
                        document=document.rec_name,
                        expiry_date=document.expiry_date,
                        issue_date=document.issue_date))

    @classmethod
    def copy(cls, documents, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('reminders')
        return super().copy(documents, default=default)

    @classmethod
    def send_expiry_reminders(cls):
        "Queue a reminder per document and offset reached, once per expiry"
        pool = Pool()
        Date = pool.get('ir.date')
        Configuration = pool.get('dms.configuration')
        Reminder = pool.get('dms.document.reminder')
        Message = pool.get('dms.message')

        offsets = Configuration(1).get_reminder_days()
        if not offsets:
            return []
        # Before reading the reminders sent, so each is sent once: the lock
        # does not wait, a concurrent run fails and the next cron pass retries
        Reminder.lock()
        today = Date.today()
        domain = [
            ('private', '=', False),
            ('expiry_date', '>=', today),
            ('expiry_date', '<=', today + dt.timedelta(days=offsets[0])),
            ('holder.active', '=', True),
            ]
        if company := Transaction().context.get('company'):
            domain.append(('company', '=', company))
        documents = cls.search(domain, order=[('id', 'ASC')])

        reminded = {}
        for sub_documents in grouped_slice(
                documents, backend.MAX_QUERY_PARAMS):
            for reminder in Reminder.search([
                        ('document', 'in', [d.id for d in sub_documents]),
                        ]):
                document = reminder.document
                if reminder.expiry_date != document.expiry_date:
                    continue
                reminded[document.id] = min(
                    reminded.get(document.id, reminder.days), reminder.days)

        due = []
        for document in documents:
            days_left = (document.expiry_date - today).days
            offset = min(d for d in offsets if d >= days_left)
            if reminded.get(document.id, offset + 1) <= offset:
                continue
            due.append((document, offset))

        messages, reminders = [], []
        skipped = defaultdict(list)
        types = {}  # the names of the types per language
        for document, offset in due:
            message = document._get_reminder_message(today, types)
            if not message:
                skipped[document.holder].append(document)
                continue
            messages.append(message)
            reminders.append(Reminder(
                    document=document, days=offset,
                    expiry_date=document.expiry_date, date=today,
                    message=message))
        Message.save(messages)
        Reminder.save(reminders)
        for holder, documents in skipped.items():
            logger.info(
                "no e-mail nor mobile number to remind %s of %s",
                holder.rec_name, ', '.join(d.rec_name for d in documents))
        return reminders

    def _get_reminder_message(self, today, types=None):
        pool = Pool()
        Message = pool.get('dms.message')
        Lang = pool.get('ir.lang')

        holder = self.holder
        channel = Message.preferred_channel(holder)
        if not channel:
            return None
        language = holder.lang.code if holder.lang else None
        lang = Lang.get(language)
        if types is None:
            types = {}
        if lang.code not in types:
            with Transaction().set_context(language=lang.code):
                types[lang.code] = dict(
                    self.fields_get(['type'])['type']['selection'])
        variables = {
            'holder': holder.rec_name,
            'type': types[lang.code].get(self.type, self.type),
            'number': f' {self.number}' if self.number else '',
            'expiry_date': lang.strftime(self.expiry_date),
            'days': (self.expiry_date - today).days,
            'company': self.company.rec_name,
            }
        return Message(
            company=self.company,
            party=holder,
            channel=channel,
            subject=gettext(
                'dms_base.msg_document_reminder_subject', lang.code,
                **variables),
            body=gettext(
                'dms_base.msg_document_reminder_%s' % channel, lang.code,
                **variables),
            origin=self)


class DocumentReminder(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin, ModelSQL,
        ModelView):
    __name__ = 'dms.document.reminder'
    __string__ = "Customer Document Reminder"

    document = fields.Many2One(
        'dms.document', "Document", required=True, ondelete='CASCADE')
    days = fields.Integer(
        "Days Before Expiry", required=True,
        help="The reminder offset that was reached.")
    expiry_date = fields.Date(
        "Expiry Date", required=True,
        help="The expiry date the reminder was about.")
    date = fields.Date("Date", required=True)
    message = fields.Many2One(
        'dms.message', "Message", ondelete='SET NULL')
    message_state = fields.Function(
        fields.Selection('get_message_states', "Message State"),
        'on_change_with_message_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('document')
        t = cls.__table__()
        # Its index also serves the search of a document's reminders
        cls._sql_constraints += [
            ('document_expiry_days_unique',
                Unique(t, t.document, t.expiry_date, t.days),
                'dms_base.msg_document_reminder_unique'),
            ]
        cls._order.insert(0, ('date', 'DESC'))

    @classmethod
    def __register__(cls, module):
        exist = backend.TableHandler.table_exist(cls._table)
        # Migration from the first release: remove duplicates before Unique
        if exist:
            cls._delete_duplicates()
        super().__register__(module)

    @classmethod
    def _delete_duplicates(cls):
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        first = cls.__table__()
        cursor.execute(*table.delete(
                where=~table.id.in_(first.select(
                        Min(first.id),
                        group_by=[
                            first.document, first.expiry_date, first.days]))))

    @classmethod
    def get_message_states(cls):
        pool = Pool()
        Message = pool.get('dms.message')
        return Message.state.selection + [(None, '')]

    @fields.depends('message', '_parent_message.state')
    def on_change_with_message_state(self, name=None):
        return self.message.state if self.message else None
