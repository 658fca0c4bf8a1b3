# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Workflow, fields,
    sequence_ordered)
from trytond.model.exceptions import AccessError
from trytond.modules.dms_base.model import (
    FieldSizeMixin, ReadonlyFieldsMixin, RelationRulesMixin)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .exceptions import PDIError


class PDITemplate(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin,
        DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'dms.vehicle.pdi.template'
    __string__ = "PDI Checklist"

    name = fields.Char("Name", size=100, required=True, translate=True)
    lines = fields.One2Many(
        'dms.vehicle.pdi.template.line', 'template', "Items")


class PDITemplateLine(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin,
        sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'dms.vehicle.pdi.template.line'
    __string__ = "PDI Checklist Item"

    template = fields.Many2One(
        'dms.vehicle.pdi.template', "Checklist", required=True,
        ondelete='CASCADE')
    name = fields.Char("Item", size=200, required=True, translate=True)
    description = fields.Text("Description", translate=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('template')


class PDI(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin, Workflow,
        ModelSQL, ModelView):
    __name__ = 'dms.vehicle.pdi'
    __string__ = "Pre-Delivery Inspection"

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='RESTRICT',
        states=_states)
    vehicle = fields.Many2One(
        'dms.vehicle', "Vehicle", required=True, ondelete='RESTRICT',
        states=_states)
    template = fields.Many2One(
        'dms.vehicle.pdi.template', "Checklist", ondelete='RESTRICT',
        states=_states)
    date = fields.Date("Date", required=True, states=_states)
    technician = fields.Many2One(
        'company.employee', "Technician", ondelete='RESTRICT',
        states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('state') != 'draft',
            },
        domain=[('company', '=', Eval('company', -1))])
    lines = fields.One2Many(
        'dms.vehicle.pdi.line', 'pdi', "Items", states=_states)
    comment = fields.Text("Comment")
    state = fields.Selection([
            ('draft', "Draft"),
            ('passed', "Passed"),
            ('failed', "Failed"),
            ], "Result", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.vehicle, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state == 'draft'),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'passed'),
            ('draft', 'failed'),
            ('failed', 'draft'),
            }
        cls._buttons.update({
                'pass_': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'fail': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'failed',
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
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_technician(cls):
        return Transaction().context.get('employee')

    def get_rec_name(self, name):
        return f'{self.vehicle.rec_name} ({self.date})'

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('vehicle.rec_name', *clause[1:])]

    @fields.depends('template', 'lines')
    def on_change_template(self):
        pool = Pool()
        Line = pool.get('dms.vehicle.pdi.line')
        if self.template and not self.lines:
            self.lines = [Line(**l) for l in self.template_line_values()]

    def template_line_values(self):
        return [{
                'sequence': l.sequence,
                'name': l.name,
                'description': l.description,
                'result': 'pending',
                } for l in self.template.lines]

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Template = pool.get('dms.vehicle.pdi.template')
        values = super().preprocess_values(mode, values)
        if (mode == 'create' and values.get('template')
                and not values.get('lines')):
            pdi = cls(template=Template(values['template']))
            values['lines'] = [('create', pdi.template_line_values())]
        return values

    @classmethod
    def validate_fields(cls, pdis, field_names):
        super().validate_fields(pdis, field_names)
        cls.check_holder(pdis, field_names)

    @classmethod
    def check_holder(cls, pdis, field_names=None):
        """Refuse an inspection of a vehicle by another rooftop than the one
        that holds it"""
        if field_names and not (field_names & {'company', 'vehicle'}):
            return
        for pdi in pdis:
            holder = pdi.vehicle.holding_company
            if (pdi.state == 'draft' and holder
                    and holder != pdi.company):
                raise PDIError(gettext(
                        'dms_vehicle.msg_pdi_other_rooftop',
                        pdi=pdi.rec_name,
                        company=pdi.company.rec_name,
                        holder=holder.rec_name))

    @classmethod
    def check_modification(cls, mode, pdis, values=None, external=False):
        super().check_modification(
            mode, pdis, values=values, external=external)
        if mode == 'delete':
            for pdi in pdis:
                if pdi.state == 'passed':
                    raise AccessError(gettext(
                            'dms_vehicle.msg_pdi_delete_passed',
                            pdi=pdi.rec_name))

    @classmethod
    def copy(cls, pdis, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('state', cls.default_state())
        default.setdefault('date', cls.default_date())
        return super().copy(pdis, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('passed')
    def pass_(cls, pdis):
        cls._check_technician(pdis)
        for pdi in pdis:
            if not pdi.lines:
                raise PDIError(gettext(
                        'dms_vehicle.msg_pdi_no_items', pdi=pdi.rec_name))
            open_ = [l for l in pdi.lines if l.result in {'pending', 'failed'}]
            if open_:
                raise PDIError(gettext(
                        'dms_vehicle.msg_pdi_items_open',
                        pdi=pdi.rec_name,
                        items=', '.join(l.name for l in open_[:5])))

    @classmethod
    @ModelView.button
    @Workflow.transition('failed')
    def fail(cls, pdis):
        cls._check_technician(pdis)

    @classmethod
    def _check_technician(cls, pdis):
        "A result is recorded by a technician of the holding rooftop"
        cls.check_holder(pdis)
        for pdi in pdis:
            if not pdi.technician:
                raise PDIError(gettext(
                        'dms_vehicle.msg_pdi_technician',
                        pdi=pdi.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, pdis):
        pass


class PDILine(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin,
        sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'dms.vehicle.pdi.line'
    __string__ = "Pre-Delivery Inspection Item"

    pdi = fields.Many2One(
        'dms.vehicle.pdi', "PDI", required=True, ondelete='CASCADE')
    name = fields.Char("Item", size=200, required=True)
    description = fields.Text("Description")
    result = fields.Selection([
            ('pending', "Pending"),
            ('ok', "OK"),
            ('fixed', "Fixed"),
            ('failed', "Failed"),
            ], "Result", required=True, sort=False)
    note = fields.Char(
        "Note", size=200,
        states={
            'required': Eval('result').in_(['fixed', 'failed']),
            })
    pdi_state = fields.Function(
        fields.Selection('get_pdi_states', "PDI State"),
        'on_change_with_pdi_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('pdi')
        for field in [cls.name, cls.description, cls.result, cls.note]:
            field.states = dict(field.states or {})
            field.states['readonly'] = If(
                Eval('pdi_state', 'draft') != 'draft', True,
                field.states.get('readonly', False))

    @classmethod
    def default_result(cls):
        return 'pending'

    @classmethod
    def get_pdi_states(cls):
        pool = Pool()
        PDI = pool.get('dms.vehicle.pdi')
        return PDI.fields_get(['state'])['state']['selection']

    @fields.depends('pdi', '_parent_pdi.state')
    def on_change_with_pdi_state(self, name=None):
        return self.pdi.state if self.pdi else None
