# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import json
import logging
import smtplib
import urllib.error
import urllib.parse
import urllib.request
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr

try:
    import phonenumbers
except ImportError:
    phonenumbers = None

import trytond.config as config
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.sendmail import send_message
from trytond.tools import firstline
from trytond.transaction import Transaction, without_check_access
from trytond.url import host

from .exceptions import (
    MessageModificationError, MessageSendError, MessageValidationError)
from .model import FieldSizeMixin, ReadonlyFieldsMixin, RelationRulesMixin
from .tools import search_any

logger = logging.getLogger(__name__)

CHANNELS = [
    ('email', "E-mail"),
    ('sms', "SMS"),
    ]


class Message(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin, Workflow,
        ModelSQL, ModelView):
    __name__ = 'dms.message'
    __string__ = "Customer Message"

    _states = {
        'readonly': ~Eval('state').in_(['queued', 'failed']),
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='RESTRICT',
        states={
            'readonly': _states['readonly'] | (Eval('id', -1) >= 0),
            },
        help="The rooftop the message is sent for.")
    party = fields.Many2One(
        'party.party', "Recipient", required=True, ondelete='RESTRICT',
        states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    channel = fields.Selection(
        CHANNELS, "Channel", required=True, states=_states)
    channel_string = channel.translated('channel')
    address = fields.Char(
        "To", size=320, required=True, strip=True, states=_states,
        help="The e-mail address or the mobile number.\n"
        "Leave empty to use the recipient's.")
    subject = fields.Char(
        "Subject", size=200, states={
            'readonly': _states['readonly'],
            'required': Eval('channel') == 'email',
            'invisible': Eval('channel') != 'email',
            })
    body = fields.Text("Body", required=True, states=_states)
    origin = fields.Reference(
        "About", selection='get_origin', readonly=True,
        help="The record the message is about.")
    state = fields.Selection([
            ('queued', "Queued"),
            ('sent', "Sent"),
            ('failed', "Failed"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')
    attempts = fields.Integer("Attempts", readonly=True)
    error = fields.Text(
        "Error", readonly=True,
        states={
            'invisible': ~Eval('error'),
            },
        help="What the server answered at the last failed attempt.")
    last_attempt = fields.DateTime("Last Attempt", readonly=True)
    next_attempt = fields.DateTime(
        "Next Attempt", readonly=True,
        states={
            'invisible': Eval('state') != 'failed',
            },
        help="When the outbox tries again on its own.")
    sent_date = fields.DateTime("Sent", readonly=True)
    reference = fields.Char(
        "Reference", size=100, readonly=True,
        help="The identifier the server gave to the message.")

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.party, Index.Range())),
                Index(t, (t.origin, Index.Similarity(begin=True))),
                Index(
                    t,
                    (t.state, Index.Equality(cardinality='low')),
                    (t.next_attempt, Index.Range()),
                    where=t.state.in_(['queued', 'failed'])),
                })
        cls._order = [
            ('create_date', 'DESC'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('queued', 'sent'),
            ('queued', 'failed'),
            ('queued', 'cancelled'),
            ('failed', 'sent'),
            ('failed', 'failed'),
            ('failed', 'queued'),
            ('failed', 'cancelled'),
            ('cancelled', 'queued'),
            }
        cls._buttons.update({
                'retry': {
                    'invisible': ~Eval('state').in_(['failed', 'cancelled']),
                    'icon': 'tryton-refresh',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['queued', 'failed']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_channel(cls):
        return 'email'

    @classmethod
    def default_state(cls):
        return 'queued'

    @classmethod
    def default_attempts(cls):
        return 0

    @classmethod
    def _get_origin(cls):
        return ['dms.document']

    @classmethod
    def get_origin(cls):
        pool = Pool()
        IrModel = pool.get('ir.model')
        models = cls._get_origin()
        return [(None, '')] + [
            (m, n) for m, n in IrModel.get_name_items() if m in models]

    def get_rec_name(self, name):
        title = self.subject or firstline(self.body or '')
        if self.party:
            return f'{title} ({self.party.rec_name})'
        return title

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, [
            'subject',
            'body',
            'party.rec_name',
            ])

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('state') == 'failed', 'danger',
                    If(Eval('state') == 'cancelled', 'muted', ''))),
            ]

    @classmethod
    def party_address(cls, party, channel):
        if channel == 'email':
            mechanism = party.contact_mechanism_get('email')
            if mechanism:
                return mechanism.value
        elif channel == 'sms':
            mechanism = party.contact_mechanism_get('mobile')
            if mechanism:
                return mechanism.value_compact or mechanism.value

    @classmethod
    def preferred_channel(cls, party):
        for channel, _ in CHANNELS:
            if cls.party_address(party, channel):
                return channel

    @fields.depends('party', 'channel', 'address')
    def on_change_party(self):
        if self.party and self.channel:
            self.address = self.party_address(self.party, self.channel)

    @fields.depends(methods=['on_change_party'])
    def on_change_channel(self):
        self.on_change_party()

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Party = pool.get('party.party')
        values = super().preprocess_values(mode, values)
        if (mode == 'create' and not values.get('address')
                and values.get('party') is not None):
            # The recipient must be reachable before anything is written
            party = Party(values['party'])
            channel = values.get('channel', cls.default_channel())
            address = cls.party_address(party, channel)
            if not address:
                raise MessageValidationError(gettext(
                        'dms_base.msg_message_no_address_%s' % channel,
                        party=party.rec_name,
                        message=values.get('subject')
                        or firstline(values.get('body') or '')))
            values['address'] = address
        return values

    @classmethod
    def validate_fields(cls, messages, field_names):
        super().validate_fields(messages, field_names)
        cls.check_address(messages, field_names)

    @classmethod
    def check_address(cls, messages, field_names=None):
        if field_names and not (field_names & {'address', 'channel'}):
            return
        for message in messages:
            if message.channel == 'email':
                _, email = parseaddr(message.address or '')
                if ('@' not in email or email != message.address
                        or email.startswith('@') or email.endswith('@')):
                    raise MessageValidationError(gettext(
                            'dms_base.msg_message_email_invalid',
                            message=message.rec_name,
                            address=message.address))
            elif message.channel == 'sms' and phonenumbers:
                try:
                    number = phonenumbers.parse(message.address)
                    valid = phonenumbers.is_valid_number(number)
                except phonenumbers.NumberParseException:
                    valid = False
                if not valid:
                    raise MessageValidationError(gettext(
                            'dms_base.msg_message_mobile_invalid',
                            message=message.rec_name,
                            address=message.address))

    @classmethod
    def check_modification(cls, mode, messages, values=None, external=False):
        super().check_modification(
            mode, messages, values=values, external=external)
        if mode == 'delete':
            for message in messages:
                if message.state != 'cancelled':
                    raise MessageModificationError(gettext(
                            'dms_base.msg_message_delete_not_cancelled',
                            message=message.rec_name))
        elif mode == 'write' and external:
            content = {'company', 'party', 'channel', 'address', 'subject',
                'body', 'origin'}
            if values.keys() & content:
                for message in messages:
                    if message.state not in {'queued', 'failed'}:
                        raise MessageModificationError(gettext(
                                'dms_base.msg_message_modify_done',
                                message=message.rec_name,
                                state=message.state_string))

    @classmethod
    def on_modification(cls, mode, messages, field_names=None):
        super().on_modification(mode, messages, field_names=field_names)
        if mode == 'create':
            cls._enqueue([m for m in messages if m.state == 'queued'])

    @classmethod
    def copy(cls, messages, default=None):
        default = default.copy() if default is not None else {}
        for fname in ['attempts', 'error', 'last_attempt', 'next_attempt',
                'sent_date', 'reference']:
            default.setdefault(fname)
        default.setdefault('state', 'queued')
        return super().copy(messages, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('queued')
    def retry(cls, messages):
        cls.write(messages, {
                'next_attempt': None,
                })
        cls._enqueue(messages)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, messages):
        cls.write(messages, {
                'next_attempt': None,
                })

    @classmethod
    def _enqueue(cls, messages):
        with Transaction().set_context(queue_name='dms_message'):
            for message in messages:
                cls.__queue__.send([message])

    @classmethod
    def _now(cls):
        return dt.datetime.now()

    @classmethod
    def send_due(cls):
        now = cls._now()
        domain = ['OR',
            ('state', '=', 'queued'),
            [
                ('state', '=', 'failed'),
                ('next_attempt', '<=', now),
                ],
            ]
        if company := Transaction().context.get('company'):
            domain = [domain, ('company', '=', company)]
        # The scheduler sends every rooftop's messages
        with without_check_access():
            messages = cls.search(domain, order=[('id', 'ASC')])
            waiting = cls._waiting_for_worker()
        cls._enqueue([m for m in messages if m.id not in waiting])

    @classmethod
    def _waiting_for_worker(cls):
        """Return the ids of the messages with a task the queue worker has not
        taken yet: another would only pile up while the worker is down"""
        pool = Pool()
        Queue = pool.get('ir.queue')
        if not config.getboolean('queue', 'worker', default=False):
            # Without a worker the tasks run once their transaction commits
            return set()
        waiting = set()
        for task in Queue.search([
                    ('name', '=', 'dms_message'),
                    ('dequeued_at', '=', None),
                    ], order=[]):
            if task.data.get('model') == cls.__name__:
                instances = task.data.get('instances')
                if isinstance(instances, int):
                    instances = [instances]
                waiting.update(instances or [])
        return waiting

    @classmethod
    def send(cls, messages):
        # The task runs as the user who saved the message, with their rules
        with without_check_access():
            for message in messages:
                message = cls._lock_sendable(message.id)
                if not message:
                    continue
                try:
                    reference = getattr(
                        message, '_send_%s' % message.channel)()
                except MessageSendError as exception:
                    logger.info(
                        "sending %s %d failed: %s",
                        message.channel, message.id, exception)
                    cls.fail([message], str(exception))
                else:
                    cls.succeed([message], reference)

    @classmethod
    @Workflow.transition('sent')
    def succeed(cls, messages, reference=None):
        now = cls._now()
        to_write = []
        for message in messages:
            to_write.extend(([message], {
                        'attempts': (message.attempts or 0) + 1,
                        'error': None,
                        'last_attempt': now,
                        'next_attempt': None,
                        'sent_date': now,
                        'reference': reference,
                        }))
        if to_write:
            cls.write(*to_write)

    @classmethod
    @Workflow.transition('failed')
    def fail(cls, messages, error):
        pool = Pool()
        Configuration = pool.get('dms.configuration')
        configuration = Configuration(1)
        now = cls._now()
        to_write = []
        for message in messages:
            attempts = (message.attempts or 0) + 1
            if attempts < configuration.message_max_attempts:
                next_attempt = now + configuration.get_retry_delay(attempts)
            else:
                next_attempt = None
            to_write.extend(([message], {
                        'attempts': attempts,
                        'error': error,
                        'last_attempt': now,
                        'next_attempt': next_attempt,
                        }))
        if to_write:
            cls.write(*to_write)

    @classmethod
    def _lock_sendable(cls, message_id):
        transaction = Transaction()
        database = transaction.database
        cursor = transaction.connection.cursor()
        table = cls.__table__()
        # A failed message is taken only when its time has come, even when
        # another task was queued for it before it failed again
        query = table.select(
            table.id,
            where=(table.id == message_id)
            & ((table.state == 'queued')
                | ((table.state == 'failed')
                    & (table.next_attempt <= cls._now()))))
        if database.has_select_for():
            For = database.get_select_for_skip_locked()
            query.for_ = For('UPDATE')
        cursor.execute(*query)
        if cursor.fetchone():
            return cls(message_id)

    def _email(self, from_):
        "Return the e-mail of the message, sent from the address from_"
        msg = EmailMessage()
        msg['From'] = formataddr((self.company.rec_name, from_))
        if reply_to := self.party_address(self.company.party, 'email'):
            msg['Reply-To'] = formataddr((self.company.rec_name, reply_to))
        msg['To'] = formataddr((self.party.rec_name, self.address))
        msg['Subject'] = self.subject
        msg['Message-ID'] = make_msgid(domain=host())
        msg['Auto-Submitted'] = 'auto-generated'
        msg.set_content(self.body)
        return msg

    def _send_email(self):
        from_ = config.get('email', 'from')
        msg = self._email(from_)

        uri = _safe_uri(config.get('email', 'uri'))
        try:
            send_message(
                msg, parseaddr(from_)[1], [self.address], strict=True)
        except smtplib.SMTPRecipientsRefused as exception:
            code, answer = exception.recipients.get(
                self.address, (None, b''))
            raise MessageSendError(gettext(
                    'dms_base.msg_message_recipient_refused',
                    address=self.address, code=code,
                    answer=_decode(answer))) from exception
        except smtplib.SMTPResponseException as exception:
            raise MessageSendError(gettext(
                    'dms_base.msg_message_smtp_refused',
                    address=self.address, code=exception.smtp_code,
                    answer=_decode(exception.smtp_error))) from exception
        except smtplib.SMTPServerDisconnected as exception:
            raise MessageSendError(gettext(
                    'dms_base.msg_message_smtp_disconnected',
                    uri=uri, address=self.address,
                    error=_error_text(exception))) from exception
        except smtplib.SMTPException as exception:
            raise MessageSendError(gettext(
                    'dms_base.msg_message_smtp_failed',
                    uri=uri, address=self.address,
                    error=_error_text(exception))) from exception
        except OSError as exception:
            raise MessageSendError(gettext(
                    'dms_base.msg_message_smtp_unreachable',
                    uri=uri, error=_error_text(exception))) from exception
        return msg['Message-ID']

    def _send_sms(self):
        "Return the gateway's identifier; see doc/configuration.rst"
        url = config.get('dms_sms', 'url')
        if not url:
            raise MessageSendError(gettext(
                    'dms_base.msg_message_sms_not_configured'))
        key = config.get('dms_sms', 'key')
        timeout = config.getfloat('dms_sms', 'timeout', default=10)
        payload = {
            'to': self.address,
            'text': self.body,
            'reference': str(self.id),
            }
        if sender := config.get('dms_sms', 'sender'):
            payload['from'] = sender
        headers = {
            'Content-Type': 'application/json',
            'Accept': 'application/json',
            }
        if key:
            headers['Authorization'] = f'Bearer {key}'
        request = urllib.request.Request(
            url, data=json.dumps(payload).encode('utf-8'), headers=headers,
            method='POST')
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                answer = response.read()
        except urllib.error.HTTPError as exception:
            raise MessageSendError(gettext(
                    'dms_base.msg_message_sms_refused',
                    code=exception.code,
                    answer=_decode(exception.read())[:500])) from exception
        except (urllib.error.URLError, OSError) as exception:
            reason = getattr(exception, 'reason', exception)
            raise MessageSendError(gettext(
                    'dms_base.msg_message_sms_unreachable',
                    url=_safe_uri(url), error=_error_text(reason))
                ) from exception
        try:
            answer = json.loads(answer)
        except ValueError:
            return None
        if isinstance(answer, dict):
            reference = answer.get('id') or answer.get('reference')
            return str(reference) if reference is not None else None


def _error_text(exception):
    return str(exception) or exception.__class__.__name__


def _decode(value):
    if isinstance(value, bytes):
        return value.decode('utf-8', 'replace')
    return str(value)


def _safe_uri(uri):
    parsed = urllib.parse.urlsplit(uri or '')
    if parsed.password:
        netloc = parsed.hostname or ''
        if parsed.port:
            netloc += f':{parsed.port}'
        if parsed.username:
            netloc = f'{parsed.username}:***@{netloc}'
        parsed = parsed._replace(netloc=netloc)
    return urllib.parse.urlunsplit(parsed)
