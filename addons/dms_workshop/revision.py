# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import hashlib
import secrets
import urllib.parse
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, Workflow, fields
from trytond.modules.currency.fields import Monetary
from trytond.modules.dms_base.model import (
    FieldSizeMixin, ReadonlyFieldsMixin, RelationRulesMixin)
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.url import http_host

from .exceptions import RevisionError


def token_digest(token):
    "Return the digest under which the token is kept"
    return hashlib.sha256(token.encode('utf-8')).hexdigest()


class Revision(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin, Workflow,
        ModelSQL, ModelView):
    __name__ = 'dms.workshop.order.revision'
    __string__ = "Estimate Revision"

    order = fields.Many2One(
        'dms.workshop.order', "Order", required=True, ondelete='CASCADE',
        readonly=True)
    number = fields.Integer("Revision", required=True, readonly=True)
    lines = fields.One2Many(
        'dms.workshop.order.line', 'revision', "Lines", readonly=True)
    amount = Monetary(
        "Amount", currency='currency', digits='currency', readonly=True,
        help="The total of the revision's lines when it was sent.")
    customer_amount = Monetary(
        "Customer Amount", currency='currency', digits='currency',
        readonly=True,
        help="What the customer pays of the revision's lines.")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    sent_date = fields.DateTime("Sent", readonly=True)
    expires = fields.DateTime(
        "Link Expires", readonly=True,
        help="Until when the customer can decide through the link.")
    token_digest = fields.Char("Token Digest", size=64, readonly=True)
    message = fields.Many2One(
        'dms.message', "Message", readonly=True, ondelete='SET NULL',
        help="The message that carried the link to the customer.")
    decided = fields.DateTime("Decided", readonly=True)
    decided_by = fields.Char(
        "Decided By", size=100, readonly=True,
        help="The name the customer gave, or the advisor who recorded the "
        "decision.")
    channel = fields.Selection([
            (None, ""),
            ('link', "Link"),
            ('advisor', "Advisor"),
            ], "Decided Through", readonly=True)
    state = fields.Selection([
            ('sent', "Sent"),
            ('approved', "Approved"),
            ('rejected', "Rejected"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('order')
        t = cls.__table__()
        cls._sql_constraints += [
            ('order_number_unique', Unique(t, t.order, t.number),
                'dms_workshop.msg_revision_number_unique'),
            ('token_digest_unique', Unique(t, t.token_digest),
                'dms_workshop.msg_revision_token_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.token_digest, Index.Equality())))
        cls._order = [('order', 'DESC'), ('number', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('sent', 'approved'),
            ('sent', 'rejected'),
            ('sent', 'cancelled'),
            }

    @classmethod
    def default_state(cls):
        return 'sent'

    @fields.depends('order', '_parent_order.company')
    def on_change_with_currency(self, name=None):
        if self.order and self.order.company:
            return self.order.company.currency

    def get_rec_name(self, name):
        return f'{self.order.rec_name} #{self.number}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('order.rec_name', *clause[1:])]

    @classmethod
    def from_lines(cls, order, lines):
        "Return the next revision of the order for the lines"
        number = max((r.number for r in order.revisions), default=0) + 1
        return cls(
            order=order, number=number, lines=lines,
            amount=sum((l.amount for l in lines), Decimal(0)),
            customer_amount=sum(
                (l.amount for l in lines if l.payer == 'customer'),
                Decimal(0)))

    @classmethod
    def send(cls, revisions):
        """Put the revisions' lines up for approval and send the customer
        a link to decide; without an address the advisor records it"""
        pool = Pool()
        Configuration = pool.get('dms.configuration')
        Line = pool.get('dms.workshop.order.line')
        Message = pool.get('dms.message')
        now = dt.datetime.now()
        days = Configuration(1).estimate_link_days
        lines, messages = [], []
        for revision in revisions:
            token = secrets.token_urlsafe(32)
            revision.token_digest = token_digest(token)
            revision.sent_date = now
            revision.expires = now + dt.timedelta(days=days)
            message = revision.get_message(token)
            if message:
                messages.append(message)
            revision.message = message
            for line in revision.lines:
                line.approval = 'pending'
                lines.append(line)
        Message.save(messages)
        cls.save(revisions)
        Line.save(lines)

    def approval_url(self, token):
        "Return the address of the page where the customer decides"
        database = Transaction().database.name
        return '/'.join([http_host(), urllib.parse.quote(database),
                'dms_workshop', 'estimate', token])

    def get_message(self, token):
        "Return the customer's message with the link, None when unreachable"
        pool = Pool()
        Lang = pool.get('ir.lang')
        Message = pool.get('dms.message')
        order = self.order
        customer = order.customer
        channel = Message.preferred_channel(customer)
        if not channel:
            return
        lang = customer.lang or Lang.get()
        with Transaction().set_context(language=lang.code):
            lang = Lang.get()
            values = dict(
                customer=customer.rec_name, order=order.number,
                vehicle=order.vehicle.rec_name,
                company=order.company.rec_name,
                amount=lang.currency(
                    self.customer_amount, order.company.currency),
                url=self.approval_url(token),
                expires=lang.strftime(self.expires.date()))
            if self.number == 1:
                kind = 'estimate'
            else:
                kind = 'revision'
            subject = gettext(
                f'dms_workshop.msg_{kind}_subject', **values)
            body = gettext(f'dms_workshop.msg_{kind}_body', **values)
        return Message(
            company=order.company, party=customer, channel=channel,
            subject=subject, body=body, origin=order)

    @classmethod
    def from_token(cls, token):
        """Return the revision the customer's token opens, or raise the
        reason it opens none"""
        pool = Pool()
        revisions = cls.search([
                ('token_digest', '=', token_digest(token or '')),
                ], limit=1)
        if not revisions:
            raise RevisionError(gettext('dms_workshop.msg_revision_token'))
        revision, = revisions
        if revision.state != 'sent':
            raise RevisionError(gettext(
                    'dms_workshop.msg_revision_decided',
                    revision=revision.rec_name,
                    state=revision.state_string))
        if revision.expires < dt.datetime.now():
            raise RevisionError(gettext(
                    'dms_workshop.msg_revision_expired',
                    revision=revision.rec_name,
                    expires=pool.get('ir.lang').get().strftime(
                        revision.expires.date())))
        return revision

    @classmethod
    def _decide(cls, revisions, approval, by, channel):
        pool = Pool()
        Employee = pool.get('company.employee')
        Line = pool.get('dms.workshop.order.line')
        Order = pool.get('dms.workshop.order')
        now = dt.datetime.now()
        if by is None:
            employee_id = Transaction().context.get('employee')
            if employee_id is not None:
                by = Employee(employee_id).rec_name
        lines = []
        for revision in revisions:
            revision.decided = now
            revision.decided_by = by
            revision.channel = channel
            for line in revision.lines:
                line.approval = approval
                lines.append(line)
        cls.save(revisions)
        Line.save(lines)
        if approval == 'approved':
            orders = [r.order for r in revisions
                if r.order.state == 'estimate_sent']
            Order._approved(orders)

    @classmethod
    @Workflow.transition('approved')
    def approve(cls, revisions, by=None, channel='advisor'):
        cls._decide(revisions, 'approved', by, channel)

    @classmethod
    @Workflow.transition('rejected')
    def reject(cls, revisions, by=None, channel='advisor'):
        cls._decide(revisions, 'rejected', by, channel)

    @classmethod
    @Workflow.transition('cancelled')
    def cancel(cls, revisions):
        pool = Pool()
        Line = pool.get('dms.workshop.order.line')
        lines = [l for r in revisions for l in r.lines]
        Line.write(lines, {'approval': 'draft', 'revision': None})
