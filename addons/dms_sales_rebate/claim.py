# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from decimal import Decimal

from sql.aggregate import Sum

from trytond.backend import MAX_QUERY_PARAMS
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.modules.currency.fields import Monetary
from trytond.modules.dms_base.model import (
    FieldSizeMixin, ReadonlyFieldsMixin, RelationRulesMixin)
from trytond.modules.dms_base.tools import search_any
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import ClaimError, ClaimWarning

_in = fields.SQL_OPERATORS['in']


class Claim(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin, Workflow,
        ModelSQL, ModelView):
    __name__ = 'dms.rebate.claim'
    __string__ = "Rebate Claim"
    _rec_name = 'number'

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='RESTRICT',
        states={
            'readonly': (Eval('state') != 'draft') | Eval('lines', [0]),
            })
    number = fields.Char(
        "Number", size=60, states=_states,
        help="The claim's number, as sent to the manufacturer.")
    manufacturer = fields.Many2One(
        'party.party', "Manufacturer", required=True, ondelete='RESTRICT',
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        states={
            'readonly': (Eval('state') != 'draft') | Eval('lines', [0]),
            })
    start_date = fields.Date(
        "Start Date", required=True, states=_states,
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('start_date', '<=', Eval('end_date')),
                ()),
            ])
    end_date = fields.Date(
        "End Date", required=True, states=_states,
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('end_date', '>=', Eval('start_date')),
                ()),
            ])
    lines = fields.One2Many(
        'dms.rebate.line', 'claim', "Lines", readonly=True,
        help="The accrued rebates of the manufacturer's deals in the "
        "period; filled by the Fill button.")
    amount = fields.Function(Monetary(
            "Amount", currency='currency', digits='currency',
            help="The sum of the estimated rebates claimed."),
        'get_amount')
    paid_amount = Monetary(
        "Paid Amount", currency='currency', digits='currency',
        readonly=True)
    variance_amount = fields.Function(Monetary(
            "Variance", currency='currency', digits='currency',
            help="The payment less the amount claimed."),
        'get_variance_amount')
    payment_move = fields.Many2One(
        'account.move', "Payment Move", readonly=True, ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    state = fields.Selection([
            ('draft', "Draft"),
            ('submitted', "Submitted"),
            ('paid', "Paid"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.state, Index.Equality(cardinality='low')),
                where=t.state.in_(['draft', 'submitted'])))
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'submitted'),
            ('submitted', 'draft'),
            ('submitted', 'paid'),
            ('draft', 'cancelled'),
            ('submitted', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'fill': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'submit': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'pay': {
                    'invisible': Eval('state') != 'submitted',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'submitted']),
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': ~Eval('state').in_(
                        ['submitted', 'cancelled']),
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

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    def get_rec_name(self, name):
        if self.number:
            return self.number
        return f'{self.manufacturer.rec_name} ({self.start_date} - ' \
            f'{self.end_date})'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, ['number', 'manufacturer.rec_name'])

    @classmethod
    def get_amount(cls, claims, name):
        pool = Pool()
        Line = pool.get('dms.rebate.line')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        amounts = {c.id: Decimal(0) for c in claims}
        for sub_ids in grouped_slice([c.id for c in claims], MAX_QUERY_PARAMS):
            cursor.execute(*line.select(
                    line.claim, Sum(line.estimated_amount),
                    where=_in(line.claim, list(sub_ids)),
                    group_by=[line.claim]))
            for claim_id, amount in cursor:
                amounts[claim_id] = Decimal(str(amount or 0))
        for claim in claims:
            amounts[claim.id] = claim.currency.round(amounts[claim.id])
        return amounts

    def get_variance_amount(self, name):
        if self.paid_amount is not None:
            return self.paid_amount - self.amount

    @classmethod
    def check_modification(cls, mode, claims, values=None, external=False):
        super().check_modification(
            mode, claims, values=values, external=external)
        if mode == 'delete':
            for claim in claims:
                if claim.state not in {'draft', 'cancelled'}:
                    raise AccessError(gettext(
                            'dms_sales_rebate.msg_claim_delete',
                            claim=claim.rec_name,
                            state=claim.state_string))

    @classmethod
    def copy(cls, claims, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'lines', 'paid_amount', 'payment_move']:
            default.setdefault(name)
        return super().copy(claims, default=default)

    def _lines_domain(self):
        return [
            ('company', '=', self.company.id),
            ('manufacturer', '=', self.manufacturer.id),
            ('date', '>=', self.start_date),
            ('date', '<=', self.end_date),
            ('state', '=', 'accrued'),
            ('claim', '=', None),
            ]

    @classmethod
    @ModelView.button
    def fill(cls, claims):
        "Add the accrued rebate lines of the manufacturer in the period"
        pool = Pool()
        Line = pool.get('dms.rebate.line')
        # The claim is the lines' to claim, whoever presses the button
        with without_check_access():
            for claim in claims:
                if claim.state != 'draft':
                    continue
                lines = Line.search(claim._lines_domain())
                if lines:
                    Line.write(lines, {'claim': claim.id})

    @classmethod
    @ModelView.button
    @Workflow.transition('submitted')
    def submit(cls, claims):
        pool = Pool()
        Line = pool.get('dms.rebate.line')
        for claim in claims:
            if not claim.lines:
                raise ClaimError(gettext(
                        'dms_sales_rebate.msg_claim_no_lines',
                        claim=claim.rec_name))
        with without_check_access():
            Line.mark_claimed([l for c in claims for l in c.lines])

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, claims):
        pool = Pool()
        Line = pool.get('dms.rebate.line')
        with without_check_access():
            lines = [l for c in claims for l in c.lines
                if l.state == 'claimed']
            Line.unclaim(lines)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, claims):
        pool = Pool()
        Line = pool.get('dms.rebate.line')
        with without_check_access():
            lines = [l for c in claims for l in c.lines]
            Line.unclaim([l for l in lines if l.state == 'claimed'])
            Line.write(lines, {'claim': None})

    @classmethod
    @ModelView.button_action('dms_sales_rebate.wizard_claim_pay')
    def pay(cls, claims):
        pass

    @classmethod
    @Workflow.transition('paid')
    def paid(cls, claims):
        pass

    def receivable_lines(self, accounting):
        """Return the open receivable move lines the claim settles: those
        of its accruals and of the adjustments of its policies"""
        pool = Pool()
        MoveLine = pool.get('account.move.line')
        moves = {l.accrual_move.id for l in self.lines if l.accrual_move}
        policies = {f'dms.rebate.policy,{l.policy.id}' for l in self.lines}
        return MoveLine.search([
                ('account', '=', accounting.receivable_account.id),
                ('party', '=', self.manufacturer.id),
                ('reconciliation', '=', None),
                ('move.state', '=', 'posted'),
                ['OR',
                    ('move', 'in', list(moves)),
                    ('move.origin', 'in', list(policies)),
                    ],
                ])

    def allocate(self, amount):
        "Return the actual amount of each line, pro rata of the estimates"
        lines = sorted(self.lines, key=lambda l: l.id)
        total = sum((l.estimated_amount for l in lines), Decimal(0))
        result, rest = {}, amount
        for i, line in enumerate(lines):
            if i == len(lines) - 1:
                share = rest
            elif total:
                share = self.currency.round(
                    amount * line.estimated_amount / total)
            else:
                share = Decimal(0)
            result[line] = share
            rest -= share
        return result

    def settle(self, amount, date, journal, account):
        """Post the manufacturer's payment of amount, reconcile it with the
        claim's receivable and write the difference off"""
        pool = Pool()
        Accounting = pool.get('dms.rebate.accounting')
        Line = pool.get('dms.rebate.line')
        Move = pool.get('account.move')
        MoveLine = pool.get('account.move.line')
        Period = pool.get('account.period')
        accounting = Accounting.get(self.company, self)
        amount = self.currency.round(amount)
        receivables = self.receivable_lines(accounting)
        open_amount = sum(
            (l.debit - l.credit for l in receivables), Decimal(0))
        variance = amount - open_amount
        description = gettext(
            'dms_sales_rebate.msg_payment_description', claim=self.rec_name)
        lines = [
            accounting._line(account, amount),
            accounting._line(
                accounting.receivable_account, -open_amount,
                party=self.manufacturer),
            ]
        if variance:
            lines.append(accounting._line(
                    accounting.variance_account, -variance))
        move = Move(
            company=self.company,
            journal=journal,
            period=Period.find(self.company, date=date),
            date=date,
            origin=self,
            description=description,
            lines=[l for l in lines if l.debit or l.credit])
        move.save()
        Move.post([move])
        payment = [l for l in move.lines
            if l.account == accounting.receivable_account]
        if receivables or payment:
            MoveLine.reconcile(receivables + payment)
        self.paid_amount = amount
        self.payment_move = move
        self.save()
        with without_check_access():
            to_save = []
            for line, share in self.allocate(amount).items():
                line.actual_amount = share
                to_save.append(line)
            Line.save(to_save)
            Line.pay(to_save)
        self.paid([self])
        return move


