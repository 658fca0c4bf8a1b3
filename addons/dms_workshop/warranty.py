# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.modules.currency.fields import Monetary
from trytond.modules.dms_base.model import (
    FieldSizeMixin, ReadonlyFieldsMixin, RelationRulesMixin)
from trytond.modules.dms_base.tools import search_any
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import WarrantyClaimError


class WarrantyClaim(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin, Workflow,
        ModelSQL, ModelView):
    __name__ = 'dms.workshop.warranty_claim'
    __string__ = "Warranty Claim"
    _rec_name = 'number'
    _system_create_fields = frozenset({
            'number', 'manufacturer', 'vin', 'mileage', 'repair_date'})

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='RESTRICT',
        states={
            'readonly': (Eval('state') != 'draft') | (Eval('id', -1) >= 0),
            })
    number = fields.Char("Number", size=40, readonly=True)
    order = fields.Many2One(
        'dms.workshop.order', "Repair Order", required=True,
        ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('state', 'in', ['ready', 'invoiced', 'done']),
            ],
        states={
            'readonly': (Eval('state') != 'draft') | (Eval('id', -1) >= 0),
            })
    manufacturer = fields.Many2One(
        'party.party', "Manufacturer", readonly=True, ondelete='RESTRICT',
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="Who the claim goes to: the supplier of the vehicle's make.")
    vin = fields.Char("VIN", size=17, readonly=True)
    mileage = fields.Integer("Mileage (km)", readonly=True)
    repair_date = fields.Date("Repair Date", readonly=True)
    complaint = fields.Text("Complaint", required=True, states=_states)
    cause = fields.Text(
        "Cause", states={
            'readonly': _states['readonly'],
            'required': Eval('state') != 'draft',
            })
    correction = fields.Text(
        "Correction", states={
            'readonly': _states['readonly'],
            'required': Eval('state') != 'draft',
            })
    causal_part = fields.Many2One(
        'product.product', "Causal Part", ondelete='RESTRICT',
        domain=[('type', '=', 'goods')],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        states={
            'readonly': _states['readonly'],
            },
        help="The part that caused the failure.")
    lines = fields.Function(
        fields.Many2Many(
            'dms.workshop.order.line', None, None, "Claimed Lines"),
        'get_lines')
    operations = fields.Function(
        fields.Char("Operation Codes"), 'get_operations')
    clocked_hours = fields.Function(
        fields.Float("Clocked Hours", digits=(16, 2)), 'get_hours')
    sold_hours = fields.Function(
        fields.Float("Sold Hours", digits=(16, 2)), 'get_hours')
    claimed_hours = fields.Float(
        "Claimed Hours", digits=(16, 2), required=True,
        domain=[('claimed_hours', '>=', 0)],
        states=_states,
        help="The labour time claimed; it may not exceed the time clocked "
        "on the warranty jobs.")
    labour_amount = fields.Function(
        Monetary("Labour", currency='currency', digits='currency'),
        'get_amounts')
    parts_amount = fields.Function(
        Monetary("Parts", currency='currency', digits='currency'),
        'get_amounts')
    total_amount = fields.Function(
        Monetary("Total", currency='currency', digits='currency'),
        'get_amounts')
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    invoice = fields.Function(
        fields.Many2One('account.invoice', "Warranty Invoice"),
        'get_invoice', searcher='search_invoice')
    submitted_date = fields.Date("Submitted", readonly=True)
    manufacturer_reference = fields.Char(
        "Manufacturer Reference", size=60,
        states={
            'readonly': ~Eval('state').in_(['submitted', 'accepted']),
            },
        help="The number the manufacturer gave the claim.")
    rejection_reason = fields.Text(
        "Rejection Reason",
        states={
            'readonly': Eval('state') != 'submitted',
            'invisible': ~Eval('state').in_(['submitted', 'rejected']),
            })
    state = fields.Selection([
            ('draft', "Draft"),
            ('submitted', "Submitted"),
            ('accepted', "Accepted"),
            ('rejected', "Rejected"),
            ('paid', "Paid"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')

    del _states

    @classmethod
    def __setup__(cls):
        cls.number.search_unaccented = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.order, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(['draft', 'submitted', 'accepted'])),
                })
        cls._order = [('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'submitted'),
            ('submitted', 'accepted'),
            ('submitted', 'rejected'),
            ('rejected', 'draft'),
            ('accepted', 'paid'),
            ('draft', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'submit': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'accept': {
                    'invisible': Eval('state') != 'submitted',
                    'depends': ['state'],
                    },
                'reject': {
                    'invisible': Eval('state') != 'submitted',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': ~Eval('state').in_(
                        ['rejected', 'cancelled']),
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_claimed_hours(cls):
        return 0.0

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @fields.depends('order', 'complaint', 'claimed_hours')
    def on_change_order(self):
        if not self.order:
            return
        if not self.complaint:
            self.complaint = self.order.complaint
        labour = [l for l in self.order.lines
            if l.type == 'labour' and l.payer == 'warranty'
            and l.approval == 'approved']
        # Claim the sold hours, but never more than was clocked
        self.claimed_hours = round(min(
                sum(l.quantity for l in labour),
                sum(l.clocked_hours for l in labour)), 2)

    def get_rec_name(self, name):
        return self.number or f'({self.id})'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, [
                'number',
                'vin',
                'order.rec_name',
                ])

    def warranty_lines(self):
        return [l for l in self.order.lines
            if l.payer == 'warranty' and l.approval == 'approved']

    def get_lines(self, name):
        return [l.id for l in self.warranty_lines()]

    def get_operations(self, name):
        return ', '.join(sorted({l.operation.code
                    for l in self.warranty_lines()
                    if l.type == 'labour' and l.operation}))

    def get_hours(self, name):
        labour = [l for l in self.warranty_lines() if l.type == 'labour']
        if name == 'clocked_hours':
            return round(sum(l.clocked_hours for l in labour), 2)
        return round(sum(l.quantity for l in labour), 2)

    @classmethod
    def get_amounts(cls, claims, names):
        result = {n: {} for n in names}
        for claim in claims:
            labour = parts = Decimal(0)
            for line in claim.warranty_lines():
                if line.type == 'part':
                    parts += line.amount
                else:
                    labour += line.amount
            values = {
                'labour_amount': labour,
                'parts_amount': parts,
                'total_amount': labour + parts,
                }
            for name in names:
                result[name][claim.id] = values[name]
        return result

    def get_invoice(self, name):
        for line in self.warranty_lines():
            for invoice_line in line.invoice_lines:
                if invoice_line.invoice:
                    return invoice_line.invoice.id

    @classmethod
    def search_invoice(cls, name, clause):
        nested = clause[0][len(name):]
        return [('order.lines', 'where', [
                    ('payer', '=', 'warranty'),
                    ('invoice_lines.invoice' + nested, *clause[1:]),
                    ])]

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Order = pool.get('dms.workshop.order')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('order') is not None:
            order = Order(values['order'])
            manufacturer = order.warranty_party
            count = cls.search([('order', '=', order.id)], count=True)
            values['number'] = f'{order.number}-W{count + 1}'
            values['manufacturer'] = manufacturer.id if manufacturer else None
            values['vin'] = order.vehicle.vin
            values['mileage'] = order.mileage
            values['repair_date'] = (
                order.invoice_date
                or (order.ready_date.date() if order.ready_date else None))
        return values

    @classmethod
    def validate_fields(cls, claims, field_names):
        super().validate_fields(claims, field_names)
        cls.check_claimed_hours(claims, field_names)

    @classmethod
    def check_claimed_hours(cls, claims, field_names=None):
        "Refuse claiming more labour than was clocked on the warranty jobs"
        pool = Pool()
        Lang = pool.get('ir.lang')
        if field_names and 'claimed_hours' not in field_names:
            return
        lang = Lang.get()
        for claim in claims:
            if claim.claimed_hours > claim.clocked_hours:
                raise WarrantyClaimError(gettext(
                        'dms_workshop.msg_claim_over_clocked',
                        claim=claim.rec_name,
                        claimed=lang.format('%.2f', claim.claimed_hours),
                        clocked=lang.format('%.2f', claim.clocked_hours)))

    @classmethod
    def check_modification(cls, mode, claims, values=None, external=False):
        super().check_modification(
            mode, claims, values=values, external=external)
        if mode == 'delete':
            for claim in claims:
                if claim.state not in {'draft', 'cancelled'}:
                    raise AccessError(gettext(
                            'dms_workshop.msg_claim_delete',
                            claim=claim.rec_name,
                            state=claim.state_string))

    @classmethod
    def copy(cls, claims, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'submitted_date', 'manufacturer_reference',
                'rejection_reason']:
            default.setdefault(name)
        return super().copy(claims, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('submitted')
    def submit(cls, claims):
        pool = Pool()
        Date = pool.get('ir.date')
        for claim in claims:
            if not claim.manufacturer:
                raise WarrantyClaimError(gettext(
                        'dms_workshop.msg_claim_no_manufacturer',
                        claim=claim.rec_name))
            if not claim.warranty_lines():
                raise WarrantyClaimError(gettext(
                        'dms_workshop.msg_claim_no_lines',
                        claim=claim.rec_name))
            for name in ['cause', 'correction']:
                if not getattr(claim, name):
                    raise WarrantyClaimError(gettext(
                            'dms_workshop.msg_claim_required',
                            claim=claim.rec_name,
                            field=cls.__names__(name)['field']))
            claim.submitted_date = Date.today()
        cls.save(claims)
        cls.check_claimed_hours(claims)

    @classmethod
    @ModelView.button
    @Workflow.transition('accepted')
    def accept(cls, claims):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('rejected')
    def reject(cls, claims):
        for claim in claims:
            if not claim.rejection_reason:
                raise WarrantyClaimError(gettext(
                        'dms_workshop.msg_claim_rejection_reason',
                        claim=claim.rec_name))

    @classmethod
    @Workflow.transition('paid')
    def paid(cls, claims):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, claims):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, claims):
        pass


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    @classmethod
    def paid(cls, invoices):
        pool = Pool()
        Claim = pool.get('dms.workshop.warranty_claim')
        super().paid(invoices)
        # The manufacturer's payment reconciled against the warranty invoice
        # settles its accepted claims
        paid = [i.id for i in invoices if i.state == 'paid']
        if paid:
            # The accountant need not see the workshop's claims
            with without_check_access():
                claims = Claim.search([
                        ('invoice', 'in', paid),
                        ('state', '=', 'accepted'),
                        ])
                Claim.paid(claims)