class ClaimPayStart(ModelView):
    __name__ = 'dms.rebate.claim.pay.start'
    __string__ = "Pay Rebate Claim"

    claim = fields.Many2One('dms.rebate.claim', "Claim", readonly=True)
    company = fields.Many2One('company.company', "Company", readonly=True)
    currency = fields.Many2One('currency.currency', "Currency", readonly=True)
    open_amount = Monetary(
        "Open Amount", currency='currency', digits='currency', readonly=True)
    amount = Monetary(
        "Amount", currency='currency', digits='currency', required=True,
        domain=[('amount', '>=', 0)],
        help="What the manufacturer paid.")
    date = fields.Date("Date", required=True)
    journal = fields.Many2One(
        'account.journal', "Journal", required=True,
        domain=[('type', '=', 'cash')])
    account = fields.Many2One(
        'account.account', "Payment Account", required=True,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type', '!=', None),
            ('closed', '!=', True),
            ('type.receivable', '!=', True),
            ('type.payable', '!=', True),
            ],
        help="The bank or cash account the payment came in on.")


class ClaimPay(Wizard):
    __name__ = 'dms.rebate.claim.pay'
    __string__ = "Pay Rebate Claim"

    start = StateView('dms.rebate.claim.pay.start',
        'dms_sales_rebate.claim_pay_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Pay", 'pay', 'tryton-ok', default=True),
            ])
    pay = StateTransition()

    def default_start(self, fields):
        pool = Pool()
        Date = pool.get('ir.date')
        claim = self.record
        if claim.state != 'submitted':
            raise ClaimError(gettext(
                    'dms_sales_rebate.msg_claim_pay_state',
                    claim=claim.rec_name,
                    state=claim.state_string))
        with Transaction().set_context(company=claim.company.id):
            today = Date.today()
        return {
            'claim': claim.id,
            'company': claim.company.id,
            'currency': claim.currency.id,
            'open_amount': claim.amount,
            'amount': claim.amount,
            'date': today,
            }

    def transition_pay(self):
        pool = Pool()
        Lang = pool.get('ir.lang')
        Warning = pool.get('res.user.warning')
        claim = self.record
        if claim.state != 'submitted':
            raise ClaimError(gettext(
                    'dms_sales_rebate.msg_claim_pay_state',
                    claim=claim.rec_name,
                    state=claim.state_string))
        amount = self.start.amount
        if amount > claim.amount:
            lang = Lang.get()
            key = Warning.format('dms_rebate_claim_overpaid', [claim])
            if Warning.check(key):
                raise ClaimWarning(key, gettext(
                        'dms_sales_rebate.msg_claim_overpaid',
                        claim=claim.rec_name,
                        amount=lang.currency(
                            amount, claim.currency, grouping=True),
                        open=lang.currency(
                            claim.amount, claim.currency, grouping=True)))
        claim.settle(
            amount, self.start.date, self.start.journal, self.start.account)
        return 'end'
